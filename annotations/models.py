"""Researchers' own data (annotations, links) — built on top of the source data."""
