"""Full-text search over cables, passages, names and the annotations a reader may see.

One interface, :func:`search`, chosen by ``connection.vendor``:

* **PostgreSQL** — ``SearchEntry.vector``, a stored weighted ``tsvector``
  (A: title; B: summary, citation, record id, names and aliases of sender,
  recipient and telegram authors; C: passage text, annotation body; D: labels,
  archive fields, an annotation's quoted words) with a GIN index, written by
  :func:`index_cables`. The query is built from ``websearch_to_tsquery``
  pieces, ranked with ``ts_rank``; ``ts_headline`` runs only for the page
  shown; ``pg_trgm``'s ``word_similarity`` finds misspelt names.
* **SQLite** — the FTS5 table ``cables_search_fts`` over the same four
  columns (external content: the ``SearchEntry`` rows, kept in step by
  triggers), ranked with ``bm25()`` weighting the columns 10/4/2/1, snippets
  from ``snippet()``.

The unit of matching is one entry — a passage, a cable's catalogue record, or
an annotation — so all the words of a query must stand in the same passage
(as a reader would quote it); hits are then grouped by cable, each cable
ranked by its best entry.

Bounded work: a search ranks, counts and facets at most ``CATALOGUE_CANDIDATES``
matching catalogue records and ``TEXT_CANDIDATES`` matching passages and
annotations (the *candidates*, taken in index order: neither database can hand
back rows best first). Below those limits — any search a historian narrows with
a second word, a phrase or a filter — everything is exact; above them the page
says so (``Results.capped``) and counts are "at least". At 100,000 cables this
keeps a single common word from ranking and faceting hundreds of thousands of
rows (4–18 s before; see bench/results.md). The person and side facets count
``SearchEntry.people``, the ids of everyone taking part in or mentioned in a
cable, written by the indexer, instead of joining four tables per search.

Both read the same websearch syntax — words, ``"quoted phrases"``,
``-exclusions``, ``OR`` — through one parser (:func:`parse`), so the same query
finds the same cables on both. Every word is quoted when it is turned into
FTS5 syntax, so no input can make a malformed FTS5 query; what cannot be
searched is reported in ``Results.messages``.

Names: a query naming a participant by any of their names (a pseudonym such as
"Filippov", an OCR variant such as "Nam II") also searches every other name of
that participant; on PostgreSQL a misspelt name ("Stallin") is matched to the
closest name by trigram similarity.

Privacy: annotations are indexed (one row each, with the annotation's id), and
every query keeps only the rows whose annotation is in
``Annotation.objects.visible_to(user)`` — the one visibility rule — so a
private note is never found, counted or quoted for anyone but its author.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import chain
from urllib.parse import urlencode

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Value
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from annotations.models import Annotation, Tag
from cables.models import (
    Alias,
    Cable,
    Collection,
    Mention,
    Participant,
    Passage,
    Side,
)
from readingroom.caching import data_version, versioned
from readingroom.spans import Span
from search.models import SearchEntry
from telegrams.models import Telegram, TelegramRecipient

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
MAX_ALTERNATIVES = 12  # names searched for one name typed
PER_PAGE = 20
SNIPPETS_PER_HIT = 3
FACET_SIZE = 12
MAX_MARKS = 300  # search-hit spans marked in one cable
# Matching rows ranked for one search (see _Query): catalogue records, then the rest.
CATALOGUE_CANDIDATES = 200
TEXT_CANDIDATES = 400
# PostgreSQL: each tier's GIN index is split by cable_id % SHARDS (migration 0005),
# and a tier asks the shards in turn until its limit is filled.
# The number is fixed by the indexes migration cables 0005 made; a test checks both agree.
SHARDS = 8
FUZZY_THRESHOLD = 0.5  # pg_trgm word_similarity for a misspelt name
WEIGHTS = {"a": 10.0, "b": 4.0, "c": 2.0, "d": 1.0}  # bm25 column weights (SQLite)
HIT_OPEN, HIT_CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧ mark the terms in snippets and headlines

SORTS = {
    "relevance": "Relevance",
    "date": "Date, earliest first",
    "-date": "Date, latest first",
}

# PostgreSQL's English stop words (snowball): PostgreSQL drops them from a
# query; the parser drops them too, so SQLite gives the same results.
_STOP_WORDS = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing don down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own s same she should so some such t than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> tuple[str, ...]:
    """The words of ``text``, lower-cased (letters and digits; everything else separates)."""
    return tuple(t.lower() for t in _TOKEN.findall(text))


# --- the query language -------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One thing to find: a word or phrase, or (after name expansion) any of several.

    Each alternative is a tuple of words: one word, or a phrase.
    """

    alternatives: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> tuple[str, ...]:
        return self.alternatives[0]


@dataclass
class Clause:
    """Terms that must all be found, and terms that must not be."""

    include: list[Term] = field(default_factory=list)
    exclude: list[Term] = field(default_factory=list)


@dataclass
class Parsed:
    """A query as clauses joined by OR; ``messages`` say what was left out and why."""

    text: str
    clauses: list[Clause] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def positive_terms(self) -> list[Term]:
        return [t for c in self.clauses for t in c.include]


_ITEM = re.compile(r'\s*(?:(-)(?=[^\s-]))?(?:"([^"]*)"?|([^\s"]+))')


def parse(text: str) -> Parsed:
    """Read websearch syntax: words (all must be found), ``"a phrase"``, ``-word`` or
    ``-"a phrase"`` (must not be found), and ``OR`` between alternatives.

    Like PostgreSQL's ``websearch_to_tsquery``: ``OR`` binds looser than the
    implicit AND (``a b OR c`` is ``(a AND b) OR c``), an unclosed quote runs
    to the end, punctuation separates words, stop words outside quotes are
    dropped. Never raises.
    """
    parsed = Parsed(text=text)
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u201e", '"')
    items: list[tuple[bool, bool, str] | None] = []  # (negated, quoted, text); None = OR
    for m in _ITEM.finditer(text):
        negated, phrase, word = bool(m.group(1)), m.group(2), m.group(3)
        if word is not None and not negated and word.lower() == "or":
            items.append(None)
        elif phrase is not None:
            items.append((negated, True, phrase))
        elif word is not None:
            items.append((negated, False, word))
    clauses, current, count, dropped_stop, over = [], Clause(), 0, False, False
    for item in [*items, None]:
        if item is None:
            if current.include:
                clauses.append(current)
            elif current.exclude:
                parsed.messages.append(
                    "A part of the search only excludes words ("
                    + ", ".join("-" + " ".join(t.words) for t in current.exclude)
                    + "); add a word to look for."
                )
            current = Clause()
            continue
        negated, quoted, raw = item
        words = tokens(raw)
        if not words:
            continue
        if not quoted and len(words) == 1 and words[0] in STOP_WORDS:
            dropped_stop = True
            continue
        if count >= MAX_TERMS:
            over = True
            continue
        count += 1
        (current.exclude if negated else current.include).append(Term((words,)))
    if over:
        parsed.messages.append(f"Only the first {MAX_TERMS} words or phrases are searched.")
    parsed.clauses = clauses
    if not clauses and text.strip():
        if dropped_stop:
            parsed.messages.append(
                "Only very common words were given (such as “the” or “of”); they are not "
                "searched on their own."
            )
        elif not parsed.messages:
            parsed.messages.append(
                "There is nothing to search for: type a word or a name (letters or digits)."
            )
    return parsed


def to_fts5(parsed: Parsed) -> str:
    """The query in FTS5 syntax; every word and phrase is quoted, so it is always valid."""

    def phrase(words):
        return '"' + " ".join(w.replace('"', '""') for w in words) + '"'

    def term(t: Term):
        alts = [phrase(a) for a in t.alternatives]
        return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"

    parts = []
    for clause in parsed.clauses:
        sql = "(" + " AND ".join(term(t) for t in clause.include) + ")"
        if clause.exclude:
            sql = "(" + sql + " NOT (" + " OR ".join(term(t) for t in clause.exclude) + "))"
        parts.append(sql)
    return " OR ".join(parts)


def to_tsquery(parsed: Parsed) -> tuple[str, list[str]]:
    """The query as a PostgreSQL ``tsquery`` expression built from ``websearch_to_tsquery``."""
    params: list[str] = []

    def leaf(words):
        params.append(words[0] if len(words) == 1 else '"' + " ".join(words) + '"')
        return "websearch_to_tsquery('english'::regconfig, %s)"

    def term(t: Term):
        alts = [leaf(a) for a in t.alternatives]
        return alts[0] if len(alts) == 1 else "(" + " || ".join(alts) + ")"

    parts = []
    for clause in parsed.clauses:
        items = [term(t) for t in clause.include]
        items += ["!!" + term(t) for t in clause.exclude]
        parts.append("(" + " && ".join(items) + ")")
    return "(" + " || ".join(parts) + ")", params


def highlight_query(parsed: Parsed) -> str:
    """The terms to mark in a cable (``?hl=``): every alternative of every wanted term."""
    seen, out = set(), []
    for t in parsed.positive_terms():
        for words in t.alternatives:
            if words not in seen:
                seen.add(words)
                out.append(words[0] if len(words) == 1 else '"' + " ".join(words) + '"')
    return " ".join(out)[:MAX_QUERY_LENGTH]


# --- names --------------------------------------------------------------------


@dataclass(frozen=True)
class Expansion:
    """A name in the query that stands for a participant, searched under all their names."""

    typed: str
    participant: str
    slug: str
    fuzzy: bool = False


def expand_names(parsed: Parsed, *, version: int | None = None) -> list[Expansion]:
    """Widen every term that names a participant to all of that participant's names.

    Two queries (the data version, then — unless kept in the cache for that
    version — the names; none for an empty query): every name and alias of the
    participants one of whose names shares a word with the query (or, on
    PostgreSQL, resembles a term by trigram ``word_similarity``). A term, or
    a run of single-word terms, equal to a whole name or alias is replaced by
    the alternatives; on PostgreSQL a term of four or more letters that names
    nobody is matched to the closest name above ``FUZZY_THRESHOLD``.
    """
    words = sorted({w for t in parsed.positive_terms() for w in t.words if len(w) >= 2})
    words += sorted({w for c in parsed.clauses for t in c.exclude for w in t.words})
    if not words:
        return []
    fuzzy_terms = []
    if connection.vendor == "postgresql":
        fuzzy_terms = sorted(
            {
                " ".join(t.words)
                for t in parsed.positive_terms()
                if sum(len(w) for w in t.words) >= 4 and len(t.alternatives) == 1
            }
        )[:8]
    participant, alias = Participant._meta.db_table, Alias._meta.db_table
    names = (
        f"SELECT id AS pid, name, 1 AS canonical FROM {participant} "
        f"UNION ALL SELECT participant_id, name, 0 FROM {alias}"
    )
    # PostgreSQL: ILIKE and <% (word similarity above pg_trgm.word_similarity_threshold,
    # set to FUZZY_THRESHOLD for every connection in settings) use the trigram indexes.
    like = "n.name ILIKE %s" if connection.vendor == "postgresql" else "LOWER(n.name) LIKE %s"
    where = " OR ".join([like] * len(words))
    params: list = [f"%{w}%" for w in words]
    sims = ""
    if fuzzy_terms:
        where += " OR " + " OR ".join(["%s <%% n.name"] * len(fuzzy_terms))
        params += fuzzy_terms
        sims = "".join(", word_similarity(%s, n.name)" for _ in fuzzy_terms)
    sql = (
        f"SELECT n.pid, n.name, n.canonical, p.slug{sims} "
        f"FROM ({names}) n JOIN {participant} p ON p.id = n.pid "
        f"WHERE n.pid IN (SELECT n.pid FROM ({names}) n WHERE {where}) "
        "ORDER BY n.pid, n.canonical DESC, n.name"
    )
    args = fuzzy_terms + params if fuzzy_terms else params
    # Names change rarely and the lookup reads every name for a misspelling (a
    # trigram scan the planner will not hand to the index at a few thousand
    # names): kept per data version.
    key = hashlib.blake2b(repr(args).encode(), digest_size=12).hexdigest()
    rows = versioned(
        f"search-names:{connection.vendor}:{key}", lambda: _fetch(sql, args), version=version
    )
    if not rows:
        return []
    people: dict[int, dict] = {}
    for pid, name, canonical, slug, *similarity in rows:
        person = people.setdefault(pid, {"names": [], "name": name, "slug": slug, "sims": {}})
        if canonical:
            person["name"] = name
        if tokens(name) and tokens(name) not in person["names"]:
            person["names"].append(tokens(name))
        for t, s in zip(fuzzy_terms, similarity, strict=True):
            person["sims"][t] = max(person["sims"].get(t, 0.0), s or 0.0)
    # Longest names first, so "Kim Il Sung" wins over a shorter alias inside it.
    by_name = sorted(
        ((n, pid) for pid, p in people.items() for n in p["names"]), key=lambda x: -len(x[0])
    )

    def alternatives_for(pid, typed_words):
        alts = [typed_words] + [n for n in people[pid]["names"] if n != typed_words]
        return tuple(alts[:MAX_ALTERNATIVES])

    expansions: list[Expansion] = []
    exact_words: set[tuple[str, ...]] = set()
    for clause in parsed.clauses:
        for group in ("include", "exclude"):
            terms = getattr(clause, group)
            for name, pid in by_name:
                i = 0
                while i < len(terms):
                    run = _name_run(terms, i, name, several=group == "include")
                    if run:
                        alts = alternatives_for(pid, name)
                        terms[i : i + run] = [Term(alts)]
                        exact_words.add(name)
                        typed = " ".join(name)
                        if len(alts) > 1 and all(e.typed != typed for e in expansions):
                            p = people[pid]
                            expansions.append(Expansion(typed, p["name"], p["slug"]))
                    i += 1
    if fuzzy_terms:
        for clause in parsed.clauses:
            for i, t in enumerate(clause.include):
                typed = " ".join(t.words)
                if len(t.alternatives) > 1 or typed not in fuzzy_terms:
                    continue
                best = max(people.items(), key=lambda kv: kv[1]["sims"].get(typed, 0.0))
                pid, p = best
                score = p["sims"].get(typed, 0.0)
                # 1.0: the term is a whole word of a name (Kim of Kim Il Sung): not a misspelling.
                if FUZZY_THRESHOLD <= score < 1.0 and t.words not in exact_words:
                    clause.include[i] = Term(alternatives_for(pid, t.words))
                    expansions.append(Expansion(typed, p["name"], p["slug"], fuzzy=True))
    return expansions


def _name_run(terms: list[Term], i: int, name: tuple[str, ...], several: bool) -> int:
    """How many terms from ``terms[i]`` spell ``name`` (0: they do not).

    A term equal to the name, or (with ``several``) consecutive single-word
    terms that together are the name: ``Nam II`` typed as two words.
    """
    got, j = (), i
    while j < len(terms) and len(got) < len(name):
        if len(terms[j].alternatives) > 1 or (j > i and not several):
            return 0
        got += terms[j].words
        j += 1
    return j - i if got == name else 0


# --- filters ------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The facet filters, read from GET parameters (``from_params`` reports bad values)."""

    year: int | None = None
    participant: str = ""
    side: str = ""
    origin: str = ""
    archive: str = ""
    language: str = ""
    collection: str = ""
    annotated: str = ""  # "yes" or "no"
    tag: str = ""

    NAMES = (
        "year",
        "participant",
        "side",
        "origin",
        "archive",
        "language",
        "collection",
        "annotated",
        "tag",
    )
    SLUGS = ("participant", "side", "collection", "tag")

    @classmethod
    def from_params(cls, params) -> tuple[Filters, list[str]]:
        values, errors = {}, []
        year = params.get("year", "").strip()
        if year:
            if year.isdigit() and 1 <= int(year) <= 9999:
                values["year"] = int(year)
            else:
                errors.append(f"“{year[:40]}” is not a year; a year is written like 1951.")
        for name in cls.SLUGS:
            value = params.get(name, "").strip()
            if value:
                if re.fullmatch(r"[-a-zA-Z0-9_]{1,200}", value):
                    values[name] = value
                else:
                    errors.append(f"“{value[:40]}” is not a valid {FACET_LABELS[name].lower()}.")
        for name in ("origin", "archive", "language"):
            value = params.get(name, "").strip()
            if value:
                if len(value) <= 200:
                    values[name] = value
                else:
                    errors.append(f"The {FACET_LABELS[name].lower()} given is too long.")
        annotated = params.get("annotated", "").strip()
        if annotated:
            if annotated in ("yes", "no"):
                values["annotated"] = annotated
            else:
                errors.append("“Has annotations” is either yes or no.")
        return cls(**values), errors

    def items(self) -> list[tuple[str, str]]:
        return [
            (n, str(getattr(self, n))) for n in self.NAMES if getattr(self, n) not in ("", None)
        ]

    def __bool__(self) -> bool:
        return bool(self.items())


FACET_LABELS = {
    "year": "Year",
    "participant": "Participant",
    "side": "Side",
    "origin": "Origin",
    "archive": "Archive",
    "language": "Original language",
    "collection": "Collection",
    "annotated": "Annotations",
    "tag": "Annotation tag",
}
ANNOTATED_LABELS = {"yes": "Has annotations", "no": "No annotations"}


def filtered_cables(filters: Filters, user) -> QuerySet:
    """The cables the filters allow (a queryset used as a subquery; runs no query)."""
    cables = Cable.objects.order_by()
    if filters.year:
        cables = cables.filter(date__year=filters.year)
    for name in ("origin", "archive"):
        if getattr(filters, name):
            cables = cables.filter(**{name: getattr(filters, name)})
    if filters.language:
        cables = cables.filter(original_language=filters.language)
    if filters.collection:
        cables = cables.filter(collections__slug=filters.collection)
    if filters.participant:
        cables = cables.taking_part(slug=filters.participant)
    if filters.side:
        cables = cables.taking_part(side__slug=filters.side)
    visible = Annotation.objects.visible_to(user).order_by()
    if filters.annotated == "yes":
        cables = cables.filter(pk__in=visible.values("passage__cable_id"))
    elif filters.annotated == "no":
        cables = cables.exclude(pk__in=visible.values("passage__cable_id"))
    if filters.tag:
        cables = cables.filter(
            pk__in=visible.filter(tags__slug=filters.tag).values("passage__cable_id")
        )
    return cables.values("pk")


# --- results ------------------------------------------------------------------


@dataclass
class Snippet:
    kind: str  # cable, passage, annotation
    label: str
    html: SafeString
    url: str


@dataclass
class Hit:
    cable: Cable
    score: float
    matches: int
    url: str
    title_html: SafeString
    snippets: list[Snippet] = field(default_factory=list)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool
    url: str


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]


@dataclass
class Chosen:
    name: str
    value: str
    label: str
    value_label: str
    remove_url: str


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


# --- the SQL ------------------------------------------------------------------


def _compile(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


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
    """The SQL a search runs: the candidates, then facets and snippets for them.

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
        self.vendor = connection.vendor
        self.parsed = parsed
        self.user = user
        self.visible = _compile(Annotation.objects.visible_to(user).order_by().values("pk"))
        self.filtered = _compile(filtered_cables(filters, user)) if filters else None
        if self.vendor == "postgresql":
            self.tsquery = to_tsquery(parsed)
        else:
            self.fts = to_fts5(parsed)

    def _match(self, kind_sql: str, limit: int) -> tuple[str, list]:
        """One tier of candidates: matching rows of some kinds, at most ``limit``."""
        entry = _table(SearchEntry)
        columns = "e.id, e.cable_id, e.annotation_id, e.kind"
        where = [kind_sql]
        if self.filtered:  # the CTE candidates() puts first
            where.append("e.cable_id IN (SELECT id FROM sr_filtered)")
        if self.vendor == "postgresql":
            # One SELECT per shard, each able to use its own partial index (the
            # predicates repeat the indexes' exactly); under the outer LIMIT,
            # PostgreSQL runs the shards in turn and stops once the limit is met.
            tsq, tsq_params = self.tsquery
            shards = [
                f"(SELECT {columns}, ts_rank(e.vector, {tsq}) AS score FROM {entry} e "
                f"WHERE e.vector @@ {tsq} AND " + " AND ".join(where)
                + f" AND e.cable_id %% {SHARDS} = {shard} LIMIT %s)"
                for shard in range(SHARDS)
            ]  # fmt: skip
            sql = "SELECT * FROM (" + " UNION ALL ".join(shards) + ") shards LIMIT %s"
            return sql, (tsq_params + tsq_params + [limit]) * SHARDS + [limit]
        weights = ", ".join(str(w) for w in WEIGHTS.values())
        sql = (
            f"SELECT {columns}, -bm25(cables_search_fts, {weights}) AS score "
            f"FROM cables_search_fts JOIN {entry} e ON e.id = cables_search_fts.rowid "
            "WHERE cables_search_fts MATCH %s AND " + " AND ".join(where) + " LIMIT %s"
        )
        return sql, [self.fts, limit]

    def candidates(self) -> tuple[list[Candidate], bool]:
        """The candidate rows the reader may see, and whether a limit was reached.

        One query (two when annotations are among the candidates: which of
        them this reader may see).
        """
        cable = _table(Cable)
        first, first_params = self._match("e.kind = 'cable'", CATALOGUE_CANDIDATES + 1)
        rest, rest_params = self._match("e.kind <> 'cable'", TEXT_CANDIDATES + 1)
        # Materialised on SQLite so bm25() runs inside its FTS5 query.
        materialized = "MATERIALIZED " if self.vendor == "sqlite" else ""
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
            f"LEFT JOIN {_table(SearchEntry)} ce ON ce.cable_id = h.cable_id AND ce.kind = 'cable'"
        )
        params = filtered_params + first_params + rest_params
        rows = [Candidate(*row) for row in _fetch(sql, params)]
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

    def facets(self, cable_ids: list[int]):
        """(facet, value, label, count) rows for the collection, annotated and tag facets
        over these cables (one query); the others come from the candidates
        (:func:`_column_facets`, :func:`_people_facets`)."""
        matched, params = _id_select(cable_ids)
        ctes = f"WITH sr_visible(id) AS ({self.visible[0]}),\nsr_matched(cable_id) AS ({matched})"
        params = list(self.visible[1]) + params
        passage, annotation, tag = _table(Passage), _table(Annotation), _table(Tag)
        through = Cable.collections.through
        collection_link = connection.ops.quote_name(through._meta.db_table)
        tag_link = connection.ops.quote_name(Annotation.tags.through._meta.db_table)
        matched = "JOIN sr_matched m ON m.cable_id = "
        ctes += (
            ",\nsr_noted(cable_id, annotation_id) AS ("
            f"SELECT p.cable_id, a.id FROM {annotation} a "
            f"JOIN {passage} p ON p.id = a.passage_id {matched}p.cable_id "
            "WHERE a.id IN (SELECT id FROM sr_visible))"
        )

        def top(sql):
            return f"SELECT * FROM ({sql} ORDER BY 4 DESC, 3 LIMIT {FACET_SIZE}) AS f"

        branches = [
            top(
                f"SELECT 'collection', col.slug, col.title, COUNT(*) FROM {collection_link} cc "
                f"JOIN {_table(Collection)} col ON col.id = cc.collection_id "
                f"{matched}cc.cable_id GROUP BY col.slug, col.title"
            ),
            "SELECT 'annotated', 'yes', '', COUNT(DISTINCT cable_id) FROM sr_noted",
            top(
                f"SELECT 'tag', t.slug, t.name, COUNT(DISTINCT x.cable_id) FROM sr_noted x "
                f"JOIN {tag_link} at ON at.annotation_id = x.annotation_id "
                f"JOIN {tag} t ON t.id = at.tag_id GROUP BY t.slug, t.name"
            ),
        ]
        sql = ctes + "\n" + "\nUNION ALL ".join(branches)
        return _fetch(sql, params)

    def snippets(self, rows: list[Candidate]):
        """A highlighted snippet for each of these candidate rows, with what labels it.

        (id, snippet, passage position, label, kind, annotation kind, author's
        username, first and last name) per row, in one query.
        """
        if not rows:
            return []
        entry, passage, annotation = _table(SearchEntry), _table(Passage), _table(Annotation)
        from django.contrib.auth import get_user_model

        user = _table(get_user_model())
        ids = [r.id for r in rows]
        marks = ", ".join(["%s"] * len(ids))
        if self.vendor == "postgresql":
            tsq, tsq_params = self.tsquery
            snip = (
                "ts_headline('english'::regconfig, CASE WHEN e.kind = 'cable' THEN e.text_b "
                f"ELSE e.text_c END, {tsq}, %s)"
            )
            params = tsq_params + [
                f"StartSel={HIT_OPEN}, StopSel={HIT_CLOSE}, MaxWords=32, MinWords=12, "
                'ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
            ]
            source, where = f"{entry} e", f"e.id IN ({marks})"
            params += ids
        else:
            snip = (
                "snippet(cables_search_fts, CASE WHEN e.kind = 'cable' THEN 1 ELSE 2 END, "
                f"'{HIT_OPEN}', '{HIT_CLOSE}', '…', 24)"
            )
            source = f"cables_search_fts JOIN {entry} e ON e.id = cables_search_fts.rowid"
            where = f"cables_search_fts MATCH %s AND e.id IN ({marks})"
            params = [self.fts] + ids
        sql = (
            f"SELECT e.id, {snip}, p.position, p.label, p.kind, a.kind, u.username, "
            f"u.first_name, u.last_name FROM {source} "
            f"LEFT JOIN {passage} p ON p.id = e.passage_id "
            f"LEFT JOIN {annotation} a ON a.id = e.annotation_id "
            f"LEFT JOIN {user} u ON u.id = a.author_id "
            f"WHERE {where}"
        )
        return _fetch(sql, params)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def render_snippet(text: str | None) -> SafeString:
    """A snippet or headline as HTML: the text escaped, the terms in ``<mark class="hit">``."""
    text = " ".join((text or "").split())
    html = str(escape(text))
    html = re.sub(f"{HIT_CLOSE}(\\s+){HIT_OPEN}", r"\1", html)  # one mark for "Nam II"
    html = html.replace(HIT_OPEN, '<mark class="hit">').replace(HIT_CLOSE, "</mark>")
    if html.count('<mark class="hit">') != html.count("</mark>"):  # never unbalanced markup
        html = str(escape(text.replace(HIT_OPEN, "").replace(HIT_CLOSE, "")))
    return mark_safe(html)


def mark_terms(text: str, pattern: re.Pattern | None) -> SafeString:
    """``text`` escaped, with the terms of ``pattern`` in ``<mark class="hit">`` (no queries)."""
    if pattern is None:
        return escape(text)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [escape(text[pos : m.start()]), '<mark class="hit">', escape(m.group()), "</mark>"]
        pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(str(x) for x in out))


# --- search -------------------------------------------------------------------


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

    checked, labels = _check_filters(filters, messages)
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
        q.facets(sorted(by_cable)) + _column_facets(by_cable) + _people_facets(by_cable, version)
        if by_cable
        else []
    )
    results.facets = _facets(results, rows, labels)
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
                url=_cable_url(cable, results.hl),
                title_html=mark_terms(cable.title, pattern),
            )
            # The text's own rows (catalogue record, passages) before annotations, best first.
            best = sorted(
                rows_of_cable,
                key=lambda r: (r.kind == SearchEntry.Kind.ANNOTATION, -(r.score or 0), r.id),
            )
            shown += best[:SNIPPETS_PER_HIT]
        found = {row[0]: row for row in q.snippets(shown)}
        for row in shown:
            if row.id in found:
                hits[row.cable_id].snippets.append(
                    _snippet(hits[row.cable_id].cable, row, found[row.id], results.hl)
                )
        results.hits = list(hits.values())
    results.messages = messages
    return results


def _id_select(ids) -> tuple[str, list]:
    """A SELECT of these ids, and its one parameter: an array literal on PostgreSQL (dumping
    thousands of ints one by one cost more than the queries using them), JSON on SQLite."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", ["{" + ",".join(str(i) for i in ids) + "}"]
    return "SELECT value FROM json_each(%s)", [json.dumps([int(i) for i in ids])]


def _column_facets(by_cable: dict[int, list[Candidate]]) -> list[tuple]:
    """The year, origin, archive and language facets' (facet, value, label, count)
    rows: every year, the top few of the rest, counted from the candidates'
    own columns (no query)."""
    cables = [rows[0] for rows in by_cable.values()]
    years = Counter(int(str(c.date)[:4]) for c in cables if c.date)
    facets = [("year", str(year), "", n) for year, n in years.items()]
    for name in ("origin", "archive", "language"):
        counts = Counter(getattr(c, name) for c in cables if getattr(c, name))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
        facets += [(name, value, value, n) for value, n in ranked]
    return facets


def _people_facets(by_cable: dict[int, list[Candidate]], version: int | None) -> list[tuple]:
    """The person and side facets' (facet, value, label, count) rows, the top few of each.

    Counted from the matching cables' ``SearchEntry.people`` (each id once per
    cable, as the indexer writes them); names and sides come from
    :func:`_people_labels` (no query while kept).
    """
    people_of = [rows[0].people.split() for rows in by_cable.values()]
    cables_of = Counter(chain.from_iterable(people_of))
    if not cables_of:
        return []
    names, side_of = versioned("search-people", _people_labels, version=version, local=True)
    people = sorted(
        (("participant", *names[pid], n) for pid, n in cables_of.items() if pid in names),
        key=lambda r: (-r[3], r[2]),
    )[:FACET_SIZE]
    sides: Counter = Counter()
    for pids in people_of:
        sides.update(set(map(side_of.get, pids)))
    sides.pop(None, None)
    ranked_sides = sorted(
        (("side", slug, name, n) for (slug, name), n in sides.items()),
        key=lambda r: (-r[3], r[2]),
    )[:FACET_SIZE]
    return people + ranked_sides


def _people_labels() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """Every participant's id (as ``SearchEntry.people`` writes it) → (slug, name), and
    → their side's (slug, name) for those on a side (one query; kept per data
    version by the caller)."""
    rows = Participant.objects.values_list("pk", "slug", "name", "side__slug", "side__name")
    names, sides = {}, {}
    for pk, slug, name, side_slug, side_name in rows:
        names[str(pk)] = (slug, name)
        if side_slug:
            sides[str(pk)] = (side_slug, side_name)
    return names, sides


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


def _cable_url(cable: Cable, hl: str, fragment: str = "", **extra) -> str:
    params = {"hl": hl, **extra}
    return cable.get_absolute_url() + "?" + urlencode(params) + (f"#{fragment}" if fragment else "")


def _snippet(cable: Cable, candidate: Candidate, row, hl: str) -> Snippet:
    kind, annotation_id = candidate.kind, candidate.annotation_id
    (_, text, position, label, passage_kind, annotation_kind, username, first, last) = row
    html = render_snippet(text)
    if kind == SearchEntry.Kind.CABLE:
        return Snippet(kind, "Catalogue record", html, _cable_url(cable, hl))
    passage_label = label or dict(Passage.Kind.choices).get(passage_kind, "Passage")
    if kind == SearchEntry.Kind.ANNOTATION:
        who = " ".join(x for x in (first, last) if x) or username or "a reader"
        what = dict(Annotation.Kind.choices).get(annotation_kind, "Annotation")
        return Snippet(
            kind,
            f"{what} by {who} · {passage_label}",
            html,
            _cable_url(cable, hl, f"p{position}", annotation=annotation_id),
        )
    return Snippet(kind, passage_label, html, _cable_url(cable, hl, f"p{position}"))


def _check_filters(filters: Filters, messages: list[str]):
    """Drop filters naming nobody and nothing (with a message); the chosen values' labels.

    One query, only when a participant, side, collection or tag is chosen.
    """
    labels: dict[tuple[str, str], str] = {}
    if filters.annotated:
        labels[("annotated", filters.annotated)] = ANNOTATED_LABELS[filters.annotated]
    chosen = [(name, getattr(filters, name)) for name in Filters.SLUGS if getattr(filters, name)]
    if not chosen:
        return filters, labels
    sources = {
        "participant": (Participant, "name"),
        "side": (Side, "name"),
        "collection": (Collection, "title"),
        "tag": (Tag, "name"),
    }
    branches, params = [], []
    for name, value in chosen:
        model, label = sources[name]
        branches.append(f"SELECT '{name}', slug, {label} FROM {_table(model)} WHERE slug = %s")
        params.append(value)
    found = {(n, s): label for n, s, label in _fetch(" UNION ALL ".join(branches), params)}
    labels.update(found)
    dropped = {}
    for name, value in chosen:
        if (name, value) not in found:
            dropped[name] = ""
            messages.append(
                {
                    "participant": f"Nobody in the reading room has the identifier “{value}”.",
                    "side": f"There is no side called “{value}”.",
                    "collection": f"There is no collection called “{value}”.",
                    "tag": f"No annotation tag is called “{value}”.",
                }[name]
                + " That filter is left out."
            )
    return (replace(filters, **dropped) if dropped else filters), labels


def _facets(results: Results, rows, labels) -> list[Facet]:
    grouped: dict[str, list] = defaultdict(list)
    for facet, value, label, n in rows:
        if facet != "total" and value not in (None, "") and n:
            grouped[facet].append((str(value), label or str(value), int(n)))
    yes = sum(n for _, _, n in grouped.pop("annotated", []))
    if results.total:
        grouped["annotated"] = [
            (v, ANNOTATED_LABELS[v], n) for v, n in (("yes", yes), ("no", results.total - yes)) if n
        ]
    facets = []
    for name in Filters.NAMES:
        values = grouped.get(name, [])
        if name == "year":
            values.sort(key=lambda v: v[0])
        elif name != "annotated":
            values.sort(key=lambda v: (-v[2], v[1].lower()))
        chosen = dict(results.filters.items()).get(name)
        if chosen and all(v[0] != chosen for v in values):
            # The chosen value always shows (it may have fallen outside the top few).
            values.insert(0, (chosen, labels.get((name, chosen), chosen), results.total))
        facet_values = [
            FacetValue(
                value,
                label,
                n,
                value == chosen,
                results.url(**{name: None if value == chosen else value}),
            )
            for value, label, n in values
        ]
        if facet_values:
            facets.append(Facet(name, FACET_LABELS[name], facet_values))
    return facets


# --- marking terms in a text (the reading view's ?hl= and "Find in this cable") ----

_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")


def _word_pattern(word: str, last: bool) -> str:
    if len(word) >= 4 and not word.isdigit():
        stem = _SUFFIX.sub("", word)
        if len(stem) >= 3:
            return re.escape(stem) + r"[^\W_]*" if last else re.escape(word)
    return re.escape(word) + r"(?![^\W_])" if last else re.escape(word)


def term_pattern(hl: str) -> re.Pattern | None:
    """A case-insensitive pattern for the wanted words and phrases of ``hl`` (or ``None``).

    A word matches at the start of a word, with simple English endings
    (``agenda`` marks "agendas"); a phrase's words may be separated by any
    spaces or punctuation. No database query.
    """
    parsed = parse(hl[:MAX_QUERY_LENGTH])
    alternatives = {a for t in parsed.positive_terms() for a in t.alternatives}
    if not alternatives:
        return None
    parts = []
    for words in sorted(alternatives, key=lambda a: (-sum(map(len, a)), a)):
        parts.append(
            r"[\W_]+".join(_word_pattern(w, i == len(words) - 1) for i, w in enumerate(words))
        )
    return re.compile(r"(?<![^\W_])(?:" + "|".join(parts) + ")", re.IGNORECASE)


@dataclass
class Find:
    """What "Find in this cable" found: the terms, the count, the passages with hits."""

    query: str = ""
    total: int = 0
    passages: list[tuple[Passage, int]] = field(default_factory=list)
    capped: bool = False
    message: str = ""


def find_in_rows(rows, hl: str) -> Find:
    """Mark the terms of ``hl`` in the reading view's rows (search-hit spans; no queries).

    Appends ``Span(start, end, "hit", n)`` to each row's ``highlights`` (at
    most ``MAX_MARKS`` in all) and returns the count and the passages holding
    matches, for the find box's links.
    """
    hl = " ".join(hl.split())
    find = Find(query=hl[:MAX_QUERY_LENGTH])
    if not hl:
        return find
    if len(hl) > MAX_QUERY_LENGTH:
        find.message = f"Only the first {MAX_QUERY_LENGTH} characters are looked for."
    pattern = term_pattern(find.query)
    if pattern is None:
        find.message = "There is nothing to find: type a word (letters or digits)."
        return find
    n = 0
    for row in rows:
        count = 0
        for m in pattern.finditer(row.passage.text):
            if n >= MAX_MARKS:
                find.capped = True
                break
            n += 1
            count += 1
            row.highlights.append(Span(m.start(), m.end(), "hit", n))
        if count:
            find.passages.append((row.passage, count))
    find.total = n
    return find


# --- the index ----------------------------------------------------------------

# Keep in step with migration 0003 (rebuild_search_index reinstalls these).
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS cables_search_fts USING fts5(
        text_a, text_b, text_c, text_d,
        content='cables_searchentry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS cables_search_fts_ai AFTER INSERT ON cables_searchentry BEGIN
        INSERT INTO cables_search_fts(rowid, text_a, text_b, text_c, text_d)
        VALUES (new.id, new.text_a, new.text_b, new.text_c, new.text_d);
    END""",
    """CREATE TRIGGER IF NOT EXISTS cables_search_fts_ad AFTER DELETE ON cables_searchentry BEGIN
        INSERT INTO cables_search_fts(cables_search_fts, rowid, text_a, text_b, text_c, text_d)
        VALUES ('delete', old.id, old.text_a, old.text_b, old.text_c, old.text_d);
    END""",
    """CREATE TRIGGER IF NOT EXISTS cables_search_fts_au AFTER UPDATE ON cables_searchentry BEGIN
        INSERT INTO cables_search_fts(cables_search_fts, rowid, text_a, text_b, text_c, text_d)
        VALUES ('delete', old.id, old.text_a, old.text_b, old.text_c, old.text_d);
        INSERT INTO cables_search_fts(rowid, text_a, text_b, text_c, text_d)
        VALUES (new.id, new.text_a, new.text_b, new.text_c, new.text_d);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cables_search_fts_ai",
    "DROP TRIGGER IF EXISTS cables_search_fts_ad",
    "DROP TRIGGER IF EXISTS cables_search_fts_au",
    "DROP TABLE IF EXISTS cables_search_fts",
]
PG_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, text_a), 'A') || "
    "setweight(to_tsvector('english'::regconfig, text_b), 'B') || "
    "setweight(to_tsvector('english'::regconfig, text_c), 'C') || "
    "setweight(to_tsvector('english'::regconfig, text_d), 'D')"
)


def _join(*parts) -> str:
    return " · ".join(p for p in parts if p)


def _ids(cables_or_ids) -> list[int]:
    if isinstance(cables_or_ids, QuerySet):
        return list(cables_or_ids.order_by().values_list("pk", flat=True))
    if isinstance(cables_or_ids, int | Cable):
        cables_or_ids = [cables_or_ids]
    return sorted({c.pk if isinstance(c, Cable) else int(c) for c in cables_or_ids})


def index_cables(cables_or_ids: Iterable[Cable | int] | QuerySet, *, batch_size: int = 500) -> int:
    """(Re)build the search entries of these cables; returns the number of entries written.

    Accepts cables, ids or a queryset. Works in batches of ``batch_size``
    cables, each in one transaction and a fixed number of queries, whatever
    the number of passages and annotations: delete the batch's entries, read
    cables, passages, telegrams, annotations and the names of the people
    concerned (5 queries), insert the entries in bulk, and on PostgreSQL
    compute their vectors in one UPDATE. Ids of cables that no longer exist
    only lose their entries.
    """
    ids = _ids(cables_or_ids)
    written = 0
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            written += _index_batch(ids[start : start + batch_size])
    return written


def _index_batch(ids: list[int]) -> int:
    SearchEntry.objects.filter(cable_id__in=ids).delete()
    cables = list(
        Cable.objects.filter(pk__in=ids).values_list(
            "pk",
            "title",
            "summary",
            "citation",
            "record_id",
            "archive",
            "archive_name",
            "origin",
            "original_language",
            "cable_number",
            "document_type",
            "series",
            "sender_id",
            "recipient_id",
        )
    )
    if not cables:
        return 0
    passages = list(
        Passage.objects.filter(cable_id__in=ids)
        .order_by()
        .values_list("pk", "cable_id", "label", "text")
    )
    telegrams = {
        passage_id: (author_id, subject, reference)
        for passage_id, author_id, subject, reference in Telegram.objects.filter(
            passage__cable_id__in=ids
        )
        .order_by()
        .values_list("passage_id", "author_id", "subject", "reference")
    }
    authors = defaultdict(set)
    passage_cable = {pk: cable_id for pk, cable_id, _, _ in passages}
    for passage_id, (author_id, _, _) in telegrams.items():
        if author_id:
            authors[passage_cable[passage_id]].add(author_id)
    people = {c[12] for c in cables if c[12]} | {c[13] for c in cables if c[13]}
    people |= {a for s in authors.values() for a in s}
    # Everyone taking part or mentioned, for the person and side facets (SearchEntry.people).
    taking_part = defaultdict(set)
    for cable_id, pid in (
        TelegramRecipient.objects.filter(telegram__passage__cable_id__in=ids)
        .order_by()
        .values_list("telegram__passage__cable_id", "participant_id")
        .union(
            Mention.objects.shown()
            .filter(passage__cable_id__in=ids)
            .order_by()
            .values_list("passage__cable_id", "participant_id")
        )
    ):
        taking_part[cable_id].add(pid)
    names: dict[int, list[str]] = defaultdict(list)  # canonical name first, then aliases
    canonical: dict[int, str] = {}
    if people:
        rows = (
            Participant.objects.filter(pk__in=people)
            .order_by()
            .annotate(canonical=Value(1))
            .values_list("pk", "name", "canonical")
            .union(
                Alias.objects.filter(participant_id__in=people)
                .order_by()
                .annotate(canonical=Value(0))
                .values_list("participant_id", "name", "canonical"),
                all=True,
            )
        )
        for pid, name, is_canonical in rows:
            if is_canonical:
                canonical[pid] = name
            else:
                names[pid].append(name)
        for pid, name in canonical.items():
            names[pid].insert(0, name)
    entries = []
    for (pk, title, summary, citation, record_id, archive, archive_name, origin, language,
         number, doc_type, series, sender_id, recipient_id) in cables:  # fmt: skip
        who = [sender_id, recipient_id, *sorted(authors.get(pk, ()))]
        everyone = {p for p in who if p} | taking_part.get(pk, set())
        seen, named = set(), []
        for pid in who:
            if pid and pid not in seen:
                seen.add(pid)
                named += names.get(pid, [])
        entries.append(
            SearchEntry(
                cable_id=pk,
                kind=SearchEntry.Kind.CABLE,
                text_a=title,
                text_b="\n".join(x for x in (summary, citation, record_id, *named) if x),
                text_d=_join(archive, archive_name, origin, language, number, doc_type, series),
                people=" ".join(str(p) for p in sorted(everyone)),
            )
        )
    for pk, cable_id, label, text in passages:
        author_id, subject, reference = telegrams.get(pk, (None, "", ""))
        entries.append(
            SearchEntry(
                cable_id=cable_id,
                passage_id=pk,
                kind=SearchEntry.Kind.PASSAGE,
                text_c=text,
                text_d=_join(label, subject, reference, canonical.get(author_id, "")),
            )
        )
    entries += _annotation_entries(
        Annotation.objects.filter(passage__cable_id__in=ids, deleted_at__isnull=True)
    )
    SearchEntry.objects.bulk_create(entries, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table(SearchEntry)} SET vector = {PG_VECTOR} WHERE cable_id = ANY(%s)",
                [ids],
            )
    return len(entries)


def _annotation_entries(annotations: QuerySet) -> list[SearchEntry]:
    return [
        SearchEntry(
            cable_id=cable_id,
            passage_id=passage_id,
            annotation_id=pk,
            kind=SearchEntry.Kind.ANNOTATION,
            text_c=body,
            text_d=exact,
        )
        for pk, passage_id, cable_id, body, exact in annotations.order_by().values_list(
            "pk", "passage_id", "passage__cable_id", "body", "exact"
        )
    ]


def index_annotations(ids: Iterable[int]) -> int:
    """(Re)build the entries of these annotations (deleted ones lose theirs); 2–4 queries."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    with transaction.atomic():
        SearchEntry.objects.filter(annotation_id__in=ids).delete()
        entries = _annotation_entries(
            Annotation.objects.filter(pk__in=ids, deleted_at__isnull=True)
        )
        SearchEntry.objects.bulk_create(entries)
        if entries and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {_table(SearchEntry)} SET vector = {PG_VECTOR} "
                    "WHERE annotation_id = ANY(%s)",
                    [ids],
                )
    return len(entries)


def rebuild_index(*, batch_size: int = 500) -> int:
    """Empty the index and index every cable (on SQLite, reinstall the FTS5 table first)."""
    with transaction.atomic():
        sqlite = connection.vendor == "sqlite"
        if sqlite:  # the FTS5 table goes first, so deleting the rows cannot touch it
            _execute(SQLITE_DROP)
        SearchEntry.objects.all().delete()
        if sqlite:
            _execute(SQLITE_FTS)
    return index_cables(Cable.objects.all(), batch_size=batch_size)


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


# --- keeping the index in step (used by cables.signals) ------------------------

_pending = threading.local()


def schedule(*, cables=(), annotations=(), participants=()) -> None:
    """Re-index after the current transaction commits (at once outside a transaction).

    Changes are collected per thread and indexed together by the first
    commit callback, so saving a cable and its twenty passages re-indexes
    the cable once.
    """
    state = getattr(_pending, "state", None)
    if state is None:
        state = _pending.state = {"cables": set(), "annotations": set(), "participants": set()}
    state["cables"].update(c for c in cables if c)
    state["annotations"].update(a for a in annotations if a)
    state["participants"].update(p for p in participants if p)
    transaction.on_commit(flush)


def flush() -> None:
    """Index what :func:`schedule` collected (a no-op when nothing is pending)."""
    state = getattr(_pending, "state", None)
    _pending.state = None
    if not state:
        return
    cables = set(state["cables"])
    if state["participants"]:
        people = state["participants"]
        cables |= set(
            Cable.objects.filter(Q(sender__in=people) | Q(recipient__in=people)).values_list(
                "pk", flat=True
            )
        )
        # Their names are indexed where they write; their ids where they take part.
        cables |= set(
            Passage.objects.filter(
                Q(telegram__author__in=people)
                | Q(telegram__recipients__participant__in=people)
                | Q(mentions__participant__in=people)
            ).values_list("cable_id", flat=True)
        )
    if cables:
        index_cables(cables)
    annotations = state["annotations"]
    if annotations:
        index_annotations(annotations)
