"""Conditional requests for the reading room's pages: ETag → 304, and cache headers.

The validator is cheap and never lets stale content through:

* **The data version** — one row (``readingroom.ContentVersion``) that database
  triggers bump on every insert, update or delete of the data a page can show
  (every table of ``cables``, ``telegrams`` and ``annotations``, and users'
  names, flags and groups). The triggers run inside the writing transaction
  (PostgreSQL: a deferred constraint trigger, once per transaction, at commit;
  SQLite: per row), so the new version becomes visible exactly when the new
  data does. A page reads the version *before* its data, so a response is never
  older than the version in its ETag. Because it is the database that counts,
  every write path moves it: forms, the admin, ``QuerySet.update()``, bulk
  inserts, imports, raw SQL — and every app server sees the same number.
* **The release** — a hash of the project's code, templates and static files
  (every app of the project) and of the installed packages' versions, so a
  deployment invalidates every ETag (the same on every replica of one image).
* **The request** — path and query, the htmx headers the views branch on, and
  who asks (anonymous, or the signed-in user's id).

The version is global: any change anywhere changes every page's ETag. That
costs some 304s after a write, never correctness; a read-mostly archive rarely
writes. Anonymous responses carry ``Cache-Control: no-cache`` (a cache may keep
them but must revalidate each time) and ``Vary: Cookie, HX-Request,
HX-Target``; signed-in ones ``Cache-Control: private, no-cache`` so no shared
cache keeps them. A request with pending flash messages is answered in full.

Tables added later to the watched apps get their triggers at the next
``migrate`` (``install_triggers`` runs after every migrate and flush).

**The page cache.** Pages whose rendering is heavy and the same for many
readers (the reading view, the two comparisons, a participant's page, search,
the catalogue and the people index) also
keep their rendered body in the ``pages`` cache under the ETag — which already
names everything the body depends on: release, data version, viewer, address (host, path and
query), htmx target. A request whose ETag is cached is answered from it without
rendering (the data version query; signed in, also the user, and the session
row unless sessions are read from the shared cache). A
write anywhere moves the version, so no stale body can be found again; old
entries age out (local memory: least recently used; Redis: after a day).

The one per-request value inside a body is the CSRF token: a body meant for the
cache is rendered with a placeholder in its place (``csrf_placeholder``, a
context processor that overrides Django's), and is kept in parts between the
placeholders (``KeptBody``); every response — fresh or from the cache — gets the
requester's own token put in.

Nothing here compresses: the proxy in front (``deploy/nginx/readingroom.conf``)
compresses responses on their way out, and WhiteNoise serves static files
compressed ahead of time.

Neither ``migrate`` nor anything else empties the page cache: in Redis it may
share a database with the default cache and the sessions, and emptying it would
empty them too. It never needs to: a kept page is found only under its ETag, and
the ETag changes with the release (new code, templates or packages) and with the
data version (every write; a new database starts counting at a random number,
and every ``migrate`` moves it ahead at random, so a database restored from a
backup does not count through versions it reached before).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import secrets
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac

WATCHED_APPS = ("cables", "telegrams", "annotations", "search")
# auth_user: only the columns pages show or decide by (not last_login, set at every sign-in).
USER_COLUMNS = ("username", "first_name", "last_name", "email", "is_staff", "is_active")
EXTRA_TABLES = ("auth_user_groups",)
VERSION_TABLE = "readingroom_contentversion"
TRIGGER = "readingroom_version"
VARY = ("Cookie", "HX-Request", "HX-Target")

_release: str | None = None


def release_roots() -> list[str]:
    """The folders whose files make a release: the project's templates and static
    files, and every app of the project (the apps at the top of ``BASE_DIR``, not
    those installed as packages)."""
    base = Path(settings.BASE_DIR).resolve()
    project_apps = {
        Path(config.path).resolve().name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base
    }
    return ["templates", "static", *sorted(project_apps)]


def release() -> str:
    """A hash of the project's files and the installed packages (once per process).

    The packages count because they render too (Django's templates and forms,
    template partials): an image rebuilt with a newer one is a new release.
    """
    global _release
    if _release is None:
        digest = hashlib.blake2b(digest_size=8)
        base = Path(settings.BASE_DIR)
        for root in release_roots():
            for path in sorted((base / root).rglob("*")):
                if path.is_file() and path.suffix in {".py", ".html", ".css", ".js", ".txt"}:
                    digest.update(str(path.relative_to(base)).encode())
                    digest.update(path.read_bytes())
        packages = sorted(
            f"{dist.metadata['Name']}=={dist.version}"
            for dist in importlib.metadata.distributions()
        )
        digest.update("\n".join(packages).encode())
        _release = digest.hexdigest()
    return _release


def data_version(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The current data version (one primary-key query); ``None`` where triggers are missing."""
    conn = connections[using]
    if conn.vendor not in ("postgresql", "sqlite"):
        return None
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT counter FROM {VERSION_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


# Values of versioned(..., local=True): key -> (version, value), in this process.
local_values: dict[str, tuple[int, object]] = {}


def versioned(
    key: str, compute, *, request=None, version=None, local=False, timeout: int = 24 * 3600
):
    """``compute()``, kept in the default cache until the data version moves.

    For derived figures that cost a scan and change only with the data (the
    catalogue's count and years, the chronology's entries per day). Uses the
    version the page already read (``version``, or ``request.data_version``)
    when there is one. With ``local=True`` the value for the latest version is
    also kept in this process as it is, for values read on every request and
    costly to unpickle from the cache (the search's map of everyone's names).
    """
    if version is None:
        version = getattr(request, "data_version", None)
    if version is None:
        version = data_version()
    if version is None:
        return compute()
    if local:
        kept = local_values.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
    full_key = f"{key}:v{version}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    if local:
        local_values[key] = (version, value)
    return value


def page_etag(request, version: int) -> str:
    """The ETag of this page for this request at data version ``version``."""
    user = getattr(request, "user", None)
    who = f"u{user.pk}" if user is not None and user.is_authenticated else "anon"
    parts = [
        release(),
        str(version),
        who,
        # The host: absolute links in a page (citation tags, COinS) name it.
        request.build_absolute_uri(request.get_full_path()),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-Target", ""),
    ]
    return '"' + hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest() + '"'


def _headers(request, response) -> None:
    patch_vary_headers(response, VARY)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, no_cache=True)


# A word that cannot occur in a page by accident (tokens are 64 letters and digits)
# nor on purpose: it is derived from SECRET_KEY (the same in every worker and
# replica of one deployment), so nobody can put it in a page through a query
# (?q=, ?hl=) and have their own CSRF token written into the address they share.
CSRF_PLACEHOLDER = "csrf-" + salted_hmac("readingroom.caching.placeholder", "csrf").hexdigest()
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
PAGE_CACHE = "pages"
# Bodies above this size are not kept (a page that large is rare and cheap to skip).
PAGE_CACHE_MAX_BYTES = 512_000
# Response headers a cached page must carry again (the rest are set per request).
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def csrf_placeholder(request) -> dict:
    """Context processor: the CSRF placeholder while a body for the page cache renders."""
    if getattr(request, "_page_cache_render", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


@dataclass(frozen=True)
class KeptBody:
    """A rendered body as the page cache keeps it: its headers, and the body split at
    its CSRF placeholders, so that each response puts its requester's own token in."""

    headers: tuple[tuple[str, str], ...]
    parts: tuple[bytes, ...]

    @classmethod
    def of(cls, headers, content: bytes) -> KeptBody:
        return cls(tuple(headers), tuple(content.split(_PLACEHOLDER)))

    def response(self, request) -> HttpResponse:
        """This body for this request, with the requester's own CSRF token."""
        token = get_token(request).encode() if len(self.parts) > 1 else b""
        response = HttpResponse(token.join(self.parts))
        for name, value in self.headers:
            response[name] = value
        return response


def _from_cache(request, etag: str) -> HttpResponse | None:
    kept = caches[PAGE_CACHE].get(etag)
    return kept.response(request) if isinstance(kept, KeptBody) else None


def _to_cache(request, etag: str, response) -> HttpResponse:
    """Keep a fresh 200 body under its ETag; the response the requester gets.

    Anything else (an error page, a response setting cookies) goes out as it
    is, with the requester's token in place of the placeholder.
    """
    if getattr(response, "streaming", False):
        return response
    content = response.content
    if response.status_code != 200 or response.cookies:
        if _PLACEHOLDER in content:
            response.content = content.replace(_PLACEHOLDER, get_token(request).encode())
        return response
    headers = [
        (name, value)
        for name, value in response.items()
        if name in _KEPT_HEADERS or name.startswith("HX-")
    ]
    kept = KeptBody.of(headers, content)
    if len(content) <= PAGE_CACHE_MAX_BYTES and request.method == "GET":
        caches[PAGE_CACHE].set(etag, kept)
    return kept.response(request)


def conditional_page(view=None, *, store: bool = False):
    """Answer GET/HEAD with 304 when the client's ETag is current; set the cache headers.

    Adds one query (the data version) to the page; a 304 costs that query alone
    (plus what signing in costs: the user, and the session row unless sessions
    come from the shared cache). Only 200 responses get
    an ETag; a request with pending flash messages is always answered in full
    (and never from or into the page cache).

    With ``store=True`` the rendered body is also kept in the page cache under
    the ETag, and later requests for the same ETag are answered from it. A
    kept response carries only the headers in ``_KEPT_HEADERS`` (and htmx's
    ``HX-*``); the rest are set again per request here and by the middleware.
    """
    if view is None:
        return lambda v: conditional_page(v, store=store)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        etag = None
        if request.method in ("GET", "HEAD") and not len(messages.get_messages(request)):
            version = data_version()
            request.data_version = version
            if version is not None:
                etag = page_etag(request, version)
                not_modified = get_conditional_response(request, etag=etag)
                if not_modified is not None:
                    not_modified["ETag"] = etag
                    _headers(request, not_modified)
                    return not_modified
        cached = _from_cache(request, etag) if etag and store else None
        if cached is not None:
            response = cached
        elif etag and store:
            request._page_cache_render = True
            try:
                response = view(request, *args, **kwargs)
            finally:
                request._page_cache_render = False
            response = _to_cache(request, etag, response)
        else:
            response = view(request, *args, **kwargs)
        if etag and response.status_code == 200 and not response.has_header("ETag"):
            response["ETag"] = etag
        _headers(request, response)
        return response

    return wrapped


# Triggers -------------------------------------------------------------------


def watched_tables() -> list[tuple[str, tuple[str, ...] | None]]:
    """(table, columns whose update counts — None for all) for every watched table."""
    tables: list[tuple[str, tuple[str, ...] | None]] = []
    for label in WATCHED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.managed and not meta.proxy and not meta.swapped:
                tables.append((meta.db_table, None))
    tables.append(("auth_user", USER_COLUMNS))
    tables += [(t, None) for t in EXTRA_TABLES]
    return tables


PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Once per transaction, at commit (the trigger is deferred): bump the version.
    IF current_setting('{TRIGGER}.bumped', true) IS DISTINCT FROM '1' THEN
        INSERT INTO {VERSION_TABLE} (id, counter) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET counter = {VERSION_TABLE}.counter + 1;
        PERFORM set_config('{TRIGGER}.bumped', '1', true);
    END IF;
    RETURN NULL;
END $$;
"""


def install_triggers(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> int:
    """(Re)install the version triggers on every existing watched table; return how many.

    Connected to ``post_migrate``; idempotent but for the data version, which
    moves on (every ETag changes once). PostgreSQL and SQLite only.
    """
    conn = connections[using]
    if conn.vendor not in ("postgresql", "sqlite"):
        return 0
    existing = set(conn.introspection.table_names())
    if VERSION_TABLE not in existing:
        return 0
    q = conn.ops.quote_name
    # The versions never repeat those of another database, or of this one before a
    # restore, which app servers and a shared page cache may still hold pages
    # under (so the page cache need never be emptied: see the module's docstring).
    # A new database starts counting at a random number; an existing one jumps
    # ahead by a random amount, so a database restored from a backup (and
    # migrated, as every app container's start does) leaves behind the versions
    # it had reached before. Room for millions of migrations in a BIGINT.
    start, jump = secrets.randbelow(2**40), secrets.randbelow(2**40) + 1
    count = 0
    with transaction.atomic(using=using), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Several app servers may migrate at once: one installs at a time.
            cursor.execute("SELECT pg_advisory_xact_lock(4711)")
        cursor.execute(f"UPDATE {VERSION_TABLE} SET counter = counter + %s WHERE id = 1", [jump])
        if conn.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {VERSION_TABLE} (id, counter) VALUES (1, %s) ON CONFLICT DO NOTHING",
                [start],
            )
            cursor.execute(PG_FUNCTION)
        else:
            cursor.execute(
                f"INSERT OR IGNORE INTO {VERSION_TABLE} (id, counter) VALUES (1, %s)", [start]
            )
        for table, columns in watched_tables():
            if table not in existing:
                continue
            update = f"UPDATE OF {', '.join(q(c) for c in columns)}" if columns else "UPDATE"
            if conn.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {q(table)}")
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR DELETE OR {update} "
                    f"ON {q(table)} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    f"EXECUTE FUNCTION {TRIGGER}_bump()"
                )
            else:
                for event in ("INSERT", "DELETE", update):
                    name = q(f"{TRIGGER}_{table}_{event.split()[0].lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {event} ON {q(table)} BEGIN "
                        f"UPDATE {VERSION_TABLE} SET counter = counter + 1 WHERE id = 1; END"
                    )
            count += 1
    return count


def bump(using: str = DEFAULT_DB_ALIAS) -> None:
    """Bump the data version by hand (for writes to tables the triggers do not watch)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"UPDATE {VERSION_TABLE} SET counter = counter + 1 WHERE id = 1")
