"""What the reading view shows of a cable for one reader: passages with their
telegrams, the reader's visible annotations as highlights and margin notes,
the annotation filters, and the reading (as published, or corrected).

Shared by the reading view and by the annotation actions that re-render one
passage row in place, so both paths give the same markup.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.models import Prefetch, prefetch_related_objects
from django.http import QueryDict
from django.template import RequestContext
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe

from annotations.models import Annotation, Link, ResearchGroup
from cables.models import Cable, Passage
from readingroom.caching import PAGE_CACHE, release
from readingroom.http import display_name
from readingroom.spans import Span
from telegrams.models import Telegram

READINGS = {"published": "As published", "corrected": "Corrected"}
SCOPES = {
    "": "All I may see",
    "mine": "Mine",
    "group": "My groups’",
    "public": "Public",
}


@dataclass
class Filters:
    """The reader's annotation filters, read from GET parameters; bad values are dropped."""

    kinds: list[str] = field(default_factory=list)
    tag: str = ""
    author: str = ""
    scope: str = ""
    reading: str = "published"
    focus: int | None = None  # an annotation to mark (from its permalink)

    @classmethod
    def from_params(cls, params: QueryDict) -> Filters:
        kinds = [k for k in params.getlist("kind") if k in Annotation.Kind.values]
        scope = params.get("scope", "")
        reading = params.get("reading", "published")
        focus = params.get("annotation", "")
        return cls(
            kinds=kinds,
            tag=params.get("tag", "")[:60],
            author=params.get("author", "")[:150],
            scope=scope if scope in SCOPES else "",
            reading=reading if reading in READINGS else "published",
            focus=int(focus) if focus.isdigit() else None,
        )

    @classmethod
    def from_request(cls, request) -> Filters:
        """From the page's own URL; for an htmx action, from the page it was sent from."""
        htmx = getattr(request, "htmx", None)
        if request.method != "GET" and htmx and htmx.current_url:
            query = urlsplit(htmx.current_url).query
            return cls.from_params(QueryDict(query)) if query else cls()
        return cls.from_params(request.GET)

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.tag or self.author or self.scope)

    def keep(self, a: Annotation, user) -> bool:
        if self.kinds and a.kind not in self.kinds:
            return False
        if self.tag and self.tag not in {t.slug for t in a.tag_list}:
            return False
        if self.author and a.author.get_username() != self.author:
            return False
        if self.scope == "mine":
            return a.author_id == user.pk
        if self.scope in ("group", "public"):
            return a.visibility == self.scope
        return True

    def query(self) -> str:
        """The filters as a query string (without the reading and the focus)."""
        q = QueryDict(mutable=True)
        q.setlist("kind", self.kinds)
        for name in ("tag", "author", "scope"):
            if getattr(self, name):
                q[name] = getattr(self, name)
        return q.urlencode()


@dataclass(frozen=True)
class PassageLayer:
    """A passage's fixed layers, rendered once and kept (see ``reading.layers``).

    The passage and its telegram are plain instances (their related objects are
    not loaded); ``spans`` are its mentions and agenda items as
    ``passages.Mark`` spans; the HTML is the telegram's header and the text with
    those spans alone.
    """

    passage: Passage
    telegram: Telegram | None
    spans: tuple[Span, ...]
    header_html: str
    text_html: str
    # The whole row (``annotations/_passage_row.html``) as it is with nothing laid
    # over it, the common case across an archive, where most passages have no
    # note: the page pastes it instead of rendering the row's templates, which
    # were a quarter of a fresh page read from kept layers (issue 13). Empty
    # when not rendered (a page that builds its layers as it goes).
    row_html: str = ""


@dataclass
class Row:
    """One passage as the reader sees it."""

    passage: Passage
    telegram: Telegram | None
    notes: list[Annotation]  # root annotations shown in the margin, in text order
    orphans: list[Annotation]
    highlights: list[Span]
    replacements: list[Span]
    incoming: list[Link] = field(default_factory=list)  # links arriving here
    layer: PassageLayer | None = None  # kept fixed layers, when the page has them
    text_html: str | None = None  # the text with everything laid over it, when kept

    @property
    def bare_html(self) -> str:
        """The kept rendering of this row when nothing is laid over it, else ""."""
        layer = self.layer
        if layer is None or self.notes or self.orphans or self.incoming:
            return ""
        if self.highlights or self.replacements or self.text_html is not None:
            return ""
        return layer.row_html


def telegram_of(passage: Passage) -> Telegram | None:
    try:
        return passage.telegram
    except Telegram.DoesNotExist:
        return None


# What a link's card shows of its other end, joined into the annotations query.
LINK_TARGETS = [
    "link__target_passage__cable",
    "link__target_passage__telegram",
    "link__target_participant",
    "link__target_cable",
    "link__target_item__agenda__side",
    "link__target_item__passage__cable",
]


def text_key(cable_slug: str, passage: Passage, telegram: Telegram | None, whole: bool) -> str:
    """The split view's key (``reading.compare``) for the text a passage is in: its
    telegram, else the passage itself, or its whole cable when ``whole``."""
    if telegram is not None:
        return f"telegram:{cable_slug}:{telegram.number}"
    if whole:
        return f"cable:{cable_slug}"
    return f"passage:{cable_slug}:{passage.anchor}"


def side_by_side(source, source_telegram, target, target_telegram, fragment: str) -> str:
    """The split view of a link's two ends, when they are in two different passages
    (two cables, or two passages of one cable: two telegrams, say), else ""."""
    if source.pk == target.pk:
        return ""
    whole = source.cable_id != target.cable_id
    a = text_key(source.cable.slug, source, source_telegram, whole)
    b = text_key(target.cable.slug, target, target_telegram, whole)
    query = QueryDict(mutable=True)
    query.update({"a": a, "b": b})
    return f"{reverse('reading:compare')}?{query.urlencode(safe=':')}#{fragment}"


def incoming_links(user, cable: Cable, among: tuple[int, ...] | None = None) -> list[Link]:
    """Links the user may see that arrive at the cable's passages from anywhere (1 query).

    ``among``: the ids of every link arriving there, when the caller knows them
    (``PassageLayer``s are kept with them): none means no query at all.
    """
    if among is not None and not among:
        return []
    arriving = {"pk__in": among} if among is not None else {"target_passage__cable": cable}
    return list(
        Link.objects.filter(
            annotation__in=Annotation.objects.visible_to(user).values("pk"), **arriving
        )
        .select_related(
            "annotation__author",
            "annotation__passage__cable",
            "annotation__passage__telegram",
            "target_passage",
        )
        .order_by("target_passage_id", "target_start", "annotation_id")
    )


# What the margin, its cards and its filters read of a note and its author: the
# rest (the Markdown source, the quote's context, review and edit stamps, the
# author's password and dates) is left unread. With 200 notes, building the
# full rows was a third of the page (issue 13). A field missing here would cost
# a query per note: the reading view's pinned query counts would catch it.
MARGIN_FIELDS = (
    "passage_id", "author_id", "parent_id", "on_document", "exact", "start", "end", "anchor_status",
    "body_html", "kind", "visibility", "group_id", "replacement", "correction_status",
    "hidden", "awaiting_review", "deleted_at", "created",
)  # fmt: skip
AUTHOR_FIELDS = ("username", "first_name", "last_name", "is_active")


def visible_annotations(user, cable: Cable) -> list[Annotation]:
    """Every annotation on the cable the user may see, roots and replies.

    One query when there are none. With some, one more for their authors, one
    for their groups when some are a group's, one for their tags (attached as
    ``tag_list``), and one for the other ends of any links among them. The
    joins stay short on purpose: compiling one query that joined every link's
    target took longer than the query; and the authors are read once each, not
    once a note (with 200 notes by one reader, joining them made 200 user
    objects: a third of building the margin, issue 13, ``bench/results.md``).
    """
    annotations = list(
        Annotation.objects.visible_to(user, threads=False)
        .filter(passage__cable_id=cable.pk)
        .only(*MARGIN_FIELDS)
        .order_by("passage_id", "start", "created", "pk")
    )
    if not annotations:
        return annotations
    # A reply is seen by those who may see its root, which is on the same passage:
    # the replies whose root is not here are left out (``visible_to(threads=False)``).
    roots = {a.pk for a in annotations if a.parent_id is None}
    annotations = [a for a in annotations if a.parent_id is None or a.parent_id in roots]
    authors = (
        get_user_model().objects.only(*AUTHOR_FIELDS).in_bulk({a.author_id for a in annotations})
    )
    groups = {a.group_id for a in annotations if a.group_id}
    groups = ResearchGroup.objects.only("name", "slug").in_bulk(groups) if groups else {}
    for a in annotations:
        a.author = authors[a.author_id]
        if a.group_id:
            a.group = groups[a.group_id]
    links = [a for a in annotations if a.kind == Annotation.Kind.LINK]
    if links:
        targets = [name.removeprefix("link__") for name in LINK_TARGETS]
        prefetch_related_objects(
            links, Prefetch("link", queryset=Link.objects.select_related(*targets))
        )
    # The tags of every note on the cable, attached to the notes shown only: asked
    # by the cable, not by a list of 200 ids, which cost more to send than to run.
    tags = defaultdict(list)
    for link in (
        Annotation.tags.through.objects.filter(annotation__passage__cable_id=cable.pk)
        .select_related("tag")
        .order_by("tag__name")
    ):
        tags[link.annotation_id].append(link.tag)
    for a in annotations:
        a.tag_list = tags.get(a.pk, [])
    return annotations


def build(
    cable: Cable,
    user,
    filters: Filters,
    layers: list[PassageLayer] | None = None,
    incoming: tuple[int, ...] | None = None,
    annotated: bool = True,
    positions: dict[int, int] | None = None,
) -> dict:
    """The reading-view context for ``cable``: prefetched with
    ``telegrams.models.cables_for_reading()``, or with its passages' kept
    ``layers`` (then the cable needs no related objects loaded), the ids of
    the links arriving at them (``incoming``) and whether it has annotations
    at all (``annotated``: when it has none, none are asked for).

    ``positions`` (each passage's position, by id) says the passages loaded
    are only some of the cable's (one row re-rendered after an action): the
    notes on the others then only count for the numbers of the endnotes, so
    that the row's markers keep the numbers the whole page gives them."""
    annotations = visible_annotations(user, cable) if annotated else []
    if layers is None:
        layers = [PassageLayer(p, telegram_of(p), (), "", "") for p in cable.passages.all()]
        kept = False
    else:
        kept = True
    passages = {layer.passage.pk: layer.passage for layer in layers}
    elsewhere: list[Annotation] = []
    if positions is not None:
        elsewhere = [a for a in annotations if a.passage_id not in passages]
        annotations = [a for a in annotations if a.passage_id in passages]
    for a in annotations:
        a.passage = passages[a.passage_id]  # already loaded, with its cable
        a.passage.cable = cable
    replies: dict[int, list[Annotation]] = defaultdict(list)
    roots: dict[int, list[Annotation]] = defaultdict(list)
    on_document: list[Annotation] = []  # notes on the whole document, oldest first
    for a in annotations:
        if a.parent_id:
            replies[a.parent_id].append(a)
        elif a.on_document:
            on_document.append(a)
        else:
            roots[a.passage_id].append(a)
    for a in annotations:
        a.thread = sorted(replies.get(a.pk, ()), key=lambda r: (r.created, r.pk))
        a.is_focus = a.pk == filters.focus

    telegrams = {layer.passage.pk: layer.telegram for layer in layers}
    for a in annotations:
        if a.kind == Annotation.Kind.LINK and getattr(a, "link", None) is not None:
            target = a.link.target_passage
            a.link.side_by_side = target and side_by_side(
                a.passage, telegrams[a.passage_id], target, telegram_of(target), f"l{a.pk}"
            )

    if incoming is None and positions is not None:
        # One row re-rendered: the links arriving at it, by a query that needs
        # no compiling of the visibility rule, and none at all when there are none.
        incoming = tuple(
            Link.objects.filter(target_passage_id__in=list(passages)).values_list("pk", flat=True)
        )
    arriving: dict[int, list[Link]] = defaultdict(list)
    for link in incoming_links(user, cable, incoming):
        if link.target_passage_id not in passages:
            continue  # arriving at a passage not loaded (``positions``)
        arriving[link.target_passage_id].append(link)
        link.target_passage.cable = cable
        source = link.annotation.passage
        link.side_by_side = side_by_side(
            link.target_passage,
            telegrams[link.target_passage_id],
            source,
            telegram_of(source),
            f"a{link.annotation_id}",
        )

    rows = []
    shown = 0
    for layer in layers:
        passage = layer.passage
        notes, orphans, highlights, replacements = [], [], [], []
        for a in roots.get(passage.pk, ()):
            accepted = (
                a.kind == Annotation.Kind.CORRECTION
                and a.correction_status == Annotation.Correction.ACCEPTED
                and a.anchor_status != Annotation.Anchor.ORPHANED
            )
            if accepted and filters.reading == "corrected":
                replacements.append(Span(a.start, a.end, "fix", a))
            if not filters.keep(a, user):
                continue
            if a.anchor_status == Annotation.Anchor.ORPHANED or a.start is None:
                orphans.append(a)
                continue
            notes.append(a)
            highlights.append(Span(a.start, a.end, "annotation", a))
        incoming = arriving.get(passage.pk, [])
        for link in incoming:
            if link.target_exact and link.target_status != Annotation.Anchor.ORPHANED:
                highlights.append(Span(link.target_start, link.target_end, "link_end", link))
        shown += len(notes) + len(orphans)
        rows.append(
            Row(
                passage,
                layer.telegram,
                notes,
                orphans,
                highlights,
                replacements,
                incoming,
                layer if kept else None,
            )
        )

    document_notes = sorted(
        (a for a in on_document if filters.keep(a, user)), key=lambda a: (a.created, a.pk)
    )
    shown += len(document_notes)

    # Print: each note shown is an endnote, numbered in the order of the text, and
    # its highlight prints the number (``data-n``) as the marker keyed to it. Notes
    # on the whole document print above the text, unnumbered.
    endnotes = [note for row in rows for note in row.notes]
    before = 0
    if elsewhere and passages:
        first = min(positions[pk] for pk in passages)
        before = sum(
            1
            for a in elsewhere
            if not a.parent_id
            and not a.on_document
            and positions.get(a.passage_id, first) < first
            and a.anchor_status != Annotation.Anchor.ORPHANED
            and a.start is not None
            and filters.keep(a, user)
        )
    for n, note in enumerate(endnotes, before + 1):
        note.endnote = n

    root_list = [a for a in annotations if not a.parent_id]
    tags = sorted({(t.slug, t.name) for a in root_list for t in a.tag_list}, key=lambda t: t[1])
    authors = sorted(
        {(a.author.get_username(), display_name(a.author)) for a in root_list},
        key=lambda t: t[1].lower(),
    )
    return {
        "rows": rows,
        "document_notes": document_notes,
        "endnotes": endnotes,
        "cable_slug": cable.slug,  # a telegram's header links to the split view
        "filters": filters,
        "filter_query": filters.query(),
        "filter_tags": tags,
        "filter_authors": authors,
        "annotation_total": len(root_list),
        "annotation_shown": shown,
        "readings": READINGS,
        "scopes": SCOPES,
        "kinds": Annotation.Kind.choices,
        "can_annotate": user.is_authenticated and filters.reading == "published",
    }


def keep_cards(
    request, cable: Cable, rows: list[Row], version: str | None, extra: list[Annotation] = ()
) -> None:
    """Render the margin cards of ``rows`` once per data version and viewer, and keep them.

    Sets ``card_html`` on each note shown and on ``extra`` (the document notes);
    ``_margin.html`` uses it instead of rendering ``_card.html`` again. A card is
    the same for one viewer until the data moves, so the cards of one cable are
    kept together, as one entry
    whose key names the release, the versions of the cable and the archive,
    the viewer (what they may edit or moderate), the cable and the focused
    note; a page showing notes
    the entry lacks (another filter) renders those and adds them. With 200
    notes the cards were most of a fresh render (issue 13, ``bench/results.md``):
    this keeps a reader's page fast across filters, search hits and readings of
    the same cable, while a write re-renders them once.

    Only while the page cache renders its body (``request._page_cache_render``),
    so that a kept card holds the CSRF placeholder, never a reader's token.
    The missing cards render with one template and one context for the page.
    """
    notes = [*extra, *(n for row in rows for n in (*row.notes, *row.orphans))]
    if not notes or version is None or not getattr(request, "_page_cache_render", False):
        return
    user = request.user
    viewer = f"u{user.pk}" if user.is_authenticated else "anon"
    focus = next((n.pk for n in notes if n.is_focus), "")
    digest = hashlib.blake2b(version.encode(), digest_size=12).hexdigest()
    key = f"cards:{release()}:{digest}:{viewer}:{cable.pk}:{focus}"
    store = caches[PAGE_CACHE]
    kept = store.get(key)
    cards = dict(kept) if isinstance(kept, dict) else {}
    template = context = None
    added = False
    for note in notes:
        html = cards.get(note.pk)
        if html is None:
            if template is None:
                template = get_template("annotations/_card.html").template
                context = RequestContext(request, {"user": user})
            with context.push(note=note):
                html = cards[note.pk] = mark_safe(template.render(context))
            added = True
        note.card_html = html
    if added:
        store.set(key, cards)
