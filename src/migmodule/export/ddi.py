"""DDI Codebook 2.5 export: variables, labels, question text, interviewer instructions, universes
and categories, written from the spec alone (no data), for NADA and other DDI catalogues.

One `fileDscr` per spec level (one data file per level); every `var` points at its level's file.
All languages go in one file: repeated `labl`, `qstnLit`, `ivuInstr`, `universe` with `xml:lang`
(docs/ddi.md explains the choice); with several languages, one single-language file each is
written beside it for NADA, which cannot import repeated elements (see `export_ddi`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from lxml import etree

from migmodule import __version__
from migmodule.codes import Finding, Location, MigmoduleError, define
from migmodule.countries import by_m49
from migmodule.export.placeholders import placeholder_findings
from migmodule.export.result import ExportResult
from migmodule.expr.sentence import describe, describe_universe
from migmodule.i18n import phrase
from migmodule.io import write_bytes
from migmodule.profile import Adapted
from migmodule.spec.model import CodeList, Derived, Question, QuestionType
from migmodule.spec.resolve import Resolved
from migmodule.spec.shared import duplicates
from migmodule.spec.text import render, text_in

DDI_NS = "ddi:codebook:2_5"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = "http://www.ddialliance.org/Specification/DDI-Codebook/2.5/XMLSchema/codebook.xsd"

DDI_NO_MODULE = define(
    "DDI-INPUT-001",
    "error",
    "Nothing to export",
    "no module was given to export; name at least one module or a profile that lists modules.",
    "export",
)
DDI_DUPLICATE = define(
    "DDI-NAME-001",
    "warning",
    "Two variables with one name in a data file",
    "variable '{variable}' of {module} has the same name as a variable of {other} in the {level} file; "
    "catalogues (NADA) match variables by name. Give one of them a national name in the profile (variables:).",
    "export",
)

RESPONSE_DOMAIN = {
    QuestionType.SELECT_ONE: "category",
    QuestionType.COUNTRY: "category",
    QuestionType.SELECT_MULTIPLE: "multiple",
    QuestionType.INTEGER: "numeric",
    QuestionType.DECIMAL: "numeric",
    QuestionType.YEAR: "numeric",
    QuestionType.DATE: "datetime",
    QuestionType.TEXT: "text",
}


def _el(
    parent: etree._Element, tag: str, text: str | None = None, lang: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(
        parent, f"{{{DDI_NS}}}{tag}", {k.replace("_", "-"): v for k, v in attrs.items()}
    )
    if lang:
        element.set(XML_LANG, lang)
    if text is not None:
        element.text = text
    return element


def ncname(text: str) -> str:
    """An xs:ID: letters, digits, '_', '-', '.', starting with a letter."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    return name if name[:1].isalpha() else f"X{name}"


class IdRegistry:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def claim(self, text: str) -> str:
        base = ncname(text)
        name, counter = base, 1
        while name in self.used:
            counter += 1
            name = f"{base}_{counter}"
        self.used.add(name)
        return name


class DDIWriter:
    def __init__(self, adapted_list: list[Adapted], languages: list[str], today: dt.date):
        self.adapted_list = adapted_list
        self.languages = languages
        self.today = today
        self.ids = IdRegistry()
        self.findings: list[Finding] = []

    def summary(self, info: etree._Element) -> None:
        """sumDscr: the census reference date as the time period and collection date, and the
        census country with its ISO code, the elements NADA's year and country facets read
        (`DDIReader::get_years` pairs collDate elements as start, end; `get_countries` reads
        nation and its @abbr)."""
        params = self.adapted_list[0].params
        placeholders = {f.values.get("name") for f in placeholder_findings(self.adapted_list[:1])}
        # a generic reference date is no census's date: no year facet from it
        reference = None if "REF_DATE" in placeholders else params.get("REF_DATE")
        country = by_m49().get(int(params.get("COUNTRY") or 0))
        if reference is None and country is None:
            return
        summary = _el(info, "sumDscr")
        if reference is not None:
            day = str(reference)[:10]
            for tag in ("timePrd", "collDate"):
                _el(summary, tag, day, date=day, event="start")
                _el(summary, tag, day, date=day, event="end")
        if country is not None:
            # One nation, in English: NADA counts each nation element as a country and finds it
            # by its English name (Country_model::find_country_by_name); @abbr is the ISO code.
            _el(summary, "nation", country.names["en"], abbr=country.iso3)

    def texts(self, value: dict[str, str] | None, adapted: Adapted) -> list[tuple[str, str]]:
        """(language, text) for every export language that has text."""
        out = []
        for lang in self.languages:
            text = render(value, adapted.module, adapted.params, lang)
            if text:
                out.append((lang, text))
        return out

    # document --------------------------------------------------------------------------------
    def build(self) -> etree._Element:
        refs = [a.module.ref for a in self.adapted_list]
        study_id = "_".join(ncname(ref.replace("@", "-")) for ref in refs)
        root = etree.Element(f"{{{DDI_NS}}}codeBook", nsmap={None: DDI_NS, "xsi": XSI_NS})
        root.set("version", "2.5")
        root.set("ID", self.ids.claim(f"MIGMODULE_{study_id}"))
        root.set(XML_LANG, self.languages[0])
        root.set(f"{{{XSI_NS}}}schemaLocation", f"{DDI_NS} {SCHEMA_LOCATION}")
        provenance = f"Generated by migmodule {__version__} from {'; '.join(a.label for a in self.adapted_list)}"

        doc = _el(root, "docDscr")
        citation = _el(doc, "citation")
        titles = [
            " + ".join(text_in(a.module.title, lg) for a in self.adapted_list)
            for lg in self.languages
        ]
        _el(_el(citation, "titlStmt"), "titl", f"Codebook: {titles[0]}")
        prod = _el(citation, "prodStmt")
        _el(prod, "prodDate", self.today.isoformat(), date=self.today.isoformat())
        _el(prod, "software", "migmodule", version=__version__)
        _el(citation, "notes", provenance)

        study = _el(root, "stdyDscr")
        citation = _el(study, "citation")
        title_statement = _el(citation, "titlStmt")
        _el(title_statement, "titl", titles[0], lang=self.languages[0])
        for lang, title in zip(self.languages[1:], titles[1:], strict=True):
            _el(title_statement, "parTitl", title, lang=lang)
        _el(title_statement, "IDNo", study_id)
        for adapted in self.adapted_list:
            version = _el(citation, "verStmt")
            _el(version, "version", adapted.module.version, date=self.today.isoformat())
            _el(version, "notes", adapted.label)
        info = _el(study, "stdyInfo")
        for adapted in self.adapted_list:
            for lang, text in self.texts(adapted.module.description, adapted):
                _el(info, "abstract", text, lang=lang)
        self.summary(info)

        levels = self.levels()
        file_ids = {}
        for level_id, (level, adapted) in levels.items():
            file_id = self.ids.claim(f"F_{level_id}")
            file_ids[level_id] = file_id
            file_description = _el(root, "fileDscr", ID=file_id)
            text = _el(file_description, "fileTxt")
            _el(text, "fileName", adapted.settings.files.get(level_id, level_id))
            _el(text, "fileCont", " / ".join(t for _, t in self.texts(level.label, adapted)))
            _el(text, "fileType", "data file, one row per " + level_id)

        data = _el(root, "dataDscr")
        groups = {
            lid: _el(data, "varGrp", ID=self.ids.claim(f"G_{lid}"), type="file") for lid in levels
        }
        for level_id, (level, adapted) in levels.items():
            for lang, text in self.texts(level.label, adapted):
                _el(groups[level_id], "labl", text, lang=lang)
        members: dict[str, list[str]] = {lid: [] for lid in levels}
        seen_names: dict[tuple[str, str], str] = {}
        # A shared question (same origin module and id) is one variable, described by the first module.
        asked_by = duplicates(
            [
                (a.module, [q.id for q in a.questions] + [d.id for d in a.module.derived])
                for a in self.adapted_list
            ]
        )
        for index, adapted in enumerate(self.adapted_list):
            for question in adapted.questions:
                if (index, question.id) in asked_by:
                    continue
                var_id = self.question_var(data, adapted, question, file_ids[question.level])
                members[question.level].append(var_id)
                self.check_name(adapted, question.id, question.level, seen_names)
            for derived in adapted.module.derived:
                if (index, derived.id) in asked_by:
                    continue
                var_id = self.derived_var(data, adapted, derived, file_ids[derived.level])
                members[derived.level].append(var_id)
                self.check_name(adapted, derived.id, derived.level, seen_names)
        for level_id, group in groups.items():
            if members[level_id]:
                group.set("var", " ".join(members[level_id]))
            else:
                data.remove(group)
        return root

    def levels(self) -> dict:
        levels: dict = {}
        for adapted in self.adapted_list:
            for level in adapted.module.levels:
                levels.setdefault(level.id, (level, adapted))
        return levels

    def check_name(
        self, adapted: Adapted, item_id: str, level: str, seen: dict[tuple[str, str], str]
    ) -> None:
        variable = adapted.variable(item_id)
        key = (level, variable.lower())
        if key in seen:
            self.findings.append(
                Finding.make(
                    DDI_DUPLICATE,
                    Location(module=adapted.module.ref, question=item_id, variable=variable),
                    variable=variable,
                    module=adapted.module.ref,
                    other=seen[key],
                    level=level,
                )
            )
        seen.setdefault(key, adapted.module.ref)

    # categories ------------------------------------------------------------------------------
    def categories(self, var: etree._Element, adapted: Adapted, code_list: CodeList) -> None:
        """One `catgry` per code, in the order of spec/resolve.py; missing-value codes flagged."""
        for code in Resolved(adapted, self.languages).codes(code_list):
            category = _el(var, "catgry", **({"missing": "Y"} if code.missing else {}))
            _el(category, "catValu", str(code.code))
            for lang in self.languages:
                if code.labels.get(lang):
                    _el(category, "labl", code.labels[lang], lang=lang)

    # variables -------------------------------------------------------------------------------
    def question_var(
        self, data: etree._Element, adapted: Adapted, question: Question, file_id: str
    ) -> str:
        module = adapted.module
        variable = adapted.variable(question.id)
        var_id = self.ids.claim(f"V_{variable}")
        qtype = question.type
        numeric = qtype in (QuestionType.INTEGER, QuestionType.DECIMAL)
        attrs = {
            "ID": var_id,
            "name": variable,
            "files": file_id,
            "intrvl": "contin" if numeric else "discrete",
        }
        if qtype is not QuestionType.DECIMAL:
            attrs["dcml"] = "0"
        var = _el(data, "var", **attrs)
        for lang, text in self.texts(question.variable_label, adapted):
            _el(var, "labl", text, lang=lang)
        qstn = _el(var, "qstn", responseDomainType=RESPONSE_DOMAIN[qtype])
        for lang, text in self.texts(question.label, adapted):
            _el(qstn, "qstnLit", text, lang=lang)
        instructions = dict(self.texts(question.instructions, adapted))
        hints = dict(self.texts(question.hint, adapted))
        for lang in self.languages:
            text = " ".join(t for t in (instructions.get(lang), hints.get(lang)) if t)
            if text:
                _el(qstn, "ivuInstr", text, lang=lang)
        if question.range and numeric or (question.range and qtype is QuestionType.YEAR):
            low, high = Resolved(adapted, self.languages).range_bounds(question)
            if low is not None or high is not None:
                bounds = {k: str(v) for k, v in (("min", low), ("max", high)) if v is not None}
                units = "REAL" if qtype is QuestionType.DECIMAL else "INT"
                _el(_el(var, "valrng"), "range", UNITS=units, **bounds)
        for lang in self.languages:
            _el(
                var,
                "universe",
                describe_universe(module, question.universe, question.level, lang, adapted.params),
                lang=lang,
                clusion="I",
            )
        code_list = module.code_list_by_id.get(question.code_list) if question.code_list else None
        if code_list is not None:
            self.categories(var, adapted, code_list)
        concept = self.concept(adapted, question.concept)
        if concept:
            _el(var, "concept", concept)
        character = qtype in (QuestionType.TEXT, QuestionType.SELECT_MULTIPLE, QuestionType.DATE)
        _el(var, "varFormat", type="character" if character else "numeric", schema="other")
        note = f"{module.ref} question {question.id} ({question.status.value})"
        if qtype is QuestionType.SELECT_MULTIPLE:
            note += "; the codes chosen are written space-separated, e.g. '1 3'"
        if qtype is QuestionType.DATE:
            note += "; ISO date YYYY-MM-DD"
        _el(var, "notes", note)
        return var_id

    def concept(self, adapted: Adapted, concept_id: str | None) -> str | None:
        if not concept_id:
            return None
        for concept in adapted.module.concepts:
            if concept.id == concept_id:
                return render(concept.term, adapted.module, adapted.params, self.languages[0])
        return concept_id

    def derived_var(
        self, data: etree._Element, adapted: Adapted, derived: Derived, file_id: str
    ) -> str:
        module = adapted.module
        variable = adapted.variable(derived.id)
        var_id = self.ids.claim(f"V_{variable}")
        attrs = {
            "ID": var_id,
            "name": variable,
            "files": file_id,
            "intrvl": "discrete" if derived.cases is not None else "contin",
        }
        var = _el(data, "var", **attrs)
        for lang, text in self.texts(derived.variable_label, adapted):
            _el(var, "labl", text, lang=lang)
        for lang in self.languages:
            _el(
                var,
                "universe",
                describe_universe(module, derived.when, derived.level, lang, adapted.params),
                lang=lang,
                clusion="I",
            )
        if derived.code_list:
            self.categories(var, adapted, module.code_list_by_id[derived.code_list])
        derivation = _el(var, "derivation")
        lang = self.languages[0]
        description = render(
            derived.description, module, adapted.params, lang
        ) or self.describe_derivation(adapted, derived, lang)
        _el(derivation, "drvdesc", description)
        if derived.cases is not None:
            command = "; ".join(
                f"{c.value} if {c.when}" if c.when else f"{c.value} otherwise"
                for c in derived.cases
            )
        else:
            command = derived.expression + (f" where {derived.when}" if derived.when else "")
        _el(
            derivation,
            "drvcmd",
            command,
            syntax="migmodule expression language (docs/spec-format.md)",
        )
        _el(var, "varFormat", type="numeric", schema="other")
        _el(var, "notes", f"{module.ref} derived variable {derived.id}")
        return var_id

    def describe_derivation(self, adapted: Adapted, derived: Derived, lang: str) -> str:
        word_if, word_otherwise, word_where = (
            phrase(lang, f"export.derivation_{kind}") for kind in ("if", "otherwise", "where")
        )
        module = adapted.module
        if derived.cases is None:
            where = (
                f" {word_where} {describe(module, derived.when, lang, adapted.params)}"
                if derived.when
                else ""
            )
            return f"{derived.expression}{where}"
        parts = []
        for case in derived.cases:
            if case.when:
                parts.append(
                    f"{case.value} {word_if} {describe(module, case.when, lang, adapted.params)}"
                )
            else:
                parts.append(f"{case.value} {word_otherwise}")
        return "; ".join(parts)


def dangling_references(root: etree._Element) -> list[str]:
    """IDREF(S) attributes that name no ID in the document (libxml2's schema check misses them; NADA does not)."""
    ids = {element.get("ID") for element in root.iter() if element.get("ID")}
    problems = []
    for element in root.iter():
        for attribute in ("files", "var", "varGrp", "qstn", "wgt-var", "weight", "catgry"):
            for ref in (element.get(attribute) or "").split():
                if ref not in ids:
                    problems.append(f"{etree.QName(element).localname}/@{attribute} -> {ref}")
    return problems


def build_ddi(
    adapted_list: list[Adapted], languages: list[str] | None = None, today: dt.date | None = None
) -> tuple[etree._Element, list[Finding]]:
    if not adapted_list:
        raise MigmoduleError.of(DDI_NO_MODULE)
    writer = DDIWriter(
        adapted_list, languages or adapted_list[0].languages, today or dt.date.today()
    )
    return writer.build(), writer.findings


def export_ddi(
    adapted_list: list[Adapted],
    out_path: str | Path,
    *,
    languages: list[str] | None = None,
    today: dt.date | None = None,
) -> ExportResult:
    """Write a DDI Codebook 2.5 XML file describing the questionnaire's variables.

    All languages go in `out_path` (xml:lang on each text). With several languages, one file per
    language is written beside it as well (`codebook.en.xml`...): NADA reads a repeated `labl`
    or `qstnLit` as a PHP array (`DdiVariable::get_element_value`) and cannot import the
    multilingual file, so each NADA catalogue imports its language's file."""
    if adapted_list and not languages:
        languages = adapted_list[0].languages
    root, findings = build_ddi(adapted_list, languages, today)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    write_bytes(out_path, data)
    result = ExportResult([Path(out_path)], findings)
    if languages and len(languages) > 1:
        path = Path(out_path)
        for lang in languages:
            one, _ = build_ddi(adapted_list, [lang], today)
            single = path.with_name(f"{path.stem}.{lang}{path.suffix}")
            write_bytes(
                single,
                etree.tostring(one, xml_declaration=True, encoding="UTF-8", pretty_print=True),
            )
            result.paths.append(single)
    return result
