"""Researchers' own data: annotations on passages, their tags and research groups.

Kept apart from the source data (``cables``, ``telegrams``) it points at. An
annotation targets one passage through two W3C selectors — a TextQuote
(``exact`` with ``prefix``/``suffix``) and a TextPosition (``start``/``end``)
— and is re-anchored whenever the passage text changes
(``annotations.anchoring``). Replies are annotations with a ``parent`` and no
selectors of their own. A document note (``on_document``) targets the whole
cable: no selectors, hosted by the cable's first passage.

Visibility: a private annotation is seen by its author alone; a group one by
the members of its group; a public one by everyone. Editors hide public
annotations instead of deleting them; authors delete softly. A note hidden by
an editor, or awaiting review (a new account's public note, issue 15), is
withheld from everyone but its author and the editors, whatever its
visibility. Every review decision is kept as a ``ReviewEvent``; readers'
``Flag``s wait for an editor in the moderation queue (the admin).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify

from annotations.markdown import render_markdown
from cables.models import Cable, Passage


class ResearchGroup(models.Model):
    """A research team whose members share group annotations."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="research_groups", blank=True
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_names(cls, names: list[str]) -> list[Tag]:
        """The tags with these names, creating the missing ones (reused across annotations).

        Runs one query per name at most.
        """
        tags = []
        for name in names:
            slug = slugify(name)[:60] or "tag"
            tag = cls.objects.filter(name__iexact=name).first()
            if tag is None:
                base, n = slug, 1
                while cls.objects.filter(slug=slug).exists():
                    n += 1
                    slug = f"{base[:55]}-{n}"
                tag = cls.objects.create(name=name, slug=slug)
            tags.append(tag)
        return tags


def _visible(user, prefix: str = "") -> Q:
    """The visibility rule for one annotation (or, with ``prefix``, for a related one)."""

    def q(**lookups):
        return Q(**{prefix + name: value for name, value in lookups.items()})

    rule = q(deleted_at__isnull=True)
    public = q(visibility=Annotation.Visibility.PUBLIC)
    if not (user.is_authenticated and user.is_staff):
        # Withheld (hidden by an editor, or awaiting review) in every branch but
        # the author's own (issue 15: the group branch used to ignore it).
        shown = q(hidden=False, awaiting_review=False)
        rule &= (shown | q(author_id=user.pk)) if user.is_authenticated else shown
    if not user.is_authenticated:
        return rule & public
    in_group = Exists(
        ResearchGroup.members.through.objects.filter(
            researchgroup_id=OuterRef(prefix + "group_id"), user_id=user.pk
        )
    )
    mine = q(author=user)
    shared = q(visibility=Annotation.Visibility.GROUP) & in_group
    return rule & (public | mine | shared)


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user, *, threads: bool = True):
        """Annotations ``user`` may see: public ones, their own, and their groups'.

        Only on published records (a draft is the editors' alone, in the admin).
        Deleted annotations are left out. Hidden ones and those awaiting review
        are seen by their author and the editors alone, in every branch. A reply
        is seen only by those who may see the annotation it answers. No query
        runs until the queryset is evaluated.

        ``threads=False`` leaves that last rule to the caller, for one that
        loads every annotation of the passages it shows (a reply shares its
        root's passage, ``services.reply``) and so can drop the replies whose
        root it did not get (``margin.visible_annotations``). It spares the
        query a self-join and half its compiling: with 200 notes, a third of
        the margin's query (issue 13, ``bench/results.md``).
        """
        visible = self.filter(_visible(user), passage__cable__status=Cable.Status.PUBLISHED)
        if not threads:
            return visible
        return visible.filter(Q(parent__isnull=True) | _visible(user, prefix="parent__"))

    def roots(self):
        return self.filter(parent__isnull=True)

    def for_margin(self):
        """With author, group and tags; replies are fetched by the caller (2 queries)."""
        return self.select_related("author", "group", "passage").prefetch_related("tags")


class Annotation(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        IDENTIFICATION = "identification", "Identification"
        CORRECTION = "correction", "Correction"
        QUESTION = "question", "Question"
        LINK = "link", "Link"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Only me"
        GROUP = "group", "My group"
        PUBLIC = "public", "Everyone"

    class Anchor(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        MOVED = "moved", "Moved"
        ORPHANED = "orphaned", "Orphaned"

    class Correction(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    MOTIVATIONS = {
        Kind.COMMENT: "commenting",
        Kind.IDENTIFICATION: "identifying",
        Kind.CORRECTION: "editing",
        Kind.QUESTION: "questioning",
        Kind.LINK: "linking",
    }
    MAX_BODY = 20_000

    passage = models.ForeignKey(Passage, on_delete=models.PROTECT, related_name="annotations")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # TextQuoteSelector
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    # TextPositionSelector (in the passage text as it is now)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    anchor_status = models.CharField(max_length=10, choices=Anchor, default=Anchor.ANCHORED)
    # A note on the whole cable (Hypothesis' "page note"), and its replies: no
    # selectors; ``passage`` is the cable's first passage, which only hosts it, so
    # every rule that goes through the passage to its cable (visibility, versions,
    # search, exports) holds for it unchanged. See docs/design.md.
    on_document = models.BooleanField(
        default=False, help_text="A note on the whole document, not on words of a passage."
    )

    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False, help_text="Sanitised rendering.")
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.COMMENT)
    tags = models.ManyToManyField(Tag, blank=True, related_name="annotations")
    visibility = models.CharField(max_length=8, choices=Visibility, default=Visibility.PRIVATE)
    group = models.ForeignKey(
        ResearchGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annotations",
    )
    # Corrections: a replacement reading for the quoted words, accepted by an editor.
    replacement = models.TextField(blank=True)
    correction_status = models.CharField(max_length=10, choices=Correction, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    hidden = models.BooleanField(default=False, help_text="Hidden by an editor.")
    awaiting_review = models.BooleanField(
        default=False,
        help_text="A new account's public note, shown to its author and the editors "
        "until an editor approves it.",
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(visibility="group") | Q(group__isnull=False),
                name="annotation_group_visibility_has_group",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(start__lte=models.F("end")),
                name="annotation_position_order",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | ~Q(exact="") | Q(on_document=True),
                name="annotation_root_has_quote",
            ),
            models.CheckConstraint(
                condition=Q(on_document=False) | Q(exact="", start__isnull=True, end__isnull=True),
                name="annotation_document_note_has_no_selector",
            ),
        ]
        indexes = [
            # Reading view: the annotations of a cable's passages.
            models.Index(fields=["passage", "start"], name="annotation_passage"),
            # Annotations page: newest first.
            models.Index(fields=["-created"], name="annotation_newest"),
        ]

    def __str__(self) -> str:
        if self.on_document:
            return f"{self.get_kind_display()} by {self.author} on the whole document"
        return f"{self.get_kind_display()} by {self.author} on “{self.exact[:40]}”"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("annotations:detail", args=[self.pk])

    @property
    def motivation(self) -> str:
        return self.MOTIVATIONS[self.kind]

    @property
    def region(self) -> str:
        """The id of the page region an action on this note re-renders: its passage's
        row, or the document notes at the top of the text."""
        return "document-notes" if self.on_document else f"row-{self.passage_id}"

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    def can_edit(self, user) -> bool:
        return user.is_authenticated and user.pk == self.author_id and self.deleted_at is None


def _shortened(text: str, limit: int = 60) -> str:
    """``text`` cut at a word edge within ``limit`` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


class Link(models.Model):
    """A researcher's link from a span of one passage to another span, passage
    (a telegram), participant, cable or agenda item.

    The source end is an :class:`Annotation` of kind ``link`` (so a link has
    the annotation's anchor, author, note, visibility, replies and exports);
    this row holds the other end and the relation. Exactly one target is set.
    A passage target with an empty ``target_exact`` means the whole passage.
    """

    class Relation(models.TextChoices):
        SAME_EVENT = "same_event", "Same event"
        ANSWERS = "answers", "Answers"
        CONTRADICTS = "contradicts", "Contradicts"
        QUOTES = "quotes", "Quotes"
        TRANSLATION = "translation_of", "Translation of"
        RELATED = "related", "Related"

    annotation = models.OneToOneField(
        Annotation, on_delete=models.CASCADE, primary_key=True, related_name="link"
    )
    relation = models.CharField(max_length=16, choices=Relation, default=Relation.RELATED)
    target_passage = models.ForeignKey(
        Passage, null=True, blank=True, on_delete=models.PROTECT, related_name="incoming_links"
    )
    target_exact = models.TextField(blank=True)
    target_prefix = models.CharField(max_length=64, blank=True)
    target_suffix = models.CharField(max_length=64, blank=True)
    target_start = models.PositiveIntegerField(null=True, blank=True)
    target_end = models.PositiveIntegerField(null=True, blank=True)
    target_status = models.CharField(
        max_length=10, choices=Annotation.Anchor, default=Annotation.Anchor.ANCHORED
    )
    target_participant = models.ForeignKey(
        "cables.Participant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_cable = models.ForeignKey(
        "cables.Cable", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_item = models.ForeignKey(
        "telegrams.AgendaItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target_passage__isnull=False, target_participant__isnull=True,
                      target_cable__isnull=True, target_item__isnull=True)
                    | Q(target_passage__isnull=True, target_participant__isnull=False,
                        target_cable__isnull=True, target_item__isnull=True)
                    | Q(target_passage__isnull=True, target_participant__isnull=True,
                        target_cable__isnull=False, target_item__isnull=True)
                    | Q(target_passage__isnull=True, target_participant__isnull=True,
                        target_cable__isnull=True, target_item__isnull=False)
                ),
                name="link_exactly_one_target",
            ),
        ]  # fmt: skip
        indexes = [
            # Reading view: links that arrive at a cable's passages.
            models.Index(fields=["target_passage"], name="link_target_passage"),
        ]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.annotation.exact[:40]} → {self.target_label}"

    @property
    def target_label(self) -> str:
        """A short name for the other end (uses loaded relations)."""
        if self.target_passage_id:
            passage = self.target_passage
            where = passage.label or passage.get_kind_display()
            quote = f"“{_shortened(self.target_exact)}” in " if self.target_exact else ""
            return f"{quote}{where}, {passage.cable.title}"
        if self.target_participant_id:
            return self.target_participant.name
        if self.target_cable_id:
            return self.target_cable.title
        return str(self.target_item)

    @property
    def target_readable(self) -> bool:
        """Whether readers may see the other end: not on a record set back to draft."""
        cable = None
        if self.target_passage_id:
            cable = self.target_passage.cable
        elif self.target_cable_id:
            cable = self.target_cable
        elif self.target_item_id and self.target_item.passage_id:
            cable = self.target_item.passage.cable
        return cable is None or cable.status == Cable.Status.PUBLISHED

    @property
    def target_url(self) -> str:
        if self.target_passage_id:
            passage = self.target_passage
            return f"{passage.cable.get_absolute_url()}#{passage.anchor}"
        if self.target_participant_id:
            return self.target_participant.get_absolute_url()
        if self.target_cable_id:
            return self.target_cable.get_absolute_url()
        return self.target_item.get_absolute_url()


class PassageRevision(models.Model):
    """A change to a passage's text: who, when, before and after."""

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created = models.DateTimeField(auto_now_add=True)
    before = models.TextField()
    after = models.TextField()
    reanchored = models.PositiveIntegerField(default=0)
    orphaned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.passage} changed {self.created:%Y-%m-%d %H:%M}"


class ReviewEvent(models.Model):
    """One change of a note's review state: who, when, what, before and after.

    Written by ``annotations.services`` for every decision (a correction
    accepted, rejected or returned to proposed by its author's edit; a note
    hidden or shown again; a new account's note approved) and by the admin.
    """

    class Field(models.TextChoices):
        CORRECTION = "correction_status", "Correction status"
        HIDDEN = "hidden", "Hidden"
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"

    annotation = models.ForeignKey(
        Annotation, on_delete=models.CASCADE, related_name="review_events"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who made the change (the author, when their edit reopened a correction).",
    )
    created = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=20, choices=Field)
    before = models.CharField(max_length=20, blank=True)
    after = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            # The admin's note page: the note's events, newest first.
            models.Index(fields=["annotation", "-created"], name="reviewevent_annotation"),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.before or '—'} → {self.after or '—'}"


class Flag(models.Model):
    """A reader's report that a note needs an editor's eye; one per reader and note."""

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="flags")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    created = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(fields=["annotation", "reader"], name="flag_once_per_reader"),
        ]
        indexes = [
            # The moderation queue: flags no editor has reviewed yet.
            models.Index(
                fields=["annotation"],
                condition=Q(reviewed_at__isnull=True),
                name="flag_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Flag by {self.reader} on note {self.annotation_id}"


class ModerationItem(Annotation):
    """The editors' moderation queue in the admin: notes awaiting review or flagged."""

    class Meta:
        proxy = True
        verbose_name = "note to moderate"
        verbose_name_plural = "moderation queue"
