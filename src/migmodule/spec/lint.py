"""Lint a module spec: every finding has a stable code, a severity, a location and a fix.

`lint_spec(loaded)` checks one loaded spec; `lint_paths([...])` loads and checks files or built-in
references, turning unloadable files into findings instead of stopping.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from migmodule.codes import Finding, MigmoduleError
from migmodule.codes import get as get_code
from migmodule.expr.ast import Bool, Num
from migmodule.expr.functions import is_condition
from migmodule.expr.parser import ExprSyntaxError
from migmodule.expr.semantics import Field, check, expand, fold, referenced, symbols
from migmodule.naming import variable_name_problems
from migmodule.spec import codes
from migmodule.spec.load import LoadedSpec, SpecSchemaError
from migmodule.spec.model import LANGUAGES, Module
from migmodule.spec.params import resolve_parameters
from migmodule.spec.reach import reachable
from migmodule.spec.text import placeholders

TEXT_PLACEHOLDERS = {"COUNTRY_NAME", "COUNTRY_IN", "COUNTRY_OF", "REF_YEAR"}


class _Linter:
    def __init__(self, spec: LoadedSpec):
        self.spec = spec
        self.module: Module = spec.module
        self.findings: list[Finding] = []

    def add(self, issue, path: tuple[Any, ...], **values: Any) -> None:
        question = None
        if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
            question = self.module.questions[path[1]].id
        loc = self.spec.location(*path, question=question, language=values.get("language"))
        self.findings.append(Finding.make(issue, loc, **values))

    def run(self) -> list[Finding]:
        self.redefined_shared()
        self.duplicate_ids()
        self.references()
        self.expressions()
        self.code_lists()
        self.translations()
        self.variables()
        self.labels()
        self.reachability()
        self.text_placeholders()
        if self.module.status.value == "draft":
            self.add(codes.DRAFT_IN_BANK, ("status",), module=self.module.ref)
        return self.findings

    # ids and references -----------------------------------------------------------------------
    def redefined_shared(self) -> None:
        """An own element may not take the id of one merged from a shared module (`uses`), and
        a released module uses released shared modules only (a draft could change under it)."""
        if self.module.status.value == "released":
            for k, use in enumerate(self.module.uses):
                shared = self.spec.shared.get(use.module.strip())
                if shared is not None and shared.status.value != "released":
                    self.add(
                        codes.USES_DRAFT,
                        ("uses", k, "module"),
                        module=self.module.ref,
                        ref=shared.ref,
                    )
        for item in self.spec.redefined:
            self.add(
                codes.USES_REDEFINED,
                (item.collection, item.index, "id"),
                kind=item.kind,
                id=item.id,
                ref=item.ref,
            )

    def duplicate_ids(self) -> None:
        groups = {
            "question/derived/condition": [
                ("questions", i, q.id) for i, q in enumerate(self.module.questions)
            ]
            + [("derived", i, d.id) for i, d in enumerate(self.module.derived)]
            + [("conditions", i, c.id) for i, c in enumerate(self.module.conditions)],
        }
        for key in (
            "code_lists",
            "levels",
            "edits",
            "parameters",
            "sources",
            "concepts",
            "exercises",
        ):
            groups[key.rstrip("s").replace("_", " ")] = [
                (key, i, item.id) for i, item in enumerate(getattr(self.module, key))
            ]
        for kind, items in groups.items():
            first: dict[str, tuple[str, int]] = {}
            for key, index, item_id in items:
                if item_id in first:
                    other = self.spec.line_of(*first[item_id], "id")
                    self.add(
                        codes.DUPLICATE_ID,
                        (key, index, "id"),
                        kind=kind,
                        id=item_id,
                        other_line=other,
                    )
                else:
                    first[item_id] = (key, index)

    def _unknown(self, path, kind: str, name: str, candidates: list[str]) -> None:
        close = difflib.get_close_matches(name, candidates, n=2)
        hint = (
            f" Did you mean {', '.join(close)}?"
            if close
            else f" Known: {', '.join(candidates) or 'none'}."
        )
        self.add(codes.UNKNOWN_REFERENCE, path, kind=kind, name=name, suggestion=hint)

    def references(self) -> None:
        m = self.module
        levels = list(m.level_by_id)
        lists = list(m.code_list_by_id)
        sources = [s.id for s in m.sources]
        for i, level in enumerate(m.levels):
            if level.parent and level.parent not in m.level_by_id:
                self._unknown(("levels", i, "parent"), "level", level.parent, levels)
            if level.count and level.count not in m.question_by_id:
                self._unknown(
                    ("levels", i, "count"), "question", level.count, list(m.question_by_id)
                )
        kinds = (("questions", "question"), ("edits", "edit"), ("derived", "derived variable"))
        for key, kind in kinds:
            for i, item in enumerate(getattr(m, key)):
                if item.level not in m.level_by_id:
                    self.add(
                        codes.LEVEL_UNKNOWN,
                        (key, i, "level"),
                        kind=kind,
                        id=item.id,
                        level=item.level,
                        levels=", ".join(levels),
                    )
                code_list = getattr(item, "code_list", None)
                if code_list and code_list not in m.code_list_by_id:
                    self._unknown((key, i, "code_list"), "code list", code_list, lists)
                for j, citation in enumerate(getattr(item, "sources", [])):
                    if citation.source not in sources:
                        self.add(
                            codes.CITATION_UNKNOWN,
                            (key, i, "sources", j),
                            kind=kind,
                            id=item.id,
                            source=citation.source,
                            sources=", ".join(sources),
                        )
        for i, concept in enumerate(m.concepts):
            for j, citation in enumerate(concept.sources):
                if citation.source not in sources:
                    self.add(
                        codes.CITATION_UNKNOWN,
                        ("concepts", i, "sources", j),
                        kind="concept",
                        id=concept.id,
                        source=citation.source,
                        sources=", ".join(sources),
                    )

    # expressions --------------------------------------------------------------------------------
    def _expressions(self) -> Iterator[tuple[tuple[Any, ...], str, Field]]:
        m = self.module
        for i, c in enumerate(m.conditions):
            yield ("conditions", i, "expression"), c.expression, Field(f"condition {c.id}")
        for i, q in enumerate(m.questions):
            base = dict(level=q.level)
            if q.universe:
                yield ("questions", i, "universe"), q.universe, Field(f"universe of {q.id}", **base)
            if q.constraint:
                yield (
                    ("questions", i, "constraint"),
                    q.constraint,
                    Field(f"constraint of {q.id}", self_id=q.id, **base),
                )
            if q.range:
                for bound in ("minimum", "maximum"):
                    value = getattr(q.range, bound)
                    if isinstance(value, str):
                        yield (
                            ("questions", i, "range", bound),
                            value,
                            Field(f"range {bound} of {q.id}", self_id=q.id, **base),
                        )
        for i, e in enumerate(m.edits):
            for key in ("when", "check"):
                if getattr(e, key):
                    yield (
                        ("edits", i, key),
                        getattr(e, key),
                        Field(f"edit {e.id} {key}", level=e.level),
                    )
        for i, d in enumerate(m.derived):
            for j, case in enumerate(d.cases or []):
                if case.when:
                    yield (
                        ("derived", i, "cases", j, "when"),
                        case.when,
                        Field(f"derived {d.id} case {j + 1}", level=d.level),
                    )
            for key in ("expression", "when"):
                if getattr(d, key):
                    yield (
                        ("derived", i, key),
                        getattr(d, key),
                        Field(f"derived {d.id} {key}", level=d.level),
                    )

    def expressions(self) -> None:
        if any(f.code == codes.LEVEL_UNKNOWN.code for f in self.findings):
            return  # level rules cannot be judged against unknown levels
        for path, text, where in self._expressions():
            loc = self.spec.location(*path, question=where.self_id)
            tree, found = check(
                self.module, text, Field(where.label, where.level, where.self_id, loc)
            )
            self.findings.extend(found)
            if tree is None:
                continue
            if path[2] == "range" and is_condition(tree, frozenset(self.module.condition_by_id)):
                question = self.module.questions[path[1]].id
                self.add(
                    codes.RANGE_CONDITION, path, bound=path[3], question=question, expression=text
                )
            for node in tree.walk():
                if isinstance(node, Num) and not _exact_number(node.value):
                    self.add(
                        codes.NUMBER_TOO_LARGE,
                        path,
                        what=f"a number in `{_short(text)}`",
                        value=_short(str(node.value)),
                        limit=f"{MAX_EXACT:,}",
                    )
        self.derived_cycles()
        for i, condition in enumerate(self.module.conditions):
            try:
                expand(
                    self.module,
                    check(self.module, condition.expression, Field("x"))[0] or Bool(True),
                )
            except MigmoduleError as exc:  # a cycle, or too large once inlined (EXPR-SIZE-001)
                issue = get_code(exc.finding.code)
                self.add(issue, ("conditions", i, "expression"), **exc.finding.values)
                break  # one cycle is reported once, not once per member

    def derived_cycles(self) -> None:
        """A derived variable computed, directly or through others, from itself (each engine
        would recurse or read a blank): one finding per cycle."""
        m = self.module
        derived = {d.id: i for i, d in enumerate(m.derived)}
        uses: dict[str, list[str]] = {}
        for d in m.derived:
            texts = [d.expression, d.when, *(case.when for case in d.cases or [])]
            found: list[str] = []
            for text in filter(None, texts):
                try:
                    found += [n for n in referenced(m, text) if n in derived]
                except (MigmoduleError, ExprSyntaxError):
                    continue  # reported by `expressions`
            uses[d.id] = list(dict.fromkeys(found))
        state: dict[str, int] = {}  # 1: on the path, 2: done
        reported: set[frozenset[str]] = set()

        def visit(name: str, path: list[str]) -> None:
            state[name] = 1
            for used in uses.get(name, []):
                if state.get(used) == 1:
                    cycle = path[path.index(used) :] + [used]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        self.add(
                            codes.DERIVED_CYCLE,
                            ("derived", derived[used]),
                            cycle=" -> ".join(cycle),
                        )
                elif used not in state:
                    visit(used, [*path, used])
            state[name] = 2

        for name in uses:
            if name not in state:
                visit(name, [name])

    # code lists ------------------------------------------------------------------------------------
    def code_lists(self) -> None:
        m = self.module
        used = {q.code_list for q in m.questions} | {d.code_list for d in m.derived}
        from migmodule.countries import by_m49

        for i, code_list in enumerate(m.code_lists):
            if code_list.id not in used:
                self.add(codes.UNUSED_CODE_LIST, ("code_lists", i, "id"), id=code_list.id)
            seen: set[int] = set()
            for j, code in enumerate(code_list.codes):
                if not _exact_number(code.code) or abs(code.code) > MAX_CODE:
                    self.add(
                        codes.NUMBER_TOO_LARGE,
                        ("code_lists", i, "codes", j, "code"),
                        what=f"a code of list '{code_list.id}'",
                        value=_short(str(code.code)),
                        limit=f"{MAX_CODE:,}",
                    )
                if code.code in seen:
                    self.add(
                        codes.DUPLICATE_CODE,
                        ("code_lists", i, "codes", j),
                        code=code.code,
                        id=code_list.id,
                    )
                seen.add(code.code)
                if code_list.source == "builtin:countries" and code.code in by_m49():
                    self.add(
                        codes.SPECIAL_CODE_CLASH,
                        ("code_lists", i, "codes", j),
                        code=code.code,
                        id=code_list.id,
                        country=by_m49()[code.code].names["en"],
                    )

    # languages ------------------------------------------------------------------------------------
    def translations(self) -> None:
        declared = self.module.languages
        data = self.module.model_dump(mode="json", exclude_none=True)

        def walk(value: Any, path: tuple[Any, ...]) -> None:
            if isinstance(value, dict):
                keys = set(value)
                is_text = (
                    keys & set(LANGUAGES)
                    and all(isinstance(v, str) for v in value.values())
                    and all(isinstance(k, str) and re.fullmatch("[a-z]{2}", k) for k in keys)
                )
                if is_text:
                    what = _describe_path(self.module, path)
                    for lang in declared:
                        if not value.get(lang, "").strip():
                            self.add(codes.MISSING_TRANSLATION, path, what=what, language=lang)
                    for lang in sorted(keys - set(declared)):
                        self.add(codes.EXTRA_LANGUAGE, path, what=what, language=lang)
                    return
                for key, item in value.items():
                    if key in ("answers", "default"):
                        continue
                    walk(item, path + (key,))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, path + (index,))

        walk(data, ())

    # names and labels -----------------------------------------------------------------------------
    def variables(self) -> None:
        seen: dict[str, str] = {}
        items = [
            ("questions", i, q.id, q.variable_name) for i, q in enumerate(self.module.questions)
        ]
        items += [("derived", i, d.id, d.variable_name) for i, d in enumerate(self.module.derived)]
        for key, index, item_id, name in items:
            path = (key, index, "variable" if name != item_id else "id")
            for target, reason in variable_name_problems(name):
                self.add(codes.VARIABLE_NAME_INVALID, path, name=name, target=target, reason=reason)
            lowered = name.lower()
            if lowered in seen:
                self.add(
                    codes.VARIABLE_NAME_DUPLICATE,
                    path,
                    name=name,
                    first=seen[lowered],
                    second=item_id,
                )
            seen[lowered] = item_id

    def labels(self) -> None:
        items = [("questions", i, q) for i, q in enumerate(self.module.questions)]
        items += [("derived", i, d) for i, d in enumerate(self.module.derived)]
        for key, index, item in items:
            for lang, text in item.variable_label.items():
                if len(text) > 80:
                    self.add(
                        codes.VARIABLE_LABEL_LONG,
                        (key, index, "variable_label"),
                        name=item.variable_name,
                        language=lang,
                        length=len(text),
                    )
        for i, code_list in enumerate(self.module.code_lists):
            for j, code in enumerate(code_list.codes):
                for lang, text in code.label.items():
                    size = len(text.encode())
                    if size > 120:
                        self.add(
                            codes.VALUE_LABEL_LONG,
                            ("code_lists", i, "codes", j, "label"),
                            code=code.code,
                            id=code_list.id,
                            language=lang,
                            length=size,
                        )

    def reachability(self) -> None:
        if any(f.severity.value == "error" and f.code.startswith("EXPR") for f in self.findings):
            return
        try:
            params = resolve_parameters(self.module)
        except MigmoduleError as exc:
            self.findings.append(exc.finding)
            return
        from migmodule.expr.parser import parse

        for i, q in enumerate(self.module.questions):
            if not q.universe:
                continue
            try:
                tree = fold(expand(self.module, parse(q.universe)), params)
            except MigmoduleError:
                continue  # a parameter without a generic value: reachability depends on the profile
            if tree == Bool(False):
                self.add(
                    codes.UNREACHABLE,
                    ("questions", i, "universe"),
                    id=q.id,
                    reason="with the default parameters it folds to false",
                )
            elif reachable(self.module, q.universe, params) is False:
                self.add(
                    codes.UNREACHABLE,
                    ("questions", i, "universe"),
                    id=q.id,
                    reason="no combination of answers to the questions it reads makes it true",
                )

    def text_placeholders(self) -> None:
        known = set(self.module.parameter_by_id) | TEXT_PLACEHOLDERS
        for i, q in enumerate(self.module.questions):
            for key in ("label", "hint", "instructions"):
                for text in (getattr(q, key) or {}).values():
                    for name in placeholders(text):
                        if name not in known:
                            self._unknown(
                                ("questions", i, key),
                                "placeholder",
                                "{" + name + "}",
                                sorted(known),
                            )


# Codes become Stata and SPSS value labels (32-bit integers); other numbers must stay exact in
# a float64 (every engine reads data as float64).
MAX_CODE = 2**31 - 1
MAX_EXACT = 2**53


def _exact_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= MAX_EXACT
    return isinstance(value, float) and math.isfinite(value) and abs(value) <= MAX_EXACT


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _describe_path(module: Module, path: tuple[Any, ...]) -> str:
    if len(path) >= 2 and isinstance(path[1], int):
        collection = getattr(module, str(path[0]), None)
        if isinstance(collection, list) and path[1] < len(collection):
            item = collection[path[1]]
            item_id = getattr(item, "id", getattr(item, "code", path[1]))
            rest = ".".join(str(p) for p in path[2:])
            return f"{path[0]}[{item_id}]" + (f".{rest}" if rest else "")
    return ".".join(str(p) for p in path) or "(top)"


def lint_spec(spec: LoadedSpec) -> list[Finding]:
    findings = _Linter(spec).run()
    from migmodule.spec.versions import version_findings

    findings.extend(version_findings(spec))
    return findings


def lint_paths(targets: list[str]) -> list[Finding]:
    """Lint files or module references; with no targets, every file in the bank."""
    from migmodule.spec.registry import bank_dir, load_spec
    from migmodule.spec.versions import released_findings

    findings: list[Finding] = []
    if not targets:
        targets = [str(p) for p in sorted(bank_dir().glob("*/*.yaml"))]
        findings.extend(released_findings(bank_dir()))
    for target in targets:
        try:
            spec = load_spec(target)
        except SpecSchemaError as exc:
            findings.extend(exc.findings)
            continue
        except MigmoduleError as exc:
            findings.append(exc.finding)
            continue
        findings.extend(lint_spec(spec))
    return findings


class SpecLintError(MigmoduleError):
    """A module that lint refuses, met by a command that would use it; carries every error."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(findings[0])
        self.args = ("\n".join(str(f) for f in findings),)


# Lint errors every engine handles itself, with its own finding: an export renames a variable
# name its target forbids (with a warning), handouts and exports report a missing translation
# and fall back. The gate leaves them to the engines; `lint` still reports them.
ENGINE_HANDLED = frozenset({"LINT-VAR-001", "LINT-LANG-001"})

# Lint errors of each spec file this process has checked: (real path, mtime, size) -> errors.
_checked: dict[tuple[str, int, int], list[Finding]] = {}


def _released_unchanged(path: Path) -> bool:
    """A bank file recorded as released, with its recorded checksum: the bank is linted whole in
    the tests and before each release, so its released files need no lint on every run."""
    from migmodule.spec.registry import bank_dir
    from migmodule.spec.versions import checksum, read_register

    bank = bank_dir().resolve()
    if path.parent.parent != bank:
        return False
    recorded = read_register(bank).get(f"{path.parent.name}/{path.name}")
    return recorded is not None and recorded == checksum(path)


def checked_spec(ref_or_path: str | Path) -> LoadedSpec:
    """Load a module and refuse it, with lint's own codes, when lint reports an error.

    The one validation path before every engine (export, handout, validate, apply-labels, map,
    compare all adapt modules through `profile.adapt`, which calls this): what `lint` refuses no
    command uses. Version-bump findings are left to `lint` (they concern releasing, not the
    content). Each file is linted once per process; released bank files are not linted again.
    """
    from migmodule.spec.registry import load_spec

    spec = load_spec(ref_or_path)
    path = spec.path.resolve()
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    errors = _checked.get(key) if key is not None else None
    if errors is None:
        if _released_unchanged(path):
            errors = []
        else:
            errors = [
                f
                for f in _Linter(spec).run()
                if f.severity.value == "error" and f.code not in ENGINE_HANDLED
            ]
        if key is not None:
            _checked[key] = errors
    if errors:
        raise SpecLintError(errors)
    return spec


def lint_module_text(path: Path) -> list[Finding]:
    """Convenience for tests: lint one file path."""
    return lint_paths([str(path)])


__all__ = [
    "SpecLintError",
    "checked_spec",
    "lint_paths",
    "lint_spec",
    "symbols",
    "variable_name_problems",
]
