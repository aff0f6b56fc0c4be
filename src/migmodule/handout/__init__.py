"""Handouts for trainers: a module as a readable, printable, editable document.

model.py builds one document model from Adapted modules; html.py, docx.py, markdown.py, pdf.py
and pptx.py (a workshop deck) draw it; diagram.py draws the routing diagram; routing.py works out "where to go next".
"""

from migmodule.handout.render import AUDIENCES, FORMATS, render_bytes, render_handout

__all__ = ["AUDIENCES", "FORMATS", "render_bytes", "render_handout"]
