"""``manage.py check`` for the search: on PostgreSQL, whether it ranks through RUM.

Without the ``rum`` extension the search still ranks every match exactly, with
``ts_rank_cd`` over all of them, but a common word at 100,000 cables then
takes far longer (search.backends.postgres). The warning names the package.
"""

from __future__ import annotations

from django.core.checks import Warning, register
from django.db import DatabaseError, connection


@register()
def rum_installed(app_configs=None, **kwargs):
    if connection.vendor != "postgresql":
        return []
    from search.backends import postgres

    try:
        if postgres.has_rum():
            return []
        major = postgres.server_major()
        available = postgres.rum_available()
    except DatabaseError:
        return []  # no database to ask (a build step): nothing to say
    fix = (
        "The server has the package: run `manage.py rebuild_search_index`, which "
        "installs the extension and its indexes, then restart the app servers."
        if available
        else f"Install the package postgresql-{major}-rum on the database server "
        "(Debian and Ubuntu; as root, `make test` does it for a local server), then run "
        "`manage.py rebuild_search_index` and restart the app servers."
    )
    return [
        Warning(
            "The search runs without PostgreSQL's RUM extension: it ranks every match "
            "with ts_rank_cd and sorts them, exact but slow for common words.",
            hint=fix,
            id="search.W001",
        )
    ]
