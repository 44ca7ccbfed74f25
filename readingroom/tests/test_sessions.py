"""The signed-in lookups in fixed SQL (readingroom.sessions) behave as Django's own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from readingroom.sessions import SessionStore, UserBackend

pytestmark = pytest.mark.django_db


def signed_in(user, password) -> Client:
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": password})
    assert client.session.session_key
    return client


def whoami(client) -> str:
    page = client.get("/").content.decode()
    return "signed in" if 'action="/accounts/logout/"' in page else "anonymous"


def test_sign_in_and_out_through_the_lean_lookups(users):
    client = signed_in(users.researcher, users.password)
    assert whoami(client) == "signed in"
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.get_decoded()["_auth_user_backend"] == "readingroom.sessions.UserBackend"
    client.post(reverse("logout"))
    assert whoami(client) == "anonymous"


def test_an_expired_session_is_no_session(users):
    client = signed_in(users.researcher, users.password)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    assert SessionStore(key).load() == {}
    assert whoami(client) == "anonymous"


def test_a_deactivated_user_is_signed_out_at_once(users):
    client = signed_in(users.researcher, users.password)
    users.researcher.is_active = False
    users.researcher.save()
    assert whoami(client) == "anonymous"


def test_the_user_is_the_same_as_djangos_own(users):
    ours, django = UserBackend().get_user(users.editor.pk), ModelBackend().get_user(users.editor.pk)
    fields = [f.attname for f in type(ours)._meta.concrete_fields]
    assert [getattr(ours, f) for f in fields] == [getattr(django, f) for f in fields]
    assert ours.date_joined.tzinfo is not None and ours.is_staff is True
    assert ours._state.adding is False and ours._state.db == "default"


@pytest.mark.parametrize("bad", ["not-a-number", None])
def test_a_malformed_user_id_is_no_user(users, bad):
    assert UserBackend().get_user(bad) is None


def test_a_session_naming_no_user_is_anonymous(users, rf):
    bad = "999999"
    assert UserBackend().get_user(bad) is None
    request = rf.get("/")
    request.session = SessionStore()
    request.session.update(
        {"_auth_user_id": bad, "_auth_user_backend": "readingroom.sessions.UserBackend"}
    )
    assert get_user(request).is_anonymous


def test_a_changed_password_ends_other_sessions(users):
    client = signed_in(users.researcher, users.password)
    users.researcher.set_password("a new long passphrase")
    users.researcher.save()
    assert whoami(client) == "anonymous"
