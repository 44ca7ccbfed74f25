"""The chronology: every dated telegram, cable and handling event, in time order.

Model-free: :func:`build` takes already-loaded telegrams, cables and handling
events (any objects with the same attributes) and returns :class:`Entry`
values; the view owns the queries (``reading.views.chronology``).

What becomes an entry
    * a telegram with a ``sent_on`` date: sent by its author to its addressees,
      with its copies;
    * every cable: received (``received_on`` / ``received_time``) when the
      record says so, otherwise dated (``date``), from sender to recipient;
    * a handling event with a date (sent, received, deciphered, printed …).
      A *received* event on the same day and at the same time as its cable's
      own receipt is the same event: it is folded into the cable's entry (its
      agent becomes the entry's handler) instead of being listed twice.

Ordering
    By date, then by time. Entries whose time is not given come *first* in
    their day, under "time not given": the day is all that is known of them,
    as for an all-day item in a calendar (the seed's telegram 4, "10 July 1951",
    is an attachment to a report sent at 1145 and precedes nothing we can
    name). Entries at the same minute keep a fixed order: telegrams, then
    cables, then handling events; then by cable, then telegram number or
    handling position.

Times are local and as written: the sources do not say which time zone a
time is in (Kaesong, Beijing, Moscow), so nothing is converted, and two
entries of the same day from different places may be out of true order.

Filters
    An entry's *participants* are its author or sender, addressees or
    recipient, copies and handler. :func:`select` keeps the entries in which
    a participant (by slug) takes part, and/or those in which anyone of a
    side (by id) takes part. The same list serves display and filtering, so a
    filter never disagrees with what an entry shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

TELEGRAM, CABLE, HANDLING = "telegram", "cable", "handling"
KIND_ORDER = {TELEGRAM: 0, CABLE: 1, HANDLING: 2}


@dataclass
class Entry:
    """One dated event: a telegram sent, a cable received, a cable deciphered …"""

    kind: str  # TELEGRAM, CABLE or HANDLING
    day: dt.date
    time: dt.time | None
    action: str  # "Sent", "Received", "Dated", "Deciphered" …
    title: str  # "Telegram 1", the cable's title
    url: str
    cable: Any
    as_written: str = ""
    as_written_html: str = ""  # the corrected reading's, when a correction applies
    reference: str = ""
    subject: str = ""
    senders: list = field(default_factory=list)  # author, cable sender
    to: list = field(default_factory=list)  # addressees, cable recipient
    copies: list = field(default_factory=list)
    handler: Any = None
    order: tuple = ()

    @property
    def participants(self) -> list:
        """Everyone who takes part in this entry, each once, in reading order."""
        seen, people = set(), []
        for p in [*self.senders, *self.to, *self.copies, self.handler]:
            if p is not None and p.pk not in seen:
                seen.add(p.pk)
                people.append(p)
        return people

    @property
    def sort_key(self) -> tuple:
        untimed_first = 0 if self.time is None else 1
        return (
            self.day,
            untimed_first,
            self.time or dt.time.min,
            KIND_ORDER[self.kind],
            *self.order,
        )


@dataclass
class Day:
    day: dt.date
    untimed: list[Entry]
    timed: list[Entry]

    @property
    def entries(self) -> list[Entry]:
        return self.untimed + self.timed


def _cable_order(cable) -> tuple:
    # An undated record's dated telegrams and handling events still have a place;
    # among events of the same moment its own sort after the dated records'.
    return (cable.date or dt.date.max, cable.title, cable.pk)


def build(telegrams: Iterable, cables: Iterable, handling: Iterable) -> list[Entry]:
    """The entries for these telegrams, cables and handling events, sorted.

    Telegrams need ``passage.cable``, ``author`` and prefetched ``recipients``
    (with ``participant``); cables ``sender`` and ``recipient``; handling
    events ``cable`` and ``agent``. Runs no query when those are loaded.
    """
    entries: list[Entry] = []
    for t in telegrams:
        if t.sent_on is None:
            continue
        cable = t.passage.cable
        entries.append(
            Entry(
                kind=TELEGRAM,
                day=t.sent_on,
                time=t.sent_time,
                action="Sent",
                title=t.passage.label or f"Telegram {t.number}",
                url=f"{cable.get_absolute_url()}#{t.passage.anchor}",
                cable=cable,
                as_written=t.sent_as_written,
                reference=t.reference,
                subject=t.subject,
                senders=[t.author] if t.author_id else [],
                to=list(t.addressees),
                copies=list(t.copies_to),
                order=(*_cable_order(cable), t.number),
            )
        )

    cable_entries = {}
    for c in cables:
        received = c.received_on is not None
        entry = Entry(
            kind=CABLE,
            day=c.received_on if received else c.date,
            time=c.received_time if received else None,
            action="Received" if received else "Dated",
            title=c.title,
            url=c.get_absolute_url(),
            cable=c,
            as_written=c.received_as_written if received else "",
            senders=[c.sender] if c.sender_id else [],
            to=[c.recipient] if c.recipient_id else [],
            order=(*_cable_order(c), 0),
        )
        cable_entries[c.pk] = entry
        entries.append(entry)

    for h in handling:
        if h.on is None:
            continue
        own = cable_entries.get(h.cable_id)
        if (
            own is not None
            and h.action == "received"
            and own.action == "Received"
            and (own.day, own.time) == (h.on, h.at)
        ):
            own.handler = own.handler or h.agent
            own.as_written = own.as_written or h.as_written
            continue
        entries.append(
            Entry(
                kind=HANDLING,
                day=h.on,
                time=h.at,
                action=h.get_action_display(),
                title=h.cable.title,
                url=f"{h.cable.get_absolute_url()}#handling-title",
                cable=h.cable,
                as_written=h.as_written,
                handler=h.agent if h.agent_id else None,
                order=(*_cable_order(h.cable), h.position),
            )
        )
    entries.sort(key=lambda e: e.sort_key)
    return entries


def select(entries: Iterable[Entry], *, participant: str = "", side: int | None = None):
    """The entries in which the participant with slug ``participant`` takes part,
    and in which someone of the side with id ``side`` takes part (either may be empty)."""
    kept = []
    for entry in entries:
        people = entry.participants
        if participant and not any(p.slug == participant for p in people):
            continue
        if side is not None and not any(p.side_id == side for p in people):
            continue
        kept.append(entry)
    return kept


def by_day(entries: Iterable[Entry]) -> list[Day]:
    """Sorted entries grouped by day, each day's untimed entries apart (and first)."""
    days = []
    for day, group in groupby(entries, key=lambda e: e.day):
        group = list(group)
        days.append(
            Day(
                day=day,
                untimed=[e for e in group if e.time is None],
                timed=[e for e in group if e.time is not None],
            )
        )
    return days


# Pages ----------------------------------------------------------------------

PAGE_ENTRIES = 150  # entries a page aims at; a page never splits a day


@dataclass(frozen=True)
class Window:
    """A run of consecutive days holding about ``PAGE_ENTRIES`` entries."""

    first: dt.date
    last: dt.date
    count: int


def windows(day_counts: Iterable[tuple[dt.date, int]], size: int | None = None) -> list[Window]:
    """Cut the days that hold entries into pages of at least ``size`` entries
    (``PAGE_ENTRIES``; the last page may hold fewer), each page whole days, in date order."""
    size = size or PAGE_ENTRIES
    day_counts = list(day_counts)
    pages: list[Window] = []
    first, total = None, 0
    for day, n in sorted(day_counts):
        first = first or day
        total += n
        if total >= size:
            pages.append(Window(first, day, total))
            first, total = None, 0
    if first is not None:
        pages.append(Window(first, max(d for d, _ in day_counts), total))
    return pages


def window_for(pages: list[Window], day: dt.date | None) -> int:
    """The index of the page holding ``day`` (or the first page after it; the first
    page when ``day`` is None, the last when it is after everything)."""
    if day is None or not pages:
        return 0
    for i, page in enumerate(pages):
        if day <= page.last:
            return i
    return len(pages) - 1
