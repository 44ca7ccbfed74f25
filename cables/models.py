"""Archival documents and the people in them.

A :class:`Cable` is the archival record; its text is an ordered list of
:class:`Passage` rows which, concatenated (each passage's ``text`` followed by
its ``tail``), give back the published text exactly. Everything that can be
read, searched, annotated or linked is a passage, so one span mechanism
(``readingroom.spans``) serves highlights, mentions and agenda items alike.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse


class Side(models.Model):
    """A party to the negotiations (the Communist side, the UN Command).

    Kept here rather than in ``telegrams`` because participants belong to a
    side as much as agendas do; this keeps the app dependency one-way
    (telegrams -> cables).
    """

    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class ParticipantQuerySet(models.QuerySet):
    def for_index(self):
        """Participants with their side and aliases (3 queries)."""
        return self.select_related("side").prefetch_related("aliases")

    def resolve(self, name: str):
        """The participant whose canonical name or alias is ``name`` (case-insensitive).

        Runs one query; returns ``None`` when nobody answers to the name.
        """
        name = name.strip()
        return self.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name)).distinct().first()


class Participant(models.Model):
    """A person or an office that sends, receives, handles or is named in a text."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        OFFICE = "office", "Office"

    name = models.CharField(max_length=200, help_text="Canonical name, e.g. Joseph Stalin.")
    sort_name = models.CharField(max_length=200, help_text="Name for alphabetical lists.")
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.PERSON)
    role = models.CharField(
        max_length=300, blank=True, help_text="Position or role at the time of the documents."
    )
    affiliation = models.CharField(max_length=200, blank=True)
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.SET_NULL, related_name="participants"
    )
    note = models.TextField(blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="participant_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("reading:participant", args=[self.slug])


class Alias(models.Model):
    """Another name a participant goes by in the texts.

    Aliases are unique across all participants (case-insensitive), so a name
    in a text resolves to one person at most.
    """

    class Kind(models.TextChoices):
        PSEUDONYM = "pseudonym", "Pseudonym"
        SPELLING = "spelling", "Spelling or transliteration"
        OCR = "ocr", "OCR variant"
        SHORT = "short", "Short form"
        TITLE = "title", "Title or office"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.SPELLING)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="alias_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()} of {self.participant_id})"


class Collection(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cables:catalogue") + f"?collection={self.slug}"


class CableQuerySet(models.QuerySet):
    def published(self):
        """The records readers may see: every page, search and export starts here.

        Drafts (imports an editor has not reviewed) are the admin's alone.
        """
        return self.filter(status=Cable.Status.PUBLISHED)

    def taking_part(self, **lookup):
        """Cables in which a participant matching ``lookup`` (e.g. ``slug=…``,
        ``side__slug=…``) takes part: sender, recipient, telegram author or
        recipient, or a mention an editor has not rejected.

        Each way is an indexed subquery of ids: one OR across the joins would
        read every passage of the archive.
        """
        people = Participant.objects.filter(**lookup).values("pk")
        in_passages = Passage.objects.values("cable_id")
        return self.filter(
            Q(sender__in=people)
            | Q(recipient__in=people)
            | Q(pk__in=in_passages.filter(telegram__author__in=people))
            | Q(pk__in=in_passages.filter(telegram__recipients__participant__in=people))
            | Q(
                pk__in=Mention.objects.shown()
                .filter(participant__in=people)
                .values("passage__cable_id")
            )
        )

    def for_catalogue(self):
        """Cables with sender and recipient joined, by date with the undated last (one query)."""
        return self.select_related("sender", "recipient").order_by(
            models.F("date").asc(nulls_last=True), "title"
        )

    def neighbours(self, cable: Cable) -> tuple[Cable | None, Cable | None]:
        """The cables just before and just after ``cable`` in this queryset, in the
        catalogue's order (by date, the undated last, then title, then id): two
        queries, each the first row of a range of the index ``cable_catalogue_order``
        (the day a cable sorts by, ``catalogue_day``; title; id), so the cost does
        not grow with the collection. Each condition bounds that day as well as
        saying which rows come before or after, because PostgreSQL uses only a bound
        for the index: with the ``OR`` of dates alone it walked the index from one
        end, 200 ms a page for a cable in the middle of 100,000 (issue 13)."""
        day, title, pk = catalogue_day_of(cable), cable.title, cable.pk
        rows = self.alias(day=catalogue_day()).only(
            "slug", "title", "date", "date_to", "date_as_written"
        )
        same = Q(day=day)
        earlier = Q(day__lt=day) | (same & (Q(title__lt=title) | Q(title=title, pk__lt=pk)))
        later = Q(day__gt=day) | (same & (Q(title__gt=title) | Q(title=title, pk__gt=pk)))
        previous = rows.filter(earlier, day__lte=day).order_by("-day", "-title", "-pk").first()
        following = rows.filter(later, day__gte=day).order_by("day", "title", "pk").first()
        return previous, following


# The catalogue puts undated cables after every dated one: they sort as if of this day.
UNDATED = datetime.date.max


def catalogue_day():
    """The day a cable sorts by in the catalogue: its date, or ``UNDATED``."""
    return Coalesce("date", models.Value(UNDATED), output_field=models.DateField())


def catalogue_day_of(cable: Cable) -> datetime.date:
    return cable.date if cable.date is not None else UNDATED


class Cable(models.Model):
    """An archival record: one document as an archive holds and publishes it."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "Published"
        DRAFT = "draft", "Draft: waiting for an editor's review"

    class Found(models.TextChoices):
        """How the importer found a field's value (``Cable.provenance``)."""

        PARSED = "parsed", "Parsed: read where the layout puts it"
        INFERRED = "inferred", "Inferred: worked out from elsewhere in the text"
        MISSING = "missing", "Missing: the source does not give it"

    # Publication: readers see published records only; imports that the
    # importer could not fully place come in as drafts for an editor.
    status = models.CharField(max_length=10, choices=Status, default=Status.PUBLISHED)
    complete = models.BooleanField(
        default=True, help_text="Unticked when the source text was cut off partway."
    )
    # Catalogue
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    date = models.DateField(
        null=True,
        blank=True,
        help_text="The document's date; for an approximate date the earliest day it can be; "
        "empty when the document is undated.",
    )
    date_to = models.DateField(
        null=True,
        blank=True,
        help_text="For an approximate date, the latest day it can be (e.g. 30 June for June 1951).",
    )
    date_as_written = models.CharField(
        max_length=120, blank=True, help_text="As written, e.g. [not before 3 July 1951]."
    )
    record_id = models.CharField(
        max_length=60, blank=True, help_text="The archive's record id, e.g. Wilson Center 117409."
    )
    canonical_url = models.URLField(
        blank=True, max_length=500, help_text="The archive's own address for the record."
    )
    source_url = models.URLField(
        blank=True,
        max_length=500,
        help_text="Where the text came from: the archive's own address, or a mirror's.",
    )
    signature = models.CharField(
        max_length=300,
        blank=True,
        help_text="The archival reference as written, e.g. Fond 45, Opis 1, Delo 339, Listy 17-19.",
    )
    translator = models.CharField(max_length=300, blank=True)
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text="The original-language text this text translates.",
    )
    source_text = models.TextField(
        blank=True, help_text="The text as imported, shown beside a draft for review."
    )
    provenance = models.JSONField(
        default=dict, blank=True, help_text="How the importer found each field (Cable.Found)."
    )
    problems = models.JSONField(
        default=list, blank=True, help_text="What the importer could not place, for the editor."
    )
    citation = models.TextField(blank=True, help_text="The citation as the archive publishes it.")
    archive = models.CharField(max_length=200, blank=True, help_text="e.g. APRF.")
    archive_name = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    credits = models.TextField(blank=True)
    original_language = models.CharField(max_length=60, blank=True)
    text_language = models.CharField(max_length=60, blank=True, help_text="Language of the text.")
    contents_label = models.CharField(
        max_length=120, blank=True, help_text="As published, e.g. 'Translation - English'."
    )
    # Header block
    directorate = models.CharField(max_length=300, blank=True)
    document_type = models.CharField(max_length=60, blank=True, help_text="e.g. Cable.")
    cable_number = models.CharField(max_length=40, blank=True)
    origin = models.CharField(max_length=120, blank=True, help_text="As written, e.g. [BEIJING].")
    received_as_written = models.CharField(max_length=120, blank=True)
    received_on = models.DateField(null=True, blank=True)
    received_time = models.TimeField(null=True, blank=True, help_text="Local time, as written.")
    copy_distribution = models.CharField(max_length=300, blank=True)
    copy_number = models.CharField(max_length=40, blank=True)
    stamp = models.TextField(blank=True)
    incoming_number = models.CharField(max_length=120, blank=True)
    series = models.CharField(max_length=40, blank=True)
    precedence = models.CharField(
        max_length=40, blank=True, help_text="e.g. Priority, Niact (FRUS telegrams)."
    )
    sender = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="cables_sent"
    )
    recipient = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cables_received",
    )
    sender_number = models.CharField(
        max_length=40, blank=True, help_text="The sender's own number, e.g. 3444."
    )
    sender_dated = models.CharField(
        max_length=60, blank=True, help_text="As written, e.g. 11 July."
    )
    handling_number = models.CharField(max_length=40, blank=True)
    copies_note = models.CharField(max_length=300, blank=True)
    collections = models.ManyToManyField(Collection, blank=True, related_name="cables")
    related = models.ManyToManyField("self", blank=True)

    objects = CableQuerySet.as_manager()

    class Meta:
        ordering = ["date", "title"]
        indexes = [
            # Catalogue: filter by year and sort by date.
            models.Index(fields=["date", "title"], name="cable_date_title"),
            # A cable's neighbours in a collection (``CableQuerySet.neighbours``).
            models.Index(catalogue_day(), "title", "id", name="cable_catalogue_order"),
            # The editors' review queue: the drafts, newest first.
            models.Index(fields=["-id"], condition=models.Q(status="draft"), name="cable_drafts"),
            # Import: the stored cable a document is (same record id; same source address).
            models.Index(fields=["record_id"], name="cable_record_id"),
            models.Index(fields=["source_url"], name="cable_source_url"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reading:cable", args=[self.slug])

    @property
    def cited_citation(self) -> str:
        """The archive's citation, naming the record's canonical address where it
        names the address the text was copied from (a mirror or a staging host, as
        the seed's was): readers cite the archive, and the source stays beside it
        in the record (``source_url``)."""
        moved = self.canonical_url and self.source_url and self.source_url != self.canonical_url
        if self.citation and moved:
            return self.citation.replace(self.source_url, self.canonical_url)
        return self.citation

    @property
    def date_label(self) -> str:
        """The date as readers are shown it: a day, an approximate date, or undated."""
        if self.date is None:
            return self.date_as_written or "Undated"
        day = f"{self.date.day} {self.date:%B %Y}"
        if self.date_to is None:
            return day
        return self.date_as_written or f"{day} – {self.date_to.day} {self.date_to:%B %Y}"

    def text(self) -> str:
        """The published text, rebuilt from the passages (uses prefetched passages)."""
        return "".join(p.text + p.tail for p in self.passages.all())


class Passage(models.Model):
    """One block of a cable's text, in order.

    ``text`` is the block exactly as published; ``tail`` is the whitespace
    between it and the next block, so that the passages together give back the
    published text byte for byte.
    """

    class Kind(models.TextChoices):
        HEADING = "heading", "Heading"
        STAMP = "stamp", "Stamp"
        ADDRESS = "address", "Address line"
        COVER_NOTE = "cover_note", "Cover note"
        TELEGRAM = "telegram", "Forwarded telegram"
        CLOSING = "closing", "Closing"
        HANDLING = "handling", "Handling notes"
        BODY = "body", "Body"
        NOTE = "note", "Note"

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.BODY)
    label = models.CharField(max_length=120, blank=True, help_text="e.g. Telegram 2.")
    text = models.TextField()
    tail = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["cable", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cable", "position"], name="passage_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cable} — {self.label or self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return f"{self.cable.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        """The fragment id of this passage in the reading view."""
        return f"p{self.position}"


class Handling(models.Model):
    """Something done to the cable on its way: received, deciphered, printed, verified."""

    class Action(models.TextChoices):
        SENT = "sent", "Sent"
        RECEIVED = "received", "Received"
        DECIPHERED = "deciphered", "Deciphered"
        PRINTED = "printed", "Printed"
        VERIFIED = "verified", "Verified"
        FILED = "filed", "Filed"

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="handling")
    position = models.PositiveSmallIntegerField(default=0)
    action = models.CharField(max_length=12, choices=Action)
    agent = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="handled"
    )
    as_written = models.CharField(max_length=200, blank=True)
    on = models.DateField(null=True, blank=True)
    at = models.TimeField(null=True, blank=True, help_text="Local time, as written.")

    class Meta:
        ordering = ["cable", "position"]
        verbose_name_plural = "handling"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.as_written}".strip()


class MentionQuerySet(models.QuerySet):
    def shown(self):
        """Mentions that are not rejected by an editor."""
        return self.exclude(status=Mention.Status.REJECTED)


class Mention(models.Model):
    """A span of a passage naming a participant (found by alias, or added by an editor).

    Rejected mentions are kept so that recomputing mentions does not bring
    back a match an editor has ruled out.
    """

    class Status(models.TextChoices):
        FOUND = "found", "Found by name matching"
        CONFIRMED = "confirmed", "Confirmed by an editor"
        ADDED = "added", "Added by an editor"
        REJECTED = "rejected", "Rejected by an editor"

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="mentions")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="mentions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    surface = models.CharField(max_length=200, help_text="The words as they stand in the text.")
    status = models.CharField(max_length=10, choices=Status, default=Status.FOUND)

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["passage", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="mention_span"),
            models.UniqueConstraint(
                fields=["passage", "participant", "start", "end"], name="mention_unique"
            ),
        ]
        indexes = [
            # Participant page: a participant's mentions.
            models.Index(fields=["participant", "passage"], name="mention_participant"),
        ]

    def __str__(self) -> str:
        return f"{self.surface} → {self.participant}"


class SourceMark(models.Model):
    """Markup an imported edition places in a passage: a footnote call, a page break, a gloss.

    Added for FRUS TEI (``interchange.importers.tei``). A footnote's text is a
    passage of kind ``note`` (so it can be read, searched and annotated like
    any text); its mark records where in which passage it is called. A page
    break is a point (``start == end``) with the printed page number. An
    abbreviation's mark spans its words and holds the gloss. Marks are source
    data: a re-import replaces a cable's marks.
    """

    class Kind(models.TextChoices):
        NOTE = "note", "Footnote call"
        PAGE = "page", "Page break"
        ABBR = "abbr", "Abbreviation"

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="marks")
    kind = models.CharField(max_length=4, choices=Kind)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    label = models.CharField(max_length=40, blank=True, help_text="Note number or page number.")
    target = models.CharField(
        max_length=120, blank=True, help_text="The source's id, e.g. d427fn2."
    )
    expansion = models.CharField(max_length=300, blank=True, help_text="An abbreviation's gloss.")
    note = models.ForeignKey(
        Passage, null=True, blank=True, on_delete=models.CASCADE, related_name="calls"
    )

    class Meta:
        ordering = ["passage", "start", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lte=models.F("end")), name="source_mark_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}".strip()
