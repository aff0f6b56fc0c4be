"""`migmodule map`: propose a profile's `variables` from a data file's names and variable labels.

Each question is scored against each variable: 1.0 for an exact (case-insensitive) name match;
otherwise the best of the difflib ratio between normalised names and the match between the file's
variable label and the question's labels in every module language (en, fr, es). Pairs are taken
best first, each question and each variable once; below `threshold` a question is left unmatched.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from migmodule.io import write_text
from migmodule.profile import Adapted, adapt
from migmodule.spec.model import Question
from migmodule.spec.text import render
from migmodule.validate.prepare import normalise
from migmodule.microdata import DataSource

THRESHOLD = 0.6


@dataclass
class Match:
    question: str
    variable: str
    score: float
    reason: str  # "name", "label (fr)", ...
    label: str = ""


@dataclass
class MappingProposal:
    module: str
    data: Path
    level: str | None
    matches: list[Match] = field(default_factory=list)
    unmatched: list[tuple[str, Match | None]] = field(default_factory=list)  # question, best guess
    unused: list[str] = field(default_factory=list)  # file variables not proposed for anything

    def to_yaml(self, output: Path | None = None) -> str:
        """A commented profile: the proposals with their scores, and what could not be matched."""
        where = self.data
        if output is not None:
            try:
                where = Path(os.path.relpath(self.data.resolve(), output.resolve().parent))
            except ValueError:  # another drive on Windows
                where = self.data.resolve()
        lines = [
            f"# Proposed by `migmodule map` from {self.data.name}: check every line before use.",
            "# Scores: 1.00 = same variable name; lower = similar name or variable label.",
            "profile_format: 1",
            f"name: {json.dumps(self.data.stem + ' (proposed)')}",
            "modules:",
            f"  - module: {self.module}",
        ]
        if self.level:
            lines += ["    files:", f"      {self.level}: {json.dumps(where.as_posix())}"]
        lines.append("    variables:" if self.matches else "    variables: {}")
        for match in self.matches:
            why = f"{match.score:.2f} {match.reason}" + (
                f": {json.dumps(match.label, ensure_ascii=False)}" if match.label else ""
            )
            lines.append(f"      {match.question}: {json.dumps(match.variable)}  # {why}")
        if self.unmatched:
            lines.append("    # Not matched (add them above if the file has them):")
            for question, guess in self.unmatched:
                hint = f" (best guess {guess.variable}, {guess.score:.2f})" if guess else ""
                lines.append(f"    #   {question}{hint}")
        if self.unused:
            lines.append(f"# Variables of the file not used: {', '.join(self.unused)}")
        return "\n".join(lines) + "\n"


def _score(
    question: Question, spec_name: str, name: str, label: str, adapted: Adapted
) -> tuple[float, str]:
    if name.lower() in (spec_name.lower(), question.id.lower()):
        return 1.0, "name"
    best = (
        difflib.SequenceMatcher(None, normalise(spec_name), normalise(name)).ratio() * 0.9,
        "name",
    )
    mine = normalise(label)
    if mine:
        for lang in adapted.module.languages:
            for text in (question.variable_label, question.label):
                theirs = normalise(render(text, adapted.module, adapted.params, lang))
                if not theirs:
                    continue
                ratio = difflib.SequenceMatcher(None, mine, theirs).ratio()
                words, their_words = set(mine.split()), set(theirs.split())
                overlap = (
                    len(words & their_words) / len(words | their_words)
                    if words | their_words
                    else 0
                )
                score = max(ratio, overlap) * 0.95
                if score > best[0]:
                    best = (score, f"label ({lang})")
    return round(best[0], 2), best[1]


def propose_mapping(
    data: str | Path,
    module: str | Adapted,
    *,
    encoding: str | None = None,
    threshold: float = THRESHOLD,
) -> MappingProposal:
    adapted = module if isinstance(module, Adapted) else adapt(None, module)[0]
    source = DataSource(data, encoding)
    candidates: list[Match] = []
    for question in adapted.questions:
        spec_name = adapted.variable(question.id)
        for name, info in source.columns.items():
            score, reason = _score(question, spec_name, name, info.label, adapted)
            candidates.append(Match(question.id, name, score, reason, info.label))
    candidates.sort(key=lambda m: (-m.score, m.question, m.variable))
    taken_questions: set[str] = set()
    taken_variables: set[str] = set()
    chosen: dict[str, Match] = {}
    best_guess: dict[str, Match] = {}
    for match in candidates:
        best_guess.setdefault(match.question, match)
        if (
            match.score < threshold
            or match.question in taken_questions
            or match.variable in taken_variables
        ):
            continue
        chosen[match.question] = match
        taken_questions.add(match.question)
        taken_variables.add(match.variable)
    order = [q.id for q in adapted.questions]
    # A module given as a file path is written as that path: the registry does not know it.
    is_path = isinstance(module, str) and (module.endswith((".yaml", ".yml")) or "/" in module)
    proposal = MappingProposal(module if is_path else adapted.module.ref, Path(data), None)
    proposal.matches = [chosen[q] for q in order if q in chosen]
    proposal.unmatched = [(q, best_guess.get(q)) for q in order if q not in chosen]
    proposal.unused = [name for name in source.columns if name not in taken_variables]
    levels = [adapted.module.question_by_id[m.question].level for m in proposal.matches]
    if levels:
        proposal.level = max(set(levels), key=levels.count)
    return proposal


def write_mapping(proposal: MappingProposal, output: str | Path) -> None:
    write_text(output, proposal.to_yaml(Path(output)))
