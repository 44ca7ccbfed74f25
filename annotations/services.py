"""Writing annotations: validation, selectors and re-anchoring.

Every write goes through here so that the rules hold for the web forms, the
admin and the importers alike: a selection must match the passage text, a
group annotation needs a group the author belongs to, and a change to a
passage's text re-anchors every annotation on it without losing any.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.dispatch import Signal
from django.utils import timezone

from annotations.markdown import render_markdown
from annotations.models import (
    Annotation,
    Flag,
    Link,
    PassageRevision,
    ResearchGroup,
    ReviewEvent,
    Tag,
)
from cables.models import Passage
from readingroom.anchoring import Selector, anchor
from readingroom.models import Registration

STALE_SELECTION = (
    "The selected words no longer match the text of this passage "
    "(it may have been corrected since the page was loaded). Reload the page and select again."
)


# Sent with ``ids`` (annotation ids) after a write that changes annotations by an
# UPDATE, without save() and so without post_save: the search keeps who may see a
# note on its index entry and listens to both (search.signals, issue 13).
annotations_changed = Signal()


# Related objects are checked by the callers (and by the database); validating
# them again in clean_fields() would cost a query each.
RELATIONS = ["passage", "author", "parent", "group", "reviewed_by", "tags"]


def selection(passage: Passage, start: int, end: int, exact: str) -> Selector:
    """Selectors for a reader's selection, checked against the passage text.

    The offsets may be slightly off (a browser counting whitespace
    differently); the quote decides. Raises ``ValidationError`` when the
    quote is not in the passage.
    """
    text = passage.text
    if not exact or not exact.strip():
        raise ValidationError("Select some words of the text first.")
    if len(exact) > len(text):
        raise ValidationError(STALE_SELECTION)
    in_range = 0 <= start < end <= len(text)
    if in_range and _words(text[start:end]) == _words(exact):
        # Same words; the browser's copy differs only in whitespace between paragraphs.
        return Selector.from_range(text, start, end)
    if not in_range or text[start:end] != exact:
        found = anchor(text, Selector(exact=exact, start=start, end=end))
        if found is None or text[found.start : found.end] != exact:
            raise ValidationError(STALE_SELECTION)
        start, end = found.start, found.end
    return Selector.from_range(text, start, end)


def _words(text: str) -> str:
    return " ".join(text.split())


CONFIRM_FIRST = (
    "Confirm your e-mail address before you publish to everyone: follow the link we sent "
    "when you signed up (a new one: Your address, /accounts/confirm/). Notes for yourself "
    "or your group need no confirmation."
)
KEEP_CORRECTION = (
    "An accepted correction stays a correction. To withdraw it, ask an editor to reject it."
)
ALREADY_FLAGGED = "You have already flagged this note; an editor will look at it."
OWN_FLAG = "This is your own note: edit or delete it instead of flagging it."


def publishing(user) -> tuple[bool, bool]:
    """Whether ``user`` may publish to everyone, and whether their public notes must
    wait for an editor (issue 15).

    Only a self-registered account (``readingroom.Registration``) is held back:
    until it confirms its address it may not publish, and until an editor
    approves one of its public notes each waits in the moderation queue.
    Editors and accounts an editor made publish at once. One query (none for
    an editor).
    """
    if user.is_staff:
        return True, False
    registration = (
        Registration.objects.filter(user_id=user.pk)
        .values_list("email_confirmed", "approved")
        .first()
    )
    if registration is None:
        return True, False
    confirmed, approved = registration
    return confirmed is not None, approved is None


def _held_for_review(user, visibility: str) -> bool:
    """For a note about to be public: whether it waits for review (refused, with a
    clear message, from an account that has not confirmed its address)."""
    if visibility != Annotation.Visibility.PUBLIC:
        return False
    may_publish, held = publishing(user)
    if not may_publish:
        raise ValidationError(CONFIRM_FIRST)
    return held


def log_review(annotation: Annotation, editor, field: str, before, after) -> ReviewEvent:
    """Record one change of a note's review state (who, when, before, after)."""
    return ReviewEvent.objects.create(
        annotation_id=annotation.pk,
        editor=editor if editor is not None and editor.is_authenticated else None,
        field=field,
        before=_state(before),
        after=_state(after),
    )


def _state(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value or "")


def check_group(user, visibility: str, group: ResearchGroup | None) -> ResearchGroup | None:
    if visibility != Annotation.Visibility.GROUP:
        return None
    if group is None:
        raise ValidationError("Choose the group that may see this annotation.")
    if not group.members.filter(pk=user.pk).exists():
        raise ValidationError("You can share only with a group you belong to.")
    return group


@transaction.atomic
def create_annotation(
    *,
    user,
    passage: Passage,
    start: int,
    end: int,
    exact: str,
    body: str,
    kind: str = Annotation.Kind.COMMENT,
    tags: list[str] = (),
    visibility: str = Annotation.Visibility.PRIVATE,
    group: ResearchGroup | None = None,
    replacement: str = "",
) -> Annotation:
    sel = selection(passage, start, end, exact)
    annotation = Annotation(
        passage=passage,
        author=user,
        exact=sel.exact,
        prefix=sel.prefix,
        suffix=sel.suffix,
        start=sel.start,
        end=sel.end,
        body=body,
        kind=kind,
        visibility=visibility,
        group=check_group(user, visibility, group),
        replacement=replacement if kind == Annotation.Kind.CORRECTION else "",
        correction_status=(
            Annotation.Correction.PROPOSED if kind == Annotation.Kind.CORRECTION else ""
        ),
        awaiting_review=_held_for_review(user, visibility),
    )
    annotation.clean_fields(exclude=RELATIONS)
    annotation.save()
    annotation.tags.set(Tag.for_names(list(tags)))
    return annotation


NO_TEXT = "This document has no text to note yet."
EMPTY_DOCUMENT_NOTE = "Write something in the note on this document."


def document_host(cable) -> Passage | None:
    """The passage that hosts a cable's document notes: its first (one query)."""
    return Passage.objects.filter(cable=cable).order_by("position", "pk").first()


@transaction.atomic
def create_document_note(
    *,
    user,
    cable=None,
    body: str,
    kind: str = Annotation.Kind.COMMENT,
    tags: list[str] = (),
    visibility: str = Annotation.Visibility.PRIVATE,
    group: ResearchGroup | None = None,
    host: Passage | None = None,
) -> Annotation:
    """A note on the whole cable (a "page note"): no selectors, hosted by its first
    passage (``host``, when the caller has it). Corrections and links need words,
    so a document note is neither."""
    if not body or not body.strip():
        raise ValidationError(EMPTY_DOCUMENT_NOTE)
    if kind in (Annotation.Kind.CORRECTION, Annotation.Kind.LINK):
        raise ValidationError("A correction or a link needs words of the text: select them.")
    host = host if host is not None else document_host(cable)
    if host is None:
        raise ValidationError(NO_TEXT)
    annotation = Annotation(
        passage=host,
        author=user,
        on_document=True,
        body=body,
        kind=kind,
        visibility=visibility,
        group=check_group(user, visibility, group),
        awaiting_review=_held_for_review(user, visibility),
    )
    annotation.clean_fields(exclude=RELATIONS)
    annotation.save()
    annotation.tags.set(Tag.for_names(list(tags)))
    return annotation


@transaction.atomic
def reply(*, user, parent: Annotation, body: str) -> Annotation:
    """A reply shares its thread's passage, visibility and group (and, on a document
    note, its place at the top of the text)."""
    root = parent if parent.parent_id is None else parent.parent
    annotation = Annotation(
        passage=root.passage,
        on_document=root.on_document,
        author=user,
        parent=root,
        body=body,
        visibility=root.visibility,
        group_id=root.group_id,
        awaiting_review=_held_for_review(user, root.visibility),
    )
    annotation.clean_fields(exclude=RELATIONS)
    annotation.save()
    return annotation


class EditConflict(Exception):
    """Someone else saved the annotation since this edit began."""

    def __init__(self, current: Annotation):
        super().__init__("This annotation was changed by someone else.")
        self.current = current


@transaction.atomic
def update_annotation(annotation: Annotation, *, version: int, editor=None, **fields) -> Annotation:
    """Save ``fields`` if nobody saved since ``version`` was read (optimistic locking).

    The version check and the write are one UPDATE, so two concurrent saves
    cannot both succeed. The published reading never changes without an
    editor (issue 15): a new replacement for a reviewed correction returns it
    to "proposed" (recorded as a review event by ``editor``, the author by
    default), and an accepted correction cannot become another kind. A note
    made public by a new account waits for review like a new one.
    """
    editor = editor if editor is not None else annotation.author
    tags = fields.pop("tags", None)
    events = []
    kind = fields.get("kind", annotation.kind)
    if annotation.on_document and kind in (Annotation.Kind.CORRECTION, Annotation.Kind.LINK):
        raise ValidationError("A correction or a link needs words of the text: select them.")
    reviewed = annotation.correction_status in (
        Annotation.Correction.ACCEPTED,
        Annotation.Correction.REJECTED,
    )
    if annotation.kind == Annotation.Kind.CORRECTION and reviewed:
        if kind != Annotation.Kind.CORRECTION:
            if annotation.correction_status == Annotation.Correction.ACCEPTED:
                raise ValidationError(KEEP_CORRECTION)
        elif fields.get("replacement", annotation.replacement) != annotation.replacement:
            fields.update(correction_status=Annotation.Correction.PROPOSED, reviewed_by=None)
    elif kind == Annotation.Kind.CORRECTION and not annotation.correction_status:
        fields["correction_status"] = Annotation.Correction.PROPOSED
    if kind != Annotation.Kind.CORRECTION and annotation.kind == Annotation.Kind.CORRECTION:
        fields["correction_status"] = ""
    status = fields.get("correction_status", annotation.correction_status)
    if status != annotation.correction_status:
        events.append((ReviewEvent.Field.CORRECTION, annotation.correction_status, status))
    visibility = fields.get("visibility", annotation.visibility)
    if visibility == Annotation.Visibility.PUBLIC and annotation.visibility != visibility:
        held = _held_for_review(annotation.author, visibility)
        if held and not annotation.awaiting_review:
            fields["awaiting_review"] = True
            events.append((ReviewEvent.Field.AWAITING_REVIEW, False, True))
    for name, value in fields.items():
        setattr(annotation, name, value)
    annotation.clean_fields(exclude=RELATIONS)
    annotation.body_html = render_markdown(annotation.body)
    changed = Annotation.objects.filter(pk=annotation.pk, version=version).update(
        **fields,
        body_html=annotation.body_html,
        version=version + 1,
        updated=timezone.now(),
    )
    if not changed:
        raise EditConflict(Annotation.objects.get(pk=annotation.pk))
    for field, before, after in events:
        log_review(annotation, editor, field, before, after)
    annotations_changed.send(sender=Annotation, ids=[annotation.pk])
    if tags is not None:
        annotation.tags.set(Tag.for_names(list(tags)))
    annotation.refresh_from_db()
    return annotation


@transaction.atomic
def delete_annotation(annotation: Annotation) -> None:
    """Delete softly: the row is kept, marked deleted, shown to nobody."""
    Annotation.objects.filter(pk=annotation.pk).update(
        deleted_at=timezone.now(), version=annotation.version + 1
    )
    annotations_changed.send(sender=Annotation, ids=[annotation.pk])


@transaction.atomic
def set_hidden(annotation: Annotation, hidden: bool, *, editor=None) -> None:
    """An editor hides a public annotation from readers (or shows it again), recorded."""
    before = Annotation.objects.filter(pk=annotation.pk).values_list("hidden", flat=True).get()
    if before == hidden:
        return
    Annotation.objects.filter(pk=annotation.pk).update(
        hidden=hidden, version=models.F("version") + 1
    )
    log_review(annotation, editor, ReviewEvent.Field.HIDDEN, before, hidden)
    annotations_changed.send(sender=Annotation, ids=[annotation.pk])


@transaction.atomic
def review_correction(annotation: Annotation, decision: str, *, editor) -> bool:
    """An editor accepts or rejects a proposed correction, recorded; ``False`` (nothing
    changed) when it is no longer proposed (another editor was first)."""
    changed = Annotation.objects.filter(
        pk=annotation.pk,
        kind=Annotation.Kind.CORRECTION,
        correction_status=Annotation.Correction.PROPOSED,
    ).update(correction_status=decision, reviewed_by=editor, version=models.F("version") + 1)
    if changed:
        proposed = Annotation.Correction.PROPOSED
        log_review(annotation, editor, ReviewEvent.Field.CORRECTION, proposed, decision)
        annotations_changed.send(sender=Annotation, ids=[annotation.pk])
    return bool(changed)


@transaction.atomic
def approve(annotations, *, editor) -> int:
    """An editor approves notes awaiting review: they are published, and their
    authors' accounts publish without waiting from now on. Returns how many."""
    pending = list(
        Annotation.objects.filter(pk__in=[a.pk for a in annotations], awaiting_review=True)
        .select_for_update()
        .values_list("pk", "author_id")
    )
    if not pending:
        return 0
    ids = [pk for pk, _ in pending]
    Annotation.objects.filter(pk__in=ids).update(
        awaiting_review=False, version=models.F("version") + 1
    )
    ReviewEvent.objects.bulk_create(
        ReviewEvent(
            annotation_id=pk,
            editor=editor,
            field=ReviewEvent.Field.AWAITING_REVIEW,
            before="yes",
            after="no",
        )
        for pk in ids
    )
    Registration.objects.filter(
        user_id__in={author for _, author in pending}, approved__isnull=True
    ).update(approved=timezone.now())
    annotations_changed.send(sender=Annotation, ids=ids)
    return len(ids)


def flag(annotation: Annotation, reader) -> Flag:
    """A reader flags a note for an editor, once per note (``ValidationError`` again)."""
    if annotation.author_id == reader.pk:
        raise ValidationError(OWN_FLAG)
    try:
        with transaction.atomic():
            return Flag.objects.create(annotation=annotation, reader=reader)
    except IntegrityError:
        raise ValidationError(ALREADY_FLAGGED) from None


@transaction.atomic
def mark_flags_reviewed(flags, *, editor) -> int:
    """An editor has looked at these flags (the note stays as it is unless they act)."""
    return Flag.objects.filter(pk__in=[f.pk for f in flags], reviewed_at__isnull=True).update(
        reviewed_at=timezone.now(), reviewed_by=editor
    )


def reanchor(passage: Passage) -> tuple[int, int]:
    """Place every annotation of ``passage`` in its current text.

    Returns ``(moved, orphaned)``. Orphaned annotations keep their selectors
    and stay listed under the passage; nothing is deleted.
    """
    moved = orphaned = 0
    changed = []
    # A document note has no words to place: it stays on the whole document.
    for a in passage.annotations.filter(parent__isnull=True, on_document=False):
        found = anchor(
            passage.text,
            Selector(exact=a.exact, prefix=a.prefix, suffix=a.suffix, start=a.start, end=a.end),
        )
        if found is None:
            if a.anchor_status != Annotation.Anchor.ORPHANED:
                a.anchor_status = Annotation.Anchor.ORPHANED
                changed.append(a)
            orphaned += 1
            continue
        if (found.start, found.end) != (a.start, a.end):
            a.start, a.end = found.start, found.end
            a.anchor_status = Annotation.Anchor.MOVED
            moved += 1
            changed.append(a)
        elif a.anchor_status == Annotation.Anchor.ORPHANED:
            a.anchor_status = Annotation.Anchor.MOVED
            changed.append(a)
    Annotation.objects.bulk_update(changed, ["start", "end", "anchor_status"])
    ends = []
    for link in passage.incoming_links.exclude(target_exact=""):
        found = anchor(
            passage.text,
            Selector(
                exact=link.target_exact,
                prefix=link.target_prefix,
                suffix=link.target_suffix,
                start=link.target_start,
                end=link.target_end,
            ),
        )
        if found is None:
            link.target_status = Annotation.Anchor.ORPHANED
            orphaned += 1
        elif (found.start, found.end) != (link.target_start, link.target_end):
            link.target_start, link.target_end = found.start, found.end
            link.target_status = Annotation.Anchor.MOVED
            moved += 1
        else:
            continue
        ends.append(link)
    Link.objects.bulk_update(ends, ["target_start", "target_end", "target_status"])
    return moved, orphaned


@transaction.atomic
def record_text_change(passage: Passage, before: str, editor=None) -> PassageRevision:
    """Keep the old text and re-anchor the passage's annotations to the new one."""
    moved, orphaned = reanchor(passage)
    return PassageRevision.objects.create(
        passage=passage,
        editor=editor if editor is not None and editor.is_authenticated else None,
        before=before,
        after=passage.text,
        reanchored=moved,
        orphaned=orphaned,
    )


@transaction.atomic
def create_link(
    *,
    user,
    passage: Passage,
    start: int,
    end: int,
    exact: str,
    relation: str,
    body: str = "",
    visibility: str = Annotation.Visibility.PRIVATE,
    group: ResearchGroup | None = None,
    target_passage: Passage | None = None,
    target_start: int | None = None,
    target_end: int | None = None,
    target_exact: str = "",
    target_participant=None,
    target_cable=None,
    target_item=None,
) -> Link:
    """A link from a selection to another end: a selection or a whole passage, a
    participant, a cable or an agenda item. Both text ends are checked against
    their passages; exactly one other end must be given."""
    targets = [target_passage, target_participant, target_cable, target_item]
    if sum(t is not None for t in targets) != 1:
        raise ValidationError("Choose one other end for the link.")
    annotation = create_annotation(
        user=user,
        passage=passage,
        start=start,
        end=end,
        exact=exact,
        body=body,
        kind=Annotation.Kind.LINK,
        visibility=visibility,
        group=group,
    )
    link = Link(
        annotation=annotation,
        relation=relation,
        target_passage=target_passage,
        target_participant=target_participant,
        target_cable=target_cable,
        target_item=target_item,
    )
    if target_passage is not None and target_exact.strip():
        sel = selection(target_passage, target_start or 0, target_end or 0, target_exact)
        if target_passage.pk == passage.pk and (sel.start, sel.end) == (start, end):
            raise ValidationError("A link needs two different places: select the other end.")
        link.target_exact, link.target_prefix = sel.exact, sel.prefix
        link.target_suffix = sel.suffix
        link.target_start, link.target_end = sel.start, sel.end
    link.clean_fields(exclude=["annotation", *[f"target_{n}" for n in TARGETS]])
    link.save()
    return link


TARGETS = ("passage", "participant", "cable", "item")
