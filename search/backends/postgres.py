"""PostgreSQL: a weighted ``tsvector`` per entry, ``websearch_to_tsquery``, RUM's
``<=>`` for ranking, ``ts_headline``, and ``pg_trgm`` for misspelt names.

``SearchEntry.vector`` is stored, weighted A (title), B (summary, citation,
record id, names and aliases of sender, recipient and telegram authors), C
(passage text, annotation body) and D (labels, archive fields, an
annotation's quoted words), and written by the indexer in one UPDATE per
batch (:meth:`PostgresBackend.entries_written`). The query is built from
``websearch_to_tsquery`` pieces and ranked by the RUM indexes (search 0002),
best first, with RUM's score over every match; ``ts_headline``
runs only for the page shown; ``pg_trgm``'s ``word_similarity`` finds
misspelt names.
"""

from __future__ import annotations

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


class PostgresQuery(CompiledQuery):
    def __init__(self, parsed: Parsed):
        super().__init__(parsed)
        self.tsquery = to_tsquery(parsed)

    def match(self, columns: str, where: list[str], params: list, limit: int) -> tuple[str, list]:
        # One SELECT per shard, each able to use its own partial GIN index (the
        # predicates repeat the indexes' exactly); under the outer LIMIT,
        # PostgreSQL runs the shards in turn and stops once the limit is met.
        entry = table(SearchEntry)
        tsq, tsq_params = self.tsquery
        shards = [
            f"(SELECT {columns} FROM {entry} e WHERE e.vector @@ {tsq} AND "
            + " AND ".join(where) + f" AND e.cable_id %% {SHARDS} = {shard} LIMIT %s)"
            for shard in range(SHARDS)
        ]  # fmt: skip
        sql = "SELECT * FROM (" + " UNION ALL ".join(shards) + ") shards LIMIT %s"
        return sql, (tsq_params + params + [limit]) * SHARDS + [limit]

    def ranked(self, columns: str, where: list[str], params: list, limit: int) -> tuple[str, list]:
        # The RUM index (search 0002) answers ORDER BY vector <=> query itself: it
        # scores every match from the positions and weights it keeps, with no visit
        # to the table, and hands back the best first. ``where`` must keep to one
        # tier (``e.kind = 'cable'`` or ``e.kind <> 'cable'``), the predicates of
        # its two partial indexes.
        tsq, tsq_params = self.tsquery
        sql = (
            f"SELECT {columns}, e.vector <=> {tsq} AS rank FROM {table(SearchEntry)} e "
            f"WHERE e.vector @@ {tsq} AND " + " AND ".join(where)
            + f" ORDER BY e.vector <=> {tsq} LIMIT %s"
        )  # fmt: skip
        return sql, tsq_params * 2 + params + tsq_params + [limit]

    def scored(self, columns: str, where: list[str], params: list) -> tuple[str, list]:
        tsq, tsq_params = self.tsquery
        sql = (
            f"SELECT {columns}, e.vector <=> {tsq} AS rank FROM {table(SearchEntry)} e "
            f"WHERE e.vector @@ {tsq} AND " + " AND ".join(where)
        )
        return sql, tsq_params * 2 + params

    def snippets(self) -> SnippetSQL:
        tsq, tsq_params = self.tsquery
        column = (
            "ts_headline('english'::regconfig, CASE WHEN e.kind = 'cable' THEN e.text_b "
            f"ELSE e.text_c END, {tsq}, %s)"
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

    @staticmethod
    def score(rank: float) -> float:
        # RUM's distance is the reciprocal of its score (rum_ts_score).
        return 1.0 / rank if rank else float("inf")

    def id_select(self, ids) -> tuple[str, list]:
        # An array literal: dumping thousands of ints one by one cost more than the
        # queries using them.
        return "SELECT unnest(%s::bigint[])", ["{" + ",".join(str(i) for i in ids) + "}"]

    def entries_written(self, column: str, ids: list[int]) -> None:
        execute(
            f"UPDATE {table(SearchEntry)} SET vector = {VECTOR} WHERE {column} = ANY(%s)", [ids]
        )


backend = PostgresBackend()
