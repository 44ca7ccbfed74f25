"""Signing up for the reading room.

Signing in and out, and changing or resetting a password, are Django's own
views (``django.contrib.auth.urls``) with the templates in
``templates/registration/``. This module adds the one thing Django does not
ship: a sign-up page.

Roles follow from the user's flags, with no extra model: an anonymous visitor
reads; any signed-in user is a researcher (annotates, joins research groups);
``is_staff`` makes an editor (admin data entry, hiding annotations);
``is_superuser`` an administrator. Research groups are managed in the admin.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import UserCreationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods


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


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, sign it in, and go on to ``?next=`` (if safe) or the front page."""
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    if request.method == "POST":
        form = SignUpForm(request.POST)
        if form.is_valid():
            user = form.save()
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    else:
        form = SignUpForm()
    return TemplateResponse(request, "registration/signup.html", {"form": form, "next": next_url})
