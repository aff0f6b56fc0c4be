"""Matching national variables and questionnaire items to a module's questions (`migmodule map`,
and `compare` later): `match(items, modules) -> list[Proposal]`.

Layout: model.py (Item, Proposal), text.py (cleaning labels and names), vocabulary.py (the words
in data/*.yaml), codes_evidence.py (value labels: countries, special codes, recodes), matcher.py
(scores, levels, assignment), sources.py (items from data files and codebooks), profile.py
(the proposal written as a commented profile), codes.py (issue codes).
"""

from migmodule.matching.matcher import FLOOR, THRESHOLD, match
from migmodule.matching.model import Item, Proposal

__all__ = ["FLOOR", "THRESHOLD", "Item", "Proposal", "match"]
