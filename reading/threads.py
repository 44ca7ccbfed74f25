"""A cable's thread: what it answers, what answers it, what it forwards (issue 16).

The strip above a cable's text lists the records its references resolve to
and the records whose references resolve to it, in date order, each a link
and a "Read side by side" (``/compare/``, with the keys of ``reading.compare``).
It is part of the cable's fixed layers (``reading.layers``): built once per
version of the cable (a reference moves both its own cable's version and its
target's, ``readingroom.caching``), from the references prefetched with the
cable and one query for the references arriving, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from cables.models import Cable
from telegrams.models import Reference

# The strip's groups, in the order a reader meets them.
OUTGOING = {
    Reference.Relation.ANSWERS: "Answers",
    Reference.Relation.CITES: "Cites",
    Reference.Relation.FORWARDS: "Forwards",
    Reference.Relation.PART_OF: "Attachment to",
}
INCOMING = {
    Reference.Relation.ANSWERS: "Answered by",
    Reference.Relation.CITES: "Cited by",
    Reference.Relation.FORWARDS: "Forwarded by",
    Reference.Relation.PART_OF: "Has attachment",
}


@dataclass(frozen=True)
class Entry:
    relation: str  # as the strip says it
    label: str
    date: object
    url: str
    compare_url: str  # empty when the two cannot be set side by side
    via: str  # the reference's words, as written
    part: str = ""  # which part of this record cites it ("Telegram 3"), if not the whole


def key_of(cable: Cable, telegram=None) -> str:
    """The ``reading.compare`` key of a cable or one of its telegrams."""
    if telegram is not None:
        return f"telegram:{cable.slug}:{telegram.number}"
    return f"cable:{cable.slug}"


def _compare(a: str, b: str) -> str:
    """The split view of two keys; none when one holds the other (a cover note and a
    telegram it forwards are one cable: the split view refuses the same passages twice,
    and the strip's link to the telegram is on the same page)."""
    if a.startswith("cable:") and b.startswith(f"telegram:{a[len('cable:') :]}:"):
        return ""
    if b.startswith("cable:") and a.startswith(f"telegram:{b[len('cable:') :]}:"):
        return ""
    if a == b:
        return ""
    return f"{reverse('reading:compare')}?{urlencode({'a': a, 'b': b}, safe=':')}"


def _place(cable: Cable, telegram, passage_position=None) -> str:
    url = cable.get_absolute_url()
    return f"{url}#p{passage_position}" if passage_position is not None else url


def incoming(cable: Cable):
    """The shown references of published cables that resolve to ``cable`` (one query)."""
    return (
        Reference.objects.shown()
        .filter(target_cable=cable, passage__cable__status=Cable.Status.PUBLISHED)
        .exclude(passage__cable=cable)
        .select_related("passage__cable", "passage__telegram__author", "target_telegram")
        .order_by("passage__cable__date", "passage__cable_id", "passage__position", "start")
    )


def build(cable: Cable, arriving) -> list[Entry]:
    """The strip's entries for ``cable`` (loaded with ``cables_for_reading()``) and the
    references ``arriving`` at it, in date order; no query."""
    entries: dict[tuple, Entry] = {}
    own_key = None
    for passage in cable.passages.all():
        telegram = getattr(passage, "telegram", None)
        for ref in passage.references.all():
            target = ref.target
            if target is None or ref.target_cable.status != Cable.Status.PUBLISHED:
                continue
            own_key = key_of(cable, telegram)
            t = ref.target_telegram
            here = key_of(ref.target_cable, t)
            place = _place(ref.target_cable, t, t.passage.position if t is not None else None)
            when = t.sent_on if t is not None and t.sent_on else ref.target_cable.date
            name = str(t) if t is not None else ref.target_cable.title
            if t is not None and ref.target_cable.pk != cable.pk:
                name = f"{name} (in {ref.target_cable.title})"
            part = f"Telegram {telegram.number}" if telegram is not None else ""
            entries.setdefault(
                (OUTGOING[ref.relation], part, here),
                Entry(
                    OUTGOING[ref.relation],
                    name,
                    when,
                    place,
                    _compare(own_key, here),
                    ref.surface,
                    part,
                ),
            )
    for ref in arriving:
        citing = ref.passage.cable
        telegram = getattr(ref.passage, "telegram", None)
        there = key_of(citing, telegram)
        mine = key_of(cable, ref.target_telegram)
        name = citing.title if telegram is None else f"{telegram} (in {citing.title})"
        when = telegram.sent_on if telegram is not None and telegram.sent_on else citing.date
        entries.setdefault(
            (INCOMING[ref.relation], "", there),
            Entry(
                INCOMING[ref.relation],
                name,
                when,
                _place(citing, telegram, ref.passage.position),
                _compare(mine, there),
                ref.surface,
            ),
        )
    return sorted(entries.values(), key=lambda e: (e.date is None, e.date or 0, e.label))
