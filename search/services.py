"""Full-text search over cables, passages, names and the annotations a reader may see.

The entry point is :func:`search`: it parses the query (``search.query``),
widens the names in it (``search.names``), draws the matching index entries
through the backend of the database in use (``search.backends``: PostgreSQL's
tsvector or SQLite's FTS5, the same results for the same query on both),
groups them by cable, each cable ranked by its best entry, counts the facets
(``search.facets``) and cuts the snippets of the page shown
(``search.highlight``). The index itself is written by ``search.indexer``.

Bounded work: a search ranks, counts and facets at most ``CATALOGUE_CANDIDATES``
matching catalogue records and ``TEXT_CANDIDATES`` matching passages and
annotations (the *candidates*, taken in index order: neither database can hand
back rows best first). Below those limits — any search a historian narrows with
a second word, a phrase or a filter — everything is exact; above them the page
says so (``Results.capped``) and counts are "at least". So a single common word
never ranks and facets every row of a large archive.

Privacy: annotations are indexed (one row each, with the annotation's id), and
every query keeps only the rows whose annotation is in
``Annotation.objects.visible_to(user)`` — the one visibility rule — so a
private note is never found, counted or quoted for anyone but its author.
What cannot be searched is reported in ``Results.messages``; nothing raises.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.safestring import SafeString

from annotations.models import Annotation
from cables.models import Cable
from readingroom.caching import data_version
from search.backends import backend
from search.backends.base import compile_queryset, fetch, table
from search.facets import (
    FACET_LABELS,
    Chosen,
    Facet,
    Filters,
    build_facets,
    check_filters,
    column_facets,
    facet_rows,
    filtered_cables,
    people_facets,
)
from search.highlight import (
    Snippet,
    cable_url,
    fetch_snippets,
    highlight_query,
    mark_terms,
    snippet,
    term_pattern,
)
from search.models import SearchEntry
from search.names import Expansion, expand_names
from search.query import MAX_QUERY_LENGTH, Parsed, parse

__all__ = ["SORTS", "Filters", "Hit", "Results", "search"]

PER_PAGE = 20
SNIPPETS_PER_HIT = 3
# Matching rows ranked for one search (see _Query): catalogue records, then the rest.
CATALOGUE_CANDIDATES = 200
TEXT_CANDIDATES = 400

SORTS = {
    "relevance": "Relevance",
    "date": "Date, earliest first",
    "-date": "Date, latest first",
}


@dataclass
class Hit:
    cable: Cable
    score: float
    matches: int
    url: str
    title_html: SafeString
    snippets: list[Snippet] = field(default_factory=list)


@dataclass
class Results:
    query: str
    parsed: Parsed
    filters: Filters
    sort: str
    page: int = 1
    total: int = 0
    capped: bool = False  # the candidate limits were reached (see _Query)
    hits: list[Hit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    chosen: list[Chosen] = field(default_factory=list)
    expansions: list[Expansion] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    hl: str = ""
    per_page: int = PER_PAGE
    bad_input: bool = False  # an overlong query or an unknown sort (status 400)

    @property
    def capped_note(self) -> str:
        """What a reader should know when the candidate limits were reached."""
        if not self.capped:
            return ""
        return (
            f"So many records match that these results come from the first "
            f"{CATALOGUE_CANDIDATES:,} catalogue records and {TEXT_CANDIDATES:,} passages "
            "found, ranked among themselves; counts and facets are theirs. Add a word, a "
            "“phrase” or a filter (year, person, collection) to see every match."
        )

    @property
    def searched(self) -> bool:
        return bool(self.parsed)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)

    def params(self, **changes) -> dict[str, str]:
        params = {"q": self.query} if self.query else {}
        params.update(self.filters.items())
        if self.sort != "relevance":
            params["sort"] = self.sort
        for name, value in changes.items():
            if value in (None, ""):
                params.pop(name, None)
            else:
                params[name] = str(value)
        return params

    def url(self, **changes) -> str:
        """This search's address with ``changes`` (``None`` removes a parameter)."""
        return "?" + urlencode(self.params(**changes))

    @property
    def previous_url(self) -> str:
        return self.url(page=self.page - 1 if self.page > 2 else None)

    @property
    def next_url(self) -> str:
        return self.url(page=self.page + 1)


@dataclass
class Candidate:
    """One matching index row among the candidates (see :meth:`_Query.candidates`)."""

    id: int
    cable_id: int
    annotation_id: int | None
    kind: str
    score: float
    date: object
    title: str
    people: str  # the cable's SearchEntry.people: everyone taking part or mentioned
    origin: str = ""
    archive: str = ""
    language: str = ""  # the cable's original_language


class _Query:
    """A search's query compiled for the backend, and the candidates it draws.

    Matching rows are drawn in index order, not rank order — no index the two
    databases share can hand back rows best first — so a search looks at a
    bounded set of *candidates*: up to ``CATALOGUE_CANDIDATES`` matching
    catalogue records (title, summary, names: the heaviest fields) and up to
    ``TEXT_CANDIDATES`` matching passages and annotations. The candidates are
    ranked, grouped by cable, counted and faceted; when either limit is
    reached the results say so (``Results.capped``) and invite a narrower
    search. Below the limits every match is a candidate and everything is exact.
    """

    def __init__(self, parsed: Parsed, user, filters: Filters):
        self.backend = backend()
        self.parsed = parsed
        self.user = user
        self.visible = compile_queryset(Annotation.objects.visible_to(user).order_by().values("pk"))
        self.filtered = compile_queryset(filtered_cables(filters, user)) if filters else None
        self.compiled = self.backend.compile(parsed)

    def _match(self, kind_sql: str, limit: int) -> tuple[str, list]:
        """One tier of candidates: matching rows of some kinds, at most ``limit``."""
        columns = "e.id, e.cable_id, e.annotation_id, e.kind"
        where = [kind_sql]
        if self.filtered:  # the CTE candidates() puts first
            where.append("e.cable_id IN (SELECT id FROM sr_filtered)")
        return self.compiled.match(columns, where, limit)

    def candidates(self) -> tuple[list[Candidate], bool]:
        """The candidate rows the reader may see, and whether a limit was reached.

        One query (two when annotations are among the candidates: which of
        them this reader may see).
        """
        cable = table(Cable)
        first, first_params = self._match("e.kind = 'cable'", CATALOGUE_CANDIDATES + 1)
        rest, rest_params = self._match("e.kind <> 'cable'", TEXT_CANDIDATES + 1)
        materialized = self.backend.cte_materialized
        filtered, filtered_params = "", []
        if self.filtered:
            filtered = f"sr_filtered(id) AS ({self.filtered[0]}),\n"
            filtered_params = list(self.filtered[1])
        sql = (
            f"WITH {filtered}sr_first AS {materialized}({first}),\n"
            f"sr_rest AS {materialized}({rest})\n"
            "SELECT h.id, h.cable_id, h.annotation_id, h.kind, h.score, c.date, c.title, "
            "COALESCE(ce.people, ''), c.origin, c.archive, c.original_language "
            "FROM (SELECT * FROM sr_first UNION ALL SELECT * FROM sr_rest) h "
            f"JOIN {cable} c ON c.id = h.cable_id "
            f"LEFT JOIN {table(SearchEntry)} ce ON ce.cable_id = h.cable_id AND ce.kind = 'cable'"
        )
        params = filtered_params + first_params + rest_params
        rows = [Candidate(*row) for row in fetch(sql, params)]
        catalogue = [r for r in rows if r.kind == SearchEntry.Kind.CABLE]
        text = [r for r in rows if r.kind != SearchEntry.Kind.CABLE]
        capped = len(catalogue) > CATALOGUE_CANDIDATES or len(text) > TEXT_CANDIDATES
        rows = catalogue[:CATALOGUE_CANDIDATES] + text[:TEXT_CANDIDATES]
        noted = {r.annotation_id for r in rows if r.annotation_id}
        if noted:
            seen = set(
                Annotation.objects.visible_to(self.user)
                .filter(pk__in=noted)
                .values_list("pk", flat=True)
            )
            rows = [r for r in rows if r.annotation_id is None or r.annotation_id in seen]
        return rows, capped


def search(
    query: str,
    user,
    *,
    filters: Filters | None = None,
    sort: str = "relevance",
    page: int = 1,
    version: int | None = None,
) -> Results:
    """Search the reading room for ``user``: ranked cables, snippets, facet counts.

    Never raises on bad input: an overlong or empty query, an unknown filter
    or sort give messages in ``Results.messages``. Queries (whatever the
    number of results): the data version and the names (2; 1 when the names
    are kept for this version), the labels of the chosen filters (1, only with
    participant, side, collection or tag filters), the candidates (1; +1 when
    annotations are among them), the facets (1; +1 for the names and sides of
    the people counted, unless kept for this version), the page's cables (1),
    their snippets (1). The version is not read again when given.
    """
    filters = filters or Filters()
    query = query.strip()
    messages: list[str] = []
    bad = sort not in SORTS
    if bad:
        messages.append("Results can be sorted by relevance or by date; showing by relevance.")
        sort = "relevance"
    if len(query) > MAX_QUERY_LENGTH:
        results = Results(query=query, parsed=Parsed(text=query), filters=filters, sort=sort)
        results.messages = messages + [
            f"The search is {len(query)} characters long; the limit is {MAX_QUERY_LENGTH}. "
            "Shorten it and try again."
        ]
        results.query = query[:MAX_QUERY_LENGTH]
        results.bad_input = True
        return results
    parsed = parse(query)
    results = Results(query=query, parsed=parsed, filters=filters, sort=sort, bad_input=bad)
    messages += parsed.messages
    if not parsed:
        results.messages = messages
        return results
    if version is None:
        version = data_version()
    results.expansions = expand_names(parsed, version=version)
    results.hl = highlight_query(parsed)

    checked, labels = check_filters(filters, messages)
    results.bad_input |= checked != filters
    results.filters = filters = checked
    q = _Query(parsed, user, filters)
    candidates, results.capped = q.candidates()
    by_cable: dict[int, list[Candidate]] = defaultdict(list)
    for row in candidates:
        by_cable[row.cable_id].append(row)
    results.total = len(by_cable)
    pages = max(1, -(-results.total // PER_PAGE))
    if page > pages:
        page = pages
    results.page = max(1, page)
    rows = (
        facet_rows(sorted(by_cable), q.visible)
        + column_facets(by_cable)
        + people_facets(by_cable, version)
        if by_cable
        else []
    )
    results.facets = build_facets(results, rows, labels)
    results.chosen = [
        Chosen(
            name,
            value,
            FACET_LABELS[name],
            labels.get((name, value), value),
            results.url(**{name: None}),
        )
        for name, value in filters.items()
    ]
    start = (results.page - 1) * PER_PAGE
    ranked = _rank(by_cable, sort)[start : start + PER_PAGE]
    if ranked:
        cables = Cable.objects.select_related("sender", "recipient").in_bulk(ranked)
        pattern = term_pattern(results.hl)
        hits, shown = {}, []
        for cable_id in ranked:
            cable, rows_of_cable = cables[cable_id], by_cable[cable_id]
            hits[cable_id] = Hit(
                cable=cable,
                score=float(max(r.score or 0 for r in rows_of_cable)),
                matches=len(rows_of_cable),
                url=cable_url(cable, results.hl),
                title_html=mark_terms(cable.title, pattern),
            )
            # The text's own rows (catalogue record, passages) before annotations, best first.
            best = sorted(
                rows_of_cable,
                key=lambda r: (r.kind == SearchEntry.Kind.ANNOTATION, -(r.score or 0), r.id),
            )
            shown += best[:SNIPPETS_PER_HIT]
        found = {row[0]: row for row in fetch_snippets(q.compiled, shown)}
        for row in shown:
            if row.id in found:
                hits[row.cable_id].snippets.append(
                    snippet(hits[row.cable_id].cable, row, found[row.id], results.hl)
                )
        results.hits = list(hits.values())
    results.messages = messages
    return results


def _rank(by_cable: dict[int, list[Candidate]], sort: str) -> list[int]:
    """The matching cables' ids in the order asked for (no dates last, then title, then id)."""

    def when(row: Candidate):
        return (row.date is None, row.date or datetime.date.min)

    def key(cable_id):
        row = by_cable[cable_id][0]
        best = max(r.score or 0 for r in by_cable[cable_id])
        if sort == "relevance":
            return (-best, when(row), row.title, cable_id)
        return (when(row), row.title, cable_id)

    ranked = sorted(by_cable, key=key)
    if sort == "-date":
        # Latest first; within a day, still by title (as the earliest-first order).
        dated = sorted(
            (c for c in ranked if by_cable[c][0].date is not None),
            key=lambda c: by_cable[c][0].date,
            reverse=True,
        )
        ranked = dated + [c for c in ranked if by_cable[c][0].date is None]
    return ranked
