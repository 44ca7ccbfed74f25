"""Any two texts side by side: ``/compare/?a=…&b=…``.

A text is named by a stable, citable key:

- ``cable:<slug>`` — a whole cable;
- ``telegram:<cable slug>:<number>`` — one forwarded telegram of a cable;
- ``agenda:<slug>`` — a side's agenda, item by item.

Each pane of a cable or telegram is a full reading pane (highlights, margin
notes, annotating and linking); links between the two panes are drawn as
connectors in the gutter by ``static/js/compare.js``, which also locks and
aligns the scrolling. Swapping the panes, or choosing another text for one of
them, happens in place with htmx and updates the URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from annotations import margin
from cables.models import Cable
from reading import layers
from readingroom.caching import conditional_page, text_scopes
from telegrams.models import Agenda, AgendaItem, Telegram


@dataclass
class Pane:
    key: str  # the text's key, as in the URL
    side: str  # "a" or "b"
    kind: str = ""  # cable, telegram, agenda
    title: str = ""
    url: str = ""  # the text's own page
    cable: Cable | None = None
    context: dict = field(default_factory=dict)  # reading context (cable and telegram panes)
    agenda: Agenda | None = None
    error: str = ""

    @property
    def passage_ids(self) -> set[int]:
        return {row.passage.pk for row in self.context.get("rows", [])}


def resolve(key: str, side: str, request) -> Pane:
    """The pane for ``key`` (a few queries; the same number whatever the text's size)."""
    pane = Pane(key=key, side=side)
    kind, _, rest = key.partition(":")
    if kind in ("cable", "telegram"):
        slug, _, number = rest.partition(":")
        kept = layers.find(request, slug)
        if kept is None:
            pane.error = f"There is no cable “{slug}” in the reading room."
            return pane
        cable = kept.cable
        filters = margin.Filters.from_params(QueryDict())
        context = margin.build(
            cable,
            request.user,
            filters,
            layers=list(kept.passages),
            incoming=kept.incoming,
            annotated=kept.annotated,
        )
        pane.cable, pane.context, pane.kind = cable, context, kind
        pane.title, pane.url = cable.title, cable.get_absolute_url()
        if kind == "telegram":
            rows = [r for r in context["rows"] if r.telegram and str(r.telegram.number) == number]
            if not rows:
                pane.error = f"{cable.title} has no telegram {number or '(no number given)'}."
                pane.context = {}  # no passages: it is not the same text as the other pane
                return pane
            context["rows"] = rows
            pane.title = f"Telegram {number} — {cable.title}"
            pane.url = f"{cable.get_absolute_url()}#{rows[0].passage.anchor}"
        return pane
    if kind == "agenda":
        agenda = (
            Agenda.objects.published()
            .select_related("side", "telegram__passage__cable")
            .filter(slug=rest)
            .first()
        )
        if agenda is None:
            pane.error = f"There is no agenda “{rest}”."
            return pane
        agenda.item_list = list(
            AgendaItem.objects.filter(agenda=agenda)
            .select_related("passage__cable")
            .order_by("number")
        )
        pane.kind, pane.agenda, pane.title = "agenda", agenda, agenda.title
        pane.url = reverse("telegrams:agenda_compare") + f"?left={agenda.slug}"
        return pane
    if key:
        pane.error = f"“{key}” does not name a text. Choose one from the list."
    return pane


def _day(date) -> str:
    return f"{date.day} {date:%B %Y}" if date else "undated"


def choices(query: str = "") -> list[tuple[str, str]]:
    """(key, label) for every text a pane can show, optionally narrowed by words (3 queries)."""
    cables = Cable.objects.published().order_by("date", "title")
    telegrams = (
        Telegram.objects.filter(passage__cable__status=Cable.Status.PUBLISHED)
        .select_related("passage__cable", "author")
        .order_by("passage__cable__date", "passage__cable__title", "number")
    )
    agendas = Agenda.objects.published().select_related("side").order_by("date", "title")
    if query:
        cables = cables.filter(Q(title__icontains=query) | Q(record_id__icontains=query))
        telegrams = telegrams.filter(
            Q(passage__cable__title__icontains=query)
            | Q(subject__icontains=query)
            | Q(author__name__icontains=query)
        )
        agendas = agendas.filter(title__icontains=query)
    result = [(f"cable:{c.slug}", f"Cable — {c.title} ({_day(c.date)})") for c in cables[:200]]
    for t in telegrams[:200]:
        who = f" from {t.author.name}" if t.author_id else ""
        sent = f", {t.sent_as_written}" if t.sent_as_written else ""
        result.append(
            (
                f"telegram:{t.passage.cable.slug}:{t.number}",
                f"Telegram {t.number}{who}{sent} — in {t.passage.cable.title}",
            )
        )
    result += [(f"agenda:{a.slug}", f"Agenda — {a.title}") for a in agendas[:200]]
    return result


KINDS = ("cable:", "telegram:", "agenda:")


def _key(value: str) -> str:
    """A text's key; words typed into a pane's picker instead find the first text they match."""
    value = value.strip()[:300]
    if not value or value.startswith(KINDS):
        return value
    found = choices(value)
    return found[0][0] if found else value


def _url(a: str, b: str) -> str:
    q = QueryDict(mutable=True)
    if a:
        q["a"] = a
    if b:
        q["b"] = b
    return f"{reverse('reading:compare')}?{q.urlencode(safe=':')}"


@conditional_page(
    store=True,
    scopes=lambda request: text_scopes(request.GET.get("a", ""), request.GET.get("b", "")),
)
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Two texts side by side (constant queries per pane; see reading/tests/test_compare.py)."""
    a_key, b_key = _key(request.GET.get("a", "")), _key(request.GET.get("b", ""))
    panes = [resolve(a_key, "a", request), resolve(b_key, "b", request)]
    message = ""
    if panes[0].passage_ids & panes[1].passage_ids:
        message = "The two panes show the same passages. Choose two different texts."
        panes[1] = Pane(key=b_key, side="b", error=message)
    context = {
        "panes": panes,
        "choices": choices(),
        "swap_url": _url(b_key, a_key),
        "a_key": a_key,
        "b_key": b_key,
        "message": message,
    }
    target = request.htmx.target if getattr(request, "htmx", None) else None
    if target in ("pane-a", "pane-b"):
        context["pane"] = panes[0] if target == "pane-a" else panes[1]
        response = render(request, "reading/compare.html#pane", context)
        return push_url(response, _url(a_key, b_key))
    status = 404 if any(p.error and p.key for p in panes) and not message else 200
    return render(request, "reading/compare.html", context, status=status)
