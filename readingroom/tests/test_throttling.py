"""Signing in, signing up and resetting a password are limited per account and per
address (issue 15): django-axes for sign-in, the cache for the rest."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from readingroom import throttle
from readingroom.accounts import TOO_MANY_RESETS, TOO_MANY_SIGNUPS
from readingroom.models import Registration

pytestmark = pytest.mark.django_db

LOCKED = "Signing in is locked"


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# Sign-in ---------------------------------------------------------------------


def test_fifty_wrong_passwords_then_the_right_one_is_refused(client, users):
    for _ in range(50):
        response = sign_in(client, "researcher", "wrong-password")
        assert response.status_code in (200, 429)
    response = sign_in(client, "researcher", users.password)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_the_lock_holds_for_the_account_from_another_address(users):
    attacker, owner = Client(), Client()
    for _ in range(10):
        sign_in(attacker, "researcher", "wrong-password", address="198.51.100.1")
    response = sign_in(owner, "researcher", users.password, address="192.0.2.50")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not signed_in(owner)
    # Another account, from the owner's address, signs in as usual.
    response = sign_in(owner, "outsider", users.password, address="192.0.2.50")
    assert response.status_code == 302 and signed_in(owner)


def test_an_address_trying_many_accounts_is_locked_out(users):
    client = Client()
    for n in range(10):
        sign_in(client, f"guess{n}", "wrong-password", address="198.51.100.2")
    response = sign_in(client, "outsider", users.password, address="198.51.100.2")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not signed_in(client)


def test_a_few_mistakes_do_not_lock_anyone_out(client, users):
    for _ in range(3):
        response = sign_in(client, "researcher", "wrong-password")
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
    response = sign_in(client, "researcher", users.password)
    assert response.status_code == 302 and signed_in(client)


def test_an_editor_unlocks_an_account_in_the_admin(users):
    for _ in range(10):
        sign_in(Client(), "researcher", "wrong-password")
    locked = Client()
    assert sign_in(locked, "researcher", users.password).status_code == 429
    admin = Client()
    admin.force_login(users.admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin.get(changelist, {"q": "researcher"})
    assert page.status_code == 200 and "researcher" in page.content.decode()
    attempts = AccessAttempt.objects.filter(username="researcher")
    response = admin.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [a.pk for a in attempts],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="researcher").exists()
    response = sign_in(locked, "researcher", users.password)
    assert response.status_code == 302 and signed_in(locked)


# Password reset --------------------------------------------------------------


def test_password_reset_mails_are_limited_per_account(users):
    for n in range(10):
        response = Client().post(
            reverse("password_reset"),
            {"email": "researcher@example.org"},
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        )
        # The same answer every time: it never tells whether the mail went.
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == throttle.RESET_MAILS_PER_ACCOUNT.count == 3


def test_password_resets_are_limited_per_address(users):
    client = Client()
    answers = [
        client.post(
            reverse("password_reset"), {"email": f"nobody{n}@example.org"}, REMOTE_ADDR="192.0.2.9"
        )
        for n in range(10)
    ]
    assert [a.status_code for a in answers] == [302] * 5 + [429] * 5
    assert TOO_MANY_RESETS in answers[-1].content.decode()
    # A real account asked for from that address now gets no mail either.
    response = client.post(
        reverse("password_reset"), {"email": "researcher@example.org"}, REMOTE_ADDR="192.0.2.9"
    )
    assert response.status_code == 429 and not mail.outbox


# Sign-up ---------------------------------------------------------------------


def signup(client, n, address="192.0.2.77"):
    password = "kaesong-armistice-1951"
    return client.post(
        reverse("signup"),
        {
            "username": f"newcomer{n}",
            "email": f"newcomer{n}@example.org",
            "password1": password,
            "password2": password,
        },
        REMOTE_ADDR=address,
    )


def test_sign_ups_are_limited_per_address(db):
    made = [signup(Client(), n) for n in range(6)]
    assert [r.status_code for r in made] == [302] * 3 + [429] * 3
    assert TOO_MANY_SIGNUPS in made[-1].content.decode()
    assert get_user_model().objects.filter(username__startswith="newcomer").count() == 3
    assert Registration.objects.count() == 3
    # Another address may still sign up.
    assert signup(Client(), 9, address="192.0.2.78").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_it_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.5")
    assert throttle.client_address(request) == "10.0.0.2"
    settings.BEHIND_PROXY = True
    # The proxy appended the address it saw; what the client wrote before it counts for nothing.
    assert throttle.client_address(request) == "192.0.2.5"
