"""The annotations page and the per-cable exports (W3C JSON-LD, CSV, Markdown).

Everything here starts from ``Annotation.objects.visible_to(request.user)``,
the one visibility rule: anonymous visitors get public annotations, hidden
ones only reach editors, deleted ones nobody, and a private annotation only
its author — in the rows, in the counts and in the files alike. A reply whose
thread root is not visible to the user is left out as well, so that nothing
points at an annotation the user may not see.

The JSON-LD export follows the W3C Web Annotation Data Model: an
``AnnotationCollection`` whose ``first`` is one ``AnnotationPage`` holding
every item (a cable carries at most a few hundred annotations). Each body is a
``TextualBody``: the Markdown note with ``purpose`` = the motivation (for a
correction, whose motivation is ``editing``, the note is ``commenting`` and
the replacement reading is the ``editing`` body, in ``text/plain``), then one
``tagging`` body per tag. ``annotations.management.commands.import_annotations``
reads the same shape back.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from annotations.models import Annotation
from cables.forms import CableField
from cables.models import Cable
from cables.reading import LINK_TARGETS

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSONLD_CONTENT_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'
PER_PAGE = 25


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def display_name(user) -> str:
    """A person's name as shown and exported: full name, else the username."""
    return user.get_full_name() or user.get_username()


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

    paginator = Paginator(annotations, PER_PAGE)
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


# Exports -----------------------------------------------------------------------


def cable_annotations(request: HttpRequest, slug: str) -> tuple[Cable, list[Annotation]]:
    """The cable (404 if unknown) and the annotations on it that the user may see.

    Runs three queries: the cable; the annotations with author, group and
    passage; their tags. Roots come in reading order (passage, then position),
    each followed by its replies, oldest first. Replies whose root is not
    visible are dropped.
    """
    cable = get_object_or_404(Cable, slug=slug)
    rows = list(
        Annotation.objects.visible_to(request.user)
        .filter(passage__cable=cable)
        .select_related("author", "group", "passage", *LINK_TARGETS)
        .prefetch_related("tags")
        .order_by("passage__position", "start", "created", "pk")
    )
    for a in rows:
        a.passage.cable = cable  # passage URLs without a query each
    roots = [a for a in rows if a.parent_id is None]
    replies = defaultdict(list)
    for a in rows:
        if a.parent_id is not None:
            replies[a.parent_id].append(a)
    ordered = []
    for root in roots:
        root.thread = sorted(replies.get(root.pk, ()), key=lambda r: (r.created, r.pk))
        ordered.append(root)
        ordered.extend(root.thread)
    return cable, ordered


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def to_web_annotation(request: HttpRequest, a: Annotation) -> dict:
    """One annotation in the W3C Web Annotation Data Model (no queries: uses prefetches)."""
    item = {
        "id": request.build_absolute_uri(a.get_absolute_url()),
        "type": "Annotation",
        "motivation": "replying" if a.parent_id else a.motivation,
        "created": a.created.isoformat(),
        "modified": a.updated.isoformat(),
        "creator": {
            "type": "Person",
            "name": display_name(a.author),
            "nickname": a.author.get_username(),
        },
    }
    correction = a.parent_id is None and a.kind == Annotation.Kind.CORRECTION
    link = a.parent_id is None and a.kind == Annotation.Kind.LINK
    body = []
    if link:
        body += link_bodies(request, a.link)
    if a.body:
        purpose = item["motivation"]
        if correction or link:
            purpose = "commenting"
        body.append(
            {"type": "TextualBody", "value": a.body, "format": "text/markdown", "purpose": purpose}
        )
    if correction and a.replacement:
        body.append(
            {
                "type": "TextualBody",
                "value": a.replacement,
                "format": "text/plain",
                "purpose": "editing",
            }
        )
    for tag in a.tags.all():
        body.append({"type": "TextualBody", "value": tag.name, "purpose": "tagging"})
    if body:
        item["body"] = body
    if a.parent_id:
        item["target"] = request.build_absolute_uri(Annotation(pk=a.parent_id).get_absolute_url())
    else:
        item["target"] = {
            "source": request.build_absolute_uri(a.passage.get_absolute_url()),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": a.exact,
                    "prefix": a.prefix,
                    "suffix": a.suffix,
                },
                {"type": "TextPositionSelector", "start": a.start, "end": a.end},
            ],
        }
    return item


def link_bodies(request: HttpRequest, link) -> list[dict]:
    """A link's other end, as the body of a ``linking`` annotation, and its relation.

    A text end is a ``SpecificResource`` with the same two selectors as a
    target; a person, cable or agenda item is its page's address.
    """
    end: dict = {
        "type": "SpecificResource",
        "purpose": "linking",
        "source": request.build_absolute_uri(link.target_url),
    }
    if link.target_passage_id and link.target_exact:
        end["selector"] = [
            {
                "type": "TextQuoteSelector",
                "exact": link.target_exact,
                "prefix": link.target_prefix,
                "suffix": link.target_suffix,
            },
            {"type": "TextPositionSelector", "start": link.target_start, "end": link.target_end},
        ]
    relation = {"type": "TextualBody", "value": link.relation, "purpose": "classifying"}
    return [end, relation]


@require_GET
def export_jsonld(request: HttpRequest, slug: str) -> HttpResponse:
    """The cable's visible annotations as a W3C AnnotationCollection (3 queries; +2 signed in)."""
    cable, annotations = cable_annotations(request, slug)
    items = [to_web_annotation(request, a) for a in annotations]
    collection = {
        "@context": ANNO_CONTEXT,
        "id": request.build_absolute_uri(),
        "type": "AnnotationCollection",
        "label": f"Annotations on “{cable.title}”",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False, indent=2), content_type=JSONLD_CONTENT_TYPE
    )
    return _attachment(response, f"{cable.slug}-annotations.jsonld")


CSV_COLUMNS = [
    "id",
    "reply_to",
    "passage",
    "start",
    "end",
    "exact",
    "kind",
    "tags",
    "visibility",
    "author",
    "created",
    "body",
    "replacement",
    "url",
]


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula.

    Text starting with ``=``, ``+``, ``@``, a tab or a carriage return, or
    ``-`` not followed by a space (a Markdown list item is left alone), gets a
    leading apostrophe.
    """
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and text[1:2] != " "):
        return "'" + text
    return text


@require_GET
def export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """One row per visible annotation, replies after their root (3 queries; +2 signed in)."""
    cable, annotations = cable_annotations(request, slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for a in annotations:
        writer.writerow(
            [
                a.pk,
                a.parent_id or "",
                _cell(a.passage.label or a.passage.get_kind_display()),
                "" if a.start is None else a.start,
                "" if a.end is None else a.end,
                _cell(a.exact),
                "reply" if a.parent_id else a.kind,
                _cell("; ".join(t.name for t in a.tags.all())),
                a.visibility,
                _cell(a.author.get_username()),
                a.created.isoformat(),
                _cell(a.body),
                _cell(a.replacement),
                request.build_absolute_uri(a.get_absolute_url()),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, f"{cable.slug}-annotations.csv")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(f"{prefix}{line}".rstrip() for line in text.splitlines())


@require_GET
def export_markdown(request: HttpRequest, slug: str) -> HttpResponse:
    """Reading notes in Markdown, grouped by passage (3 queries; +2 signed in)."""
    cable, annotations = cable_annotations(request, slug)
    roots = [a for a in annotations if a.parent_id is None]
    lines = [
        f"# Annotations on {cable.title}",
        "",
        f"Source: <{request.build_absolute_uri(cable.get_absolute_url())}>  ",
        f"Exported {timezone.now():%Y-%m-%d %H:%M} UTC: {len(roots)} annotation"
        f"{'s' if len(roots) != 1 else ''} and {len(annotations) - len(roots)} "
        f"repl{'ies' if len(annotations) - len(roots) != 1 else 'y'} "
        f"{'you may see' if request.user.is_authenticated else 'that are public'}.",
    ]
    passage = None
    for a in roots:
        if a.passage_id != getattr(passage, "pk", None):
            passage = a.passage
            label = passage.label or passage.get_kind_display()
            lines += [
                "",
                f"## {label}",
                "",
                f"<{request.build_absolute_uri(passage.get_absolute_url())}>",
            ]
        lines += ["", _quote(a.exact), ""]
        if a.body:
            lines += [a.body, ""]
        if a.kind == Annotation.Kind.CORRECTION and a.replacement:
            lines += [f"Correction: “{a.exact}” → “{a.replacement}”", ""]
        tags = ", ".join(f"#{t.slug}" for t in a.tags.all())
        meta = [
            a.get_kind_display(),
            f"by {display_name(a.author)}",
            f"{a.created:%Y-%m-%d}",
            f"shared with {a.group.name}"
            if a.visibility == Annotation.Visibility.GROUP
            else a.visibility,
        ]
        if tags:
            meta.append(f"tags: {tags}")
        meta.append(f"[permalink]({request.build_absolute_uri(a.get_absolute_url())})")
        lines.append("*" + " · ".join(meta[:-1]) + "* · " + meta[-1])
        for r in a.thread:
            lines += [
                "",
                f"- Reply by {display_name(r.author)}, {r.created:%Y-%m-%d} "
                f"([permalink]({request.build_absolute_uri(r.get_absolute_url())})):",
                "",
                _indent(r.body),
            ]
        lines.append("")
        lines.append("---")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/markdown; charset=utf-8")
    return _attachment(response, f"{cable.slug}-annotations.md")
