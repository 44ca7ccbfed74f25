"""Conditional requests for the reading room's pages: ETag → 304, and cache headers.

The validator is cheap and never lets stale content through:

* **The data versions of what the page shows** — rows of
  ``readingroom.Version``, one per *scope*, that database triggers bump on
  every insert, update or delete of the data a page can show (every table of
  ``cables``, ``telegrams``, ``annotations`` and ``search``, and users'
  names, flags and groups). The scopes (``RULES`` says which table moves
  which):

  - ``cable:<slug>`` — one cable: its rows, its passages' mentions, marks,
    telegrams and agenda items, and the notes on it; a link moves the cables
    at both of its ends (a link shows at both), and so do edits and replies
    to its note. The trigger finds the cable through the row's ``cable_id``,
    ``passage_id`` or note.
  - ``archive`` — what pages of many cables show: people, aliases, sides,
    collections, agendas, research groups, users' names and flags, and any
    *update* of a cable or passage row (a cable's title and a passage's label
    show on the pages of cables linked to it). Every page reads it.
  - the aggregates ``records`` (any cable's records) and ``notes`` (anyone's
    notes, and the search index), for the pages over the whole archive. Each
    is kept in ``SHARDS`` rows, read as their sum; a writing transaction bumps
    one that no other transaction holds (``FOR UPDATE SKIP LOCKED``), so
    writers on different cables never queue on one row.

  The triggers run inside the writing transaction (PostgreSQL: a deferred
  constraint trigger per row, at commit, bumping each scope once per
  transaction; SQLite: per row), so new versions become visible exactly when
  the new data does. A page reads its versions (one query) *before* its data,
  so a response is never older than the versions in its ETag. Because it is
  the database that counts, every write path moves them: forms, the admin,
  ``QuerySet.update()``, bulk inserts, imports, raw SQL — and every app server
  sees the same numbers. Each view names its scopes
  (``conditional_page(scopes=...)``): the reading view its cable's, the split
  view its two texts' and the records (its picker lists every text), the
  catalogue, a person's page, the chronology and the agenda comparison the
  records, the search the records and the notes, the people index the
  archive alone.
* **The release** — a hash of the project's code, templates and static files
  (every app of the project) and of the installed packages' versions, so a
  deployment invalidates every ETag (the same on every replica of one image).
* **The request** — path and query, the htmx headers the views branch on, and
  who asks (anonymous, or the signed-in user's id).

So a note on cable A leaves cable B's ETags and kept pages valid, while A's
reading view, split views with A, and the search move. Editorial writes to the
archive move every page: rare, and never stale. Anonymous responses carry
``Cache-Control: no-cache`` (a cache may keep them but must revalidate each
time) and ``Vary: Cookie, HX-Request, HX-Target``; signed-in ones
``Cache-Control: private, no-cache`` so no shared cache keeps them. A request
with pending flash messages is answered in full.

Tables added later to the watched apps get their triggers at the next
``migrate`` (``install_triggers`` runs after every migrate and flush).

**The page cache.** Pages whose rendering is heavy and the same for many
readers (the reading view, the two comparisons, a participant's page, search,
the catalogue and the people index) also
keep their rendered body in the ``pages`` cache under the ETag — which already
names everything the body depends on: release, the versions of its scopes,
viewer, address (host, path and query), htmx target. A request whose ETag is cached is answered
from it without rendering (the versions query; signed in, also the user, and
the session row unless sessions are read from the shared cache). A write to
what a page shows moves its versions, so no stale body can be found again; old
entries age out (local memory: least recently used; Redis: after a day).

The one per-request value inside a body is the CSRF token: a body meant for the
cache is rendered with a placeholder in its place (``csrf_placeholder``, a
context processor that overrides Django's), and is kept in parts between the
placeholders (``KeptBody``); every response — fresh or from the cache — gets the
requester's own token put in. The placeholder is text that escaping never
writes (``&rr-csrf-…;``, left as it is only because the template's token is a
SafeString), so it is found only where the template put the token: a note or a
query that contains its text shows it as typed (``CSRF_PLACEHOLDER``).

Nothing here compresses: the proxy in front (``deploy/nginx/readingroom.conf``)
compresses responses on their way out, and WhiteNoise serves static files
compressed ahead of time.

Neither ``migrate`` nor anything else empties the page cache: in Redis it may
share a database with the default cache and the sessions, and emptying it would
empty them too. It never needs to: a kept page is found only under its ETag, and
the ETag changes with the release (new code, templates or packages) and with the
versions (every write to what it shows). Every page's versions include the
archive's: a new database starts it at a random number, and every ``migrate``
moves it ahead at random, so a database restored from a backup does not count
through versions it reached before (new scope rows start at random too).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import secrets
from contextlib import contextmanager
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
from django.utils.safestring import SafeString

WATCHED_APPS = ("cables", "telegrams", "annotations", "search")
# auth_user: only the columns pages show or decide by (not last_login, set at every sign-in).
USER_COLUMNS = ("username", "first_name", "last_name", "email", "is_staff", "is_active")
EXTRA_TABLES = ("auth_user", "auth_user_groups")
VERSION_TABLE = "readingroom_version"
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


# Scopes ---------------------------------------------------------------------

ARCHIVE = "archive"  # what any page may show: people, sides, agendas, users' names...
RECORDS = "records"  # any cable's records (an aggregate, kept in SHARDS rows)
NOTES = "notes"  # anyone's notes and the search index (an aggregate, in SHARDS rows)
AGGREGATES = (RECORDS, NOTES)
EVERYTHING = AGGREGATES  # with ARCHIVE (always read): moves with every write
# More rows than writers at once: a writer takes a shard nobody holds (SKIP LOCKED).
SHARDS = 16


def cable_scope(slug: str) -> str:
    """The scope of one cable: its records, and the notes on it or linking to it."""
    return f"cable:{slug}"


def text_scopes(*keys: str) -> list[str]:
    """The scopes of texts named by the split view's keys (``cable:<slug>``,
    ``telegram:<slug>:<n>``, ``passage:<slug>:<anchor>``, ``agenda:<slug>``): a
    cable's own scope; an agenda needs none beyond the archive and the records;
    words to look a text up by could find any cable, so they need every aggregate."""
    scopes = [RECORDS]
    for key in keys:
        key = key.strip()
        kind, _, rest = key.partition(":")
        if kind in ("cable", "telegram", "passage"):
            scopes.append(cable_scope(rest.partition(":")[0]))
        elif key and kind != "agenda":
            scopes += EVERYTHING
    return scopes


def shard_names(kind: str) -> list[str]:
    return [f"{kind}.{n}" for n in range(SHARDS)]


class Versions(dict):
    """The versions a page read: scope → counter (an aggregate's is the sum of its shards).

    Always holds ``archive``. ``token`` names them all (for the ETag);
    ``token_of(scopes)`` names a part (for ``versioned`` values)."""

    def covers(self, scopes) -> bool:
        return all(s in self for s in scopes)

    def token_of(self, scopes) -> str:
        wanted = sorted({ARCHIVE, *scopes})
        return ";".join(f"{s}={self[s]}" for s in wanted)

    @property
    def token(self) -> str:
        return self.token_of(self)


def read_versions(scopes=EVERYTHING, using: str = DEFAULT_DB_ALIAS) -> Versions | None:
    """The versions of ``scopes`` and of the archive, in one primary-key query;
    ``None`` where triggers are missing (a database other than PostgreSQL or SQLite).

    A scope no write has touched yet reads 0 (with the archive, which starts at
    random and jumps at every migrate, no page's versions ever repeat)."""
    conn = connections[using]
    if conn.vendor not in ("postgresql", "sqlite"):
        return None
    wanted = {ARCHIVE, *scopes}
    rows = sorted({name for s in wanted for name in (shard_names(s) if s in AGGREGATES else [s])})
    with conn.cursor() as cursor:
        marks = ", ".join(["%s"] * len(rows))
        cursor.execute(f"SELECT scope, counter FROM {VERSION_TABLE} WHERE scope IN ({marks})", rows)
        found = dict(cursor.fetchall())
    versions = Versions()
    for scope in wanted:
        if scope in AGGREGATES:
            versions[scope] = sum(found.get(name, 0) for name in shard_names(scope))
        else:
            versions[scope] = found.get(scope, 0)
    return versions


def data_version(using: str = DEFAULT_DB_ALIAS) -> Versions | None:
    """The versions of everything (archive and both aggregates): moves with every write."""
    return read_versions(EVERYTHING, using)


# Values of versioned(..., local=True): key -> (versions token, value), in this process.
local_values: dict[str, tuple[str, object]] = {}


def versioned(
    key: str,
    compute,
    *,
    scopes=EVERYTHING,
    request=None,
    version: Versions | None = None,
    local: bool = False,
    timeout: int = 24 * 3600,
):
    """``compute()``, kept in the default cache until the versions of ``scopes`` move.

    For derived figures that cost a scan and change only with the data (the
    catalogue's count and years: ``RECORDS``; the people index's letters and
    the search's names: the archive alone, ``scopes=()``). Uses the versions
    the page already read (``version``, or ``request.data_version``) when they
    cover ``scopes``, else reads them (one query). With ``local=True`` the
    value for the latest versions is also kept in this process as it is, for
    values read on every request and costly to unpickle from the cache (the
    search's map of everyone's names).
    """
    scopes = tuple(scopes)
    for known in (version, getattr(request, "data_version", None)):
        if isinstance(known, Versions) and known.covers(scopes):
            version = known
            break
    else:
        version = read_versions(scopes)
    if version is None:
        return compute()
    token = version.token_of(scopes)
    if local:
        kept = local_values.get(key)
        if kept is not None and kept[0] == token:
            return kept[1]
    digest = hashlib.blake2b(token.encode(), digest_size=12).hexdigest()
    full_key = f"{key}:v{digest}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout)
    if local:
        local_values[key] = (token, value)
    return value


def page_etag(request, version: Versions) -> str:
    """The ETag of this page for this request at the versions ``version``."""
    user = getattr(request, "user", None)
    who = f"u{user.pk}" if user is not None and user.is_authenticated else "anon"
    parts = [
        release(),
        version.token,
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


# Where the template put the CSRF token, by construction: the placeholder starts
# with "&" and ends with ";" but names no character HTML knows, and it is a
# SafeString, so the template writes it as it is. Everything else a page shows
# (notes, names, a query typed into ?q= or ?hl=) is escaped on its way in
# (autoescape, format_html, ``escape`` in spans and snippets, nh3's serializer
# for a note's Markdown), and escaping writes every "&" as "&amp;": user content
# that contains the placeholder's text comes out as "&amp;rr-csrf-…;", which is
# not the placeholder, and renders as typed. (It is also derived from SECRET_KEY,
# so it is not known outside the deployment, for what that adds.)
CSRF_PLACEHOLDER = SafeString(
    "&rr-csrf-" + salted_hmac("readingroom.caching.placeholder", "csrf").hexdigest() + ";"
)
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


@contextmanager
def rendering_for_cache(request):
    """While inside, ``request``'s body is rendered to be kept: with the CSRF
    placeholder (``csrf_placeholder``), for the page cache or a kept page."""
    request._page_cache_render = True
    try:
        yield request
    finally:
        request._page_cache_render = False


def conditional_page(view=None, *, store: bool = False, scopes=EVERYTHING):
    """Answer GET/HEAD with 304 when the client's ETag is current; set the cache headers.

    ``scopes`` names what the page shows, so that its ETag (and its kept body)
    moves with exactly those writes: a list of scopes (``RECORDS``, ``NOTES``,
    ``cable_scope(slug)``; the archive always counts), or a callable given the
    view's arguments, ``scopes(request, *args, **kwargs)``, that returns one
    without a query (the reading view: ``lambda request, slug:
    [cable_scope(slug)]``). The default, every aggregate, moves with every write.

    Adds one query (the versions, read before anything the view reads, so a
    response is never older than its ETag); a 304 costs that query alone (plus
    what signing in costs: the user, and the session row unless sessions come
    from the shared cache). The versions read are ``request.data_version``
    (a ``Versions``), for ``versioned`` values. Only 200 responses get an
    ETag; a request with pending flash messages is always answered in full
    (and never from or into the page cache).

    With ``store=True`` the rendered body is also kept in the page cache under
    the ETag, and later requests for the same ETag are answered from it. A
    kept response carries only the headers in ``_KEPT_HEADERS`` (and htmx's
    ``HX-*``); the rest are set again per request here and by the middleware.
    """
    if view is None:
        return lambda v: conditional_page(v, store=store, scopes=scopes)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        etag = None
        if request.method in ("GET", "HEAD") and not len(messages.get_messages(request)):
            wanted = scopes(request, *args, **kwargs) if callable(scopes) else scopes
            version = read_versions(wanted)
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
            with rendering_for_cache(request):
                response = view(request, *args, **kwargs)
            response = _to_cache(request, etag, response)
        else:
            response = view(request, *args, **kwargs)
        if etag and response.status_code == 200 and not response.has_header("ETag"):
            response["ETag"] = etag
        _headers(request, response)
        return response

    wrapped.kept_in_page_cache = store  # for the tests that go over every kept page
    return wrapped


# Triggers -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Which versions a write to one table moves.

    ``kind``: the aggregate it counts in (``RECORDS`` or ``NOTES``), or
    ``ARCHIVE`` for the entities every page may show. ``cables``: SQL whose
    rows are the ids of the cables a row belongs to (``{r}`` stands for the
    row, ``NEW`` or ``OLD``); each of those cables' scopes moves.
    ``slugs``: SQL for slugs directly (a cable's own row, so that a deleted
    cable still moves). ``archive_on_update``: an update also moves the archive
    (a cable's title or a passage's label show on the pages of cables linked to
    it). ``columns``: only updates of these count (``None``: all).
    """

    kind: str
    cables: str = ""
    slugs: str = ""
    archive_on_update: bool = False
    columns: tuple[str, ...] | None = None


_OF_PASSAGE = "SELECT cable_id FROM cables_passage WHERE id = {r}.passage_id"
# The cables a note belongs to: its passage's, and those its link (or its
# parent's, for a reply) points into — a link shows at both of its ends.
_LINKED_FROM = (
    "SELECT p.cable_id FROM annotations_link l JOIN cables_passage p "
    "ON p.id = l.target_passage_id WHERE l.annotation_id IN ({ids}) "
    "UNION SELECT target_cable_id FROM annotations_link WHERE annotation_id IN ({ids})"
)
_OF_NOTE = (
    "SELECT p.cable_id FROM annotations_annotation a JOIN cables_passage p "
    "ON p.id = a.passage_id WHERE a.id = {r}.annotation_id UNION "
) + _LINKED_FROM.replace("{ids}", "{r}.annotation_id")

# Every table of the watched apps, and auth's. A table without a rule moves the
# archive (every page), which is never stale; test_versions checks each has one.
RULES: dict[str, Rule] = {
    "cables_side": Rule(ARCHIVE),
    "cables_participant": Rule(ARCHIVE),
    "cables_alias": Rule(ARCHIVE),
    "cables_collection": Rule(ARCHIVE),
    "cables_cable": Rule(
        RECORDS,
        slugs="SELECT {r}.slug",
        cables="SELECT {r}.translation_of_id",
        archive_on_update=True,
    ),
    # A cable joining or leaving a collection changes its neighbours' "previous"
    # and "next" (reading.layers), so membership is the archive's (rare: imports
    # and editors), and the cable's own scope moves too.
    "cables_cable_collections": Rule(ARCHIVE, cables="SELECT {r}.cable_id"),
    "cables_cable_related": Rule(
        RECORDS, cables="SELECT {r}.from_cable_id UNION SELECT {r}.to_cable_id"
    ),
    "cables_passage": Rule(RECORDS, cables="SELECT {r}.cable_id", archive_on_update=True),
    "cables_handling": Rule(RECORDS, cables="SELECT {r}.cable_id"),
    "cables_mention": Rule(RECORDS, cables=_OF_PASSAGE),
    "cables_sourcemark": Rule(RECORDS, cables=_OF_PASSAGE),
    "telegrams_telegram": Rule(RECORDS, cables=_OF_PASSAGE),
    "telegrams_telegramrecipient": Rule(
        RECORDS, cables="SELECT cable_id FROM cables_passage WHERE id = {r}.telegram_id"
    ),
    "telegrams_agenda": Rule(ARCHIVE),
    "telegrams_agendaitem": Rule(RECORDS, cables=_OF_PASSAGE),
    # A reference shows on its own cable's page (its span, the thread strip) and on
    # the cable it resolves to (the strip's "answered by"); issue 16.
    "telegrams_reference": Rule(RECORDS, cables=_OF_PASSAGE + " UNION SELECT {r}.target_cable_id"),
    # The want-list: the admin's alone.
    "telegrams_missingrecord": Rule(RECORDS),
    # Shown on the agenda comparison only (which reads the records), not beside passages.
    "telegrams_correspondence": Rule(RECORDS),
    "annotations_researchgroup": Rule(ARCHIVE),
    "annotations_researchgroup_members": Rule(ARCHIVE),
    # A new tag shows nowhere until a note carries it (annotation_tags); a renamed one
    # shows on every note that does.
    "annotations_tag": Rule(NOTES, archive_on_update=True),
    "annotations_annotation": Rule(
        NOTES,
        cables=_OF_PASSAGE + " UNION " + _LINKED_FROM.replace("{ids}", "{r}.id, {r}.parent_id"),
    ),
    "annotations_annotation_tags": Rule(NOTES, cables=_OF_NOTE),
    "annotations_link": Rule(
        NOTES,
        cables=(
            "SELECT p.cable_id FROM annotations_annotation a JOIN cables_passage p "
            "ON p.id = a.passage_id WHERE a.id = {r}.annotation_id "
            "UNION SELECT cable_id FROM cables_passage WHERE id = {r}.target_passage_id "
            "UNION SELECT {r}.target_cable_id"
        ),
    ),
    "annotations_passagerevision": Rule(RECORDS, cables=_OF_PASSAGE),
    # Review history and readers' flags show on no reader's page (the admin alone);
    # the decisions themselves are columns of the note, which move its cable.
    "annotations_reviewevent": Rule(NOTES),
    "annotations_flag": Rule(NOTES),
    # The search index: read by the search page alone (which reads both aggregates).
    "cables_searchentry": Rule(NOTES),
    "auth_user": Rule(ARCHIVE, columns=USER_COLUMNS),
    "auth_user_groups": Rule(ARCHIVE),
}


def watched_tables() -> list[tuple[str, Rule]]:
    """(table, its rule) for every watched table (a table without a rule: the archive's)."""
    tables: list[str] = []
    for label in WATCHED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.managed and not meta.proxy and not meta.swapped:
                tables.append(meta.db_table)
    tables += EXTRA_TABLES
    return [(table, RULES.get(table, Rule(ARCHIVE))) for table in tables]


def _scopes_sql(rule: Rule, row: str, vendor: str = "postgresql") -> str:
    """SQL whose rows (column ``s``) are the cable scopes a row moves."""
    parts = []
    if rule.cables and vendor == "sqlite":
        ids = rule.cables.format(r=row)
        parts.append(f"SELECT 'cable:' || slug AS s FROM cables_cable WHERE id IN ({ids})")
    elif rule.cables:
        ids = rule.cables.format(r=row)
        # = ANY(ARRAY(...)), not IN (...): PostgreSQL plans IN as a join and, with
        # the plan the trigger caches while the tables are still small, scanned
        # every cable for each written row (a bulk import slowed as the archive
        # grew: 18 cables/s at 1,000). The array is computed first and the cable
        # is found by its primary key.
        parts.append(f"SELECT 'cable:' || slug AS s FROM cables_cable WHERE id = ANY(ARRAY({ids}))")
    if rule.slugs:
        parts.append(f"SELECT 'cable:' || t.v AS s FROM ({rule.slugs.format(r=row)} AS v) t")
    return " UNION ".join(parts)


_RANDOM_START = "1 + floor(random() * 1099511627776)::bigint"

# How many settings ``_bump`` lists the scopes of a transaction in. Not one setting
# per scope, as it had: PostgreSQL 15 keeps the name of every setting a session has
# used until it ends, and sorts them all again for each new name, so a session
# that wrote to many cables slowed as it went (generating 100,000 cables: the
# commit of 1,000 took a minute at 45,000; 5,000 new names in an empty session take
# 3.4 s, the next 5,000 13 s). With a fixed number of names a session sorts them
# once; a transaction's scopes are found in a list per bucket (issue 13).
FLAG_BUCKETS = 256

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}_bump(target text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    -- Once per scope and transaction: the scopes moved so far are listed in one of
    -- {FLAG_BUCKETS} settings, the transaction's own (is_local), picked by the scope's hash.
    flag text := '{TRIGGER}.b' || (hashtext(target) & {FLAG_BUCKETS - 1});
    seen text;
BEGIN
    IF target IS NULL THEN
        RETURN;
    END IF;
    seen := coalesce(current_setting(flag, true), '');
    IF position(E'\\n' || target || E'\\n' IN seen) > 0 THEN
        RETURN;
    END IF;
    INSERT INTO {VERSION_TABLE} AS v (scope, counter) VALUES (target, {_RANDOM_START})
        ON CONFLICT (scope) DO UPDATE SET counter = v.counter + 1;
    PERFORM set_config(
        flag, CASE WHEN seen = '' THEN E'\\n' ELSE seen END || target || E'\\n', true
    );
END $$;

CREATE OR REPLACE FUNCTION {TRIGGER}_shard(kind text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    flag text := '{TRIGGER}.k' || kind;
    picked text;
BEGIN
    IF current_setting(flag, true) IS NOT DISTINCT FROM '1' THEN
        RETURN;
    END IF;
    -- A shard no other transaction holds, so writers do not queue on one row; only
    -- with every shard held does it wait for one.
    SELECT scope INTO picked FROM {VERSION_TABLE}
        WHERE scope = ANY(ARRAY(SELECT kind || '.' || n FROM generate_series(0, {SHARDS - 1}) n))
        ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF picked IS NULL THEN
        picked := kind || '.' || floor(random() * {SHARDS})::int;
    END IF;
    INSERT INTO {VERSION_TABLE} AS v (scope, counter) VALUES (picked, {_RANDOM_START})
        ON CONFLICT (scope) DO UPDATE SET counter = v.counter + 1;
    PERFORM set_config(flag, '1', true);
END $$;
"""


def _pg_function(table: str, rule: Rule) -> str:
    """The trigger function of one table (PostgreSQL): run at commit, once per row."""
    body = []
    if rule.kind == ARCHIVE:
        body.append(f"PERFORM {TRIGGER}_bump('{ARCHIVE}');")
    else:
        body.append(f"PERFORM {TRIGGER}_shard('{rule.kind}');")
    for op, row in (("DELETE", "NEW"), ("INSERT", "OLD")):
        if rule.cables or rule.slugs:
            body.append(
                f"IF TG_OP <> '{op}' THEN FOR found IN {_scopes_sql(rule, row)} LOOP "
                f"PERFORM {TRIGGER}_bump(found.s); END LOOP; END IF;"
            )
    if rule.archive_on_update:
        body.append(f"IF TG_OP = 'UPDATE' THEN PERFORM {TRIGGER}_bump('{ARCHIVE}'); END IF;")
    lines = "\n    ".join(body)
    return (
        f"CREATE OR REPLACE FUNCTION {TRIGGER}_of_{table}() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$\nDECLARE found record;\nBEGIN\n    {lines}\n    RETURN NULL;\nEND $$;"
    )


def _sqlite_body(rule: Rule, event: str) -> str:
    """The statements of one table's SQLite trigger for ``event`` (per row)."""
    rows = {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["NEW", "OLD"]}[event]
    statements = []
    if rule.kind == ARCHIVE or (event == "UPDATE" and rule.archive_on_update):
        scopes = [f"SELECT '{ARCHIVE}' AS s"]
    else:
        scopes = []
    if rule.cables or rule.slugs:
        scopes += [_scopes_sql(rule, row, "sqlite") for row in rows]
    if scopes:
        statements.append(
            f"INSERT INTO {VERSION_TABLE} (scope, counter) "
            f"SELECT s, abs(random() % 1099511627776) + 1 FROM ({' UNION '.join(scopes)}) "
            f"WHERE s IS NOT NULL ON CONFLICT (scope) DO UPDATE SET counter = counter + 1;"
        )
    if rule.kind != ARCHIVE:
        statements.append(
            f"UPDATE {VERSION_TABLE} SET counter = counter + 1 "
            f"WHERE scope = '{rule.kind}.' || (abs(random()) % {SHARDS});"
        )
    return " ".join(statements)


# While the schema changes, every write moves the archive (every page): the scoped
# triggers read other tables (a passage's cable), which a migration may be
# altering, and SQLite refuses to rebuild a table that another table's trigger names.
MIGRATING = Rule(ARCHIVE)


def install_triggers(
    sender=None, using: str = DEFAULT_DB_ALIAS, *, scoped: bool = True, **kwargs
) -> int:
    """(Re)install the version triggers on every existing watched table; return how many.

    Connected to ``post_migrate``; idempotent but for the archive's version,
    which jumps ahead (every ETag changes once). PostgreSQL and SQLite only.
    With ``scoped=False`` (``pre_migrate``: ``install_migrating_triggers``)
    every write moves the archive alone, and no trigger reads another table,
    so migrations may alter any table; ``post_migrate`` puts the scoped ones back.
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
    # Every page's versions include the archive's: a new database starts it at a
    # random number; an existing one jumps it ahead by a random amount, so a
    # database restored from a backup (and migrated, as every app container's
    # start does) leaves behind the versions it had reached before. (New scope
    # rows start at random too.) Room for millions of migrations in a BIGINT.
    start, jump = secrets.randbelow(2**40) + 1, secrets.randbelow(2**40) + 1
    count = 0
    with transaction.atomic(using=using), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Several app servers may migrate at once: one installs at a time.
            cursor.execute("SELECT pg_advisory_xact_lock(4711)")
        cursor.execute(
            f"UPDATE {VERSION_TABLE} SET counter = counter + %s WHERE scope = %s", [jump, ARCHIVE]
        )
        for scope in [ARCHIVE, *shard_names(RECORDS), *shard_names(NOTES)]:
            cursor.execute(
                f"INSERT INTO {VERSION_TABLE} (scope, counter) VALUES (%s, %s) "
                "ON CONFLICT (scope) DO NOTHING",
                [scope, start if scope == ARCHIVE else secrets.randbelow(2**40) + 1],
            )
        if conn.vendor == "postgresql":
            cursor.execute(PG_FUNCTIONS)
        for table, rule in watched_tables():
            if table not in existing:
                continue
            columns = rule.columns
            if not scoped:
                rule = MIGRATING
            update = f"UPDATE OF {', '.join(q(c) for c in columns)}" if columns else "UPDATE"
            if conn.vendor == "postgresql":
                cursor.execute(_pg_function(table, rule))
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {q(table)}")
                cursor.execute(
                    f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR DELETE OR {update} "
                    f"ON {q(table)} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    f"EXECUTE FUNCTION {TRIGGER}_of_{table}()"
                )
            else:
                for event in ("INSERT", "DELETE", update):
                    name = q(f"{TRIGGER}_{table}_{event.split()[0].lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {event} ON {q(table)} BEGIN "
                        f"{_sqlite_body(rule, event.split()[0])} END"
                    )
            count += 1
    return count


def install_migrating_triggers(sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> int:
    """Connected to ``pre_migrate``: triggers that read no other table (see ``MIGRATING``)."""
    return install_triggers(sender, using, scoped=False)


def bump(*scopes: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Move versions by hand (for writes to tables the triggers do not watch); the
    archive's (every page) by default."""
    with connections[using].cursor() as cursor:
        for scope in scopes or (ARCHIVE,):
            names = shard_names(scope)[:1] if scope in AGGREGATES else [scope]
            cursor.execute(
                f"INSERT INTO {VERSION_TABLE} (scope, counter) VALUES (%s, %s) "
                "ON CONFLICT (scope) DO UPDATE SET counter = "
                f"{VERSION_TABLE}.counter + 1",
                [names[0], secrets.randbelow(2**40) + 1],
            )
