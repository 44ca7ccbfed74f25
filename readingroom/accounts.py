"""Signing up for the reading room, confirming an address, and the limits on both.

Signing in and out, and changing or resetting a password, are Django's own
views (``django.contrib.auth.urls``) with the templates in
``templates/registration/``. This module adds what Django does not ship: a
sign-up page and the confirmation of the address it was given (a signed link,
``django.core.signing``, valid for ``CONFIRMATION_MAX_AGE``), and limits the
password reset (issue 15):

- sign-in: django-axes locks an account, and an address, out after
  ``AXES_FAILURE_LIMIT`` failures for ``AXES_COOLOFF_TIME``, with a message
  (``registration/locked_out.html``); editors unlock in the admin (Axes →
  Access attempts: delete the rows);
- sign-up: at most ``SIGNUPS_PER_ADDRESS`` new accounts per address an hour;
- password reset: ``RESETS_PER_ADDRESS`` requests per address an hour, and
  ``RESET_MAILS_PER_ACCOUNT`` mails per address of an account (past it the
  page says what it always says, so it tells nobody whether an account exists).

A new account is a ``readingroom.Registration``: until its address is
confirmed it may not publish to everyone, and its public notes wait for an
editor until one is approved (``annotations.services.publishing``).

Roles follow from the user's flags, with no extra model: an anonymous visitor
reads; any signed-in user is a researcher (annotates, joins research groups);
``is_staff`` makes an editor (admin data entry, hiding annotations);
``is_superuser`` an administrator. Research groups are managed in the admin.
"""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import PasswordResetView
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from readingroom.models import Registration
from readingroom.throttle import (
    CONFIRMATION_MAILS_PER_ACCOUNT,
    RESET_MAILS_PER_ACCOUNT,
    RESETS_PER_ADDRESS,
    SIGNUPS_PER_ADDRESS,
    client_address,
)

log = logging.getLogger(__name__)

# Sessions name the backend that signed a user in: Django's, never django-axes'
# (which only counts failures and has no get_user()).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
CONFIRMATION_SALT = "readingroom.accounts.confirm-email"
CONFIRMATION_MAX_AGE = 3 * 24 * 3600  # a confirmation link works for three days
TOO_MANY_SIGNUPS = (
    "Too many accounts were made from your address in the last hour. "
    "Try again later, or ask an editor to make your account."
)
TOO_MANY_RESETS = (
    "Too many password resets were asked for from your address in the last hour. "
    "Try again in an hour."
)
TOO_MANY_CONFIRMATIONS = (
    "We have already sent you several links in the last hour. Look for them in your mail "
    "(and its spam folder), or try again in an hour."
)


class SignUpForm(UserCreationForm):
    """Username, e-mail address (for password resets) and a password typed twice."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="Used only to send you a link if you forget your password.",
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        """Runs one query: an address may belong to one account only (case-insensitive)."""
        email = self.cleaned_data["email"]
        if get_user_model()._default_manager.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account already uses this address. Sign in, or reset its password."
            )
        return email


def safe_next(request: HttpRequest) -> str:
    """The ``next`` address from the form or the query string, if it stays on this site.

    Anything else (another host, another scheme, ``//evil.example``) gives "".
    """
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _throttled(request: HttpRequest, message: str) -> HttpResponse:
    return TemplateResponse(
        request, "registration/throttled.html", {"message": message}, status=429
    )


def confirmation_token(user) -> str:
    """A signed token naming the account and the address it confirms."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=CONFIRMATION_SALT)


def send_confirmation(request: HttpRequest, user) -> bool:
    """Mail ``user`` the link that confirms their address; ``False`` if the mail failed."""
    link = request.build_absolute_uri(reverse("confirm_email", args=[confirmation_token(user)]))
    context = {"user": user, "link": link, "days": CONFIRMATION_MAX_AGE // (24 * 3600)}
    try:
        send_mail(
            render_to_string("registration/confirm_email_subject.txt", context).strip(),
            render_to_string("registration/confirm_email.txt", context),
            None,
            [user.email],
        )
    except OSError:
        log.exception("The confirmation mail to account %s could not be sent", user.pk)
        return False
    return True


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, mail it a confirmation link, sign it in, and go on to
    ``?next=`` (if safe) or the front page. At most ``SIGNUPS_PER_ADDRESS``
    accounts per address an hour: past it, 429 and nothing is made."""
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    if request.method == "POST":
        address = client_address(request)
        if SIGNUPS_PER_ADDRESS.exceeded(address):
            return _throttled(request, TOO_MANY_SIGNUPS)
        form = SignUpForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                user = form.save()
                Registration.objects.create(user=user)
            SIGNUPS_PER_ADDRESS.hit(address)
            CONFIRMATION_MAILS_PER_ACCOUNT.hit(str(user.pk))
            send_confirmation(request, user)
            login(request, user, backend=MODEL_BACKEND)
            messages.info(
                request,
                f"Welcome. We sent a link to {user.email}: follow it to confirm your address "
                "before you publish notes for everyone.",
            )
            return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    else:
        form = SignUpForm()
    return TemplateResponse(request, "registration/signup.html", {"form": form, "next": next_url})


@never_cache
@require_GET
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """Follow a confirmation link: the account may publish to everyone from now on.

    A link that is forged, expired, or for an address the account no longer
    has answers 400 with what to do, and confirms nothing.
    """
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        data = None
    user = None
    if isinstance(data, dict):
        user = (
            get_user_model()
            ._default_manager.filter(pk=data.get("user"), email=data.get("email"), is_active=True)
            .first()
        )
    if user is None:
        context = {"valid": False, "days": CONFIRMATION_MAX_AGE // (24 * 3600)}
        return TemplateResponse(request, "registration/email_confirmed.html", context, status=400)
    Registration.objects.filter(user=user, email_confirmed__isnull=True).update(
        email_confirmed=timezone.now()
    )
    return TemplateResponse(request, "registration/email_confirmed.html", {"valid": True})


@login_required
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def confirmation(request: HttpRequest) -> HttpResponse:
    """Whether this account's address is confirmed; POST sends a new link
    (``CONFIRMATION_MAILS_PER_ACCOUNT`` an hour at most)."""
    registration = Registration.objects.filter(user=request.user).first()
    confirmed = registration is None or registration.email_confirmed is not None
    sent = False
    if request.method == "POST" and not confirmed:
        if not CONFIRMATION_MAILS_PER_ACCOUNT.hit(str(request.user.pk)):
            return _throttled(request, TOO_MANY_CONFIRMATIONS)
        sent = send_confirmation(request, request.user)
    context = {"confirmed": confirmed, "sent": sent, "email": request.user.email}
    return TemplateResponse(request, "registration/confirmation.html", context)


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password reset, limited per address and per account (see the module)."""

    def post(self, request, *args, **kwargs):
        if not RESETS_PER_ADDRESS.hit(client_address(request)):
            return _throttled(request, TOO_MANY_RESETS)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not RESET_MAILS_PER_ACCOUNT.hit(form.cleaned_data["email"]):
            # The page a sent mail shows: whether an account has this address stays unsaid.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


password_reset = ThrottledPasswordResetView.as_view()
