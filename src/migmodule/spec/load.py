"""Read a module spec file (YAML) into the typed model, keeping line numbers for messages."""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

import yaml

from migmodule.codes import Finding, Location, MigmoduleError
from migmodule.io import note_input
from migmodule.spec import codes

if TYPE_CHECKING:  # the models (pydantic) are imported when a spec is loaded, not to list the bank
    from pydantic import ValidationError

    from migmodule.spec.model import Module

PathKey = tuple[Any, ...]


@dataclass
class LoadedSpec:
    """A parsed module with the YAML line of every mapping key and list item."""

    module: Module
    path: Path
    lines: dict[PathKey, int] = field(default_factory=dict)
    # For a module with `uses`: the shared modules merged in (exact reference -> module), and the
    # own elements that redefine a merged id (spec/shared.py; lint reports them).
    shared: dict[str, Module] = field(default_factory=dict)
    redefined: list[Any] = field(default_factory=list)

    def line_of(self, *path: Any) -> int | None:
        """Line of the deepest known prefix of `path` (1-based)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def location(self, *path: Any, **extra: Any) -> Location:
        return Location(
            file=str(self.path), line=self.line_of(*path), module=self.module.ref, **extra
        )


def _line_map(node: yaml.Node, prefix: PathKey, out: dict[PathKey, int]) -> None:
    out.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[prefix + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, prefix + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, prefix + (index,), out)


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loader (libyaml's when available) that refuses duplicate keys instead of keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# Limits on what a YAML file may hold, checked on the composed node graph before anything is
# built from it: aliases share nodes there, so a "billion laughs" file is small until expanded.
MAX_YAML_BYTES = 8 * 1024 * 1024  # the largest built-in module is about 0.3 MB
MAX_YAML_NODES = 1_000_000  # nodes once every alias is expanded
MAX_YAML_DEPTH = 100  # nesting of lists and mappings


def _check_graph(root: yaml.Node, shown: str) -> None:
    """Refuse a node graph that expands beyond MAX_YAML_NODES, nests deeper than MAX_YAML_DEPTH or
    refers to itself through an alias; iterative and memoised, so the check itself is cheap."""
    expanded: dict[int, int] = {}  # id(node) -> node count once expanded
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]

    def refuse(reason: str, node: yaml.Node) -> MigmoduleError:
        return MigmoduleError.of(
            codes.YAML_LIMIT,
            Location(file=shown, line=node.start_mark.line + 1),
            path=shown,
            reason=reason,
        )

    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in children)
            if expanded[key] > MAX_YAML_NODES:
                raise refuse(
                    f"it expands to more than {MAX_YAML_NODES:,} values through its aliases "
                    "(* references to & anchors)",
                    node,
                )
            continue
        if key in expanded:
            continue
        if key in on_path:
            raise refuse("an alias refers to the list or mapping that holds it", node)
        if depth > MAX_YAML_DEPTH:
            raise refuse(f"lists and mappings nest deeper than {MAX_YAML_DEPTH} levels", node)
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in children if id(child) not in expanded)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def read_yaml(path: Path) -> tuple[Any, dict[PathKey, int]]:
    """Parse YAML text; raise MigmoduleError with file and line for unreadable or invalid YAML.

    Parsed files are cached by path, modification time and size: the bank is read often.
    """
    data, lines, _ = _read_yaml_keyed(path)
    return data, lines


def _read_yaml_keyed(path: Path) -> tuple[Any, dict[PathKey, int], bytes | None]:
    """`read_yaml`, and a digest of the file's bytes when it is large enough to be cached."""
    try:
        stat = path.stat()
    except OSError as exc:  # missing, no permission, a symlink loop
        raise MigmoduleError.of(
            codes.FILE_UNREADABLE, Location(file=str(path)), path=path, reason=exc.strerror
        ) from None
    except ValueError:  # a NUL byte in the path
        raise MigmoduleError.of(
            codes.FILE_UNREADABLE,
            Location(file=repr(str(path))),
            path=repr(str(path)),
            reason="the path holds a NUL character",
        ) from None
    # A device (/dev/zero), a FIFO or a folder would block or never end: refused before reading.
    if not S_ISREG(stat.st_mode):
        raise MigmoduleError.of(
            codes.FILE_UNREADABLE,
            Location(file=str(path)),
            path=path,
            reason="it is not a regular file (a folder, a device or a pipe)",
        )
    if stat.st_size > MAX_YAML_BYTES:
        raise MigmoduleError.of(
            codes.YAML_LIMIT,
            Location(file=str(path)),
            path=path,
            reason=f"the file has {stat.st_size:,} bytes; the limit is {MAX_YAML_BYTES:,}",
        )
    note_input(path, "a YAML file it reads")
    return _read_yaml_cached(path.resolve(), stat.st_mtime_ns, stat.st_size, str(path))


# Characters a Windows-1252 file written in English, French, Spanish or Portuguese holds.
_WESTERN = frozenset("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœ«»‘’“”–—…€°ºª¡¿·")
_ACCENT_RUN = re.compile(r"[^\x00-\x7f«»‘’“”–—…€°·]{3}")
SAVE_AS_UTF8 = (
    "line {line} is not UTF-8 text. Open the file in Notepad, choose File > Save As, set "
    "Encoding to UTF-8 and save it again"
)


def decode_text(raw: bytes, shown: str) -> str:
    """YAML text as Windows editors save it: UTF-8 (with or without a byte-order mark), UTF-16
    (Notepad's "Unicode"), or Windows-1252 (Notepad's "ANSI") when every character outside
    ASCII is a Western letter or sign; anything else is refused with the line to fix."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(raw, "utf-16", shown)
    if len(raw) > 3 and raw[1:20:2].count(0) >= 5 and raw[0] != 0:
        return _decode(raw, "utf-16-le", shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
    western = raw.decode("cp1252", errors="replace")
    # Western text has accented letters among plain ones; another code page read as
    # Windows-1252 (Cyrillic, Greek) gives runs of them ("ÏÎË" for "ПОЛ").
    if all(char.isascii() or char in _WESTERN for char in western) and not _ACCENT_RUN.search(
        western
    ):
        return western
    raise MigmoduleError.of(
        codes.FILE_UNREADABLE,
        Location(file=shown, line=line),
        path=shown,
        reason=SAVE_AS_UTF8.format(line=line),
    )


def _decode(raw: bytes, encoding: str, shown: str) -> str:
    try:
        return raw.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise MigmoduleError.of(
            codes.FILE_UNREADABLE,
            Location(file=shown),
            path=shown,
            reason=SAVE_AS_UTF8.format(line=1),
        ) from None


@lru_cache(maxsize=32)
def _read_yaml_cached(
    path: Path, mtime_ns: int, size: int, shown: str
) -> tuple[Any, dict[PathKey, int], bytes | None]:
    try:
        with open(path, "rb") as handle:  # the size may have grown since stat: read one byte more
            raw = handle.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise MigmoduleError.of(
            codes.FILE_UNREADABLE, Location(file=shown), path=shown, reason=exc
        ) from None
    if len(raw) > MAX_YAML_BYTES:
        raise MigmoduleError.of(
            codes.YAML_LIMIT,
            Location(file=shown),
            path=shown,
            reason=f"the file has more than {MAX_YAML_BYTES:,} bytes",
        )
    if len(raw) < CACHE_FROM_BYTES:
        return (*_parse_yaml(raw, shown), None)
    # The parse of a large file is kept on disk between runs (migmodule/cache.py), keyed by its
    # bytes and this parser's code: a built-in module took 0.08 s to parse on every run.
    from migmodule import cache  # here: `list` and `--version` need neither hashlib nor pickle

    stamp = cache.code_stamp(__file__, yaml.__file__)
    parts = (raw, stamp, yaml.__version__, str(yaml.__with_libyaml__))
    data, lines = cache.cached("yaml", parts, lambda: _parse_yaml(raw, shown))
    return data, lines, cache.digest(raw)


# Files smaller than this are parsed every time: a profile or a small module parses in about a
# millisecond, and the cache would only fill with their edited versions.
CACHE_FROM_BYTES = 16 * 1024


def _parse_yaml(raw: bytes, shown: str) -> tuple[Any, dict[PathKey, int]]:
    """The data and line map of a file's bytes; MigmoduleError (with `shown` and the line) when
    it is not YAML the program accepts."""
    text = decode_text(raw, shown)
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_graph(node, shown)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise MigmoduleError.of(
            codes.YAML_SYNTAX, Location(file=shown, line=line), reason=reason
        ) from None
    finally:
        loader.dispose()
    lines: dict[PathKey, int] = {}
    if node is not None:
        _line_map(node, (), lines)
    _refuse_coercions(data, (), lines, shown)
    return data, lines


# YAML 1.1 reads `yes`, `no`, `on`, `off`, `true` and `false` as booleans, which Python then
# takes as 1 and 0: `code: yes` would quietly be code 1 (recode keys are profile.py's:
# PROFILE-RECODE-002).


def _refuse_coercions(data: Any, path: PathKey, lines: dict[PathKey, int], shown: str) -> None:
    """Refuse what YAML turns into a different value than the one written: a boolean where a
    code is expected (a code-list entry's `code`, a derived case's `value`, a recode's value),
    and numbers beyond float64 (`.inf`, `1.0e+400`, `.nan`)."""

    def fail(where: PathKey, reason: str) -> MigmoduleError:
        line = None
        for end in range(len(where), -1, -1):
            line = lines.get(where[:end])
            if line is not None:
                break
        dotted = ".".join(str(part) for part in where) or "(top)"
        return MigmoduleError.of(
            codes.SCHEMA, Location(file=shown, line=line), path=dotted, reason=reason
        )

    if isinstance(data, dict):
        for key, value in data.items():
            where = (*path, key)
            is_code = key == "code" or (key == "value" and "cases" in path) or "recodes" in path
            if isinstance(value, bool) and is_code:
                raise fail(
                    where,
                    f"{value} is a YAML boolean (written yes/no/true/false/on/off), not a code; "
                    "write the number, or the text in quotes",
                )
            _refuse_coercions(value, where, lines, shown)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _refuse_coercions(item, (*path, index), lines, shown)
    elif isinstance(data, float) and not math.isfinite(data):
        raise fail(path, f"{data} is not a finite number (too large, or .inf/.nan)")


def schema_findings(error: ValidationError, path: Path, lines: dict[PathKey, int]) -> list[Finding]:
    findings = []
    for item in error.errors():
        loc = tuple(item["loc"])
        # pydantic appends validator names to the location for unions; keep the data path only
        data_path = tuple(part for part in loc if not (isinstance(part, str) and "[" in part))
        line = None
        for end in range(len(data_path), -1, -1):
            line = lines.get(data_path[:end])
            if line is not None:
                break
        dotted = ".".join(str(part) for part in data_path) or "(top)"
        reason = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            reason = f"unknown key '{data_path[-1]}' (misspelt, or not part of the format)"
        findings.append(
            Finding.make(
                codes.SCHEMA, Location(file=str(path), line=line), path=dotted, reason=reason
            )
        )
    return findings


def load_spec_file(path: str | Path) -> LoadedSpec:
    """Load one spec file. Raises MigmoduleError (all schema problems in one message) if unusable."""
    path = Path(path)
    data, lines, digest = _read_yaml_keyed(path)
    if not isinstance(data, dict):
        raise MigmoduleError.of(
            codes.SCHEMA,
            Location(file=str(path), line=1),
            path="(top)",
            reason="the file must be a mapping with id, version, questions, ...",
        )
    written = _shared_from_written(data, path, lines)
    if written:
        raise SpecSchemaError(written)
    if digest is None:
        module = _module_of(data, path, lines)
    else:
        # The typed module of a large file is kept on disk too (migmodule/cache.py): its models
        # are built on first use (defer_build), so a run that only reads them back never builds
        # their validators (0.03 s), and validating 0.24 MB of YAML took 0.002 s more.
        from migmodule import cache
        from migmodule.spec import model

        module = cache.cached(
            "module",
            (digest, *_model_stamp()),
            lambda: _module_of(data, path, lines),
            classes=model.PICKLED_CLASSES,
        )
    if not module.uses:
        return LoadedSpec(module=module, path=path, lines=lines)
    from migmodule.spec.shared import merge_uses

    merged = merge_uses(module, path, lines)
    return LoadedSpec(
        module=merged.module,
        path=path,
        lines=merged.lines,
        shared=merged.shared,
        redefined=merged.redefined,
    )


def _module_of(data: dict[str, Any], path: Path, lines: dict[PathKey, int]) -> Module:
    """The typed module of a file's data; SpecSchemaError with every schema problem and its line."""
    from pydantic import ValidationError

    from migmodule.spec.model import Module

    try:
        return Module.model_validate(data)
    except ValidationError as exc:
        raise SpecSchemaError(schema_findings(exc, path, lines)) from None


def _model_stamp() -> tuple[str, ...]:
    """What a cached module depends on besides the file: the models' code and pydantic's."""
    import pydantic
    import pydantic_core

    from migmodule import cache
    from migmodule.spec import model, patterns

    stamp = cache.code_stamp(model.__file__, patterns.__file__)
    return stamp, pydantic.VERSION, pydantic_core.__version__


def _shared_from_written(
    data: dict[str, Any], path: Path, lines: dict[PathKey, int]
) -> list[Finding]:
    """`shared_from` is the loader's mark on merged elements; a file that writes it is refused."""
    from migmodule.spec.shared import COLLECTIONS

    findings = []
    for key in COLLECTIONS:
        items = data.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "shared_from" in item:
                findings.append(
                    Finding.make(
                        codes.USES_SHARED_FROM,
                        Location(file=str(path), line=lines.get((key, index, "shared_from"))),
                        path=f"{key}.{index}.shared_from",
                    )
                )
    return findings


class SpecSchemaError(MigmoduleError):
    """A spec file that does not follow the schema; carries every finding, not just the first."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(findings[0])
        self.args = ("\n".join(str(f) for f in findings),)
