"""CSPro 8: the JSON dictionary's security block allows data export, and the .apc fills the
roster sequence items and ends a counted roster at its count.

The security settings are read back as CSPro 8.0.1 reads them (`csprousers/cspro` d33c4b1,
`cspro/zDictO/DDClass.cpp` `DeserializeSecurityOptions`): decrypted with `RijndaelEncryptor`
(`cspro/zToolsO/Encryption.cpp`: AES-256 by 16-byte block, key PBKDF2-HMAC-SHA256 of the
dictionary name with no salt and 1024 iterations, `zToolsO/Hash.cpp`), the text must end in a NUL,
and its tab-separated fields are the dictionary name, `v1`, then the data viewer, export and
password-minutes settings; anything else leaves export forbidden.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from migmodule.export.cspro import export_cspro
from migmodule.profile import adapt

MINI = str(Path(__file__).parent / "specs" / "mini.yaml")


def cspro_reads_security(name: str, settings: str) -> dict[str, int] | None:
    """The options CSPro takes from `security.settings`, or None when it would ignore them."""
    if len(settings) % 32:
        return None
    key = hashlib.pbkdf2_hmac("sha256", name.encode("utf-8"), b"", 1024, 32)
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    plain = decryptor.update(bytes.fromhex(settings)) + decryptor.finalize()
    if not plain.rstrip(b"\0") or b"\0" not in plain:
        return None
    fields = plain.split(b"\0")[0].decode("utf-8").split("\t")
    if fields[0] != name or fields[1:2] != ["v1"]:
        return None
    viewer, export, minutes = (int(v) for v in fields[2:5])
    return {"viewer": viewer, "export": export, "minutes": minutes}


def test_json_dictionary_allows_export(tmp_path):
    out = tmp_path / "q.dcf"
    export_cspro(adapt(None, MINI, languages=["en", "fr"]), out, fmt="json")
    data = json.loads(out.read_text(encoding="utf-8"))
    security = data["security"]
    assert list(data)[: list(data).index("security")][-1] == "languages"  # CSPro's key order
    assert security["allowExport"] is True
    assert cspro_reads_security(data["name"], security["settings"]) == {
        "viewer": 0,
        "export": 1,
        "minutes": 0,
    }
    # the settings are bound to the name: under another name CSPro ignores them
    assert cspro_reads_security("OTHER_DICT", security["settings"]) is None


def _procs(logic: str) -> dict[str, str]:
    return dict(re.findall(r"^PROC (\w+)\n(.*?)(?=^PROC |\Z)", logic, flags=re.S | re.M))


def test_sequence_items_are_filled_and_a_counted_roster_stops_at_its_count(tmp_path):
    out = tmp_path / "q.dcf"
    export_cspro(adapt(None, "census-key-questions", country="KEN"), out)
    procs = _procs((tmp_path / "q.apc").read_text(encoding="utf-8-sig"))
    person = procs["PERSON_NO"]
    assert "preproc\n  $ = curocc();\n  noinput;" in person and "endgroup" not in person
    emigrant = procs["EMIGRANT_NO"]
    assert (
        "if special(EMIGRANTS_NUMBER) or curocc() > EMIGRANTS_NUMBER then\n    endgroup;\n  endif;"
    ) in emigrant
    assert emigrant.index("endgroup") < emigrant.index("$ = curocc();")
    dictionary = out.read_text(encoding="utf-8-sig")
    assert "Name=EMIGRANT_NO\n" in dictionary and "Name=EMIGRANTS_NUMBER\n" in dictionary


def test_roster_without_a_count_is_not_ended_by_logic(tmp_path):
    export_cspro(adapt(None, MINI), tmp_path / "q.dcf")
    procs = _procs((tmp_path / "q.apc").read_text(encoding="utf-8-sig"))
    assert "$ = curocc();" in procs["PERSON_NO"] and "endgroup" not in procs["PERSON_NO"]
