"""The start-up cache (migmodule/cache.py): a parsed module or catalogue read back from disk is the
one a fresh parse gives, an edited file is parsed again, and a cache folder that is missing,
unwritable or damaged never changes a result or an error. Also: `available_names` (the names a
validation's chunks will have) follows derive() without evaluating anything.
"""

from __future__ import annotations

import pickle
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from migmodule import cache, i18n
from migmodule.codes import MigmoduleError
from migmodule.expr.evaluate import derive
from migmodule.profile import adapt
from migmodule.spec import load
from migmodule.spec.load import load_spec_file
from migmodule.spec.registry import bank_dir, list_modules
from migmodule.validate.engine import available_names

CENSUS = bank_dir() / "census-key-questions" / "1.0.0.yaml"


def fresh() -> None:
    """Forget what this process parsed, so the next load reads the disk cache or the file."""
    load._read_yaml_cached.cache_clear()
    i18n.catalogue.cache_clear()


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(where))
    fresh()
    yield where
    fresh()


def entries(where: Path, kind: str = "yaml") -> list[Path]:
    return sorted(where.glob(f"{kind}-*.pickle")) if where.is_dir() else []


def no_parsing(monkeypatch) -> None:
    """From here on, a file that is parsed fails the test: what loads came from the cache."""

    def refuse(*args, **kwargs):
        raise AssertionError("parsed again instead of read from the cache")

    monkeypatch.setattr(load, "_parse_yaml", refuse)
    monkeypatch.setattr(load, "_module_of", refuse)
    monkeypatch.setattr(i18n, "_parse_catalogue", refuse)


def loaded(path: Path) -> tuple[dict, dict]:
    spec = load_spec_file(path)
    return spec.module.model_dump(mode="json"), dict(spec.lines)


def test_a_module_read_back_is_the_validated_one(folder, monkeypatch):
    """The typed module is cached too: equal to a fresh one, field by field and in its lookups,
    and still frozen."""
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    fresh()
    validated = load_spec_file(CENSUS).module
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    fresh()
    load_spec_file(CENSUS)
    assert len(entries(folder, "module")) == 1
    fresh()
    no_parsing(monkeypatch)
    read_back = load_spec_file(CENSUS).module
    assert read_back is not validated and read_back == validated
    assert read_back.model_dump() == validated.model_dump()
    assert read_back.model_fields_set == validated.model_fields_set
    assert list(read_back.question_by_id) == list(validated.question_by_id)
    assert read_back.status == validated.status and read_back.ref == validated.ref
    with pytest.raises(ValueError, match="frozen"):
        read_back.questions[0].id = "renamed"


def test_a_cache_hit_gives_the_spec_a_fresh_parse_gives(folder, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    fresh()
    parsed = loaded(CENSUS)
    assert not folder.exists()

    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    fresh()
    assert loaded(CENSUS) == parsed
    assert len(entries(folder)) == 1

    fresh()
    no_parsing(monkeypatch)
    assert loaded(CENSUS) == parsed


def test_a_catalogue_from_the_cache_is_the_parsed_one(folder, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    fresh()
    parsed = {lang: dict(i18n.catalogue(lang)) for lang in ("en", "fr", "ar")}

    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    fresh()
    assert {lang: i18n.catalogue(lang) for lang in parsed} == parsed
    assert len(entries(folder, "catalogue")) == 3
    fresh()
    no_parsing(monkeypatch)
    assert {lang: i18n.catalogue(lang) for lang in parsed} == parsed


def test_an_edited_file_is_parsed_again(folder, tmp_path):
    copy = tmp_path / "census-key-questions" / "1.0.0.yaml"
    copy.parent.mkdir()
    shutil.copy(CENSUS, copy)
    before = load_spec_file(copy).module
    text = copy.read_text(encoding="utf-8")
    title = before.title["en"]
    copy.write_text(text.replace(title, "An edited title", 1), encoding="utf-8")
    fresh()
    after = load_spec_file(copy).module
    assert after.title["en"] == "An edited title"
    assert before.title["en"] == title
    assert len(entries(folder)) == len(entries(folder, "module")) == 2


@pytest.mark.parametrize("blocked", ["a file where the folder should be", "off"])
def test_a_cache_folder_that_cannot_be_written_changes_nothing(blocked, tmp_path, monkeypatch):
    expected = loaded(CENSUS)  # whatever the cache held for this process
    if blocked == "off":
        monkeypatch.setenv(cache.CACHE_ENV, "off")
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    else:
        # a regular file in the path: no one can make the folder, not even root (chmod would
        # not stop root, who runs CI in some containers)
        (tmp_path / "plain").write_text("not a folder", encoding="utf-8")
        monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "plain" / "cache"))
    for _ in range(2):
        fresh()
        assert loaded(CENSUS) == expected
    assert sorted(path.name for path in tmp_path.iterdir()) == (
        [] if blocked == "off" else ["plain"]
    )
    fresh()


def test_a_read_only_folder_is_read_and_not_written(folder, tmp_path, monkeypatch):
    expected = loaded(CENSUS)
    copy = tmp_path / "census-key-questions" / "1.0.0.yaml"
    copy.parent.mkdir()
    copy.write_text(CENSUS.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    written = entries(folder)
    folder.chmod(0o555)
    try:
        fresh()
        edited = loaded(copy)  # parsed: a new key, which cannot be stored (except by root)
        assert edited[0] == expected[0]
        fresh()
        no_parsing(monkeypatch)
        assert loaded(CENSUS) == expected  # the entry already there is read
    finally:
        folder.chmod(0o755)
    assert set(written) <= set(entries(folder))


def test_a_damaged_entry_is_ignored_and_written_again(folder):
    expected = loaded(CENSUS)
    (entry,) = entries(folder)
    sound = entry.read_bytes()
    damages = {
        "truncated": sound[: len(sound) // 2],
        "a changed byte": sound[:-10] + bytes([sound[-10] ^ 0xFF]) + sound[-9:],
        "empty": b"",
        "another format": b"migmodule-cache 0\n" + sound[len(cache.FORMAT) :],
    }
    for damage, blob in damages.items():
        entry.write_bytes(blob)
        fresh()
        assert loaded(CENSUS) == expected, damage
        assert entry.read_bytes() == sound, damage


def test_an_entry_naming_a_class_is_not_loaded(folder, monkeypatch):
    """Only plain data is read back: an entry that would build another object (a function
    call, as a tampered pickle would) is refused before anything is called, and rebuilt."""
    calls = []
    payload = pickle.dumps(Path("/somewhere"))  # a reduce to pathlib: a class to import
    path = cache.entry_path("test", [b"key"])
    path.parent.mkdir(parents=True)
    path.write_bytes(cache.FORMAT + cache.digest(payload) + payload)
    value = cache.cached("test", [b"key"], lambda: calls.append(1) or {"rebuilt": True})
    assert value == {"rebuilt": True}
    assert calls == [1]
    assert cache.cached("test", [b"key"], lambda: calls.append(2)) == {"rebuilt": True}
    assert calls == [1]


def test_dates_and_sets_come_back_as_they_were_stored(folder):
    import datetime as dt

    value = {
        "day": dt.date(2030, 1, 1),
        "moment": dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        "codes": {1, 2},
        "pair": (1, "a"),
    }
    assert cache.cached("test", [b"dates"], lambda: value) == value
    assert cache.cached("test", [b"dates"], lambda: None) == value


PADDING_LINES = 200  # comment lines of 101 characters: larger than the size cached from


def padded(text: str) -> str:
    """`text` after enough comment lines to be larger than the size from which files are cached."""
    return ("#" + "x" * 100 + "\n") * PADDING_LINES + text


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("id: m\nversion: 1.0.0\nquestions:\n  - id: [unclosed\n", "SPEC-YAML-001", 5),
        ("id: m\nid: n\n", "SPEC-YAML-001", 2),
        ("id: m\ncode_lists:\n  - id: yn\n    codes:\n      - code: yes\n", "SPEC-SCHEMA-001", 5),
    ],
)
def test_an_invalid_file_gives_its_coded_error_every_time_and_is_not_cached(
    folder, tmp_path, monkeypatch, text, code, line
):
    bad = tmp_path / "m" / "1.0.0.yaml"
    bad.parent.mkdir()
    bad.write_text(padded(text), encoding="utf-8")
    assert bad.stat().st_size >= load.CACHE_FROM_BYTES
    errors = []
    for setting in ("off", str(folder), str(folder)):
        monkeypatch.setenv(cache.CACHE_ENV, setting)
        fresh()
        with pytest.raises(MigmoduleError) as caught:
            load_spec_file(bad)
        errors.append(str(caught.value))
        assert caught.value.finding.code == code
        assert caught.value.finding.location.line == PADDING_LINES + line
    assert errors[0] == errors[1] == errors[2]
    assert entries(folder) == []


def test_the_cache_folder_follows_the_platform(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setattr(cache.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert cache.cache_dir() == tmp_path / "Local" / "migmodule" / "Cache"
    monkeypatch.setattr(cache.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "migmodule"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "migmodule"
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv(cache.CACHE_ENV, "OFF")
    assert cache.cache_dir() is None


def test_the_folder_is_kept_small(folder, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 6)
    for number in range(10):
        cache.cached("test", [str(number)], lambda value=number: value)
    assert 3 <= len(entries(folder, "test")) <= 6
    assert cache.clear() >= 3
    assert entries(folder, "test") == []


# available_names ---------------------------------------------------------------------------------


def released_modules() -> list[str]:
    return [entry.ref for entry in list_modules() if entry.status == "released"]


@pytest.mark.parametrize("ref", released_modules())
def test_available_names_are_the_columns_derive_gives(ref):
    (adapted,) = adapt(module_ref=ref)
    module = adapted.module
    everything = [q.id for q in module.questions] + [d.id for d in module.derived]
    rng = random.Random(ref)  # the same subsets on every run
    column_sets = [[], [q.id for q in module.questions], everything]
    column_sets += [rng.sample(everything, rng.randint(1, len(everything))) for _ in range(12)]
    assert module.derived  # else the comparison says little
    for columns in column_sets:
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
        expected = set(derive(module, empty, adapted.params).columns)
        assert available_names(adapted, columns) == expected, sorted(columns)


# resolving id@version ----------------------------------------------------------------------------


def test_an_exact_reference_reads_one_file_and_finds_what_the_listing_finds(monkeypatch):
    from migmodule.spec import registry

    listed = registry.list_modules()
    read: list[Path] = []
    header = registry._header

    def counting(path):
        read.append(path)
        return header(path)

    monkeypatch.setattr(registry, "_header", counting)
    for entry in listed:
        registry._entry.cache_clear()
        read.clear()
        assert registry.resolve(entry.ref) == entry
        assert read == [entry.path]


def test_a_file_whose_header_says_another_version_is_found_by_the_listing(tmp_path):
    from migmodule.spec import registry

    bank = tmp_path / "bank"
    (bank / "swapped-module").mkdir(parents=True)
    (bank / "swapped-module" / "1.0.0.yaml").write_text(
        "id: swapped-module\nversion: 1.1.0\nstatus: released\n"
    )
    (bank / "swapped-module" / "1.1.0.yaml").write_text(
        "id: swapped-module\nversion: 1.0.0\nstatus: released\n"
    )
    assert (
        registry.resolve("swapped-module@1.0.0", bank).path
        == bank / "swapped-module" / "1.1.0.yaml"
    )
    assert (
        registry.resolve("swapped-module@1.1.0", bank).path
        == bank / "swapped-module" / "1.0.0.yaml"
    )


# the collector around the heavy imports ----------------------------------------------------------

GC_PROBE = """
import gc, json, sys
from migmodule.startup import heavy_imports

seen = {"before": gc.isenabled()}
try:
    with heavy_imports():
        seen["during"] = gc.isenabled()
        import fractions  # any import
        raise KeyError("an import that fails")
except KeyError:
    pass
seen["after"] = gc.isenabled()
seen["frozen"] = gc.get_freeze_count()
with heavy_imports():
    seen["again"] = gc.isenabled()
seen["frozen again"] = gc.get_freeze_count()
print(json.dumps(seen))
"""


def run_probe(code: str, *args: str) -> dict:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_heavy_imports_pause_the_collector_then_freeze_once():
    seen = run_probe(GC_PROBE)
    assert seen["before"] and not seen["during"] and seen["after"]  # restored after a failure too
    assert seen["frozen"] > 1000  # the interpreter's own objects at least
    assert seen["again"] and seen["frozen again"] == seen["frozen"]  # once per process


VALIDATE_PROBE = """
import gc, json, sys
sys.argv = ["migmodule", "validate", sys.argv[1], "--module", sys.argv[2], "-q"]
from migmodule.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps({"frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
"""


def test_validate_freezes_what_its_imports_made(tmp_path):
    data = tmp_path / "persons.csv"
    data.write_text("hh_id,person_no,age\n1,1,30\n", encoding="utf-8")
    spec = Path(__file__).parent / "specs" / "mini.yaml"
    seen = run_probe(VALIDATE_PROBE, str(data), str(spec))
    assert seen["enabled"]
    assert seen["frozen"] > 60_000  # pandas, numpy and pydantic's objects among them


def test_a_text_without_a_date_does_not_write_the_date_in_words(monkeypatch):
    from migmodule.spec import text

    (adapted,) = adapt(module_ref="census-key-questions@1.0.0", reference_date="2030-01-01")
    module, params = adapted.module, adapted.params
    assert text.fill("on {REF_DATE}", module, params, "fr") == "on 1 janvier 2030"
    assert text.fill("{REF_DATE-1Y}", module, params, "en") == "1 January 2029"

    def no_date(*args):
        raise AssertionError("a date written in words for a text that has none")

    monkeypatch.setattr(text, "long_date", no_date)
    assert text.fill("born in {COUNTRY_NAME}", module, params, "en") == (
        "born in " + text.placeholder_values(module, params, "en", set())["COUNTRY_NAME"]
    )
    assert text.fill("no placeholder", module, params, "en") == "no placeholder"


def test_no_home_folder_means_no_cache(monkeypatch, tmp_path):
    """A service account without a home folder: no folder named ~ is made where the command runs."""
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(cache.sys, "platform", "linux")
    monkeypatch.setattr(cache.Path, "home", classmethod(lambda cls: cls("~")))
    monkeypatch.chdir(tmp_path)
    assert cache.cache_dir() is None
    assert cache.cached("test", [b"no home"], lambda: 42) == 42
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [("--version",), ("list",), ("--help",)])
def test_the_quick_commands_do_not_import_the_cache(args):
    from test_startup import imported_by

    assert imported_by(*args, heavy=("migmodule.cache", "migmodule.startup")) == []
