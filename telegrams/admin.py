"""Data entry for forwarded telegrams, the sides' agendas and their correspondences.

A telegram is one-to-one with its passage (the passage is its primary key), so
it is edited on the passage's page (a stacked inline) as well as on its own
page, where its addressees and copies are listed.

The cable's page gathers it all (issue 14): each passage of the cable, and
nested in a telegram passage its header (number, author, time sent, reference,
attachment of), and nested in the header its addressees and copies, each list
ordered by dragging its rows. The cable admin is re-registered here with those
inlines, as the passage admin is, so that cables never imports telegrams.
"""

import nested_admin
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models

from cables.admin import (
    CableAdmin,
    HandlingInline,
    OrderedFormSet,
    PassageAdmin,
    excerpt,
    is_deleted,
)
from cables.admin import PassageInline as CablePassageInline
from cables.models import Cable, Passage
from telegrams.models import (
    Agenda,
    AgendaItem,
    Correspondence,
    MissingRecord,
    Reference,
    Telegram,
    TelegramRecipient,
)

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 70})}}

TELEGRAM_FIELDS = [
    "number",
    "author",
    "sent_as_written",
    ("sent_on", "sent_time"),
    "reference",
    "attachment_of",
    "subject",
]


class TelegramInline(admin.StackedInline):
    model = Telegram
    fk_name = "passage"
    max_num = 1
    extra = 0
    fields = TELEGRAM_FIELDS
    autocomplete_fields = ["author", "attachment_of"]
    show_change_link = True  # addressees and copies are edited on the telegram's page


# The passage page gains the telegram inline here, so that cables never imports telegrams.
admin.site.unregister(Passage)


class ReferenceInline(admin.TabularInline):
    """A passage's references, as mentions are listed: editors confirm, reject or add."""

    model = Reference
    fk_name = "passage"
    extra = 0
    fields = ["surface", "start", "end", "kind", "relation", "status", "target_telegram"]
    fields += ["target_cable", "score", "reason"]
    readonly_fields = ["score", "reason"]
    autocomplete_fields = ["target_telegram", "target_cable"]
    show_change_link = True


@admin.register(Passage)
class PassageWithTelegramAdmin(PassageAdmin):
    inlines = [TelegramInline, *PassageAdmin.inlines, ReferenceInline]


class RecipientFormSet(OrderedFormSet):
    """One role's recipients of a telegram (addressees, or copies), in the order of the rows."""

    role: str = ""  # set by the inline

    def get_queryset(self):
        return super().get_queryset().filter(role=self.role).select_related("participant")

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.instance.role = self.role  # every row of this list, the empty one too

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if is_deleted(form) or not getattr(form, "cleaned_data", None):
                continue
            participant = form.cleaned_data.get("participant")
            if participant is None:
                continue
            if participant.pk in seen:
                label = TelegramRecipient.Role(self.role).label.lower()
                raise ValidationError(f"{participant} is named twice as {label}.")
            seen.add(participant.pk)


class AddresseeInline(nested_admin.SortableHiddenMixin, nested_admin.NestedTabularInline):
    model = TelegramRecipient
    formset = RecipientFormSet
    role = TelegramRecipient.Role.TO
    verbose_name = "addressee"
    verbose_name_plural = "addressees"
    extra = 0
    fields = ["participant", "position"]
    sortable_field_name = "position"
    autocomplete_fields = ["participant"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.role = self.role
        return formset


class CopyInline(AddresseeInline):
    role = TelegramRecipient.Role.COPY
    verbose_name = "copy recipient"
    verbose_name_plural = "copies to"


class TelegramHeaderFormSet(nested_admin.formsets.NestedInlineFormSet):
    """A telegram header only under a passage whose kind is "Forwarded telegram"."""

    def clean(self):
        super().clean()
        headers = [
            form
            for form in self.forms
            if not is_deleted(form) and (form.instance.pk or form.has_changed())
        ]
        parent = getattr(self, "parent_form", None)
        kind = parent.cleaned_data.get("kind") if parent is not None and parent.is_valid() else None
        if headers and (kind or self.instance.kind) != Passage.Kind.TELEGRAM:
            raise ValidationError(
                "A telegram header belongs to a passage of the kind “Forwarded telegram”: "
                "change this passage's kind, or remove the header."
            )


class TelegramHeaderInline(nested_admin.NestedStackedInline):
    """The telegram header nested in its passage on the cable's page."""

    model = Telegram
    formset = TelegramHeaderFormSet
    fk_name = "passage"
    max_num = 1
    extra = 0
    verbose_name = "telegram header"
    verbose_name_plural = "telegram header"
    fields = TELEGRAM_FIELDS
    autocomplete_fields = ["author", "attachment_of"]
    inlines = [AddresseeInline, CopyInline]


class PassageInline(CablePassageInline):
    inlines = [TelegramHeaderInline]


# The cable page gains the nested telegram headers here, so that cables never imports telegrams.
admin.site.unregister(Cable)


@admin.register(Cable)
class CableWithTelegramsAdmin(CableAdmin):
    inlines = [PassageInline, HandlingInline]


class TelegramRecipientInline(admin.TabularInline):
    model = TelegramRecipient
    extra = 1
    fields = ["role", "participant", "position"]
    autocomplete_fields = ["participant"]


@admin.register(Telegram)
class TelegramAdmin(admin.ModelAdmin):
    list_display = ["cable", "number", "author", "sent_as_written", "reference"]
    list_display_links = ["cable", "number"]
    list_filter = ["passage__cable"]
    list_select_related = ["passage__cable", "author"]
    search_fields = [
        "reference",
        "subject",
        "sent_as_written",
        "author__name",
        "author__aliases__name",
        "passage__cable__title",
        "passage__text",
    ]
    autocomplete_fields = ["passage", "author", "attachment_of"]
    fields = ["passage", *TELEGRAM_FIELDS]
    inlines = [TelegramRecipientInline]
    view_on_site = True

    def get_queryset(self, request):
        # __str__ names the author (also in autocomplete answers); see JOINS_NOTE.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description="Cable", ordering="passage__cable__date")
    def cable(self, obj: Telegram):
        return obj.passage.cable


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["number", "text", "passage", "start", "end", "note"]
    autocomplete_fields = ["passage"]
    formfield_overrides = SMALL_TEXTAREA


@admin.register(Agenda)
class AgendaAdmin(admin.ModelAdmin):
    list_display = ["title", "side", "status", "meeting", "date", "telegram"]
    list_filter = ["side", "status"]
    list_select_related = ["side", "telegram__author"]
    search_fields = ["title", "meeting", "note"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["telegram"]
    inlines = [AgendaItemInline]
    view_on_site = True


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["agenda", "number", "text_excerpt", "passage", "note"]
    list_display_links = ["number", "text_excerpt"]
    list_filter = ["agenda__side", "agenda"]
    list_select_related = ["agenda__side", "passage__cable"]
    search_fields = ["text", "note", "agenda__title"]
    autocomplete_fields = ["agenda", "passage"]
    formfield_overrides = SMALL_TEXTAREA

    def get_queryset(self, request):
        # __str__ names the agenda's side (also in autocomplete answers); see JOINS_NOTE.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description="Text")
    def text_excerpt(self, obj: AgendaItem) -> str:
        return excerpt(obj.text)


@admin.register(Correspondence)
class CorrespondenceAdmin(admin.ModelAdmin):
    list_display = ["left", "right", "relation", "status", "proposed_by", "note"]
    list_filter = ["status", "relation"]
    list_select_related = ["left__agenda__side", "right__agenda__side", "proposed_by"]
    search_fields = ["note", "left__text", "right__text", "proposed_by__username"]
    autocomplete_fields = ["left", "right"]
    raw_id_fields = ["proposed_by"]
    fields = ["left", "right", "relation", "note", "status", "proposed_by"]
    actions = ["accept", "reject"]

    @admin.action(description="Accept the selected proposals into the editorial set")
    def accept(self, request, queryset):
        done = queryset.exclude(status=Correspondence.Status.ACCEPTED).update(
            status=Correspondence.Status.ACCEPTED
        )
        self.message_user(request, f"{done} correspondence(s) accepted into the editorial set.")

    @admin.action(description="Reject the selected proposals")
    def reject(self, request, queryset):
        done = queryset.filter(status=Correspondence.Status.PROPOSED).update(
            status=Correspondence.Status.REJECTED
        )
        self.message_user(request, f"{done} proposal(s) rejected.")


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    """Every reference with its resolution: the record, the score and why (issue 16).

    Confirming, rejecting or adding one is an editor's decision that recomputing
    keeps; an editor's target is kept too.
    """

    list_display = ["surface", "citing", "kind", "relation", "status", "target", "score"]
    list_display += ["reason"]
    list_filter = ["status", "kind", "relation", ("missing", admin.EmptyFieldListFilter)]
    list_select_related = [
        "passage__cable",
        "target_cable",
        "target_telegram__author",
        "target_telegram__passage",
    ]
    search_fields = ["surface", "number", "passage__cable__title"]
    autocomplete_fields = ["sender", "recipient", "target_cable", "target_telegram"]
    raw_id_fields = ["passage"]
    readonly_fields = ["score", "reason", "missing"]
    actions = ["confirm", "reject"]

    @admin.display(description="In")
    def citing(self, obj):
        return obj.passage.cable

    @admin.display(description="Resolves to")
    def target(self, obj):
        return obj.target or "— not in this archive"

    @admin.action(description="Confirm the selected references")
    def confirm(self, request, queryset):
        queryset.update(status=Reference.Status.CONFIRMED)

    @admin.action(description="Reject the selected references")
    def reject(self, request, queryset):
        queryset.update(status=Reference.Status.REJECTED)


class CitingInline(admin.TabularInline):
    model = Reference
    fk_name = "missing"
    extra = 0
    can_delete = False
    fields = ["surface", "passage", "status", "score", "reason"]
    readonly_fields = fields
    show_change_link = True
    verbose_name = "document citing it"
    verbose_name_plural = "documents citing it"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MissingRecord)
class MissingRecordAdmin(admin.ModelAdmin):
    """The want-list: records the archive's documents cite and the archive lacks.

    An entry goes when its last reference resolves (a matching record imported or
    saved) or is rejected.
    """

    list_display = ["label", "date", "number", "series", "citing"]
    search_fields = ["label", "number"]
    readonly_fields = ["key", "label", "number", "series", "date", "sender", "recipient"]
    inlines = [CitingInline]

    def get_queryset(self, request):
        return super().get_queryset(request).wanted()

    @admin.display(description="Cited by", ordering="citing")
    def citing(self, obj):
        return obj.citing

    def has_add_permission(self, request):
        return False
