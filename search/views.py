"""The search page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from readingroom.caching import NOTES, RECORDS, conditional_page
from readingroom.http import HtmxHttpRequest
from search import services

# Search ---------------------------------------------------------------------


@conditional_page(store=True, scopes=[RECORDS, NOTES])  # the index holds notes too
@require_GET
def search_view(request: HtmxHttpRequest) -> HttpResponse:
    """Full-text search with facets (``search.services``); the htmx fragment is the results.

    Queries, whatever the number of results: the data version, the names in
    the query (kept per version), the count, the facets, the ranking, the
    page's cables and their rows with snippets (7; 6 with the names kept); see
    ``search.services.search`` for the rest. A repeated search (the same address, the
    same reader, no change to the data since) is answered from the page cache
    with the data version alone (and the session and user when signed in), or
    304. Bad input (an overlong query, a filter or page that means nothing) is
    answered with a message and status 400 (422 to htmx, which base.html swaps
    in like a success).
    """
    filters, errors = services.Filters.from_params(request.GET)
    page = request.GET.get("page", "1").strip() or "1"
    if not page.isdigit() or int(page) < 1:
        errors.append(f"“{page[:20]}” is not a page number; showing the first page.")
        page = "1"
    results = services.search(
        request.GET.get("q", ""),
        request.user,
        filters=filters,
        sort=request.GET.get("sort", "relevance"),
        page=min(int(page), 10_000),
        version=getattr(request, "data_version", None),
        reading=request.GET.get("reading", "published") or "published",
    )
    results.messages = errors + results.messages
    bad = bool(errors) or results.bad_input
    context = {"results": results, "sorts": services.SORTS}
    if request.htmx and request.htmx.target == "search-results":
        response = render(
            request, "search/search.html#results", context, status=422 if bad else 200
        )
    else:
        response = render(request, "search/search.html", context, status=400 if bad else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response
