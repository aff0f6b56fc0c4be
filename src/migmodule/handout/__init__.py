"""Handouts for trainers: a module as a readable, printable, editable document."""
