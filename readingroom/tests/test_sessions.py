"""Signing in and out, as a reader notices it, on both session engines the settings choose.

Sessions are Django's database sessions (``django.contrib.sessions.backends.db``),
read through the shared cache when there is one (``cached_db``, with
``CACHE_URL=redis://…``); users come from Django's ``ModelBackend``. Every
test here runs on both engines, whatever the cache of the run.
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.test import Client
from django.urls import reverse

from cables.models import Cable
from readingroom.tests.test_settings import start_django

DB = "django.contrib.sessions.backends.db"
CACHED_DB = "django.contrib.sessions.backends.cached_db"

pytestmark = pytest.mark.django_db


def session_row() -> int:
    """The queries a signed-in request's session costs: its row where sessions are read
    from the database, none where the shared cache has them. Query counts pinned in
    other tests add it, so that they hold on either engine."""
    return int(django_settings.SESSION_ENGINE == DB)


@pytest.fixture(params=[DB, CACHED_DB], ids=["db", "cached_db"])
def engine(request, settings):
    settings.SESSION_ENGINE = request.param
    return request.param


def sign_in(user, password) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302, "the sign-in form refused the reader"
    return client


def whoami(client) -> str:
    page = client.get("/").content.decode()
    return "signed in" if 'action="/accounts/logout/"' in page else "anonymous"


def test_signing_in_lasts_across_requests(engine, users):
    client = sign_in(users.researcher, users.password)
    assert [whoami(client) for _ in range(3)] == ["signed in"] * 3
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"


def test_a_wrong_password_signs_nobody_in(engine, users):
    client = Client()
    response = client.post(reverse("login"), {"username": "researcher", "password": "wrong"})
    assert response.status_code == 200  # the form again, with its error
    assert whoami(client) == "anonymous"


def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(engine, users):
    client = sign_in(users.researcher, users.password)
    cookie = client.cookies["sessionid"].value
    assert whoami(client) == "signed in"
    client.post(reverse("logout"))
    assert whoami(client) == "anonymous"
    copy = Client()
    copy.cookies["sessionid"] = cookie
    assert whoami(copy) == "anonymous"


def test_a_deactivated_user_is_signed_out_at_once(engine, users):
    client = sign_in(users.researcher, users.password)
    assert whoami(client) == "signed in"
    users.researcher.is_active = False
    users.researcher.save()
    assert whoami(client) == "anonymous"


def test_a_password_changed_elsewhere_ends_the_other_sessions(engine, users):
    laptop = sign_in(users.researcher, users.password)
    library = sign_in(users.researcher, users.password)
    assert whoami(laptop) == whoami(library) == "signed in"
    new = "a new long passphrase for the archive"
    response = library.post(
        reverse("password_change"),
        {"old_password": users.password, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert whoami(library) == "signed in"  # where it was changed: update_session_auth_hash
    assert whoami(laptop) == "anonymous"  # the session hash no longer matches


def test_a_session_made_under_the_old_backend_is_signed_out_once(engine, users):
    """Sessions from before Django's ModelBackend name ``readingroom.sessions.UserBackend``:
    Django drops a session whose backend is not configured. The reader signs in again."""
    client = sign_in(users.researcher, users.password)
    session = client.session
    session[BACKEND_SESSION_KEY] = "readingroom.sessions.UserBackend"
    session.save()
    assert whoami(client) == "anonymous"
    client = sign_in(users.researcher, users.password)
    assert whoami(client) == "signed in"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("session_engine", "queries"),
    [
        (DB, 3),  # the data version, the session row, the user
        (CACHED_DB, 2),  # the data version, the user (the session from the cache)
    ],
    ids=["db", "cached_db"],
)
def test_a_cached_page_for_a_signed_in_reader_costs_its_session_and_user(
    settings, session_engine, queries, seed, users, django_assert_num_queries
):
    """A page the page cache answers (readingroom.caching) costs the data version, plus
    what signing in costs: the user always (so deactivation and a password change act
    at once), the session row only where sessions are not read from a cache."""
    settings.SESSION_ENGINE = session_engine
    client = Client()
    client.force_login(users.researcher)
    url = Cable.objects.get(record_id="117409").get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200, url
    with django_assert_num_queries(queries):
        again = client.get(url)
    assert again.status_code == 200 and again["ETag"] == first["ETag"]
    assert 'action="/accounts/logout/"' in again.content.decode()


@pytest.mark.parametrize(
    ("cache_url", "session_engine"),
    [
        ("", DB),
        ("locmem://", DB),
        ("dummy://", DB),
        ("redis://127.0.0.1:6379/9", CACHED_DB),
        ("rediss://cache.example:6380/0", CACHED_DB),
    ],
)
def test_sessions_go_through_the_cache_only_when_it_is_shared(cache_url, session_engine):
    """A local-memory cache is one process's own: a session kept there would outlive a
    sign-out handled by another worker. Only a shared cache (Redis) carries sessions."""
    result = start_django(
        "from django.conf import settings; print(settings.SESSION_ENGINE)", CACHE_URL=cache_url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [session_engine]
