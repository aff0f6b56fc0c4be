"""Every command that takes a national profile takes it as `-p` too: validate, tabulate and
compare had `-p`, export, handout and apply-labels only `--profile`, so `migmodule export
xlsform -p npl.yaml` stopped with a usage error."""

from __future__ import annotations

import importlib

import click

from migmodule.cli import COMMANDS


def _commands() -> list[tuple[str, click.Command]]:
    found = []
    for name, (target, _) in COMMANDS.items():
        module, attr = target.split(":")
        command = getattr(importlib.import_module(module), attr)
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
            for sub, c in command.commands.items():
                if isinstance(c, click.Group):
                    found += [(f"{name} {sub} {s}", cc) for s, cc in c.commands.items()]
        else:
            found.append((name, command))
    return found


def test_every_profile_option_has_the_short_flag():
    with_profile = []
    for name, command in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and "--profile" in param.opts:
                with_profile.append(name)
                assert "-p" in param.opts, f"migmodule {name}: --profile has no -p"
    # export's targets, handout, apply-labels, validate, tabulate and compare at least
    for name in ("validate", "tabulate", "compare", "handout", "apply-labels", "export xlsform"):
        assert name in with_profile
