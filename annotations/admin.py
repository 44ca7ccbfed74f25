"""Admin for researchers' data: groups, annotations, tags, and the record of text changes.

Editors see every passage's text revisions on the passage page (read-only):
who changed the text, when, before and after, and how many annotations were
re-placed or orphaned.

A note's page saves like the site's edit form (issue 15): the version it was
opened at travels with the form, a save from an older page is refused with a
message and changes nothing, and a save bumps the version. Its review history
(``ReviewEvent``: every change of correction status, hidden and awaiting
review, with who and when) and its readers' flags are listed under it. The
**moderation queue** lists the notes awaiting review and the flagged ones;
editors approve, hide, or mark flags reviewed there.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q

from annotations import services
from annotations.models import (
    Annotation,
    Flag,
    ModerationItem,
    PassageRevision,
    ResearchGroup,
    ReviewEvent,
    Tag,
)
from cables.models import Passage
from telegrams.admin import PassageWithTelegramAdmin

STALE_ADMIN_FORM = (
    "Someone else saved this note (now at version {current}) since you opened this page "
    "at version {seen}. Nothing was saved: open the note again to see their changes."
)
# The fields whose changes are review decisions, recorded as ReviewEvents.
REVIEWED = {
    "correction_status": ReviewEvent.Field.CORRECTION,
    "hidden": ReviewEvent.Field.HIDDEN,
    "awaiting_review": ReviewEvent.Field.AWAITING_REVIEW,
}


@admin.register(ResearchGroup)
class ResearchGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "members__username"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class VersionedAnnotationForm(forms.ModelForm):
    """The admin's form for a note, carrying the version it was opened at."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        """Refuse a save from a page older than the note (one query, locking the row
        until the admin's transaction ends, so no save can slip in between)."""
        data = super().clean()
        if self.instance.pk is None:
            return data
        current = (
            Annotation.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values("version", *REVIEWED)
            .get()
        )
        seen = data.get("seen_version")
        if seen != current["version"]:
            raise forms.ValidationError(
                STALE_ADMIN_FORM.format(current=current["version"], seen=seen or "unknown"),
                code="stale",
            )
        self.current = current
        return data


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    can_delete = False
    fields = ["created", "editor", "field", "before", "after"]
    readonly_fields = fields
    verbose_name_plural = "review history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("editor")


class FlagInline(admin.TabularInline):
    model = Flag
    extra = 0
    can_delete = False
    fields = ["created", "reader", "reviewed_at", "reviewed_by"]
    readonly_fields = fields
    verbose_name_plural = "readers' flags"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reader", "reviewed_by")


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    form = VersionedAnnotationForm
    inlines = [ReviewEventInline, FlagInline]
    actions = ["approve"]
    list_display = [
        "exact_excerpt",
        "kind",
        "author",
        "visibility",
        "anchor_status",
        "hidden",
        "awaiting_review",
        "created",
    ]
    list_filter = [
        "kind",
        "on_document",
        "visibility",
        "anchor_status",
        "hidden",
        "awaiting_review",
        "correction_status",
    ]
    list_select_related = ["author", "passage__cable"]
    search_fields = ["exact", "body", "author__username"]
    autocomplete_fields = ["passage", "parent", "tags"]
    raw_id_fields = ["author", "reviewed_by"]
    readonly_fields = ["body_html", "created", "updated", "version"]
    date_hierarchy = "created"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description="Quote")
    def exact_excerpt(self, obj: Annotation) -> str:
        if obj.parent_id:
            text = obj.exact or f"(reply to {obj.parent_id})"
        elif obj.on_document:
            text = "(the whole document)"
        else:
            text = obj.exact
        return text if len(text) <= 60 else text[:59] + "…"

    def save_model(self, request, obj, form, change):
        """Save with the version moved on, recording each review decision changed here."""
        if not change:
            return super().save_model(request, obj, form, change)
        current = form.current
        obj.version = current["version"] + 1
        super().save_model(request, obj, form, change)
        for name, field in REVIEWED.items():
            if getattr(obj, name) != current[name]:
                services.log_review(obj, request.user, field, current[name], getattr(obj, name))

    @admin.action(
        description="Approve the selected notes (and publish their authors' next)",
        permissions=["change"],
    )
    def approve(self, request, queryset):
        count = services.approve(list(queryset), editor=request.user)
        messages.success(request, f"Approved {count} note{'s' if count != 1 else ''}.")


@admin.register(ModerationItem)
class ModerationQueueAdmin(AnnotationAdmin):
    """The editors' queue: notes awaiting review and notes with flags nobody reviewed,
    oldest first. Moderating is changing notes: the annotation permissions decide who may."""

    list_display = [
        "exact_excerpt",
        "kind",
        "author",
        "awaiting_review",
        "open_flags",
        "hidden",
        "created",
    ]
    list_filter = ["awaiting_review", "hidden", "kind"]
    actions = ["approve", "hide", "mark_reviewed"]
    date_hierarchy = None
    ordering = ["created", "pk"]

    def has_module_permission(self, request):
        return request.user.has_perm("annotations.change_annotation")

    def has_view_permission(self, request, obj=None):
        return self.has_change_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("annotations.change_annotation")

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        open_flags = Count("flags", filter=Q(flags__reviewed_at__isnull=True))
        return (
            super()
            .get_queryset(request)
            .filter(deleted_at__isnull=True)
            .annotate(open_flag_count=open_flags)
            .filter(Q(awaiting_review=True) | Q(open_flag_count__gt=0))
        )

    @admin.display(description="Open flags", ordering="open_flag_count")
    def open_flags(self, obj) -> int:
        return obj.open_flag_count

    @admin.action(description="Hide the selected notes from readers", permissions=["change"])
    def hide(self, request, queryset):
        notes = list(queryset)
        for note in notes:
            services.set_hidden(note, True, editor=request.user)
        messages.success(request, f"Hid {len(notes)} note{'s' if len(notes) != 1 else ''}.")

    @admin.action(description="Mark the selected notes' flags reviewed", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        flags = list(Flag.objects.filter(annotation__in=queryset, reviewed_at__isnull=True))
        count = services.mark_flags_reviewed(flags, editor=request.user)
        messages.success(request, f"Marked {count} flag{'s' if count != 1 else ''} reviewed.")


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    """Every flag, open or reviewed (read-only: decisions are made in the queue)."""

    list_display = ["annotation", "reader", "created", "reviewed_at", "reviewed_by"]
    list_filter = [("reviewed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["annotation", "reader", "reviewed_by"]
    readonly_fields = ["annotation", "reader", "created", "reviewed_at", "reviewed_by"]
    actions = ["mark_reviewed"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Mark the selected flags reviewed", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        count = services.mark_flags_reviewed(list(queryset), editor=request.user)
        messages.success(request, f"Marked {count} flag{'s' if count != 1 else ''} reviewed.")


class PassageRevisionInline(admin.TabularInline):
    model = PassageRevision
    extra = 0
    can_delete = False
    fields = ["created", "editor", "before", "after", "reanchored", "orphaned"]
    readonly_fields = fields
    verbose_name_plural = "text revisions"

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("editor")


@admin.register(PassageRevision)
class PassageRevisionAdmin(admin.ModelAdmin):
    list_display = ["passage", "editor", "created", "reanchored", "orphaned"]
    list_select_related = ["passage__cable", "editor"]
    list_filter = ["passage__cable"]
    readonly_fields = ["passage", "editor", "created", "before", "after", "reanchored", "orphaned"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)


# The passage page gains its text revisions here, so that cables never imports annotations.
admin.site.unregister(Passage)


@admin.register(Passage)
class PassageWithRevisionsAdmin(PassageWithTelegramAdmin):
    inlines = [*PassageWithTelegramAdmin.inlines, PassageRevisionInline]
