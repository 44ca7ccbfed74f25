"""The search backends: one per database, behind one interface (``base.SearchBackend``).

``postgres`` (tsvector, ts_rank, ts_headline, pg_trgm) and ``sqlite`` (FTS5,
bm25, snippet()). :func:`backend` chooses by ``connection.vendor``; it is the
only place the search asks which database it runs on.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from search.backends.base import SearchBackend


def backend() -> SearchBackend:
    """The backend for the database in use."""
    if connection.vendor == "postgresql":
        from search.backends import postgres

        return postgres.backend
    if connection.vendor == "sqlite":
        from search.backends import sqlite

        return sqlite.backend
    raise ImproperlyConfigured(f"The search runs on PostgreSQL or SQLite, not {connection.vendor}.")
