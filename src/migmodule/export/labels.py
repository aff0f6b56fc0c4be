"""Label syntax for Stata (.do) and SPSS (.sps), and `apply_labels` (labels written into .dta/.sav).

All three start from one plan per variable (`variable_plans`): its label, value labels and
missing-value codes in one language. Format limits are enforced here, with a finding for every cut:

- Stata: variable labels 80 characters, label-set names 32 characters, extended missing values
  `.a` don't know, `.b` refused, `.c` not stated, `.d` not applicable (a second code of the same
  kind in one list takes the next free letter from `.e` on);
- SPSS: variable labels 256 bytes, value labels 120 bytes, at most three discrete missing values
  or one range of contiguous codes plus one value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migmodule import __version__
from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.escape import one_line, spss_comment, stata_comment
from migmodule.export import codes
from migmodule.export.result import ExportResult
from migmodule.expr.sentence import describe_universe
from migmodule.io import atomic_path, write_text
from migmodule.naming import spss_name_problem, stata_name_problem
from migmodule.national.recode import ELSE, Recode
from migmodule.profile import Adapted
from migmodule.spec.model import CodeList, Module, QuestionType, SpecialKind
from migmodule.spec.resolve import Resolved
from migmodule.spec.shared import duplicates
from migmodule.spec.text import render

STATA_LETTERS = {
    SpecialKind.DONT_KNOW: "a",
    SpecialKind.REFUSED: "b",
    SpecialKind.NOT_STATED: "c",
    SpecialKind.NOT_APPLICABLE: "d",
}
STATA_SPARE_LETTERS = "efghijklmnopqrstuvwxyz"
STATA_VARIABLE_LABEL = 80
STATA_NAME = 32
STATA_VALUE_LABEL = 32000
SPSS_VARIABLE_LABEL = 256  # bytes
SPSS_VALUE_LABEL = 120  # bytes


@dataclass
class VariablePlan:
    """One variable as the label formats see it, in one language."""

    item: str  # question or derived id
    name: str  # variable name in the data
    label: str
    numeric: bool
    module: Module
    code_list: str | None = None  # label-set name (before format limits)
    value_labels: dict[int, str] = field(default_factory=dict)  # substantive and special codes
    missing: dict[int, SpecialKind] = field(default_factory=dict)  # missing-value codes
    notes: list[str] = field(default_factory=list)
    recodes: dict[int, int] = field(default_factory=dict)  # national code -> standard code
    recode: Recode | None = None  # the whole compiled recode (ranges, else, null, text keys)

    def location(self) -> Location:
        return Location(module=self.module.ref, question=self.item, variable=self.name)


def _attach_codes(plan: VariablePlan, resolved: Resolved, code_list: CodeList, lang: str) -> None:
    """Value labels (spec/resolve.py order) and missing-value codes ("other" is not missing)."""
    plan.code_list = code_list.id
    plan.value_labels = {c.code: c.label(lang) for c in resolved.codes(code_list, lang)}
    plan.missing = resolved.missing_codes(code_list)


def variable_plans(adapted: Adapted, lang: str) -> list[VariablePlan]:
    """The questions (after include/exclude) and derived variables of one adapted module."""
    module, params = adapted.module, adapted.params
    resolved = Resolved(adapted, [lang])
    plans = []
    for question in adapted.questions:
        code_list = module.code_list_by_id.get(question.code_list) if question.code_list else None
        numeric = question.type not in (
            QuestionType.TEXT,
            QuestionType.DATE,
            QuestionType.SELECT_MULTIPLE,
        )
        universe = describe_universe(module, question.universe, question.level, lang, params)
        plan = VariablePlan(
            item=question.id,
            name=adapted.variable(question.id),
            label=render(question.variable_label, module, params, lang),
            numeric=numeric,
            module=module,
            notes=[render(question.label, module, params, lang), universe],
            recodes=adapted.recode_map(question.id),
            recode=adapted.recode(question.id),
        )
        if code_list is not None and numeric:
            _attach_codes(plan, resolved, code_list, lang)
        plans.append(plan)
    for derived in module.derived:
        code_list = module.code_list_by_id.get(derived.code_list) if derived.code_list else None
        plan = VariablePlan(
            item=derived.id,
            name=adapted.variable(derived.id),
            label=render(derived.variable_label, module, params, lang),
            numeric=True,
            module=module,
            notes=[render(derived.description or derived.label, module, params, lang)],
        )
        if code_list is not None:
            _attach_codes(plan, resolved, code_list, lang)
        plans.append(plan)
    return plans


def combined_plans(adapted: list[Adapted], lang: str) -> list[VariablePlan]:
    """The variables of several modules; a shared question (same origin and id) appears once."""
    per_module = [variable_plans(a, lang) for a in adapted]
    asked_by = duplicates(
        [
            (a.module, [plan.item for plan in plans])
            for a, plans in zip(adapted, per_module, strict=True)
        ]
    )
    return [
        plan
        for index, plans in enumerate(per_module)
        for plan in plans
        if (index, plan.item) not in asked_by
    ]


# limits --------------------------------------------------------------------------------------------
def _one_line(text: str) -> str:
    return one_line(text)  # controls (NUL, bidi overrides) too: see migmodule.escape


def cut_chars(
    text: str, limit: int, what: str, target: str, plan: VariablePlan, findings: list[Finding]
) -> str:
    return _cut(text, limit, "characters", what, target, plan, findings)


def cut_bytes(
    text: str, limit: int, what: str, target: str, plan: VariablePlan, findings: list[Finding]
) -> str:
    return _cut(text, limit, "bytes", what, target, plan, findings)


def _cut(
    text: str,
    limit: int,
    unit: str,
    what: str,
    target: str,
    plan: VariablePlan,
    findings: list[Finding],
) -> str:
    """Text within a target's limit; a cut is reported as a finding, never made silently."""
    text = _one_line(text)
    size = len(text) if unit == "characters" else len(text.encode("utf-8"))
    if size <= limit:
        return text
    if unit == "characters":
        cut = text[:limit]
    else:
        cut = text.encode("utf-8")[:limit].decode(
            "utf-8", errors="ignore"
        )  # never split a character
    findings.append(
        Finding.make(
            codes.LABEL_TRUNCATED,
            plan.location(),
            what=what,
            length=size,
            unit=unit,
            target=target,
            limit=f"{limit} {unit}",
            truncated=cut,
        )
    )
    return cut


def stata_missing_letters(plan: VariablePlan) -> dict[int, str]:
    """Missing-value code -> Stata extended-missing letter (documented mapping, spares from .e)."""
    letters: dict[int, str] = {}
    spare = iter(STATA_SPARE_LETTERS)
    for code, kind in sorted(plan.missing.items()):
        letter = STATA_LETTERS[kind]
        letters[code] = letter if letter not in letters.values() else next(spare)
    return letters


def spss_missing(
    plan: VariablePlan, findings: list[Finding]
) -> tuple[list[int], tuple[int, int] | None]:
    """(discrete values, range) for SPSS: at most 3 values, or a contiguous range plus one value."""
    missing = sorted(plan.missing)
    if len(missing) <= 3:
        return missing, None
    shown = ", ".join(map(str, missing))
    for single in [None, *missing]:
        rest = [c for c in missing if c != single]
        if rest and rest[-1] - rest[0] + 1 == len(rest):
            declared = f"{rest[0]} THRU {rest[-1]}" + (
                f" and {single}" if single is not None else ""
            )
            findings.append(
                Finding.make(
                    codes.SPSS_MISSING_RANGE,
                    plan.location(),
                    count=len(missing),
                    codes=shown,
                    declared=declared,
                )
            )
            return ([single] if single is not None else []), (rest[0], rest[-1])
    findings.append(
        Finding.make(
            codes.SPSS_MISSING_DROPPED,
            plan.location(),
            count=len(missing),
            codes=shown,
            declared=", ".join(map(str, missing[:3])),
            dropped=", ".join(map(str, missing[3:])),
        )
    )
    return missing[:3], None


def _label_set_names(plans: list[VariablePlan], findings: list[Finding]) -> dict[int, str]:
    """Stata label-set name per plan (by index): code list id, shared when the labels are equal."""
    names: dict[int, str] = {}
    content: dict[str, Any] = {}
    for index, plan in enumerate(plans):
        if plan.code_list is None:
            continue
        labels = tuple(sorted(plan.value_labels.items())), tuple(sorted(plan.missing.items()))
        base = plan.code_list
        if len(base) > STATA_NAME:
            short = base[: STATA_NAME - 3]
            findings.append(
                Finding.make(
                    codes.LABEL_SET_NAME,
                    plan.location(),
                    name=base,
                    limit=STATA_NAME,
                    renamed=short,
                )
            )
            base = short
        name, counter = base, 2
        while name in content and content[name] != labels:
            name, counter = f"{base}_{counter}", counter + 1
        content[name] = labels
        names[index] = name
    return names


def recode_rules(plan: VariablePlan, target: str) -> list[str]:
    """The recode of a plan as `(national=standard)` rules, in the order the reference applies
    them (`Recode.lookup`: exact codes, ranges, else; SPSS and Stata take the first rule that
    matches): ranges as `lo THRU hi` (SPSS) or `lo/hi` (Stata), null as system missing. Text keys
    cannot be said over a numeric variable; apply-labels applies them."""
    if plan.recode is None:
        return []
    spss = target == "SPSS"
    rules, _texts = plan.recode.syntax_rules()
    written = []
    for national, standard in rules:
        value = ("SYSMIS" if spss else ".") if standard is None else str(standard)
        if national == ELSE:  # Stata's else would take missing values too; blanks never match
            key = "ELSE" if spss else "nonmissing"
        elif "/" in national:
            low, high = national.split("/")
            if spss:
                low, high = {"min": "LO"}.get(low, low), {"max": "HI"}.get(high, high)
                key = f"{low} THRU {high}"
            else:
                key = f"{low}/{high}"
        else:
            key = national
        written.append(f"({key}={value})")
    return written


def text_recode(plan: VariablePlan) -> list[tuple[str, int | None]]:
    """(text, standard) pairs of a recode made of text keys only (`iso3`, `iso2`, a crosswalk of
    letter codes): the national variable is a string, recoded into a new numeric one. For a
    built-in, lower case too (the reference ignores case there). Empty when the recode has numbers."""
    recode = plan.recode
    if recode is None or not recode.texts or recode.numbers or recode.ranges or recode.has_else:
        return []
    pairs = []
    for text, standard in sorted(recode.texts.items()):
        pairs.append((text, standard))
        if recode.fold_case and text.lower() != text:
            pairs.append((text.lower(), standard))
    return pairs


# Stata -------------------------------------------------------------------------------------------
# Escaping for Stata lives here, in `stata_text` (macros) and `stata_literal` (quotes), and nowhere else.
def _no_macros(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")


def stata_text(text: str) -> str:
    """Text on one line with `$` and backquote escaped, so that Stata expands no macro in it."""
    return _no_macros(_one_line(text))


def _compound_quotes_balance(text: str) -> bool:
    """True when the text's own `\x60"` and `"'` pair up: compound quotes nest in Stata, so such
    text sits inside compound quotes as it is; a lone `"'` would close them early."""
    depth = 0
    for index in range(len(text) - 1):
        pair = text[index : index + 2]
        if pair == '`"':
            depth += 1
        elif pair == "\"'":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def stata_literal(text: str) -> str | None:
    """A Stata string literal for the text (compound quotes when it holds a double quote), or
    None when no literal can hold it (an unpaired `"'`): then `mata_string` writes it."""
    one_line = _one_line(text)
    if one_line.endswith("`"):  # `"' would read as an opening compound quote
        return None
    if '"' not in one_line:
        return f'"{stata_text(one_line)}"'
    if not _compound_quotes_balance(one_line):
        return None
    return f'`"{stata_text(one_line)}"\''


def stata_string(text: str) -> str:
    """A Stata string literal, or a Mata expression for text no literal can hold: where the
    caller writes it, `= expr` is not accepted, so callers check `stata_literal` first."""
    return stata_literal(text) or mata_string(text)


def mata_string(text: str) -> str:
    """A Mata string expression for any text: the double quotes as char(34), so no quote pairs up."""
    parts = [f'"{_no_macros(part)}"' for part in _one_line(text).split('"')]
    return " + char(34) + ".join(parts)


def _header(
    adapted: list[Adapted], lang: str, comment: str, escape: Callable[[str], str] = stata_comment
) -> list[str]:
    # The profile name is the user's text: a comment of its target, never a line of its own.
    refs = escape(", ".join(a.label for a in adapted))
    return [
        f"{comment} migmodule {__version__}: labels for {refs}; language {lang}.",
        f"{comment} Generated from the module specs; change the spec or the profile and export again.",
    ]


def _valid_names(
    plans: list[VariablePlan],
    problem_of: Callable[[str], str | None],
    target: str,
    findings: list[Finding],
) -> list[VariablePlan]:
    """The plans whose variable name the target accepts; each refused name is a finding."""
    usable = []
    for plan in plans:
        problem = problem_of(plan.name)
        if problem:
            findings.append(
                Finding.make(
                    codes.LABEL_NAME, plan.location(), name=plan.name, target=target, reason=problem
                )
            )
        else:
            usable.append(plan)
    return usable


def _stata_language_lines(
    usable: list[VariablePlan],
    set_names: dict[int, str],
    findings: list[Finding],
    *,
    first: bool,
    note_prefix: str = "",
) -> list[str]:
    """label define / label variable / label values for one language; data changes (recodes,
    extended missing values) only in the first language's block, so that they run once."""
    lines: list[str] = []
    defined: set[str] = set()
    for index, plan in enumerate(usable):
        name = set_names.get(index)
        if name is None or name in defined:
            continue
        defined.add(name)
        letters = stata_missing_letters(plan)
        lines.append(f"label define {name} ///")
        by_mata = []
        for code, text in sorted(
            plan.value_labels.items(), key=lambda kv: (kv[0] in letters, kv[0])
        ):
            value = f".{letters[code]}" if code in letters else str(code)
            text = cut_chars(
                text, STATA_VALUE_LABEL, f"value label of {code}", "Stata", plan, findings
            )
            literal = stata_literal(text)
            if literal is None:
                by_mata.append(f'mata: st_vlmodify("{name}", {value}, {mata_string(text)})')
            else:
                lines.append(f"    {value} {literal} ///")
        lines += ["    , replace", *by_mata, ""]
    for index, plan in enumerate(usable):
        label = cut_chars(
            plan.label, STATA_VARIABLE_LABEL, "variable label", "Stata", plan, findings
        )
        literal = stata_literal(label)
        lines.append(f"capture confirm variable {plan.name}")
        lines.append("if !_rc {")
        if literal is None:
            lines.append(f'    mata: st_varlabel("{plan.name}", {mata_string(label)})')
        else:
            lines.append(f"    label variable {plan.name} {literal}")
        for note in filter(None, plan.notes):
            # Notes are not quoted, so comment markers are broken up.
            text = stata_text(note_prefix + note).replace("//", "/ /").replace("/*", "/ *")
            lines.append(f"    notes {plan.name}: {text}")
        lines.append("}")
        texts = text_recode(plan) if first and plan.numeric else []
        if texts:  # string -> number: the text kept beside it as <name>_text
            kept = f"{plan.name[: STATA_NAME - 5]}_text"
            lines += [
                f"capture confirm string variable {plan.name}",
                "if !_rc {",
                f"    rename {plan.name} {kept}",
                f"    generate double {plan.name} = .",
                f"    order {plan.name}, before({kept})",
            ]
            for text, standard in texts:
                value = "." if standard is None else standard
                lines.append(
                    f"    replace {plan.name} = {value} if strtrim({kept}) == {stata_literal(text)}"
                )
            lines.append("}")
        rules = recode_rules(plan, "Stata")
        changes = first and plan.numeric and (rules or plan.missing)
        if changes or (plan.numeric and index in set_names):
            lines.append(f"capture confirm numeric variable {plan.name}")
            lines.append("if !_rc {")
            if changes and rules:
                lines.append(f"    recode {plan.name} {' '.join(rules)}")
            if changes:
                for code, letter in stata_missing_letters(plan).items():
                    lines.append(f"    replace {plan.name} = .{letter} if {plan.name} == {code}")
            if index in set_names:
                lines.append(f"    label values {plan.name} {set_names[index]}")
            lines.append("}")
        lines.append("")
    return lines


def _suffixed(names: dict[int, str], suffix: str) -> dict[int, str]:
    """Label-set names of a further language: `countries_fr` (value-label sets are shared by
    every label language in Stata, so each language needs sets of its own)."""
    return {index: name[: STATA_NAME - len(suffix)] + suffix for index, name in names.items()}


def stata_syntax(
    adapted: list[Adapted], lang: str, *, languages: list[str] | None = None
) -> tuple[str, list[Finding]]:
    """The .do text for `lang`, or for several `languages` in one file with `label language`."""
    languages = languages or [lang]
    findings: list[Finding] = []
    lines = _header(adapted, ",".join(languages), "*")
    lines += [
        "* Missing-value special codes become Stata extended missing values:",
        "* .a don't know, .b refused, .c not stated, .d not applicable (further codes of one kind: .e on).",
        "* Run after loading the data: do this file. Variables absent from the data are skipped.",
    ]
    if len(languages) > 1:
        lines.append(
            f"* One label language each ({', '.join(languages)}): `label language fr` switches; "
            f"`label language` lists them. The first, {languages[0]}, is left current."
        )
    lines += ["version 14", ""]
    for position, language in enumerate(languages):
        plans = combined_plans(adapted, language)
        language_findings: list[Finding] = []
        usable = _valid_names(plans, stata_name_problem, "Stata", language_findings)
        set_names = _label_set_names(usable, language_findings)
        if len(languages) > 1:
            if position == 0:
                lines += [
                    f"capture label language {language}, rename",
                    f"label language {language}",
                    "",
                ]
            else:
                set_names = _suffixed(set_names, f"_{language}")
                lines += [
                    f"capture label language {language}, new",
                    f"label language {language}",
                    "",
                ]
        lines += _stata_language_lines(
            usable,
            set_names,
            language_findings,
            first=position == 0,
            note_prefix=f"[{language}] " if len(languages) > 1 else "",
        )
        findings += [f for f in language_findings if f not in findings]
    if len(languages) > 1:
        lines += [f"label language {languages[0]}", ""]
    return "\n".join(lines) + "\n", findings


# SPSS --------------------------------------------------------------------------------------------
def spss_string(text: str) -> str:
    return "'" + _one_line(text).replace("'", "''") + "'"


def spss_syntax(adapted: list[Adapted], lang: str) -> tuple[str, list[Finding]]:
    findings: list[Finding] = []
    plans = combined_plans(adapted, lang)
    lines = ["* Encoding: UTF-8."]
    lines += [line.rstrip(".") + "." for line in _header(adapted, lang, "*", spss_comment)]
    lines += [
        "* Each command names one variable, so a variable absent from the data fails only its own lines.",
        "",
    ]
    usable = _valid_names(plans, spss_name_problem, "SPSS", findings)
    for plan in usable:
        texts = text_recode(plan)
        if plan.numeric and texts:  # string -> number: the text kept beside it as <name>_text
            kept = f"{plan.name}_text"
            rules = [
                f"({spss_string(text)}={'SYSMIS' if standard is None else standard})"
                for text, standard in texts
            ]
            chunks = [" ".join(rules[i : i + 8]) for i in range(0, len(rules), 8)]
            lines.append(f"RENAME VARIABLES ({plan.name} = {kept}).")
            lines.append(f"RECODE {kept} {chunks[0]}")
            lines += [f"  {chunk}" for chunk in chunks[1:]]
            lines.append(f"  INTO {plan.name}.")
            continue
        rules = recode_rules(plan, "SPSS")
        if plan.numeric and rules:
            if rules[-1].startswith("(ELSE="):
                rules.insert(-1, "(SYSMIS=SYSMIS)")  # SPSS's ELSE takes blanks too; never recoded
            else:
                rules.append("(ELSE=COPY)")
            # continuation lines are indented (batch syntax); no line gets long
            chunks = [" ".join(rules[i : i + 8]) for i in range(0, len(rules), 8)]
            lines.append(f"RECODE {plan.name} {chunks[0]}")
            lines += [f"  {chunk}" for chunk in chunks[1:]]
            lines[-1] += "."
    for plan in usable:
        label = cut_bytes(plan.label, SPSS_VARIABLE_LABEL, "variable label", "SPSS", plan, findings)
        lines.append(f"VARIABLE LABELS {plan.name} {spss_string(label)}.")
    for plan in usable:
        if not (plan.numeric and plan.value_labels):
            continue
        lines.append(f"VALUE LABELS {plan.name}")
        items = sorted(plan.value_labels.items())
        for position, (code, text) in enumerate(items):
            text = cut_bytes(
                text, SPSS_VALUE_LABEL, f"value label of {code}", "SPSS", plan, findings
            )
            end = "." if position == len(items) - 1 else ""
            lines.append(f"  {code} {spss_string(text)}{end}")
    for plan in usable:
        if not (plan.numeric and plan.missing):
            continue
        values, span = spss_missing(plan, findings)
        parts = ([f"{span[0]} THRU {span[1]}"] if span else []) + [str(v) for v in values]
        lines.append(f"MISSING VALUES {plan.name} ({', '.join(parts)}).")
    lines += ["EXECUTE.", ""]
    return "\n".join(lines), findings


def per_language(out_path: str | Path, languages: list[str]) -> list[tuple[str, Path]]:
    """One file per language: the name as given for one language, `name.fr.do` for several."""
    path = Path(out_path)
    if len(languages) == 1:
        return [(languages[0], path)]
    return [(lang, path.with_name(f"{path.stem}.{lang}{path.suffix}")) for lang in languages]


def _export_syntax(
    syntax: Callable[[list[Adapted], str], tuple[str, list[Finding]]],
    adapted: list[Adapted],
    out_path: str | Path,
    languages: list[str] | None,
) -> ExportResult:
    result = ExportResult()
    for lang, path in per_language(out_path, languages or adapted[0].languages):
        text, findings = syntax(adapted, lang)
        write_text(path, text)
        result.paths.append(path)
        result.findings += findings
    return result


def export_stata(
    adapted: list[Adapted], out_path: str | Path, *, languages: list[str] | None = None
) -> ExportResult:
    """A Stata .do file of labels. For several languages, `out.do` holds them all as Stata label
    languages (a bilingual .dta), and `out.fr.do` beside `out.en.do` each hold one."""
    languages = languages or adapted[0].languages
    result = _export_syntax(stata_syntax, adapted, out_path, languages)
    if len(languages) > 1:
        text, _ = stata_syntax(adapted, languages[0], languages=languages)
        write_text(Path(out_path), text)
        result.paths.insert(0, Path(out_path))
    return result


def export_spss(
    adapted: list[Adapted], out_path: str | Path, *, languages: list[str] | None = None
) -> ExportResult:
    """An SPSS .sps file of labels per language (`out.fr.sps` beside `out.en.sps` for several)."""
    return _export_syntax(spss_syntax, adapted, out_path, languages)


# apply-labels ------------------------------------------------------------------------------------
def _read(
    path: str | Path, plans: list[VariablePlan], keep_letters: bool
) -> tuple[Any, dict[str, str], dict[str, list[str]]]:
    """The data (through migmodule.microdata, as validate reads it), its variable labels, and the
    Stata extended missings kept: the frame's values, with each `.a`-`.z` of a module variable
    turned back into the missing code it stands for (written out again as its letter), and any
    other letter kept as the letter when `keep_letters` (returned per column, to be declared
    missing again in .dta), else system missing."""
    import pandas as pd

    from migmodule.microdata import read_table
    from migmodule.national.dates import as_dates, date_kind

    try:
        table = read_table(path)
    except MigmoduleError as exc:
        raise MigmoduleError.of(
            codes.DATA_UNREADABLE, Location(file=str(path)), path=path, reason=exc.finding.message
        ) from None
    frame = table.frame
    for name, info in table.columns.items():  # date variables back as dates, with their format
        if date_kind(info.format) is not None:
            frame[name] = as_dates(frame[name], info.format)
    matched = _match(frame.columns, plans)
    kept: dict[str, list[str]] = {}
    for column, letter_codes in table.letters.items():
        code_of = {}
        plan = matched.get(column)
        if plan is not None and plan.numeric:
            code_of = {letter: code for code, letter in stata_missing_letters(plan).items()}
        values = frame[column].astype(object)
        for number in sorted(set(letter_codes[letter_codes > 0].tolist())):
            letter = chr(ord("a") + number - 1)
            values[letter_codes == number] = code_of.get(letter, letter)
            if letter not in code_of:
                if keep_letters:
                    kept.setdefault(column, []).append(letter)
                else:
                    values[letter_codes == number] = None
        if column in kept:
            frame[column] = values.where(values.notna(), None)
        else:
            frame[column] = pd.to_numeric(values, errors="coerce")
    return frame, table.variable_labels(), kept


def _match(columns: Iterable[str], plans: list[VariablePlan]) -> dict[str, VariablePlan]:
    """Data column -> plan; exact names first, then case-insensitively (Stata/SPSS exports vary)."""
    by_name = {p.name: p for p in plans}
    by_lower = {p.name.lower(): p for p in plans}
    return {
        c: by_name.get(c) or by_lower[c.lower()]
        for c in columns
        if c in by_name or c.lower() in by_lower
    }


def _recoded(values: Any, recode: Recode, kept: Any) -> Any:
    """The column with the profile's recode applied as the reference does (`Recode.lookup`:
    exact codes, text keys, ranges, else; null becomes blank); values it does not cover stay."""
    import pandas as pd

    mapping = {}
    for value in pd.unique(values[~kept & values.notna()]):
        matched, standard = recode.lookup(value)
        if matched:
            mapping[value] = float("nan") if standard is None else standard
    if not mapping:
        return values
    return values.astype(object).map(lambda v: mapping.get(v, v) if v in mapping else v)


def apply_labels(
    data_path: str | Path, adapted: list[Adapted], out_path: str | Path, lang: str | None = None
) -> ExportResult:
    """Write the data with the modules' variable labels, value labels and missing values.

    Profile recodes (national -> standard codes) are applied first; for .dta, missing-value codes
    become extended missing values (.a ...), for .sav they are declared user-missing.
    """
    import pandas as pd
    import pyreadstat

    out_path = Path(out_path)
    kind = out_path.suffix.lower()
    if kind not in (".dta", ".sav"):
        raise MigmoduleError.of(codes.DATA_FORMAT, Location(file=str(out_path)), path=out_path)
    lang = lang or adapted[0].languages[0]
    plans = combined_plans(adapted, lang)
    frame, existing, kept_letters = _read(data_path, plans, keep_letters=kind == ".dta")
    matched = _match(frame.columns, plans)
    findings: list[Finding] = []
    refs = ", ".join(a.module.ref for a in adapted)
    data_location = Location(file=str(data_path))
    for column in frame.columns:
        if column not in matched:
            findings.append(
                Finding.make(
                    codes.APPLY_NOT_IN_MODULE,
                    Location(file=str(data_path), variable=column),
                    variable=column,
                    modules=refs,
                )
            )
    present = {p.name for p in matched.values()}
    for plan in plans:
        if plan.name not in present:
            findings.append(
                Finding.make(codes.APPLY_NOT_IN_DATA, plan.location(), variable=plan.name)
            )

    frame = frame.copy()
    labels: dict[str, str] = dict(existing)
    value_labels: dict[str, dict[Any, str]] = {}
    missing_sav: dict[str, list[Any]] = {}
    missing_dta: dict[str, list[str]] = {}
    for column in frame.columns:
        plan = matched.get(column)
        if plan is None:
            continue
        if kind == ".dta":
            labels[column] = cut_chars(
                plan.label, STATA_VARIABLE_LABEL, "variable label", "Stata", plan, findings
            )
        else:
            labels[column] = cut_bytes(
                plan.label, SPSS_VARIABLE_LABEL, "variable label", "SPSS", plan, findings
            )
        if not plan.numeric or not (plan.value_labels or plan.missing or plan.recode):
            continue
        original = frame[column]
        kept = original.isin(kept_letters.get(column, []))  # Stata .e-.z kept as they are
        if plan.recode is not None:
            original = _recoded(original, plan.recode, kept)
        numbers = pd.to_numeric(original, errors="coerce")
        text_values = original[
            numbers.isna() & original.notna() & (original.astype(str) != "") & ~kept
        ]
        if len(text_values):
            findings.append(
                Finding.make(
                    codes.APPLY_NOT_NUMERIC,
                    plan.location(),
                    variable=column,
                    example=text_values.iloc[0],
                )
            )
            continue
        if kind == ".dta":
            letters = stata_missing_letters(plan)
            labelled = dict(plan.value_labels)
            if letters:
                column_values = numbers.astype(object).where(numbers.notna(), None)
                for code, letter in letters.items():
                    column_values[numbers == code] = letter
                frame[column] = column_values
                missing_dta[column] = sorted(set(letters.values()))
                labelled = {letters.get(k, k): v for k, v in labelled.items()}
            else:
                frame[column] = numbers
            if kept.any():
                frame[column] = frame[column].astype(object).where(~kept, original)
                missing_dta[column] = sorted({*missing_dta.get(column, []), *original[kept]})
            room = STATA_NAME - len(str(len(value_labels)))
            if len(column) > room:
                findings.append(
                    Finding.make(
                        codes.STATA_LABELSET_NAME,
                        plan.location(),
                        name=column,
                        labelset=f"{column}{len(value_labels)}",
                        room=room,
                    )
                )
                continue
            value_labels[column] = {
                k: cut_chars(v, STATA_VALUE_LABEL, f"value label of {k}", "Stata", plan, findings)
                for k, v in labelled.items()
            }
        else:
            frame[column] = numbers
            value_labels[column] = {
                float(k): cut_bytes(
                    v, SPSS_VALUE_LABEL, f"value label of {k}", "SPSS", plan, findings
                )
                for k, v in plan.value_labels.items()
            }
            if plan.missing:
                values, span = spss_missing(plan, findings)
                missing_sav[column] = (
                    [{"lo": float(span[0]), "hi": float(span[1])}] if span else []
                ) + [float(v) for v in values]
    for column, letters_kept in kept_letters.items():
        missing_dta.setdefault(column, letters_kept)
    file_label = f"migmodule: {', '.join(a.label for a in adapted)}"
    try:
        with atomic_path(out_path) as temp:
            if kind == ".dta":
                pyreadstat.write_dta(
                    frame,
                    str(temp),
                    file_label=file_label[:80],
                    column_labels=labels,
                    variable_value_labels=value_labels,
                    missing_user_values=missing_dta,
                    version=15,
                )
            else:
                pyreadstat.write_sav(
                    frame,
                    str(temp),
                    file_label=file_label[:64],
                    column_labels=labels,
                    variable_value_labels=value_labels,
                    missing_ranges=missing_sav,
                    note=file_label,
                )
    except pyreadstat.ReadstatError as exc:
        raise MigmoduleError.of(
            codes.APPLY_WRITE, data_location, path=out_path, reason=exc
        ) from None
    return ExportResult([Path(out_path)], findings)
