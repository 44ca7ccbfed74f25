"""A FRUS document copied from its page on the Office of the Historian's site.

The text a reader gets by selecting the page: the volume and document
headings, the document's head, source note, dateline, text and footnotes.
"""

from __future__ import annotations

from interchange.importers.parsed import ParsedDocument


def looks_like(text: str) -> bool:
    """Whether ``text`` is a FRUS page copied as text."""
    return False


def parse(text: str) -> list[ParsedDocument]:
    raise NotImplementedError
