"""The health check sees the database and the cache; an outage is a calm 503 (issue 15).

The outage is made for real: the app's connection is closed and its settings
point at a port where no PostgreSQL listens (on SQLite: a file that cannot be
opened), and on PostgreSQL a live connection is also cut from the server's
side (``pg_terminate_backend``). Then the settings are put back, and the site
must answer again without a restart.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest
from django.db import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    close_old_connections,
    connection,
    connections,
)
from django.test import Client

from cables.models import Cable
from readingroom.views import server_error
from tests.factories import check_html

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/", "/cables/", "/participants/", "/search/?q=Kaesong"]


def free_port() -> int:
    """A local TCP port nothing listens on (just released by the OS)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_away():
    """The app's database cannot be reached until the block ends."""
    conn = connections["default"]
    saved = dict(conn.settings_dict)
    conn.close()
    if conn.vendor == "postgresql":
        conn.settings_dict["HOST"], conn.settings_dict["PORT"] = "127.0.0.1", str(free_port())
    else:
        conn.settings_dict["NAME"] = "/nonexistent-readingroom-dir/readingroom.sqlite3"
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)


def client() -> Client:
    return Client(raise_request_exception=False)


def test_healthz_answers_ok_when_the_database_and_cache_answer(seed, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        response = client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_an_outage_is_a_503_with_retry_after_then_the_site_recovers(seed, users):
    reader = client()
    signed_in = client()
    signed_in.force_login(users.researcher)
    for url in PAGES:
        assert reader.get(url).status_code == 200, url
    with database_away():
        health = reader.get("/healthz")
        assert health.status_code == 503
        assert health.content == b"unavailable: database"
        assert health["Retry-After"] == "30"
        for who in (reader, signed_in):
            for url in PAGES:
                response = who.get(url)
                assert response.status_code == 503, url
                assert response["Retry-After"] == "30"
                html = response.content.decode()
                check_html(html)
                assert "The reading room is back shortly" in html
                assert "Server Error" not in html
    # The same process, the settings put back: every page answers again.
    assert reader.get("/healthz").status_code == 200
    for who in (reader, signed_in):
        for url in PAGES:
            assert who.get(url).status_code == 200, url


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="cuts PostgreSQL's connections from the server"
)
def test_connections_cut_by_the_server_are_made_again(seed, users):
    """pg_terminate_backend on the app's connection: the next request reconnects
    (CONN_HEALTH_CHECKS); cut while the server is also unreachable, a 503."""
    import psycopg

    settings = connections["default"].settings_dict
    dsn = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": "postgres",
    }
    reader = client()
    assert reader.get("/cables/").status_code == 200

    def cut():
        pid = connections["default"].cursor().connection.info.backend_pid
        with psycopg.connect(**{k: v for k, v in dsn.items() if v is not None}) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    def next_request():
        # What a request's start does in the server (request_started), which the
        # test client leaves out: drop connections that fail the health check.
        close_old_connections()
        return reader.get("/cables/")

    cut()
    assert next_request().status_code == 200  # a new connection, no error shown
    cut()
    with database_away():
        assert next_request().status_code == 503
        assert reader.get("/healthz").status_code == 503
    assert next_request().status_code == 200
    assert Cable.objects.exists()


def test_a_cache_that_does_not_answer_fails_the_health_check(db, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/4",
        },
    }
    response = client().get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable: cache default"


def test_a_redis_cache_that_answers_passes_the_health_check(db, settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=4, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/4",
            "KEY_PREFIX": f"rr-healthz-test-{alias}",
        }
        for alias in ("default", "pages")
    }
    assert client().get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "error, status",
    [(OperationalError, 503), (InterfaceError, 503), (ProgrammingError, 500), (ValueError, 500)],
)
def test_only_an_unreachable_database_is_an_outage(rf, error, status):
    """A bug (bad SQL, a Python error) stays Django's 500; the outage page is for
    a database that refuses or drops connections."""
    try:
        raise error("as raised")
    except error:
        response = server_error(rf.get("/cables/"))
    assert response.status_code == status
    assert response.has_header("Retry-After") is (status == 503)


def test_the_benchmarks_baseline_is_constant_and_asks_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        first = client().get("/bench/baseline")
    second = client().get("/bench/baseline")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and len(first.content) > 100
