"""`ValidationSettings`: how a validation runs (one object instead of loose keyword arguments).

What to read and how (chunk size, encoding, Stata missing letters), how to count (weight,
breakdown, thresholds, examples kept), the report's language, and which checks run (`checks` picks
by issue code or check name, `skip` leaves out; frictionless' Checklist pick/skip).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from migmodule.codes import MigmoduleError
from migmodule.i18n import Phrase
from migmodule.spec.model import SpecialKind
from migmodule.validate import codes

DEFAULT_CHUNK_SIZE = 100_000
# A file is split between --jobs processes only in ranges of at least this many rows: a 1M-row
# file checked in two ranges of 500,000 took more time than in one process (the processes'
# start, the partial results sent and merged: docs/validation.md, "Several processes: --jobs").
MIN_ROWS_PER_JOB = 1_000_000
Progress = Callable[[str, int, int | None], None]  # (level, rows done, total rows or None)

# Stata extended missings when the caller gives no mapping (the same as the Stata export writes).
DEFAULT_STATA_MISSING = {
    "a": SpecialKind.DONT_KNOW,
    "b": SpecialKind.REFUSED,
    "c": SpecialKind.NOT_STATED,
    "d": SpecialKind.NOT_APPLICABLE,
}


@dataclass(frozen=True)
class ValidationSettings:
    weight: str | None = None  # weight variable: rates are also given weighted
    by: str | None = None  # breakdown variable (enumerator, region)
    max_examples: int = 5
    chunk_size: int | None = DEFAULT_CHUNK_SIZE  # None: each file at once
    encoding: str | None = None  # CSV code page (or an old .dta's)
    missing_map: Mapping[str, SpecialKind] = field(
        default_factory=lambda: dict(DEFAULT_STATA_MISSING)
    )
    nonresponse_threshold: float = 0.05
    thresholds: Mapping[str, float] = field(default_factory=dict)  # per question
    language: str = "en"
    checks: tuple[str, ...] = ()  # issue codes or check names to run (empty: all)
    skip: tuple[str, ...] = ()  # issue codes or check names not to run
    read_ahead: bool = True  # read the next chunk in a thread while the checks run on this one
    # Where the files are read: "local", or "dask" (one task per file, cluster.py) on the
    # scheduler at `scheduler`, or on a local cluster of `workers` processes when it is None.
    engine: str = "local"
    scheduler: str | None = None
    workers: int | None = None
    # Local processes checking ranges of rows of each large file (0: one per CPU); 1 = this
    # process only. Ranges are of at least `min_rows_per_job` rows (validate/jobs.py).
    jobs: int = 1
    min_rows_per_job: int = MIN_ROWS_PER_JOB

    def __post_init__(self) -> None:
        if self.engine not in ("local", "dask"):
            raise ValueError(f"engine must be 'local' or 'dask', not {self.engine!r}")
        if self.jobs < 0 or self.min_rows_per_job < 1:
            raise ValueError("jobs must be 0 (one per CPU) or more, min_rows_per_job 1 or more")
        if self.engine == "dask" and self.jobs != 1:
            raise ValueError("jobs are local processes: with engine 'dask', give workers instead")

    @classmethod
    def given(
        cls, settings: ValidationSettings | None, options: Mapping[str, Any]
    ) -> ValidationSettings:
        """`settings`, or settings made from keyword options (the entry points take either)."""
        if settings is None:
            return cls.from_options(**options)
        if options:
            raise TypeError(f"give settings or keywords, not both: {', '.join(options)}")
        return settings

    @classmethod
    def from_options(
        cls,
        *,
        missing_map: Mapping[str, str] | None = None,
        thresholds: Mapping[str, float] | None = None,
        checks: Iterable[str] | None = None,
        skip: Iterable[str] | None = None,
        **options: Any,
    ) -> ValidationSettings:
        """Settings from plain option values (`missing_map` as LETTER -> kind name)."""
        return cls(
            missing_map=stata_missing_map(missing_map),
            thresholds=dict(thresholds or {}),
            checks=tuple(checks or ()),
            skip=tuple(skip or ()),
            **options,
        )

    def to_report(self) -> dict[str, Any]:
        """The settings a report shows."""
        shown: dict[str, Any] = {
            "weight": self.weight,
            "by": self.by,
            "max_examples": self.max_examples,
            "nonresponse_threshold": self.nonresponse_threshold,
            "thresholds": dict(self.thresholds),
            "missing_map": {k: v.value for k, v in sorted(self.missing_map.items())},
            "language": self.language,
        }
        if self.checks or self.skip:
            shown["checks"], shown["skip"] = list(self.checks), list(self.skip)
        return shown


def stata_missing_map(mapping: Mapping[str, str] | None) -> dict[str, SpecialKind]:
    """The default letters overridden by `mapping` (LETTER or .LETTER -> kind name)."""
    letters = dict(DEFAULT_STATA_MISSING)
    for letter, kind in (mapping or {}).items():
        letter = letter.lstrip(".").lower()
        if len(letter) != 1 or not letter.isalpha():
            raise MigmoduleError.of(
                codes.DATA_MISSING_MAP,
                item=f"{letter}={kind}",
                reason=Phrase("reason.not_a_letter"),
            )
        try:
            letters[letter] = SpecialKind(kind)
        except ValueError:
            raise MigmoduleError.of(
                codes.DATA_MISSING_MAP,
                item=f"{letter}={kind}",
                reason=Phrase("reason.not_a_missing_kind", kind=kind),
            ) from None
        if letters[letter] is SpecialKind.OTHER:
            raise MigmoduleError.of(
                codes.DATA_MISSING_MAP,
                item=f"{letter}={kind}",
                reason=Phrase("reason.other_is_an_answer"),
            )
    return letters
