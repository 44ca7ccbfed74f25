"""The admin's import page, and the review queue for drafts.

**Import documents** (linked from the Cable changelist, open to staff who may
add cables): upload or paste a document and preview exactly what will be
written: each record's fields and how each was found, its passages, telegram
headers, the people matched and the names nobody answers to, and whether it
comes in as a draft. The preview is a dry run of the very write the import
makes (rolled back). The upload is kept (``Upload``) and the confirmation
names it by a signed token, so nothing is posted twice and the confirmation
is small whatever the document's size. On any error nothing is written.

**Drafts to review** lists the records the importer could not fully place
with what to check, shows each beside its source text, and publishes it in
one step.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from cables.models import Cable, Collection
from interchange.importers import ImportFailure, decode, parse
from interchange.importers.parsed import ParsedDocument
from interchange.importers.writer import Names, write_all
from interchange.models import Draft, Upload
from telegrams.admin import CableWithTelegramsAdmin

# What a browser may send here: nginx accepts request bodies up to this size
# (deploy/nginx/readingroom.conf, client_max_body_size); import_cables takes larger files.
UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# Pasted text travels as a form field, which Django caps (DATA_UPLOAD_MAX_MEMORY_SIZE).
PASTE_MAX_BYTES = 2 * 1024 * 1024
TOKEN_SALT = "interchange.import"
TOKEN_MAX_AGE = 24 * 3600  # a preview may be confirmed for a day


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        help_text="A Wilson Center text export or copied page, a PDF's text, FRUS TEI or a "
        "FRUS page copied as text (up to 20 MB).",
    )
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text="…or paste the document here (up to 2 MB; upload larger ones as a file).",
    )
    collection = forms.ModelChoiceField(Collection.objects.all(), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > UPLOAD_MAX_BYTES:
                raise ValidationError(
                    "The file is over 20 MB: import it with the import_cables command."
                )
            try:
                data["text"] = decode(upload.read())
            except ImportFailure as failure:
                raise ValidationError(failure.located(upload.name)) from None
            data["name"] = upload.name
        elif (data.get("text") or "").strip():
            if len(data["text"].encode()) > PASTE_MAX_BYTES:
                raise ValidationError(
                    "The pasted text is over 2 MB: save it as a file and upload that."
                )
            data["name"] = "pasted text"
        else:
            raise ValidationError("Choose a file or paste a document.")
        return data


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


def _token(upload: Upload, collection: Collection | None) -> str:
    return signing.dumps(
        {"upload": upload.pk, "collection": collection.pk if collection else None},
        salt=TOKEN_SALT,
    )


def _preview(doc: ParsedDocument, result, names: Names) -> dict:
    """What the preview shows of one document (from the parse and the dry run)."""
    people = [(name, role, names.resolve(name) is not None) for name, role in doc.names() if name]
    return {
        "result": result,
        "title": doc.title or "Untitled document",
        "date": doc.fields.get("date"),
        "date_to": doc.fields.get("date_to"),
        "date_as_written": doc.fields.get("date_as_written", ""),
        "draft": bool(doc.problems) and result.created,
        "problems": doc.problems,
        "fields": [
            (name.replace("_", " "), doc.fields.get(name) or "", Cable.Found(how).label)
            for name, how in doc.provenance().items()
        ],
        "passages": [
            {
                "kind": Cable._meta.get_field("passages").related_model.Kind(p.kind).label,
                "label": p.label,
                "text": p.text,
                "telegram": p.telegram,
            }
            for p in doc.passages
        ],
        "people": people,
        "translation_of": doc.translation_of,
    }


def _dry_run(text: str, collection) -> tuple[str, list[dict]]:
    """Parse ``text`` and write it in a transaction that is rolled back."""
    parsed = parse(text)
    if parsed.data is not None:
        raise ImportFailure("Restore Reading Room JSON exports with import_cables.", 1)
    names = Names()
    results = write_all(parsed.documents, names=names, collection=collection, dry_run=True)
    previews = [_preview(d, r, names) for d, r in zip(parsed.documents, results, strict=True)]
    return parsed.format, previews


def import_view(request, model_admin):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Cable._meta,
        "title": "Import documents",
        "previews": [],
        "errors": [],
    }
    form = ImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, context)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                context["format"], context["previews"] = _dry_run(data["text"], data["collection"])
            except ImportFailure as failure:
                context["errors"].append(failure.located(data["name"]))
            except (ValidationError, DatabaseError) as error:
                context["errors"].append(f"{data['name']}: cannot store it: {error}")
            else:
                Upload.objects.filter(created__lt=timezone.now() - dt.timedelta(days=1)).delete()
                upload = Upload.objects.create(
                    name=data["name"][:255], text=data["text"], uploaded_by=request.user
                )
                context["confirm"] = ConfirmForm(
                    initial={"token": _token(upload, data["collection"])}
                )
                context["name"] = upload.name
    context["form"] = form
    return TemplateResponse(request, "admin/interchange/import.html", context)


def _confirm(request, context):
    """Import the upload the signed token names; a bad or stale token writes nothing."""
    form = ConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        claim = signing.loads(form.cleaned_data["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        upload = Upload.objects.get(pk=claim["upload"], uploaded_by=request.user)
    except (signing.BadSignature, Upload.DoesNotExist, KeyError, TypeError):
        context["errors"].append(
            "This preview has expired or is not yours: upload the document again."
        )
        context["form"] = ImportForm()
        return TemplateResponse(request, "admin/interchange/import.html", context, status=400)
    collection = Collection.objects.filter(pk=claim.get("collection")).first()
    try:
        with transaction.atomic():
            parsed = parse(upload.text)
            results = write_all(parsed.documents, names=Names(), collection=collection)
            upload.delete()
    except ImportFailure as failure:
        context["errors"].append(failure.located(upload.name))
    except (ValidationError, DatabaseError) as error:
        context["errors"].append(f"{upload.name}: cannot store it: {error}")
    else:
        drafts = 0
        for result in results:
            messages.success(request, f"Import: {result.summary()}.")
            drafts += result.cable.status == Cable.Status.DRAFT
            for unknown, role in result.unknown:
                messages.warning(
                    request, f"Unknown name {unknown!r} ({role}): add it as a participant."
                )
        if drafts:
            messages.warning(
                request, f"{drafts} record(s) came in as drafts: review them before readers can."
            )
            return redirect("admin:interchange_draft_changelist")
        return redirect("admin:cables_cable_changelist")
    context["form"] = ImportForm()
    return TemplateResponse(request, "admin/interchange/import.html", context, status=400)


class ImportingCableAdmin(CableWithTelegramsAdmin):
    """The archive's Cable admin (one page, with the telegram headers) with ``import/`` added
    (registered in its place)."""

    change_list_template = "admin/interchange/cable_change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: import_view(request, self))
        return [path("import/", view, name="cables_cable_import"), *super().get_urls()]


admin.site.unregister(Cable)
admin.site.register(Cable, ImportingCableAdmin)


# The review queue ----------------------------------------------------------------


@admin.register(Draft)
class DraftAdmin(CableWithTelegramsAdmin):
    """Drafts with their gaps; each beside the text it was imported from; published in one step.

    Reviewing a draft is changing a cable: the cable permissions decide who may.
    """

    list_display = ["title", "shown_date", "record_id", "gap_list"]
    list_display_links = ["title"]
    list_filter = ["collections"]
    date_hierarchy = None
    ordering = ["-id"]
    actions = ["publish"]
    change_form_template = "admin/interchange/draft/change_form.html"

    def has_module_permission(self, request):
        return request.user.has_perm("cables.change_cable")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("cables.view_cable") or self.has_change_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("cables.change_cable")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("cables.delete_cable")

    def has_add_permission(self, request):
        return False  # drafts come from imports

    @admin.display(description="Date", ordering="date")
    def shown_date(self, obj):
        return obj.date or obj.date_as_written or "—"

    @admin.display(description="What to check")
    def gap_list(self, obj):
        return "; ".join(obj.gaps()) or "—"

    @admin.action(description="Publish the selected drafts", permissions=["change"])
    def publish(self, request, queryset):
        count = 0
        for draft in queryset:
            # Saved one by one so that the search index and the data version follow.
            draft.status = Cable.Status.PUBLISHED
            draft.save(update_fields=["status"])
            count += 1
        messages.success(request, f"Published {count} record{'s' if count != 1 else ''}.")

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            context["gaps"] = obj.gaps()
            context["provenance"] = [
                (name.replace("_", " "), Cable.Found(how).label)
                for name, how in obj.provenance.items()
            ]
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            obj.status = Cable.Status.PUBLISHED
            obj.save(update_fields=["status"])
            self.message_user(request, f"Published “{obj.title}”: readers can see it now.")
            return redirect("admin:interchange_draft_changelist")
        return super().response_change(request, obj)
