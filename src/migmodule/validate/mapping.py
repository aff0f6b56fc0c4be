"""`migmodule map`: a draft profile from a data file (and its codebook), made by the matcher.

The matching itself is `migmodule.matching.match`; this file reads the data file's variables,
merges a codebook's labels when one is given, and writes the proposals as a commented profile in
which every proposed line is marked for review with its score and evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
        """The proposal as text for the terminal: score, national name and why, per target (in
        English; `mapping_text.map_summary` says it in another language)."""
        from migmodule.mapping_text import map_summary

        return map_summary(self)

    def to_yaml(self, output: Path | None = None) -> str:
        """A commented profile: every proposed line says its score and why, for review (in
        English; `mapping_text.map_profile` writes it in another language)."""
        from migmodule.mapping_text import map_profile

        return map_profile(self, "en", output)


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
    """Write the English draft profile (never over the data file)."""
    from migmodule.mapping_text import write_map_profile

    write_map_profile(proposal, output)
