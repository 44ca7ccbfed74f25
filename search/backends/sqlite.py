"""SQLite: the FTS5 table ``cables_search_fts``, ranked with ``bm25()``, cut with ``snippet()``.

The FTS5 table indexes the four text columns of ``SearchEntry`` (external
content: the ``SearchEntry`` rows, kept in step by triggers, so the indexer
writes the rows alone); ``bm25()`` weights the columns 10/4/2/1. Every word of
a query is quoted when it is turned into FTS5 syntax (:func:`to_fts5`), so no
input can make a malformed FTS5 query. SQLite cannot match misspelt names.
"""

from __future__ import annotations

import json

from search.backends.base import (
    HIT_CLOSE,
    HIT_OPEN,
    CompiledQuery,
    SearchBackend,
    SnippetSQL,
    execute_all,
    table,
)
from search.models import SearchEntry
from search.query import Parsed, Term

WEIGHTS = {"a": 10.0, "b": 4.0, "c": 2.0, "d": 1.0}  # bm25 column weights
_WEIGHTS = ", ".join(str(w) for w in WEIGHTS.values())

# Keep in step with migration cables 0003 (rebuild_search_index reinstalls these).
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


class SQLiteQuery(CompiledQuery):
    def __init__(self, parsed: Parsed):
        super().__init__(parsed)
        self.fts = to_fts5(parsed)

    def _from(self, columns: str, where: list[str], rank: bool) -> str:
        score = f", bm25(cables_search_fts, {_WEIGHTS}) AS rank" if rank else ""
        return (
            f"SELECT {columns}{score} FROM cables_search_fts JOIN {table(SearchEntry)} e "
            "ON e.id = cables_search_fts.rowid "
            "WHERE cables_search_fts MATCH %s AND " + " AND ".join(where)
        )

    def match(
        self, columns: str, where: list[str], params: list, limit: int, few_cables: bool = False
    ) -> tuple[str, list]:
        return self._from(columns, where, rank=False) + " LIMIT %s", [self.fts, *params, limit]

    def ranked(self, columns: str, where: list[str], params: list, limit: int) -> tuple[str, list]:
        # FTS5 scores every match with bm25() and sorts them itself; only the best
        # ``limit`` come back.
        sql = self._from(columns, where, rank=True) + " ORDER BY rank LIMIT %s"
        return sql, [self.fts, *params, limit]

    def scored(self, columns: str, where: list[str], params: list) -> tuple[str, list]:
        return self._from(columns, where, rank=True), [self.fts, *params]

    def snippets(self) -> SnippetSQL:
        return SnippetSQL(
            "snippet(cables_search_fts, CASE WHEN e.kind = 'cable' THEN 1 ELSE 2 END, "
            f"'{HIT_OPEN}', '{HIT_CLOSE}', '…', 24)",
            f"cables_search_fts JOIN {table(SearchEntry)} e ON e.id = cables_search_fts.rowid",
            "cables_search_fts MATCH %s",
            [],
            [self.fts],
        )


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"
    query_class = SQLiteQuery
    # Materialised so bm25() runs inside its FTS5 query.
    cte_materialized = "MATERIALIZED "

    def score(self, rank: float) -> float:
        # bm25() is negative, the better the lower.
        return -rank

    def id_select(self, ids) -> tuple[str, list]:
        return "SELECT value FROM json_each(%s)", [json.dumps([int(i) for i in ids])]

    def empty_index(self) -> None:
        # The FTS5 table goes first, so deleting the rows cannot touch it; then it is
        # reinstalled, empty, with its triggers.
        execute_all(SQLITE_DROP)
        super().empty_index()
        execute_all(SQLITE_FTS)


backend = SQLiteBackend()
