"""Compare two versions of a module and classify each change as major, minor or patch.

Major breaks comparability of data collected with the two versions (a question or code removed, a
code's meaning changed, a universe changed, a type or variable changed); minor adds (questions,
codes, edits, parameters) or re-words questions; patch touches only help text, translations
other than English, sources and notes.

Shared modules (`uses`): a changed pin is one `uses_*` change; what it brings shows as the usual
changes of the merged elements, each detail naming the shared module it comes from. The same
element first copied, then taken by reference (or back) is a `now_shared` / `no_longer_shared`
patch change: the definition did not change.
"""

from __future__ import annotations

from dataclasses import dataclass

from migmodule.spec.model import Module

RANK = {"patch": 0, "minor": 1, "major": 2}


@dataclass(frozen=True)
class Change:
    kind: str  # question_added, code_removed, universe_changed, ...
    item: str  # question id, code list id, ...
    detail: str
    impact: str  # major | minor | patch

    def to_dict(self) -> dict[str, str]:
        return self.__dict__.copy()


def _changed_languages(old: dict | None, new: dict | None) -> set[str]:
    old, new = old or {}, new or {}
    return {lang for lang in set(old) | set(new) if old.get(lang) != new.get(lang)}


def _text_impact(old: dict | None, new: dict | None, english_impact: str) -> str | None:
    languages = _changed_languages(old, new)
    if not languages:
        return None
    return english_impact if "en" in languages else "patch"


def _same(a, b) -> bool:
    """Equal but for where the element comes from (`shared_from`)."""
    return a.model_dump(exclude={"shared_from"}) == b.model_dump(exclude={"shared_from"})


def _origins(module: Module) -> dict[str, str | None]:
    return {
        item.id: item.shared_from
        for key in ("levels", "code_lists", "conditions", "questions", "edits", "derived")
        for item in getattr(module, key)
    }


def _uses_changes(old: Module, new: Module) -> list[Change]:
    changes = []
    before, after = old.shared_refs, new.shared_refs
    for shared_id in sorted(after.keys() - before.keys()):
        detail = f"now uses {after[shared_id]} (questions taken by reference)"
        changes.append(Change("uses_added", shared_id, detail, "minor"))
    for shared_id in sorted(before.keys() - after.keys()):
        detail = f"no longer uses {before[shared_id]}"
        changes.append(Change("uses_removed", shared_id, detail, "minor"))
    for shared_id in sorted(before.keys() & after.keys()):
        if before[shared_id] != after[shared_id]:
            detail = (
                f"shared module {before[shared_id]} -> {after[shared_id]} (the changes it "
                "brings are listed with it; modules combined in one run must use the same major version, "
                "and its minor versions combine when the elements both carry have the same codes and rules)"
            )
            changes.append(Change("uses_changed", shared_id, detail, "minor"))
    old_origin, new_origin = _origins(old), _origins(new)
    for item_id in sorted(old_origin.keys() & new_origin.keys()):
        was, now = old_origin[item_id], new_origin[item_id]
        if was is None and now is not None:
            changes.append(
                Change("now_shared", item_id, f"'{item_id}' now taken from {now}", "patch")
            )
        elif was is not None and now is None:
            detail = f"'{item_id}' now defined in the module (was taken from {was})"
            changes.append(Change("no_longer_shared", item_id, detail, "patch"))
    return changes


def diff_modules(old: Module, new: Module) -> list[Change]:
    changes = _content_changes(old, new)
    # Say where a change of a merged element comes from.
    origin = {**_origins(old), **{k: v for k, v in _origins(new).items() if v}}
    changes = [
        Change(c.kind, c.item, f"{c.detail} (from {origin[c.item]})", c.impact)
        if origin.get(c.item)
        else c
        for c in changes
    ]
    changes += _uses_changes(old, new)
    return sorted(changes, key=lambda c: (-RANK[c.impact], c.kind, c.item))


def _content_changes(old: Module, new: Module) -> list[Change]:
    changes: list[Change] = []
    add = lambda kind, item, detail, impact: changes.append(Change(kind, item, detail, impact))  # noqa: E731

    old_q, new_q = old.question_by_id, new.question_by_id
    for qid in new_q.keys() - old_q.keys():
        add("question_added", qid, f"new question '{qid}'", "minor")
    for qid in old_q.keys() - new_q.keys():
        add("question_removed", qid, f"question '{qid}' removed", "major")
    for qid in old_q.keys() & new_q.keys():
        a, b = old_q[qid], new_q[qid]
        if a.type != b.type:
            add("type_changed", qid, f"type {a.type.value} -> {b.type.value}", "major")
        if a.variable_name != b.variable_name:
            add(
                "variable_renamed", qid, f"variable {a.variable_name} -> {b.variable_name}", "major"
            )
        if (a.universe or "") != (b.universe or ""):
            add(
                "universe_changed",
                qid,
                f"universe '{a.universe or 'all'}' -> '{b.universe or 'all'}'",
                "major",
            )
        if a.code_list != b.code_list:
            add("code_list_switched", qid, f"code list {a.code_list} -> {b.code_list}", "major")
        if a.level != b.level:
            add("level_changed", qid, f"level {a.level} -> {b.level}", "major")
        impact = _text_impact(a.label, b.label, "minor")
        if impact:
            add(
                "question_reworded",
                qid,
                f"wording changed in {sorted(_changed_languages(a.label, b.label))}",
                impact,
            )
        for key in ("hint", "instructions", "definition", "variable_label"):
            if _changed_languages(getattr(a, key), getattr(b, key)):
                add(f"{key}_changed", qid, f"{key} changed", "patch")
        if (a.constraint, a.range, a.required) != (b.constraint, b.range, b.required):
            add("validation_changed", qid, "constraint, range or required changed", "minor")
        if a.status != b.status:
            add("status_changed", qid, f"status {a.status.value} -> {b.status.value}", "minor")

    old_cl, new_cl = old.code_list_by_id, new.code_list_by_id
    for lid in new_cl.keys() - old_cl.keys():
        add("code_list_added", lid, f"new code list '{lid}'", "minor")
    for lid in old_cl.keys() - new_cl.keys():
        add("code_list_removed", lid, f"code list '{lid}' removed", "major")
    for lid in old_cl.keys() & new_cl.keys():
        a_codes = {c.code: c for c in old_cl[lid].codes}
        b_codes = {c.code: c for c in new_cl[lid].codes}
        if old_cl[lid].source != new_cl[lid].source:
            add(
                "code_list_source_changed",
                lid,
                f"source {old_cl[lid].source} -> {new_cl[lid].source}",
                "major",
            )
        for code in sorted(b_codes.keys() - a_codes.keys()):
            add("code_added", lid, f"code {code} added", "minor")
        for code in sorted(a_codes.keys() - b_codes.keys()):
            add("code_removed", lid, f"code {code} removed", "major")
        for code in sorted(a_codes.keys() & b_codes.keys()):
            a, b = a_codes[code], b_codes[code]
            if a.special != b.special:
                add(
                    "code_meaning_changed",
                    lid,
                    f"code {code}: special {a.special} -> {b.special}",
                    "major",
                )
            impact = _text_impact(a.label, b.label, "major")
            if impact:
                what = "meaning (English label)" if impact == "major" else "translation"
                add("code_relabelled", lid, f"code {code}: {what} changed", impact)

    for key, kind, removed_impact in (
        ("edits", "edit", "minor"),
        ("derived", "derived", "major"),
        ("parameters", "parameter", "major"),
        ("conditions", "condition", "minor"),
    ):
        old_items = {item.id: item for item in getattr(old, key)}
        new_items = {item.id: item for item in getattr(new, key)}
        for item_id in new_items.keys() - old_items.keys():
            add(f"{kind}_added", item_id, f"new {kind} '{item_id}'", "minor")
        for item_id in old_items.keys() - new_items.keys():
            add(f"{kind}_removed", item_id, f"{kind} '{item_id}' removed", removed_impact)
        for item_id in old_items.keys() & new_items.keys():
            a, b = old_items[item_id], new_items[item_id]
            if _same(a, b):
                continue
            if kind == "derived" and (a.cases, a.expression, a.when, a.code_list) != (
                b.cases,
                b.expression,
                b.when,
                b.code_list,
            ):
                add("derived_changed", item_id, "derivation rule changed", "major")
            elif kind == "condition" and a.expression != b.expression:
                add(
                    "condition_changed",
                    item_id,
                    "expression changed (universes using it change)",
                    "major",
                )
            elif kind == "edit" and (a.when, a.check, a.severity) != (b.when, b.check, b.severity):
                add("edit_changed", item_id, "rule or severity changed", "minor")
            elif kind == "parameter" and (a.type, a.default, a.choices) != (
                b.type,
                b.default,
                b.choices,
            ):
                add("parameter_changed", item_id, "type, default or choices changed", "minor")
            else:
                add(f"{kind}_text_changed", item_id, "labels or notes changed", "patch")

    for key in ("title", "description", "purpose"):
        if _changed_languages(getattr(old, key), getattr(new, key)):
            add("metadata_changed", key, f"{key} changed", "patch")
    if old.sources != new.sources or old.concepts != new.concepts or old.notes != new.notes:
        add("documentation_changed", "module", "sources, concepts or notes changed", "patch")
    if set(new.languages) - set(old.languages):
        add(
            "language_added",
            "module",
            f"languages added: {sorted(set(new.languages) - set(old.languages))}",
            "minor",
        )
    return changes


def required_bump(changes: list[Change]) -> str | None:
    return max((c.impact for c in changes), key=RANK.get, default=None)


def expected_version(old: Module, bump: str | None) -> str:
    major, minor, patch = old.version_tuple
    if major == 0 and bump == "major":
        bump = "minor"  # 0.x: anything may change; a minor bump is enough
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    if bump == "patch":
        return f"{major}.{minor}.{patch + 1}"
    return old.version


def version_is_enough(old: Module, new: Module, bump: str | None) -> bool:
    expected = tuple(int(x) for x in expected_version(old, bump).split("."))
    return new.version_tuple >= expected
