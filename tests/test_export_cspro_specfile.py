"""The classic CSPro `.dcf` read back line by line as CSPro reads it.

CSPro 8.0.1 (`csprousers/cspro` d33c4b1) reads a text dictionary with `CSpecFile::GetLine`
(`cspro/zUtilO/Specfile.cpp`) and writes it with `CSpecFile::PutLine` in the same file. `get_lines`
below reproduces GetLine (the non-Windows branch; the Windows one differs only in error
handling): a physical line ending in `&` (and longer than the `&` alone) is joined, without that
`&`, to the next one; the joined line is trimmed; empty lines and lines starting with `.` are
skipped; the attribute is what comes before the first `=`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migmodule.export.cspro import export_cspro
from migmodule.export.cspro_dictionary import put_line
from migmodule.profile import adapt

MINI = Path(__file__).parent / "specs" / "mini.yaml"


def get_lines(text: str) -> list[tuple[str, str]]:
    """(attribute, value) pairs as CSPro's CSpecFile::GetLine returns them."""
    pairs = []
    line = ""
    for part in text.lstrip("\ufeff").split("\n"):
        if len(part) - 1 > 0 and part.endswith("&"):  # iLast > 0 && csPart[iLast] == AMPERSAND
            line += part[:-1]
            continue
        line = (line + part).strip()
        if line and not line.startswith("."):
            attribute, equals, value = line.partition("=")
            pairs.append((attribute.rstrip(), value.lstrip()) if equals else (line, ""))
        line = ""
    return pairs


@pytest.mark.parametrize(
    "line", ["Label=A & B", "Label=Nairobi &", "Label=x&&", "Label=a|b &|c &&&", "&", "Value=1;&"]
)
def test_put_line_reads_back_as_the_same_line(line):
    attribute, _, value = line.partition("=")
    assert get_lines(put_line(line) + "\n") == [(attribute, value)]


def test_the_reader_reproduction_joins_a_trailing_ampersand_as_cspro_does():
    # what a naive writer produced: the value after a label ending in & disappears
    assert get_lines("Value=1;Town &\nValue=2;Village\n") == [("Value", "1;Town Value=2;Village")]


def test_labels_ending_in_ampersand_keep_every_value(tmp_path):
    spec = MINI.read_text(encoding="utf-8").replace(
        '{code: 1, label: {en: "Yes", fr: Oui, es: Sí}}',
        '{code: 1, label: {en: "Yes &", fr: "Oui &&", es: "Sí"}}',
    )
    path = tmp_path / "mini" / "1.0.0.yaml"
    path.parent.mkdir()
    path.write_text(spec, encoding="utf-8")
    out = tmp_path / "q.dcf"
    for languages in (["en"], ["es", "fr"], ["fr"]):
        export_cspro(adapt(None, str(path), languages=languages), out, languages=languages)
        pairs = get_lines(out.read_text(encoding="utf-8"))
        values = [value for attribute, value in pairs if attribute == "Value"]
        expected = {"en": "Yes &", "fr": "Oui &&", "es": "Sí"}
        label = "|".join(expected[lang] for lang in languages)
        yes_no = [v for v in values if v.startswith(("1;", "2;", "8;", "9;"))]
        assert f"1;{label}" in yes_no
        assert any(v.startswith("2;") for v in yes_no)  # the next value is still there
        # every attribute is a key CSPro knows (none glued onto the line before)
        assert {a for a, _ in pairs} <= {
            "[Dictionary]", "Version", "Label", "Name", "Note", "RecordTypeStart",
            "RecordTypeLen", "Positions", "ZeroFill", "DecimalChar", "[Languages]", "EN", "FR",
            "ES", "[Level]", "[IdItems]", "[Item]", "Start", "Len", "DataType", "Occurrences",
            "Decimal", "[ValueSet]", "Value", "[Record]", "RecordTypeValue", "Required",
            "MaxRecords", "RecordLen",
        }  # fmt: skip
