"""One mechanism for spans over a text (model-free).

Highlights, participant mentions, agenda-item spans, search hits and link ends
are all *spans* over a passage's text. This module turns a text plus any
number of spans -- overlapping, nested, touching, out of range -- into
non-overlapping :class:`Run` values that cover the text exactly, each run
knowing which spans cover it. :func:`blocks` splits a text into paragraph
blocks (on blank lines) with their offsets and runs, and :func:`render_block`
turns a block into HTML with properly nested elements, so that overlapping
spans always produce valid markup.

Offsets are Python string indices (code points), ``start`` inclusive and
``end`` exclusive, as in ``text[start:end]``.

Rendering keeps the text's exact characters: a single newline becomes
``<br>`` *followed by the newline itself*, so that the ``textContent`` of a
rendered block is exactly the block's text. A browser selection inside a
block can therefore be turned back into offsets by counting characters from
the block's ``data-start``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["Block", "Run", "Span", "blocks", "render_block", "runs"]


@dataclass(frozen=True)
class Span:
    """A typed range ``[start, end)`` of a text with arbitrary payload ``data``."""

    start: int
    end: int
    kind: str
    data: Any = field(default=None, compare=False)

    def __len__(self) -> int:
        return max(0, self.end - self.start)


@dataclass(frozen=True)
class Run:
    """A maximal stretch of text covered by the same set of spans.

    ``spans`` is ordered outermost first: by start, then by longest, then by
    the order the spans were given in -- the order in which elements must be
    nested when rendering.
    """

    start: int
    end: int
    text: str
    spans: tuple[Span, ...] = ()

    def kinds(self) -> set[str]:
        return {s.kind for s in self.spans}

    def of_kind(self, kind: str) -> list[Span]:
        return [s for s in self.spans if s.kind == kind]


@dataclass(frozen=True)
class Block:
    """A paragraph of a text: its offsets and its runs (offsets are in the whole text)."""

    start: int
    end: int
    text: str
    runs: tuple[Run, ...]


def _clip(spans: Iterable[Span], length: int) -> list[tuple[int, int, int, Span]]:
    """``(input order, start, end, span)`` for each span clipped to ``[0, length]``.

    Empty and inverted spans are dropped. The span itself is kept unchanged,
    so callers get back the very objects they passed in.
    """
    kept = []
    for order, span in enumerate(spans):
        start = min(max(span.start, 0), length)
        end = min(max(span.end, 0), length)
        if start < end:
            kept.append((order, start, end, span))
    return kept


def runs(text: str, spans: Iterable[Span] = (), *, start: int = 0, end: int | None = None):
    """Split ``text[start:end]`` into runs, each with the spans that cover it.

    Spans may overlap, nest or touch; they are clipped to the range, and
    zero-length spans are ignored. Adjacent runs always differ in their span
    sets. An empty range gives no runs. ``Run.spans`` holds the span objects
    as given (not clipped copies).
    """
    end = len(text) if end is None else max(0, min(end, len(text)))
    start = max(0, min(start, end))
    clipped = [
        (order, max(s, start), min(e, end), span)
        for order, s, e, span in _clip(spans, len(text))
        if s < end and e > start
    ]
    # Nesting order: outermost first (earliest start, then longest, then given order).
    clipped.sort(key=lambda t: (t[1], -t[2], t[0]))
    cuts = {start, end}
    for _, s, e, _ in clipped:
        cuts.add(s)
        cuts.add(e)
    points = sorted(cuts)
    result: list[Run] = []
    for a, b in zip(points, points[1:], strict=False):
        covering = tuple(span for _, s, e, span in clipped if s <= a and e >= b)
        if result and _same(result[-1].spans, covering):
            last = result[-1]
            result[-1] = Run(last.start, b, text[last.start : b], covering)
        else:
            result.append(Run(a, b, text[a:b], covering))
    return result


def _same(a: tuple[Span, ...], b: tuple[Span, ...]) -> bool:
    """Identity, not equality: two equal-looking spans are still two spans."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def paragraph_ranges(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph; paragraphs are separated by blank lines."""
    ranges = []
    pos = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        if m.start() > pos:
            ranges.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        ranges.append((pos, len(text)))
    return ranges


def blocks(text: str, spans: Iterable[Span] = ()) -> list[Block]:
    """The text's paragraphs with their offsets and runs.

    A span crossing a paragraph break appears in the runs of each paragraph
    it touches; the blank lines between paragraphs belong to no block.
    """
    spans = list(spans)
    return [
        Block(a, b, text[a:b], tuple(runs(text, spans, start=a, end=b)))
        for a, b in paragraph_ranges(text)
    ]


# What an element for a span looks like: (tag name, attributes). ``first`` is
# True for the first fragment of the span (put ``id`` attributes only there).
ElementFor = Callable[[Span, bool], "tuple[str, Mapping[str, Any]] | None"]

_NO_NESTING = {"a"}  # elements that may not contain themselves


def _attrs(attrs: Mapping[str, Any]) -> str:
    parts = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        if value is True:
            parts.append(f" {name}")
        else:
            parts.append(f' {name}="{escape(value)}"')
    return "".join(parts)


def _text_html(text: str) -> str:
    # Keep the newline after <br> so textContent equals the text.
    return "<br>\n".join(escape(line) for line in text.split("\n"))


def render_runs(runs_: Iterable[Run], element_for: ElementFor) -> str:
    """HTML for runs: each run's spans nested outermost first, text escaped.

    ``element_for(span, first)`` returns ``(tag, attrs)`` or ``None`` to leave
    a span unrendered. Elements that cannot nest in themselves (``<a>``) are
    demoted to ``<span>`` inside another of their kind, so the HTML stays
    valid when two links overlap.
    """
    seen: set[int] = set()
    out = []
    for run in runs_:
        opened: list[str] = []
        for span in run.spans:
            first = id(span) not in seen
            seen.add(id(span))
            element = element_for(span, first)
            if element is None:
                continue
            tag, attrs = element
            if tag in _NO_NESTING and tag in opened:
                tag = "span"
                attrs = {k: v for k, v in attrs.items() if k not in ("href", "rel", "target")}
            opened.append(tag)
            out.append(f"<{tag}{_attrs(attrs)}>")
        out.append(_text_html(run.text))
        out.extend(f"</{tag}>" for tag in reversed(opened))
    return "".join(out)


def render_block(
    block: Block,
    element_for: ElementFor,
    *,
    offset: int = 0,
    tag: str = "p",
    attrs: Mapping[str, Any] | None = None,
) -> str:
    """A paragraph element for ``block`` with ``data-start`` (block start + ``offset``)."""
    all_attrs = {"data-start": block.start + offset, **(attrs or {})}
    return f"<{tag}{_attrs(all_attrs)}>{render_runs(block.runs, element_for)}</{tag}>"


def render_blocks(text: str, spans: Iterable[Span], element_for: ElementFor) -> str:
    """All paragraphs of ``text`` as ``<p data-start>`` elements.

    A span that continues into a later paragraph is only ``first`` once, so an
    ``id`` never appears twice.
    """
    seen_first: set[int] = set()

    def element_once(span: Span, first: bool):
        first = id(span) not in seen_first
        seen_first.add(id(span))
        return element_for(span, first)

    return "\n".join(render_block(b, element_once) for b in blocks(text, spans))


def substitute(
    text: str, spans: Iterable[Span], replacements: Iterable[Span]
) -> tuple[str, list[Span]]:
    """Apply replacements to ``text`` and move the spans to match.

    Each replacement is a span whose ``data`` has a ``replacement`` attribute
    (an accepted correction, say). Overlapping replacements are skipped after
    the first. The result is the new text and the given spans with new
    offsets (a span touching a replaced range grows or shrinks with it), plus
    one span of kind ``"correction"`` over each replacement, carrying the
    replacement span's data.
    """
    chosen: list[Span] = []
    for r in sorted(replacements, key=lambda s: (s.start, s.end)):
        if 0 <= r.start < r.end <= len(text) and (not chosen or r.start >= chosen[-1].end):
            chosen.append(r)
    pieces, moved = [], []  # moved: (old start, old end, new start, new end)
    pos = shift = 0
    for r in chosen:
        new = r.data.replacement
        pieces += [text[pos : r.start], new]
        moved.append((r.start, r.end, r.start + shift, r.start + shift + len(new)))
        shift += len(new) - (r.end - r.start)
        pos = r.end
    pieces.append(text[pos:])

    def new_offset(p: int, left: bool) -> int:
        delta = 0
        for old_a, old_b, new_a, new_b in moved:
            if p <= old_a:
                break
            if p < old_b:  # inside a replaced range: snap to its new edges
                return new_a if left else new_b
            delta = new_b - old_b
        return p + delta

    result = [
        Span(new_offset(s.start, True), new_offset(s.end, False), s.kind, s.data) for s in spans
    ]
    result += [
        Span(a, b, "correction", r.data) for r, (_, _, a, b) in zip(chosen, moved, strict=True)
    ]
    return "".join(pieces), result


def excerpt_runs(
    text: str, excerpt: str, replacements: Iterable[Span], start: int | None = None
) -> list[tuple[str, str | None]]:
    """``excerpt`` (a stretch of ``text`` copied out of it: an agenda item, a handling
    note as written) as runs of ``(shown, published)``: ``published`` is None for
    text as it stands, else the replacement's text is ``shown`` and the published
    text beside it. The stretch starts at ``start``, or where ``excerpt`` is first
    found in ``text``; a replacement counts when it lies wholly inside the stretch
    (a text the excerpt is not taken from gives it back unchanged, as one run)."""
    if start is None:
        start = text.find(excerpt) if excerpt else -1
    if start < 0 or text[start : start + len(excerpt)] != excerpt:
        return [(excerpt, None)] if excerpt else []
    end = start + len(excerpt)
    runs: list[tuple[str, str | None]] = []
    pos = start
    for r in sorted(replacements, key=lambda s: (s.start, s.end)):
        if r.start < pos or r.end > end or r.start >= r.end:
            continue
        if r.start > pos:
            runs.append((text[pos : r.start], None))
        runs.append((r.data.replacement, text[r.start : r.end]))
        pos = r.end
    if pos < end:
        runs.append((text[pos:end], None))
    return runs


def runs_html(runs: list[tuple[str, str | None]]) -> SafeString:
    """Runs from :func:`excerpt_runs` as HTML: a replaced stretch is an ``ins`` that
    gives the published form (as the reading view marks a correction)."""
    out = []
    for shown, published in runs:
        if published is None:
            out.append(str(escape(shown)))
        else:
            out.append(
                f'<ins class="correction" tabindex="0" data-published="{escape(published)}" '
                f'title="As published: {escape(published)}">{escape(shown)}</ins>'
            )
    return mark_safe("".join(out))
