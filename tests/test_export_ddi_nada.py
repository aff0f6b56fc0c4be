"""DDI for NADA, the World Bank / IHSN microdata catalogue: the files import, by NADA's own rules.

NADA (PHP) is not run here. The functions below reproduce what its DDI import reads, from
`ihsn/nada` at c86d6e28:

- `application/libraries/Metadata_parser/classes/DdiVariable.php`, `get_element_value()`: a
  `var` child element that occurs more than once comes back as a PHP array, once as its text;
  `get_simple_element('labl', $catgry)` takes a category's first label.
- `application/libraries/DDI2_import.php`, `import()`: no IDNo is an exception;
  `import_variables()`: a `var/@files` that names no `fileDscr/@ID` is an exception, and
  `get_label()` / `get_question()` go to the `labl` / `qstn` columns of `Variable_model::
  batch_insert` (an array there fails the SQL insert or stores "Array").
- `application/libraries/Metadata_parser/classes/DDIReader.php`, `get_years()` (collDate elements
  taken in pairs, start then end, by `DDI2Reader::transform_collection_dates`; the years are the
  integer value of the dates, PHP's `(integer)"2029-08-24"` is 2029) and `get_countries()`
  (`nation` text and `@abbr`, `DDI2Reader` table 'codeBook/stdyDscr/stdyInfo/sumDscr/nation'),
  each nation a country, found by its English name (`Country_model::find_country_by_name`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

import paths
from migmodule.export.ddi import DDI_NS, XML_LANG, export_ddi
from migmodule.profile import adapt, load_profile
from migmodule.spec.registry import list_modules

MINI = str(Path(__file__).parent / "specs" / "mini.yaml")
SCHEMA = paths.DDI_SCHEMAS / "codebook.xsd"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
NS = {"d": DDI_NS}
LANGS = ["en", "fr", "es"]


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return element.findall(f"{{{DDI_NS}}}{name}")


def element_value(element: etree._Element, name: str) -> str | list[str] | None:
    """DdiVariable::get_element_value: an array for a repeated element, else its text."""
    found = _children(element, name)
    if len(found) > 1:
        return [f.text or "" for f in found]
    return found[0].text if found else None


def nada_variable(var: etree._Element) -> dict:
    question = _children(var, "qstn")
    categories = [
        {
            "value": element_value(c, "catValu"),
            "labl": (_children(c, "labl") or [None])[0].text if _children(c, "labl") else None,
            "is_missing": c.get("missing"),
        }
        for c in _children(var, "catgry")
    ]
    return {
        "file_id": var.get("files"),
        "name": var.get("name"),
        "labl": element_value(var, "labl"),
        "qstn": element_value(question[0], "qstnLit") if question else None,
        "ivuinstr": element_value(question[0], "ivuInstr") if question else None,
        "universe": element_value(var, "universe"),
        "txt": element_value(var, "txt"),
        "notes": element_value(var, "notes"),
        "catgry": categories,
    }


def nada_import(root: etree._Element) -> dict:
    """What NADA's import takes from a codebook, raising where NADA throws."""
    idno = root.findtext(
        f"{{{DDI_NS}}}stdyDscr/{{{DDI_NS}}}citation/{{{DDI_NS}}}titlStmt/{{{DDI_NS}}}IDNo"
    )
    if not (idno or "").strip():
        raise ValueError("Required IDNo element is not set in the DDI xml file")
    files = {f.get("ID") for f in _children(root, "fileDscr")}
    variables = []
    for var in root.iter(f"{{{DDI_NS}}}var"):
        variable = nada_variable(var)
        if variable["file_id"] not in files:
            raise ValueError(f"var @files attribute not set. {variable['file_id']}")
        for column in ("labl", "qstn"):
            if isinstance(variable[column], list):
                raise ValueError(f"{variable['name']}: {column} is an array: the SQL insert fails")
        variables.append(variable)
    summary = f"{{{DDI_NS}}}stdyDscr/{{{DDI_NS}}}stdyInfo/{{{DDI_NS}}}sumDscr"
    dates = [c.get("date") for c in root.findall(f"{summary}/{{{DDI_NS}}}collDate")]
    pairs = [
        (dates[i], dates[i + 1] if i + 1 < len(dates) else None) for i in range(0, len(dates), 2)
    ]
    years = [int(re.match(r"\d*", d or "")[0] or 0) for pair in pairs for d in pair]
    if years:
        low, high = min(years), max(years)
        years = list(range(low or high, high + 1))
    countries = [
        {"name": n.text, "abbreviation": n.get("abbr")}
        for n in root.findall(f"{summary}/{{{DDI_NS}}}nation")
    ]
    return {"idno": idno, "variables": variables, "years": years or 0, "countries": countries}


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


needs_schema = pytest.mark.skipif(
    not SCHEMA.exists(), reason="DDI 2.5 schema folder is not available"
)


def test_the_reproduced_rule_refuses_the_multilingual_file(tmp_path):
    out = tmp_path / "codebook.xml"
    export_ddi(adapt(None, MINI, languages=LANGS), out, languages=LANGS)
    with pytest.raises(ValueError, match="labl is an array"):
        nada_import(etree.parse(str(out)).getroot())


@pytest.mark.parametrize("ref", [MINI] + [e.ref for e in list_modules()])
def test_one_file_per_language_imports_into_nada(tmp_path, ref):
    out = tmp_path / "codebook.xml"
    result = export_ddi(adapt(None, ref, country="KEN", languages=LANGS), out, languages=LANGS)
    assert [p.name for p in result.paths] == [
        "codebook.xml",
        "codebook.en.xml",
        "codebook.fr.xml",
        "codebook.es.xml",
    ]
    for lang, path in zip(LANGS, result.paths[1:], strict=True):
        root = etree.parse(str(path)).getroot()
        assert root.get(XML_LANG) == lang
        imported = nada_import(root)
        assert imported["variables"]
        for variable in imported["variables"]:
            assert isinstance(variable["labl"], str) and variable["labl"]
            for key in ("qstn", "ivuinstr", "universe", "txt", "notes"):
                assert not isinstance(variable[key], list), (variable["name"], key)
        # one nation, in English: NADA's Country_model::find_country_by_name looks it up
        assert imported["countries"] == [{"name": "Kenya", "abbreviation": "KEN"}]
        if SCHEMA.exists():
            assert schema().validate(etree.parse(str(path))), schema().error_log


@needs_schema
def test_study_facets_come_from_the_reference_date_and_country(tmp_path):
    profile = load_profile(str(SAMPLES / "national.profile.yaml"))
    out = tmp_path / "codebook.xml"
    result = export_ddi(adapt(profile, languages=["fr"]), out, languages=["fr"])
    assert result.paths == [out]  # one language: one file
    doc = etree.parse(str(out))
    assert schema().validate(doc), schema().error_log
    imported = nada_import(doc.getroot())
    assert imported["years"] == [2029]
    assert imported["countries"] == [{"name": "Kenya", "abbreviation": "KEN"}]
    summary = doc.xpath("//d:stdyInfo/d:sumDscr", namespaces=NS)[0]
    assert [(e.tag.split("}")[1], e.get("event"), e.get("date")) for e in summary] == [
        ("timePrd", "start", "2029-08-24"),
        ("timePrd", "end", "2029-08-24"),
        ("collDate", "start", "2029-08-24"),
        ("collDate", "end", "2029-08-24"),
        ("nation", None, None),
    ]
    # categories: NADA keeps the first label, here the file's only language
    variable = next(v for v in imported["variables"] if v["name"] == "P11_SEX")
    assert {c["labl"] for c in variable["catgry"]} >= {"Masculin", "Féminin"}


def test_generic_export_has_no_country_or_placeholder_year_facet(tmp_path):
    out = tmp_path / "codebook.xml"
    export_ddi(adapt(None, MINI, languages=["en"]), out, languages=["en"])
    assert nada_import(etree.parse(str(out)).getroot())["countries"] == []
    # census-key-questions' REF_DATE is required in a profile: its generic value is no year
    export_ddi(adapt(None, "census-key-questions", languages=["en"]), out, languages=["en"])
    imported = nada_import(etree.parse(str(out)).getroot())
    assert imported["years"] == 0 and imported["countries"] == []
    export_ddi(
        adapt(None, "census-key-questions", languages=["en"], reference_date="2031-03-01"),
        out,
        languages=["en"],
    )
    assert nada_import(etree.parse(str(out)).getroot())["years"] == [2031]
