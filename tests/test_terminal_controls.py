"""Data values reach the terminal, the reports and the messages as text: a control character in a
value (ESC colour or title sequences, BEL, a bidi override) is shown escaped, never obeyed."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from migmodule.cli import main
from migmodule.codes import Severity, define
from migmodule.escape import visible_controls
from validate_helpers import MINI

HOSTILE = "\x1b]0;pwned\x07\x1b[31mRED\u202eevil"


def test_visible_controls_escapes_what_a_terminal_obeys_and_keeps_the_rest():
    assert visible_controls(HOSTILE) == "\\x1b]0;pwned\\x07\\x1b[31mRED\\u202eevil"
    assert visible_controls("Côte d'Ivoire\tکشور\n") == "Côte d'Ivoire\tکشور\n"


def test_a_value_with_terminal_controls_is_shown_escaped_by_validate(tmp_path):
    data = tmp_path / "p.csv"
    frame = pd.DataFrame({"hh_id": [1, 2], "person_no": [1, 1], "age": ["30", HOSTILE]})
    frame.to_csv(data, index=False)
    report = tmp_path / "r.json"
    result = CliRunner().invoke(
        main, ["validate", str(data), "-m", str(MINI), "--report", str(report)]
    )
    assert result.exit_code == 1, result.output
    assert "\\x1b[31mRED" in result.output  # the value is there, recognisable
    assert (
        "\x1b" not in result.output
        and "\u202e" not in result.output
        and "\x07" not in result.output
    )
    messages = " ".join(f["message"] for f in json.loads(report.read_text())["findings"])
    assert "\\x1b[31mRED" in messages and "\x1b" not in messages


def test_every_coded_message_escapes_its_text_values():
    issue = define("TEST-CTRL-001", Severity.ERROR.value, "t", "value {value!r} or {plain}", "t")
    message = issue.format(value="a\x1bb", plain="c\x1bd")
    assert "\x1b" not in message and "c\\x1bd" in message
