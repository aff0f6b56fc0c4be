"""Handouts for trainers: a module as a readable, printable, editable document.

model.py builds one document model from Adapted modules; html.py, docx.py, markdown.py and pdf.py
draw it; diagram.py draws the routing diagram; routing.py works out "where to go next".
"""

from migmodule.handout.render import FORMATS, render_bytes, render_handout

__all__ = ["FORMATS", "render_bytes", "render_handout"]
