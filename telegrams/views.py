"""Agenda comparison: two sides' agendas side by side, aligned by correspondence."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from telegrams.models import Agenda, AgendaItem, Correspondence


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def agendas_for_picker():
    """All agendas with side and source telegram/cable, for the pickers (one query).

    Lives here because ``Agenda.objects.for_comparison()`` prefetches the items
    without their passage and cable, which ``AgendaItem.get_absolute_url()``
    needs (two queries per item otherwise); see :func:`prefetch_items`.
    """
    return Agenda.objects.select_related("side", "telegram__passage__cable")


def prefetch_items(agendas) -> None:
    """Load the agendas' items with passage and cable, in number order (one query)."""
    prefetch_related_objects(
        agendas,
        Prefetch(
            "items", queryset=AgendaItem.objects.select_related("passage__cable").order_by("number")
        ),
    )


@dataclass(eq=False)
class ItemCell:
    """One agenda item as shown on one side, with its links to the other side."""

    item: AgendaItem
    side: str  # "left" or "right"
    index: int
    links: list[tuple[Correspondence, ItemCell]] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return f"{self.side}-{self.item.anchor}"

    @property
    def counterpart_ids(self) -> str:
        return " ".join(other.dom_id for _, other in self.links)


@dataclass
class Row:
    left: list[ItemCell] = field(default_factory=list)
    right: list[ItemCell] = field(default_factory=list)


def align(left_items, right_items, pairs) -> list[Row]:
    """Rows of the comparison: each group of items linked by correspondences shares a row.

    ``pairs`` are ``(left item, right item, correspondence)``. Every item is
    in exactly one row, on its own side. Rows follow the left agenda's order;
    right items without a counterpart come after the row holding the right
    item before them (or first, if none).
    """
    left = [ItemCell(item, "left", i) for i, item in enumerate(left_items)]
    right = [ItemCell(item, "right", i) for i, item in enumerate(right_items)]
    by_id = {("left", c.item.pk): c for c in left} | {("right", c.item.pk): c for c in right}

    parent: dict[ItemCell, ItemCell] = {c: c for c in left + right}

    def find(c):
        while parent[c] is not c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for left_item, right_item, corr in pairs:
        a, b = by_id[("left", left_item.pk)], by_id[("right", right_item.pk)]
        a.links.append((corr, b))
        b.links.append((corr, a))
        parent[find(a)] = find(b)

    groups: dict[ItemCell, Row] = {}
    rows: list[Row] = []
    for cell in left:
        root = find(cell)
        if root not in groups:
            groups[root] = Row()
            rows.append(groups[root])
        groups[root].left.append(cell)
    for cell in right:
        root = find(cell)
        if root in groups:
            groups[root].right.append(cell)
            continue
        row = groups[root] = Row(right=[cell])
        # After the row holding the nearest right item before this one.
        at = 0
        for i, existing in enumerate(rows):
            if any(r.index < cell.index for r in existing.right):
                at = i + 1
        rows.insert(at, row)
    return rows


@require_GET
def agenda_compare(request: HtmxHttpRequest) -> HttpResponse:
    """Two agendas side by side (3 queries: agendas, their items, correspondences).

    ``left`` and ``right`` are agenda slugs; missing ones default to the first
    two agendas. An unknown slug gives the page with a message and status 404.
    """
    agendas = list(agendas_for_picker())
    by_slug = {a.slug: a for a in agendas}
    messages = []
    status = 200
    left_slug = request.GET.get("left", "").strip()
    right_slug = request.GET.get("right", "").strip()
    for label, slug in (("left", left_slug), ("right", right_slug)):
        if slug and slug not in by_slug:
            messages.append(f"There is no agenda called “{slug}” (asked for on the {label}).")
            status = 404
    left = by_slug.get(left_slug) if left_slug else None
    right = by_slug.get(right_slug) if right_slug else None
    if status == 200:
        others = [a for a in agendas if a not in (left, right)]
        if left is None and others:
            left = others.pop(0)
        if right is None and others:
            right = others.pop(0)
        if left is None or right is None:
            messages.append("There are not yet two agendas to compare.")
    rows: list[Row] = []
    if status == 200 and left and right:
        prefetch_items([left] if left is right else [left, right])
        pairs = []
        if left is right:
            messages.append("The same agenda is shown on both sides; pick another to compare.")
        else:
            items = {i.pk: i for i in [*left.items.all(), *right.items.all()]}
            correspondences = Correspondence.objects.filter(
                left__agenda__in=[left, right], right__agenda__in=[left, right]
            )
            for corr in correspondences:
                a, b = items[corr.left_id], items[corr.right_id]
                if a.agenda_id == b.agenda_id:
                    continue  # both items on one side: nothing to align
                if a.agenda_id == right.pk:
                    a, b = b, a
                pairs.append((a, b, corr))
        rows = align(left.items.all(), right.items.all(), pairs)
    return render(
        request,
        "telegrams/agenda_compare.html",
        {
            "agendas": agendas,
            "left": left,
            "right": right,
            "left_slug": left.slug if left else left_slug,
            "right_slug": right.slug if right else right_slug,
            "rows": rows,
            "messages_": messages,
        },
        status=status,
    )
