"""Who wrote to whom (issue 16): the network page, one edge's records, and the exports.

Every page is server-rendered and works without JavaScript: the drawing is
inline SVG whose people and edges are links, and a table below it gives the
same data. Query counts are fixed whatever the size of the archive, and
pinned in ``network/tests/``: the page and the exports read the data version
and, once per version of the records and date range, the graph
(``network.graph``: three queries); a person filter adds one.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cables.models import Participant
from network import exports, graph, layout
from network.forms import DateRangeForm, NetworkFilter
from readingroom.caching import RECORDS, conditional_page, versioned
from readingroom.http import attachment

TABLE_PAGE = 100  # edges per page of the table


def edge_url(source: str, target: str, span: graph.Range) -> str:
    return reverse("network:edge", args=[source, target]) + span.dates_query


def _filters(request) -> tuple[NetworkFilter, graph.Range, Participant | None]:
    form = NetworkFilter(request.GET)
    form.is_valid()
    # Invalid filters are reported and left out; the valid ones still apply.
    return form, form.range, form.cleaned_data.get("participant")


def drawing_of(request, shown: graph.Network, span: graph.Range, person: str) -> layout.Drawing:
    """The layout of ``shown``, kept per version of the records and filters: the same
    data gives the same drawing anyway (a fixed seed), so it is computed once."""
    key = f"network-drawing:{span.key}:{span.min_weight}:{person}"
    return versioned(key, lambda: layout.draw(shown, person), scopes=[RECORDS], request=request)


@conditional_page(store=True, scopes=[RECORDS])
@require_GET
def network(request: HttpRequest) -> HttpResponse:
    """The drawing and the table of who wrote to whom, for a date range (4 queries the
    first time for a range and version of the records, then 1; +1 with a person).

    Queries: the data version; the graph (``network.graph.read``: cables grouped by
    sender and recipient, telegram recipients grouped by author and recipient, the
    people), kept per version and range; the person asked for. The layout is kept
    per version and filters (no query).
    """
    form, span, person = _filters(request)
    whole = graph.correspondence(span, request=request)
    slug = person.slug if person else ""
    shown = whole.limited(min_weight=span.min_weight, person=slug)
    drawing = drawing_of(request, shown, span, slug) if shown.edges else None
    rows = Paginator(shown.edges, TABLE_PAGE).get_page(request.GET.get("page"))
    edges = [
        {
            "edge": e,
            "source": shown.nodes[e.source],
            "target": shown.nodes[e.target],
            "url": edge_url(e.source, e.target, span),
        }
        for e in rows
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "span": span,
        "person": person,
        "network": shown,
        "whole": whole,
        "drawing": drawing,
        "rows": rows,
        "edges": edges,
        "query": params.urlencode(),
        "filtered": bool(span.start or span.end or span.min_weight > 1 or person),
        "exports": [
            (label, reverse(f"network:{name}") + (f"?{params.urlencode()}" if params else ""))
            for label, name in (("GEXF", "gexf"), ("GraphML", "graphml"), ("CSV", "csv"))
        ],
    }
    return render(request, "network/network.html", context, status=400 if form.errors else 200)


def _any_way(request, source: str, target: str, span: graph.Range) -> bool:
    """Whether anything went from ``source`` to ``target`` in the range (the kept
    graph: no query once it is kept for this version)."""
    if source == target:
        return False
    network = graph.correspondence(span, request=request)
    return any(e.source == source and e.target == target for e in network.edges)


@conditional_page(store=True, scopes=[RECORDS])
@require_GET
def edge(request: HttpRequest, source: str, target: str) -> HttpResponse:
    """Every record from one person to another in a date range, in date order
    (4 queries: the data version, the two people, the cables, the telegrams)."""
    people = {p.slug: p for p in Participant.objects.filter(slug__in=[source, target])}
    if source not in people or target not in people:
        raise Http404("Nobody in the reading room has that identifier.")
    form = DateRangeForm(request.GET)
    form.is_valid()
    span = form.range
    found = graph.letters(people[source], people[target], span)
    context = {
        "form": form,
        "span": span,
        "source": people[source],
        "target": people[target],
        "letters": found,
        "cables": sum(1 for x in found if x.kind == "cable"),
        "telegrams": sum(1 for x in found if x.kind == "telegram"),
        "reverse_url": edge_url(target, source, span)
        if _any_way(request, target, source, span)
        else "",
        "network_url": reverse("network:network") + span.dates_query,
    }
    return render(request, "network/edge.html", context, status=400 if form.errors else 200)


# Exports -------------------------------------------------------------------------


def _export(request: HttpRequest, extension: str) -> HttpResponse:
    """The network with the page's filters as a file (4 queries the first time for a
    range and version, then 1; +1 with a person). Invalid filters are a 400 with the
    reasons: a file must hold what was asked for, not a guess."""
    form, span, person = _filters(request)
    if form.errors:
        return HttpResponse(
            "The network could not be exported: " + " ".join(form.reasons()) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    shown = graph.correspondence(span, request=request).limited(
        min_weight=span.min_weight, person=person.slug if person else ""
    )
    built = exports.to_graph(
        shown,
        person_url=lambda slug: request.build_absolute_uri(shown.nodes[slug].url),
        edge_url=lambda e: request.build_absolute_uri(edge_url(e.source, e.target, span)),
    )
    if extension == "gexf":
        response = HttpResponse(exports.gexf(built), content_type=exports.GEXF_TYPE)
    elif extension == "graphml":
        response = HttpResponse(exports.graphml(built), content_type=exports.GRAPHML_TYPE)
    else:
        response = HttpResponse(exports.table(shown, built), content_type=exports.CSV_TYPE)
    parts = ["network", person.slug if person else "", _day(span.start), _day(span.end)]
    if span.min_weight > 1:
        parts.append(f"min{span.min_weight}")
    return attachment(response, "-".join(p for p in parts if p) + f".{extension}")


def _day(value) -> str:
    return value.isoformat() if value else ""


@require_GET
def export_gexf(request: HttpRequest) -> HttpResponse:
    return _export(request, "gexf")


@require_GET
def export_graphml(request: HttpRequest) -> HttpResponse:
    return _export(request, "graphml")


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")
