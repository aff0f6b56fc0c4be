"""The resolved view of an adapted module: what every engine reads instead of re-deriving it.

`Resolved(adapted)` answers, for one module as one country uses it (`profile.Adapted`):

- `codes(code_list, lang)`: the codes of a list with their labels, in the one order every engine
  shows them (below);
- `allowed_codes(code_list)`, `labels(code_list)`: the same codes as a set, and their labels per
  language;
- `range_bounds(question)`: the two bounds of a range as numbers (`range_bound_trees` when a bound
  is not a constant);
- `range_rule`, `constraint_rule`, `answer_rule`, `edit_rule`: the rules as expression trees
  (`migmodule.expr.ast` nodes, conditions inlined and parameters folded), never as text.

The order of codes (the same in XLSForm, CSPro, DDI, Stata/SPSS labels and handouts):

1. `builtin:countries`: "this country" first (the census country of the profile, or code 0
   "this country" when none is set), then every other UN M49 country sorted by its name in the
   sort language (accent-insensitive, see `sort_key`); `parameter:X`: the national list in the
   order the profile gives it;
2. the codes listed in the spec that are not special, in spec order;
3. the special codes (don't know, not stated, other...), in spec order.

A listed code that is also a country or a national code keeps its listed label and its listed
place. The sort language is the language asked for, else the first language of the adapted module:
one list serves every language of a form, so it is sorted once.

Numbers: a bound that folds to a whole number is an `int` (1920, not 1920.0); other numbers are
`float`. This module does not import pandas.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from migmodule.countries import THIS_COUNTRY_PLACEHOLDER, by_m49, country_name
from migmodule.expr.ast import Binary, Bool, Name, Node, Num, Self, Unary
from migmodule.expr.parser import parse
from migmodule.expr.semantics import expand, fold, symbols
from migmodule.spec.model import MISSING_KINDS, CodeList, Edit, Question, SpecialKind
from migmodule.spec.text import fill, text_in, this_country

if TYPE_CHECKING:
    from migmodule.profile import Adapted

COUNTRIES_SOURCE = "builtin:countries"
PARAMETER_SOURCE = "parameter:"

Origin = Literal["this_country", "country", "national", "listed"]
Number = int | float


def sort_key(text: str) -> str:
    """Accent-insensitive sort key, so that 'Égypte' sorts with the Es."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def parameter_of(code_list: CodeList) -> str | None:
    """The parameter holding a national code list (`parameter:ADMIN_AREAS` -> ADMIN_AREAS)."""
    if code_list.source and code_list.source.startswith(PARAMETER_SOURCE):
        return code_list.source[len(PARAMETER_SOURCE) :]
    return None


def number(value: Any) -> Number | None:
    """A folded constant as a number: whole numbers are int, others float; None if not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass(frozen=True)
class ResolvedCode:
    """One code of a list as a country uses it, with its label in each language asked for."""

    code: int
    # language -> label, placeholders filled; read-only, as resolved codes are shared
    labels: Mapping[str, str] = field(compare=False)
    special: SpecialKind | None = None
    origin: Origin = "listed"
    # The text as written (spec code label or national label), for engines that report missing
    # translations themselves; None for countries.
    text: dict[str, str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))

    @property
    def missing(self) -> bool:
        """A missing-value code (don't know, not stated, refused, not applicable); 'other' is not."""
        return self.special in MISSING_KINDS

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or str(self.code)


@cache
def _countries_by_name(lang: str) -> tuple[int, ...]:
    """M49 codes sorted by country name in one language."""
    return tuple(
        sorted(
            by_m49(),
            key=lambda code: (
                sort_key(by_m49()[code].names.get(lang) or by_m49()[code].names["en"]),
                code,
            ),
        )
    )


class Resolved:
    """The resolved view of one adapted module (module + parameters + profile settings)."""

    def __init__(self, adapted: Adapted, languages: Iterable[str] | None = None):
        self.adapted = adapted
        self.module = adapted.module
        self.params = adapted.params
        self.languages = list(languages or adapted.languages or ["en"])
        self._codes: dict[tuple[str, str], tuple[ResolvedCode, ...]] = {}

    # codes --------------------------------------------------------------------------------------
    def _text(self, value: dict[str, str] | None, langs: list[str]) -> dict[str, str]:
        return {lang: fill(text_in(value, lang), self.module, self.params, lang) for lang in langs}

    def census_country(self) -> int:
        """The census country's M49 code, or 0 ("this country") when the profile sets none."""
        country = self.params.get("COUNTRY", THIS_COUNTRY_PLACEHOLDER)
        return THIS_COUNTRY_PLACEHOLDER if country is None else int(country)

    def codes(self, code_list: CodeList, lang: str | None = None) -> list[ResolvedCode]:
        """Every code of a list, in the one order of the module docstring.

        Labels are given for this view's languages and `lang`; `lang` (default: the first
        language) is also the language countries are sorted in.
        """
        sort_language = lang or self.languages[0]
        key = (code_list.id, sort_language)
        if key not in self._codes:
            self._codes[key] = tuple(self._resolve_codes(code_list, sort_language))
        return list(self._codes[key])

    def _resolve_codes(self, code_list: CodeList, sort_language: str) -> list[ResolvedCode]:
        langs = list(dict.fromkeys([*self.languages, sort_language]))
        listed = {c.code for c in code_list.codes}
        first: list[ResolvedCode] = []
        if code_list.source == COUNTRIES_SOURCE:
            census = self.census_country()
            if census == THIS_COUNTRY_PLACEHOLDER:
                labels = {lg: this_country(lg) for lg in langs}
                first.append(ResolvedCode(census, labels, origin="this_country"))
            elif census not in listed:
                labels = {lg: country_name(census, lg) or str(census) for lg in langs}
                first.append(ResolvedCode(census, labels, origin="this_country"))
            for code in _countries_by_name(sort_language):
                if code == census or code in listed:
                    continue
                names = by_m49()[code].names
                labels = {lg: names.get(lg) or names["en"] for lg in langs}
                first.append(ResolvedCode(code, labels, origin="country"))
        parameter = parameter_of(code_list)
        if parameter is not None:
            seen: set[int] = set()
            for entry in self.params.get(parameter) or []:
                if not isinstance(entry, dict) or "code" not in entry:
                    continue
                code = int(entry["code"])
                if code in listed or code in seen:
                    continue
                seen.add(code)
                text = entry.get("label") or {}
                text = text if isinstance(text, dict) else {"en": str(text)}
                labels = {lg: label or str(code) for lg, label in self._text(text, langs).items()}
                first.append(ResolvedCode(code, labels, origin="national", text=text))
        own = [
            ResolvedCode(c.code, self._text(c.label, langs), c.special, "listed", c.label)
            for c in code_list.codes
        ]
        return (
            first
            + [c for c in own if c.special is None]
            + [c for c in own if c.special is not None]
        )

    def allowed_codes(self, code_list: CodeList) -> frozenset[int]:
        """The codes an answer may take: exactly the codes `codes` lists (0 included when the
        profile sets no country, since forms then offer 0 "this country")."""
        return frozenset(c.code for c in self.codes(code_list))

    def labels(
        self, code_list: CodeList, languages: Iterable[str] | None = None
    ) -> dict[int, dict[str, str]]:
        """code -> language -> label, for `languages` (default: this view's languages)."""
        view = self if languages is None else Resolved(self.adapted, languages)
        return {c.code: dict(c.labels) for c in view.codes(code_list)}

    def missing_codes(self, code_list: CodeList) -> dict[int, SpecialKind]:
        """The listed codes that are missing values, with their kind ('other' is not missing)."""
        return {c.code: c.special for c in code_list.codes if c.special in MISSING_KINDS}

    # expressions --------------------------------------------------------------------------------
    def prepared(self, tree: Node | str) -> Node:
        """A tree (or source text) with conditions inlined and parameters folded."""
        tree = parse(tree) if isinstance(tree, str) else tree
        return fold(expand(self.module, tree), self.params)

    def reads(self, tree: Node | str | None) -> list[str]:
        """Question and derived ids a rule reads (conditions expanded, parameters not folded away),
        in first-use order."""
        if tree is None:
            return []
        tree = parse(tree) if isinstance(tree, str) else tree
        table = symbols(self.module)
        seen: list[str] = []
        for node in expand(self.module, tree).walk():
            if isinstance(node, Name) and node.id in table and node.id not in seen:
                seen.append(node.id)
        return seen

    @staticmethod
    def _bound_source(bound: str | int | float | None) -> Node | None:
        if bound is None:
            return None
        if isinstance(bound, (int, float)) and not isinstance(bound, bool):
            return Num(bound)
        return parse(str(bound))

    def range_bound_trees(
        self, question: Question, *, keep_unset: bool = False
    ) -> tuple[Node | None, Node | None]:
        """(minimum, maximum) as prepared trees; a Num when the bound is a constant for this profile.

        A bound reading a parameter that has no value raises (EXPR-PARAM); with `keep_unset` it
        stays as written instead, for documents that describe it in words.
        """
        if question.range is None:
            return None, None
        return (
            self._bound_tree(question.range.minimum, keep_unset),
            self._bound_tree(question.range.maximum, keep_unset),
        )

    def _bound_tree(self, bound: str | int | float | None, keep_unset: bool) -> Node | None:
        source = self._bound_source(bound)
        if source is None:
            return None
        unset = any(
            isinstance(node, Name) and node.is_parameter and self.params.get(node.id) is None
            for node in source.walk()
        )
        return source if keep_unset and unset else self.prepared(source)

    def range_bounds(self, question: Question) -> tuple[Number | None, Number | None]:
        """(minimum, maximum) as numbers; None where there is no bound or it reads an answer."""
        return tuple(  # type: ignore[return-value]
            number(tree.value) if isinstance(tree, Num) else None
            for tree in self.range_bound_trees(question)
        )

    def range_rule(self, question: Question, *, prepared: bool = True) -> Node | None:
        """`. >= minimum and . <= maximum` as a tree; None without a range."""
        if question.range is None:
            return None
        parts = [
            Binary(op, Self(), source)
            for op, bound in ((">=", question.range.minimum), ("<=", question.range.maximum))
            if (source := self._bound_source(bound)) is not None
        ]
        return self._conjunction(parts, prepared)

    def constraint_rule(self, question: Question, *, prepared: bool = True) -> Node | None:
        """The question's constraint as a tree; None without one."""
        if not question.constraint:
            return None
        tree = parse(question.constraint)
        return self.prepared(tree) if prepared else tree

    def answer_rule(self, question: Question, *, prepared: bool = True) -> Node | None:
        """Range and constraint together: what a valid answer satisfies; None without either."""
        parts = [
            rule
            for rule in (
                self.range_rule(question, prepared=False),
                self.constraint_rule(question, prepared=False),
            )
            if rule is not None
        ]
        return self._conjunction(parts, prepared)

    def edit_rule(self, edit: Edit, *, prepared: bool = True) -> Node:
        """`not (when) or (check)`: true where the edit holds (`check` alone without `when`)."""
        check = parse(edit.check)
        tree = Binary("or", Unary("not", parse(edit.when)), check) if edit.when else check
        return self.prepared(tree) if prepared else tree

    def conjunction(self, rules: Iterable[Node]) -> Node | None:
        """Prepared rules joined by `and` (left to right) and folded; None for no rule."""
        return self._conjunction(list(rules), prepared=True)

    def _conjunction(self, parts: list[Node], prepared: bool) -> Node | None:
        if not parts:
            return None
        tree = parts[0]
        for part in parts[1:]:
            tree = Binary("and", tree, part)
        if not prepared:
            return tree
        return self.prepared(tree)


def is_true(tree: Node | None) -> bool:
    """A rule that folded to `true` (or no rule): it can never fail."""
    return tree is None or (isinstance(tree, Bool) and tree.value is True)
