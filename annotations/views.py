"""Writing and managing annotations from the reading view, and the annotations page.

Every action works as a plain form post (then a redirect) and, with htmx,
re-renders just the passage row it changed (``annotations/_passage_row.html``,
which the reading view and the split view include for every passage).
Validation errors answer 422 (400 without htmx) and change nothing; an edit
that lost a race answers 409 with the other person's text.

Who may do what: anyone sees what ``Annotation.objects.visible_to`` allows,
and gets 404 for anything else; signed-in readers write, reply, and edit or
delete their own, and flag others' (once each); editors (staff) hide public
annotations, review proposed corrections and approve new accounts' notes.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import (
    reswap,
    retarget,
    trigger_client_event,
)

from annotations import margin, services
from annotations.forms import (
    DocumentNoteForm,
    EditAnnotationForm,
    EditDocumentNoteForm,
    LinkEditForm,
    NewAnnotationForm,
    NewLinkForm,
    ReplyEditForm,
    ReplyForm,
)
from annotations.models import Annotation
from cables.forms import CableField
from cables.models import Cable, Passage
from readingroom.http import HtmxHttpRequest
from telegrams.models import cables_for_reading

LIST_PAGE = 25  # annotations a page of the annotations list shows


def _annotation_for(request, pk: int) -> Annotation:
    """The annotation if ``request.user`` may see it (else 404), with passage and cable."""
    return get_object_or_404(
        Annotation.objects.visible_to(request.user).select_related("passage__cable", "author"),
        pk=pk,
    )


def _own(request, pk: int) -> Annotation:
    annotation = _annotation_for(request, pk)
    if not annotation.can_edit(request.user):
        raise PermissionDenied("Only its author can change an annotation.")
    return annotation


def _row(request, passage: Passage, *, status: int = 200, saved: Annotation | None = None):
    """The re-rendered passage row, as the reading view shows it to this reader: only
    that passage is loaded, and the notes on the others count for the endnotes'
    numbers (``margin.build``'s ``positions``)."""
    cable = cables_for_reading(passage=passage.pk).get(pk=passage.cable_id)
    positions = dict(Passage.objects.filter(cable_id=cable.pk).values_list("pk", "position"))
    filters = margin.Filters.from_request(request)
    context = margin.build(cable, request.user, filters, positions=positions)
    context["row"] = next(r for r in context["rows"] if r.passage.pk == passage.pk)
    response = render(request, "annotations/_passage_row.html", context, status=status)
    if saved is not None:
        trigger_client_event(response, "annotation-saved", {"id": saved.pk})
    return response


def _document_notes(request, cable_id: int, *, saved: Annotation | None = None):
    """The re-rendered notes on the whole document, as the reading view shows them."""
    cable = cables_for_reading().get(pk=cable_id)
    context = margin.build(cable, request.user, margin.Filters.from_request(request))
    context["cable"] = cable
    response = render(request, "annotations/_document_notes.html", context)
    if saved is not None:
        trigger_client_event(response, "annotation-saved", {"id": saved.pk})
    return response


def _region(request, annotation: Annotation, *, saved: Annotation | None = None):
    """What an action on ``annotation`` re-renders: its passage row, or the document notes."""
    if annotation.on_document:
        return _document_notes(request, annotation.passage.cable_id, saved=saved)
    return _row(request, annotation.passage, saved=saved)


def _saved(request, annotation: Annotation) -> HttpResponse:
    """After a successful write: the changed passage row (or document notes) for htmx,
    else the permalink."""
    if request.htmx:
        return _region(request, annotation, saved=annotation)
    return redirect(annotation)


def _invalid(request, template: str, context: dict, *, target: str) -> HttpResponse:
    """The form again with its errors: 422 in place of ``target`` for htmx, else 400."""
    if request.htmx:
        response = render(request, f"annotations/_{template}.html", context, status=422)
        return reswap(retarget(response, target), "outerHTML")
    return render(request, f"annotations/{template}_page.html", context, status=400)


def _refused(request, annotation: Annotation, message: str) -> HttpResponse:
    """A refused editor action: the reason, shown at the top of the annotation's card."""
    response = _invalid(request, "message", {"message": message}, target=f"#card-{annotation.pk}")
    return reswap(response, "afterbegin") if request.htmx else response


@require_GET
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The permalink: opens the cable at the annotation, marked."""
    annotation = _annotation_for(request, pk)
    root = annotation.parent if annotation.parent_id else annotation
    cable = annotation.passage.cable
    placed = root.anchor_status != Annotation.Anchor.ORPHANED and not root.on_document
    fragment = f"a{root.pk}" if placed else f"card-{root.pk}"
    return redirect(f"{cable.get_absolute_url()}?annotation={root.pk}#{fragment}")


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = NewAnnotationForm(initial=request.GET.dict(), user=request.user)
        passage = (
            Passage.objects.select_related("cable")
            .filter(
                cable__status=Cable.Status.PUBLISHED,
                pk=request.GET.get("passage", "0")
                if request.GET.get("passage", "").isdigit()
                else 0,
            )
            .first()
        )
        if passage is None:
            context = {"form": form, "error": "This passage does not exist."}
            return _invalid(request, "form", context, target="#compose-form")
        context = {"form": form, "passage": passage, "exact": request.GET.get("exact", "")}
        template = "annotations/_form.html" if request.htmx else "annotations/form_page.html"
        return render(request, template, context)

    form = NewAnnotationForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            annotation = services.create_annotation(
                user=request.user,
                passage=data["passage"],
                start=data["start"],
                end=data["end"],
                exact=data["exact"],
                body=data["body"],
                kind=data["kind"],
                tags=data["tags"],
                visibility=data["visibility"],
                group=data["group"],
                replacement=data["replacement"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, annotation)
    passage = form.cleaned_data.get("passage") if hasattr(form, "cleaned_data") else None
    context = {"form": form, "passage": passage, "exact": request.POST.get("exact", "")}
    return _invalid(request, "form", context, target="#compose-form")


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A note on the whole document (a "page note"): GET the form, POST to save it."""
    cable = get_object_or_404(Cable.objects.published(), slug=slug)
    data = request.POST if request.method == "POST" else None
    form = DocumentNoteForm(data, user=request.user, auto_id="document-note-%s")
    context = {"form": form, "cable": cable}
    if request.method == "GET":
        form.fields["body"].widget.attrs["autofocus"] = True
        template = (
            "annotations/_document_form.html"
            if request.htmx
            else "annotations/document_form_page.html"
        )
        return render(request, template, context)
    if form.is_valid():
        d = form.cleaned_data
        try:
            annotation = services.create_document_note(
                user=request.user,
                cable=cable,
                body=d["body"],
                kind=d["kind"],
                tags=d["tags"],
                visibility=d["visibility"],
                group=d["group"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, annotation)
    return _invalid(request, "document_form", context, target="#document-note-form")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    annotation = _own(request, pk)
    if not annotation.is_root:
        form_class = ReplyEditForm
    elif annotation.on_document:
        form_class = EditDocumentNoteForm
    elif annotation.kind == Annotation.Kind.LINK:
        form_class = LinkEditForm
    else:
        form_class = EditAnnotationForm
    if request.method == "GET":
        initial = {
            "body": annotation.body,
            "kind": annotation.kind,
            "tags": [t.name for t in annotation.tags.all()],
            "visibility": annotation.visibility,
            "group": annotation.group_id,
            "replacement": annotation.replacement,
            "version": annotation.version,
        }
        form = form_class(initial=initial, **_user_kw(form_class, request))
        template = "annotations/_edit.html" if request.htmx else "annotations/edit_page.html"
        return render(request, template, {"form": form, "note": annotation})

    form = form_class(request.POST, **_user_kw(form_class, request))
    context = {"form": form, "note": annotation}
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if annotation.is_root:
            data["group"] = services.check_group(request.user, data["visibility"], data["group"])
        try:
            annotation = services.update_annotation(
                annotation, version=version, editor=request.user, **data
            )
        except services.EditConflict as conflict:
            context.update(conflict=conflict.current)
            # Let the next save overwrite knowingly: it now carries the current version.
            form.data = form.data.copy()
            form.data["version"] = conflict.current.version
            if not request.htmx:
                return render(request, "annotations/edit_page.html", context, status=409)
            response = render(request, "annotations/_edit.html", context, status=409)
            return reswap(retarget(response, f"#card-{annotation.pk}"), "outerHTML")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, annotation)
    return _invalid(request, "edit", context, target=f"#card-{annotation.pk}")


def _user_kw(form_class, request) -> dict:
    return {} if form_class is ReplyEditForm else {"user": request.user}


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Soft delete after a confirmation: the row is kept, marked deleted, shown to nobody."""
    annotation = _own(request, pk)
    if request.method == "GET":
        template = "annotations/_delete.html" if request.htmx else "annotations/delete_page.html"
        return render(request, template, {"note": annotation})
    services.delete_annotation(annotation)
    if request.htmx:
        return _region(request, annotation)
    return redirect(annotation.passage.cable)


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: the reply form (fetched when the reader clicks Reply); POST: save the reply."""
    parent = _annotation_for(request, pk)
    if request.method == "GET":
        template = "annotations/_reply.html" if request.htmx else "annotations/reply_page.html"
        form = ReplyForm(auto_id=f"reply-{parent.pk}-%s")
        form.fields["body"].widget.attrs["autofocus"] = True
        return render(request, template, {"form": form, "note": parent})
    form = ReplyForm(request.POST, auto_id=f"reply-{parent.pk}-%s")
    if form.is_valid():
        try:
            answer = services.reply(
                user=request.user, parent=parent, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _saved(request, answer)
    context = {"form": form, "note": parent}
    return _invalid(request, "reply", context, target=f"#reply-form-{parent.pk}")


def _editor(request, pk: int) -> Annotation:
    annotation = _annotation_for(request, pk)
    if not request.user.is_staff:
        raise PermissionDenied("Only editors can do this.")
    return annotation


@login_required
@require_POST
def hide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """An editor hides a public annotation from readers (or shows it again)."""
    annotation = _editor(request, pk)
    if annotation.visibility != Annotation.Visibility.PUBLIC:
        return _refused(request, annotation, "Only public annotations can be hidden.")
    services.set_hidden(annotation, not annotation.hidden, editor=request.user)
    if request.htmx:
        return _region(request, annotation)
    return redirect(annotation)


@login_required
@require_POST
def review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """An editor accepts or rejects a proposed correction."""
    annotation = _editor(request, pk)
    decision = request.POST.get("decision", "")
    if (
        annotation.kind != Annotation.Kind.CORRECTION
        or annotation.correction_status != Annotation.Correction.PROPOSED
        or decision not in (Annotation.Correction.ACCEPTED, Annotation.Correction.REJECTED)
    ):
        return _refused(
            request, annotation, "Only a proposed correction can be accepted or rejected."
        )
    if not services.review_correction(annotation, decision, editor=request.user):
        return _refused(request, annotation, "Another editor has reviewed this correction.")
    if request.htmx:
        return _region(request, annotation)
    return redirect(annotation)


@login_required
@require_POST
def approve(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """An editor approves a new account's note awaiting review (and so the account)."""
    annotation = _editor(request, pk)
    if not services.approve([annotation], editor=request.user):
        return _refused(request, annotation, "This note is not awaiting review.")
    if request.htmx:
        return _region(request, annotation)
    return redirect(annotation)


@login_required
@require_POST
def flag(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A reader flags a note for the editors' moderation queue, once per note."""
    annotation = _annotation_for(request, pk)
    try:
        services.flag(annotation, request.user)
    except ValidationError as error:
        return _refused(request, annotation, error.messages[0])
    message = "Thank you: the editors will look at this note."
    if request.htmx:
        context = {"message": message, "done": True}
        response = render(request, "annotations/_message.html", context)
        return reswap(retarget(response, f"#card-{annotation.pk}"), "afterbegin")
    return render(request, "annotations/message_page.html", {"message": message, "done": True})


@login_required
@require_http_methods(["GET", "POST"])
def link_create(request: HtmxHttpRequest) -> HttpResponse:
    """A new link between a selection and another end (a selection anywhere, a
    person, a cable or an agenda item). On success the page is told
    (``link-saved``) and reloads, or without htmx goes to the link's permalink."""
    data = request.POST if request.method == "POST" else None
    form = NewLinkForm(data, initial=request.GET.dict(), user=request.user)
    context = {"form": form, "source": _quoted(request, ""), "target": _quoted(request, "target_")}
    if request.method == "GET":
        page = "annotations/_link_form.html" if request.htmx else "annotations/link_form_page.html"
        return render(request, page, context)
    if form.is_valid():
        d = form.cleaned_data
        try:
            link = services.create_link(
                user=request.user,
                passage=d["passage"],
                start=d["start"],
                end=d["end"],
                exact=d["exact"],
                relation=d["relation"],
                body=d["body"],
                visibility=d["visibility"],
                group=d["group"],
                target_passage=d["target_passage"],
                target_start=d["target_start"],
                target_end=d["target_end"],
                target_exact=d["target_exact"] or "",
                target_participant=d["target_participant"],
                target_cable=d["target_cable"],
                target_item=d["target_item"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                # Both ends may be on the page: the page reloads to show them
                # (static/js/annotate.js, after ending the linking).
                response = reswap(HttpResponse(status=200), "none")
                return trigger_client_event(response, "link-saved", {"id": link.pk})
            return redirect(link.annotation)
    return _invalid(request, "link_form", context, target="#link-form")


def _quoted(request, prefix: str) -> str:
    """The quoted words of one end, as sent, for showing in the form."""
    source = request.POST if request.method == "POST" else request.GET
    return source.get(f"{prefix}exact", "")[:300]


# The annotations page --------------------------------------------------------


class AnnotationFilter(forms.Form):
    """The list's GET filters (one query, for a cable asked for)."""

    SCOPES = [
        ("", "Everything I may see"),
        ("mine", "Only mine"),
        ("group", "My groups’"),
        ("public", "Public"),
    ]

    cable = CableField(label="Cable")
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "Any kind")] + list(Annotation.Kind.choices),
        error_messages={"invalid_choice": "“%(value)s” is not a kind of annotation."},
    )
    tag = forms.SlugField(
        required=False,
        max_length=60,
        error_messages={"invalid": "A tag is written like “armistice-talks” (letters, digits, -)."},
    )
    author = forms.CharField(required=False, max_length=150, label="Author (username)")
    scope = forms.ChoiceField(
        required=False,
        choices=SCOPES,
        error_messages={"invalid_choice": "“%(value)s” is not a choice of annotations to show."},
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        if not user.is_authenticated:
            del self.fields["scope"]

    def clean_author(self) -> str:
        return self.cleaned_data["author"].strip()


def filter_annotations(annotations, user, *, cable=None, kind="", tag="", author="", scope=""):
    """Apply the list filters to an annotation queryset (adds no query of its own)."""
    if cable:
        annotations = annotations.filter(passage__cable=cable)
    if kind:
        annotations = annotations.filter(kind=kind)
    if tag:
        annotations = annotations.filter(tags__slug=tag)
    if author:
        annotations = annotations.filter(author__username=author)
    if scope == "mine":
        annotations = annotations.filter(author=user)
    elif scope == "group":
        annotations = annotations.filter(visibility=Annotation.Visibility.GROUP)
    elif scope == "public":
        annotations = annotations.filter(visibility=Annotation.Visibility.PUBLIC)
    return annotations


def for_list(user):
    """Root annotations ``user`` may see, newest first, ready for the list page.

    Evaluating a page runs three queries: the annotations with their author,
    group, passage and cable; their tags; their replies that ``user`` may see,
    with the replies' authors.
    """
    replies = Annotation.objects.visible_to(user).select_related("author").order_by("created", "pk")
    return (
        Annotation.objects.visible_to(user)
        .roots()
        .select_related("author", "group", "passage__cable")
        .prefetch_related("tags", Prefetch("replies", queryset=replies, to_attr="visible_replies"))
        .order_by("-created", "-pk")
    )


@require_GET
def annotation_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every annotation the user may see, across all cables (4 queries; +2 when signed in,
    +1 with a cable).

    Queries: the cable asked for (by identifier or record number), the count
    of matching annotations, the page of annotations, their tags, their
    visible replies.
    A signed-in user adds the session and the user. Invalid filters are
    reported and left out (status 400); a page number that is not a number,
    or past the end, shows the first or last page with a note.
    """
    form = AnnotationFilter(request.GET, user=request.user)
    form.is_valid()
    filters = {name: value for name, value in form.cleaned_data.items() if value}
    annotations = filter_annotations(for_list(request.user), request.user, **filters)

    paginator = Paginator(annotations, LIST_PAGE)
    raw_page = request.GET.get("page") or "1"
    page_note = ""
    try:
        page = paginator.page(raw_page)
    except PageNotAnInteger:
        page = paginator.page(1)
        page_note = f"“{raw_page[:20]}” is not a page number; showing the first page."
    except EmptyPage:
        # Below 1 goes to the first page, past the end to the last.
        page = paginator.page(1 if int(raw_page) < 1 else paginator.num_pages)
        page_note = (
            f"There is no page {raw_page[:20]}; showing page {page.number} "
            f"of {paginator.num_pages}."
        )
    context = {
        "form": form,
        "page": page,
        "annotations": list(page.object_list),
        "paginator": paginator,
        "page_note": page_note,
        "filtered": bool(filters),
        "kinds": Annotation.Kind,
    }
    status = 400 if form.errors else 200
    template = "annotations/list.html#results" if request.htmx else "annotations/list.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
