"""The admin's import page: upload or paste a document, preview it, then import it.

Linked from the Cable changelist (``admin/cables/cable/change_list.html`` here)
and open to staff who may add cables. The preview is a dry run of the very
write the import makes (rolled back), so what it shows is what will be
written, with the names nobody answers to listed as proposed new
participants. On any error nothing is written. Pasted or uploaded text
travels back with the confirmation as a hidden field, so this page is for
single documents and small volumes; ``import_cables`` takes folders.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cables.admin import CableAdmin
from cables.models import Cable, Collection
from interchange.importers import MAX_BYTES, ImportFailure, decode, parse
from interchange.importers.writer import Names, write


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False, help_text="A Wilson Center text export or copied page, or FRUS TEI."
    )
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 100}),
        help_text="…or paste the document here.",
    )
    collection = forms.ModelChoiceField(Collection.objects.all(), required=False)
    name = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_BYTES:
                raise ValidationError("The file is over 50 MB.")
            try:
                data["text"] = decode(upload.read())
            except ImportFailure as failure:
                raise ValidationError(failure.located(upload.name)) from None
            data["name"] = upload.name
        if not (data.get("text") or "").strip():
            raise ValidationError("Choose a file or paste a document.")
        data["name"] = data.get("name") or "pasted text"
        return data


def import_view(request, model_admin):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Cable._meta,
        "title": "Import documents",
        "results": [],
        "errors": [],
    }
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        confirm = "confirm" in request.POST
        name, text = form.cleaned_data["name"], form.cleaned_data["text"]
        try:
            parsed = parse(text)
            if parsed.data is not None:
                raise ImportFailure("Restore Reading Room JSON exports with import_cables.", 1)
            names = Names()
            results = [
                write(doc, names=names, collection=form.cleaned_data["collection"], dry_run=True)
                for doc in parsed.documents
            ]
            if confirm:
                from django.db import transaction

                with transaction.atomic():
                    results = [
                        write(doc, names=names, collection=form.cleaned_data["collection"])
                        for doc in parsed.documents
                    ]
                for result in results:
                    messages.success(request, f"Import: {result.summary()}.")
                    for unknown, role in result.unknown:
                        messages.warning(
                            request, f"Unknown name {unknown!r} ({role}): add it as a participant."
                        )
                return redirect("admin:cables_cable_changelist")
        except ImportFailure as failure:
            context["errors"].append(failure.located(name))
        except (ValidationError, DatabaseError) as error:
            context["errors"].append(f"{name}: cannot store it: {error}")
        else:
            context["results"] = results
            context["format"] = parsed.format
            form = ImportForm(
                initial={
                    "text": text,
                    "name": name,
                    "collection": form.cleaned_data["collection"],
                }
            )
            form.fields["text"].widget = forms.HiddenInput()
            form.fields["file"].widget = forms.HiddenInput()
    context["form"] = form
    return TemplateResponse(request, "admin/cables/cable/import.html", context)


class ImportingCableAdmin(CableAdmin):
    """The archive's Cable admin with ``import/`` added (registered in its place)."""

    def get_urls(self):
        from django.urls import path

        view = self.admin_site.admin_view(lambda request: import_view(request, self))
        return [path("import/", view, name="cables_cable_import"), *super().get_urls()]


admin.site.unregister(Cable)
admin.site.register(Cable, ImportingCableAdmin)
