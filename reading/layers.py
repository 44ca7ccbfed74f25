"""A cable's fixed layers: what every reader of a cable sees the same, rendered once
per version of the cable's data and kept.

The reading view is two things laid together. The *fixed layers* are the same
for everyone: the header and "About this record" (with the Cite box and the
``citation_*`` meta tags), each forwarded telegram's header, each passage's
text with its mentions and agenda items, and the handling events. The
*reader's layers* are not: the notes they may see (highlights and margin
cards), the filters, search hits (``?hl=``), the corrected reading.

Reading the fixed layers from the models costs eleven queries through deep
``select_related``/``prefetch_related`` chains (``cables_for_reading()``) and
most of the page's template work; Django's query compilation alone took about
a third of a fresh render (``bench/results.md``, issue 13). So they are
rendered once and kept in the ``pages`` cache (Redis when the app servers
share one) under the release, the cable, the version of the data they were
read at and the host the absolute links name. A fresh render then reads them
in one cache lookup, and lays the reader's part over them: a passage with
nothing over it is used as kept; one with highlights, hits or corrections is
rendered again from its kept spans (``passages.row_text``), with no query.

They are kept twice. The ``pages`` cache holds the ones read lately (in each
process, or in Redis for every app server). The database holds every cable's
last rendering (``reading.models.KeptLayers``, one row per cable and origin),
so that a cable no one has read lately, the common case in an archive of
100,000 cables, costs one indexed query instead of twelve and the rendering:
across the archive a fresh page took 14.4 ms with the layers rendered and
3.3 ms with them kept (``bench/results.md``, issue 13). A page rendered at
request time writes its row (a failed write only costs the next reader the
rendering); ``manage.py keep_layers`` writes them in bulk, after an import or
a deployment.

A kept layer can never be stale: its key names the release and the versions
of the cable's scope and of the archive, read before the data
(``readingroom.caching``), as the page's own ETag does, so a write that
changes what it shows gives it a new key, and a note written on another cable
leaves it as it is.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from django.db.models import Model, Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from annotations.margin import PassageLayer, Row, telegram_of
from annotations.models import Annotation, Link
from annotations.templatetags.passages import element_for, passage_spans, row_text
from cables.models import Cable
from reading import threads
from reading.models import KeptLayers
from readingroom.caching import PAGE_CACHE, Versions, cable_scope, read_versions, release
from readingroom.spans import excerpt_runs, render_blocks, runs_html
from telegrams.models import cables_for_reading

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandlingAgent:
    name: str
    url: str

    def get_absolute_url(self) -> str:
        return self.url


@dataclass(frozen=True)
class HandlingEvent:
    """A handling event as ``reading/_handling.html`` shows it (nothing to load)."""

    action: str
    action_label: str
    agent: HandlingAgent | None
    on: object
    at: object
    as_written: str
    as_written_html: str = ""

    def get_action_display(self) -> str:
        return self.action_label


@dataclass(frozen=True)
class CableLayers:
    """A cable's fixed layers (see the module's docstring).

    ``cable`` is a plain instance: its fields, none of its related objects.
    ``handling_after`` is the passage after which the handling is shown (the
    last handling-notes passage), or None for after the text.
    """

    cable: Cable
    passages: tuple[PassageLayer, ...]
    meta_html: SafeString
    head_html: SafeString
    record_html: SafeString  # "About this record": the side panel, or a block above the text
    handling_html: SafeString
    handling: tuple[HandlingEvent, ...]  # to render the corrected reading's handling block
    handling_after: int | None
    telegram_count: int
    incoming: tuple[int, ...]  # every link arriving at the cable's passages, seen or not
    # Whether the cable has any annotation at all, seen or not (a note's every
    # write moves its cable's versions, so this is a fact of the version). Most
    # cables of an archive have none, and then no reader's page asks for them:
    # that query was a third of a fresh page across the archive (issue 13).
    annotated: bool = True


def plain(instance: Model) -> Model:
    """A copy of ``instance`` with its own fields only: small to keep, and nothing
    loaded with it (no related objects, no prefetched lists) travels along."""
    names = [f.attname for f in instance._meta.concrete_fields]
    return type(instance).from_db(None, names, [getattr(instance, n) for n in names])


def build(
    origin: str,
    cable: Cable,
    incoming: Iterable[int] | None = None,
    annotated: bool | None = None,
) -> CableLayers:
    """Render the fixed layers of ``cable`` (loaded with ``cables_for_reading()``,
    its translations and what it is a translation of), with absolute links at
    ``origin``; two queries for the cables before and after it in its first
    collection (when it is in one), one for the ids of the links arriving at its
    passages and one for whether it has annotations (so that a reader's page
    asks which of them it may see only when there are any: most cables have
    none), unless ``incoming`` and ``annotated`` give them; and one for the
    references arriving at it, for its thread strip (``reading.threads``)."""
    passages = []
    handling_after = None
    telegram_count = 0
    for passage in cable.passages.all():
        telegram = telegram_of(passage)
        spans = tuple(passage_spans(passage))
        header = ""
        if telegram is not None:
            telegram_count += 1
            header = render_to_string(
                "annotations/_telegram_header.html",
                {"passage": passage, "telegram": telegram, "cable_slug": cable.slug},
            )
        if passage.kind == passage.Kind.HANDLING:
            handling_after = passage.pk
        layer = PassageLayer(
            plain(passage),
            plain(telegram) if telegram is not None else None,
            spans,
            mark_safe(header),
            mark_safe(render_blocks(passage.text, spans, element_for)),
        )
        bare = Row(layer.passage, layer.telegram, [], [], [], [], layer=layer)
        row_html = render_to_string("annotations/_passage_row.html", {"row": bare})
        passages.append(replace(layer, row_html=mark_safe(row_html)))
    handling = list(cable.handling.all())
    collection = next(iter(cable.collections.all()), None)
    previous = following = None
    if collection is not None:
        previous, following = collection.cables.published().neighbours(cable)
    context = {
        "cable": cable,
        "telegram_count": telegram_count,
        "handling": handling,
        "site_origin": origin,
        "people": people_of(cable, handling),
        "collection": collection,
        "previous": previous,
        "following": following,
    }
    if incoming is None:
        incoming = Link.objects.filter(target_passage__cable=cable).values_list("pk", flat=True)
    if annotated is None:
        annotated = Annotation.objects.filter(passage__cable=cable).exists()
    context["thread"] = threads.build(cable, threads.incoming(cable))
    return CableLayers(
        cable=plain(cable),
        passages=tuple(passages),
        meta_html=mark_safe(render_to_string("reading/_cable_meta.html", context)),
        head_html=mark_safe(render_to_string("reading/_cable_head.html", context)),
        record_html=mark_safe(render_to_string("reading/_cable_record.html", context)),
        handling_html=mark_safe(
            render_to_string("reading/_handling.html", context) if handling else ""
        ),
        handling=tuple(
            HandlingEvent(
                e.action,
                e.get_action_display(),
                HandlingAgent(e.agent.name, e.agent.get_absolute_url()) if e.agent else None,
                e.on,
                e.at,
                e.as_written,
            )
            for e in handling
        ),
        handling_after=handling_after,
        telegram_count=telegram_count,
        incoming=tuple(incoming),
        annotated=annotated,
    )


@dataclass
class Person:
    """One of the people of a document, with the forms the text writes them in."""

    participant: Model
    written: list[str]
    roles: list[str]


def people_of(cable: Cable, handling) -> list[Person]:
    """The people a document uses, as FRUS lists them: its sender and recipient,
    telegrams' authors and recipients, the people named in its text, and who
    handled it, each once, by sort name, with the forms the text writes them in
    when they differ from the name (``Filippov`` for Stalin). No query: reads what
    ``cables_for_reading()`` loaded."""
    found: dict[int, Person] = {}

    def add(participant, role="", written=""):
        if participant is None:
            return
        person = found.setdefault(participant.pk, Person(participant, [], []))
        if role and role not in person.roles:
            person.roles.append(role)
        if written and written != participant.name and written not in person.written:
            person.written.append(written)

    add(cable.sender, "sender")
    add(cable.recipient, "recipient")
    for passage in cable.passages.all():
        telegram = telegram_of(passage)
        if telegram is not None:
            add(telegram.author, "telegram author")
            for recipient in telegram.recipients.all():
                add(recipient.participant, "telegram recipient")
        for mention in passage.mentions.all():
            add(mention.participant, "named", passage.text[mention.start : mention.end])
    for event in handling:
        add(event.agent, "handling")
    return sorted(
        found.values(), key=lambda p: (p.participant.sort_name.casefold(), p.participant.pk)
    )


def corrected_handling(kept: CableLayers, rows) -> SafeString:
    """The handling block with the accepted corrections applied, for the corrected
    reading: a note as written is copied from the handling passage, so the
    corrections there apply to it, each marked with its published form (no query)."""
    texts = [(r.passage.text, r.replacements) for r in rows if r.passage.kind == "handling"]
    events = []
    for event in kept.handling:
        where = next(
            ((t, fixes) for t, fixes in texts if event.as_written and event.as_written in t), None
        )
        runs = excerpt_runs(where[0], event.as_written, where[1]) if where else []
        if any(published is not None for _, published in runs):
            event = replace(event, as_written_html=runs_html(runs))
        events.append(event)
    return mark_safe(render_to_string("reading/_handling.html", {"handling": events}))


def version_token(request, slug: str) -> str | None:
    """The versions a cable's kept layers, cards and texts are named by: its own
    scope's and the archive's (``readingroom.caching``), as the page read them,
    or read now (1 query) when the page did not read them; None without triggers."""
    scopes = [cable_scope(slug)]
    versions = getattr(request, "data_version", None)
    if not isinstance(versions, Versions) or not versions.covers(scopes):
        versions = read_versions(scopes)
    return versions.token_of(scopes) if versions is not None else None


def origin_of(request) -> str:
    """The scheme and host a page's absolute links name (citations, COinS)."""
    return f"{request.scheme}://{request.get_host()}"


def digest(token: str) -> str:
    """What a kept rendering is named by: the release and the versions' token."""
    return hashlib.blake2b(f"{release()}\n{token}".encode(), digest_size=16).hexdigest()


def _key(origin: str, slug: str, named: str) -> str:
    return f"layers:{named}:{origin}:{slug}"


def _dumps(layers: CableLayers) -> bytes:
    return zlib.compress(pickle.dumps(layers, pickle.HIGHEST_PROTOCOL), 1)


def _loads(payload) -> CableLayers | None:
    kept = pickle.loads(zlib.decompress(bytes(payload)))  # noqa: S301 (written by keep(), below)
    return kept if isinstance(kept, CableLayers) else None


def keep(rows: list[tuple[int, str, str, CableLayers]]) -> None:
    """Write (cable id, origin, digest, layers) rows in bulk, one per cable and
    origin, replacing what was there, the kept page with it (one upsert;
    ``manage.py keep_layers``)."""
    KeptLayers.objects.bulk_create(
        [
            KeptLayers(cable_id=pk, origin=origin, token=named, payload=_dumps(layers), page=b"")
            for pk, origin, named, layers in rows
        ],
        update_conflicts=True,
        unique_fields=["cable", "origin"],
        update_fields=["token", "payload", "page", "rendered_at"],
    )


def _write(what: str, pk: int, origin: str, write) -> None:
    """Run ``write`` as a statement of its own (no transaction to open on a read).

    A failed write (a locked SQLite file, a cable deleted meanwhile, another
    process inserting the same row first) is logged and changes nothing; the
    next reader renders again. Inside a transaction (a caller's atomic block,
    a test) the write has a savepoint of its own, so that its failure leaves
    the transaction usable."""
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                write()
        else:
            write()
    except DatabaseError:
        log.warning("Could not keep the %s of cable %s at %s", what, pk, origin, exc_info=True)


def keep_one(pk: int, origin: str, named: str, payload: bytes) -> None:
    """Write one cable's row as a page renders its layers (``payload``, from
    ``_dumps``): an update of the row it had, or an insert; the page kept with
    the older layers goes with them."""
    fields = {"token": named, "payload": payload, "page": b"", "rendered_at": timezone.now()}

    def write():
        if not KeptLayers.objects.filter(cable_id=pk, origin=origin).update(**fields):
            KeptLayers.objects.create(cable_id=pk, origin=origin, **fields)

    _write("layers", pk, origin, write)


def readable_for_layers(readable=None):
    """Published cables with everything ``build`` reads, in 11 queries for any number."""
    readable = Cable.objects.published() if readable is None else readable
    return (
        cables_for_reading(readable)
        .select_related("translation_of")
        .prefetch_related(
            Prefetch("translations", queryset=Cable.objects.published().only("slug", "title"))
        )
    )


def find(request, slug: str) -> CableLayers | None:
    """The fixed layers of the published cable ``slug``, or None when there is none.

    Kept ones when the data has not moved since they were rendered: from the
    cache (no query) or from the database (1 query); else read (12 queries, 14
    for a cable in a collection), rendered and kept in both. The cache holds
    them as the database does, pickled and compressed, so that a page that
    found them in the database keeps them without pickling them again.
    """
    token = version_token(request, slug)
    origin = origin_of(request)
    if token is None:  # no version triggers on this database: nothing can be kept
        cable = readable_for_layers().filter(slug=slug).first()
        return build(origin, cable) if cable is not None else None
    named = digest(token)
    store = caches[PAGE_CACHE]
    key = _key(origin, slug, named)
    payload = store.get(key)
    kept = _loads(payload) if isinstance(payload, bytes) else None
    if kept is not None:
        return kept
    payload = next(
        iter(
            KeptLayers.objects.filter(cable__slug=slug, origin=origin, token=named).values_list(
                "payload", flat=True
            )[:1]
        ),
        None,
    )
    if payload is not None:
        payload = bytes(payload)
        kept = _loads(payload)
    if kept is None:
        cable = readable_for_layers().filter(slug=slug).first()
        if cable is None:
            return None
        kept = build(origin, cable)
        payload = _dumps(kept)
        keep_one(cable.pk, origin, named, payload)
    store.set(key, payload)
    return kept


def keeps_page(request) -> bool:
    """Whether this request's page is the one kept for anonymous readers: a GET of
    the cable's address with no query, not htmx, by a reader not signed in,
    whose body is rendered for the page cache (so with the CSRF placeholder,
    and only when no message is pending: ``readingroom.caching``)."""
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and not request.GET
        and not getattr(request, "htmx", False)
        and user is not None
        and not user.is_authenticated
        and getattr(request, "_page_cache_render", False)
    )


def kept_page(request, slug: str) -> bytes | None:
    """The anonymous page of the published cable ``slug`` kept at the current
    versions (1 query), or None when there is none yet (or no version triggers).

    The most frequent read of an archive, so its query is plain SQL rather than a
    queryset built and compiled for each request: building it was about a
    third of the request's Python at 100,000 cables, where nearly every
    reader's cable is a page no one asked since it was kept (callgrind: 4.9
    million instructions a request before, 3.4 after; ``bench/results.md``,
    reading across the archive)."""
    token = version_token(request, slug)
    if token is None:
        return None
    quote = connection.ops.quote_name
    sql = (
        f"SELECT k.page FROM {quote(KeptLayers._meta.db_table)} k "
        f"JOIN {quote(Cable._meta.db_table)} c ON c.id = k.cable_id "
        "WHERE c.slug = %s AND k.origin = %s AND k.token = %s LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug, origin_of(request), digest(token)])
        row = cursor.fetchone()
    page = bytes(row[0]) if row and row[0] else b""
    return zlib.decompress(page) if page else None


def keep_page(request, kept: CableLayers, content: bytes) -> None:
    """Keep the anonymous page just rendered from ``kept`` in its cable's row, if
    the row still holds those layers (1 update; a failure changes nothing)."""
    token = version_token(request, kept.cable.slug)
    if token is None:
        return
    origin = origin_of(request)
    rows = KeptLayers.objects.filter(cable_id=kept.cable.pk, origin=origin, token=digest(token))
    _write("page", kept.cable.pk, origin, lambda: rows.update(page=zlib.compress(content, 6)))


def for_reading(request, slug: str) -> CableLayers:
    """As ``find``, but 404 when no published cable has that slug."""
    layers = find(request, slug)
    if layers is None:
        raise Http404("No published cable has that address.")
    return layers


def _identity(span) -> tuple:
    """What of a laid-over span its rendering depends on (``passages.element_for``)."""
    data = span.data
    if span.kind == "annotation":
        return (
            data.pk,
            data.kind,
            bool(getattr(data, "is_focus", False)),
            getattr(data, "endnote", None),
        )
    if span.kind == "link_end":
        return (data.annotation_id,)
    if span.kind == "fix":
        return (data.pk, data.exact, data.replacement)
    return ()  # a search hit: its number is not rendered


def keep_texts(cable: Cable, rows, version: str | None) -> None:
    """Keep the texts of the rows that have something laid over them.

    A passage's text with the reader's highlights, hits or corrections over it
    depends on its kept layer (named by the version) and on those spans alone,
    so the texts of one page are kept under a digest of every such span (kind,
    offsets, and what their markup shows). A reader going through filters or
    readings and back, or the same notes seen again, finds them rendered:
    with 200 notes on the seed these were a fifth of a render (issue 13).
    """
    over = [r for r in rows if r.layer is not None and (r.highlights or r.replacements)]
    if not over or version is None:
        return
    signature = repr(
        [
            (
                r.passage.pk,
                [(s.kind, s.start, s.end, _identity(s)) for s in r.highlights],
                [(s.kind, s.start, s.end, _identity(s)) for s in r.replacements],
            )
            for r in over
        ]
    )
    digest = hashlib.blake2b(f"{version}\n{signature}".encode(), digest_size=12).hexdigest()
    key = f"texts:{release()}:{cable.pk}:{digest}"
    store = caches[PAGE_CACHE]
    texts = store.get(key)
    if not isinstance(texts, dict):
        texts = {r.passage.pk: row_text(r) for r in over}
        store.set(key, texts)
    for r in over:
        r.text_html = texts[r.passage.pk]


def kept_endnotes(cable: Cable, endnotes: list, version: str | None) -> SafeString:
    """The print endnotes of the notes a page shows (``reading/_endnotes.html``),
    rendered once per data version and list of notes, and kept.

    What an endnote shows (the note's kind, author, date, quote, reading, body,
    its passage's label) moves the cable's versions when it changes, so the
    list of (note, number) pairs and the version name it. With 200 notes on
    the seed they were a third of a signed-in reader's fresh page (issue 13).
    """
    if not endnotes:
        return mark_safe("")
    signature = repr([(note.pk, note.endnote) for note in endnotes])
    store = caches[PAGE_CACHE]
    key = None
    if version is not None:
        named = hashlib.blake2b(f"{version}\n{signature}".encode(), digest_size=12).hexdigest()
        key = f"endnotes:{release()}:{cable.pk}:{named}"
        html = store.get(key)
        if isinstance(html, str):
            return mark_safe(html)
    html = render_to_string("reading/_endnotes.html", {"endnotes": endnotes})
    if key is not None:
        store.set(key, str(html))
    return mark_safe(html)
