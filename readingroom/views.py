"""Project-wide views that belong to no app: the health check and the outage page."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# How long a client should wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 30


def _database_answers() -> bool:
    """Whether the database answers a ``SELECT 1`` (one query)."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return False
    return True


def _caches_answer() -> list[str]:
    """The caches (by alias) that do not answer a read: a shared cache that is down.

    A local-memory or dummy cache always answers; Redis answers a ``GET`` or raises.
    """
    failing = []
    for alias in settings.CACHES:
        try:
            caches[alias].get("readingroom-healthz")
        except Exception:  # redis' ConnectionError, TimeoutError...: whatever the client raises
            logger.warning("Health check: the cache %r does not answer", alias, exc_info=True)
            failing.append(alias)
    return failing


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """ "ok" when the database (one query) and the caches answer; 503 naming what does not.

    Load balancers and docker-compose's healthchecks ask it; the benchmark's
    baseline is ``bench.views.baseline``, not this.
    """
    failing = [] if _database_answers() else ["database"]
    failing += [f"cache {alias}" for alias in _caches_answer()]
    if failing:
        response = HttpResponse(
            "unavailable: " + ", ".join(failing), content_type="text/plain", status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a calm 503 page with ``Retry-After`` when the database is away
    (it refuses connections, or drops them), else Django's own 500.

    Django calls ``handler500`` while it handles the uncaught exception, from a view
    or from a middleware (the session, the signed-in user, the version query), so
    the exception at hand is the one that went uncaught. The outage page renders
    without the request's context, which would ask the database for the user again.
    An error in the SQL itself (``ProgrammingError``, ``IntegrityError``) is a bug,
    not an outage, and stays a 500.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        html = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)
