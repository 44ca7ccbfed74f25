"""PostgreSQL: a weighted ``tsvector`` per entry, ``websearch_to_tsquery``, RUM's
``<=>`` for ranking (``ts_rank_cd`` without RUM), ``ts_headline``, and
``pg_trgm`` for misspelt names.

``SearchEntry.vector`` is stored, weighted A (title), B (summary, citation,
record id, names and aliases of sender, recipient and telegram authors), C
(passage text, annotation body) and D (labels, archive fields, an
annotation's quoted words), and written by the indexer in one UPDATE per
batch (:meth:`PostgresBackend.entries_written`). The query is built from
``websearch_to_tsquery`` pieces and ranked by the RUM indexes (search 0002),
best first, with RUM's score over every match; ``ts_headline``
runs only for the page shown; ``pg_trgm``'s ``word_similarity`` finds
misspelt names.

Two paths, chosen once per database by whether the ``rum`` extension is
installed in it (:func:`has_rum`; migration search 0002 installs it where the
server has the package): with RUM, the index hands back the best rows first;
without it (a developer's own server), every match is scored with
``ts_rank_cd`` and sorted, which is as exact and slower, and ``manage.py
check`` says which package to install (``search.checks``).

A query holding a phrase (``<->``) is ranked by its words: RUM finds the
phrase's matches in the index, but hands them back in no order of the
phrase's own ``<=>`` (measured: hundreds of inversions in 2,000 rows), and
scoring every match one by one instead took 80–116 ms at 100,000 cables. Its
order does follow ``<=>`` of another query, so the matches of the phrase are
ranked by the score of the same query with each phrase's words all required
and the exclusions left out (:func:`words_tsquery`), an exact ranking the
index hands back best first: every match holds the phrase, and among them
the rows where its words weigh most and stand closest come first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from search.backends.base import (
    HIT_CLOSE,
    HIT_OPEN,
    CompiledQuery,
    SearchBackend,
    SnippetSQL,
    execute,
    table,
)
from search.models import SearchEntry
from search.query import Parsed, Term

# Each tier of candidates (catalogue records; everything else) has SHARDS partial
# GIN indexes on ``vector``, one per remainder of cable_id % SHARDS, made by the
# migration cables 0005_search_vector_by_kind, which fixes the number: this one
# must equal it, and the candidates' SQL must repeat the indexes' predicates
# exactly, so that each shard's SELECT can use its own index. (A migration is
# not imported; a PostgreSQL test checks that every shard's index is used.)
SHARDS = 8
# pg_trgm word_similarity a misspelt name needs; settings give every connection
# the same pg_trgm.word_similarity_threshold, so `<%` can use the names' indexes.
FUZZY_THRESHOLD = 0.5
VECTOR = (
    "setweight(to_tsvector('english'::regconfig, text_a), 'A') || "
    "setweight(to_tsvector('english'::regconfig, text_b), 'B') || "
    "setweight(to_tsvector('english'::regconfig, text_c), 'C') || "
    "setweight(to_tsvector('english'::regconfig, text_d), 'D')"
)
HEADLINE_OPTIONS = (
    f"StartSel={HIT_OPEN}, StopSel={HIT_CLOSE}, MaxWords=32, MinWords=12, "
    'ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
)


_RUM: dict[str, bool] = {}


def detect_rum(conn=connection) -> bool:
    """Ask the database of ``conn`` whether it has the ``rum`` extension, and keep the
    answer for its name (``search.signals`` asks when a connection opens and after
    each migrate, so a search never pays the query)."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'rum'")
        _RUM[conn.settings_dict["NAME"]] = found = cursor.fetchone() is not None
    return found


def has_rum() -> bool:
    """Whether the database in use has the ``rum`` extension: the path the search takes,
    chosen once per database (a test may set ``_RUM`` to force a path)."""
    found = _RUM.get(connection.settings_dict["NAME"])
    return detect_rum() if found is None else found


def rum_available() -> bool:
    """Whether the server has the ``rum`` package, installed in this database or not."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        return cursor.fetchone() is not None


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int / 10000")
        return cursor.fetchone()[0]


# The RUM indexes of migration search 0002 (one per tier of the ranking), also made
# by install_rum once the package is installed after migrating.
RUM_INDEXES = {
    "search_rum_catalogue": "kind = 'cable'",
    "search_rum_text": "kind <> 'cable'",
}


def install_rum() -> bool:
    """Install the ``rum`` extension and the search's RUM indexes when the server has
    the package (``rebuild_search_index`` runs it); whether they are there."""
    if not rum_available():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(RUM_INDEXES)]
        )
        made = {row[0] for row in cursor.fetchall()}
        if made == set(RUM_INDEXES):
            return True  # nothing to do (and no DDL inside the caller's transaction)
        cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
        for name, where in RUM_INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table(SearchEntry)} "
                f"USING rum (vector rum_tsvector_ops) WHERE {where}"
            )
    detect_rum()
    return True


# A word websearch_to_tsquery keeps as one lexeme: letters and digits only. Any
# other character (a hyphen, an apostrophe, a dot) may split it into a phrase.
_ONE_LEXEME = re.compile(r"[^\W_]+")


def has_phrase(parsed: Parsed) -> bool:
    """Whether the query's tsquery may hold a phrase operator (``<->``), erring on yes."""
    return any(
        len(words) > 1 or not _ONE_LEXEME.fullmatch(words[0])
        for clause in parsed.clauses
        for t in (*clause.include, *clause.exclude)
        for words in t.alternatives
    )


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


def words_tsquery(parsed: Parsed) -> tuple[str, list[str]]:
    """What a query holding a phrase is ranked by: the same query with each phrase's
    words all required (``plainto_tsquery``, which reads no operator in them) and
    the excluded terms left out, so that RUM hands its matches back in order of
    this score (see the module)."""
    params: list[str] = []

    def term(t: Term):
        alts = []
        for words in t.alternatives:
            params.append(" ".join(words))
            alts.append("plainto_tsquery('english'::regconfig, %s)")
        return alts[0] if len(alts) == 1 else "(" + " || ".join(alts) + ")"

    parts = ["(" + " && ".join(term(t) for t in clause.include) + ")" for clause in parsed.clauses]
    return "(" + " || ".join(parts) + ")", params


class PostgresQuery(CompiledQuery):
    def __init__(self, parsed: Parsed, rum: bool):
        super().__init__(parsed)
        self.tsquery = to_tsquery(parsed)
        self.rum = rum
        # With RUM the index's order is the rank's; a query holding a phrase is
        # ranked by its words (see the module).
        self.index_ordered = rum
        self.ranked_by = words_tsquery(parsed) if rum and has_phrase(parsed) else self.tsquery

    def rank(self) -> tuple[str, list]:
        """The rank of the entry ``e`` (lower is better) and its parameters: RUM's
        distance (from the query's words when it holds a phrase), or without RUM
        ``ts_rank_cd``'s score of the query itself, negated."""
        if self.rum:
            tsq, tsq_params = self.ranked_by
            return f"e.vector <=> {tsq}", tsq_params
        tsq, tsq_params = self.tsquery
        return f"-ts_rank_cd(e.vector, {tsq})", tsq_params

    def match(
        self, columns: str, where: list[str], params: list, limit: int, few_cables: bool = False
    ) -> tuple[str, list]:
        # One SELECT per shard, each able to use its own partial GIN index (the
        # predicates repeat the indexes' exactly); under the outer LIMIT,
        # PostgreSQL runs the shards in turn and stops once the limit is met.
        if not few_cables:
            return self._shards(columns, [], where, params, limit)
        # A few cables' rows, read one cable at a time by cable_id: the shards'
        # condition gets PostgreSQL's default estimate (0.5 % where it is 12.5 %),
        # so through them it read every match of a common word and joined them to
        # the cables (360-500 ms at 100,000 cables, against 10-46 ms this way).
        tsq, tsq_params = self.tsquery
        sql = (
            f"SELECT {columns} FROM {table(SearchEntry)} e WHERE e.vector @@ {tsq} AND "
            + " AND ".join(where) + " LIMIT %s"
        )  # fmt: skip
        return sql, tsq_params + params + [limit]

    def _shards(self, columns, column_params, where, params, limit) -> tuple[str, list]:
        entry = table(SearchEntry)
        tsq, tsq_params = self.tsquery
        shards = [
            f"(SELECT {columns} FROM {entry} e WHERE e.vector @@ {tsq} AND "
            + " AND ".join(where) + f" AND e.cable_id %% {SHARDS} = {shard} LIMIT %s)"
            for shard in range(SHARDS)
        ]  # fmt: skip
        sql = "SELECT * FROM (" + " UNION ALL ".join(shards) + ") shards LIMIT %s"
        return sql, (column_params + tsq_params + params + [limit]) * SHARDS + [limit]

    def ranked(self, columns: str, where: list[str], params: list, limit: int) -> tuple[str, list]:
        # With RUM (search 0002), the index answers ORDER BY vector <=> query itself:
        # it scores every match from the positions and weights it keeps, with no
        # visit to the table, and hands back the best first (for a phrase, by its
        # words' score: see the module). ``where`` must keep to one tier (``e.kind =
        # 'cable'`` or ``e.kind <> 'cable'``), the predicates of its two partial
        # indexes. Without RUM every match is scored and sorted.
        tsq, tsq_params = self.tsquery
        rank, rank_params = self.rank()
        if self.index_ordered:
            sql = (
                f"SELECT {columns}, {rank} AS rank FROM {table(SearchEntry)} e "
                f"WHERE e.vector @@ {tsq} AND " + " AND ".join(where)
                + f" ORDER BY {rank} LIMIT %s"
            )  # fmt: skip
            return sql, rank_params + tsq_params + params + rank_params + [limit]
        # Every match scored, found through the sharded GIN indexes (left to itself
        # the planner would read a tier's every row through a btree index and test
        # each: 450 ms for a word with a name's phrase at 100,000 cables), then sorted.
        names = [c.strip().split(".")[-1] for c in columns.split(",")]
        every, every_params = self._shards(
            f"{columns}, {rank} AS rank", rank_params, where, params, 2**31 - 1
        )
        sql = f"SELECT {', '.join(names)}, rank FROM ({every}) m ORDER BY rank LIMIT %s"
        return sql, every_params + [limit]

    def scored(self, columns: str, where: list[str], params: list) -> tuple[str, list]:
        tsq, tsq_params = self.tsquery
        rank, rank_params = self.rank()
        sql = (
            f"SELECT {columns}, {rank} AS rank FROM {table(SearchEntry)} e "
            f"WHERE e.vector @@ {tsq} AND " + " AND ".join(where)
        )
        return sql, rank_params + tsq_params + params

    def snippets(self) -> SnippetSQL:
        tsq, tsq_params = self.tsquery
        # A catalogue record's snippet is cut from the cable's fields in Python
        # (highlight.record_snippet), so only the text's rows are headlined here:
        # ts_headline parses the whole text, about 0.1 ms a row at 100,000 cables.
        column = (
            "CASE WHEN e.kind = 'cable' THEN NULL ELSE "
            f"ts_headline('english'::regconfig, e.text_c, {tsq}, %s) END"
        )
        return SnippetSQL(
            column, f"{table(SearchEntry)} e", "", [*tsq_params, HEADLINE_OPTIONS], []
        )


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    query_class = PostgresQuery
    # ILIKE and <% (word similarity above pg_trgm.word_similarity_threshold, set to
    # FUZZY_THRESHOLD for every connection in settings) use the trigram indexes.
    name_contains = "n.name ILIKE %s"
    name_resembles = "%s <%% n.name"
    name_similarity = "word_similarity(%s, n.name)"
    fuzzy_threshold = FUZZY_THRESHOLD

    def compile(self, parsed: Parsed) -> PostgresQuery:
        return PostgresQuery(parsed, has_rum())

    def score(self, rank: float) -> float:
        if not has_rum():
            return -rank  # ts_rank_cd, negated to be a rank
        # RUM's distance is the reciprocal of its score (rum_ts_score).
        return 1.0 / rank if rank else float("inf")

    @contextmanager
    def index_ordered(self) -> Iterator[None]:
        """With RUM, the block's statements are planned without bitmap scans, so a
        ranked draw is RUM's ordered scan, and the block leaves nothing behind.

        Why: PostgreSQL takes a query's words as independent, so it expects far
        fewer matches than there are for words that go together (about 580 where
        7,947 catalogue records hold "withdrawal foreign troops" at 100,000
        cables). For so few it would rather fetch every match from the table,
        score it there and sort (a bitmap scan) than read RUM's order, which
        scores from the index alone: 31 ms against 21 for that draw, and 73
        against 44 ms for the whole search of "38th parallel" (in process,
        bench/results.md). The setting is the transaction's own
        (``set_config(..., true)``), in a transaction or savepoint of the
        block's own that is rolled back at its end: the block only reads, and
        the setting goes with it, whatever the block is nested in. A GIN index is
        read by bitmap scans only, so the block must hold ranked draws alone.
        """
        if not has_rum():
            yield
            return
        with transaction.atomic():
            execute("SELECT set_config('enable_bitmapscan', 'off', true)")
            yield
            transaction.set_rollback(True)

    def id_select(self, ids) -> tuple[str, list]:
        # An array literal: dumping thousands of ints one by one cost more than the
        # queries using them.
        return "SELECT unnest(%s::bigint[])", ["{" + ",".join(str(i) for i in ids) + "}"]

    def entries_written(self, column: str, ids: list[int]) -> None:
        execute(
            f"UPDATE {table(SearchEntry)} SET vector = {VECTOR} WHERE {column} = ANY(%s)", [ids]
        )


backend = PostgresBackend()
