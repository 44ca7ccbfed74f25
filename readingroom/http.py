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


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula: text starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (OWASP's CSV
    injection rule). A leading ``-`` counts whatever follows it (a spreadsheet reads
    ``- 2+3`` as a sum too), so a Markdown list item is quoted like the rest. Every
    CSV the site writes (the catalogue's, the annotations', the network's) writes each
    text cell through it."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
