"""Forwarded telegrams and the negotiating sides' agendas.

A :class:`Telegram` is the metadata of one telegram passage of a cable: who
sent it, to whom, copies, when, and what report it is an attachment of. An
:class:`Agenda` is a list of items a side proposed (or adopted) for a meeting,
taken from a telegram; each :class:`AgendaItem` knows its span in that
telegram's text. A :class:`Correspondence` is an editor's link between items
of different sides; researchers may propose one, which an editor accepts into
the editorial set (or rejects).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse

from cables.models import Cable, Handling, Mention, Participant, Passage, Side


class Telegram(models.Model):
    passage = models.OneToOneField(
        Passage, on_delete=models.CASCADE, related_name="telegram", primary_key=True
    )
    number = models.PositiveSmallIntegerField(help_text="Order of the telegram in its cable.")
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="telegrams"
    )
    participants = models.ManyToManyField(
        Participant, through="TelegramRecipient", related_name="telegrams_received", blank=True
    )
    sent_as_written = models.CharField(
        max_length=120, blank=True, help_text="As in the signature line, e.g. 1145 10 July."
    )
    sent_on = models.DateField(null=True, blank=True)
    sent_time = models.TimeField(null=True, blank=True, help_text="Local time, as written.")
    reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="How the telegram names itself, e.g. attachment Nº 1 to brief report Nº 1.",
    )
    attachment_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    subject = models.CharField(max_length=300, blank=True, help_text="A one-line editorial gist.")

    class Meta:
        ordering = ["passage__cable", "number"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(attachment_of=F("passage")), name="telegram_not_own_attachment"
            ),
        ]

    def __str__(self) -> str:
        who = f" from {self.author}" if self.author_id else ""
        return f"Telegram {self.number}{who}, {self.sent_as_written}".rstrip(", ")

    def get_absolute_url(self) -> str:
        return self.passage.get_absolute_url()

    def _recipients(self, role):
        return [r.participant for r in self.recipients.all() if r.role == role]

    @property
    def addressees(self) -> list[Participant]:
        """Addressees in order (uses prefetched ``recipients``)."""
        return self._recipients(TelegramRecipient.Role.TO)

    @property
    def copies_to(self) -> list[Participant]:
        """Copy recipients in order (uses prefetched ``recipients``)."""
        return self._recipients(TelegramRecipient.Role.COPY)


class TelegramRecipient(models.Model):
    class Role(models.TextChoices):
        TO = "to", "Addressee"
        COPY = "copy", "Copy to"

    telegram = models.ForeignKey(Telegram, on_delete=models.CASCADE, related_name="recipients")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="telegram_receipts"
    )
    role = models.CharField(max_length=4, choices=Role)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["telegram", "role", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["telegram", "participant", "role"], name="telegram_recipient_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.participant}"


class AgendaQuerySet(models.QuerySet):
    def published(self):
        """Agendas readers may see: an editor's own, or taken from a published record."""
        return self.filter(
            Q(telegram__isnull=True) | Q(telegram__passage__cable__status=Cable.Status.PUBLISHED)
        )

    def for_comparison(self):
        """Agendas with side, source telegram and items (2 queries)."""
        return self.select_related("side", "telegram__passage__cable").prefetch_related(
            Prefetch("items", queryset=AgendaItem.objects.order_by("number"))
        )


class Agenda(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ADOPTED = "adopted", "Adopted"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    side = models.ForeignKey(
        Side, null=True, blank=True, on_delete=models.PROTECT, related_name="agendas"
    )
    telegram = models.ForeignKey(
        Telegram, null=True, blank=True, on_delete=models.PROTECT, related_name="agendas"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PROPOSED)
    meeting = models.CharField(max_length=200, blank=True, help_text="The meeting it is for.")
    date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = AgendaQuerySet.as_manager()

    class Meta:
        ordering = ["date", "side__position", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("telegrams:agenda_compare") + f"?left={self.slug}"


class AgendaItem(models.Model):
    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(help_text="The item's words, as in the telegram.")
    passage = models.ForeignKey(
        Passage, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    start = models.PositiveIntegerField(null=True, blank=True, help_text="Offset in the passage.")
    end = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(
        max_length=300, blank=True, help_text="Editorial note, e.g. why it has no counterpart."
    )

    class Meta:
        ordering = ["agenda", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "number"], name="agenda_item_number_unique"),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(start__lt=F("end")), name="agenda_item_span"
            ),
        ]

    def __str__(self) -> str:
        side = self.agenda.side.short_name if self.agenda.side_id else self.agenda.title
        return f"{side} {self.number}. {self.text[:60]}"

    def get_absolute_url(self) -> str:
        if self.passage_id is None:
            return self.agenda.get_absolute_url()
        return f"{self.passage.cable.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self) -> str:
        return f"item-{self.agenda_id}-{self.number}"


class CorrespondenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What ``user`` may see: the editorial set (accepted), plus proposals for their
        authors and for editors (staff). Rejected proposals show only in the admin."""
        accepted = Q(status=Correspondence.Status.ACCEPTED)
        if not user.is_authenticated:
            return self.filter(accepted)
        proposed = Q(status=Correspondence.Status.PROPOSED)
        if not user.is_staff:
            proposed &= Q(proposed_by=user)
        return self.filter(accepted | proposed)

    def among(self, agendas):
        """Correspondences with both items in ``agendas``, with their proposer (a join)."""
        return self.filter(left__agenda__in=agendas, right__agenda__in=agendas).select_related(
            "proposed_by"
        )


class Correspondence(models.Model):
    """A link between two agenda items of different sides: an editor's, or a proposal."""

    class Relation(models.TextChoices):
        SAME = "same", "Same"
        PARTIAL = "partial", "Partial"
        RELATED = "related", "Related"
        OPPOSED = "opposed", "Opposed / contested"

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"  # the editorial set, seen by everyone
        PROPOSED = "proposed", "Proposed"  # seen by its proposer and by editors
        REJECTED = "rejected", "Rejected"  # kept, seen only in the admin

    left = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(max_length=10, choices=Relation)
    note = models.CharField(max_length=300)
    # Editors' rows (the seed, the admin) are accepted by default.
    status = models.CharField(max_length=10, choices=Status, default=Status.ACCEPTED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_correspondences",
        help_text="The researcher who proposed it; empty for editors' own links.",
    )

    objects = CorrespondenceQuerySet.as_manager()

    class Meta:
        ordering = ["left__agenda", "left__number", "right__number"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="correspondence_unique"),
            models.CheckConstraint(condition=~Q(left=F("right")), name="correspondence_two_items"),
        ]

    def __str__(self) -> str:
        return f"{self.left} ~ {self.right} ({self.relation})"

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED


# References between records (issue 16) ----------------------------------


class MissingRecordQuerySet(models.QuerySet):
    def wanted(self):
        """Entries some reference still points at, with how many references cite them."""
        return self.annotate(citing=models.Count("references")).filter(citing__gt=0)


class MissingRecord(models.Model):
    """A record the archive's documents cite but the archive does not hold.

    "Referenced, not in this archive": the editors' want-list. Each unresolved
    reference points at one (references that name the same message share it);
    when a matching record is imported or saved its references resolve and the
    entry is left with none, so the want-list no longer shows it.
    """

    key = models.CharField(
        max_length=300, unique=True, help_text="What names the message: kind, number, date, who."
    )
    label = models.CharField(max_length=300, help_text="The message as editors are shown it.")
    number = models.CharField(max_length=40, blank=True)
    series = models.CharField(max_length=40, blank=True)
    date = models.DateField(null=True, blank=True)
    sender = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MissingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["date", "label"]
        verbose_name = "record referenced, not in this archive"
        verbose_name_plural = "records referenced, not in this archive"

    def __str__(self) -> str:
        return self.label


class ReferenceQuerySet(models.QuerySet):
    def shown(self):
        """References that are not rejected by an editor."""
        return self.exclude(status=Reference.Status.REJECTED)


class Reference(models.Model):
    """A span of a passage naming another message: "your telegram of 8 September",
    "Deptel 123", "See Document 427", "the texts of four telegrams of 10 July".

    Found by ``telegrams.references`` and kept as mentions are: editors confirm,
    reject or add them, and recomputing replaces only the found ones. The parse
    (who sent the message cited, to whom, when, its number) and the resolution
    (the record it is, with a score and the reason) are columns of the row.
    """

    class Status(models.TextChoices):
        FOUND = "found", "Found by pattern"
        CONFIRMED = "confirmed", "Confirmed by an editor"
        ADDED = "added", "Added by an editor"
        REJECTED = "rejected", "Rejected by an editor"

    class Kind(models.TextChoices):
        DATED = "dated", "Dated"
        NUMBERED = "numbered", "Numbered"
        FRUS = "frus", "FRUS cross-reference"
        FORWARDING = "forwarding", "Forwarding"
        ATTACHMENT = "attachment", "Attachment to a report"

    class Relation(models.TextChoices):
        ANSWERS = "answers", "Answers"  # the addressee's message ("your telegram of")
        CITES = "cites", "Cites"  # its own side's, a third party's, an edition's
        FORWARDS = "forwards", "Forwards"
        PART_OF = "part_of", "Is an attachment to"

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="references")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    surface = models.CharField(max_length=300, help_text="The words as they stand in the text.")
    status = models.CharField(max_length=10, choices=Status, default=Status.FOUND)
    kind = models.CharField(max_length=10, choices=Kind)
    relation = models.CharField(max_length=10, choices=Relation, default=Relation.CITES)
    # The parse: the message cited.
    sender = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(null=True, blank=True)
    year_inferred = models.BooleanField(
        default=False, help_text="The text gives no year: taken from the citing document."
    )
    number = models.CharField(max_length=40, blank=True)
    series = models.CharField(
        max_length=40,
        blank=True,
        help_text="e.g. Deptel, Embtel, HNC, brief report, frus1951v07p1.",
    )
    count = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many messages it names (forwarding)."
    )
    # The resolution.
    target_cable = models.ForeignKey(
        Cable, null=True, blank=True, on_delete=models.SET_NULL, related_name="cited_by"
    )
    target_telegram = models.ForeignKey(
        Telegram, null=True, blank=True, on_delete=models.SET_NULL, related_name="cited_by"
    )
    score = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    missing = models.ForeignKey(
        MissingRecord,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="references",
        help_text="Set while no record of the archive matches.",
    )

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        # By the column, not the relation: "passage" would follow Passage's ordering to
        # its cable's date and title, joining both to sort a passage's few rows.
        ordering = ["passage_id", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="reference_span"),
            models.UniqueConstraint(fields=["passage", "start", "end"], name="reference_unique"),
        ]
        indexes = [
            # A cable's thread strip: what cites it (and its telegrams).
            models.Index(fields=["target_cable"], name="reference_target_cable"),
            # Resolving the want-list when a record arrives: unresolved ones by number and date.
            models.Index(
                fields=["number"], condition=Q(missing__isnull=False), name="reference_missing_no"
            ),
            models.Index(
                fields=["date"], condition=Q(missing__isnull=False), name="reference_missing_date"
            ),
        ]

    def __str__(self) -> str:
        return self.surface

    @property
    def target(self):
        """The record it resolves to: a telegram, else a cable, else None (no query when
        the targets are selected with it)."""
        return self.target_telegram or self.target_cable


# Reading ------------------------------------------------------------------


def cables_for_reading(cables=None, *, passage: int | None = None):
    """Cables with everything the reading view shows, in a fixed number of queries.

    ``cables`` is a Cable queryset (all cables when None). With ``passage`` (a
    passage's id), only that passage is loaded, with what it holds, and nothing
    else of the cable (its collections, related cables, handling): what an
    annotation action re-renders, one passage row, which loading the whole
    cable made most of a note's post (issue 13). Here rather than on
    ``CableQuerySet`` because it reads telegrams and agenda items, which the
    archive app below does not know.

    One query for the cable with sender and recipient, then one each for
    collections, related cables, handling events, passages, and the
    passages' telegrams, mentions, agenda items and references (see
    ``reading.views.cable_detail`` for the pinned count).
    """
    # Every prefetch orders by its own columns: the models' default orderings name
    # relations (a mention by its passage, a passage by its cable, a telegram by
    # its cable), which Django follows to the cable's date and title, so each
    # query would join every passage of every cable to sort a handful of rows
    # (15 ms of a 125 ms render at 1,000 cables, growing with the archive).
    telegrams = (
        Telegram.objects.select_related("author", "attachment_of__passage")
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=TelegramRecipient.objects.select_related("participant").order_by(
                    "telegram_id", "role", "position"
                ),
            ),
            Prefetch(
                "attachments",
                queryset=Telegram.objects.select_related("passage").order_by("number"),
            ),
        )
        .order_by("number")
    )
    passages = Passage.objects.order_by("position").prefetch_related(
        Prefetch("telegram", queryset=telegrams),
        Prefetch(
            "mentions",
            queryset=Mention.objects.shown()
            .select_related("participant")
            .order_by("passage_id", "start"),
        ),
        Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("agenda__side")),
        Prefetch(
            "references",
            queryset=Reference.objects.shown()
            .select_related("target_cable", "target_telegram__author", "target_telegram__passage")
            .order_by("passage_id", "start"),
        ),
    )
    if cables is None:
        cables = Cable.objects.all()
    if passage is not None:
        return cables.prefetch_related(Prefetch("passages", queryset=passages.filter(pk=passage)))
    return cables.select_related("sender", "recipient").prefetch_related(
        "collections",
        Prefetch("related", queryset=Cable.objects.published()),
        Prefetch(
            "handling", queryset=Handling.objects.select_related("agent").order_by("position")
        ),
        Prefetch("passages", queryset=passages),
    )
