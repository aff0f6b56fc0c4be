"""CSPro logic (.apc) for the exported dictionary: universes as `ask if`, checks as `errmsg`.

Every expression is compiled by `expr.targets.CSProLogic` from the spec; nothing is retyped.
Placement (docs/cspro.md, "The logic file"):
- a question's universe is `ask if <definitely true>;` in its PROC's preproc;
- its range and constraint are checked in its postproc (`errmsg` + `reenter`);
- an edit sits in the postproc of the last question it reads (errors `reenter`, warnings only
  show the message); edits that read derived variables, and all derived variables, are in the
  postproc of the questionnaire level, looping over the occurrences of repeated records;
- a table parameter that rate() reads is a HashMap declared in PROC GLOBAL (a look-up of a key
  the table lacks gives notappl) and filled with the profile's rows in the questionnaire level's
  preproc, so it is full before any question's logic runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from migmodule import __version__
from migmodule.codes import Finding, Location
from migmodule.escape import line_comment
from migmodule.export.cspro import CSPRO_LOGIC, Built, Names
from migmodule.expr.ast import Binary, Call, Node, to_source
from migmodule.expr.semantics import TableRef, fold
from migmodule.expr.targets import CSProLogic, _replace, cannot_fail
from migmodule.profile import Adapted
from migmodule.spec.model import Derived, Edit, Question
from migmodule.spec.resolve import Resolved
from migmodule.spec.tables import Table, plain_number
from migmodule.spec.text import render

INDENT = "  "
# A value that is never known (a look-up in a table with no rows): an if() whose test is unknown
# and whose branches differ gives it, and coalesce() passes over it, as the reference reads them.
UNKNOWN = Call("rate", (TableRef("UNKNOWN", table=Table("UNKNOWN", (), "value", {})),))
MAX_BRANCHING = 6  # if()/coalesce() values split into at most 2**6 assignments


def _string(text: str) -> str:
    """A CSPro string literal on one line (CSPro 7 logic has no escape sequences)."""
    return '"' + " ".join(text.split()).replace('"', "'") + '"'


class HashMaps:
    """The table parameters the logic reads, one HashMap each, named in the dictionary's namespace
    (a table's name is its parameter id; modules giving one parameter different rows get two)."""

    def __init__(self, built: Built):
        self.names = Names()
        dictionary = built.dictionary
        self.names.used = {dictionary.name} | {
            name
            for level in dictionary.levels
            for name in [
                level.name,
                *(item.name for item in level.id_items),
                *(record.name for record in level.records),
                *(item.name for record in level.records for item in record.items),
                *(
                    value_set.name
                    for record in level.records
                    for item in record.items
                    for value_set in item.value_sets
                ),
            ]
        }
        self.maps: dict[tuple[str, tuple], tuple[str, Table]] = {}

    def name(self, parameter: str, table: Table) -> str:
        key = (parameter, tuple(sorted(table.rows.items())))
        if key not in self.maps:
            self.maps[key] = (self.names.claim(parameter, quiet=True), table)
        return self.maps[key][0]

    def used(self, logic: list[str]) -> list[tuple[str, Table]]:
        """The HashMaps the written logic reads (a look-up compiled into logic that was then left
        out needs none)."""
        return [
            (name, table)
            for name, table in self.maps.values()
            if any(f"{name}(" in line for line in logic)
        ]


def hashmap_declaration(name: str, table: Table) -> list[str]:
    """PROC GLOBAL's declaration: numeric keys, a numeric value, notappl for an absent key."""
    dimensions = ", ".join(["numeric"] * len(table.keys))
    return [
        f"// table parameter {name}: {len(table)} rows, filled in the questionnaire's preproc",
        f"HashMap numeric {name}({dimensions}) default(notappl);",
    ]


def hashmap_fill(name: str, table: Table) -> list[str]:
    """One assignment per row; keys and values are numbers (PARAM-TABLE-003 checked them)."""
    return [
        f"{name}({', '.join(str(int(part)) for part in key)}) = {plain_number(value)};"
        for key, value in table.rows.items()
    ]


class LogicWriter:
    def __init__(self, adapted: Adapted, built: Built, hashmaps: HashMaps | None = None):
        self.adapted = adapted
        self.module = adapted.module
        self.built = built
        self.lang = built.languages[0]
        self.findings: list[Finding] = []
        self.resolved = Resolved(adapted, built.languages)
        self.hashmaps = hashmaps or HashMaps(built)

    def compiler(self, self_id: str | None = None) -> CSProLogic:
        return CSProLogic(
            self.module, self_id=self_id, item_name=self.item_name, table_name=self.hashmaps.name
        )

    def item_name(self, item_id: str) -> str:
        return self.built.item_name(self.module, item_id)

    def text(self, value: dict[str, str] | None) -> str:
        return render(value, self.module, self.adapted.params, self.lang)

    def missing_inputs(self, *expressions: Node | str | None) -> list[str]:
        """Ids an expression reads that have no item in this export (left out by the profile)."""
        found = []
        for expression in expressions:
            if expression:
                found += [
                    i
                    for i in self.resolved.reads(expression)
                    if (self.module.ref, i) not in self.built.item_names
                ]
        return found

    def compile(
        self,
        what: str,
        location: Location,
        build: Callable[[], str],
        *expressions: Node | str | None,
    ) -> str | None:
        """Compile or explain why not: the finding and a comment stand in for logic that cannot be written."""
        missing = self.missing_inputs(*expressions)
        try:
            if missing:
                raise ValueError(f"it reads {', '.join(missing)}, which this export leaves out")
            return build()
        except ValueError as exc:
            self.findings.append(Finding.make(CSPRO_LOGIC, location, what=what, reason=exc))
            return None

    def prepared(self, text: str) -> Node:
        return self.resolved.prepared(text)

    # questions -------------------------------------------------------------------------------
    def universe(self, question: Question) -> list[str]:
        if not question.universe:
            return []
        loc = Location(module=self.module.ref, question=question.id)
        code = self.compile(
            f"universe of question {question.id}",
            loc,
            lambda: self.compiler().true_form(self.prepared(question.universe)),
            question.universe,
        )
        if code is None:
            return [f"{INDENT}// universe not compiled: {question.universe}"]
        return [f"{INDENT}// universe: {question.universe}", f"{INDENT}ask if {code};"]

    def checks(self, question: Question) -> list[str]:
        lines: list[str] = []
        loc = Location(module=self.module.ref, question=question.id)
        name = self.item_name(question.id)
        checks: list[tuple[str, Node, str]] = []
        range_rule = self.resolved.range_rule(question, prepared=False)
        if range_rule is not None:
            low, high = (
                self.bound(number, written)
                for number, written in zip(
                    self.resolved.range_bounds(question),
                    (question.range.minimum, question.range.maximum),
                    strict=True,
                )
            )
            checks.append(
                ("range", range_rule, f"{name}: the value must be between {low} and {high}.")
            )
        constraint = self.resolved.constraint_rule(question, prepared=False)
        if constraint is not None:
            message = (
                self.text(question.constraint_message)
                or f"{name}: the answer breaks the rule {question.constraint}."
            )
            checks.append(("constraint", constraint, message))
        for kind, rule, message in checks:
            compiler = self.compiler(question.id)
            code = self.compile(
                f"{kind} of question {question.id}",
                loc,
                lambda c=compiler, r=rule: c.false_form(self.resolved.prepared(r)),
                rule,
            )
            if code is None:
                lines.append(f"{INDENT}// {kind} not compiled: {to_source(rule)}")
                continue
            if code == compiler.FALSE:
                continue
            lines += [
                f"{INDENT}// {kind}: {to_source(rule)}",
                f"{INDENT}if {code} then",
                f"{INDENT * 2}errmsg({_string(message)});",
                f"{INDENT * 2}reenter;",
                f"{INDENT}endif;",
            ]
        return lines

    @staticmethod
    def bound(number: int | float | None, written: str | int | float | None) -> str:
        """A range bound for a message: its value with this profile's parameters, else its expression."""
        if written is None:
            return "…"
        return str(number) if number is not None else str(written)

    # edits -----------------------------------------------------------------------------------
    def edit_lines(self, edit: Edit, indent: str, in_item: bool) -> list[str]:
        loc = Location(module=self.module.ref, question=edit.id)
        compiler = self.compiler()

        def build() -> str:
            parts = [compiler.false_form(self.prepared(edit.check))]
            if edit.when:
                parts.insert(0, compiler.true_form(self.prepared(edit.when)))
            return compiler.join(compiler.AND, parts) if len(parts) > 1 else parts[0]

        code = self.compile(f"edit {edit.id}", loc, build, edit.when, edit.check)
        head = f"{indent}// edit {edit.id} ({edit.severity}): {self.text(edit.title)}"
        if code is None:
            return [
                head,
                f"{indent}// not compiled: when {edit.when or 'always'} check {edit.check}",
            ]
        when = self.prepared(edit.when) if edit.when else None
        if cannot_fail(when, self.prepared(edit.check)):
            return [head, f"{indent}// cannot fail with this profile's parameters"]
        lines = [
            head,
            f"{indent}if {code} then",
            f"{indent}{INDENT}errmsg({_string(edit.id + ': ' + self.text(edit.message))});",
        ]
        if edit.severity == "error" and in_item:
            lines.append(f"{indent}{INDENT}reenter;")
        return lines + [f"{indent}endif;"]

    def edit_home(self, edit: Edit, question_order: list[str]) -> str | None:
        """The question whose postproc runs the edit, or None for the level postproc."""
        reads = self.resolved.reads(self.resolved.edit_rule(edit, prepared=False))
        if any(r in self.module.derived_by_id for r in reads):
            return None
        same_level = [
            q
            for q in question_order
            if q in reads and self.module.question_by_id[q].level == edit.level
        ]
        return same_level[-1] if same_level else None

    # derived ---------------------------------------------------------------------------------
    def derived_lines(self, derived: Derived, indent: str) -> list[str]:
        name = self.item_name(derived.id)
        loc = Location(module=self.module.ref, question=derived.id)
        compiler = self.compiler()

        def build() -> str:
            if derived.cases is not None:
                cases = [
                    (self.prepared(c.when) if c.when else None, c.value) for c in derived.cases
                ]
                return f"{name} = notappl;\n" + compiler.cases(cases).replace("$", name)
            tree = self.prepared(derived.expression or "")
            if _branching(tree) is not None:
                return self.split_value(compiler, name, tree, derived.when)
            guard = compiler.all_known(tree)
            if derived.when:
                guard = compiler.join(
                    compiler.AND, [guard, compiler.true_form(self.prepared(derived.when))]
                )
            body = f"{name} = {compiler.value(tree)};"
            if guard == compiler.TRUE:
                return body
            return f"if {guard} then\n{INDENT}{body}\nelse\n{INDENT}{name} = notappl;\nendif;"

        expressions = [c.when for c in derived.cases or []] + [derived.expression, derived.when]
        code = self.compile(f"derived variable {derived.id}", loc, build, *expressions)
        head = f"{indent}// derived {derived.id}: {self.text(derived.variable_label)}"
        if code is None:
            return [head, f"{indent}// not compiled"]
        return [head] + [indent + line for line in code.splitlines()]

    def split_value(self, compiler: CSProLogic, name: str, tree: Node, when: str | None) -> str:
        """A derived value reading if() or coalesce(): CSPro logic has no conditional value, so
        the assignment is split by the branch taken, each branch a plain value."""
        count = sum(1 for n in tree.walk() if _is_branching(n))
        if count > MAX_BRANCHING:
            raise ValueError(
                f"it reads {count} if()/coalesce() values; CSPro logic has no conditional value "
                f"and the export splits at most {MAX_BRANCHING}"
            )
        lines = self.branches(compiler, name, tree)
        if when:
            condition = compiler.true_form(self.prepared(when))
            if compiler.cannot_be_true(condition):
                return f"{name} = notappl;"
            if condition != compiler.TRUE:
                lines = [
                    f"if {condition} then",
                    *(INDENT + line for line in lines),
                    "else",
                    f"{INDENT}{name} = notappl;",
                    "endif;",
                ]
        return "\n".join(lines)

    def branches(self, compiler: CSProLogic, name: str, tree: Node) -> list[str]:
        call = _branching(tree)
        if call is None:
            guard = compiler.all_known(tree)
            if compiler.cannot_be_true(guard):
                return [f"{name} = notappl;"]
            body = f"{name} = {compiler.value(tree)};"
            if guard == compiler.TRUE:
                return [body]
            return [
                f"if {guard} then",
                INDENT + body,
                "else",
                f"{INDENT}{name} = notappl;",
                "endif;",
            ]

        def on(value: Node) -> Node:
            return fold(_replace(tree, call, value), None)

        if call.func == "coalesce":
            first, rest = call.args[0], call.args[1:]
            remainder = rest[0] if len(rest) == 1 else Call("coalesce", rest)
            cases = [(compiler.form(compiler.known_value(first)), on(first))]
            otherwise = on(remainder)
        else:  # if(test, then, other): unknown unless the test is decided or both agree
            test, then, other = call.args
            # both branches agree: their values compared as values, known and equal, as the
            # reference reads if(); never prepared again, which would read `998 == age` as "age
            # is coded 998" (a rule's comparison with a literal missing-value code)
            same = compiler.form(compiler.visit(fold(Binary("==", then, other), None), True))
            cases = [
                (compiler.true_form(test), on(then)),
                (compiler.false_form(test), on(other)),
                (same, on(then)),
            ]
            otherwise = on(UNKNOWN)
        lines: list[str] = []
        for condition, branch in cases:
            if compiler.cannot_be_true(condition):
                continue
            if condition == compiler.TRUE:
                otherwise = branch  # the cases after it are never reached
                break
            keyword = "elseif" if lines else "if"
            lines += [f"{keyword} {condition} then"]
            lines += [INDENT + line for line in self.branches(compiler, name, branch)]
        if not lines:
            return self.branches(compiler, name, otherwise)
        lines += ["else", *(INDENT + line for line in self.branches(compiler, name, otherwise))]
        return lines + ["endif;"]


def _is_branching(node: Node) -> bool:
    return isinstance(node, Call) and node.func in ("if", "coalesce")


def _branching(tree: Node) -> Call | None:
    """An if() or coalesce() with none inside it: split first, its arguments are plain values
    (a rate() key that is a coalesce() is known before the look-up)."""
    for node in tree.walk():
        if _is_branching(node) and not any(_is_branching(n) for n in node.walk() if n is not node):
            return node
    return None


def _header(adapted_list: list[Adapted], built: Built, today: dt.date) -> list[str]:
    lines = [
        f"// CSPro logic generated by migmodule {__version__} on {today.isoformat()}",
        "// from: " + line_comment("; ".join(a.label for a in adapted_list)),
        f"// dictionary: {built.dictionary.name} (the .dcf written beside this file)",
        "// Paste the PROCs into a data entry or batch edit application built on that dictionary.",
        "// Universes: 'ask if' skips a field whose universe is not definitely true; blank and",
        "// missing-value answers (MISSING, REFUSED, NOTAPPL, don't know codes) count as unknown.",
    ]
    return lines + ["", "PROC GLOBAL", ""]


def write_logic(
    adapted_list: list[Adapted], built: Built, *, today: dt.date | None = None
) -> tuple[str, list[Finding]]:
    """The .apc text for the questionnaire, and findings for expressions that could not be compiled."""
    today = today or dt.date.today()
    lines = _sequence_procs(adapted_list, built)
    findings: list[Finding] = []
    level_blocks: dict[str, list[str]] = {lid: [] for lid in built.level_order}
    hashmaps = HashMaps(built)
    for index, adapted in enumerate(adapted_list):
        writer = LogicWriter(adapted, built, hashmaps)
        # A shared question, derived variable or edit another module already carries is written
        # once, by that module; an own edit on such a question runs in the level postproc.
        shared = {item for i, item in built.asked_by if i == index}
        order = [q.id for q in adapted.questions if q.id not in shared]
        homes: dict[str | None, list[Edit]] = {}
        for edit in adapted.module.edits:
            if edit.id not in shared:
                homes.setdefault(writer.edit_home(edit, order), []).append(edit)
        for question in adapted.questions:
            if question.id not in shared:
                lines += _question_procs(writer, question, homes.get(question.id, []))
        for derived in adapted.module.derived:
            if derived.id not in shared:
                level_blocks[derived.level] += writer.derived_lines(derived, "")
        for edit in homes.get(None, []):
            level_blocks[edit.level] += writer.edit_lines(edit, "", in_item=False)
        findings += writer.findings
    used = hashmaps.used(lines + [line for block in level_blocks.values() for line in block])
    declarations = [line for name, table in used for line in hashmap_declaration(name, table)]
    fill = [line for name, table in used for line in hashmap_fill(name, table)]
    lines = _header(adapted_list, built, today) + declarations + ([""] if used else []) + lines
    lines += _level_proc(built, level_blocks, fill)
    return "\n".join(lines).rstrip("\n") + "\n", findings


def _sequence_procs(adapted_list: list[Adapted], built: Built) -> list[str]:
    """The occurrence-number item of each roster (PERSON_NO, EMIGRANT_NO) is filled by the
    program, never keyed; a roster counted by a question (`count:` of the level, e.g.
    EMIGRANTS_NUMBER) ends after that many occurrences, or at once when the count is blank,
    NOTAPPL or a special value."""
    out: list[str] = []
    for level_id in built.level_order:
        item = built.item_names.get(("#sequence", level_id))
        record = built.record_of_level.get(level_id)
        if item is None or record is None or item not in {i.name for i in record.items}:
            continue
        owner = next(
            (a for a in adapted_list if any(lv.id == level_id for lv in a.module.levels)), None
        )
        level = next(lv for lv in owner.module.levels if lv.id == level_id) if owner else None
        out += [f"PROC {item}", f"// occurrence number of the {level_id}, filled in", "preproc"]
        count = level.count if level is not None else None
        if count is not None and any(q.id == count for q in owner.questions):
            counter = built.item_name(owner.module, count)
            out += [
                f"{INDENT}// the {level_id} roster has as many occurrences as {counter} says",
                f"{INDENT}if special({counter}) or curocc() > {counter} then",
                f"{INDENT}{INDENT}endgroup;",
                f"{INDENT}endif;",
            ]
        out += [f"{INDENT}$ = curocc();", f"{INDENT}noinput;", ""]
    return out


def _question_procs(writer: LogicWriter, question: Question, edits: list[Edit]) -> list[str]:
    module = writer.module
    name = writer.item_name(question.id)
    items = writer.built.items_of.get((module.ref, question.id), [name])
    preproc = writer.universe(question)
    postproc = writer.checks(question)
    for edit in edits:
        postproc += writer.edit_lines(edit, INDENT, in_item=True)
    out: list[str] = []
    for index, item in enumerate(items):
        last = index == len(items) - 1
        out.append(f"PROC {item}")
        out.append(f"// {module.ref} question {question.id}")
        if preproc:
            out += ["preproc", *preproc]
        if postproc and last:
            out += ["postproc", *postproc]
        out.append("")
    return out


def _level_proc(built: Built, blocks: dict[str, list[str]], fill: list[str]) -> list[str]:
    if not any(blocks.values()) and not fill:
        return []
    level = built.dictionary.levels[0]
    out = [f"PROC {level.name}"]
    if fill:
        out += ["preproc", f"{INDENT}// the table parameters' rows, read by rate()"]
        out += [INDENT + line for line in fill]
    if not any(blocks.values()):
        return out + [""]
    out += ["// derived variables and edits that read them, in spec order", "postproc"]
    for level_id, block in blocks.items():
        if not block:
            continue
        record = built.record_of_level[level_id]
        if record.max_records > 1:
            out.append(f"{INDENT}for numeric occurrence in {record.name} do")
            out += [INDENT * 2 + line for line in block]
            out.append(f"{INDENT}enddo;")
        else:
            out += [INDENT + line for line in block]
    return out + [""]
