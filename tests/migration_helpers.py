"""What the tests that migrate a database back and forward share."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def executor() -> MigrationExecutor:
    """A migration executor that sees the database's migrations as they are now."""
    found = MigrationExecutor(connection)
    found.loader.build_graph()
    return found


@pytest.fixture
def at_the_end_migrated_forward():
    """Whatever happens in the test, the database ends at today's schema for the next."""
    from readingroom.caching import install_triggers

    yield
    forward = executor()
    forward.migrate(forward.loader.graph.leaf_nodes())
    install_triggers()  # as post_migrate does after `migrate`
