"""The Reading Room's own JSON formats: one cable, or a whole collection, and back.

``export_cables(cables, user, site)`` turns cables into ``readingroom-cable``
documents holding everything the models hold about them — catalogue and
header fields, passages (``text`` + ``tail``), telegrams with their recipients
and ``attachment_of`` (by telegram number), handling, mentions (every status,
rejected included, so editors' decisions survive), the agendas taken from the
cable's telegrams with their items and spans, the correspondences touching
those items, the participants referenced (with side and aliases), the sides
and the collections — plus the annotations ``user`` may see
(``Annotation.objects.visible_to``, the one visibility rule) as a W3C
``AnnotationCollection`` built by ``interchange.exporters.web_annotation.to_web_annotation``.

Everything is referenced by natural keys, never by database ids: participants,
sides, collections and agendas by slug, passages by position, telegrams by
number, agenda items by (agenda slug, number), users by username. Each W3C
annotation carries a ``readingroom`` object with what the W3C model has no
term for: the passage position, visibility and group, correction status and
reviewer, ``hidden``, the anchor status.

A ``readingroom-collection`` document is ``{"format", "version", "exported",
"collection": {...}, "annotations_visible_to": username|null, "cables":
[readingroom-cable documents]}``.

``restore(data)`` writes either format back, all or nothing, in one
transaction (see its docstring). Exporting what was restored gives the same
JSON except for ``exported`` and the annotations' ``id`` (and a reply's
``target``), which hold database ids; annotation ``created``/``modified``
times are restored as they were.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from annotations.models import Annotation, ResearchGroup
from cables.models import (
    Alias,
    Cable,
    Collection,
    Handling,
    Mention,
    Participant,
    Passage,
    Side,
    SourceMark,
)
from interchange.exporters.web_annotation import ANNO_CONTEXT, to_web_annotation
from telegrams.models import (
    Agenda,
    AgendaItem,
    Correspondence,
    Reference,
    Telegram,
    TelegramRecipient,
)
from telegrams.resolution import recompute_references

log = logging.getLogger(__name__)

CABLE_FORMAT = "readingroom-cable"
COLLECTION_FORMAT = "readingroom-collection"
VERSION = 1

CABLE_FIELDS = [
    "status",
    "complete",
    "title",
    "slug",
    "date",
    "date_to",
    "date_as_written",
    "record_id",
    "canonical_url",
    "source_url",
    "signature",
    "translator",
    "precedence",
    "citation",
    "archive",
    "archive_name",
    "summary",
    "credits",
    "original_language",
    "text_language",
    "contents_label",
    "directorate",
    "document_type",
    "cable_number",
    "origin",
    "received_as_written",
    "received_on",
    "received_time",
    "copy_distribution",
    "copy_number",
    "stamp",
    "incoming_number",
    "series",
    "sender_number",
    "sender_dated",
    "handling_number",
    "copies_note",
]
DATE_FIELDS = {"date", "date_to", "received_on"}
# Fields an export made before they existed lacks: what such a record was.
DEFAULTS = {"status": Cable.Status.PUBLISHED, "complete": True}
TIME_FIELDS = {"received_time"}


class Site:
    """What ``to_web_annotation`` needs of a request, for exports made without one."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def build_absolute_uri(self, location: str | None = None) -> str:
        return self.base_url + (location or "/")


# Export ---------------------------------------------------------------------


def for_export(cables=None):
    """Cables with everything a JSON/TEI/text export reads, in 10 queries.

    The cables with sender and recipient; collections; related cables;
    handling with agents; passages; their telegrams with author and
    attachment_of; the telegrams' recipients with participants; every
    mention (rejected ones too) with its participant; the passages' source
    marks (footnote calls, page breaks, glosses) with their note passage; every
    reference (rejected ones too) with its parse and its target (issue 16).
    """
    telegrams = Telegram.objects.select_related("author", "attachment_of").prefetch_related(
        Prefetch(
            "recipients",
            queryset=TelegramRecipient.objects.select_related("participant").order_by(
                "role", "position", "pk"
            ),
        )
    )
    passages = Passage.objects.order_by("position").prefetch_related(
        Prefetch("telegram", queryset=telegrams),
        Prefetch(
            "mentions",
            queryset=Mention.objects.select_related("participant").order_by("start", "end", "pk"),
        ),
        Prefetch(
            "marks",
            queryset=SourceMark.objects.select_related("note").order_by("start", "kind", "pk"),
        ),
        Prefetch(
            "references",
            queryset=Reference.objects.select_related(
                "sender", "recipient", "target_cable", "target_telegram__passage"
            ).order_by("start", "end", "pk"),
        ),
    )
    cables = Cable.objects.all() if cables is None else cables
    return cables.select_related("sender", "recipient").prefetch_related(
        "collections",
        "related",
        Prefetch(
            "handling", queryset=Handling.objects.select_related("agent").order_by("position")
        ),
        Prefetch("passages", queryset=passages),
    )


def telegram_of(passage: Passage) -> Telegram | None:
    try:
        return passage.telegram
    except Telegram.DoesNotExist:
        return None


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _slug(participant) -> str | None:
    return participant.slug if participant is not None else None


class Extras:
    """What the cables of an export share, fetched once for all of them (7 queries).

    Agendas (with side and telegram) taken from the cables' telegrams or
    spanning their passages; their items; the correspondences touching those
    items; the participants referenced, with side; their aliases; the
    annotations ``user`` may see, with author, group, reviewer and passage;
    their tags.
    """

    def __init__(self, cables: list[Cable], user):
        ids = [c.pk for c in cables]
        self.agendas = list(
            Agenda.objects.filter(
                Q(telegram__passage__cable__in=ids) | Q(items__passage__cable__in=ids)
            )
            .distinct()
            .select_related("side", "telegram__passage")
            .prefetch_related(
                Prefetch(
                    "items",
                    queryset=AgendaItem.objects.select_related("passage").order_by("number"),
                )
            )
            .order_by("date", "slug")
        )
        item_ids = [i.pk for a in self.agendas for i in a.items.all()]
        self.correspondences = list(
            Correspondence.objects.visible_to(user)
            .filter(Q(left__in=item_ids) | Q(right__in=item_ids))
            .select_related("left__agenda", "right__agenda", "proposed_by")
            .order_by("left__agenda__slug", "left__number", "right__agenda__slug", "right__number")
        )
        people: set[int] = set()
        for cable in cables:
            people.update(x for x in (cable.sender_id, cable.recipient_id) if x)
            people.update(h.agent_id for h in cable.handling.all() if h.agent_id)
            for p in cable.passages.all():
                people.update(m.participant_id for m in p.mentions.all())
                t = telegram_of(p)
                if t is not None:
                    if t.author_id:
                        people.add(t.author_id)
                    people.update(r.participant_id for r in t.recipients.all())
        self.participants = {
            p.pk: p
            for p in Participant.objects.filter(pk__in=people)
            .select_related("side")
            .prefetch_related(Prefetch("aliases", queryset=Alias.objects.order_by("name")))
        }
        self.annotations = list(
            Annotation.objects.visible_to(user)
            .filter(passage__cable__in=ids)
            .select_related("author", "group", "reviewed_by", "passage")
            .prefetch_related("tags")
            .order_by("passage__position", "start", "created", "pk")
        )

    def agendas_of(self, cable: Cable) -> list[Agenda]:
        def ours(agenda):
            if agenda.telegram_id and agenda.telegram.passage.cable_id == cable.pk:
                return True
            return any(i.passage and i.passage.cable_id == cable.pk for i in agenda.items.all())

        return [a for a in self.agendas if ours(a)]

    def annotations_of(self, cable: Cable) -> list[Annotation]:
        """Roots in reading order, each followed by its replies, oldest first."""
        rows = [a for a in self.annotations if a.passage.cable_id == cable.pk]
        for a in rows:
            a.passage.cable = cable  # passage URLs without a query each
        visible = {a.pk for a in rows}
        replies = defaultdict(list)
        for a in rows:
            if a.parent_id is not None and a.parent_id in visible:
                replies[a.parent_id].append(a)
        ordered = []
        roots = sorted((a for a in rows if a.parent_id is None), key=lambda a: not a.on_document)
        for root in roots:  # notes on the whole document first
            ordered.append(root)
            ordered.extend(sorted(replies.get(root.pk, ()), key=lambda r: (r.created, r.pk)))
        return ordered


def _participant(p: Participant) -> dict:
    return {
        "slug": p.slug,
        "name": p.name,
        "sort_name": p.sort_name,
        "kind": p.kind,
        "role": p.role,
        "affiliation": p.affiliation,
        "side": p.side.slug if p.side_id else None,
        "note": p.note,
        "aliases": [{"name": a.name, "kind": a.kind, "note": a.note} for a in p.aliases.all()],
    }


def _side(s: Side) -> dict:
    return {
        "slug": s.slug,
        "name": s.name,
        "short_name": s.short_name,
        "description": s.description,
        "position": s.position,
    }


def _annotation(site, a: Annotation) -> dict:
    item = to_web_annotation(site, a)
    item["readingroom"] = {
        # A note on the whole document has no passage of its own (its host is the first).
        "passage": None if a.on_document else a.passage.position,
        "document": a.on_document,
        "visibility": a.visibility,
        "group": {"slug": a.group.slug, "name": a.group.name} if a.group_id else None,
        "correction_status": a.correction_status,
        "reviewed_by": a.reviewed_by.get_username() if a.reviewed_by_id else None,
        "hidden": a.hidden,
        "anchor_status": a.anchor_status,
    }
    return item


def cable_document(cable: Cable, extras: Extras, site) -> dict:
    """One cable as a ``readingroom-cable`` document (no queries: uses ``extras``)."""
    fields = {name: getattr(cable, name) for name in CABLE_FIELDS}
    for name in DATE_FIELDS | TIME_FIELDS:
        fields[name] = _iso(fields[name])
    fields["sender"] = _slug(cable.sender)
    fields["recipient"] = _slug(cable.recipient)
    fields["collections"] = sorted(c.slug for c in cable.collections.all())
    fields["related"] = sorted(
        ({"slug": r.slug, "record_id": r.record_id, "title": r.title} for r in cable.related.all()),
        key=lambda r: r["slug"],
    )
    passages, telegrams, mentions, marks, references = [], [], [], [], []
    for p in cable.passages.all():
        passages.append(
            {
                "position": p.position,
                "kind": p.kind,
                "label": p.label,
                "text": p.text,
                "tail": p.tail,
            }
        )
        marks += [
            {
                "passage": p.position,
                "kind": m.kind,
                "start": m.start,
                "end": m.end,
                "label": m.label,
                "target": m.target,
                "expansion": m.expansion,
                "note": m.note.position if m.note_id else None,
            }
            for m in p.marks.all()
        ]
        mentions += [
            {
                "passage": p.position,
                "participant": m.participant.slug,
                "start": m.start,
                "end": m.end,
                "surface": m.surface,
                "status": m.status,
            }
            for m in p.mentions.all()
        ]
        references += [reference_document(p, r) for r in p.references.all()]
        t = telegram_of(p)
        if t is not None:
            telegrams.append(
                {
                    "passage": p.position,
                    "number": t.number,
                    "author": _slug(t.author),
                    "addressees": [x.slug for x in t.addressees],
                    "copies_to": [x.slug for x in t.copies_to],
                    "sent_as_written": t.sent_as_written,
                    "sent_on": _iso(t.sent_on),
                    "sent_time": _iso(t.sent_time),
                    "reference": t.reference,
                    "attachment_of": t.attachment_of.number if t.attachment_of_id else None,
                    "subject": t.subject,
                }
            )
    handling = [
        {
            "position": h.position,
            "action": h.action,
            "agent": _slug(h.agent),
            "as_written": h.as_written,
            "on": _iso(h.on),
            "at": _iso(h.at),
        }
        for h in cable.handling.all()
    ]
    agendas = extras.agendas_of(cable)
    items = {i.pk for a in agendas for i in a.items.all()}
    agenda_docs = [
        {
            "slug": a.slug,
            "title": a.title,
            "side": a.side.slug if a.side_id else None,
            "telegram": a.telegram.number
            if a.telegram_id and a.telegram.passage.cable_id == cable.pk
            else None,
            "status": a.status,
            "meeting": a.meeting,
            "date": _iso(a.date),
            "note": a.note,
            "items": [
                {
                    "number": i.number,
                    "text": i.text,
                    "passage": i.passage.position
                    if i.passage_id and i.passage.cable_id == cable.pk
                    else None,
                    "start": i.start,
                    "end": i.end,
                    "note": i.note,
                }
                for i in a.items.all()
            ],
        }
        for a in agendas
    ]
    correspondences = [
        {
            "left": [c.left.agenda.slug, c.left.number],
            "right": [c.right.agenda.slug, c.right.number],
            "relation": c.relation,
            "note": c.note,
            "status": c.status,
            "proposed_by": c.proposed_by.get_username() if c.proposed_by_id else None,
        }
        for c in extras.correspondences
        if c.left_id in items or c.right_id in items
    ]
    people = sorted(
        {
            slug
            for slug in [fields["sender"], fields["recipient"]]
            + [h["agent"] for h in handling]
            + [m["participant"] for m in mentions]
            + [t["author"] for t in telegrams]
            + [s for t in telegrams for s in t["addressees"] + t["copies_to"]]
            if slug
        }
    )
    by_slug = {p.slug: p for p in extras.participants.values()}
    participants = [_participant(by_slug[s]) for s in people]
    sides = {by_slug[s].side for s in people if by_slug[s].side_id}
    sides |= {a.side for a in agendas if a.side_id}
    annotations = [_annotation(site, a) for a in extras.annotations_of(cable)]
    return {
        "format": CABLE_FORMAT,
        "version": VERSION,
        "url": site.build_absolute_uri(cable.get_absolute_url()),
        "cable": fields,
        "collections": [
            {"slug": c.slug, "title": c.title, "description": c.description}
            for c in sorted(cable.collections.all(), key=lambda c: c.slug)
        ],
        "sides": [_side(s) for s in sorted(sides, key=lambda s: s.slug)],
        "participants": participants,
        "passages": passages,
        "telegrams": telegrams,
        "handling": handling,
        "mentions": mentions,
        "references": references,
        "marks": marks,
        "agendas": agenda_docs,
        "correspondences": correspondences,
        "annotations": {
            "@context": ANNO_CONTEXT,
            "type": "AnnotationCollection",
            "label": f"Annotations on “{cable.title}”",
            "total": len(annotations),
            "first": {"type": "AnnotationPage", "startIndex": 0, "items": annotations},
        },
    }


def reference_document(passage: Passage, r: Reference) -> dict:
    """One reference of a passage in the exchange format (no query: uses ``for_export``)."""
    target = None
    # A draft's address is the admin's alone: exports name published records only.
    if r.target_cable_id and r.target_cable.status == Cable.Status.PUBLISHED:
        target = {
            "slug": r.target_cable.slug,
            "record_id": r.target_cable.record_id,
            "telegram": r.target_telegram.number if r.target_telegram_id else None,
        }
    return {
        "passage": passage.position,
        "start": r.start,
        "end": r.end,
        "surface": r.surface,
        "status": r.status,
        "kind": r.kind,
        "relation": r.relation,
        "sender": _slug(r.sender),
        "recipient": _slug(r.recipient),
        "date": _iso(r.date),
        "year_inferred": r.year_inferred,
        "number": r.number,
        "series": r.series,
        "count": r.count,
        "target": target,
        "score": r.score,
        "reason": r.reason,
    }


def export_cables(cables: Iterable[Cable], user, site) -> list[dict]:
    """``readingroom-cable`` documents for cables fetched with :func:`for_export` (+7 queries)."""
    cables = list(cables)
    if not cables:
        return []
    extras = Extras(cables, user)
    return [cable_document(c, extras, site) for c in cables]


def export_collection(collection: Collection, user, site) -> dict:
    """A ``readingroom-collection`` document: every cable of ``collection`` (16 queries)."""
    cables = for_export(collection.cables.all()).order_by("date", "title", "pk")
    return {
        "format": COLLECTION_FORMAT,
        "version": VERSION,
        "exported": timezone.now().isoformat(),
        "collection": {
            "slug": collection.slug,
            "title": collection.title,
            "description": collection.description,
        },
        "annotations_visible_to": user.get_username() if user.is_authenticated else None,
        "cables": export_cables(cables, user, site),
    }


# Restore --------------------------------------------------------------------


class RestoreError(Exception):
    """The document cannot be restored; nothing of it was written."""


def restore(
    data: dict, *, collection=None, dry_run: bool = False, fallback_user=None
) -> list[Cable]:
    """Write a ``readingroom-cable`` or ``readingroom-collection`` document back.

    All or nothing, in one transaction (a savepoint inside the caller's):

    - sides, participants (with aliases) and collections are matched by slug
      (participants and sides also by name) and created when missing — they
      are the exporter's own records, not guesses; existing ones are left as
      they are;
    - a cable is matched by ``record_id``, then ``source_url``, then slug, and
      updated in place (its slug kept), so its annotations stay: a passage
      whose text changes is saved normally, and the Passage signals re-anchor
      its annotations and recompute its mentions. A cable in the file whose
      slug belongs to a different cable is refused. A passage the file no
      longer has is deleted, unless it carries annotations (refused);
    - telegrams, recipients, handling, mentions, agendas, items and
      correspondences of the cable are made exactly those of the file;
      correspondences and related cables naming something absent from both
      the file and the database are skipped (logged);
    - annotations are recreated through ``annotations.services`` (their
      author matched by username, else ``fallback_user``), with their
      visibility, group (created with the author as member when missing),
      tags, correction status, reviewer, ``hidden`` and timestamps. One
      already there (same passage, author and creation time) is kept as is,
      so restoring a file twice adds nothing.

    ``collection`` (a Collection or its slug) also puts every cable in that
    collection. With ``dry_run`` everything is done and then rolled back; the
    returned cables are not in the database then. Raises
    :class:`RestoreError` with one clear line on any bad input.
    """
    if not isinstance(data, dict):
        raise RestoreError("The document is not a JSON object.")
    fmt = data.get("format")
    if fmt not in (CABLE_FORMAT, COLLECTION_FORMAT):
        raise RestoreError(
            f"Unknown format {fmt!r}: expected {CABLE_FORMAT!r} or {COLLECTION_FORMAT!r}."
        )
    if data.get("version") != VERSION:
        raise RestoreError(f"Unsupported {fmt} version {data.get('version')!r} (expected 1).")
    restorer = _Restorer(fallback_user)
    _where = restorer.where
    try:
        with transaction.atomic():
            cables = restorer.run(data, collection)
            if dry_run:
                transaction.set_rollback(True)
    except RestoreError:
        raise
    except ValidationError as e:
        raise RestoreError(f"{_where()}{' '.join(e.messages)}") from e
    except (IntegrityError, DatabaseError) as e:
        raise RestoreError(f"{_where()}the database refused it ({e}).") from e
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise RestoreError(f"{_where()}malformed document ({type(e).__name__}: {e}).") from e
    return cables


def _date(value) -> dt.date | None:
    return None if value in (None, "") else dt.date.fromisoformat(value)


def _time(value) -> dt.time | None:
    return None if value in (None, "") else dt.time.fromisoformat(value)


def _datetime(value) -> dt.datetime | None:
    if not value:
        return None
    when = dt.datetime.fromisoformat(value)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    return when


def _str(value, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {type(value).__name__}")
    return value


class _Restorer:
    def __init__(self, fallback_user=None):
        self.fallback_user = fallback_user
        self.sides: dict[str, Side] = {}
        self.people: dict[str, Participant] = {}
        self.collections: dict[str, Collection] = {}
        self.deferred_correspondences: list[tuple[Cable, list[dict], set[int]]] = []
        self.deferred_related: list[tuple[Cable, list[dict]]] = []
        self.deferred_references: list[tuple[Cable, dict[int, Passage], list[dict]]] = []
        self.context: list[str] = []

    def where(self) -> str:
        """Where the restore is, for error messages ("cable some-slug: ")."""
        return f"{self.context[-1]}: " if self.context else ""

    def run(self, data: dict, collection) -> list[Cable]:
        self.context.clear()
        if data["format"] == COLLECTION_FORMAT:
            docs = data.get("cables")
            if not isinstance(docs, list):
                raise RestoreError("A readingroom-collection needs a list of cables.")
            for i, doc in enumerate(docs):
                if not isinstance(doc, dict) or doc.get("format") != CABLE_FORMAT:
                    raise RestoreError(f"cables[{i}] is not a readingroom-cable document.")
            own = self._collection(data.get("collection") or {})
            extra = [own]
        else:
            docs, extra = [data], []
        if collection is not None:
            if isinstance(collection, str):
                found = Collection.objects.filter(slug=collection).first()
                if found is None:
                    raise RestoreError(f"There is no collection {collection!r}.")
                collection = found
            extra.append(collection)
        # Everyone first, so that later names do not recompute earlier cables' mentions.
        for doc in docs:
            for side in doc.get("sides", []):
                self._side(side)
            for person in doc.get("participants", []):
                self._participant(person)
            for c in doc.get("collections", []):
                self._collection(c)
        cables = []
        for i, doc in enumerate(docs):
            label = doc.get("cable", {}).get("slug") if isinstance(doc.get("cable"), dict) else i
            self.context.append(f"cable {label}")
            cable = self._cable(doc)
            for c in extra:
                cable.collections.add(c)
            cables.append(cable)
            self.context.pop()
        self._finish()
        self.context.clear()
        return cables

    # Shared records -----------------------------------------------------

    def _side(self, doc: dict) -> Side | None:
        slug = doc["slug"]
        if slug in self.sides:
            return self.sides[slug]
        side = (
            Side.objects.filter(slug=slug).first()
            or Side.objects.filter(name__iexact=doc["name"]).first()
        )
        if side is None:
            side = Side(
                slug=slug,
                name=doc["name"],
                short_name=doc.get("short_name") or doc["name"][:40],
                description=_str(doc.get("description"), "a side's description"),
                position=doc.get("position") or 0,
            )
            side.full_clean()
            side.save()
        self.sides[slug] = side
        return side

    def _side_slug(self, slug) -> Side | None:
        if not slug:
            return None
        if slug not in self.sides:
            side = Side.objects.filter(slug=slug).first()
            if side is None:
                raise RestoreError(
                    f"{self.where()}the side {slug!r} is neither in the file nor here."
                )
            self.sides[slug] = side
        return self.sides[slug]

    def _participant(self, doc: dict) -> Participant:
        slug = doc["slug"]
        if slug in self.people:
            return self.people[slug]
        person = (
            Participant.objects.filter(slug=slug).first()
            or Participant.objects.filter(name__iexact=doc["name"]).first()
        )
        if person is None:
            person = Participant(
                slug=slug,
                name=doc["name"],
                sort_name=doc.get("sort_name") or doc["name"],
                kind=doc.get("kind") or Participant.Kind.PERSON,
                role=_str(doc.get("role"), "a participant's role"),
                affiliation=_str(doc.get("affiliation"), "a participant's affiliation"),
                side=self._side_slug(doc.get("side")),
                note=_str(doc.get("note"), "a participant's note"),
            )
            person.full_clean()
            person.save()
            for alias in doc.get("aliases", []):
                if Alias.objects.filter(name__iexact=alias["name"]).exists():
                    log.info("alias %r already names someone; not added", alias["name"])
                    continue
                a = Alias(
                    participant=person,
                    name=alias["name"],
                    kind=alias.get("kind") or Alias.Kind.SPELLING,
                    note=_str(alias.get("note"), "an alias note"),
                )
                a.full_clean(validate_unique=False, validate_constraints=False)
                a.save()
        self.people[slug] = person
        return person

    def _person(self, slug) -> Participant | None:
        if not slug:
            return None
        if slug not in self.people:
            person = Participant.objects.filter(slug=slug).first()
            if person is None:
                raise RestoreError(f"{self.where()}the participant {slug!r} is not in the file.")
            self.people[slug] = person
        return self.people[slug]

    def _collection(self, doc: dict) -> Collection:
        slug = doc["slug"]
        if slug not in self.collections:
            found = Collection.objects.filter(slug=slug).first()
            if found is None:
                found = Collection(
                    slug=slug,
                    title=doc.get("title") or slug,
                    description=_str(doc.get("description"), "a collection's description"),
                )
                found.full_clean()
                found.save()
            self.collections[slug] = found
        return self.collections[slug]

    # One cable ------------------------------------------------------------

    def _match(self, fields: dict) -> Cable | None:
        for name in ("record_id", "source_url", "slug"):
            value = fields.get(name)
            if value:
                found = list(Cable.objects.filter(**{name: value})[:2])
                if len(found) > 1:
                    raise RestoreError(f"{self.where()}two cables here have the {name} {value!r}.")
                if found:
                    return found[0]
        return None

    def _cable(self, doc: dict) -> Cable:
        fields = doc["cable"]
        cable = self._match(fields)
        if cable is None:
            cable = Cable(slug=fields["slug"])
        elif cable.slug != fields["slug"] and not (
            fields.get("record_id") or fields.get("source_url")
        ):
            raise RestoreError(f"{self.where()}the slug belongs to a different cable here.")
        for name in CABLE_FIELDS:
            if name == "slug":
                continue
            value = fields.get(name, DEFAULTS.get(name))
            if name in DATE_FIELDS:
                value = _date(value)
            elif name in TIME_FIELDS:
                value = _time(value)
            elif value is None:
                value = ""
            setattr(cable, name, value)
        cable.sender = self._person(fields.get("sender"))
        cable.recipient = self._person(fields.get("recipient"))
        cable.full_clean(
            exclude=["sender", "recipient", "collections", "related"], validate_unique=False
        )
        if Cable.objects.filter(slug=cable.slug).exclude(pk=cable.pk).exists():
            raise RestoreError(
                f"{self.where()}the slug {cable.slug!r} belongs to a different cable."
            )
        cable.save()
        for slug in fields.get("collections", []):
            cable.collections.add(self._collection({"slug": slug}))

        passages = self._passages(cable, doc.get("passages", []))
        telegrams = self._telegrams(cable, passages, doc.get("telegrams", []))
        items = self._agendas(cable, passages, telegrams, doc.get("agendas", []))
        self._handling(cable, doc.get("handling", []))
        self._mentions(passages, doc.get("mentions", []))
        self._marks(passages, doc.get("marks", []))
        self.deferred_correspondences.append((cable, doc.get("correspondences", []), items))
        self.deferred_related.append((cable, fields.get("related", [])))
        self.deferred_references.append((cable, passages, doc.get("references") or []))
        self._annotations(passages, doc.get("annotations") or {})
        return cable

    def _passages(self, cable: Cable, docs: list[dict]) -> dict[int, Passage]:
        existing = {p.position: p for p in cable.passages.all()} if cable.pk else {}
        wanted = {d["position"] for d in docs}
        stale = [p for pos, p in existing.items() if pos not in wanted]
        if stale:
            if Annotation.objects.filter(passage__in=stale).exists():
                raise RestoreError(
                    f"{self.where()}passages here that the file does not have carry annotations."
                )
            Agenda.objects.filter(telegram__passage__in=stale).delete()
            Passage.objects.filter(pk__in=[p.pk for p in stale]).delete()
        result = {}
        for d in docs:
            p = existing.get(d["position"]) or Passage(cable=cable, position=d["position"])
            new = {
                "kind": d.get("kind") or Passage.Kind.BODY,
                "label": _str(d.get("label"), "a passage label"),
                "text": _str(d["text"], "a passage text"),
                "tail": _str(d.get("tail"), "a passage tail"),
            }
            if p.pk is None or any(getattr(p, k) != v for k, v in new.items()):
                for k, v in new.items():
                    setattr(p, k, v)
                p.full_clean(exclude=["cable"], validate_unique=False, validate_constraints=False)
                p.save()  # signals: mentions recomputed, annotations re-anchored
            result[p.position] = p
        return result

    def _telegrams(self, cable, passages, docs) -> dict[int, Telegram]:
        keep = {d["passage"] for d in docs}
        gone = Telegram.objects.filter(passage__cable=cable).exclude(passage__position__in=keep)
        Agenda.objects.filter(telegram__in=gone).delete()
        gone.delete()
        by_number = {}
        for d in docs:
            passage = passages[d["passage"]]
            telegram, _ = Telegram.objects.update_or_create(
                passage=passage,
                defaults={
                    "number": d["number"],
                    "author": self._person(d.get("author")),
                    "sent_as_written": _str(d.get("sent_as_written"), "sent_as_written"),
                    "sent_on": _date(d.get("sent_on")),
                    "sent_time": _time(d.get("sent_time")),
                    "reference": _str(d.get("reference"), "a telegram reference"),
                    "subject": _str(d.get("subject"), "a telegram subject"),
                    "attachment_of": None,
                },
            )
            by_number[telegram.number] = telegram
        TelegramRecipient.objects.filter(telegram__passage__cable=cable).delete()
        recipients = []
        for d in docs:
            telegram = by_number[d["number"]]
            for role, key in ((TelegramRecipient.Role.TO, "addressees"), ("copy", "copies_to")):
                for position, slug in enumerate(d.get(key, [])):
                    recipients.append(
                        TelegramRecipient(
                            telegram=telegram,
                            participant=self._person(slug),
                            role=role,
                            position=position,
                        )
                    )
            if d.get("attachment_of") is not None:
                parent = by_number.get(d["attachment_of"])
                if parent is None:
                    raise RestoreError(
                        f"{self.where()}telegram {d['number']} is an attachment of telegram "
                        f"{d['attachment_of']}, which the file does not have."
                    )
                telegram.attachment_of = parent
                telegram.save(update_fields=["attachment_of"])
        TelegramRecipient.objects.bulk_create(recipients)
        return by_number

    def _agendas(self, cable, passages, telegrams, docs) -> set[int]:
        slugs = [d["slug"] for d in docs]
        Agenda.objects.filter(
            Q(telegram__passage__cable=cable) | Q(items__passage__cable=cable)
        ).exclude(slug__in=slugs).distinct().delete()
        items = set()
        for d in docs:
            number = d.get("telegram")
            if number is not None and number not in telegrams:
                raise RestoreError(f"{self.where()}agenda {d['slug']} names a missing telegram.")
            agenda, _ = Agenda.objects.update_or_create(
                slug=d["slug"],
                defaults={
                    "title": d["title"],
                    "side": self._side_slug(d.get("side")),
                    "telegram": telegrams.get(number) if number is not None else None,
                    "status": d.get("status") or Agenda.Status.PROPOSED,
                    "meeting": _str(d.get("meeting"), "an agenda's meeting"),
                    "date": _date(d.get("date")),
                    "note": _str(d.get("note"), "an agenda's note"),
                },
            )
            numbers = [i["number"] for i in d.get("items", [])]
            agenda.items.exclude(number__in=numbers).delete()
            for i in d.get("items", []):
                position = i.get("passage")
                item, _ = AgendaItem.objects.update_or_create(
                    agenda=agenda,
                    number=i["number"],
                    defaults={
                        "text": i["text"],
                        "passage": passages[position] if position is not None else None,
                        "start": i.get("start"),
                        "end": i.get("end"),
                        "note": _str(i.get("note"), "an item's note"),
                    },
                )
                items.add(item.pk)
        return items

    def _handling(self, cable, docs):
        cable.handling.all().delete()
        Handling.objects.bulk_create(
            Handling(
                cable=cable,
                position=d.get("position", n),
                action=d["action"],
                agent=self._person(d.get("agent")),
                as_written=_str(d.get("as_written"), "a handling note"),
                on=_date(d.get("on")),
                at=_time(d.get("at")),
            )
            for n, d in enumerate(docs)
        )

    def _mentions(self, passages, docs):
        Mention.objects.filter(passage__in=list(passages.values())).delete()
        mentions = []
        for d in docs:
            passage = passages[d["passage"]]
            if not (0 <= d["start"] < d["end"] <= len(passage.text)):
                raise RestoreError(
                    f"{self.where()}a mention of {d['participant']} is out of its text."
                )
            mentions.append(
                Mention(
                    passage=passage,
                    participant=self._person(d["participant"]),
                    start=d["start"],
                    end=d["end"],
                    surface=d["surface"],
                    status=d.get("status") or Mention.Status.FOUND,
                )
            )
        Mention.objects.bulk_create(mentions)

    def _marks(self, passages, docs):
        SourceMark.objects.filter(passage__in=list(passages.values())).delete()
        SourceMark.objects.bulk_create(
            SourceMark(
                passage=passages[d["passage"]],
                kind=d["kind"],
                start=d["start"],
                end=d["end"],
                label=_str(d.get("label"), "a mark's label"),
                target=_str(d.get("target"), "a mark's target"),
                expansion=_str(d.get("expansion"), "a mark's expansion"),
                note=passages[d["note"]] if d.get("note") is not None else None,
            )
            for d in docs
        )

    # Annotations ----------------------------------------------------------

    def _annotations(self, passages: dict[int, Passage], collection: dict):
        from annotations import services
        from interchange.exporters.web_annotation import Malformed, read_item

        page = collection.get("first", collection)
        raws = page.get("items", []) if isinstance(page, dict) else []
        if not raws:
            return
        User = get_user_model()
        names = {(r.get("creator") or {}).get("nickname") for r in raws if isinstance(r, dict)}
        names |= {
            (r.get("readingroom") or {}).get("reviewed_by") for r in raws if isinstance(r, dict)
        }
        users = {
            u.get_username(): u
            for u in User._default_manager.filter(username__in=[n for n in names if n])
        }
        existing = {
            (a.passage_id, a.author_id, a.created): a
            for a in Annotation.objects.filter(passage__in=list(passages.values()))
        }
        created: dict[str, Annotation] = {}
        pending_replies = []
        for index, raw in enumerate(raws):
            try:
                item = read_item(raw, index)
            except Malformed as e:
                raise RestoreError(f"{self.where()}annotation {index + 1}: {e}.") from None
            extra = raw.get("readingroom") or {}
            username = (raw.get("creator") or {}).get("nickname")
            author = users.get(username) or self.fallback_user
            if author is None:
                raise RestoreError(
                    f"{self.where()}annotation {index + 1} is by {username!r}, who has no account "
                    "here (give a fallback user)."
                )
            if item.reply_to is not None:
                pending_replies.append((item, raw, extra, author))
                continue
            if item.document:
                position = min(passages, default=None)  # the host: the first passage
            else:
                position = extra.get("passage", item.position)
            passage = passages.get(position)
            if passage is None and item.document:
                raise RestoreError(f"{self.where()}a note on the whole document, and no text.")
            if passage is None:
                raise RestoreError(f"{self.where()}annotation {index + 1}: no passage p{position}.")
            when = _datetime(raw.get("created"))
            found = existing.get((passage.pk, author.pk, when))
            if found is not None:
                created[item.id] = found
                continue
            visibility = extra.get("visibility") or Annotation.Visibility.PUBLIC
            group = self._group(extra.get("group"), author) if visibility == "group" else None
            sel = item.selector
            if item.document:
                annotation = services.create_document_note(
                    user=author,
                    host=passage,
                    body=item.body,
                    kind=item.kind,
                    tags=item.tags,
                    visibility=visibility,
                    group=group,
                )
            elif extra.get("anchor_status") == Annotation.Anchor.ORPHANED:
                annotation = Annotation(
                    passage=passage,
                    author=author,
                    exact=sel.exact,
                    prefix=sel.prefix,
                    suffix=sel.suffix,
                    start=sel.start,
                    end=sel.end,
                    body=item.body,
                    kind=item.kind,
                    visibility=visibility,
                    group=group,
                    replacement=item.replacement,
                )
                annotation.clean_fields(exclude=services.RELATIONS)
                annotation.save()
                from annotations.models import Tag

                annotation.tags.set(Tag.for_names(item.tags))
            else:
                annotation = services.create_annotation(
                    user=author,
                    passage=passage,
                    start=sel.start if sel.start is not None else 0,
                    end=sel.end if sel.end is not None else 0,
                    exact=sel.exact,
                    body=item.body,
                    kind=item.kind,
                    tags=item.tags,
                    visibility=visibility,
                    group=group,
                    replacement=item.replacement,
                )
            self._finish_annotation(annotation, raw, extra, users)
            created[item.id] = annotation
        for item, raw, extra, author in pending_replies:
            parent = created.get(item.reply_to)
            if parent is None:
                raise RestoreError(
                    f"{self.where()}a reply ({item.id}) answers an annotation not in the file."
                )
            when = _datetime(raw.get("created"))
            if (parent.passage_id, author.pk, when) in existing:
                continue
            annotation = services.reply(user=author, parent=parent, body=item.body)
            self._finish_annotation(annotation, raw, extra, users)

    def _finish_annotation(self, annotation, raw, extra, users):
        """What the services do not set: timestamps, review, hiding, anchor status."""
        changes = {"hidden": bool(extra.get("hidden", False))}
        if raw.get("created"):
            changes["created"] = _datetime(raw["created"])
        if raw.get("modified"):
            changes["updated"] = _datetime(raw["modified"])
        if annotation.parent_id is None:
            if annotation.kind == Annotation.Kind.CORRECTION:
                changes["correction_status"] = extra.get("correction_status") or (
                    Annotation.Correction.PROPOSED
                )
                changes["reviewed_by"] = users.get(extra.get("reviewed_by"))
            if extra.get("anchor_status"):
                changes["anchor_status"] = extra["anchor_status"]
        Annotation.objects.filter(pk=annotation.pk).update(**changes)
        for k, v in changes.items():
            setattr(annotation, k, v)

    def _group(self, doc, author) -> ResearchGroup:
        if not isinstance(doc, dict) or not doc.get("slug"):
            raise RestoreError(f"{self.where()}a group annotation without its group.")
        group = ResearchGroup.objects.filter(slug=doc["slug"]).first()
        if group is None:
            group = ResearchGroup.objects.create(
                slug=doc["slug"], name=doc.get("name") or doc["slug"]
            )
            group.members.add(author)
        return group

    # After every cable ----------------------------------------------------

    def _references(self, cable, passages: dict[int, Passage], docs: list[dict]):
        """Editors' references (confirmed, added, rejected) as they were, with the
        target an editor gave; then every passage's references found and resolved
        again (found ones are derived from the text: recomputed, not restored).
        After every cable, so a target later in the same file is there."""
        Reference.objects.filter(passage__in=list(passages.values())).delete()
        rows = []
        for d in docs:
            if not isinstance(d, dict) or d.get("status") in (None, Reference.Status.FOUND):
                continue
            passage = passages.get(d.get("passage"))
            start, end = d.get("start"), d.get("end")
            if (
                passage is None
                or not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end)
                or end > len(passage.text)
            ):
                raise RestoreError(f"{self.where()}a reference is out of its text.")
            if d["status"] not in Reference.Status.values or d.get("kind") not in (
                Reference.Kind.values
            ):
                raise RestoreError(f"{self.where()}a reference has an unknown status or kind.")
            target = d.get("target") or {}
            target_cable = (
                Cable.objects.filter(slug=target.get("slug")).first()
                if target.get("slug")
                else None
            )
            target_telegram = None
            if target_cable is not None and target.get("telegram"):
                target_telegram = Telegram.objects.filter(
                    passage__cable=target_cable, number=target["telegram"]
                ).first()
            rows.append(
                Reference(
                    passage=passage,
                    start=start,
                    end=end,
                    surface=passage.text[start:end],
                    status=d["status"],
                    kind=d["kind"],
                    relation=d.get("relation") or Reference.Relation.CITES,
                    sender=Participant.objects.filter(slug=d.get("sender") or "").first(),
                    recipient=Participant.objects.filter(slug=d.get("recipient") or "").first(),
                    date=_date(d.get("date")),
                    year_inferred=bool(d.get("year_inferred")),
                    number=_str(d.get("number") or "", "a reference's number")[:40],
                    series=_str(d.get("series") or "", "a reference's series")[:40],
                    count=d.get("count") if isinstance(d.get("count"), int) else None,
                    target_cable=target_cable,
                    target_telegram=target_telegram,
                    reason="Restored from an export" if target_cable else "",
                )
            )
        Reference.objects.bulk_create(rows)
        recompute_references(passages.values())

    def _finish(self):
        for cable, passages, docs in self.deferred_references:
            self.context.append(f"cable {cable.slug}")
            self._references(cable, passages, docs)
            self.context.pop()
        for cable, docs in self.deferred_related:
            for d in docs:
                other = Cable.objects.filter(slug=d.get("slug")).first() or (
                    d.get("record_id") and Cable.objects.filter(record_id=d["record_id"]).first()
                )
                if other:
                    cable.related.add(other)
                else:
                    log.info("related cable %s of %s is not here; skipped", d, cable.slug)
        for cable, docs, items in self.deferred_correspondences:
            self.context.append(f"cable {cable.slug}")
            wanted = set()
            for d in docs:
                left = self._item(*d["left"])
                right = self._item(*d["right"])
                if left is None or right is None:
                    log.info("correspondence %s of %s names a missing item; skipped", d, cable.slug)
                    continue
                Correspondence.objects.update_or_create(
                    left=left,
                    right=right,
                    defaults={
                        "relation": d["relation"],
                        "note": d["note"],
                        "status": d.get("status") or Correspondence.Status.ACCEPTED,
                        "proposed_by": self._user(d.get("proposed_by")),
                    },
                )
                wanted.add((left.pk, right.pk))
            for c in Correspondence.objects.filter(Q(left__in=items) | Q(right__in=items)):
                if (c.left_id, c.right_id) not in wanted:
                    c.delete()
            self.context.pop()

    @staticmethod
    def _user(username):
        if not username:
            return None
        return get_user_model()._default_manager.filter(username=username).first()

    @staticmethod
    def _item(slug: str, number: int) -> AgendaItem | None:
        return AgendaItem.objects.filter(agenda__slug=slug, number=number).first()
