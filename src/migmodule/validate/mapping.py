"""`migmodule map`: a draft profile from a data file (and its codebook), made by the matcher.

The matching itself is `migmodule.matching.match`; this file reads the data file's variables,
merges a codebook's labels when one is given, and writes the proposals as a commented profile in
which every proposed line is marked for review with its score and evidence.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from migmodule.io import write_text
from migmodule.matching import FLOOR, THRESHOLD, Item, Proposal, match
from migmodule.matching.sources import items_from_data, read_codebook, with_codebook
from migmodule.profile import Adapted, adapt


@dataclass
class MappingProposal:
    module: str
    data: Path
    level: str | None
    proposals: list[Proposal] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)  # the module's questions, in order
    items: list[Item] = field(default_factory=list)

    @property
    def matches(self) -> list[Proposal]:
        return [p for p in self.proposals if p.accepted and p.kind in ("question", "derived")]

    @property
    def ids(self) -> list[Proposal]:
        return [p for p in self.proposals if p.accepted and p.kind == "id"]

    @property
    def weight(self) -> Proposal | None:
        return next((p for p in self.proposals if p.accepted and p.kind == "weight"), None)

    @property
    def unmatched(self) -> list[tuple[str, Proposal | None]]:
        """Questions not proposed, each with its best guess below the threshold (or None)."""
        done = {p.target for p in self.matches}
        guesses = {p.target: p for p in self.proposals if not p.accepted}
        return [(q, guesses.get(q)) for q in self.questions if q not in done]

    @property
    def unused(self) -> list[str]:
        used = {p.item for p in self.proposals if p.accepted and p.kind != "level"}
        return [item.name for item in self.items if item.name not in used]

    def summary(self) -> str:
        """The proposal as text for the terminal: score, national name and why, per target."""
        lines = [
            f"{self.data.name} -> {self.module}" + (f" (level {self.level})" if self.level else "")
        ]
        for proposal in self.proposals:
            if proposal.kind == "level":
                continue
            mark = "" if proposal.accepted else "  [guess, not proposed]"
            lines.append(
                f"  {proposal.score:.2f}  {proposal.target} <- {proposal.item}{mark}"
                f"  ({'; '.join(proposal.evidence)})"
            )
            if proposal.recode and proposal.accepted:
                lines.append(f"        recode: {_recode_text(proposal.recode)}")
        missing = [q for q, guess in self.unmatched if guess is None]
        if missing:
            lines.append(f"  not found: {', '.join(missing)}")
        return "\n".join(lines) + "\n"

    def to_yaml(self, output: Path | None = None) -> str:
        """A commented profile: every proposed line says its score and why, for review."""
        where = self.data
        if output is not None:
            try:
                where = Path(os.path.relpath(self.data.resolve(), output.resolve().parent))
            except ValueError:  # another drive on Windows
                where = self.data.resolve()
        lines = [
            f"# Proposed by `migmodule map` from {self.data.name}. Every line marked `review` is a",
            "# guess by the matcher (score 0-1 and why): check each one before use.",
            "profile_format: 1",
            f"name: {json.dumps(self.data.stem + ' (proposed)')}",
            "modules:",
            f"  - module: {self.module}",
        ]
        if self.level:
            lines += ["    files:", f"      {self.level}: {json.dumps(where.as_posix())}"]
        renamed = [p for p in self.ids if p.item != p.target]
        for proposal in self.ids:
            if proposal.item == proposal.target:
                lines.append(f"    # identifier {proposal.target}: {proposal.item} (same name)")
        if renamed:
            lines.append("    ids:")
            lines += [f"      {p.target}: {json.dumps(p.item)}  # {_why(p)}" for p in renamed]
        lines.append("    variables:" if self.matches else "    variables: {}")
        for p in self.matches:
            if p.where:  # one national variable holding two questions
                where = f"{{from: {json.dumps(p.item)}, where: {json.dumps(p.where)}}}"
                lines.append(f"      {p.target}: {where}  # {_why(p)}")
            else:
                lines.append(f"      {p.target}: {json.dumps(p.item)}  # {_why(p)}")
        recoded = [p for p in self.matches if p.recode]
        if recoded:
            lines.append("    recodes:")
            for proposal in recoded:
                note = f"  # review: {'; '.join(proposal.recode_evidence)}"
                if isinstance(proposal.recode, str):
                    lines.append(f"      {proposal.target}: {proposal.recode}{note}")
                    continue
                lines.append(f"      {proposal.target}:{note}")
                for split in self.matches:
                    bounds = re.findall(r">= (-?\d+) and .* <= (-?\d+)", split.where or "")
                    if split.item == proposal.item and bounds:
                        low, high = bounds[0]
                        lines.append(
                            f'        # "{low}:{high}": M49 code of the census country '
                            f"(codes of {split.target}, areas of this country)"
                        )
                lines += [
                    f"        {json.dumps(key, ensure_ascii=False)}: {value}"
                    for key, value in proposal.recode.items()
                ]
        if self.weight:
            lines.append(
                f"    # weight: {self.weight.item} -> give it to validate as --weight "
                f"{self.weight.item} ({_why(self.weight)})"
            )
        if self.unmatched:
            lines.append("    # Not matched (add them above if the file has them):")
            for question, guess in self.unmatched:
                hint = (
                    f" (best guess {guess.item}, {guess.score:.2f}: {guess.evidence[0]})"
                    if guess
                    else ""
                )
                lines.append(f"    #   {question}{hint}")
        if self.unused:
            lines.append(f"# Variables of the file not used: {', '.join(self.unused)}")
        return "\n".join(lines) + "\n"


def _why(proposal: Proposal) -> str:
    return f"review: {proposal.score:.2f} {'; '.join(proposal.evidence)}".replace("\n", " ")


def _recode_text(recode: dict[str, int] | str) -> str:
    if isinstance(recode, str):
        return f"built-in {recode}"
    shown = ", ".join(f"{k} -> {v}" for k, v in list(recode.items())[:8])
    return shown + (f" ... ({len(recode)} codes)" if len(recode) > 8 else "")


def propose_mapping(
    data: str | Path,
    module: str | Adapted,
    *,
    encoding: str | None = None,
    threshold: float = THRESHOLD,
    floor: float = FLOOR,
    codebook: str | Path | None = None,
) -> MappingProposal:
    """Propose how DATA's variables feed the module: identifiers, questions, weight, recodes."""
    adapted = module if isinstance(module, Adapted) else adapt(None, module)[0]
    items = items_from_data(data, encoding)
    if codebook is not None:
        items = with_codebook(items, read_codebook(codebook))
    # A module given as a file path is written as that path: the registry does not know it.
    is_path = isinstance(module, str) and (module.endswith((".yaml", ".yml")) or "/" in module)
    ref = module if is_path else adapted.module.ref
    proposals = match(items, adapted, threshold=threshold, floor=floor)
    for proposal in proposals:
        proposal.module = ref
    levels = [p for p in proposals if p.kind == "level"]
    level = max(levels, key=lambda p: p.score).target if levels else None
    return MappingProposal(
        ref,
        Path(data),
        level,
        [p for p in proposals if p.kind != "level"],
        [q.id for q in adapted.questions],
        items,
    )


def write_mapping(proposal: MappingProposal, output: str | Path) -> None:
    if Path(output).resolve() == proposal.data.resolve():
        from migmodule.codes import Location, MigmoduleError
        from migmodule.matching.codes import OUTPUT_IS_DATA

        raise MigmoduleError.of(OUTPUT_IS_DATA, Location(file=str(output)), path=output)
    write_text(output, proposal.to_yaml(Path(output)))
