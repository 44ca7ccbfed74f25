"""Counting requests per account and per address, for the sign-up and password-reset limits.

Sign-in failures are django-axes' job (its ``AccessAttempt`` rows, shown and
deleted in the admin to unlock an account or address); the pages Django does
not guard (sign-up, password reset, the confirmation mail) count here, in the
default cache: with Redis (``CACHE_URL``) one count for every app server,
without it one per process. Each limit is a fixed window: ``count`` uses in
``seconds`` from the first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The address the request came from.

    ``REMOTE_ADDR``, or behind the site's own proxy (``BEHIND_PROXY``: nginx in
    docker-compose) the last address of ``X-Forwarded-For``, which that proxy
    appended: the ones before it are the client's to write and prove nothing.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            address = forwarded[-1]
    return address


@dataclass(frozen=True)
class Limit:
    """At most ``count`` uses of ``name`` per key (an address, an account) in ``seconds``."""

    name: str
    count: int
    seconds: int

    def _key(self, key: str) -> str:
        digest = hashlib.blake2b(key.casefold().encode(), digest_size=12).hexdigest()
        return f"throttle:{self.name}:{digest}"

    def exceeded(self, key: str) -> bool:
        """Whether ``key`` has used up this limit (reads the count, counts nothing)."""
        return (cache.get(self._key(key)) or 0) >= self.count

    def hit(self, key: str) -> bool:
        """Count one use; ``False`` (and nothing more counted) once the limit is used up."""
        full = self._key(key)
        cache.add(full, 0, self.seconds)
        try:
            used = cache.incr(full)
        except ValueError:  # expired between add() and incr()
            cache.set(full, 1, self.seconds)
            used = 1
        return used <= self.count


HOUR = 3600
SIGNUPS_PER_ADDRESS = Limit("signup-address", 3, HOUR)
RESETS_PER_ADDRESS = Limit("reset-address", 5, HOUR)
RESET_MAILS_PER_ACCOUNT = Limit("reset-account", 3, HOUR)
CONFIRMATION_MAILS_PER_ACCOUNT = Limit("confirm-account", 3, HOUR)
