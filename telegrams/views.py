"""Agenda comparison: the sides' agendas side by side, aligned by correspondence.

Everyone sees the editorial set of correspondences (accepted); a signed-in
researcher may propose one from the page, which then shows to them and to the
editors (staff), marked as proposed with the proposer's name, until an editor
accepts it (it joins the editorial set) or rejects it (it leaves the page).

Both actions are plain form posts that redirect back to the comparison, and
with htmx re-render the comparison region in place (``#agenda-comparison``).
Bad input answers 422 with htmx (400 without) and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from readingroom.caching import NOTES, RECORDS, conditional_page
from readingroom.http import HtmxHttpRequest
from telegrams.models import Agenda, AgendaItem, Correspondence
from telegrams.signals import agenda_items_shown

# At most this many further columns (``also``) beside the left and right agendas.
MAX_EXTRA_COLUMNS = 3


def agendas_for_picker():
    """All agendas with side and source telegram/cable, for the pickers (one query).

    Lives here because ``Agenda.objects.for_comparison()`` prefetches the items
    without their passage and cable, which ``AgendaItem.get_absolute_url()``
    needs (two queries per item otherwise); see :func:`prefetch_items`.
    """
    return Agenda.objects.published().select_related("side", "telegram__passage__cable")


def prefetch_items(agendas) -> None:
    """Load the agendas' items with passage and cable, in number order (one query)."""
    prefetch_related_objects(
        agendas,
        Prefetch(
            "items", queryset=AgendaItem.objects.select_related("passage__cable").order_by("number")
        ),
    )


# --- alignment ------------------------------------------------------------------


@dataclass(eq=False)
class ItemCell:
    """One agenda item as shown in one column, with its links to items in other columns."""

    item: AgendaItem
    side: str  # "left", "right", "also1", "also2", …: the column's key
    index: int
    column: int = 0
    links: list[tuple[Correspondence, ItemCell]] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return f"{self.side}-{self.item.anchor}"

    @property
    def counterpart_ids(self) -> str:
        return " ".join(other.dom_id for _, other in self.links)

    @property
    def label(self) -> str:
        agenda = self.item.agenda
        return agenda.side.short_name if agenda.side_id else agenda.title


@dataclass
class Row:
    columns: list[list[ItemCell]] = field(default_factory=lambda: [[], []])

    @property
    def left(self) -> list[ItemCell]:
        return self.columns[0]

    @property
    def right(self) -> list[ItemCell]:
        return self.columns[1]


def column_key(n: int) -> str:
    return ("left", "right")[n] if n < 2 else f"also{n - 1}"


def align_columns(columns, pairs) -> list[Row]:
    """Rows of the comparison for any number of columns (lists of items).

    ``pairs`` are ``(item, item, correspondence)`` with the items in two
    different columns, the first in the earlier column. The alignment rule:

    1. The left and right columns: every group of items joined by
       correspondences shares a row. Rows follow the left agenda's order; a
       right item without a counterpart comes after the row holding the right
       item before it (or first, if none).
    2. Each further column, in order, is aligned to the left agenda where
       possible: an item goes into the row of the first left item it
       corresponds to; failing that, the row of the first item of an earlier
       column (right, then earlier further columns) it corresponds to; failing
       that, a new row after the row holding the item before it in its own
       column (or first, if none). Further columns never merge or reorder the
       rows above, so adding a column leaves the left/right alignment as it was.

    Every item is in exactly one row, in its own column.
    """
    width = len(columns)
    cells = [
        [ItemCell(item, column_key(c), i, c) for i, item in enumerate(items)]
        for c, items in enumerate(columns)
    ]
    by_id = {(c, cell.item.pk): cell for c, col in enumerate(cells) for cell in col}
    column_of = {item.pk: c for c, items in enumerate(columns) for item in items}

    def new_row() -> Row:
        return Row(columns=[[] for _ in range(width)])

    links: list[tuple[ItemCell, ItemCell]] = []
    for a_item, b_item, corr in pairs:
        a = by_id[(column_of[a_item.pk], a_item.pk)]
        b = by_id[(column_of[b_item.pk], b_item.pk)]
        a.links.append((corr, b))
        b.links.append((corr, a))
        links.append((a, b))

    # 1. Left and right: groups by union-find over their links.
    left, right = cells[0], cells[1]
    parent: dict[ItemCell, ItemCell] = {c: c for c in left + right}

    def find(c):
        while parent[c] is not c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for a, b in links:
        if a.column == 0 and b.column == 1:
            parent[find(a)] = find(b)

    row_of: dict[ItemCell, Row] = {}
    groups: dict[ItemCell, Row] = {}
    rows: list[Row] = []
    for cell in left:
        root = find(cell)
        if root not in groups:
            groups[root] = new_row()
            rows.append(groups[root])
        groups[root].columns[0].append(cell)
        row_of[cell] = groups[root]

    def place_after_predecessor(cell: ItemCell) -> Row:
        row = new_row()
        at = 0
        for i, existing in enumerate(rows):
            if any(r.index < cell.index for r in existing.columns[cell.column]):
                at = i + 1
        rows.insert(at, row)
        return row

    for cell in right:
        root = find(cell)
        if root not in groups:
            groups[root] = place_after_predecessor(cell)
        groups[root].columns[1].append(cell)
        row_of[cell] = groups[root]

    # 2. Further columns: into the row of a counterpart in an earlier column.
    for c in range(2, width):
        for cell in cells[c]:
            earlier = sorted(
                (other for _, other in cell.links if other.column < c),
                key=lambda o: (o.column, o.index),
            )
            row = row_of[earlier[0]] if earlier else place_after_predecessor(cell)
            row.columns[c].append(cell)
            row_of[cell] = row
    return rows


def align(left_items, right_items, pairs) -> list[Row]:
    """Rows for two columns (see :func:`align_columns`); ``pairs`` are (left, right, corr)."""
    return align_columns([left_items, right_items], pairs)


# --- the page ---------------------------------------------------------------------


NOT_AN_ITEM = {
    "invalid": "Choose an item from the list.",
    "min_value": "Choose an item from the list.",
}


class ProposalForm(forms.Form):
    """A researcher's proposed correspondence between two items (the ids are checked in
    :func:`propose`, which looks both items up in one query)."""

    # Not ``left``/``right``: those name the page's agendas, posted alongside.
    left_item = forms.IntegerField(
        min_value=1,
        error_messages={"required": "Choose the first item.", **NOT_AN_ITEM},
    )
    right_item = forms.IntegerField(
        min_value=1,
        error_messages={"required": "Choose the second item.", **NOT_AN_ITEM},
    )
    relation = forms.ChoiceField(
        choices=Correspondence.Relation.choices,
        error_messages={"required": "Choose a relation.", "invalid_choice": "Choose a relation."},
    )
    note = forms.CharField(
        max_length=300,
        error_messages={
            "required": "Write a note: say how the two items correspond.",
            "max_length": "Keep the note under 300 characters.",
        },
    )


@dataclass
class Comparison:
    """What the comparison page shows: the chosen agendas, the rows and any messages."""

    agendas: list[Agenda]
    left: Agenda | None = None
    right: Agenda | None = None
    extra: list[Agenda] = field(default_factory=list)
    left_slug: str = ""
    right_slug: str = ""
    rows: list[Row] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    status: int = 200

    @property
    def columns(self) -> list[Agenda]:
        return [self.left, self.right, *self.extra] if self.left and self.right else []

    @property
    def query(self) -> dict:
        """The page's query parameters (for links, redirects and the forms' hidden fields)."""
        return {
            "left": self.left_slug,
            "right": self.right_slug,
            "also": [a.slug for a in self.extra],
        }

    @property
    def url(self) -> str:
        return reverse("telegrams:agenda_compare") + "?" + urlencode(self.query, doseq=True)


def build_comparison(request, params) -> Comparison:
    """Agendas, rows and messages for ``params`` (``left``, ``right``, ``also``…).

    Three queries whatever the number of items and correspondences: all
    agendas (pickers), the shown agendas' items, the correspondences among
    them that ``request.user`` may see (with their proposers). One query when
    a slug is unknown.
    """
    agendas = list(agendas_for_picker())
    by_slug = {a.slug: a for a in agendas}
    cmp = Comparison(agendas=agendas)
    left_slug = params.get("left", "").strip()
    right_slug = params.get("right", "").strip()
    also_slugs = [s.strip() for s in params.getlist("also") if s.strip()]
    for label, slug in (("left", left_slug), ("right", right_slug)):
        if slug and slug not in by_slug:
            cmp.messages.append(f"There is no agenda called “{slug}” (asked for on the {label}).")
            cmp.status = 404
    for slug in also_slugs:
        if slug not in by_slug:
            cmp.messages.append(f"There is no agenda called “{slug}” (asked for as a column).")
            cmp.status = 404
    left = by_slug.get(left_slug) if left_slug else None
    right = by_slug.get(right_slug) if right_slug else None
    if cmp.status == 200:
        # Only agendas an editor has given a side open the page by default: the
        # importer's side-less agenda candidates are shown only when asked for.
        others = [a for a in agendas if a not in (left, right) and a.side_id is not None]
        if left is None and others:
            left = others.pop(0)
        if right is None and others:
            right = others.pop(0)
        if left is None or right is None:
            cmp.messages.append("There are not yet two agendas to compare.")
    cmp.left, cmp.right = left, right
    cmp.left_slug = left.slug if left else left_slug
    cmp.right_slug = right.slug if right else right_slug
    if cmp.status != 200 or not (left and right):
        return cmp
    if left is right:
        prefetch_items([left])
        cmp.messages.append("The same agenda is shown on both sides; pick another to compare.")
        cmp.rows = align(left.items.all(), right.items.all(), [])
        return cmp
    for slug in also_slugs:
        agenda = by_slug[slug]
        if agenda in (left, right, *cmp.extra):
            cmp.messages.append(f"“{agenda.title}” is already shown; it is not added again.")
        elif len(cmp.extra) >= MAX_EXTRA_COLUMNS:
            cmp.messages.append(
                f"At most {MAX_EXTRA_COLUMNS + 2} agendas fit side by side; "
                f"“{agenda.title}” is not shown."
            )
        else:
            cmp.extra.append(agenda)
    shown = cmp.columns
    prefetch_items(shown)
    column_of = {}
    items = {}
    for c, agenda in enumerate(shown):
        for item in agenda.items.all():
            column_of[item.pk], items[item.pk] = c, item
    pairs = []
    for corr in Correspondence.objects.visible_to(request.user).among(shown):
        a, b = items[corr.left_id], items[corr.right_id]
        if column_of[a.pk] == column_of[b.pk]:
            continue  # both items in one column: nothing to align
        if column_of[a.pk] > column_of[b.pk]:
            a, b = b, a
        pairs.append((a, b, corr))
    cmp.rows = align_columns([a.items.all() for a in shown], pairs)
    return cmp


def _render(
    request, cmp: Comparison, *, form=None, status=None, notice="", reading=""
) -> HttpResponse:
    """The page, or with htmx after a post its ``#comparison`` region (no extra queries)."""
    template = "telegrams/agenda_compare.html"
    if request.htmx and request.method == "POST":
        template += "#comparison"
    status = status or cmp.status
    data = form.data if form is not None else {}
    errors = form.errors if form is not None else {}
    item_fields = [
        (name, label, data.get(name, ""), name in errors)
        for name, label in (("left_item", "First item"), ("right_item", "Second item"))
    ]
    context = {
        "cmp": cmp,
        "agendas": cmp.agendas,
        "left": cmp.left,
        "right": cmp.right,
        "left_slug": cmp.left_slug,
        "right_slug": cmp.right_slug,
        "rows": cmp.rows,
        "messages_": cmp.messages,
        "messages_are_errors": not cmp.rows or status >= 400,
        "table_span": 2 * len(cmp.columns) - 1,
        "form": form,
        "item_fields": item_fields,
        "notice": notice,
        "reading": reading,
        "relations": Correspondence.Relation.choices,
        "can_propose": request.user.is_authenticated,
        "is_editor": request.user.is_staff,
    }
    return render(request, template, context, status=status)


def _corrected(request) -> bool:
    return request.GET.get("reading") == "corrected"


@conditional_page(
    store=True,
    # The corrected reading shows accepted corrections, which are notes.
    scopes=lambda request: [RECORDS, NOTES] if _corrected(request) else [RECORDS],
)
@require_GET
def agenda_compare(request: HtmxHttpRequest) -> HttpResponse:
    """Agendas side by side (3 queries: agendas, their items, correspondences; the
    corrected reading adds the annotations app's one, for the corrections).

    ``left`` and ``right`` are agenda slugs; missing ones default to the first
    two agendas. ``also`` (repeatable) adds further columns, aligned to the
    left agenda by correspondence where possible (the rule is
    :func:`align_columns`'s). An unknown slug gives the page with a message
    and status 404. ``reading=corrected`` shows the items' texts with the
    editors' accepted corrections (``telegrams.signals.agenda_items_shown``).
    """
    cmp = build_comparison(request, request.GET)
    if _corrected(request):
        items = [cell.item for row in cmp.rows for column in row.columns for cell in column]
        agenda_items_shown.send(sender=Agenda, items=items, user=request.user)
    return _render(request, cmp, reading="corrected" if _corrected(request) else "")


def _after_action(request, cmp: Comparison, *, notice: str, fragment: str = "") -> HttpResponse:
    """After a successful post: the comparison region for htmx, else back to the page."""
    if request.htmx:
        return _render(request, cmp, notice=notice)
    return redirect(cmp.url + (f"#{fragment}" if fragment else ""))


@login_required
@require_POST
def propose(request: HtmxHttpRequest) -> HttpResponse:
    """A signed-in researcher proposes a correspondence between two items.

    Refused, with a message and nothing written: an unknown item, two items
    of one agenda or of one side, an empty note, an unknown relation, or a
    pair already linked (either way round, whatever the link's status).
    """
    form = ProposalForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        found = {
            i.pk: i
            for i in AgendaItem.objects.select_related("agenda__side").filter(
                pk__in=[data["left_item"], data["right_item"]]
            )
        }
        a, b = found.get(data["left_item"]), found.get(data["right_item"])
        if a is None or b is None:
            form.add_error(None, "One of the items does not exist; choose from the lists.")
        elif a.agenda_id == b.agenda_id or (
            a.agenda.side_id is not None and a.agenda.side_id == b.agenda.side_id
        ):
            form.add_error(
                None, "Both items are on the same side; link items of two different sides."
            )
        else:
            existing = Correspondence.objects.filter(
                Q(left=a, right=b) | Q(left=b, right=a)
            ).first()
            if existing is None:
                try:
                    with transaction.atomic():
                        created = Correspondence.objects.create(
                            left=a,
                            right=b,
                            relation=data["relation"],
                            note=data["note"],
                            status=Correspondence.Status.PROPOSED,
                            proposed_by=request.user,
                        )
                except IntegrityError:  # proposed by someone else a moment ago
                    existing = Correspondence(status=Correspondence.Status.PROPOSED)
                else:
                    cmp = build_comparison(request, request.POST)
                    return _after_action(
                        request,
                        cmp,
                        notice="Your proposal is shown below, marked “proposed”, "
                        "until an editor reviews it.",
                        fragment=f"corr-{created.pk}",
                    )
            form.add_error(None, _duplicate_message(existing))
    cmp = build_comparison(request, request.POST)
    return _render(request, cmp, form=form, status=422 if request.htmx else 400)


def _duplicate_message(existing: Correspondence) -> str:
    return {
        Correspondence.Status.ACCEPTED: "These two items are already linked in the editorial set.",
        Correspondence.Status.PROPOSED: "These two items have already been proposed as a "
        "correspondence; an editor will review it.",
        Correspondence.Status.REJECTED: "A correspondence between these two items was "
        "proposed and rejected by an editor.",
    }[existing.status]


@login_required
@require_POST
def review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """An editor accepts a proposed correspondence into the editorial set, or rejects it.

    Staff only (others get 403). Anything but a proposal, or a decision other
    than accept/reject, is refused with a message (400, 422 with htmx).
    """
    if not request.user.is_staff:
        raise PermissionDenied("Only editors can accept or reject a proposed correspondence.")
    corr = get_object_or_404(Correspondence, pk=pk)
    decision = {
        "accept": Correspondence.Status.ACCEPTED,
        "reject": Correspondence.Status.REJECTED,
    }.get(request.POST.get("decision", ""))
    if decision is None or not corr.is_proposed:
        cmp = build_comparison(request, request.POST)
        cmp.messages.append("Only a proposed correspondence can be accepted or rejected.")
        return _render(request, cmp, status=422 if request.htmx else 400)
    Correspondence.objects.filter(pk=pk, status=Correspondence.Status.PROPOSED).update(
        status=decision
    )
    cmp = build_comparison(request, request.POST)
    accepted = decision == Correspondence.Status.ACCEPTED
    notice = (
        "Accepted: the correspondence is now in the editorial set."
        if accepted
        else "Rejected: the proposal no longer shows on the page."
    )
    return _after_action(request, cmp, notice=notice, fragment=f"corr-{pk}" if accepted else "")
