"""Who wrote to whom: the correspondence of the archive as a directed, weighted graph.

People (``cables.Participant``) are the nodes. An edge runs from a writer to a
reader and counts what went that way:

* each published cable, from its ``sender`` to its ``recipient``;
* each forwarded telegram in a published cable, from its ``author`` to each of
  its recipients (``telegrams.TelegramRecipient``): its addressees, and its
  copies, counted apart as well (``copies``), since a copy is a letter received
  but not one addressed.

A record missing either end makes no edge. A translation whose original is a
published record too is the same letter twice, so only the original counts.

A record's day is the cable's ``date`` (the earliest day of an approximate
one); a telegram's is its ``sent_on``, else its cable's date. A date range
keeps the records whose day lies in it, so undated ones only show when no
range is given.

The whole graph is read with three queries whatever the size of the archive:
two grouped counts (cables by sender and recipient; telegram recipients by
author and recipient) and the people at the ends. :func:`correspondence` keeps
the result per version of the records (``readingroom.caching.versioned``), so
after the first request for a range, none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode

from cables.models import Cable, Participant
from readingroom.caching import RECORDS, versioned
from telegrams.models import TelegramRecipient

PUBLISHED = Cable.Status.PUBLISHED


@dataclass(frozen=True)
class Node:
    slug: str
    name: str
    side: str = ""  # the side's slug ("" for none)
    side_name: str = ""
    side_position: int = 0

    @property
    def url(self) -> str:
        return reverse("reading:participant", args=[self.slug])


@dataclass
class Edge:
    source: str  # slugs
    target: str
    cables: int = 0
    telegrams: int = 0
    copies: int = 0  # of the telegrams, those received as a copy
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def weight(self) -> int:
        return self.cables + self.telegrams

    @property
    def dates(self) -> str:
        """ "10 July 1951", "10 July 1951 – 2 August 1951", or "undated"."""
        if self.first is None:
            return "undated"
        first = _day(self.first)
        if self.last is None or self.last == self.first:
            return first
        return f"{first} – {_day(self.last)}"

    @property
    def what(self) -> str:
        """ "1 cable", "4 telegrams (4 as copies)", "2 cables and 1 telegram"."""
        parts = []
        if self.cables:
            parts.append(f"{self.cables} cable{'s' if self.cables != 1 else ''}")
        if self.telegrams:
            parts.append(f"{self.telegrams} telegram{'s' if self.telegrams != 1 else ''}")
        text = " and ".join(parts)
        if self.copies:
            text += f" ({self.copies} as {'copies' if self.copies != 1 else 'a copy'})"
        return text

    def add(self, cables=0, telegrams=0, copies=0, first=None, last=None) -> None:
        self.cables += cables
        self.telegrams += telegrams
        self.copies += copies
        if first is not None and (self.first is None or first < self.first):
            self.first = first
        if last is not None and (self.last is None or last > self.last):
            self.last = last


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Range:
    """The filters: a date range (either end open) and a minimum weight."""

    start: dt.date | None = None
    end: dt.date | None = None
    min_weight: int = 1

    @property
    def key(self) -> str:
        return f"{self.start or ''}:{self.end or ''}"

    def query(self, **more) -> str:
        """The query string that asks for this range (and ``more``), for links."""
        params = {}
        if self.start:
            params["from"] = self.start.isoformat()
        if self.end:
            params["to"] = self.end.isoformat()
        if self.min_weight > 1:
            params["min"] = self.min_weight
        params.update({k: v for k, v in more.items() if v})
        return f"?{urlencode(params)}" if params else ""

    @property
    def label(self) -> str:
        """The range in words, for headings ("" when open at both ends)."""
        if self.start and self.end:
            return f"from {_day(self.start)} to {_day(self.end)}"
        if self.start:
            return f"from {_day(self.start)} on"
        if self.end:
            return f"up to {_day(self.end)}"
        return ""

    @property
    def dates_query(self) -> str:
        """The date range alone (the cable list of an edge takes no minimum weight)."""
        return replace(self, min_weight=1).query()


@dataclass
class Network:
    nodes: dict[str, Node] = field(default_factory=dict)  # slug -> node
    edges: list[Edge] = field(default_factory=list)  # heaviest first, then by names

    def name(self, slug: str) -> str:
        return self.nodes[slug].name

    def degree(self) -> dict[str, int]:
        """Records each person sent or received (self-letters counted once)."""
        sent, received = self.flows()
        degree = {slug: sent[slug] + received[slug] for slug in self.nodes}
        for e in self.edges:
            if e.target == e.source:
                degree[e.source] -= e.weight
        return degree

    def flows(self) -> tuple[dict[str, int], dict[str, int]]:
        """Records each person sent, and received."""
        sent, received = dict.fromkeys(self.nodes, 0), dict.fromkeys(self.nodes, 0)
        for e in self.edges:
            sent[e.source] += e.weight
            received[e.target] += e.weight
        return sent, received

    def limited(self, *, min_weight: int = 1, person: str = "") -> Network:
        """The edges of at least ``min_weight`` records (touching ``person`` when given),
        and the people at their ends (no query)."""
        edges = [
            e
            for e in self.edges
            if e.weight >= min_weight and (not person or person in (e.source, e.target))
        ]
        ends = {slug for e in edges for slug in (e.source, e.target)}
        nodes = {slug: node for slug, node in self.nodes.items() if slug in ends}
        return Network(nodes=nodes, edges=edges)

    @property
    def records(self) -> int:
        return sum(e.weight for e in self.edges)


def _in_range(day_field: str, span: Range) -> Q:
    q = Q()
    if span.start:
        q &= Q(**{f"{day_field}__gte": span.start})
    if span.end:
        q &= Q(**{f"{day_field}__lte": span.end})
    return q


def counted(cable: str = "") -> Q:
    """The records that count, as a condition on the cable at ``cable`` (a path such as
    ``telegram__passage__cable__``): published, and not a translation of a published
    original (that is the original's letter). Most records translate nothing, which
    the planner sees from ``translation_of IS NULL``; only the others ask for their
    original (NOT EXISTS). A left join to the original with a NOT was estimated at
    one row, and on PostgreSQL read the table once per cable."""
    original = Cable.objects.filter(pk=OuterRef(f"{cable}translation_of"), status=PUBLISHED)
    return Q(**{f"{cable}status": PUBLISHED}) & (
        Q(**{f"{cable}translation_of__isnull": True}) | ~Exists(original)
    )


def cable_rows(span: Range):
    """Cables with both ends, in ``span`` (a queryset; no query)."""
    return Cable.objects.filter(
        counted(), _in_range("date", span), sender__isnull=False, recipient__isnull=False
    )


def telegram_rows(span: Range):
    """Telegram recipients whose telegram has an author, in records that count,
    annotated with the telegram's ``day`` (a queryset; no query)."""
    return (
        TelegramRecipient.objects.filter(
            counted("telegram__passage__cable__"), telegram__author__isnull=False
        )
        .annotate(day=Coalesce("telegram__sent_on", "telegram__passage__cable__date"))
        .filter(_in_range("day", span))
    )


def read(span: Range) -> Network:
    """The whole graph for the dates of ``span`` (three queries; its minimum weight is
    applied by :meth:`Network.limited`)."""
    edges: dict[tuple[int, int], Edge] = {}
    for sender, recipient, n, first, last in (
        cable_rows(span)
        .order_by()
        .values_list("sender_id", "recipient_id")
        .annotate(n=Count("pk"), first=Min("date"), last=Max("date"))
    ):
        edges[sender, recipient] = Edge(sender, recipient, cables=n, first=first, last=last)
    copy = TelegramRecipient.Role.COPY
    for author, recipient, n, copies, first, last in (
        telegram_rows(span)
        .order_by()
        .values_list("telegram__author_id", "participant_id")
        .annotate(
            n=Count("telegram", distinct=True),
            copies=Count("telegram", distinct=True, filter=Q(role=copy)),
            first=Min("day"),
            last=Max("day"),
        )
    ):
        edge = edges.setdefault((author, recipient), Edge(author, recipient))
        edge.add(telegrams=n, copies=copies, first=first, last=last)
    ids = {pk for pair in edges for pk in pair}
    people = {}
    if ids:  # no query for the people when there are none
        for p in Participant.objects.filter(pk__in=ids).select_related("side"):
            people[p.pk] = Node(
                slug=p.slug,
                name=p.name,
                side=p.side.slug if p.side else "",
                side_name=p.side.name if p.side else "",
                side_position=p.side.position if p.side else 0,
            )
    for edge in edges.values():
        edge.source, edge.target = people[edge.source].slug, people[edge.target].slug
    nodes = {node.slug: node for node in people.values()}
    ordered = sorted(
        edges.values(),
        key=lambda e: (
            -e.weight,
            nodes[e.source].name.casefold(),
            nodes[e.target].name.casefold(),
        ),
    )
    return Network(nodes=dict(sorted(nodes.items())), edges=ordered)


def correspondence(span: Range, *, request=None) -> Network:
    """:func:`read`, kept per version of the records (and the archive: people's names)."""
    return versioned(f"network:{span.key}", lambda: read(span), scopes=[RECORDS], request=request)


# One edge's records -----------------------------------------------------------


@dataclass
class Letter:
    """One record on an edge: a cable, or a forwarded telegram within a cable."""

    day: dt.date | None
    time: dt.time | None
    title: str
    url: str
    cable_title: str = ""  # for a telegram: the record it is forwarded in
    kind: str = "cable"  # "cable" or "telegram"
    copy: bool = False  # a telegram received as a copy
    as_written: str = ""
    order: tuple = ()

    @property
    def sort_key(self) -> tuple:
        # Undated last; within a day the untimed first, as the chronology orders them.
        return (
            self.day is None,
            self.day or dt.date.max,
            self.time is not None,
            self.time or dt.time.min,
            *self.order,
        )


def letters(source: Participant, target: Participant, span: Range) -> list[Letter]:
    """Every record from ``source`` to ``target`` in ``span``, in date order (two queries)."""
    found = []
    for c in cable_rows(span).filter(sender=source, recipient=target):
        found.append(
            Letter(
                day=c.date,
                time=None,
                title=c.title,
                url=c.get_absolute_url(),
                as_written=c.date_label,
                order=(c.date or dt.date.max, c.title, c.pk, 0),
            )
        )
    telegrams: dict[int, Letter] = {}
    for r in (
        telegram_rows(span)
        .filter(telegram__author=source, participant=target)
        .select_related("telegram__passage__cable")
    ):
        copy = r.role == TelegramRecipient.Role.COPY
        if r.telegram_id in telegrams:  # addressed and copied both: one telegram, addressed
            telegrams[r.telegram_id].copy &= copy
            continue
        t = r.telegram
        cable = t.passage.cable
        telegrams[r.telegram_id] = Letter(
            day=r.day,
            time=t.sent_time,
            title=t.passage.label or f"Telegram {t.number}",
            url=f"{cable.get_absolute_url()}#{t.passage.anchor}",
            cable_title=cable.title,
            kind="telegram",
            copy=copy,
            as_written=t.sent_as_written,
            order=(cable.date or dt.date.max, cable.title, cable.pk, t.number),
        )
    found += telegrams.values()
    return sorted(found, key=lambda x: x.sort_key)
