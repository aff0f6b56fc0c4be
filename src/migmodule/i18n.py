"""The one catalogue of the program's own words, one YAML file per language (`i18n/<lang>.yaml`).

Every word the program shows a person (CLI messages, report titles and headings, finding
messages) is looked up here with `word(lang, key, **values)`; a key missing from a language is a
`MissingWord` error, never a silent fall back to English (a test compares the key sets).

API for other areas (handout, export):

- `LANGUAGES`: the complete catalogues, derived from the files (`draft: true` ones are left out).
- `word(lang, key, **values) -> str`: the text of `key` (dotted: ``report.title``), filled with
  `values` by `str.format`. A plural entry is a mapping of CLDR categories (``one``, ``other``,
  ...) chosen by ``values["count"]`` with Babel's plural rules ("1 household", "2 households").
  Integers are written with the language's digit grouping; ``{rate:percent}`` writes a share
  as a percentage and ``{when:datetime}`` a date and time, both with Babel.
- `info(lang) -> Language`: name, BCP-47 tag and direction (``ltr``/``rtl``).
- `check_language(lang, option)`: raises `MigmoduleError` (I18N-LANG-001) for an unknown one.
- `finding_message(lang, finding)`: a finding's message in `lang`, from ``finding.<CODE>.message``.
- `template(key)`: the English entry as an `IssueCode` template, so `define(...)` and the
  catalogue hold one wording.
- `phrase(lang, key, **values) -> str`: the text of `key` filled by plain `str.format`, for words
  whose values are already text or codes to be written as they are (handout, condition sentences,
  exports: a range "1900 to 2030" keeps its digits as the module wrote them).
- `block(lang, prefix) -> dict[str, str]`: every entry under ``prefix.`` (``handout``), keys
  without the prefix, for a renderer that reads many words of one area.
- `language_name(lang)`: the language's own name ("Français"), or the code for a language the
  program does not speak (a module text language with no catalogue yet).
- `long_date(lang, day)`: a date in a sentence ("24 August 2028", "24 août 2028", "24 de agosto
  de 2028"): the catalogue's CLDR pattern ``text.long_date``, month names from Babel.
- `Phrase(key, **values)`: a value of a finding that is itself words ("the module has no level
  'x'"): a `str` holding the English text, said in the reader's language when a message is
  rendered in another one (`word`, `error_line`); `Joined(separator, phrases)` is a list of them.
- `error_line(lang, finding) -> str`: a coded error as the CLI prints it, in `lang` ("VAL-LEVEL-001
  [erreur] ..."): the message from ``finding.<CODE>.message``, the severity and the location's
  words from the catalogue; a code whose message is not in the catalogue yet keeps its English
  message (`untranslated_codes()` lists them, a test holds the list to the codes a data manager
  meets first).
- `number(lang, n)`, `percent(lang, x)`, `datetime_text(lang, moment)`: Babel formatting.

Areas of the catalogue: ``report``/``finding``/``cli``/``csv`` (validate and the CLI),
``handout`` (handout words), ``sentence`` (condition sentences; a function's words are
``sentence.fn_<name>``, filled with its arguments by name), ``text`` (words filled into module
text), ``export`` (XLSForm, CSPro and DDI words), ``error`` (messages of coded errors not
raised by validate), ``show`` (the ``show`` command).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from migmodule.codes import Finding, Location, MigmoduleError, define
from migmodule.escape import visible_controls

PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


class MissingWord(KeyError):
    """A key the catalogue of a language lacks: a bug in the program, shown loudly."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself
    tag: str  # BCP-47, for <html lang> and Babel
    direction: str  # "ltr" or "rtl"
    draft: bool  # a stub not offered to users yet


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not is_plural(value):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def is_plural(value: Any) -> bool:
    return isinstance(value, dict) and "other" in value and set(value) <= PLURAL_CATEGORIES


def _files() -> dict[str, Any]:
    folder = resources.files("migmodule").joinpath("i18n")
    return {
        entry.name.removesuffix(".yaml"): entry
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """Every key of one language's file, flattened (``report.title``)."""
    files = _files()
    if lang not in files:
        raise MigmoduleError.of(LANG_UNKNOWN, option="language", value=lang, known=known())
    raw = files[lang].read_bytes()
    from migmodule import cache as disk_cache  # here: `--version` needs no catalogue

    # Kept on disk between runs (migmodule/cache.py), keyed by the file's bytes and this code:
    # validate reads every catalogue (which languages are complete), 0.06 s of each run.
    parts = (raw, disk_cache.code_stamp(__file__, yaml.__file__), yaml.__version__)
    return disk_cache.cached("catalogue", parts, lambda: _parse_catalogue(raw))


def _parse_catalogue(raw: bytes) -> dict[str, Any]:
    # libyaml's safe loader when built (the same data, 20x faster: 0.25 s of every start-up)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text reads
    data = yaml.load(text, Loader=loader)  # noqa: S506
    return _flatten(data)


@cache
def all_languages() -> tuple[str, ...]:
    """Every catalogue file, drafts included."""
    return tuple(sorted(_files()))


def info(lang: str) -> Language:
    words = catalogue(lang)
    return Language(
        lang,
        words["meta.name"],
        words["meta.tag"],
        words["meta.direction"],
        bool(words.get("meta.draft", False)),
    )


@cache
def complete_languages() -> tuple[str, ...]:
    order = ("en", "fr", "es")  # the module texts' languages first
    found = [lang for lang in all_languages() if not info(lang).draft]
    return tuple(sorted(found, key=lambda lang: (order.index(lang) if lang in order else 9, lang)))


def known() -> str:
    return ", ".join(complete_languages())


def locale(lang: str) -> Locale:
    return Locale.parse(info(lang).tag, sep="-")


def plural_category(lang: str, count: float) -> str:
    return locale(lang).plural_form(abs(count))


def number(lang: str, value: float, decimals: int | None = None) -> str:
    if decimals is None:
        return format_decimal(value, locale=locale(lang))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale(lang))


def percent(lang: str, share: float, decimals: int = 1) -> str:
    """A share as a percentage in the language's own pattern ("12.5%", "12,5 %")."""
    pattern = locale(lang).percent_formats[None].pattern.split(";")[0]
    if decimals:
        last = pattern.rindex("0")
        pattern = pattern[: last + 1] + "." + "0" * decimals + pattern[last + 1 :]
    return format_percent(share, format=pattern, locale=locale(lang))


def datetime_text(lang: str, moment: datetime) -> str:
    return format_datetime(moment, format="medium", locale=locale(lang))


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, spec: str) -> str:
        if spec == "percent" or spec.startswith("percent"):
            decimals = int(spec[len("percent") :] or 1)
            return "" if value is None else percent(self.lang, float(value), decimals)
        if spec == "datetime":
            return datetime_text(self.lang, value)
        if spec == "plain":
            return plain(value, self.lang)
        if isinstance(value, (Phrase, Joined)):
            value = value.said_in(self.lang)
        elif isinstance(value, str):  # from a file: no control a terminal would obey
            value = visible_controls(value)
        if spec == "" and isinstance(value, int) and not isinstance(value, bool):
            return number(self.lang, value)
        return super().format_field(value, spec)


class Phrase(str):
    """Words inside a finding's values, said in the language the finding is shown in.

    The `str` itself is the English text, so a message made in English, a JSON dump or a
    comparison sees ordinary text; `said_in(lang)` looks the key up again in `lang`.
    """

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, /, **values: Any) -> Phrase:
        self = super().__new__(cls, word("en", key, **values))
        self.key = key
        self.values = values
        return self

    def said_in(self, lang: str) -> str:
        return word(lang, self.key, **self.values)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled (Dask workers) by key, not by its text
        return (_phrase, (self.key, self.values))


def _phrase(key: str, values: dict[str, Any]) -> Phrase:
    return Phrase(key, **values)


class Joined(str):
    """Several phrases joined by a separator ("; "), each said in the reader's language."""

    parts: tuple[str, ...]
    separator: str

    def __new__(cls, separator: str, parts: Iterable[str]) -> Joined:
        parts = tuple(parts)
        self = super().__new__(cls, separator.join(parts))
        self.parts = parts
        self.separator = separator
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Joined, (self.separator, self.parts))

    def said_in(self, lang: str) -> str:
        return self.separator.join(
            part.said_in(lang) if isinstance(part, (Phrase, Joined)) else part
            for part in self.parts
        )


def plain(value: Any, lang: str = "en") -> str:
    """A value in words, never a Python repr: a code list as "1 = Area 1, 2 = Area 2"."""
    if isinstance(value, dict) and "code" in value:
        label = value.get("label")
        if isinstance(label, dict):
            label = label.get(lang) or next(iter(label.values()), "")
        return f"{value['code']} = {label}" if label else str(value["code"])
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(item, lang) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {plain(v, lang)}" for k, v in value.items())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def entry(lang: str, key: str) -> Any:
    words = catalogue(lang)
    if key not in words:
        raise MissingWord(f"no '{key}' in the {lang} catalogue (src/migmodule/i18n/{lang}.yaml)")
    return words[key]


def word(lang: str, key: str, /, **values: Any) -> str:
    """The text of `key` in `lang`, filled with `values` (plural chosen by `count`)."""
    text = entry(lang, key)
    if isinstance(text, dict):
        if "count" not in values:
            raise MissingWord(f"'{key}' has plural forms: give count=")
        category = plural_category(lang, values["count"])
        text = text.get(category, text["other"])
    return _Formatter(lang).format(text, **values)


def phrase(lang: str, key: str, /, **values: Any) -> str:
    """The text of `key` in `lang`, filled by plain `str.format` (no number formatting)."""
    text = entry(lang, key)
    return text.format(**values) if values else text


@cache
def block(lang: str, prefix: str) -> Mapping[str, Any]:
    """Every entry of one area (``handout``), keyed without the prefix; empty is a bug."""
    start = prefix + "."
    found = {k[len(start) :]: text for k, text in catalogue(lang).items() if k.startswith(start)}
    if not found:
        raise MissingWord(f"no '{prefix}' words in the {lang} catalogue")
    return MappingProxyType(found)


def language_name(lang: str) -> str:
    """The language's own name, or its code when the program has no catalogue for it."""
    return info(lang).name if lang in all_languages() else lang


@cache  # every placeholder filled in a module's texts asks again for the reference date
def long_date(lang: str, day: date) -> str:
    """A date as a sentence writes it, by the catalogue's CLDR pattern and Babel's month names."""
    return format_date(day, format=entry(lang, "text.long_date"), locale=locale(lang))


def placeholders(text: Any) -> set[str]:
    """The value names a catalogue entry uses (every plural form together)."""
    texts = text.values() if isinstance(text, dict) else [text]
    return {
        field.split(".")[0].split("[")[0]
        for one in texts
        for _, field, _, _ in string.Formatter().parse(one)
        if field
    }


def finding_message(lang: str, finding: Finding) -> str:
    """A finding's message in `lang`; English is the message it was made with."""
    if lang == "en" or not finding.values:
        key = f"finding.{finding.code}.message"
        if lang == "en" or key not in catalogue(lang):
            if lang != "en":
                raise MissingWord(f"no '{key}' in the {lang} catalogue")
            return finding.message
    return word(lang, f"finding.{finding.code}.message", **finding.values)


def location_text(lang: str, location: Location) -> str:
    """Where a finding points, in `lang` (``Location.__str__`` is the English form)."""
    if lang == "en":
        return str(location)
    parts = []
    if location.file:
        parts.append(f"{location.file}:{location.line}" if location.line else location.file)
    if location.module:
        parts.append(location.module)
    for part in ("question", "variable", "language"):
        value = getattr(location, part)
        if value:
            parts.append(word(lang, f"location.{part}", name=value))
    return ", ".join(parts)


def error_line(lang: str, finding: Finding) -> str:
    """A coded error in `lang`, as `str(finding)` writes it in English."""
    if lang == "en":
        return str(finding)
    key = f"finding.{finding.code}.message"
    # a message without values (a fixed sentence) is said in `lang` as well; one made by hand
    # without its code's values keeps the English it was made with
    if key in catalogue(lang) and (finding.values or not placeholders(entry(lang, key))):
        message = word(lang, key, **finding.values)
    else:  # not in the catalogue yet: untranslated_codes() lists these
        message = finding.message
    where = location_text(lang, finding.location)
    severity = word(lang, f"severity.{finding.severity.value}")
    return f"{finding.code} [{severity}] {where + ': ' if where else ''}{message}"


def untranslated_codes(lang: str) -> list[str]:
    """Issue codes whose message the catalogue of `lang` does not hold yet (shown in English)."""
    from migmodule.codes import all_codes

    words = catalogue(lang)
    return [code for code in all_codes() if f"finding.{code}.message" not in words]


def finding_title(lang: str, code: str) -> str:
    return word(lang, f"finding.{code}.title")


class Template(str):
    """An issue code's English template that formats through the catalogue (plurals, numbers)."""

    key: str

    def __new__(cls, key: str) -> Template:
        text = entry("en", key)
        self = super().__new__(cls, text["other"] if isinstance(text, dict) else text)
        self.key = key
        return self

    def format(self, *args: Any, **values: Any) -> str:  # type: ignore[override]
        return word("en", self.key, **values)


def template(key: str) -> Template:
    return Template(key)


def check_language(lang: str, option: str = "--lang") -> str:
    """`lang` if the program speaks it, else a coded refusal naming the languages it does."""
    if lang not in complete_languages():
        raise MigmoduleError.of(LANG_UNKNOWN, Location(), option=option, value=lang, known=known())
    return lang


LANG_UNKNOWN = define(
    "I18N-LANG-001",
    "error",
    "Unknown language",
    "{option} {value}: unknown language (not yet spoken by the program). Use one of: {known}.",
    "cli",
)
CLI_USAGE = define(
    "CLI-USAGE-001",
    "error",
    "Command line not understood",
    "{message} Run the command with --help to see what it takes.",
    "cli",
)
