"""CSPro names: the full reserved-word list of CSPro 8.0.1, extracted from its source, and exports
that rename a national name CSPro would refuse (CSPro's dictionary validator: "Item name is a
reserved word"; its compiler: the same word in logic)."""

from __future__ import annotations

import re
from pathlib import Path

from migmodule.export.cspro import export_cspro
from migmodule.naming import cspro_name_problem, cspro_reserved_words, variable_name_problems
from migmodule.profile import ModuleSettings, Profile, adapt
from migmodule.tools.cspro_reserved_words import reserved_words

MINI = Path(__file__).parent / "specs" / "mini.yaml"
NATIONAL = ["WEIGHT", "TITLE", "NOTES", "UNIT", "CASES", "GROUP"]


def test_the_list_is_cspro_8_0_1s_whole_list():
    words = cspro_reserved_words()
    # 135 keywords (box/endbox included: KeywordTable::IsKeyword still refuses them), 201
    # functions called without a dot, 3 namespaces (CS, Path, Barcode), 18 additional words.
    assert len(words) == 357
    assert set(words.values()) == {"csprousers/cspro d33c4b1 CSPro 8.0.1 (2024-07-05)"}
    for word in [*NATIONAL, "SYSDATE", "CUROCC", "BOX", "CS", "PATH", "SPECIALVALUES", "IF"]:
        assert word in words, word
    assert "UPDATEVALUEFROMJSON" not in words  # symbol methods (x.updateValueFromJson()) do not


def test_the_extractor_follows_the_tables_isreservedword_reads():
    """Fragments laid out as in zLogicO/*.cpp of CSPro 8.0.1."""
    keywords = """
    const KeywordDetails Keywords[] =
    {
        { _T("and"),               _T("operators.html"),                    TokenCode::TOKANDOP },
        { _T("box"),               _T("recode_statement.html"),             TokenCode::TOKRECODE },
        { _T("page"),              nullptr,                                 TokenCode::TOKPAGE },
        // { _T("DataSource"),        _T("ENGINECR_TODO.html"),                TokenCode::TOKKWDATASOURCE },
    };
"""
    functions = """
    const FunctionNamespaceDetails FunctionNamespaces[] =
    {
        { _T("Path"),       FunctionNamespace::Path,            std::nullopt,           _T("Path.html")          },
        { _T("Data"),        FunctionNamespace::CS_Data,        FunctionNamespace::CS,  _T("CS_Data.html")        },
    };
    const FunctionDetails Functions[] =
    {
        {
            _T("abs"),
            _T("abs(Numeric_Expression)"),
            _T("abs_function.html"),
            FunctionCode::FNABS_CODE,
            SymbolType::None,
            DataType::Numeric,
        },
        {
            _T("show"),
            _T("map_name.show()"),
            _T("map_show_function.html"),
            FunctionCode::MAPFN_SHOW_CODE,
            SymbolType::Map,
        },
    };
"""
    reserved = """
    const AdditionalReservedWordDetails AdditionalReservedWords[] =
    {
        { _T("weight"),         _T("Freq_statement_unnamed.html") },
        { _T("cases"),          nullptr },
    };
"""
    assert reserved_words(keywords, functions, reserved) == {
        "ABS": "function",
        "AND": "keyword",
        "BOX": "keyword",
        "CASES": "additional",
        "PAGE": "keyword",
        "PATH": "namespace",
        "WEIGHT": "additional",
    }


def test_lint_and_naming_say_cspro_refuses_a_reserved_word():
    assert cspro_name_problem("weight").startswith("a CSPro reserved word")
    assert cspro_name_problem("weight_kg") is None
    assert [t for t, _ in variable_name_problems("title")] == ["CSPro"]


def _national_profile(tmp_path: Path) -> Profile:
    spec = MINI.read_text(encoding="utf-8").replace(
        "  - id: nativity\n    level: person",
        "  - id: nativity\n    variable: unit\n    level: person",
    )
    path = tmp_path / "mini" / "1.0.0.yaml"
    path.parent.mkdir()
    path.write_text(spec, encoding="utf-8")
    variables = {
        "age": "WEIGHT",
        "country_of_birth": "TITLE",
        "year_of_arrival": "NOTES",
        "any_member_abroad": "CASES",
        "reasons": "GROUP",
    }
    return Profile(
        name="nat",
        country="KEN",
        languages=["en"],
        modules=[ModuleSettings(module=str(path), variables=variables)],
    )


def test_national_names_that_are_reserved_words_are_renamed_with_a_finding(tmp_path):
    out = tmp_path / "q.dcf"
    result = export_cspro(adapt(_national_profile(tmp_path)), out)
    renamed = {
        re.match(r"'(\w+)'", f.message)[1]: f for f in result.findings if f.code == "CSPRO-NAME-001"
    }
    assert sorted(name.upper() for name in renamed) == sorted(NATIONAL)
    assert all("reserved word" in f.message for f in renamed.values())
    reserved = cspro_reserved_words()
    dictionary = out.read_text(encoding="utf-8-sig")
    names = re.findall(r"^Name=(\w+)$", dictionary, flags=re.M)
    assert not [n for n in names if n in reserved]
    assert {"WEIGHT_V", "TITLE_V", "NOTES_V", "UNIT_V", "CASES_V", "GROUP_V_1"} <= set(names)
    # the logic names the renamed items only: no reserved word is used as a PROC or a variable
    logic = (tmp_path / "q.apc").read_text(encoding="utf-8-sig")
    code = re.sub(r'"[^"\n]*"|//[^\n]*|\{[^}]*\}', "", logic)
    assert not re.findall(r"\b(?:WEIGHT|TITLE|UNIT|CASES|GROUP)\b", code)
    assert "PROC WEIGHT_V" in logic and "UNIT_V = 1;" in logic
