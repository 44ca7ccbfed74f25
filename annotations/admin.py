"""Admin for researchers' data: groups, annotations, tags, and the record of text changes.

Editors see every passage's text revisions on the passage page (read-only):
who changed the text, when, before and after, and how many annotations were
re-placed or orphaned.
"""

from django.contrib import admin

from annotations.models import Annotation, PassageRevision, ResearchGroup, Tag
from cables.models import Passage
from telegrams.admin import PassageWithTelegramAdmin


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


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = [
        "exact_excerpt",
        "kind",
        "author",
        "visibility",
        "anchor_status",
        "hidden",
        "created",
    ]
    list_filter = ["kind", "visibility", "anchor_status", "hidden", "correction_status"]
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
        text = obj.exact or f"(reply to {obj.parent_id})"
        return text if len(text) <= 60 else text[:59] + "…"


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
