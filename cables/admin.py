"""Data entry for cables, their passages and the people in them.

Every foreign key to a participant is an autocomplete field (there will be
hundreds), and so is every foreign key to a passage, cable, telegram or agenda
item, whose ``__str__`` reads another table.

JOINS_NOTE: Django's ChangeList applies ``list_select_related`` only when the
admin's queryset has no ``select_related`` yet. An admin whose ``__str__``
needs a join (also for the autocomplete answers other pages ask it for)
therefore joins ``*list_select_related`` in ``get_queryset``, so one list
serves both and no list runs a query per row (pinned in cables/tests/test_admin.py).

The telegram inline of the passage page, and the telegram headers nested in
the cable page's passages, are added by ``telegrams.admin`` (cables does not
import telegrams).

The cable page is one nested admin page (django-nested-admin, issue 14): its
passages and handling notes are stacked or tabular inlines that the editor
orders by dragging; their ``position`` is a hidden field set by that order
when the page is saved, never typed, keeping the numbers the rows hold
(``OrderedFormSet``).
"""

import nested_admin
from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count, F
from django.utils.text import Truncator

from cables.models import (
    Alias,
    Cable,
    Collection,
    Handling,
    Mention,
    Participant,
    Passage,
    Side,
)

SMALL_TEXTAREA = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}
# Links typed without a scheme are https (Django 6's default; silences its warning on 5.2).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def excerpt(text: str, chars: int = 80) -> str:
    return Truncator(" ".join(text.split())).chars(chars)


@admin.register(Side)
class SideAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "position"]
    list_editable = ["position"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 1
    fields = ["name", "kind", "note"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "side", "role", "alias_names"]
    list_filter = ["side", "kind"]
    list_select_related = ["side"]
    search_fields = ["name", "sort_name", "aliases__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline]
    fields = ["name", "sort_name", "slug", "kind", "role", "affiliation", "side", "note"]

    def get_queryset(self, request):
        # One more query for all the aliases on the page (alias_names column).
        return super().get_queryset(request).prefetch_related("aliases")

    @admin.display(description="Aliases")
    def alias_names(self, obj: Participant) -> str:
        return ", ".join(alias.name for alias in obj.aliases.all())


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "cable_count"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cable_count=Count("cables"))

    @admin.display(description="Cables", ordering="cable_count")
    def cable_count(self, obj: Collection) -> int:
        return obj.cable_count


def is_deleted(form) -> bool:
    """Whether a valid formset form is marked for deletion (its DELETE box)."""
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class OrderedFormSet(nested_admin.formsets.NestedInlineFormSet):
    """Positions from the order of the rows, keeping the numbers readers know.

    A passage's position is its address in the reading view (``#p<position>``,
    in permalinks, search hits, W3C targets and TEI ids), and the seed and the
    importers number from 0. nested-admin numbers the rows 0, 1, 2… by their
    order when the page is saved, which would move every address of a cable
    numbered otherwise (from 1, or with a gap where a passage was deleted) on
    any save. So the rows, in the order the editor left them, take the
    numbers they already hold, in ascending order: an unchanged page changes
    nothing, a deleted row leaves a gap (the others keep their addresses),
    rows dragged past each other trade numbers, and a new row takes the
    number after the row above it, moving the rows below only when no number
    is free there (from 0 on a new cable, as an import numbers).

    Rows that move (or go) are first parked, in one UPDATE, above every
    position held or to be given, so that two passages may swap places under
    ``(cable, position)`` being unique. (Not far above: some positions are
    small integers.)
    """

    def process_forms_pre_save(self, forms):
        forms = super().process_forms_pre_save(forms)  # sorted by the order of the rows
        field = self.sortable_field_name
        rows = [
            form
            for form in forms
            if not is_deleted(form) and (form.instance.pk or form.has_changed())
        ]
        # The rows already saved take the numbers they hold, ascending, in their new
        # order; a new row takes the number after the row above it, and pushes the
        # rows below down only where no number is free between them.
        held = iter(sorted(form.initial.get(field) for form in rows if form.instance.pk))
        numbers, last = [], -1
        for form in rows:
            number = next(held) if form.instance.pk else None
            last = last + 1 if number is None or number <= last else number
            numbers.append(last)
        top = max([form.initial.get(field) for form in forms if form.instance.pk], default=-1)
        for form, number in zip(rows, numbers, strict=True):
            setattr(form.instance, field, number)
            form.data = form.data.copy()  # a QueryDict from the request is immutable
            form.data[form.add_prefix(field)] = str(number)
            form.__dict__.pop("changed_data", None)  # recomputed with the new number
        moving = [
            form.instance.pk
            for form in forms
            if form.instance.pk
            and (is_deleted(form) or form.initial.get(field) != getattr(form.instance, field))
        ]
        if moving:
            parking = max([len(forms), top, *numbers]) + 1
            self.model._default_manager.filter(pk__in=moving).update(**{field: F(field) + parking})
        return forms


class PassageInline(nested_admin.SortableHiddenMixin, nested_admin.NestedStackedInline):
    model = Passage
    formset = OrderedFormSet
    extra = 0
    fields = ["kind", "label", "text", "tail", "position"]
    sortable_field_name = "position"
    ordering = ["position"]
    show_change_link = True  # its page has the passage's mentions
    formfield_overrides = SMALL_TEXTAREA


class HandlingInline(nested_admin.SortableHiddenMixin, nested_admin.NestedTabularInline):
    model = Handling
    formset = OrderedFormSet
    extra = 0
    fields = ["action", "agent", "as_written", "on", "at", "position"]
    sortable_field_name = "position"
    autocomplete_fields = ["agent"]


class YearListFilter(admin.SimpleListFilter):
    """Cables of one year (one query for the list of years)."""

    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = model_admin.get_queryset(request).dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(date__year=self.value())
        return queryset


@admin.register(Cable)
class CableAdmin(nested_admin.NestedModelAdmin):
    list_display = ["date", "cable_number", "title", "sender", "recipient", "record_id", "status"]
    list_display_links = ["date", "cable_number", "title"]
    list_filter = ["status", YearListFilter, "collections", "archive"]
    list_select_related = ["sender", "recipient"]
    search_fields = ["title", "record_id", "citation", "summary", "cable_number"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["sender", "recipient", "related", "translation_of"]
    filter_horizontal = ["collections"]
    inlines = [PassageInline, HandlingInline]
    view_on_site = True
    save_on_top = True

    class Media:
        css = {"all": ["cables/admin-one-page.css"]}

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance.changed_by = request.user  # named in text revisions
        super().save_formset(request, form, formset, change)

    formfield_overrides = SMALL_TEXTAREA | HTTPS_URLS
    fieldsets = [
        (
            "Catalogue",
            {
                "fields": [
                    ("status", "complete"),
                    "title",
                    "slug",
                    ("date", "date_to", "date_as_written"),
                    ("record_id", "canonical_url"),
                    "source_url",
                    "citation",
                    ("archive", "archive_name"),
                    "signature",
                    "summary",
                    "credits",
                    ("original_language", "text_language", "contents_label"),
                    ("translator", "translation_of"),
                    "collections",
                    "related",
                ]
            },
        ),
        (
            "Header block",
            {
                "fields": [
                    "directorate",
                    ("document_type", "cable_number", "series"),
                    "origin",
                    ("received_as_written", "received_on", "received_time"),
                    ("copy_distribution", "copy_number"),
                    "stamp",
                    "incoming_number",
                    ("sender", "recipient"),
                    ("sender_number", "sender_dated", "handling_number"),
                    "copies_note",
                ]
            },
        ),
    ]


class AddedByEditorMixin:
    """A mention an editor enters is "added": recomputing found mentions keeps it."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["initial"] = Mention.Status.ADDED
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class MentionInline(AddedByEditorMixin, admin.TabularInline):
    model = Mention
    extra = 0
    fields = ["participant", "surface", "start", "end", "status"]
    autocomplete_fields = ["participant"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant")


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ["cable", "position", "kind", "label", "text_excerpt"]
    list_display_links = ["position", "kind", "label"]
    list_filter = ["kind", "cable"]
    list_select_related = ["cable"]
    search_fields = ["text", "label", "cable__title"]
    autocomplete_fields = ["cable"]
    inlines = [MentionInline]
    view_on_site = True
    fields = ["cable", "position", "kind", "label", "text", "tail"]

    def get_queryset(self, request):
        # __str__ names the cable (also in autocomplete answers); see JOINS_NOTE.
        return super().get_queryset(request).select_related(*self.list_select_related)

    # Saving a passage recomputes its automatically found mentions (cables.signals),
    # which replaces those rows. On the change page the passage is therefore saved
    # after its inlines: an editor's change to a found mention (say, rejecting it)
    # is written first, and the recomputation then keeps it.

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user  # named in the text revision (annotations.signals)
        if not change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            super().save_model(request, form.instance, form, change)

    @admin.display(description="Text")
    def text_excerpt(self, obj: Passage) -> str:
        return excerpt(obj.text)


@admin.register(Mention)
class MentionAdmin(AddedByEditorMixin, admin.ModelAdmin):
    list_display = ["surface", "participant", "passage", "start", "end", "status"]
    list_editable = ["status"]
    list_filter = ["status"]
    list_select_related = ["participant", "passage__cable"]
    search_fields = ["surface", "participant__name", "participant__aliases__name"]
    autocomplete_fields = ["participant", "passage"]

    def get_queryset(self, request):
        # __str__ names the participant; see JOINS_NOTE.
        return super().get_queryset(request).select_related(*self.list_select_related)
