"""The module bank: find, list and load built-in modules by reference (`id` or `id@version`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from migmodule.codes import Location, MigmoduleError
from migmodule.io import note_input
from migmodule.spec import codes
from migmodule.spec.load import MAX_YAML_BYTES, LoadedSpec, load_spec_file, read_yaml
from migmodule.spec.patterns import MODULE_ID_PATTERN, SEMVER_PATTERN

if TYPE_CHECKING:  # the models (pydantic) are built only when a module is loaded
    from migmodule.spec.model import Module

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REF_PATTERN = re.compile(
    rf"^(?P<id>{MODULE_ID_PATTERN[1:-1]})(@(?P<version>{SEMVER_PATTERN[1:-1]}))?$"
)


def bank_dir() -> Path:
    """The folder of built-in modules: $MIGMODULE_BANK, the installed package data, or the checkout.

    The bank is a data folder without __init__.py: importlib.resources would see a namespace
    package, so it is located beside the installed `migmodule` package instead.
    """
    override = os.environ.get("MIGMODULE_BANK")
    if override:
        return Path(override)
    package = Path(__file__).resolve().parents[1]  # .../migmodule
    installed = package / "bank"
    if installed.is_dir() and any(installed.glob("*/*.yaml")):
        return installed
    return package.parents[1] / "modules"  # a source checkout: src/migmodule -> repo/modules


@dataclass(frozen=True)
class Entry:
    id: str
    version: str
    status: str
    title: str
    path: Path
    kind: str = "module"  # "shared": a module of questions others use by reference (`uses`)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def version_key(self) -> tuple[int, int, int]:
        return tuple(int(x) for x in self.version.split("."))  # type: ignore[return-value]


# The keys an Entry needs. A module file is large (the bank is about 1.7 MB of YAML, 0.7 s to
# parse): listing or resolving reads only these keys' lines and parses that excerpt.
_HEADER_KEYS = ("id", "version", "status", "title", "kind")
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


def _header_excerpt(text: str) -> str | None:
    """The top-level lines of `_HEADER_KEYS` (each with its indented lines), or None when the
    file's top level is not plain `key:` lines (an anchor, a merge key, a flow mapping, several
    documents...), which only a full parse reads right."""
    keep: list[str] = []
    seen: set[str] = set()
    taking = False
    for line in text.splitlines():
        if not line or line[0] in " \t#":
            if taking:
                keep.append(line)
            continue
        if line[0] == "-" and not line.startswith("---"):  # an unindented list under a key
            if taking:
                keep.append(line)
            continue
        match = _TOP_KEY.match(line)
        if not match:
            return None
        key = match[1]
        taking = key in _HEADER_KEYS
        if taking:
            if key in seen:  # a duplicate key: the full parse gives its coded error
                return None
            seen.add(key)
            keep.append(line)
    return "\n".join(keep) + "\n"


def _header(path: Path) -> dict | None:
    """The header keys of a module file, parsed from their excerpt (None: parse it whole)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_YAML_BYTES:
            return None  # refused by read_yaml, with its coded message
        note_input(path, "a YAML file it reads")
        excerpt = _header_excerpt(path.read_text(encoding="utf-8"))
        data = yaml.load(excerpt, Loader=_LOADER) if excerpt is not None else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


@lru_cache(maxsize=64)
def _entry(path: Path, mtime: float) -> Entry:
    data = _header(path)
    if data is None:
        data, _ = read_yaml(path)
    data = data if isinstance(data, dict) else {}
    title = data.get("title") or {}
    return Entry(
        id=str(data.get("id", path.parent.name)),
        version=str(data.get("version", path.stem)),
        status=str(data.get("status", "draft")),
        title=title.get("en", "") if isinstance(title, dict) else str(title),
        path=path,
        kind=str(data.get("kind", "module")),
    )


def list_modules(bank: Path | None = None) -> list[Entry]:
    bank = bank or bank_dir()
    entries = [
        _entry(path, path.stat().st_mtime)
        for path in sorted(bank.glob("*/*.yaml"))
        if re.fullmatch(SEMVER_PATTERN, path.stem)
    ]
    return sorted(entries, key=lambda e: (e.id, e.version_key))


def resolve(ref: str, bank: Path | None = None) -> Entry:
    """Find the file for `id` (newest released version) or `id@version`."""
    match = REF_PATTERN.match(ref.strip())
    if not match:
        raise MigmoduleError.of(codes.BAD_REFERENCE, ref=ref)
    if match["version"]:  # the bank's layout first: reading every file's header takes 10 ms
        path = (bank or bank_dir()) / match["id"] / f"{match['version']}.yaml"
        if path.is_file():
            entry = _entry(path, path.stat().st_mtime)
            if (entry.id, entry.version) == (match["id"], match["version"]):
                return entry
    entries = list_modules(bank)
    same = [e for e in entries if e.id == match["id"]]
    if not same:
        available = ", ".join(sorted({e.id for e in entries})) or "none"
        raise MigmoduleError.of(codes.UNKNOWN_MODULE, name=match["id"], available=available)
    versions = ", ".join(f"{e.version} ({e.status})" for e in same)
    if match["version"]:
        for entry in same:
            if entry.version == match["version"]:
                return entry
        raise MigmoduleError.of(
            codes.UNKNOWN_VERSION, name=match["id"], version=match["version"], available=versions
        )
    released = [e for e in same if e.status == "released"]
    if not released:
        raise MigmoduleError.of(codes.NO_RELEASED, name=match["id"], available=versions)
    return released[-1]


def load_spec(ref_or_path: str | Path, bank: Path | None = None) -> LoadedSpec:
    """Load a module by reference or by the path of a spec file, checking that the file name matches."""
    text = str(ref_or_path)
    path = Path(text)
    if text.endswith((".yaml", ".yml")) or path.is_file():
        spec = load_spec_file(path)
    else:
        spec = load_spec_file(resolve(text, bank).path)
    module = spec.module
    misnamed = spec.path.stem != module.version or spec.path.parent.name != module.id
    if misnamed and spec.path.parent.parent == (
        bank or bank_dir()
    ):  # the bank's layout is the registry
        raise MigmoduleError.of(
            codes.FILE_NAME,
            Location(file=str(spec.path)),
            actual=f"{spec.path.parent.name}/{spec.path.name}",
            module=module.ref,
            expected=f"{module.id}/{module.version}.yaml",
        )
    return spec


def load_module(ref_or_path: str | Path) -> Module:
    """`load_module("census-key-questions@1.0.0")`: the typed module (raises MigmoduleError if unusable)."""
    return load_spec(ref_or_path).module


def previous_version(module: Module, bank: Path | None = None) -> Entry | None:
    """The newest version of the same module in the bank that is older than `module`."""
    older = [
        e for e in list_modules(bank) if e.id == module.id and e.version_key < module.version_tuple
    ]
    return older[-1] if older else None
