"""Accounts: sign up, sign in and out, password reset, and CSRF on the forms."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "kaesong-armistice-1951"


def signup_data(**extra):
    return {
        "username": "historian",
        "email": "historian@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **extra,
    }


def test_signup_page_links_to_sign_in(client):
    response = client.get(reverse("signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="email"' in html
    assert reverse("login") in html
    assert "csrfmiddlewaretoken" in html


def test_signup_creates_the_user_signs_in_and_goes_home(client):
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = get_user_model().objects.get(username="historian")
    assert user.email == "historian@example.org"
    assert user.check_password(NEW_PASSWORD)
    assert not user.is_staff
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_honours_a_safe_next(client):
    response = client.post(
        reverse("signup") + "?next=/cables/", signup_data(next="/annotations/?kind=question")
    )
    assert response["Location"] == "/annotations/?kind=question"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"]
)
def test_signup_refuses_an_external_next(client, next_url):
    response = client.post(reverse("signup"), signup_data(next=next_url))
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signup_next_in_the_query_string_is_kept_in_the_form(client):
    html = client.get(reverse("signup") + "?next=/cables/").content.decode()
    assert 'name="next" value="/cables/"' in html
    html = client.get(reverse("signup") + "?next=https://evil.example/").content.decode()
    assert "evil.example" not in html


def test_signup_errors_are_shown_and_nothing_is_created(client, users):
    response = client.post(
        reverse("signup"),
        signup_data(username="researcher", email="RESEARCHER@example.org", password2="other"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A user with that username already exists." in html
    assert "An account already uses this address." in html
    assert "didn’t match" in html or "didn't match" in html
    assert get_user_model().objects.count() == 4
    assert "_auth_user_id" not in client.session


def test_signed_in_user_visiting_signup_is_sent_on(client, users):
    client.force_login(users.researcher)
    response = client.get(reverse("signup"))
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sign_in_and_out(client, users):
    response = client.get(reverse("login") + "?next=/cables/")
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("signup") in html and reverse("password_reset") in html

    response = client.post(
        reverse("login"),
        {"username": "researcher", "password": users.password, "next": "/cables/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/cables/"
    assert client.session["_auth_user_id"] == str(users.researcher.pk)

    home = client.get("/").content.decode()
    assert "Signed in as" in home and "Rosa" in home
    assert reverse("annotations:list") in home
    assert f'action="{reverse("logout")}"' in home

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    home = client.get("/").content.decode()
    assert "Sign in" in home and "Sign up" in home and "Signed in as" not in home


def test_sign_in_with_a_wrong_password_says_so(client, users):
    response = client.post(reverse("login"), {"username": "researcher", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_post(client, users):
    client.force_login(users.researcher)
    assert client.get(reverse("logout")).status_code == 405
    assert client.session["_auth_user_id"] == str(users.researcher.pk)


def test_logged_out_template_renders(rf):
    # Shown only when LOGOUT_REDIRECT_URL is unset (it is "/" here); it must still render.
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string("registration/logged_out.html", request=request)
    assert "You are signed out" in html and reverse("login") in html


def test_password_reset_sends_a_mail_with_a_working_link(client, users):
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    response = client.post(reverse("password_reset"), {"email": "researcher@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["researcher@example.org"]
    assert message.subject == "Reset your Reading Room password"
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)

    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("password_reset_complete")
    users.researcher.refresh_from_db()
    assert users.researcher.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, users):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change(client, users):
    client.force_login(users.researcher)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": users.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "login",
        "signup",
        "password_reset",
        "password_reset_done",
        "password_reset_complete",
    ],
)
def test_account_pages_render_for_anonymous_visitors(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


def test_signup_form_enforces_csrf():
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(reverse("signup"), signup_data())
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="historian").exists()

    # With the token from the form, the same post goes through.
    csrf_client.get(reverse("signup"))
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(reverse("signup"), signup_data(csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="historian").exists()


def test_sign_out_form_enforces_csrf(users):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(users.researcher)
    response = csrf_client.post(reverse("logout"))
    assert response.status_code == 403
    assert csrf_client.session["_auth_user_id"] == str(users.researcher.pk)

    csrf_client.get("/")  # the header's sign-out form sets the CSRF cookie
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in csrf_client.session


def test_sign_up_from_a_cable_comes_back_to_it(client, seed):
    """The header's Sign up link carries the page the reader was on."""
    from cables.models import Cable

    cable = Cable.objects.get(record_id="117409")
    page = client.get(cable.get_absolute_url()).content.decode()
    assert f'href="{reverse("signup")}?next={cable.get_absolute_url()}"' in page
    response = client.post(reverse("signup"), signup_data(next=cable.get_absolute_url()))
    assert response.status_code == 302 and response["Location"] == cable.get_absolute_url()
