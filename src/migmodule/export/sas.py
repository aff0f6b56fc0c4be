"""SAS program of labels: PROC FORMAT value formats and a macro that labels a data set.

`%migmodule_labels(lib.data)` rewrites the data set with, for each module variable present
(checked with `%sysfunc(varnum())`, so an absent variable is never created): the profile recode,
the special codes as SAS special missing values (`.A` don't know, `.B` refused, `.C` not
stated, `.D` not applicable, further codes of a kind from `.E`: the letters of Stata's
extended missing values), its LABEL and its value FORMAT. One program per language.

SAS limits enforced here, with a finding for every cut: variable labels 256 characters, format
names 32 characters that do not end in a digit.
"""

from __future__ import annotations

import math
from pathlib import Path

from migmodule import __version__
from migmodule.codes import Finding
from migmodule.escape import sas_comment
from migmodule.export.labels import (
    VariablePlan,
    _label_set_names,
    combined_plans,
    cut_chars,
    per_language,
    stata_missing_letters,
)
from migmodule.export.result import ExportResult
from migmodule.io import write_text
from migmodule.profile import Adapted

SAS_VARIABLE_LABEL = 256
SAS_FORMAT_NAME = 32
SAS_VALUE_LABEL = 32767


def sas_string(text: str) -> str:
    """A SAS string literal: single quotes (no macro resolution inside), quotes doubled."""
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def format_name(name: str) -> str:
    """A numeric format name: at most 32 characters, not ending in a digit."""
    return name if not name[-1].isdigit() else name[: SAS_FORMAT_NAME - 1] + "f"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _recode_lines(plan: VariablePlan) -> list[str]:
    """The recode as one IF / ELSE IF chain over the value as read: the first matching rule wins
    and a missing value never matches, as `Recode.lookup`. Text keys need a character variable:
    they are left to apply-labels, and said so."""
    recode = plan.recode
    if recode is None:
        return []
    if recode.texts:
        return [
            f"    /* {plan.name}: text recode keys are not written; use migmodule apply-labels */"
        ]
    tests: list[tuple[str, int | None]] = []
    for value, standard in sorted(recode.numbers.items()):
        tests.append((f"_mm_x = {_number(value)}", standard))
    for item in recode.ranges:
        low = "" if math.isinf(item.low) else f"{_number(item.low)} <= "
        high = "" if math.isinf(item.high) else f" <= {_number(item.high)}"
        tests.append((f"{low}_mm_x{high}" if low or high else "NOT MISSING(_mm_x)", item.standard))
    if recode.has_else:
        tests.append(("NOT MISSING(_mm_x)", recode.otherwise))
    if not tests:
        return []
    lines = [f"    _mm_x = {plan.name};"]
    for position, (test, standard) in enumerate(tests):
        value = "." if standard is None else str(standard)
        keyword = "IF" if position == 0 else "ELSE IF"
        lines.append(f"    {keyword} {test} THEN {plan.name} = {value};")
    return lines


def sas_program(adapted: list[Adapted], lang: str) -> tuple[str, list[Finding]]:
    findings: list[Finding] = []
    plans = combined_plans(adapted, lang)
    refs = sas_comment(", ".join(a.label for a in adapted))
    numeric = [p for p in plans if p.numeric]
    set_names = _label_set_names(numeric, findings)
    formats = {index: format_name(name) for index, name in set_names.items()}
    lines = [
        f"/* migmodule {__version__}: labels for {refs}; language {lang}. */",
        "/* Generated from the module specs; change the spec or the profile and export again. */",
        "/* Use: %include 'this_file.sas'; %migmodule_labels(work.persons); */",
        "/* Special codes become SAS special missing values: .A don't know, .B refused, */",
        "/* .C not stated, .D not applicable (further codes of one kind: .E on). */",
        "",
        "PROC FORMAT;",
    ]
    defined: set[str] = set()
    for index, plan in enumerate(numeric):
        name = formats.get(index)
        if name is None or name in defined:
            continue
        defined.add(name)
        letters = stata_missing_letters(plan)
        lines.append(f"  VALUE {name}")
        for code, text in sorted(
            plan.value_labels.items(), key=lambda kv: (kv[0] in letters, kv[0])
        ):
            value = f".{letters[code].upper()}" if code in letters else str(code)
            text = cut_chars(text, SAS_VALUE_LABEL, f"value label of {code}", "SAS", plan, findings)
            lines.append(f"    {value} = {sas_string(text)}")
        lines.append("  ;")
    lines += [
        "RUN;",
        "",
        "%macro migmodule_type(ds, var);",
        "  %local dsid num type rc;",
        "  %let type =;",
        "  %let dsid = %sysfunc(open(&ds));",
        "  %if &dsid %then %do;",
        "    %let num = %sysfunc(varnum(&dsid, &var));",
        "    %if &num %then %let type = %sysfunc(vartype(&dsid, &num));",
        "    %let rc = %sysfunc(close(&dsid));",
        "  %end;",
        "  &type",
        "%mend migmodule_type;",
        "",
        "%macro migmodule_labels(ds);",
        "DATA &ds;",
        "  SET &ds;",
        "  DROP _mm_x;",
        "  _mm_x = .;",
    ]
    numeric_index = {id(p): i for i, p in enumerate(numeric)}
    for plan in plans:
        label = cut_chars(plan.label, SAS_VARIABLE_LABEL, "variable label", "SAS", plan, findings)
        lines.append(f"  %if %migmodule_type(&ds, {plan.name}) = N %then %do;")
        if plan.numeric:
            lines += _recode_lines(plan)
            for code, letter in sorted(stata_missing_letters(plan).items()):
                lines.append(f"    IF {plan.name} = {code} THEN {plan.name} = .{letter.upper()};")
            fmt = formats.get(numeric_index[id(plan)])
            if fmt is not None:
                lines.append(f"    FORMAT {plan.name} {fmt}.;")
        lines.append(f"    LABEL {plan.name} = {sas_string(label)};")
        lines.append("  %end;")
        lines.append(f"  %else %if %migmodule_type(&ds, {plan.name}) = C %then %do;")
        lines.append(f"    LABEL {plan.name} = {sas_string(label)};")
        lines.append("  %end;")
    lines += ["RUN;", "%mend migmodule_labels;", ""]
    return "\n".join(lines), findings


def export_sas(
    adapted: list[Adapted], out_path: str | Path, *, languages: list[str] | None = None
) -> ExportResult:
    """A SAS program of labels per language (`out.fr.sas` beside `out.en.sas` for several)."""
    result = ExportResult()
    for lang, path in per_language(out_path, languages or adapted[0].languages):
        text, findings = sas_program(adapted, lang)
        write_text(path, text)
        result.paths.append(path)
        result.findings += findings
    return result
