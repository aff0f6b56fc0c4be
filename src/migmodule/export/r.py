"""R script of labels: variable labels, value labels and missing values with haven conventions.

The script defines `migmodule_labels(data)`, to run on a data frame read with haven
(`read_sav(path, user_na = TRUE)`, `read_dta(path)`, `readr::read_csv(path)`): each module variable
present becomes a `haven::labelled_spss` vector (value labels, the special codes as `na_values`,
the variable label), so `haven::write_sav()` keeps them as SPSS user-missing values and
`haven::as_factor()`, `haven::zap_missing()` or `labelled::user_na_to_na()` work as analysts expect.

Stata extended missing values read by `read_dta` (tagged NA `.a`, `.c`...) become the module's
codes again, and profile recodes are applied first, rule by rule as `Recode.lookup` does.
One script per language, as for Stata and SPSS; the plans and limits are those of `labels.py`.
"""

from __future__ import annotations

from pathlib import Path

from migmodule import __version__
from migmodule.codes import Finding
from migmodule.escape import line_comment, one_line
from migmodule.export.labels import (
    VariablePlan,
    combined_plans,
    per_language,
    stata_missing_letters,
)
from migmodule.export.result import ExportResult
from migmodule.io import write_text
from migmodule.profile import Adapted


def r_string(text: str) -> str:
    """An R string literal on one line: backslash and double quote escaped (the one R escaper)."""
    text = one_line(text)  # R refuses bidi controls even in strings: see migmodule.escape
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _recode_lines(plan: VariablePlan, indent: str) -> list[str]:
    """The profile recode as R: each rule sets the values no earlier rule matched (first match
    wins, blanks never match), from the values as read, so rules never chain."""
    recode = plan.recode
    if recode is None:
        return []
    lines = [
        f"{indent}x0 <- x",
        f'{indent}done <- is.na(x0) | (is.character(x0) & trimws(x0) == "")',
    ]

    def rule(test: str, standard: int | None) -> None:
        value = "NA" if standard is None else _number(standard)
        lines.append(f"{indent}hit <- !done & ({test})")
        lines.append(f"{indent}x[hit] <- {value}")
        lines.append(f"{indent}done <- done | hit")

    if recode.texts:
        key = "toupper(trimws(x0))" if recode.fold_case else "trimws(x0)"
        for text, standard in sorted(recode.texts.items()):
            rule(f"{key} == {r_string(text)}", standard)
    number = "suppressWarnings(as.numeric(x0))"
    for value, standard in sorted(recode.numbers.items()):
        rule(f"{number} %in% {_number(value)}", standard)
    for item in recode.ranges:
        parts = []
        if item.low != float("-inf"):
            parts.append(f"{number} >= {_number(item.low)}")
        if item.high != float("inf"):
            parts.append(f"{number} <= {_number(item.high)}")
        rule(" & ".join(parts) or f"!is.na({number})", item.standard)
    if recode.has_else:
        rule("TRUE", recode.otherwise)
    lines.append(f"{indent}if (is.character(x)) x <- suppressWarnings(as.numeric(x))")
    return lines


def _variable_lines(plan: VariablePlan) -> list[str]:
    name = r_string(plan.name)
    indent = "    "
    lines = [
        f"  if ({name} %in% names(data)) {{",
        f"{indent}x <- .migmodule_values(data[[{name}]])",
    ]
    if plan.numeric:
        lines += _recode_lines(plan, indent)
        letters = stata_missing_letters(plan)
        for code, letter in sorted(letters.items()):
            lines.append(f'{indent}x[.migmodule_tag(data[[{name}]], "{letter}")] <- {code}')
    label = r_string(plan.label)
    if plan.numeric and (plan.value_labels or plan.missing):
        codes = sorted(plan.value_labels)
        values = ", ".join(map(str, codes))
        names = ", ".join(r_string(plan.value_labels[c]) for c in codes)
        missing = ", ".join(str(c) for c in sorted(plan.missing)) or ""
        lines += [
            f"{indent}if (is.numeric(x)) {{",
            f"{indent}  data[[{name}]] <- haven::labelled_spss(",
            f"{indent}    as.double(x),",
            f"{indent}    labels = stats::setNames(c({values}), c({names})),",
            f"{indent}    na_values = {f'c({missing})' if missing else 'NULL'},",
            f"{indent}    label = {label}",
            f"{indent}  )",
            f"{indent}}} else {{",
            f"{indent}  warning({r_string(plan.name + ': not numeric in the data; only its label is set')})",
            f'{indent}  attr(data[[{name}]], "label") <- {label}',
            f"{indent}}}",
        ]
    else:
        if plan.numeric and plan.recode is not None:
            lines.append(f"{indent}data[[{name}]] <- x")
        lines.append(f'{indent}attr(data[[{name}]], "label") <- {label}')
    lines.append("  }")
    return lines


def r_script(adapted: list[Adapted], lang: str) -> tuple[str, list[Finding]]:
    plans = combined_plans(adapted, lang)
    refs = line_comment(", ".join(a.label for a in adapted))
    lines = [
        f"# migmodule {__version__}: labels for {refs}; language {lang}.",
        "# Generated from the module specs; change the spec or the profile and export again.",
        "# Use (R with the haven package):",
        '#   data <- haven::read_sav("data.sav", user_na = TRUE)  # or read_dta(), readr::read_csv()',
        '#   source("this_file.R", encoding = "UTF-8"); data <- migmodule_labels(data)',
        '#   haven::write_sav(data, "labelled.sav")',
        "# Special codes (don't know, refused, not stated, not applicable) stay in the data as",
        "# user-missing values (haven::labelled_spss na_values); haven::zap_missing() makes them NA.",
        "",
        ".migmodule_values <- function(x) {",
        "  x <- unclass(x)",
        "  attributes(x) <- NULL",
        "  x",
        "}",
        "",
        ".migmodule_tag <- function(x, letter) {",
        "  # Stata extended missing values read by haven::read_dta are tagged NA (.a -> 'a')",
        "  if (!is.double(x)) return(rep(FALSE, length(x)))",
        "  tags <- haven::na_tag(x)",
        "  !is.na(tags) & tags == letter",
        "}",
        "",
        "migmodule_labels <- function(data) {",
    ]
    for plan in plans:
        lines += _variable_lines(plan)
    lines += ["  data", "}", ""]
    return "\n".join(lines), []


def export_r(
    adapted: list[Adapted], out_path: str | Path, *, languages: list[str] | None = None
) -> ExportResult:
    """An R script of labels per language (`out.fr.R` beside `out.en.R` for several)."""
    result = ExportResult()
    for lang, path in per_language(out_path, languages or adapted[0].languages):
        text, findings = r_script(adapted, lang)
        write_text(path, text)
        result.paths.append(path)
        result.findings += findings
    return result
