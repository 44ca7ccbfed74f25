"""What every search backend offers, and the SQL helpers the search's modules share.

A backend is one database's full-text machinery: how a parsed query is
written in its syntax, how matching entries are drawn and ranked, how a
snippet is cut, how a list of ids is handed to a query, and what the index
needs besides the ``SearchEntry`` rows. The rest of the search (the
candidates' joins, the facets, the indexer's reads and writes) is plain SQL
both databases run alike, written once in the modules that use it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet

from search.models import SearchEntry
from search.query import Parsed

# Snippets and headlines come back from the database with the terms found
# between these two characters (⟦ ⟧); search.highlight turns them into marks.
HIT_OPEN, HIT_CLOSE = "\u27e6", "\u27e7"


def table(model) -> str:
    """The model's table name, quoted for the database."""
    return connection.ops.quote_name(model._meta.db_table)


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def execute_all(statements: list[str]) -> None:
    """Run these statements (no parameters) in turn."""
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def compile_queryset(queryset: QuerySet) -> tuple[str, list]:
    """The SQL of a queryset and its parameters, to use as a subquery."""
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


class SnippetSQL(NamedTuple):
    """How to cut a snippet from the matching entries ``e`` given by id."""

    column: str  # the snippet, its terms between HIT_OPEN and HIT_CLOSE
    source: str  # FROM: the entries as ``e`` (joined to the full-text table if need be)
    where: str  # a condition the source needs to cut snippets ("" when none)
    column_params: list  # for ``column``
    where_params: list  # for ``where``


class CompiledQuery(ABC):
    """A parsed query in one database's full-text syntax, and the SQL that uses it."""

    def __init__(self, parsed: Parsed):
        self.parsed = parsed

    @abstractmethod
    def match(
        self, columns: str, where: list[str], params: list, limit: int, few_cables: bool = False
    ) -> tuple[str, list]:
        """A SELECT of ``columns`` of at most ``limit`` index entries ``e`` that match the
        query and meet every condition of ``where``, in index order (the cheapest to
        draw: what the count and the facets' sample read). ``params`` are those of
        the conditions of ``where``, in order. ``few_cables``: ``where`` keeps to a
        list of cables small enough to read their rows one cable at a time."""

    @abstractmethod
    def ranked(self, columns: str, where: list[str], params: list, limit: int) -> tuple[str, list]:
        """A SELECT of ``columns`` and ``rank`` of the ``limit`` best index entries ``e``
        that match the query and meet every condition of ``where``, best first: ranked
        by the engine's own score, inside the engine. ``rank`` is the engine's ordering
        value, lower is better (PostgreSQL: RUM's distance, or ``ts_rank_cd`` negated
        without RUM; SQLite: bm25)."""

    @abstractmethod
    def scored(self, columns: str, where: list[str], params: list) -> tuple[str, list]:
        """A SELECT of ``columns`` and ``rank`` (as :meth:`ranked`) of every index entry
        ``e`` that matches the query and meets every condition of ``where``, in no order."""

    @abstractmethod
    def snippets(self) -> SnippetSQL:
        """The SQL pieces that cut a highlighted snippet from each matching entry: the
        text of a passage or annotation (a catalogue record's is cut in Python, by
        ``search.highlight.record_snippet``, so a backend may give none for it)."""


class SearchBackend(ABC):
    """One database's full-text search (chosen by ``search.backends.backend``)."""

    vendor: str  # connection.vendor
    query_class: type[CompiledQuery]
    # The candidates' two tiers are CTEs; "MATERIALIZED " where each must run on its own.
    cte_materialized = ""
    # Names in a query (search.names): a condition on ``n.name`` that finds the names
    # holding a word (one parameter: ``%word%``) ...
    name_contains = "LOWER(n.name) LIKE %s"
    # ... and, where the database can tell resemblance, a condition that finds the
    # names like a term and an expression of how alike (one parameter each: the term).
    name_resembles: str | None = None
    name_similarity: str | None = None
    fuzzy_threshold: float | None = None  # the least similarity a misspelt name needs

    @abstractmethod
    def score(self, rank: float) -> float:
        """The engine's score (higher is better) of an entry whose ``rank`` is this."""

    def compile(self, parsed: Parsed) -> CompiledQuery:
        return self.query_class(parsed)

    @property
    def fuzzy_names(self) -> bool:
        """Whether a term that names nobody is matched to the closest name."""
        return self.name_resembles is not None

    def index_ordered(self) -> AbstractContextManager:
        """A block whose statements read the ranked draws (:meth:`CompiledQuery.ranked`)
        in the index's own order, and only such statements: nothing by default."""
        return nullcontext()

    @abstractmethod
    def id_select(self, ids) -> tuple[str, list]:
        """A SELECT of these ids, and its one parameter."""

    def entries_written(self, column: str, ids: list[int]) -> None:
        """Complete the index after ``SearchEntry`` rows were inserted for these ids of
        ``column`` (``cable_id`` or ``annotation_id``); nothing by default."""
        return None

    def empty_index(self) -> None:
        """Delete every search entry."""
        SearchEntry.objects.all().delete()
