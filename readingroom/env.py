"""Strict readers for settings taken from the environment.

A value that cannot be understood is an error at start-up, never a silent
default: ``DEBUG=yes`` stops the server instead of meaning "off".
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "on"}
_FALSE = {"0", "false", "off"}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (or 1/0, on/off), not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must not be negative, not {raw!r}")
    return value


# EMAIL_URL schemes: the backend, whether it speaks TLS from the start (SSL) or
# after STARTTLS, and the port when the URL names none.
_EMAIL_SCHEMES = {
    "smtp": ("django.core.mail.backends.smtp.EmailBackend", False, False, 25),
    "smtp+tls": ("django.core.mail.backends.smtp.EmailBackend", True, False, 587),
    "submission": ("django.core.mail.backends.smtp.EmailBackend", True, False, 587),
    "smtps": ("django.core.mail.backends.smtp.EmailBackend", False, True, 465),
    "smtp+ssl": ("django.core.mail.backends.smtp.EmailBackend", False, True, 465),
    "console": ("django.core.mail.backends.console.EmailBackend", False, False, None),
    "file": ("django.core.mail.backends.filebased.EmailBackend", False, False, None),
    "locmem": ("django.core.mail.backends.locmem.EmailBackend", False, False, None),
    "dummy": ("django.core.mail.backends.dummy.EmailBackend", False, False, None),
}


def email_settings(url: str) -> dict:
    """Django's e-mail settings from one URL (``EMAIL_URL``).

    ``smtp://user:password@host:25``, ``smtp+tls://…`` (STARTTLS, port 587 unless
    given), ``smtps://…`` (TLS from the start, port 465 unless given); user and
    password percent-encoded (``%40`` for ``@``). ``?timeout=10`` sets
    ``EMAIL_TIMEOUT``. ``console://`` prints mail, ``file:///path`` writes it to
    a folder, ``locmem://`` and ``dummy://`` keep or drop it. Anything else is an
    error at start-up, with the URL's password left out of the message.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    if scheme not in _EMAIL_SCHEMES:
        known = ", ".join(f"{s}://" for s in _EMAIL_SCHEMES)
        raise ImproperlyConfigured(f"EMAIL_URL must start with one of {known}; not {shown!r}")
    backend, use_tls, use_ssl, default_port = _EMAIL_SCHEMES[scheme]
    settings: dict = {"EMAIL_BACKEND": backend}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL file:// needs a folder: file:///var/mail/rr")
        settings["EMAIL_FILE_PATH"] = unquote(parts.path)
        return settings
    if default_port is None:
        return settings
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"EMAIL_URL has a port that is no number: {shown!r}") from None
    if not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL names no host: {shown!r}")
    settings |= {
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": 10,  # a mail server that hangs does not hang the request
    }
    query = parse_qs(parts.query)
    unknown = set(query) - {"timeout"}
    if unknown:
        raise ImproperlyConfigured(f"EMAIL_URL takes only ?timeout=, not {sorted(unknown)}")
    if "timeout" in query:
        try:
            settings["EMAIL_TIMEOUT"] = int(query["timeout"][-1])
        except ValueError:
            raise ImproperlyConfigured("EMAIL_URL's timeout must be whole seconds") from None
    return settings
