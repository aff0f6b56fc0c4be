"""Regenerate the sample data files, their profiles, defects.json and README.md (seeded, deterministic).

    python samples/make_samples.py

The data are synthetic and drawn from the module specs themselves: every coded question gets codes
from its list, universes are applied in interview order, and rows the validator rejects are
replaced by rows it accepts. Then a documented set of defects is planted, one at a time; each is
kept only if the validator finds exactly it and nothing else, and its rows are recorded in
defects.json (which tests/test_samples.py checks) and in README.md.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from migmodule.expr.evaluate import derive, evaluate_frame
from migmodule.expr.semantics import ancestors, referenced
from migmodule.profile import Adapted, adapt, load_profile
from migmodule.spec.model import MISSING_KINDS, Question, QuestionType, SpecialKind
from migmodule.spec.text import render
from migmodule.validate import validate_data

HERE = Path(__file__).resolve().parent
SEED = 20300101
COUNTRY = 404  # Kenya
FOREIGN = [800, 834, 706, 231, 729, 180, 250, 826, 356]  # Uganda, Tanzania, Somalia, Ethiopia, ...
LETTERS = {SpecialKind.DONT_KNOW: "a", SpecialKind.REFUSED: "b", SpecialKind.NOT_STATED: "c"}


@dataclass
class SampleSet:
    name: str
    module: str
    files: dict[str, list[str]]  # level -> file names (same content, several formats)
    households: int
    national_names: dict[str, str] = field(default_factory=dict)
    metadata_defects: bool = False  # label drift and a number stored as text


SETS = [
    SampleSet(
        "census",
        "census-key-questions@1.0.0",
        {"person": ["census_persons.sav", "census_persons.dta"]},
        households=90,
        national_names={"sex": "P04_SEX", "age": "P05_AGE", "country_of_birth": "P10_COB"},
        metadata_defects=True,
    ),
    SampleSet(
        "rural",
        "rural-migration@1.0.0",
        {"household": ["rural_households.dta"], "member": ["rural_members.dta"]},
        households=60,
    ),
]


# ---- clean synthetic data ------------------------------------------------------------------------
def substantive_codes(adapted: Adapted, question: Question) -> list[int]:
    code_list = adapted.module.code_list_by_id[question.code_list]
    codes = [c.code for c in code_list.codes if c.special not in MISSING_KINDS]
    if code_list.source and code_list.source.startswith("parameter:"):
        codes += [
            int(item["code"]) for item in adapted.params.get(code_list.source.split(":")[1]) or []
        ]
    return sorted(set(codes))


def clean_values(
    adapted: Adapted, question: Question, n: int, rng: np.random.Generator
) -> np.ndarray:
    kind = question.type
    ref_year = int(str(adapted.params.get("REF_DATE") or "2030-01-01")[:4])
    if kind is QuestionType.COUNTRY:
        return np.where(rng.random(n) < 0.7, COUNTRY, rng.choice(FOREIGN, size=n)).astype(float)
    if kind is QuestionType.SELECT_ONE:
        codes = substantive_codes(adapted, question)
        return rng.choice(codes, size=n).astype(float)
    if kind is QuestionType.SELECT_MULTIPLE:
        codes = substantive_codes(adapted, question)
        picks = [
            sorted(rng.choice(codes, size=min(len(codes), rng.integers(1, 3)), replace=False))
            for _ in range(n)
        ]
        return np.array([" ".join(str(c) for c in p) for p in picks], dtype=object)
    if kind is QuestionType.YEAR:  # a third arrived last year: recent movers make the rarer paths
        years = rng.integers(ref_year - 30, ref_year, size=n).astype(float)
        return np.where(rng.random(n) < 0.35, ref_year - 1, years)
    if kind is QuestionType.INTEGER:
        if question.id == "age":
            return rng.integers(0, 85, size=n).astype(float)
        low, high = 0, 12
        if question.range is not None:
            if isinstance(question.range.minimum, (int, float)):
                low = int(question.range.minimum)
            if isinstance(question.range.maximum, (int, float)):
                high = min(int(question.range.maximum), low + 40)
        return rng.integers(low, high + 1, size=n).astype(float)
    if kind is QuestionType.DECIMAL:
        return np.round(rng.uniform(0, 500, size=n), 1)
    if kind is QuestionType.DATE:
        return np.array([f"{ref_year - 1}-0{1 + i % 9}-15" for i in range(n)], dtype=object)
    return np.array(["sample answer"] * n, dtype=object)


def generate(
    adapted: Adapted, sample: SampleSet, rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """Frames keyed by question id (plus identifiers), one per level with a file."""
    module = adapted.module
    levels = list(sample.files)
    sizes = rng.integers(1, 7, size=sample.households)
    frames: dict[str, pd.DataFrame] = {}
    for level in levels:
        spec_level = module.level_by_id[level]
        if spec_level.parent is None:
            frames[level] = pd.DataFrame({"hh_id": np.arange(1, sample.households + 1) * 10 + 1})
        else:
            hh = np.repeat(np.arange(1, sample.households + 1) * 10 + 1, sizes)
            number = np.concatenate([np.arange(1, s + 1) for s in sizes])
            frames[level] = pd.DataFrame({"hh_id": hh, spec_level.id_variables[1]: number})
    for question in adapted.questions:
        level = _file_level(module, question.level, levels)
        if level is None:
            continue
        frame = frames[level]
        frame[question.id] = clean_values(adapted, question, len(frame), rng)
        if question.universe:
            context = _with_parent(module, frames, level)
            names = referenced(module, question.universe)
            if all(name in context.columns for name in names):
                inside = (
                    evaluate_frame(
                        module,
                        question.universe,
                        derive(module, context, adapted.params),
                        adapted.params,
                    )
                    .fillna(False)
                    .to_numpy(dtype=bool)
                )
                frame.loc[~inside, question.id] = (
                    np.nan if frame[question.id].dtype != object else None
                )
    harmonise(adapted, frames)
    return frames


def harmonise(adapted: Adapted, frames: dict[str, pd.DataFrame]) -> None:
    """Flat files: every row of a household repeats the answers of its first row (as deliveries do).

    The household questions of a person file are copied together from the household's first
    row, so that they stay consistent with each other (universes, edits).
    """
    module = adapted.module
    for level, frame in frames.items():
        upper = [q.id for q in adapted.questions if q.id in frame.columns and q.level != level]
        for name in upper:
            ids = module.level_by_id[module.question_by_id[name].level].id_variables
            group = frame.groupby(ids, sort=False).ngroup().to_numpy()
            first = np.flatnonzero(~frame.duplicated(ids).to_numpy())
            frame[name] = frame[name].to_numpy()[first[group]]


def _file_level(module, level: str, levels: list[str]) -> str | None:
    if level in levels:
        return level
    lower = [lv for lv in levels if level in ancestors(module, lv)]
    return lower[0] if lower else None


def _with_parent(module, frames: dict[str, pd.DataFrame], level: str) -> pd.DataFrame:
    frame = frames[level]
    parent = module.level_by_id[level].parent
    if parent in frames:
        extra = frames[parent].drop_duplicates("hh_id")
        return frame.merge(extra, on="hh_id", how="left", suffixes=("", "_parent"))
    return frame


# ---- writing -------------------------------------------------------------------------------------
@dataclass
class FileOptions:
    letters: dict[str, dict[int, str]] = field(
        default_factory=dict
    )  # question -> {row: letter} (.dta)
    user_missing: dict[str, list[int]] = field(default_factory=dict)  # question -> codes (.sav)
    drift: str | None = None  # question whose value labels are swapped
    as_text: str | None = None  # numeric question stored as a string


def write_level(
    adapted: Adapted, sample: SampleSet, frame: pd.DataFrame, path: Path, options: FileOptions
) -> None:
    module = adapted.module
    out = pd.DataFrame(index=frame.index)
    labels, value_labels = {}, {}
    for name in frame.columns:
        question = module.question_by_id.get(name)
        column = sample.national_names.get(name, question.variable_name if question else name)
        values = frame[name]
        if question is not None and question.type not in (
            QuestionType.SELECT_MULTIPLE,
            QuestionType.TEXT,
            QuestionType.DATE,
        ):
            values = values.astype(float)
            if name == options.as_text:
                values = values.map(
                    lambda v: "" if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v)
                )
            elif path.suffix == ".dta" and name in options.letters:
                values = values.astype(object)
                for row, letter in options.letters[name].items():
                    values.iat[row] = letter
            if (
                question.code_list
                and name != options.as_text
                and question.type is not QuestionType.COUNTRY
            ):
                code_list = module.code_list_by_id[question.code_list]
                mapping = {
                    float(c.code): render(c.label, module, adapted.params, "en")
                    for c in code_list.codes
                }
                for item in adapted.params.get((code_list.source or ":").split(":")[1]) or []:
                    if isinstance(item, dict):
                        mapping[float(item["code"])] = item["label"]["en"]
                if name == options.drift:
                    substantive = [c for c in sorted(mapping) if c < 8][:2]
                    if len(substantive) == 2:
                        a, b = substantive
                        mapping[a], mapping[b] = mapping[b], mapping[a]
                value_labels[column] = mapping
        elif values.dtype == object:
            values = values.map(
                lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            )
        out[column] = values
        if question is not None:
            labels[column] = render(question.variable_label, module, adapted.params, "en")[:80]
    if path.suffix == ".dta":
        missing = {
            sample.national_names.get(q, module.question_by_id[q].variable_name): sorted(
                set(rows.values())
            )
            for q, rows in options.letters.items()
            if rows
        }
        pyreadstat.write_dta(
            out,
            str(path),
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_user_values=missing or None,
            version=15,
        )
    else:
        ranges = {
            sample.national_names.get(q, module.question_by_id[q].variable_name): codes[:3]
            for q, codes in options.user_missing.items()
            if codes
        }
        pyreadstat.write_sav(
            out,
            str(path),
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=ranges or None,
        )


# ---- validating a candidate ----------------------------------------------------------------------
Key = tuple[str, str, str]  # level, code, question/edit/""


def findings(
    adapted: Adapted,
    sample: SampleSet,
    frames: dict[str, pd.DataFrame],
    options: dict[str, FileOptions],
    suffix: str | None = None,
) -> dict[Key, list[int]]:
    """Validate the frames as written files: {(level, code, what): failing rows (1-based)}."""
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for level, names in sample.files.items():
            name = next((n for n in names if suffix is None or n.endswith(suffix)), names[0])
            path = Path(folder) / name
            write_level(adapted, sample, frames[level], path, options.get(level, FileOptions()))
            files[level] = path
        report = validate_data(files, adapted, max_examples=100_000, chunk_size=None)
    found: dict[Key, list[int]] = {}
    for result in report.results:
        if result.finding is not None:
            key = (result.level or "", result.code, result.question or result.edit or "")
            found[key] = [e["row"] for e in result.examples if e.get("file") != "parent"]
    return found


def clean(adapted: Adapted, sample: SampleSet, frames: dict[str, pd.DataFrame], rng) -> int:
    """Replace rows the validator rejects by copies of rows it accepts; the number replaced."""
    replaced = 0
    for _ in range(20):
        found = findings(adapted, sample, frames, {})
        if not found:
            return replaced
        for (level, _code, _what), rows in found.items():
            frame = frames[level]
            bad = sorted({r - 1 for r in rows if 0 < r <= len(frame)})
            good = np.setdiff1d(np.arange(len(frame)), bad)
            ids = [c for c in frame.columns if c in ("hh_id",) or c.endswith("_no")]
            values = [c for c in frame.columns if c not in ids]
            for row in bad:
                frame.loc[row, values] = frame.loc[int(rng.choice(good)), values].to_numpy()
            replaced += len(bad)
        harmonise(adapted, frames)
    raise SystemExit(f"{sample.name}: could not produce clean data; remaining findings: {found}")


def select_clean(
    adapted: Adapted, sample: SampleSet, frames: dict[str, pd.DataFrame], rows: int, rng
) -> int:
    """One-file samples: from many candidate rows keep accepted ones, a few answering each question.

    Random answers often break the module's edits, and replacing rejected rows can leave a rare
    question (e.g. residence abroad one year ago) with no answer at all; choosing among many
    candidates keeps every question answered somewhere. Identifiers are renumbered afterwards.
    """
    (level,) = frames
    frame = frames[level]
    found = findings(adapted, sample, frames, {})
    bad = {r - 1 for rows_ in found.values() for r in rows_}
    good = [r for r in range(len(frame)) if r not in bad]
    chosen: list[int] = []
    for question in adapted.questions:
        if question.id not in frame.columns:
            continue
        answered = [
            r for r in good if pd.notna(frame.at[r, question.id]) and frame.at[r, question.id] != ""
        ]
        chosen += [r for r in answered[:4] if r not in chosen]
    rest = [r for r in good if r not in chosen]
    chosen += list(rng.choice(rest, size=max(0, min(len(rest), rows - len(chosen))), replace=False))
    picked = frame.loc[sorted(chosen)].reset_index(drop=True)
    sizes, total = [], 0
    while total < len(picked):
        sizes.append(int(min(rng.integers(1, 7), len(picked) - total)))
        total += sizes[-1]
    id_variables = adapted.module.level_by_id[level].id_variables
    picked[id_variables[0]] = np.repeat(np.arange(1, len(sizes) + 1) * 10 + 1, sizes)
    picked[id_variables[1]] = np.concatenate([np.arange(1, n + 1) for n in sizes])
    frames[level] = picked
    harmonise(adapted, frames)
    return len(frame) - len(chosen)


# ---- planting defects ----------------------------------------------------------------------------
@dataclass
class Defect:
    code: str
    level: str
    what: str  # question or edit id, "" for identifier checks
    description: str
    rows: list[int] = field(default_factory=list)


def _plain_value(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def leaf_questions(adapted: Adapted) -> set[str]:
    """Questions no universe, edit, condition or derived variable reads: defects there do not cascade."""
    module = adapted.module
    texts = [q.universe for q in module.questions if q.universe]
    texts += [q.constraint for q in module.questions if q.constraint]
    texts += [t for e in module.edits for t in (e.when, e.check) if t]
    texts += [
        t
        for d in module.derived
        for t in [d.expression, d.when] + [c.when for c in d.cases or []]
        if t
    ]
    used = {name for text in texts for name in referenced(module, text)}
    return {q.id for q in adapted.questions} - used


class Planter:
    def __init__(self, adapted: Adapted, sample: SampleSet, frames: dict[str, pd.DataFrame], rng):
        self.adapted, self.sample, self.frames, self.rng = adapted, sample, frames, rng
        self.options = {level: FileOptions() for level in sample.files}
        self.baseline = findings(adapted, sample, frames, self.options)
        self.defects: list[Defect] = []
        self.leaves = leaf_questions(adapted)
        self.used_rows: set[tuple[str, int]] = set()

    def questions(self, level: str, predicate) -> list[Question]:
        return [
            q for q in self.adapted.questions if q.id in self.frames[level].columns and predicate(q)
        ]

    def attempt(self, level: str, change, expected: set[tuple[str, str]], description: str) -> bool:
        """Apply `change` (a function of copies of the frames and options); keep it if exactly `expected` appears."""
        frames = {lv: f.copy() for lv, f in self.frames.items()}
        options = {
            lv: FileOptions(dict(o.letters), dict(o.user_missing), o.drift, o.as_text)
            for lv, o in self.options.items()
        }
        change(frames, options)
        found = {}
        for suffix in {Path(n).suffix for names in self.sample.files.values() for n in names}:
            found[suffix] = findings(self.adapted, self.sample, frames, options, suffix)
        results = list(found.values())
        if any(r != results[0] for r in results[1:]):
            return False  # the formats disagree: not a clean plant
        new = {key: rows for key, rows in results[0].items() if self.baseline.get(key) != rows}
        if {(key[1], key[2]) for key in new} != expected or set(self.baseline) - set(results[0]):
            return False
        for key, rows in new.items():
            self.defects.append(Defect(key[1], key[0], key[2], description, rows))
            self.used_rows.update((key[0], r) for r in rows)
        self.frames, self.options, self.baseline = frames, options, results[0]
        return True

    def rows(self, level: str, mask: np.ndarray) -> list[int]:
        return [int(r) for r in np.flatnonzero(mask) if (level, int(r) + 1) not in self.used_rows][
            :15
        ]


def plant_all(planter: Planter) -> list[str]:
    """Plant each kind of defect; returns the kinds that could not be planted (said in the README)."""
    adapted, module = planter.adapted, planter.adapted.module
    missed = []
    child = [lv for lv in planter.frames if module.level_by_id[lv].parent is not None]
    main = child[0] if child else next(iter(planter.frames))

    def first_success(kind: str, candidates) -> None:
        for level, change, expected, description in candidates:
            if planter.attempt(level, change, expected, description):
                return
        missed.append(kind)

    def answered(level, q):
        return planter.frames[level][q.id].notna().to_numpy() & (
            planter.frames[level][q.id].astype(str) != ""
        )

    def out_of_list():
        for level in planter.frames:
            for q in planter.questions(
                level, lambda q: q.type is QuestionType.SELECT_ONE and q.id in planter.leaves
            ):
                bad = (
                    max(
                        substantive_codes(adapted, q)
                        + [c for c in module.code_list_by_id[q.code_list].special_codes]
                    )
                    + 11
                )
                for row in planter.rows(level, answered(level, q))[:3]:

                    def change(frames, options, level=level, q=q, row=row, bad=bad):
                        frames[level].loc[row, q.id] = bad

                    yield (
                        level,
                        change,
                        {("DATA-CODE-001", q.id)},
                        f"`{q.id}` = {bad}, not a code of list {q.code_list}",
                    )

    def invalid_country():
        for level in planter.frames:
            for q in planter.questions(level, lambda q: q.type is QuestionType.COUNTRY):
                values = planter.frames[level][q.id].to_numpy(dtype=float)
                for row in planter.rows(level, np.isin(values, FOREIGN))[:3]:

                    def change(frames, options, level=level, q=q, row=row):
                        frames[level].loc[row, q.id] = 1234

                    yield (
                        level,
                        change,
                        {("DATA-CODE-002", q.id)},
                        f"`{q.id}` = 1234, not an M49 code",
                    )

    def skip(outside: bool):
        for level in planter.frames:
            for q in planter.questions(
                level, lambda q: bool(q.universe) and q.id in planter.leaves
            ):
                mask = ~answered(level, q) if outside else answered(level, q)
                for row in planter.rows(level, mask)[:4]:
                    value = clean_values(adapted, q, 1, planter.rng)[0]
                    if isinstance(value, float) and value.is_integer():
                        value = int(value)

                    def change(frames, options, level=level, q=q, row=row, value=value):
                        frames[level].loc[row, q.id] = (
                            value
                            if outside
                            else (None if frames[level][q.id].dtype == object else np.nan)
                        )

                    code = "DATA-UNIV-001" if outside else "DATA-UNIV-002"
                    text = (
                        f"`{q.id}` answered ({value}) for a unit outside its universe"
                        if outside
                        else f"`{q.id}` blank for a unit inside its universe"
                    )
                    yield level, change, {(code, q.id)}, text

    def nonresponse():
        for level in planter.frames:
            for q in planter.questions(
                level,
                lambda q: (
                    q.id in planter.leaves
                    and q.code_list
                    and q.type is not QuestionType.SELECT_MULTIPLE
                ),
            ):
                specials = module.code_list_by_id[q.code_list].special_codes
                kinds = [(code, kind) for code, kind in specials.items() if kind in LETTERS]
                inside = answered(level, q)
                need = int(np.ceil(0.08 * inside.sum())) + 1
                rows = planter.rows(level, inside)[:need]
                if len(kinds) < 2 or len(rows) < need or inside.sum() < 20:
                    continue

                def change(frames, options, level=level, q=q, rows=rows, kinds=kinds):
                    letters = {}
                    for i, row in enumerate(rows):
                        code, kind = kinds[i % len(kinds)]
                        frames[level].loc[row, q.id] = code
                        letters[row] = LETTERS[kind]
                    options[level].letters[q.id] = letters
                    options[level].user_missing[q.id] = [code for code, _ in kinds]

                names = " and ".join(
                    {"dont_know": "don't know"}.get(k.value, k.value.replace("_", " "))
                    for _, k in kinds
                )
                yield (
                    level,
                    change,
                    {("DATA-NR-001", q.id)},
                    (
                        f"`{q.id}` not answered ({names}) by {need} units of its universe: special codes in .sav "
                        f"(declared user-missing), extended missings .a/.b/.c in .dta"
                    ),
                )

    def edit_failure():
        for edit in module.edits:
            level = _file_level(module, edit.level, list(planter.frames))
            if level is None:
                continue
            frame = planter.frames[level]
            names = [n for n in referenced(module, edit.check) if n in frame.columns]
            for name in names:
                for value in pd.unique(frame[name].dropna())[:25]:
                    trial = frame.copy()
                    trial[name] = value
                    context = derive(
                        module,
                        _with_parent(module, {**planter.frames, level: trial}, level),
                        adapted.params,
                    )
                    when = (
                        evaluate_frame(module, edit.when, context, adapted.params)
                        .fillna(False)
                        .to_numpy(dtype=bool)
                        if edit.when
                        else np.ones(len(trial), dtype=bool)
                    )
                    check = evaluate_frame(module, edit.check, context, adapted.params)
                    fails = when & (check == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
                    for row in planter.rows(level, fails)[:2]:

                        def change(frames, options, level=level, name=name, row=row, value=value):
                            frames[level].loc[row, name] = value

                        code = "DATA-EDIT-001" if edit.severity == "error" else "DATA-EDIT-002"
                        yield (
                            level,
                            change,
                            {(code, edit.id)},
                            f"edit {edit.id}: `{name}` set to {_plain_value(value)}",
                        )

    def duplicate():
        frame = planter.frames[main]
        ids = module.level_by_id[main].id_variables
        for row in range(1, len(frame)):
            if (
                frame.loc[row, "hh_id"] == frame.loc[row - 1, "hh_id"]
                and (main, row + 1) not in planter.used_rows
            ):

                def change(frames, options, row=row):
                    frames[main].loc[row, ids[1]] = frames[main].loc[row - 1, ids[1]]

                yield (
                    main,
                    change,
                    {("DATA-ID-001", "")},
                    f"row repeats the ({', '.join(ids)}) of the row before",
                )
                if row > 40:
                    return

    def orphan():
        if not child or module.level_by_id[main].parent not in planter.frames:
            return
        frame = planter.frames[main]
        counts = frame["hh_id"].value_counts()
        for row in range(len(frame)):
            if counts[frame.loc[row, "hh_id"]] >= 2 and (main, row + 1) not in planter.used_rows:

                def change(frames, options, row=row):
                    frames[main].loc[row, "hh_id"] = 9999

                yield (
                    main,
                    change,
                    {("DATA-ID-002", "")},
                    "member of household 9999, which is not in the household file",
                )
                if row > 30:
                    return

    def childless():
        parent = module.level_by_id[main].parent
        if not child or parent not in planter.frames:
            return

        unused = [
            r
            for r in range(len(planter.frames[parent]))
            if (parent, r + 1) not in planter.used_rows
        ]

        def change(frames, options):
            extra = frames[parent].iloc[[unused[-1]]].copy()
            extra["hh_id"] = 9991
            frames[parent] = pd.concat([frames[parent], extra], ignore_index=True)

        yield (
            parent,
            change,
            {("DATA-ID-003", "")},
            "household 9991 has no member in the member file",
        )

    def disagreement():
        """Flat file: one person row of a household gives another answer to a household question."""
        frame = planter.frames[main]
        for q in planter.questions(main, lambda q: q.level != main and q.id in planter.leaves):
            later = frame.duplicated(module.level_by_id[q.level].id_variables).to_numpy()
            for row in planter.rows(main, later & answered(main, q))[:4]:
                current = frame.loc[row, q.id]
                other = next(v for v in frame[q.id].dropna().unique() if v != current)

                def change(frames, options, q=q, row=row, value=other):
                    frames[main].loc[row, q.id] = value

                yield (
                    main,
                    change,
                    {("DATA-LEVEL-002", q.id)},
                    f"`{q.id}` = {_plain_value(other)} on a later row of a {q.level} whose first "
                    f"row says {_plain_value(current)}",
                )

    first_success("code outside the list", out_of_list())
    first_success("invalid country code", invalid_country())
    first_success("answered outside the universe", skip(True))
    first_success("blank inside the universe", skip(False))
    first_success("item non-response", nonresponse())
    first_success("edit failure", edit_failure())
    first_success("duplicate identifier", duplicate())
    if any(q.level != main for q in planter.questions(main, lambda q: True)):
        first_success("household answers that disagree", disagreement())
    if child and module.level_by_id[main].parent in planter.frames:
        first_success("person without a household", orphan())
        first_success("household without persons", childless())
    if planter.sample.metadata_defects:
        coded = planter.questions(
            main,
            lambda q: (
                q.type is QuestionType.SELECT_ONE
                and len(substantive_codes(adapted, q)) >= 2
                and q.id not in planter.options[main].letters
            ),
        )
        numeric = planter.questions(
            main, lambda q: q.type in (QuestionType.INTEGER, QuestionType.YEAR)
        )

        def drift_candidates():
            for q in coded:

                def change(frames, options, q=q):
                    options[main].drift = q.id

                yield (
                    main,
                    change,
                    {("DATA-CODE-003", q.id)},
                    f"value labels of `{q.id}` swap its first two codes",
                )

        def text_candidates():
            for q in numeric:

                def change(frames, options, q=q):
                    options[main].as_text = q.id

                yield (
                    main,
                    change,
                    {("DATA-CODE-004", q.id)},
                    f"`{q.id}` stored as a string variable",
                )

        first_success("label drift", drift_candidates())
        first_success("number stored as text", text_candidates())
    return missed


# ---- main ----------------------------------------------------------------------------------------
def profile_text(sample: SampleSet, adapted: Adapted, levels: list[str]) -> str:
    module = adapted.module
    excluded = [q.id for q in module.questions if _file_level(module, q.level, levels) is None]
    lines = [
        f"# Profile for the {sample.name} sample (regenerate with samples/make_samples.py).",
        "profile_format: 1",
        f"name: {sample.name}-sample",
        "country: KEN",
        "reference_date: 2030-01-01",
        "languages: [en, fr, es]",
        "modules:",
        f"  - module: {sample.module}",
        "    files:",
    ]
    lines += [f"      {level}: {names[0]}" for level, names in sample.files.items()]
    if sample.national_names:
        lines.append("    variables:")
        lines += [
            f"      {q}: {v}"
            for q, v in sample.national_names.items()
            if q in module.question_by_id
        ]
    if excluded:
        lines.append("    # questions of levels the sample has no file for")
        lines.append(f"    exclude: [{', '.join(excluded)}]")
    return "\n".join(lines) + "\n"


def make(sample: SampleSet, out: Path) -> dict[str, Any]:
    rng = np.random.default_rng(SEED + len(sample.name))
    profile_path = out / f"{sample.name}.profile.yaml"
    base = adapt(None, sample.module, country=str(COUNTRY), reference_date="2030-01-01")[0]
    profile_path.write_text(profile_text(sample, base, list(sample.files)), encoding="utf-8")
    adapted = adapt(load_profile(profile_path), sample.module)[0]
    if len(sample.files) == 1:
        many = SampleSet(
            sample.name, sample.module, sample.files, sample.households * 30, sample.national_names
        )
        frames = generate(adapted, many, rng)
        replaced = select_clean(adapted, sample, frames, sample.households * 3, rng)
        replaced += clean(adapted, sample, frames, rng)
    else:
        frames = generate(adapted, sample, rng)
        replaced = clean(adapted, sample, frames, rng)
    planter = Planter(adapted, sample, frames, rng)
    missed = plant_all(planter)
    for level, names in sample.files.items():
        for name in names:
            write_level(adapted, sample, planter.frames[level], out / name, planter.options[level])
    files = {level: names for level, names in sample.files.items()}
    return {
        "module": adapted.module.ref,
        "profile": profile_path.name,
        "files": files,
        "rows": {level: len(frame) for level, frame in planter.frames.items()},
        "rows_replaced_while_cleaning": replaced,
        "not_planted": missed,
        "defects": [d.__dict__ for d in planter.defects],
    }


def readme(manifest: dict[str, Any]) -> str:
    lines = [
        "# Sample data",
        "",
        "Small synthetic files to try `migmodule validate` at once. They are generated by",
        "`python samples/make_samples.py` (seeded: the same files every time) from the module specs,",
        "with the defects below planted on purpose. `tests/test_samples.py` checks that the validator",
        "finds exactly these defects, in these rows, and nothing else.",
        "",
        "```",
        "migmodule validate samples/census_persons.sav --profile samples/census.profile.yaml --report report.html",
        "migmodule validate samples/census_persons.dta --profile samples/census.profile.yaml",
        "migmodule validate --profile samples/rural.profile.yaml --report rural.xlsx",
        "```",
        "",
    ]
    for name, sample in manifest.items():
        files = ", ".join(
            f"`{n}` ({level}, {sample['rows'][level]} rows)"
            for level, names in sample["files"].items()
            for n in names
        )
        lines += [
            f"## {name}: {sample['module']}",
            "",
            f"Files: {files}; profile `{sample['profile']}`.",
            "",
            "| # | check (code) | level | question / edit | rows | what was planted |",
            "|---|---|---|---|---|---|",
        ]
        for i, d in enumerate(sample["defects"], 1):
            metadata = d["code"] in ("DATA-CODE-003", "DATA-CODE-004")
            rows = ", ".join(str(r) for r in d["rows"]) or ("(file metadata)" if metadata else "-")
            lines.append(
                f"| {i} | {d['code']} | {d['level']} | {d['what'] or '-'} | {rows} | {d['description']} |"
            )
        if sample["not_planted"]:
            lines += [
                "",
                f"Not planted (the module has no question or edit that allows it cleanly yet): "
                f"{', '.join(sample['not_planted'])}.",
            ]
        lines.append("")
    lines += [
        "Rows are 1-based row numbers in the file. Identifier defects count the repeated or unmatched",
        "rows; an edit or skip defect is in the row given. The non-response defect is a rate above",
        "the 5% threshold: its rows are the units of the universe that did not answer.",
        "",
        "A one-file sample is flat: its household questions are repeated on every person row, and",
        "the validator checks them once per household (on the household's first row). The",
        "DATA-LEVEL-002 defect's row is the person row that disagrees with its household's first row.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    out = HERE
    manifest = {}
    for sample in SETS:
        try:
            manifest[sample.name] = make(sample, out)
        except FileNotFoundError as exc:
            print(f"{sample.name}: skipped ({exc})", file=sys.stderr)
    (out / "defects.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(readme(manifest), encoding="utf-8")
    for name, sample in manifest.items():
        print(
            f"{name}: {len(sample['defects'])} defects planted; not planted: {sample['not_planted'] or 'none'}"
        )


if __name__ == "__main__":
    main()
