"""DDI Codebook 2.5 export: valid against the official schema, no dangling references (NADA),
and the variables carry the spec's labels, question text, universes and categories."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import paths
from migmodule.cli import main
from migmodule.export.ddi import DDI_NS, XML_LANG, dangling_references, export_ddi
from migmodule.profile import adapt
from migmodule.spec.registry import list_modules

MINI = str(Path(__file__).parent / "specs" / "mini.yaml")
SCHEMA = paths.DDI_SCHEMAS / "codebook.xsd"
MODULES = [e.id + "@" + e.version for e in list_modules()]
NS = {"d": DDI_NS}
needs_schema = pytest.mark.skipif(
    not SCHEMA.exists(), reason="DDI 2.5 schema folder is not available"
)


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def export(tmp_path: Path, ref: str = MINI, languages=("en",), **options) -> etree._ElementTree:
    out = tmp_path / "codebook.xml"
    export_ddi(
        adapt(None, ref, languages=list(languages), **options), out, languages=list(languages)
    )
    return etree.parse(str(out))


@needs_schema
@pytest.mark.parametrize("languages", [["en"], ["fr"], ["es"], ["en", "fr", "es"]], ids="-".join)
@pytest.mark.parametrize("ref", [MINI, *MODULES])
def test_every_module_and_language_validates(tmp_path, ref, languages):
    doc = export(tmp_path, ref, languages)
    assert schema().validate(doc), schema().error_log
    assert dangling_references(doc.getroot()) == []
    adapted = adapt(None, ref)[0]
    names = doc.xpath("//d:var/@name", namespaces=NS)
    assert names == [q.variable_name for q in adapted.questions] + [
        d.variable_name for d in adapted.module.derived
    ]
    for var in doc.xpath("//d:var", namespaces=NS):
        labels = var.xpath("d:labl", namespaces=NS)
        assert [label.get(XML_LANG) for label in labels] == languages
        assert len(var.xpath("d:universe", namespaces=NS)) == len(languages)


def test_study_and_files(tmp_path):
    doc = export(tmp_path)
    root = doc.getroot()
    assert root.get("version") == "2.5"
    assert (
        doc.xpath("string(//d:stdyDscr/d:citation/d:titlStmt/d:IDNo)", namespaces=NS)
        == "mini-1.0.0"
    )
    assert (
        doc.xpath("string(//d:stdyDscr//d:verStmt/d:notes)", namespaces=NS)
        == "mini@1.0.0 (no national profile)"
    )
    files = doc.xpath("//d:fileDscr/@ID", namespaces=NS)
    assert files == ["F_household", "F_person"]
    assert doc.xpath("//d:var[@name='age']/@files", namespaces=NS) == ["F_person"]
    assert doc.xpath("//d:varGrp[@ID='G_household']/@var", namespaces=NS) == ["V_any_member_abroad"]


def test_variable_content(tmp_path):
    doc = export(tmp_path, languages=("en", "fr"), country="KEN")
    var = doc.xpath("//d:var[@name='year_of_arrival']", namespaces=NS)[0]
    children = [etree.QName(c).localname for c in var]
    assert children == [
        "labl",
        "labl",
        "qstn",
        "valrng",
        "universe",
        "universe",
        "catgry",
        "catgry",
        "varFormat",
        "notes",
    ]
    assert (
        var.xpath("string(d:qstn/d:qstnLit[@xml:lang='en'])", namespaces=NS)
        == "In which year did this person arrive to live in Kenya?"
    )
    assert (
        var.xpath("string(d:universe[@xml:lang='en'])", namespaces=NS)
        == "Asked of persons born abroad."
    )
    assert (
        var.xpath("string(d:universe[@xml:lang='fr'])", namespaces=NS)
        == "Posée aux personnes nées à l'étranger."
    )
    assert var.xpath("d:valrng/d:range/@min", namespaces=NS) == ["1920"]
    # missing-value special codes are flagged; don't know is a missing value in the spec too
    assert var.xpath("d:catgry/@missing", namespaces=NS) == ["Y", "Y"]
    reasons = doc.xpath("//d:var[@name='reasons']", namespaces=NS)[0]
    assert reasons.xpath("d:qstn/@responseDomainType", namespaces=NS) == ["multiple"]
    other = reasons.xpath("d:catgry[d:catValu='7']", namespaces=NS)[0]
    assert other.get("missing") is None  # "other" is substantive
    country = doc.xpath("//d:var[@name='country_of_birth']", namespaces=NS)[0]
    assert len(country.xpath("d:catgry", namespaces=NS)) >= 248 + 2
    assert country.xpath(
        "string(d:catgry[d:catValu='404']/d:labl[@xml:lang='fr'])", namespaces=NS
    ).startswith("Kenya")


def test_derived_variables_carry_their_derivation(tmp_path):
    doc = export(tmp_path)
    var = doc.xpath("//d:var[@name='nativity']", namespaces=NS)[0]
    assert var.xpath("string(d:derivation/d:drvcmd)", namespaces=NS).startswith(
        "1 if country_of_birth == COUNTRY"
    )
    assert "born abroad" in var.xpath("string(d:derivation/d:drvdesc)", namespaces=NS)


@needs_schema
def test_several_modules_make_one_codebook(tmp_path):
    out = tmp_path / "codebook.xml"
    result = export_ddi(adapt(None, MINI) + adapt(None, MINI), out)
    doc = etree.parse(str(out))
    assert schema().validate(doc), schema().error_log
    assert dangling_references(doc.getroot()) == []
    assert any(f.code == "DDI-NAME-001" for f in result.findings)
    assert len(set(doc.xpath("//d:var/@ID", namespaces=NS))) == len(
        doc.xpath("//d:var", namespaces=NS)
    )


def test_dangling_reference_check_finds_a_missing_file():
    root = etree.fromstring(
        f'<codeBook xmlns="{DDI_NS}"><fileDscr ID="F1"/><dataDscr><var name="a" files="F1 F2"/></dataDscr></codeBook>'
    )
    assert dangling_references(root) == ["var/@files -> F2"]


def test_cli_writes_ddi(tmp_path):
    out = tmp_path / "codebook.xml"
    result = CliRunner().invoke(main, ["export", "ddi", MINI, "--lang", "en,es", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = etree.parse(str(out))
    assert doc.xpath("//d:var[@name='age']/d:labl/@xml:lang", namespaces=NS) == ["en", "es"]


def test_cli_bad_path_is_a_coded_error(tmp_path):
    result = CliRunner().invoke(
        main, ["export", "ddi", MINI, "-o", str(tmp_path / "no" / "codebook.xml")]
    )
    assert result.exit_code == 2
    assert "OUT-WRITE-001" in result.output


def test_cli_needs_a_module_or_profile(tmp_path):
    result = CliRunner().invoke(main, ["export", "ddi", "-o", str(tmp_path / "c.xml")])
    assert result.exit_code == 2
