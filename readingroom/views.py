"""Project-wide views that belong to no app."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """A constant "ok" (no query): the health check, and the benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")
