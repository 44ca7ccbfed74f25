"""Anchor a W3C text selector to the current text of a passage (model-free).

A selector remembers a quote (``exact`` with some ``prefix`` and ``suffix``)
and the position it had (``start``, ``end``). When the text changes, the
quote is placed again, in this order:

1. the old position, if the text there is still the quote;
2. an exact occurrence of the quote, chosen by how much of its context
   still stands beside it, then by nearness to the old position;
3. a fuzzy match (rapidfuzz's alignment, in C++) tolerating errors up to a
   quarter of the quote's length, searched first near the old position;

and otherwise the selector is orphaned. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

CONTEXT = 32  # characters of prefix and suffix kept with a quote
MAX_ERROR = 0.25  # share of the quote's length that may differ in a fuzzy match


class Status(StrEnum):
    ANCHORED = "anchored"  # found where it was
    MOVED = "moved"  # found elsewhere, or changed a little
    ORPHANED = "orphaned"  # not found


@dataclass(frozen=True)
class Selector:
    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None

    @classmethod
    def from_range(cls, text: str, start: int, end: int, context: int = CONTEXT) -> Selector:
        """The quote and position selectors for ``text[start:end]``."""
        return cls(
            exact=text[start:end],
            prefix=text[max(0, start - context) : start],
            suffix=text[end : end + context],
            start=start,
            end=end,
        )


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    status: Status


def _context_score(text: str, sel: Selector, start: int, end: int) -> int:
    """How many characters of prefix and suffix still stand next to ``text[start:end]``."""
    score = 0
    before = text[:start]
    for a, b in zip(reversed(sel.prefix), reversed(before), strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(sel.suffix, text[end:], strict=False):
        if a != b:
            break
        score += 1
    return score


def _exact(text: str, sel: Selector) -> Anchor | None:
    hits = []
    pos = text.find(sel.exact)
    while pos != -1:
        hits.append(pos)
        pos = text.find(sel.exact, pos + 1)
    if not hits:
        return None
    old = sel.start if sel.start is not None else 0
    n = len(sel.exact)
    best = max(hits, key=lambda p: (_context_score(text, sel, p, p + n), -abs(p - old)))
    status = Status.ANCHORED if best == sel.start else Status.MOVED
    return Anchor(best, best + n, status)


def _refine(quote: str, text: str, start: int, end: int) -> tuple[int, int]:
    """Move the ends of ``text[start:end]`` one character at a time while that brings it
    closer to ``quote`` (by edit distance, then by length)."""

    def cost(s: int, e: int) -> tuple[int, int]:
        return Levenshtein.distance(quote, text[s:e]), abs((e - s) - len(quote))

    best = cost(start, end)
    improved = True
    while improved:
        improved = False
        for s, e in ((start - 1, end), (start + 1, end), (start, end - 1), (start, end + 1)):
            if 0 <= s < e <= len(text):
                c = cost(s, e)
                if c < best:
                    best, start, end, improved = c, s, e, True
                    break
    return start, end


def _fuzzy_in(text: str, sel: Selector, lo: int, hi: int) -> Anchor | None:
    quote = sel.exact
    cutoff = 100 * (1 - MAX_ERROR)
    hit = fuzz.partial_ratio_alignment(quote, text[lo:hi], score_cutoff=cutoff)
    if hit is None:
        return None
    start, end = _refine(quote, text, lo + hit.dest_start, lo + hit.dest_end)
    if Levenshtein.distance(quote, text[start:end]) > len(quote) * MAX_ERROR:
        return None
    return Anchor(start, end, Status.MOVED)


def _fuzzy(text: str, sel: Selector) -> Anchor | None:
    if not sel.exact.strip():
        return None
    if sel.start is not None:
        reach = 2 * len(sel.exact) + 2 * CONTEXT
        lo, hi = max(0, sel.start - reach), min(len(text), (sel.end or sel.start) + reach)
        near = _fuzzy_in(text, sel, lo, hi)
        if near:
            return near
    return _fuzzy_in(text, sel, 0, len(text))


def anchor(text: str, sel: Selector) -> Anchor | None:
    """Place ``sel`` in ``text``; ``None`` when it cannot be placed (orphaned)."""
    if not sel.exact:
        return None
    if (
        sel.start is not None
        and sel.end is not None
        and 0 <= sel.start <= sel.end <= len(text)
        and text[sel.start : sel.end] == sel.exact
    ):
        return Anchor(sel.start, sel.end, Status.ANCHORED)
    return _exact(text, sel) or _fuzzy(text, sel)
