"""What `migmodule map` says, in the run's language: the terminal summary and the draft profile.

`validate.mapping.MappingProposal` holds the matcher's proposals; this module says them through
the catalogue (`map:` block, with `compare:`'s words where the same words are meant) and says
the matcher's evidence (`i18n.Phrase` values) in `lang`. In English the text is the one
`MappingProposal.summary()` and `to_yaml()` give. The draft's keys stay English (they are the
profile format); its comments and the `name` value are in `lang`. National names and labels are
shown as the file has them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from migmodule.compare.report import said
from migmodule.i18n import word
from migmodule.io import write_text
from migmodule.matching import Proposal
from migmodule.validate.mapping import MappingProposal


def _evidence(parts: list[Any], lang: str) -> str:
    return word(lang, "compare.detail.separator").join(said(part, lang) for part in parts)


def _score(score: float) -> str:
    return f"{score:.2f}"


def _why(proposal: Proposal, lang: str) -> str:
    why = f"{_score(proposal.score)} {_evidence(proposal.evidence, lang)}"
    return word(lang, "map.draft.review", why=why).replace("\n", " ")


def _recode_text(recode: dict[str, int] | str, lang: str) -> str:
    if isinstance(recode, str):
        return word(lang, "compare.detail.built_in", name=recode)
    shown = ", ".join(f"{k} -> {v}" for k, v in list(recode.items())[:8])
    more = " " + word(lang, "map.summary.more_codes", count=len(recode)) if len(recode) > 8 else ""
    return shown + more


def map_summary(proposal: MappingProposal, lang: str = "en") -> str:
    """The proposal as text for the terminal, in `lang`: score, national name and why, per target."""
    head = "map.summary.head_level" if proposal.level else "map.summary.head"
    lines = [
        word(lang, head, data=proposal.data.name, module=proposal.module, level=proposal.level)
    ]
    for p in proposal.proposals:
        if p.kind == "level":
            continue
        mark = "" if p.accepted else "  " + word(lang, "map.summary.guess")
        lines.append(
            f"  {_score(p.score)}  {p.target} <- {p.item}{mark}  ({_evidence(p.evidence, lang)})"
        )
        if p.recode and p.accepted:
            recode = _recode_text(p.recode, lang)
            lines.append("        " + word(lang, "compare.detail.recode", recode=recode))
    missing = [q for q, guess in proposal.unmatched if guess is None]
    if missing:
        lines.append("  " + word(lang, "map.summary.not_found", names=", ".join(missing)))
    return "\n".join(lines) + "\n"


def map_written(proposal: MappingProposal, path: str | Path, lang: str = "en") -> str:
    """The line `map -o` ends with: how many questions matched, and where the profile went."""
    count, unmatched = len(proposal.matches), len(proposal.unmatched)
    return word(lang, "map.summary.written", count=count, unmatched=unmatched, path=str(path))


def review_mark(lang: str) -> str:
    """The word that marks a guess in a draft's comments ("review", "à vérifier")."""
    return word(lang, "map.draft.review", why="").rstrip().rstrip(":").rstrip()


def map_profile(proposal: MappingProposal, lang: str = "en", output: Path | None = None) -> str:
    """The draft profile with its `# review:` comments in `lang`; file paths relative to
    `output`'s folder when given."""

    def say(key: str, **values: Any) -> str:
        return word(lang, f"map.draft.{key}", **values)

    where = proposal.data
    if output is not None:
        try:
            where = Path(os.path.relpath(proposal.data.resolve(), output.resolve().parent))
        except ValueError:  # another drive on Windows
            where = proposal.data.resolve()
    name = say("name", stem=proposal.data.stem)
    lines = [
        "# "
        + say(
            "head",
            command="`migmodule map`",
            data=proposal.data.name,
            mark=f"`{review_mark(lang)}`",
        ),
        "# " + say("head_more"),
        "profile_format: 1",
        f"name: {json.dumps(name, ensure_ascii=lang == 'en')}",
        "modules:",
        f"  - module: {proposal.module}",
    ]
    if proposal.level:
        lines += ["    files:", f"      {proposal.level}: {json.dumps(where.as_posix())}"]
    renamed = [p for p in proposal.ids if p.item != p.target]
    for p in proposal.ids:
        if p.item == p.target:
            lines.append("    # " + say("same_name", target=p.target, item=p.item))
    if renamed:
        lines.append("    ids:")
        lines += [f"      {p.target}: {json.dumps(p.item)}  # {_why(p, lang)}" for p in renamed]
    matches = proposal.matches
    lines.append("    variables:" if matches else "    variables: {}")
    for p in matches:
        if p.where:  # one national variable holding two questions
            split = f"{{from: {json.dumps(p.item)}, where: {json.dumps(p.where)}}}"
            lines.append(f"      {p.target}: {split}  # {_why(p, lang)}")
        else:
            lines.append(f"      {p.target}: {json.dumps(p.item)}  # {_why(p, lang)}")
    recoded = [p for p in matches if p.recode]
    if recoded:
        lines.append("    recodes:")
        for p in recoded:
            note = "  # " + say("review", why=_evidence(p.recode_evidence, lang))
            if isinstance(p.recode, str):
                lines.append(f"      {p.target}: {p.recode}{note}")
                continue
            lines.append(f"      {p.target}:{note}")
            for split in matches:
                bounds = re.findall(r">= (-?\d+) and .* <= (-?\d+)", split.where or "")
                if split.item == p.item and bounds:
                    low, high = bounds[0]
                    lines.append(
                        "        # " + say("area_codes", low=low, high=high, target=split.target)
                    )
            lines += [
                f"        {json.dumps(key, ensure_ascii=False)}: {value}"
                for key, value in p.recode.items()
            ]
    if proposal.weight:
        item = proposal.weight.item
        why = _why(proposal.weight, lang)
        lines.append("    # " + say("weight", item=item, why=why))
    unmatched = proposal.unmatched
    if unmatched:
        lines.append("    # " + say("not_matched"))
        for question, guess in unmatched:
            hint = ""
            if guess:
                evidence = said(guess.evidence[0], lang)
                hint = " " + say(
                    "best_guess", item=guess.item, score=_score(guess.score), evidence=evidence
                )
            lines.append(f"    #   {question}{hint}")
    if proposal.unused:
        lines.append("# " + say("unused", names=", ".join(proposal.unused)))
    return "\n".join(lines) + "\n"


def write_map_profile(proposal: MappingProposal, output: str | Path, lang: str = "en") -> None:
    """Write the draft profile in `lang` (never over the data file, as `write_mapping`)."""
    if Path(output).resolve() == proposal.data.resolve():
        from migmodule.codes import Location, MigmoduleError
        from migmodule.matching.codes import OUTPUT_IS_DATA

        raise MigmoduleError.of(OUTPUT_IS_DATA, Location(file=str(output)), path=output)
    write_text(output, map_profile(proposal, lang, Path(output)))
