"""`migmodule compare`: a national questionnaire against a standard module.

For each module question: asked as the standard (a code recode at most), asked differently
(universe, reference period, unit, or one national item holding two questions) or missing,
with the evidence; code lists compared, universes compared, parameters proposed, authoring
defects of the national form reported; a coverage report and a draft profile written.

Layout: form.py (reading the national form and its logic), xpath.py (XPath and CSPro conditions),
defects.py (authoring defects), universe.py (national universe against the module's),
coverage.py (statuses, code lists, parameters), report.py (HTML, XLSX, Markdown, JSON, profile),
codes.py (issue codes). Matching is `migmodule.matching.match`, the matcher of `map`.
"""

from __future__ import annotations

from pathlib import Path

from migmodule.compare.coverage import (
    DIFFERENT,
    MISSING,
    STANDARD,
    Coverage,
    QuestionCoverage,
    compare_form,
)
from migmodule.compare.form import NationalForm, read_form
from migmodule.compare.report import draft_profile, write_profile, write_report
from migmodule.profile import Adapted, adapt, load_profile


def compare(
    paths: list[str | Path],
    module: str | None = None,
    *,
    profile: str | Path | None = None,
    language: str = "en",
) -> Coverage:
    """Compare a national form (its file or files) with a module, or with the profile's module."""
    loaded = load_profile(profile) if profile is not None else None
    adapted: Adapted = adapt(loaded, module)[0] if module or loaded is None else adapt(loaded)[0]
    return compare_form(read_form(list(paths)), adapted, language)


__all__ = [
    "DIFFERENT",
    "MISSING",
    "STANDARD",
    "Coverage",
    "NationalForm",
    "QuestionCoverage",
    "compare",
    "compare_form",
    "draft_profile",
    "read_form",
    "write_profile",
    "write_report",
]
