"""What the matcher reads (`Item`: one national variable or question) and what it proposes (`Proposal`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Item:
    """A national variable or questionnaire item, as a data file or a codebook describes it.

    labels: language code ("" when unknown) -> variable label or question text.
    value_labels: language code ("" when unknown) -> {national code: label}.
    group: the file, CSPro record or XLSForm group/repeat path the item sits in; items of one
    group share a level. level: the module level, when the source says it.
    """

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    type: str = ""  # "numeric", "string", "select_one", "integer", "date", ... ("" unknown)
    group: str = ""
    level: str | None = None

    def first_value_labels(self) -> dict[Any, str]:
        """Value labels in the first language given (the one a recode is proposed from)."""
        return next((labels for labels in self.value_labels.values() if labels), {})


@dataclass
class Proposal:
    """One proposal: a module's target (question, derived variable, identifier, weight or level)
    read from a national item (for kind "level": a group, i.e. a file, record or repeat).

    accepted is False for a best guess shown for review below the acceptance threshold.
    recode: {national code: standard code} or the name of a built-in recode ("iso3", "iso2").
    where: for a split (one national variable holding two questions), the rows it is read on.
    """

    module: str
    target: str
    kind: str  # "question", "derived", "id", "weight", "level"
    item: str
    score: float
    evidence: list[str] = field(default_factory=list)
    level: str | None = None
    group: str = ""
    accepted: bool = True
    recode: dict[str, int] | str | None = None
    recode_evidence: list[str] = field(default_factory=list)
    # a split: the target reads the item only where this holds (profile form {from, where})
    where: str | None = None
