"""Exports: each module reads the spec (through an Adapted module) and writes one format."""
