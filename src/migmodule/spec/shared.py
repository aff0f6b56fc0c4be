"""Shared modules: questions several modules ask, defined once (`kind: shared`) and used by reference.

A module lists `uses: [{module: person-core@1.0.0, questions: [sex, age]}]`. `merge_uses` puts
into the using module's view, ahead of its own elements and marked `shared_from`:

- the named questions (every question when `questions` is left out) and, transitively, the
  questions, conditions and derived variables their universes, constraints, ranges and their
  levels' `count` read (a universe never points at nothing);
- the derived variables and edits of the shared module whose every input is merged;
- the levels of the merged elements and their parents, the code lists they use, the parameters
  and sources they name, the concepts the questions cite.

Merged elements are read-only: an own element with a merged id is kept (the own one wins in the
view) and reported by lint as SPEC-USES-005. A parameter of the same id and type is not a
redefinition: parameters are national values that every module reads by name.

`duplicates` is what combined exports use to ask a shared question once: the second and later
modules that carry the same shared element (same origin module, same id) leave it to the first.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.expr.ast import names
from migmodule.expr.parser import ExprSyntaxError, parse
from migmodule.spec import codes
from migmodule.spec.model import MODULE_ID_PATTERN, SEMVER_PATTERN, Module

EXACT_REF = re.compile(rf"^({MODULE_ID_PATTERN[1:-1]})@({SEMVER_PATTERN[1:-1]})$")

# The collections a shared module lends, in the order they are merged.
COLLECTIONS = (
    "parameters",
    "sources",
    "concepts",
    "levels",
    "code_lists",
    "conditions",
    "questions",
    "edits",
    "derived",
)
# Merged silently when the using module defines the same id (documentation, national values).
_OWN_WINS_SILENTLY = ("sources", "concepts")
_KIND = {
    "parameters": "parameter",
    "levels": "level",
    "code_lists": "code list",
    "conditions": "condition",
    "questions": "question",
    "edits": "edit",
    "derived": "derived variable",
}


@dataclass(frozen=True)
class Redefinition:
    """An own element whose id the module also takes from a shared module (lint: SPEC-USES-005)."""

    collection: str  # "questions", "code_lists", ...
    id: str
    ref: str  # the shared module it is also taken from
    index: int  # index of the own element in the merged module's collection

    @property
    def kind(self) -> str:
        return _KIND[self.collection]


def _reads(text: str | None) -> set[str]:
    """Names an expression reads (questions, conditions, derived, parameters), not expanded."""
    if not text:
        return set()
    try:
        return {name.id for name in names(parse(text))}
    except ExprSyntaxError:
        return set()  # the shared module's own lint reports it


def element_reads(item: Any) -> set[str]:
    """Every name a question, condition, derived variable or edit reads."""
    texts: list[str | None] = []
    for key in ("universe", "constraint", "expression", "when", "check"):
        texts.append(getattr(item, key, None))
    bounds = getattr(item, "range", None)
    if bounds is not None:
        texts += [b for b in (bounds.minimum, bounds.maximum) if isinstance(b, str)]
    texts += [case.when for case in getattr(item, "cases", None) or []]
    return set().union(*(_reads(text) for text in texts))


def _ancestors(module: Module, level_id: str) -> list[str]:
    chain: list[str] = []
    while level_id in module.level_by_id and level_id not in chain:
        chain.append(level_id)
        level_id = module.level_by_id[level_id].parent or ""
    return chain


def selection(
    shared: Module, wanted: Iterable[str] | None, read: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """The elements of `shared` a `uses` entry brings, per collection, in the shared module's order.

    `wanted`: the questions listed (None: all); `read`: names the using module's own rules read,
    of which the shared conditions and derived variables come along (a question must be listed).
    """
    if wanted is None:
        return {key: list(getattr(shared, key)) for key in COLLECTIONS}
    elements = {**shared.condition_by_id, **shared.derived_by_id, **shared.question_by_id}
    chosen: set[str] = set()
    levels: set[str] = set()
    todo = list(wanted) + [
        name for name in read if name in shared.condition_by_id or name in shared.derived_by_id
    ]
    while todo:
        name = todo.pop()
        if name in chosen or name not in elements:
            continue
        chosen.add(name)
        item = elements[name]
        todo.extend(element_reads(item))
        for level_id in _ancestors(shared, getattr(item, "level", "")):
            levels.add(level_id)
            count = shared.level_by_id[level_id].count
            if count:
                todo.append(count)
    # Derived variables and edits come along when everything they read is there.
    parameters = set(shared.parameter_by_id)
    for derived in shared.derived:
        inputs = element_reads(derived) - parameters
        if derived.id not in chosen and derived.level in levels and inputs <= chosen:
            chosen.add(derived.id)
    edits = [
        e for e in shared.edits if e.level in levels and element_reads(e) - parameters <= chosen
    ]
    picked: dict[str, list[Any]] = {
        "levels": [lv for lv in shared.levels if lv.id in levels],
        "conditions": [c for c in shared.conditions if c.id in chosen],
        "questions": [q for q in shared.questions if q.id in chosen],
        "edits": edits,
        "derived": [d for d in shared.derived if d.id in chosen],
    }
    lists = {q.code_list for q in picked["questions"]} | {d.code_list for d in picked["derived"]}
    picked["code_lists"] = [c for c in shared.code_lists if c.id in lists]
    concepts = {q.concept for q in picked["questions"] if q.concept}
    picked["concepts"] = [c for c in shared.concepts if c.id in concepts]
    # Parameters and sources are named in expressions, texts ({MIN_AGE}), list sources and citations.
    dump = json.dumps(
        [item.model_dump(mode="json", exclude_none=True) for key in picked for item in picked[key]]
    )
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9_.-]*", dump))
    picked["parameters"] = [p for p in shared.parameters if p.id in words]
    cited = {
        citation.source
        for key in ("questions", "edits", "derived", "concepts")
        for item in picked[key]
        for citation in item.sources
    }
    picked["sources"] = [s for s in shared.sources if s.id in cited]
    return {key: picked[key] for key in COLLECTIONS}


@dataclass
class Merged:
    module: Module
    lines: dict[tuple[Any, ...], int]
    shared: dict[str, Module]  # exact reference -> the shared module
    redefined: list[Redefinition]


def _find_shared(ref: str, path: Path, banks: Sequence[Path]) -> Path | None:
    module_id, version = ref.split("@")
    for bank in banks:
        candidate = bank / module_id / f"{version}.yaml"
        if candidate.is_file():
            return candidate
    return None


def _banks(path: Path) -> list[Path]:
    """Where a used module is looked for: the folder of modules the file sits in, then the bank."""
    from migmodule.spec.registry import bank_dir

    banks = [path.resolve().parent.parent, bank_dir().resolve()]
    return list(dict.fromkeys(banks))


def _available(module_id: str, banks: Sequence[Path]) -> str:
    versions = sorted(
        {f"{module_id}@{p.stem}" for bank in banks for p in (bank / module_id).glob("*.yaml")}
    )
    return ", ".join(versions) or "none"


def merge_uses(module: Module, path: Path, lines: dict[tuple[Any, ...], int]) -> Merged:
    """The using module's view with the shared elements merged in (raise on an unusable `uses`)."""
    from migmodule.spec.load import SpecSchemaError, load_spec_file

    findings: list[Finding] = []

    def at(*key: Any) -> Location:
        for end in range(len(key), 0, -1):
            if key[:end] in lines:
                return Location(file=str(path), line=lines[key[:end]], module=module.ref)
        return Location(file=str(path), module=module.ref)

    banks = _banks(path)
    seen: dict[str, str] = {}
    used: list[tuple[int, str, Module, list[str] | None]] = []
    for k, use in enumerate(module.uses):
        ref = use.module.strip()
        match = EXACT_REF.match(ref)
        if match is None:
            example = f"{ref.split('@')[0]}@1.0.0"
            findings.append(
                Finding.make(codes.USES_PIN, at("uses", k, "module"), ref=ref, example=example)
            )
            continue
        if match[1] in seen:
            findings.append(
                Finding.make(
                    codes.USES_TWICE,
                    at("uses", k, "module"),
                    name=match[1],
                    refs=f"{seen[match[1]]}, {ref}",
                )
            )
            continue
        seen[match[1]] = ref
        file = _find_shared(ref, path, banks)
        if file is None:
            findings.append(
                Finding.make(
                    codes.USES_NOT_FOUND,
                    at("uses", k, "module"),
                    ref=ref,
                    banks=", ".join(str(b) for b in banks),
                    available=_available(match[1], banks),
                )
            )
            continue
        try:
            shared = load_spec_file(file).module
        except SpecSchemaError as exc:
            raise SpecSchemaError(findings + exc.findings) from None
        if shared.kind != "shared" or shared.ref != ref:
            findings.append(
                Finding.make(
                    codes.USES_NOT_SHARED,
                    at("uses", k, "module"),
                    ref=ref,
                    kind=shared.kind
                    if shared.ref == ref
                    else f"module (the file holds {shared.ref})",
                )
            )
            continue
        for j, name in enumerate(use.questions or []):
            if name not in shared.question_by_id:
                close = difflib.get_close_matches(name, list(shared.question_by_id), n=2)
                suggestion = (
                    f" Did you mean {', '.join(close)}?"
                    if close
                    else f" Its questions: {', '.join(shared.question_by_id)}."
                )
                findings.append(
                    Finding.make(
                        codes.USES_UNKNOWN_QUESTION,
                        at("uses", k, "questions", j),
                        ref=ref,
                        name=name,
                        suggestion=suggestion,
                    )
                )
        used.append((k, ref, shared, use.questions))
    if findings:
        raise SpecSchemaError(findings)

    own_reads: set[str] = set()
    for key in ("questions", "conditions", "edits", "derived"):
        for item in getattr(module, key):
            own_reads |= element_reads(item)
    own_reads |= {level.count for level in module.levels if level.count}
    merged: dict[str, list[Any]] = {key: [] for key in COLLECTIONS}
    taken: dict[str, dict[str, str]] = {key: {} for key in COLLECTIONS}  # id -> ref
    use_line: dict[tuple[str, int], int | None] = {}
    for k, ref, shared, wanted in used:
        for key, items in selection(shared, wanted, own_reads).items():
            for item in items:
                if item.id in taken[key]:
                    continue  # the same id from two shared modules: the first one listed wins
                taken[key][item.id] = ref
                use_line[(key, len(merged[key]))] = at("uses", k).line
                merged[key].append(
                    item.model_copy(update={"shared_from": ref})
                    if hasattr(item, "shared_from")
                    else item
                )

    redefined: list[Redefinition] = []
    view: dict[str, list[Any]] = {}
    for key in COLLECTIONS:
        own = list(getattr(module, key))
        own_ids = {item.id for item in own}
        keep = []
        for item in merged[key]:
            if item.id in own_ids:
                continue  # the own element wins in the view; lint reports it
            keep.append(item)
        view[key] = keep + own
        for index, item in enumerate(own):
            ref = taken[key].get(item.id)
            if ref is None or key in _OWN_WINS_SILENTLY:
                continue
            if key == "parameters":
                lent = next(p for p in merged[key] if p.id == item.id)
                if (lent.type, lent.choices) == (item.type, item.choices):
                    continue
            redefined.append(Redefinition(key, item.id, ref, len(keep) + index))
        # Line numbers: own elements move down by the number of merged ones ahead of them; merged
        # elements point at their `uses` entry.
        offset = len(keep)
        if offset:
            moved = {}
            for path_key, line in lines.items():
                if len(path_key) >= 2 and path_key[0] == key and isinstance(path_key[1], int):
                    moved[(key, path_key[1] + offset, *path_key[2:])] = line
                else:
                    moved[path_key] = line
            lines = moved
            position = 0
            for original, item in enumerate(merged[key]):
                if item.id in own_ids:
                    continue
                line = use_line[(key, original)]
                if line is not None:
                    lines[(key, position)] = line
                position += 1
    fields = {name: getattr(module, name) for name in type(module).model_fields}
    fields.update(view)
    return Merged(
        module=Module(**fields),
        lines=lines,
        shared={ref: shared for _, ref, shared, _ in used},
        redefined=redefined,
    )


# Combining several modules ------------------------------------------------------------------------

# The collections whose shared elements combined modules compare and share.
_COMBINED = ("levels", "code_lists", "conditions", "edits", "derived", "questions")
# What documents an element without being part of its rules: compared as texts.
_DOCUMENTATION = frozenset({"notes", "sources", "status_source", "common_mistakes"})
_LANGUAGE = re.compile(r"^[a-z]{2}$")


def _is_text(value: Any) -> bool:
    """A text per language ({en: ..., fr: ...}), the form of every label, hint and message."""
    return isinstance(value, dict) and all(
        isinstance(key, str) and _LANGUAGE.match(key) and isinstance(text, str)
        for key, text in value.items()
    )


def _without_texts(value: Any) -> Any:
    if _is_text(value):
        return None
    if isinstance(value, dict):
        return {k: _without_texts(v) for k, v in value.items() if k not in _DOCUMENTATION}
    if isinstance(value, list):
        return [_without_texts(v) for v in value]
    return value


def rules_of(item: Any) -> Any:
    """An element (question, code list, condition, edit, derived variable, level) without its
    texts: its model with every text per language blanked and its documentation (notes, sources,
    status_source, common_mistakes) and loader mark (shared_from) left out. Two versions of an
    element with equal `rules_of` ask, code, route and check alike; they differ only in words."""
    return _without_texts(item.model_dump(mode="json", exclude={"shared_from"}))


def check_shared_versions(modules: Sequence[Module]) -> list[Finding]:
    """Refuse (SPEC-USES-008) modules combined with versions of a shared module that define an
    element they both take from it differently; return the info findings (SPEC-USES-010) of the
    common elements that differ only in their texts.

    The same version combines. So do two minor versions of one major version (person-core 1.0.0,
    1.1.0 and 1.2.0) when every question, list, condition, edit, level and derived variable both
    modules take from it has the same rules in both (`rules_of`): a minor version that adds, or
    that rewords. Where the texts of a common element differ, the combined run uses those of the
    highest version carrying it (`align_shared_texts`) and the finding names them. Another major
    version, or a common element whose codes or rules differ, is refused.
    """
    seen: dict[str, list[tuple[Module, str]]] = {}  # shared id -> (module, exact shared ref)
    reworded: dict[str, set[str]] = {}  # shared id -> ids of common elements worded otherwise
    for module in modules:
        for shared_id, ref in module.shared_refs.items():
            for earlier, earlier_ref in seen.get(shared_id, []):
                if earlier_ref == ref:
                    continue
                element, texts = _differences(earlier, module, shared_id)
                if element is None and _major(earlier_ref) == _major(ref):
                    reworded.setdefault(shared_id, set()).update(texts)
                    continue
                raise MigmoduleError.of(
                    codes.SHARED_VERSIONS,
                    Location(module=module.ref),
                    first=earlier.ref,
                    first_ref=earlier_ref,
                    second=module.ref,
                    second_ref=ref,
                    shared=shared_id,
                    element=element
                    or f"the major version ({_major(earlier_ref)} and {_major(ref)})",
                )
            seen.setdefault(shared_id, []).append((module, ref))
    findings = []
    for shared_id, ids in reworded.items():
        if not ids:
            continue
        refs = sorted({ref for _, ref in seen[shared_id]}, key=_version)
        findings.append(
            Finding.make(
                codes.SHARED_TEXTS,
                Location(module=refs[-1]),
                shared=shared_id,
                refs=", ".join(ref.split("@", 1)[1] for ref in refs),
                modules=", ".join(m.ref for m, _ in seen[shared_id]),
                elements=", ".join(sorted(ids)),
                newest=refs[-1],
            )
        )
    return findings


def align_shared_texts(modules: Sequence[Module]) -> tuple[list[Module], list[Finding]]:
    """The modules of one combined run, each common shared element worded as in the highest
    version of its shared module that carries it; and the findings of `check_shared_versions`
    (SPEC-USES-010 names the elements reworded). Raises SPEC-USES-008 as it does.

    Combined exports and validation ask a shared question once, as the first module carrying it
    defines it; after this, that definition has the newest texts whichever module comes first
    (labour-migration@2.2.0 on person-core 1.2.0 with recruitment-costs@4.0.0 on 1.1.0: the age
    instruction of 1.2.0). An element replaced is marked `shared_from` the version it now is.
    A module with nothing to change is returned as it is.
    """
    findings = check_shared_versions(modules)
    newest: dict[tuple[str, str, str], Any] = {}  # (shared id, collection, element id) -> item
    for module in modules:
        for key in _COMBINED:
            for item in getattr(module, key):
                origin = getattr(item, "shared_from", None)
                if not origin:
                    continue
                slot = (_shared_id(origin) or "", key, item.id)
                if slot not in newest or _version(origin) > _version(newest[slot].shared_from):
                    newest[slot] = item
    aligned = []
    for module in modules:
        views: dict[str, list[Any]] = {}
        for key in _COMBINED:
            items = list(getattr(module, key))
            for index, item in enumerate(items):
                origin = getattr(item, "shared_from", None)
                top = newest.get((_shared_id(origin) or "", key, item.id)) if origin else None
                if (
                    top is not None
                    and top.shared_from != origin
                    and _major(top.shared_from) == _major(origin)
                    and rules_of(top) == rules_of(item)
                ):
                    items[index] = top
                    views[key] = items
        if views:
            fields = {name: getattr(module, name) for name in type(module).model_fields}
            fields.update(views)
            module = Module(**fields)
        aligned.append(module)
    return aligned, findings


def align_adapted_texts(adapted: Sequence[Any]) -> tuple[list[Any], list[Finding]]:
    """`align_shared_texts` for adapted modules (profile.Adapted, whose `module` it replaces)."""
    modules, findings = align_shared_texts([a.module for a in adapted])
    return [
        one if module is one.module else dataclasses.replace(one, module=module)
        for one, module in zip(adapted, modules, strict=True)
    ], findings


def _major(ref: str) -> str:
    return ref.split("@", 1)[1].split(".", 1)[0]


def _version(ref: str) -> tuple[int, ...]:
    return tuple(int(part) for part in ref.split("@", 1)[1].split("."))


def _differences(a: Module, b: Module, shared_id: str) -> tuple[str | None, list[str]]:
    """Of the elements both modules take from `shared_id`: the id of the first whose rules
    differ (None if none does), and the ids of those that differ only in their texts."""
    texts: list[str] = []
    for key in _COMBINED:
        theirs = {
            item.id: item
            for item in getattr(b, key)
            if _shared_id(getattr(item, "shared_from", None)) == shared_id
        }
        for item in getattr(a, key):
            if _shared_id(getattr(item, "shared_from", None)) != shared_id or item.id not in theirs:
                continue
            other = theirs[item.id]
            if item.model_dump(exclude={"shared_from"}) == other.model_dump(
                exclude={"shared_from"}
            ):
                continue
            if rules_of(item) != rules_of(other):
                return item.id, texts
            texts.append(item.id)
    return None, texts


def _shared_id(ref: str | None) -> str | None:
    return ref.split("@", 1)[0] if ref else None


def duplicates(parts: Sequence[tuple[Module, Iterable[str]]]) -> dict[tuple[int, str], int]:
    """Shared elements that an earlier module of a combination already carries.

    `parts` are the combined modules with the ids of the elements each one puts in the output
    (its chosen questions, derived variables, edits, levels...). The result maps (index of a
    module, element id) to the index of the first module carrying the same element (same
    shared module, same id): that module asks it, the later ones leave it out and refer to its
    name. Raises SPEC-USES-008 when the modules pin versions of a shared module that define a
    common element differently (check_shared_versions).
    """
    check_shared_versions([module for module, _ in parts])
    owner: dict[tuple[str, str], int] = {}
    result: dict[tuple[int, str], int] = {}
    for index, (module, ids) in enumerate(parts):
        origin = _origins(module)
        for item_id in ids:
            shared_from = origin.get(item_id)
            if shared_from is None:
                continue
            key = (_shared_id(shared_from), item_id)  # versions checked alike above
            if key in owner:
                result[(index, item_id)] = owner[key]
            else:
                owner[key] = index
    return result


def _origins(module: Module) -> dict[str, str]:
    """Element id -> the shared module it comes from, for every merged element of a module."""
    origin: dict[str, str] = {}
    for key in ("levels", "code_lists", "conditions", "edits", "derived", "questions"):
        for item in getattr(module, key):
            if getattr(item, "shared_from", None):
                origin[item.id] = item.shared_from
    return origin


def shared_from(module: Module, item_id: str) -> str | None:
    """The shared module a question, derived variable, edit, condition, level or list comes from."""
    return _origins(module).get(item_id)
