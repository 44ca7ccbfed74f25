"""Template helpers for the reading view: a passage's text as paragraphs with spans.

All span rendering goes through :mod:`readingroom.spans`; this module only
says which spans a passage has (mentions, agenda items, any extra layer such
as search hits) and what element each kind becomes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.safestring import mark_safe

from readingroom.spans import Span, render_blocks, substitute

register = template.Library()


@dataclass(frozen=True)
class Mark:
    """What a fixed span (a mention, an agenda item) becomes: an element and its
    attributes, worked out once from the models so that a passage's spans can be
    kept (``reading.layers``) and rendered again without them. ``first`` holds
    the attributes only the span's first element carries (its id)."""

    tag: str
    attrs: tuple[tuple[str, str | None], ...]  # None: not on this element
    first: tuple[tuple[str, str], ...] = ()


def mention_mark(mention) -> Mark:
    participant = mention.participant
    return Mark(
        "a",
        (
            ("href", participant.get_absolute_url()),
            ("class", "mention"),
            ("data-participant", participant.slug),
            ("title", participant.name),
        ),
    )


def item_mark(item) -> Mark:
    side = item.agenda.side
    label = f"{side.short_name} agenda, item {item.number}" if side else f"Item {item.number}"
    return Mark(
        "span",
        (
            ("class", "agenda-item"),
            ("id", None),
            ("data-agenda-item", item.anchor),
            ("title", label),
        ),
        (("id", item.anchor),),
    )


def reference_mark(reference) -> Mark:
    """A reference to another message (issue 16): a span, not a link, since mentions
    (links) lie inside it; the thread strip above the text holds the links."""
    target = reference.target
    if target is not None and reference.target_cable.status == "published":
        title = f"{reference.get_relation_display()}: {target}"
        missing = ""
    else:
        title = "Referenced, not in this archive"
        missing = " reference--missing"
    return Mark(
        "span",
        (
            ("class", f"reference{missing}"),
            ("id", None),
            ("data-reference", str(reference.pk)),
            ("title", title),
        ),
        (("id", f"ref-{reference.pk}"),),
    )


def passage_spans(passage) -> list[Span]:
    """Mention, agenda-item and reference spans of a passage (uses prefetched relations)."""
    spans = [Span(m.start, m.end, "mention", mention_mark(m)) for m in passage.mentions.all()]
    spans += [
        Span(item.start, item.end, "agenda_item", item_mark(item))
        for item in passage.agenda_items.all()
        if item.start is not None and item.end is not None
    ]
    spans += [
        Span(r.start, r.end, "reference", reference_mark(r)) for r in passage.references.all()
    ]
    return spans


def element_for(span: Span, first: bool):
    """The element a span becomes: mentions are links, agenda items anchored spans."""
    if isinstance(span.data, Mark):
        attrs = dict(span.data.attrs)
        if first:
            attrs.update(span.data.first)
        return span.data.tag, attrs
    if span.kind == "annotation":
        note = span.data
        return "mark", {
            "class": f"hl hl--{note.kind}"
            + (" is-focus" if getattr(note, "is_focus", False) else ""),
            "data-annotation": note.pk,
            "id": f"a{note.pk}" if first else None,
            "aria-describedby": f"card-{note.pk}" if first else None,
            # Its number among the page's notes: printed as a marker keyed to the endnotes.
            "data-n": getattr(note, "endnote", None) if first else None,
        }
    if span.kind == "link_end":
        link = span.data
        return "mark", {
            "class": "hl hl--link-end",
            "data-link": link.annotation_id,
            "id": f"l{link.annotation_id}" if first else None,
        }
    if span.kind == "correction":
        fix = span.data
        # Marked, and focusable: hover or focus shows the published form, in a
        # face where "Il" and "II" differ (the serif's do not).
        return "ins", {
            "class": "correction",
            "title": f"As published: {fix.exact}",
            "data-published": fix.exact,
            "tabindex": "0",
            "data-annotation": fix.pk,
        }
    if span.kind == "hit":
        return "mark", {"class": "hit"}
    return "span", {"class": f"span-{span.kind}"}


@register.simple_tag
def passage_text(passage, extra_spans=None, replacements=None):
    """The passage's text as ``<p data-start>`` paragraphs with mentions, items and any
    extra spans (highlights, search hits). With ``replacements`` (accepted
    corrections) the corrected reading is shown, every span moved to match."""
    text = passage.text
    spans = passage_spans(passage) + list(extra_spans or ())
    if replacements:
        text, spans = substitute(text, spans, replacements)
    return mark_safe(render_blocks(text, spans, element_for))  # spans.py escapes the text


@register.simple_tag
def row_text(row):
    """A reading-view row's passage text (see ``passage_text``).

    A row whose fixed layers were kept (``row.layer``, from ``reading.layers``)
    and that has nothing laid over it (no highlight, hit or correction) gets its
    kept rendering as it is; one with highlights is rendered from the kept spans,
    so neither path reads the passage's mentions or agenda items again.
    """
    if row.text_html is not None:
        return row.text_html
    layer = row.layer
    if layer is None:
        return passage_text(row.passage, row.highlights, row.replacements)
    if not row.highlights and not row.replacements:
        return mark_safe(layer.text_html)
    text = row.passage.text
    spans = [*layer.spans, *row.highlights]
    if row.replacements:
        text, spans = substitute(text, spans, row.replacements)
    return mark_safe(render_blocks(text, spans, element_for))


@register.filter
def snippet(mention, width: int = 60):
    """Context around a mention: (before, surface, after), trimmed at word edges."""
    text = mention.passage.text
    start, end = mention.start, mention.end
    a = max(0, start - width)
    b = min(len(text), end + width)
    before, after = text[a:start], text[end:b]
    if a > 0 and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if b < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return {
        "before": " ".join(before.split()) + (" " if before[-1:].isspace() else ""),
        "surface": text[start:end],
        "after": (" " if after[:1].isspace() else "") + " ".join(after.split()),
    }
