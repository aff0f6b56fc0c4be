"""Released versions are immutable: their checksums are recorded in modules/released.json.

    python -m migmodule.spec.versions --record modules/census-key-questions/1.0.0.yaml

records a newly released file (refusing to change an existing record). Line endings are normalised
before hashing, so a Windows checkout with CRLF does not count as a change.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from migmodule.codes import Finding, Location
from migmodule.spec import codes
from migmodule.spec.diff import diff_modules, expected_version, required_bump, version_is_enough
from migmodule.spec.load import LoadedSpec, load_spec_file, read_yaml

REGISTER = "released.json"


def checksum(path: Path) -> str:
    data = path.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def read_register(bank: Path) -> dict[str, str]:
    register = bank / REGISTER
    if not register.exists():
        return {}
    return json.loads(register.read_text(encoding="utf-8"))


def released_findings(bank: Path) -> list[Finding]:
    """Every released file must have its recorded checksum, and every record must still match."""
    findings = []
    recorded = read_register(bank)
    for path in sorted(bank.glob("*/*.yaml")):
        key = f"{path.parent.name}/{path.name}"
        data, _ = read_yaml(path)
        status = data.get("status") if isinstance(data, dict) else None
        if key in recorded:
            if checksum(path) != recorded[key]:
                findings.append(
                    Finding.make(codes.RELEASED_CHANGED, Location(file=str(path)), file=key)
                )
        elif status == "released":
            findings.append(
                Finding.make(codes.RELEASED_UNRECORDED, Location(file=str(path)), file=str(path))
            )
    return findings


def version_findings(spec: LoadedSpec) -> list[Finding]:
    """Does the version number match the changes since the previous version in the same folder?"""
    from migmodule.spec.registry import list_modules

    module = spec.module
    folder = spec.path.parent.parent
    older = [
        e
        for e in list_modules(folder)
        if e.id == module.id and e.version_key < module.version_tuple
    ]
    if not older:
        return []
    previous = load_spec_file(older[-1].path).module
    changes = diff_modules(previous, module)
    bump = required_bump(changes)
    if version_is_enough(previous, module, bump):
        return []
    reasons = "; ".join(f"{c.item}: {c.detail}" for c in changes if c.impact == bump)
    return [
        Finding.make(
            codes.VERSION_BUMP,
            spec.location("version"),
            module=module.ref,
            previous=previous.ref,
            needed=bump,
            reasons=reasons,
            expected=expected_version(previous, bump),
        )
    ]


def record(path: Path) -> str:
    bank = path.resolve().parent.parent
    register = read_register(bank)
    key = f"{path.parent.name}/{path.name}"
    digest = checksum(path)
    if key in register and register[key] != digest:
        raise SystemExit(
            f"{key} is already recorded with another checksum: released files are immutable"
        )
    register[key] = digest
    text = json.dumps(dict(sorted(register.items())), indent=2) + "\n"
    from migmodule.io import write_text

    write_text(bank / REGISTER, text)
    return digest


def main(argv: list[str] | None = None) -> int:
    import argparse  # here: every command that loads a bank module imports this file

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--record", nargs="+", type=Path, required=True, help="released spec files to record"
    )
    args = parser.parse_args(argv)
    for path in args.record:
        spec = load_spec_file(path)
        if spec.module.status.value != "released":
            print(
                f"{path}: status is {spec.module.status.value}; only released files are recorded",
                file=sys.stderr,
            )
            return 2
        print(f"{path}: {record(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
