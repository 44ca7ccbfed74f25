"""Request and response helpers every app shares."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type hints in views)."""

    htmx: HtmxDetails


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark ``response`` as a file to save under ``filename``."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def display_name(user) -> str:
    """A person's name as shown and exported: full name, else the username."""
    return user.get_full_name() or user.get_username()
