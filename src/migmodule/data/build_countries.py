"""Build ``countries.csv``, migmodule's built-in list of M49 countries and areas.

Maintainer tool, not imported at runtime. Regenerate the CSV with

    python src/migmodule/data/build_countries.py

The output is deterministic: the same inputs always give the same bytes. Inputs and
the choices made here are described in ``countries.md`` next to this file.

The inputs are:

* ``UNSD-en.csv``: the UNSD M49 overview table. It supplies the rows, the codes, the
  English names and the regions.
* ``country-codes.csv`` (datasets/country-codes): UNTERM and UNSD names in French and
  Spanish, and FIPS 10-4 codes.
* pycountry: cross-checks ISO alpha-2/alpha-3 and is the last fallback for names.
"""

from __future__ import annotations

import csv
import gettext
import io
import os
import re
import sys
from pathlib import Path

import pycountry

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "countries.csv"
# These are the pinned copies listed in SOURCES.md (D1, D2). Set the variable to use
# another checkout that holds the same two files.
# Default: shared/ beside the repository checkout (src/migmodule/data -> repo -> ..).
_DEFAULT_SOURCES = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "country-codes"
SOURCE_DIR = Path(os.environ.get("MIGMODULE_COUNTRY_SOURCES", _DEFAULT_SOURCES))
UNSD_CSV = SOURCE_DIR / "UNSD-en.csv"
DATASETS_CSV = SOURCE_DIR / "country-codes.csv"

COLUMNS = [
    "m49",
    "iso2",
    "iso3",
    "fips",
    "name_en",
    "name_fr",
    "name_es",
    "region_m49",
    "region_en",
    "subregion_m49",
    "subregion_en",
    "intermediate_region_m49",
    "intermediate_region_en",
    "name_source_fr",
    "name_source_es",
]

# Sources for French and Spanish names, best first. UNTERM short names are the UN's
# official names. For territories UNTERM has no entry, so we use the UNSD M49 name in
# that language, which datasets/country-codes carries as official_name_xx. ISO 3166
# names from pycountry come last because they are not UN usage (e.g. "Costa de Marfíl").
NAME_COLUMNS = {
    "fr": [("unterm", "UNTERM French Short"), ("unsd", "official_name_fr")],
    "es": [("unterm", "UNTERM Spanish Short"), ("unsd", "official_name_es")],
}

# UNTERM flags some entries with a trailing " *" or " **" footnote marker
# (e.g. "Holy See (the) *", "Niue **"). The marker is not part of the name.
_FOOTNOTE = re.compile(r"\s*\*+$")
# A FIPS field holds one or more two-letter codes. Anything else (for example the
# footnote letter "a" given for US Minor Outlying Islands) is not a code.
_FIPS = re.compile(r"^(?:[A-Z]{2})+$")
# M49 900-999 is kept free for migmodule's special codes (not stated, refused, ...).
RESERVED = range(900, 1000)


class BuildError(RuntimeError):
    """An input is not what this script expects. The build stops rather than guess."""


def _read(path: Path, required: list[str]) -> list[dict[str, str]]:
    # utf-8-sig removes UNSD's BOM. If the delimiter were ';', the header would be one
    # field and the required-column check below would fail loudly.
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise BuildError(f"{path}: missing columns {missing}")
        return list(reader)


def _int_or_blank(code: str) -> int | str:
    # UNSD pads codes ("004") and datasets/country-codes does not ("4"). Both become ints.
    return int(code) if code.strip() else ""


def _fips(raw: str) -> str:
    code = raw.strip()  # strip() also removes the lone NBSP that stands for "none" (Åland)
    if not _FIPS.match(code):
        return ""
    # One M49 area can cover several FIPS entities, and the source joins their codes
    # (GZWE = Gaza Strip GZ + West Bank WE). Separate them with spaces so that each
    # one can be looked up.
    return " ".join(code[i : i + 2] for i in range(0, len(code), 2))


class _Missing(gettext.NullTranslations):
    # Without this, gettext returns the English msgid for an untranslated name,
    # and that English name would pass silently as French or Spanish.
    def gettext(self, message):
        return None


def _iso_translators() -> dict:
    out = {}
    for lang in NAME_COLUMNS:
        t = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        t.add_fallback(_Missing())
        out[lang] = t.gettext
    return out


def _rows() -> list[dict]:
    unsd = _read(
        UNSD_CSV,
        [
            "Region Code",
            "Region Name",
            "Sub-region Code",
            "Sub-region Name",
            "Intermediate Region Code",
            "Intermediate Region Name",
            "Country or Area",
            "M49 Code",
            "ISO-alpha2 Code",
            "ISO-alpha3 Code",
        ],
    )
    datasets_required = ["M49", "ISO3166-1-Alpha-3", "FIPS"]
    datasets_required += [col for cols in NAME_COLUMNS.values() for _, col in cols]
    by_m49 = {int(r["M49"]): r for r in _read(DATASETS_CSV, datasets_required) if r["M49"]}
    translate = _iso_translators()

    rows = []
    # Rows come only from UNSD. Entries that exist only in datasets/country-codes
    # (Taiwan, 158) are left out on purpose; see countries.md.
    for u in unsd:
        m49 = int(u["M49 Code"])
        label = f"M49 {m49} ({u['Country or Area']!r})"
        iso2, iso3 = u["ISO-alpha2 Code"].strip(), u["ISO-alpha3 Code"].strip()
        d = by_m49.get(m49, {})
        if d and d["ISO3166-1-Alpha-3"] != iso3:
            raise BuildError(
                f"{label}: ISO3 {iso3} in UNSD but {d['ISO3166-1-Alpha-3']} in country-codes.csv"
            )
        iso = pycountry.countries.get(alpha_3=iso3) if iso3 else None
        if iso3 and (iso is None or iso.alpha_2 != iso2):
            raise BuildError(f"{label}: ISO codes {iso2}/{iso3} do not match pycountry")

        row = {
            "m49": m49,
            "iso2": iso2,
            "iso3": iso3,
            "fips": _fips(d.get("FIPS", "")),
            "name_en": u["Country or Area"].strip(),
            "region_m49": _int_or_blank(u["Region Code"]),
            "region_en": u["Region Name"],
            "subregion_m49": _int_or_blank(u["Sub-region Code"]),
            "subregion_en": u["Sub-region Name"],
            "intermediate_region_m49": _int_or_blank(u["Intermediate Region Code"]),
            "intermediate_region_en": u["Intermediate Region Name"],
        }
        if not row["name_en"]:
            raise BuildError(f"{label}: no English name in UNSD")
        for lang, candidates in NAME_COLUMNS.items():
            found = [(src, _FOOTNOTE.sub("", d.get(col, "")).strip()) for src, col in candidates]
            if iso is not None:
                found.append(("pycountry", translate[lang](iso.name) or ""))
            source, name = next(((s, n) for s, n in found if n), (None, None))
            if name is None:
                raise BuildError(f"{label}: no {lang} name in UNTERM, UNSD or pycountry")
            row[f"name_{lang}"], row[f"name_source_{lang}"] = name, source
        rows.append(row)

    rows.sort(key=lambda r: r["m49"])
    for key in ("m49", "iso3"):
        values = [r[key] for r in rows if r[key] != ""]
        if len(values) != len(set(values)):
            raise BuildError(f"duplicate {key} values")
    clash = [r["m49"] for r in rows if r["m49"] in RESERVED]
    if clash:
        raise BuildError(f"M49 codes {clash} fall in the reserved range 900-999")
    return rows


def build(out_path: str | Path = DEFAULT_OUT) -> list[dict]:
    """Write the country list to ``out_path`` and return its rows."""
    rows = _rows()
    buf = io.StringIO()
    # LF endings and minimal quoting give the same bytes on every platform.
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    Path(out_path).write_bytes(buf.getvalue().encode("utf-8"))
    return rows


def main() -> int:
    try:
        rows = build(DEFAULT_OUT)
    except BuildError as exc:
        print(f"build_countries: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(rows)} rows to {DEFAULT_OUT} (pycountry {pycountry.__version__})")
    for lang in NAME_COLUMNS:
        counts: dict[str, int] = {}
        for r in rows:
            counts[r[f"name_source_{lang}"]] = counts.get(r[f"name_source_{lang}"], 0) + 1
        print(f"  name_{lang} sources: {dict(sorted(counts.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
