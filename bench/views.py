"""The benchmark's constant baseline: the cheapest page Django can serve."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Constant work: a fixed body of about a small page's head, no query, no template.
BODY = b"baseline " * 64


@never_cache
@require_GET
def baseline(request: HttpRequest) -> HttpResponse:
    """A fixed body through the whole middleware stack and no database: what every
    request costs before a page does anything (``bench/run.py``'s row (a))."""
    return HttpResponse(BODY, content_type="text/plain")
