"""`profile check --data FILE`: a profile held against a real file. Every variable the profile
names must be in the file, every key a recode writes should be able to occur (a value of the
file, or a code in its value labels), and derive, splits and row filters must evaluate on the
file's first rows (a date function given numbers, text compared with a number).

Crosswalk files and the built-ins (iso3, iso2) list many codes a given file may not use, so only
the keys written in the profile itself are held to the data.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.i18n import Phrase
from migmodule.microdata import DataSource
from migmodule.national.dates import date_formats
from migmodule.national.layer import NationalLayer, _numbers, _texts
from migmodule.national.recode import Recode
from migmodule.profile import (
    PROFILE_DATA_COLUMN,
    PROFILE_DATA_VALUES,
    PROFILE_RECODE_UNUSED,
    Adapted,
    Profile,
    Split,
    adapt,
)


@dataclass
class _Seen:
    """Distinct values of one column: numbers and trimmed texts."""

    numbers: set[float] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)

    def add(self, series: pd.Series) -> None:
        numbers = _numbers(series)
        self.numbers.update(np.unique(numbers[~np.isnan(numbers)]).tolist())
        texts = _texts(series, fold_case=False).dropna()
        self.texts.update(t for t in texts.unique().tolist() if t)


def _named(adapted: Adapted, level: str) -> list[tuple[tuple[Any, ...], str, str]]:
    """(profile path, what, variable) for every variable the profile names for a level."""
    settings = adapted.settings
    layer = NationalLayer(adapted)
    named: list[tuple[tuple[Any, ...], str, str]] = []
    level_settings = settings.levels.get(level)
    for name, column in settings.ids.items():
        if name in adapted.ids(level) and not (level_settings and name in level_settings.ids):
            named.append((("ids", name), Phrase("reason.what_identifier", name=name), column))
    if level_settings is not None:
        for name, column in level_settings.ids.items():
            named.append(
                (
                    ("levels", level, "ids", name),
                    Phrase("reason.what_identifier", name=name),
                    column,
                )
            )
        if level_settings.where:
            for column in layer._expression_names(level_settings.where):
                named.append(
                    (
                        ("levels", level, "where"),
                        Phrase("reason.what_row_filter", level=level),
                        column,
                    )
                )
    for question in layer.questions(level):
        source = adapted.source(question.id)
        in_level = level_settings is not None and question.id in level_settings.variables
        base = ("levels", level, "variables") if in_level else ("variables",)
        given = adapted._named(question.id)
        if source.kind == "derive":
            for column in layer.reads(question.id):
                if column not in adapted.params:
                    named.append(
                        (
                            ("derive", question.id),
                            Phrase("reason.what_derive", question=question.id),
                            column,
                        )
                    )
        elif isinstance(given, Split):
            for column in layer.reads(question.id):
                named.append(
                    (
                        (*base, question.id),
                        Phrase("reason.what_split", question=question.id),
                        column,
                    )
                )
        elif isinstance(given, str):
            named.append(
                ((*base, question.id), Phrase("reason.what_question", question=question.id), given)
            )
    return named


def _levels_of(adapted: Adapted, source: DataSource, path: Path, level: str | None) -> list[str]:
    if level is not None:
        return [level]
    files = adapted.settings.files
    by_file = [
        name
        for name, file in files.items()
        if Path(file).name == path.name and name in adapted.module.level_by_id
    ]
    if by_file:
        return by_file
    found = [
        name
        for name in adapted.module.level_by_id
        if any(source.find(column) for _, _, column in _named(adapted, name))
    ]
    return found or list(adapted.module.level_by_id)


def _occurs(recode: Recode, key: Any, seen: _Seen, labels: dict[Any, str]) -> bool:
    label_numbers = {float(k) for k in labels if isinstance(k, (int, float))}
    label_texts = {str(k).strip() for k in labels if isinstance(k, str)}
    numbers, texts = seen.numbers | label_numbers, seen.texts | label_texts
    if isinstance(key, str):
        return key in texts
    if isinstance(key, tuple):  # a range
        low, high = key
        return any(low <= n <= high for n in numbers)
    return key in numbers


def check_profile_data(
    profile: Profile,
    data: list[tuple[str | None, str]],
    *,
    profile_path: str | None = None,
    encoding: str | None = None,
    chunk_size: int | None = 100_000,
) -> list[Finding]:
    """Findings for the profile against data files: `data` is (level or None, path) pairs; a file
    without a level is matched to the levels whose `files` entry names it, else to the levels whose
    named variables it holds."""
    findings: list[Finding] = []
    file = profile_path or (str(profile._path) if profile._path else None)
    for index, adapted in enumerate(adapt(profile)):
        ref = adapted.module.ref
        for level_given, data_path in data:
            source = DataSource(data_path, encoding=encoding)
            path = Path(data_path)
            columns = list(source.columns)
            for level in _levels_of(adapted, source, path, level_given):
                for where, what, column in _named(adapted, level):
                    if source.find(column) is not None:
                        continue
                    close = difflib.get_close_matches(column, columns, n=2)
                    findings.append(
                        Finding.make(
                            PROFILE_DATA_COLUMN,
                            Location(
                                file=file,
                                line=profile.line_of("modules", index, *where),
                                variable=column,
                            ),
                            module=ref,
                            what=what,
                            variable=column,
                            file=path.name,
                            suggestion=(
                                Phrase("reason.did_you_mean", names=", ".join(close))
                                if close
                                else ""
                            ),
                        )
                    )
                findings += _unused_keys(profile, index, adapted, level, source, path, chunk_size)
                findings += _evaluation_problems(adapted, level, source, path)
    return findings


def _evaluation_problems(
    adapted: Adapted, level: str, source: DataSource, path: Path, rows: int = 1000
) -> list[Finding]:
    """The layer run on the file's first rows: a derive, split or row filter that cannot be
    evaluated on the file's values (PROFILE-DATA-002), once per question."""
    layer = NationalLayer(adapted, date_formats(path))
    columns = layer.columns(level, list(source.columns))
    if not columns:
        return []
    chunk = next(iter(source.chunks(columns, rows)), None)
    if chunk is None:
        return []
    frame = chunk.frame.head(rows)
    findings: list[Finding] = []
    try:
        layer.rows(frame, level)
    except MigmoduleError as exc:
        if exc.finding.code == PROFILE_DATA_VALUES.code:
            findings.append(exc.finding)
        # a missing filter variable is PROFILE-DATA-001, reported above
    findings += list(layer.apply(frame, level).problems.values())
    return findings


def _unused_keys(
    profile: Profile,
    index: int,
    adapted: Adapted,
    level: str,
    source: DataSource,
    path: Path,
    chunk_size: int | None,
) -> list[Finding]:
    layer = NationalLayer(adapted)
    wanted: dict[str, str] = {}  # question -> file column
    for question in layer.questions(level):
        recode = adapted.recode(question.id)
        source_of = adapted.source(question.id)
        if recode is None or recode.source != "mapping" or source_of.kind == "derive":
            continue
        column = source.find(source_of.variable or "")
        if column is not None:
            wanted[question.id] = column
    if not wanted:
        return []
    seen = {column: _Seen() for column in set(wanted.values())}
    for chunk in source.chunks(sorted(seen), chunk_size):
        for column, values in seen.items():
            values.add(chunk.frame[column])
    findings = []
    ref = adapted.module.ref
    file = str(profile._path) if profile._path else None
    for question, column in wanted.items():
        recode = adapted.recode(question)
        labels = source.columns[column].value_labels
        keys: list[tuple[str, Any]] = [(_plain(k), k) for k in recode.numbers]
        keys += [(k, k) for k in recode.texts]
        keys += [(r.written, (r.low, r.high)) for r in recode.ranges]
        for shown, key in keys:
            if _occurs(recode, key, seen[column], labels):
                continue
            findings.append(
                Finding.make(
                    PROFILE_RECODE_UNUSED,
                    Location(
                        file=file,
                        line=profile.line_of("modules", index, "recodes", question, shown),
                        question=question,
                        variable=column,
                    ),
                    module=ref,
                    question=question,
                    key=shown,
                    variable=column,
                    file=path.name,
                )
            )
    return findings


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def data_arguments(values: tuple[str, ...] | list[str]) -> list[tuple[str | None, str]]:
    """`--data [LEVEL=]FILE` values as (level or None, path); a path with '=' in it stays whole
    when the text before '=' is not a plain level name."""
    pairs: list[tuple[str | None, str]] = []
    for value in values:
        level, sep, rest = value.partition("=")
        if sep and level.isidentifier():
            pairs.append((level, rest))
        else:
            pairs.append((None, value))
    return pairs
