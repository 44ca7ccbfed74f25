"""The search tests' own fixture: what a search costs, in statements."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

# What PostgreSQL's index-ordered block (search.backends.postgres.index_ordered)
# runs around the statements it holds: the planner's setting, and inside a test's
# transaction the savepoint it rolls back to (outside one, a BEGIN and a
# ROLLBACK that the connection sends, not a cursor).
BLOCK = re.compile(
    r"^\s*(SAVEPOINT |ROLLBACK TO SAVEPOINT |RELEASE SAVEPOINT |"
    r"SELECT set_config\('enable_bitmapscan', 'off', true\))"
)


@pytest.fixture
def assert_search_queries():
    """``with assert_search_queries(n):`` the block runs ``n`` statements that read
    the data, as ``django_assert_num_queries`` counts them, leaving apart the
    index-ordered blocks' own set-up, which only PostgreSQL with RUM has (its
    own test pins it: ``test_an_index_ordered_block_leaves_nothing_behind``)."""

    @contextmanager
    def check(num: int):
        with CaptureQueriesContext(connection) as context:
            yield context
        reads = [q["sql"] for q in context.captured_queries if not BLOCK.match(q["sql"])]
        assert len(reads) == num, f"{len(reads)} statements, expected {num}:\n\n" + "\n\n".join(
            reads
        )

    return check
