"""Full-text search over cables, passages, names and the annotations a reader may see.

The entry point is :func:`search`: it parses the query (``search.query``),
widens the names in it (``search.names``), draws the matching index entries
through the backend of the database in use (``search.backends``: PostgreSQL's
tsvector or SQLite's FTS5, the same results for the same query on both),
groups them by cable, each cable ranked by its best entry, counts the facets
(``search.facets``) and cuts the snippets of the page shown
(``search.highlight``). The index itself is written by ``search.indexer``.

Ranking over every match (issue 13): the database's full-text engine scores
every matching row and hands back the best first (PostgreSQL: a RUM index;
SQLite: FTS5's bm25), so the first page is the true best of all matches, in
the tiers and ties of :meth:`_Query.ranking`. Counts are exact up to
``COUNT_CEILING`` cables ("1,000+" past it, ``Results.capped``); the facets
count the cables the count read: every match up to the ceiling, a sample of
1,000 past it (the best catalogue records first), which the page says.

Privacy: annotations are indexed (one row each, with the annotation's id and
what the one visibility rule, ``Annotation.objects.visible_to``, reads of it:
see ``search.access``), and every query keeps only the rows the reader may
see, tested on the row itself, so a private note is never found, counted or
quoted for anyone but its author.
What cannot be searched is reported in ``Results.messages``; nothing raises.
"""

from __future__ import annotations

import datetime
from contextlib import nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.safestring import SafeString

from cables.models import Cable
from readingroom.caching import data_version
from search.access import Reader, entry_condition
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
    corrections_in,
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
# A search counts the matching cables exactly up to COUNT_CEILING ("1,000+" past it),
# reading the catalogue tier's best rows, then the text tier's in index order,
# COUNT_ROWS at first (see _Query.count); the facets count the cables counted: all,
# or the COUNT_CEILING read when capped.
COUNT_CEILING = 1000
COUNT_ROWS = 4 * COUNT_CEILING
# A search's filters are handed to its queries as the ids of the cables they allow
# when there are at most this many, else as their subquery (see _Query._filtered).
FILTERED_IDS = 20_000
# Up to this many, the texts' count reads the allowed cables' rows one cable at a
# time instead of through the shards (backend match(few_cables=True)): at 100,000
# cables a year's 3,273 with a common word took 127 ms instead of 525, but an
# origin's 16,494 with a rare name 530 instead of 330.
FEW_CABLES = 5_000
# Rows drawn past the ones the page needs, so that ties rarely need a second draw;
# the catalogue tier draws FIRST_DRAW times the cables needed (see _Query.ranking).
SLACK = 32
FIRST_DRAW = 10

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
    capped: bool = False  # more than COUNT_CEILING cables match (see _Query.count)
    sampled: int = 0  # when capped: the matching cables the facets count
    hits: list[Hit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    chosen: list[Chosen] = field(default_factory=list)
    expansions: list[Expansion] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    hl: str = ""
    reading: str = "published"  # or "corrected": snippets with accepted corrections
    per_page: int = PER_PAGE
    bad_input: bool = False  # an overlong query or an unknown sort (status 400)

    @property
    def count_label(self) -> str:
        """How many cables match, as the page says it: exact, or "1,000+" past the ceiling."""
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"

    @property
    def capped_note(self) -> str:
        """What a reader should know when more cables match than are counted."""
        if not self.capped:
            return ""
        return (
            f"More than {COUNT_CEILING:,} cables match: they are counted up to "
            f"{COUNT_CEILING:,}, and the facets count only {self.sampled:,} of them "
            "(a sample, not all: those whose catalogue records rank best, then the first "
            "found in the texts). The results are ranked "
            "over every match, best first. "
            "Add a word, a “phrase” or a filter (year, person, collection) for an exact count."
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
        if self.reading == "corrected":
            params["reading"] = self.reading
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
    """One matching index row of a cable on the page (see :func:`page_rows`)."""

    id: int
    cable_id: int
    annotation_id: int | None
    kind: str
    score: float
    matches: int  # the cable's matching rows the reader may see


@dataclass
class Ranked:
    """A matching cable's place in the ranking (see :meth:`_Query.ranking`)."""

    cable_id: int
    tier: int  # 1: its catalogue record matches; 2: only its passages or annotations do
    rank: float  # its best entry's rank (the engine's ordering value, lower is better)
    date: object
    title: str

    def key(self):
        return (self.tier, self.rank, self.date is None, self.date or datetime.date.min,
                self.title, self.cable_id)  # fmt: skip


@dataclass
class Matched:
    """A matching cable of the count's sample, with what the facets count."""

    cable_id: int
    date: object
    origin: str
    archive: str
    language: str  # the cable's original_language
    people: str  # the cable's SearchEntry.people: everyone taking part or mentioned


class _Query:
    """A search's query compiled for the backend, and the SQL that draws its results.

    The ranking (:meth:`ranking`) is exact: every match is scored by the
    database's own full-text engine, which hands back the best first. The
    count (:meth:`count`) reads matches up to ``COUNT_CEILING`` cables (the
    catalogue tier's best, then the text tier's in index order); past it, the
    count says "1,000+" and the facets are counted over the cables read
    (``Results.sampled``).
    """

    def __init__(self, parsed: Parsed, user, filters: Filters, visible=None):
        self.backend = backend()
        self.parsed = parsed
        self.user = user
        # Who may see an annotation's row is on the row (search.access): the reader's
        # groups are read once (here, unless given), and no query joins the annotations for it.
        self.visible = visible if visible is not None else entry_condition(Reader.of(user))
        # The SQL of the cables the filters allow, and whether it lists few enough of
        # them to read their rows by cable (FEW_CABLES).
        self.filtered, self.few = self._filtered(filters, user) if filters else (None, False)
        self.compiled = self.backend.compile(parsed)
        # The catalogue tier's best rows, as the count drew them (see count).
        self.drawn_first: list[tuple] | None = None

    def _filtered(self, filters: Filters, user) -> tuple[tuple[str, list], bool]:
        """The SELECT of the cables the filters allow, for the CTE ``sr_filtered``, and
        its parameters: their ids themselves when there are at most
        ``FILTERED_IDS`` (read here, one query), else, or when the filters ask about
        notes, the filters' own subquery.

        Why: given the filters' subquery, PostgreSQL cannot tell how many cables
        it holds, and it planned a participant's one cable as it planned a year's
        3,273: 360 ms for ``withdrawal foreign troops`` with one participant at
        100,000 cables. Given the ids it knows how few they are and reads those
        cables' rows: 60 ms; an origin's 16,494, 350 ms against 220. A filter
        that allows thousands of cables still has every match of a common word
        read in each shard of the text and joined to them (200-500 ms;
        ``bench/results.md``, filtered searches).
        """
        sql, params = compile_queryset(filtered_cables(filters, user))
        if filters.annotated or filters.tag:
            # Which cables hold notes the reader may see is itself a search of the
            # notes (150 ms to list them at 100,000 cables): more than reading them
            # as a subquery of each statement costs.
            return (sql, params), False
        ids = [row[0] for row in fetch(f"{sql} LIMIT {FILTERED_IDS + 1}", params)]
        if len(ids) > FILTERED_IDS:
            return (sql, params), False
        return self.backend.id_select(ids), len(ids) <= FEW_CABLES

    def _where(self, *conditions: str, params=()) -> tuple[list[str], list]:
        """The conditions every drawn row meets: ``conditions`` (with ``params``), the
        reader may see it (``search.access``, on the row's own columns), the filters
        allow its cable (the CTE ``sr_filtered``, see :meth:`_with`); and their
        parameters."""
        where = [*conditions, self.visible[0]]
        params = [*params, *self.visible[1]]
        if self.filtered:
            where.append("e.cable_id IN (SELECT id FROM sr_filtered)")
        return where, params

    def _with(self) -> tuple[str, list]:
        """The CTEs a query of the search starts with: ``sr_filtered``, the cables the
        filters allow (only with filters; "" without)."""
        if not self.filtered:
            return "", []
        return f"sr_filtered(id) AS ({self.filtered[0]}),\n", list(self.filtered[1])

    def _ordered(self):
        """The block a ranked draw runs in (``backend.index_ordered``), without filters
        only: the filters' own SQL (``sr_filtered``: a date range, a collection's
        links) is planned with bitmap scans, and at 100,000 cables a filtered
        search took half as long again without them (``bench/results.md``)."""
        return self.backend.index_ordered() if not self.filtered else nullcontext()

    def _tier(self, limit: int, *conditions: str) -> tuple[str, list]:
        """One tier's best rows the reader may see, as (cable_id, rank)."""
        return self.compiled.ranked("e.cable_id", *self._where(*conditions), limit)

    def ranking(self, need: int) -> list[Ranked]:
        """The first ``need`` matching cables in the exact ranking (fewer when fewer match).

        The ranking: cables whose catalogue record (title, summary, names,
        labels) matches come first (tier 1), ranked by that record's score;
        then cables matched only in their passages or in annotations the
        reader may see (tier 2), ranked by their best row's score. Ties go to
        the earlier date (undated last), then the title, then the id. Scores
        are the engine's own over every match (PostgreSQL: RUM's ``<=>``;
        SQLite: FTS5's ``bm25()``).

        One query: each tier's best rows, the second tier drawn only when the
        first holds fewer than ``need`` cables. A cable is placed once every row
        that could rank above its best has been drawn (its rank is below the
        last row drawn); when ties at the end of what was drawn leave fewer
        than ``need`` placed, the query runs again for more (rarely).
        """
        cable = table(Cable)
        # The catalogue tier's first draw is wide: its index scores every match
        # before the first row comes back, so 200 rows cost little more than 50
        # (measured at 100,000 cables), and the ties of a common word rarely reach
        # past them (a second draw costs the whole scoring again).
        first_limit, rest_limit = FIRST_DRAW * need + SLACK, 4 * need + SLACK
        if self.drawn_first is not None:
            # The count drew the catalogue tier's best rows already: all of them, or
            # the best COUNT_CEILING + 1 (a common word).
            placed, _ = _place(self.drawn_first, COUNT_CEILING + 1)
            if len(placed) >= need:
                return placed[:need]
        while True:
            first, first_params = self._tier(first_limit, "e.kind = 'cable'")
            rest, rest_params = self._tier(
                rest_limit, "e.kind <> 'cable'", "e.cable_id NOT IN (SELECT cable_id FROM sr_first)"
            )
            ctes, params = self._with()
            sql = (
                f"WITH {ctes}sr_first AS MATERIALIZED ({first}),\n"
                # Drawn only when the first tier holds fewer than ``need`` cables (a
                # condition PostgreSQL checks once, before it starts the scan).
                f"sr_rest AS MATERIALIZED (SELECT * FROM ({rest}) t "
                "WHERE (SELECT COUNT(*) FROM sr_first) < %s)\n"
                "SELECT h.tier, h.cable_id, h.rank, c.date, c.title FROM ("
                "SELECT 1 AS tier, cable_id, rank FROM sr_first UNION ALL "
                "SELECT 2, cable_id, rank FROM sr_rest) h "
                f"JOIN {cable} c ON c.id = h.cable_id"
            )
            with self._ordered():
                rows = fetch(sql, params + first_params + rest_params + [need])
            first_rows = [r for r in rows if r[0] == 1]
            rest_rows = [r for r in rows if r[0] == 2]
            placed, done = _place(first_rows, first_limit)
            if len(placed) >= need:
                return placed[:need]
            if not done:  # ties at the end of the first tier's rows: draw more
                first_limit *= 4
                continue
            more, done = _place(rest_rows, rest_limit)
            if done or len(placed) + len(more) >= need:
                return (placed + more)[:need]
            rest_limit *= 4

    def count(self) -> tuple[list[Matched], bool]:
        """The matching cables the reader may see, up to ``COUNT_CEILING`` of them,
        and whether they are all there are (one query, or two when the catalogue
        tier does not fill the ceiling, rarely more).

        The catalogue tier first: its best ``COUNT_CEILING + 1`` rows (one row per
        cable), drawn as the ranking draws them, in the index's order
        (``backend.index_ordered``), and kept (``drawn_first``): for a common word
        one scan of the index both settles the count, capped, and gives the
        ranking its first tier; for a rarer one it holds the whole tier. The
        engine scores every match before its first row either way, and a second
        scan cost as much again (issue 13). Then, only when there is room under
        the ceiling, the text tier's rows of the other cables, in index order,
        ``COUNT_ROWS`` at first (a cable has several), more when that was not
        enough. Every condition is on the index rows (``search.access``); the
        cables' own columns are read for the cables counted only, for the facets.
        """
        cable = table(Cable)
        entry = table(SearchEntry)
        cap = COUNT_CEILING
        ctes, with_params = self._with()
        # The catalogue tier (its RUM index, search 0002): a catalogue row holds its
        # cable's people.
        first, first_params = self.compiled.ranked(
            "e.cable_id, e.people", *self._where("e.kind = 'cable'"), cap + 1
        )
        sql = (
            f"WITH {ctes}sr_first AS MATERIALIZED ({first})\n"
            "SELECT c.id, c.date, c.origin, c.archive, c.original_language, "
            "COALESCE(h.people, ''), h.rank, c.title "
            f"FROM sr_first h JOIN {cable} c ON c.id = h.cable_id"
        )
        with self._ordered():
            rows = fetch(sql, with_params + first_params)
        rows.sort(key=lambda r: r[6])  # best first
        self.drawn_first = [(1, r[0], r[6], r[1], r[7]) for r in rows]
        matched = [Matched(*row[:6]) for row in rows]
        if len(rows) > cap:  # the catalogue tier alone fills the count: its best cap
            return sorted(matched[:cap], key=lambda m: m.cable_id), False
        # The text tier (its sharded GIN indexes, cables 0005), of the other cables:
        # one with no catalogue row here has its people read from that row (asked
        # only for the cables counted).
        room = cap + 1 - len(rows)
        ids, ids_params = self.backend.id_select([r[0] for r in rows])
        limit = COUNT_ROWS
        while True:
            rest, rest_params = self.compiled.match(
                "e.cable_id",
                *self._where(
                    "e.kind <> 'cable'", "e.cable_id NOT IN (SELECT cable_id FROM sr_first)"
                ),
                limit,
                few_cables=self.few,
            )
            sql = (
                f"WITH {ctes}sr_first(cable_id) AS MATERIALIZED ({ids}),\n"
                f"sr_rest AS MATERIALIZED ({rest}),\n"
                f"sr_counted AS MATERIALIZED (SELECT DISTINCT cable_id FROM sr_rest LIMIT {room})\n"
                "SELECT (SELECT COUNT(*) FROM sr_rest), "
                "c.id, c.date, c.origin, c.archive, c.original_language, "
                "COALESCE((SELECT ce.people FROM "
                f"{entry} ce WHERE ce.cable_id = h.cable_id AND ce.kind = 'cable' LIMIT 1), '') "
                f"FROM sr_counted h JOIN {cable} c ON c.id = h.cable_id"
            )
            more = fetch(sql, with_params + ids_params + rest_params)
            if len(more) >= room:  # past the ceiling: the catalogue's, then the first found
                more = sorted(more, key=lambda r: r[1])[: room - 1]
                return sorted(matched + [Matched(*r[1:]) for r in more],
                              key=lambda m: m.cable_id), False  # fmt: skip
            if not more or more[0][0] < limit:
                return matched + [Matched(*r[1:]) for r in more], True
            limit *= 4

    def by_date(self, descending: bool, start: int, count: int) -> list[int]:
        """``count`` matching cables from ``start`` by date, earliest (or latest) first,
        undated last, then by title and id (one query)."""
        where, params = self._where("e.cable_id = c.id")
        matching, match_params = self.compiled.scored("e.id", where, params)
        ctes, with_params = self._with()
        order = "DESC" if descending else ""
        sql = _with_clause(ctes) + (
            f"SELECT c.id FROM {table(Cable)} c WHERE EXISTS ({matching}) "
            f"ORDER BY c.date IS NULL, c.date {order}, c.title, c.id LIMIT %s OFFSET %s"
        )
        return [row[0] for row in fetch(sql, with_params + match_params + [count, start])]

    def page_rows(self, cable_ids: list[int]) -> tuple[str, list]:
        """The SQL of the rows to show for these cables: each cable's best
        ``SNIPPETS_PER_HIT`` matching rows the reader may see (the text's own before
        annotations), with the cable's number of such rows.

        Columns: id, cable_id, annotation_id, kind, rank, matches.
        """
        ids, ids_params = self.backend.id_select(cable_ids)
        where, params = self._where(f"e.cable_id IN ({ids})", params=ids_params)
        scored, scored_params = self.compiled.scored(
            "e.id, e.cable_id, e.annotation_id, e.kind", where, params
        )
        ctes, with_params = self._with()
        sql = _with_clause(ctes) + (
            "SELECT id, cable_id, annotation_id, kind, rank, matches FROM ("
            "SELECT s.*, ROW_NUMBER() OVER (PARTITION BY s.cable_id "
            "ORDER BY CASE WHEN s.kind = 'annotation' THEN 1 ELSE 0 END, s.rank, s.id) AS n, "
            f"COUNT(*) OVER (PARTITION BY s.cable_id) AS matches FROM ({scored}) s) r "
            f"WHERE r.n <= {SNIPPETS_PER_HIT}"
        )
        return sql, with_params + scored_params


def _with_clause(ctes: str) -> str:
    """``WITH`` and these CTEs (from :meth:`_Query._with`) before a SELECT; "" when none."""
    return f"WITH {ctes.rstrip().rstrip(',')} " if ctes else ""


def _place(rows: list[tuple], limit: int) -> tuple[list[Ranked], bool]:
    """The cables of one tier's drawn rows whose place is sure, in order, and whether
    the rows were all the tier's (fewer than ``limit``).

    Rows come best first up to ``limit``, so every row ranked better than the
    last one drawn has been drawn: a cable whose best row is better than that
    is placed; a cable tied with the last row may have rivals not yet drawn.
    """
    best: dict[int, Ranked] = {}
    for tier, cable_id, rank, date, title in rows:
        if cable_id not in best or rank < best[cable_id].rank:
            best[cable_id] = Ranked(cable_id, tier, rank, date, title)
    done = len(rows) < limit
    if not done:
        last = max(r[2] for r in rows)
        best = {c: r for c, r in best.items() if r.rank < last}
    return sorted(best.values(), key=Ranked.key), done


def search(
    query: str,
    user,
    *,
    filters: Filters | None = None,
    sort: str = "relevance",
    page: int = 1,
    version: int | None = None,
    reading: str = "published",
) -> Results:
    """Search the reading room for ``user``: ranked cables, snippets, facet counts.

    Never raises on bad input: an overlong or empty query, an unknown filter
    or sort give messages in ``Results.messages``. Queries (whatever the
    number of results): the data version and the names (2; 1 when the names
    are kept for this version), the labels of the chosen filters (1, only with
    participant, side, collection or tag filters), the cables the filters allow
    (1, with filters but those on notes: :meth:`_Query._filtered`), the count (1, the catalogue
    records' best; +1 for the texts' matches unless those records fill the
    ceiling), the facets (1; +1 for the names and sides of the people counted,
    unless kept for this version), the ranking or the page by date (1; rarely
    more, see :meth:`_Query.ranking`; none for a relevance page the count's
    draw holds), the page's cables (1), their rows and snippets (1). On
    PostgreSQL with RUM, each ranked draw has its planner setting before it
    (``index_ordered``).
    The version is not read again when given.
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
    if reading not in ("published", "corrected"):
        messages.append("A reading is “published” or “corrected”; showing the text as published.")
        results.bad_input = True
        reading = "published"
    results.reading = reading
    messages += parsed.messages
    if not parsed:
        results.messages = messages
        return results
    if version is None:
        version = data_version()
    results.expansions = expand_names(parsed, version=version)
    results.hl = highlight_query(parsed)

    # The reader's groups (one query signed in), for the tag filter's check and the search.
    visible = entry_condition(Reader.of(user))
    checked, labels = check_filters(filters, messages, visible)
    results.bad_input |= checked != filters
    results.filters = filters = checked
    q = _Query(parsed, user, filters, visible)
    matched, complete = q.count()
    results.total = len(matched) if complete else COUNT_CEILING
    results.capped = not complete
    results.sampled = len(matched) if not complete else 0
    pages = max(1, -(-results.total // PER_PAGE))
    if page > pages:
        page = pages
    results.page = max(1, page)
    rows = (
        facet_rows([m.cable_id for m in matched], q.visible)
        + column_facets(matched)
        + people_facets(matched, version)
        if matched
        else []
    )
    results.facets = build_facets(results, rows, labels, len(matched))
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
    if not matched:
        ranked = []
    elif sort == "relevance":
        ranked = [r.cable_id for r in q.ranking(start + PER_PAGE)[start:]]
    else:
        ranked = q.by_date(sort == "-date", start, PER_PAGE)
    if ranked:
        cables = Cable.objects.select_related("sender", "recipient").in_bulk(ranked)
        pattern = term_pattern(results.hl)
        extra = {"reading": "corrected"} if reading == "corrected" else {}
        fixes = corrections_in(user, ranked) if reading == "corrected" else {}
        hits = {
            cable_id: Hit(
                cable=cables[cable_id],
                score=0.0,
                matches=0,
                url=cable_url(cables[cable_id], results.hl, **extra),
                title_html=mark_terms(cables[cable_id].title, pattern),
            )
            for cable_id in ranked
        }
        shown = []
        for row in fetch_snippets(q.compiled, q.page_rows(ranked)):
            shown.append((Candidate(*row[:6]), row[6:]))
        # The text's own rows (catalogue record, passages) before annotations, best first.
        shown.sort(key=lambda r: (r[0].kind == SearchEntry.Kind.ANNOTATION, r[0].score, r[0].id))
        for row, snip in shown:
            hit = hits[row.cable_id]
            hit.score = max(hit.score, q.backend.score(row.score))
            hit.matches = row.matches
            hit.snippets.append(snippet(hit.cable, row, snip, results.hl, fixes, extra))
        for hit in hits.values():
            # The title opens the cable at its best match in the text (the rows
            # are best first), with the terms marked; at the top when only the
            # catalogue record matched.
            best = next((s for s in hit.snippets if s.kind == SearchEntry.Kind.PASSAGE), None)
            best = best or next((s for s in hit.snippets if s.kind != SearchEntry.Kind.CABLE), None)
            if best is not None:
                hit.url = best.url
        results.hits = list(hits.values())
    results.messages = messages
    return results
