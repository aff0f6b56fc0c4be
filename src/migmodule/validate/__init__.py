"""Validation of microdata against a module."""
