"""Matching national variables and questionnaire items to a module's questions (`migmodule map`,
and `compare` later): `match(items, modules) -> list[Proposal]`.

Layout: model.py (Item, Proposal), text.py (cleaning labels and names), vocabulary.py (the words
in data/*.yaml), codes_evidence.py (value labels: countries, special codes, label similarity),
matcher.py (scores, levels, assignment, splits, recodes), sources.py (items from data files and
codebooks: XLSForm, CSPro, DDI), codes.py (issue codes). validate/mapping.py writes the
proposals as a draft profile.
"""

from migmodule.matching.matcher import FLOOR, THRESHOLD, match
from migmodule.matching.model import Item, Proposal
from migmodule.matching.sources import items_from_data, read_codebook, with_codebook

__all__ = [
    "FLOOR",
    "THRESHOLD",
    "Item",
    "Proposal",
    "items_from_data",
    "match",
    "read_codebook",
    "with_codebook",
]
