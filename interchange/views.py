"""The export files beside the reading view, and the catalogue as CSV.

Every export has a stable URL (``/cables/<slug>/export.json`` ...) and a fixed
number of queries, whatever the number of passages, telegrams or annotations
(pinned in ``interchange/tests/``). Only the JSON export and the annotation
files hold annotations, and only those the requesting reader may see
(``Annotation.objects.visible_to``).
"""

from __future__ import annotations

import csv
import io
import json

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from annotations.models import Annotation
from cables.forms import CatalogueFilter, filter_catalogue
from cables.models import Cable, Collection, Passage
from interchange import exchange
from interchange.exporters.citations import bibtex, ris
from interchange.exporters.tei import tei
from interchange.exporters.web_annotation import (
    ANNO_CONTEXT,
    JSONLD_CONTENT_TYPE,
    cable_annotations,
    reference_annotation,
    to_web_annotation,
)
from interchange.exporters.wilson_text import wilson_text
from readingroom.http import attachment, display_name, safe_cell
from telegrams.models import Reference

# Views --------------------------------------------------------------------------


def _exportable(slug: str) -> Cable:
    """The cable with everything an export reads (8 queries); 404 if unknown."""
    cables = list(exchange.for_export(Cable.objects.published().filter(slug=slug)))
    if not cables:
        raise Http404("No such cable.")
    return cables[0]


def _url(request: HttpRequest, cable: Cable) -> str:
    return request.build_absolute_uri(cable.get_absolute_url())


@require_GET
def export_json(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything about the cable, with the annotations the reader may see (15 queries).

    ``exchange.for_export`` (8) and ``exchange.Extras`` (7); a signed-in
    reader adds the session and the user.
    """
    cable = _exportable(slug)
    (document,) = exchange.export_cables([cable], request.user, request)
    document["exported"] = timezone.now().isoformat()
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json"
    )
    return attachment(response, f"{cable.slug}.json")


@require_GET
def export_tei(request: HttpRequest, slug: str) -> HttpResponse:
    """The cable as TEI P5 XML (15 queries, like the JSON export)."""
    cable = _exportable(slug)
    extras = exchange.Extras([cable], request.user)
    response = HttpResponse(
        tei(cable, extras, _url(request, cable)), content_type="application/tei+xml; charset=utf-8"
    )
    return attachment(response, f"{cable.slug}.tei.xml")


def _with_text(slug: str) -> Cable:
    """The cable with sender, recipient and passages (2 queries); 404 if unknown."""

    cables = list(
        Cable.objects.published()
        .filter(slug=slug)
        .select_related("sender", "recipient")
        .prefetch_related(Prefetch("passages", queryset=Passage.objects.order_by("position")))
    )
    if not cables:
        raise Http404("No such cable.")
    return cables[0]


@require_GET
def export_text(request: HttpRequest, slug: str) -> HttpResponse:
    """The Wilson Center text layout (2 queries: the cable, its passages)."""
    cable = _with_text(slug)
    response = HttpResponse(wilson_text(cable), content_type="text/plain; charset=utf-8")
    return attachment(response, f"{cable.record_id or cable.slug}.txt")


def _cited(slug: str) -> Cable:
    cable = (
        Cable.objects.published().select_related("sender", "recipient").filter(slug=slug).first()
    )
    if cable is None:
        raise Http404("No such cable.")
    return cable


@require_GET
def export_ris(request: HttpRequest, slug: str) -> HttpResponse:
    """The citation as RIS (1 query)."""
    cable = _cited(slug)
    response = HttpResponse(
        ris(cable, _url(request, cable)), content_type="application/x-research-info-systems"
    )
    return attachment(response, f"{cable.slug}.ris")


@require_GET
def export_bibtex(request: HttpRequest, slug: str) -> HttpResponse:
    """The citation as BibTeX (1 query)."""
    cable = _cited(slug)
    response = HttpResponse(
        bibtex(cable, _url(request, cable)), content_type="application/x-bibtex; charset=utf-8"
    )
    return attachment(response, f"{cable.slug}.bib")


# Catalogue CSV --------------------------------------------------------------------

CATALOGUE_COLUMNS = [
    "date",
    "title",
    "record_id",
    "archive",
    "sender",
    "recipient",
    "cable_number",
    "origin",
    "source_url",
    "reading_url",
]


@require_GET
def catalogue_csv(request: HttpRequest) -> HttpResponse:
    """The catalogue as CSV, with the catalogue's filters (2 queries; 3 with a person).

    Queries: collections for the filter form, the person asked for, the cables
    with sender and recipient. Invalid filters are a 400 with the reasons.
    """
    collections = list(Collection.objects.all())
    form = CatalogueFilter(request.GET, collections=collections)
    if not form.is_valid():
        reasons = [e for errors in form.errors.values() for e in errors]
        return HttpResponse(
            "The catalogue could not be exported: " + " ".join(reasons) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    filters = {name: value for name, value in form.cleaned_data.items() if value}
    cables = filter_catalogue(Cable.objects.published().for_catalogue(), **filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CATALOGUE_COLUMNS)
    for c in cables:
        writer.writerow(
            [
                c.date.isoformat() if c.date else "",
                safe_cell(c.title),
                safe_cell(c.record_id),
                safe_cell(c.archive),
                safe_cell(c.sender.name if c.sender else ""),
                safe_cell(c.recipient.name if c.recipient else ""),
                safe_cell(c.cable_number),
                safe_cell(c.origin),
                safe_cell(c.source_url),
                request.build_absolute_uri(c.get_absolute_url()),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    return attachment(response, "catalogue.csv")


# Annotation files ---------------------------------------------------------------


@require_GET
def annotations_jsonld(request: HttpRequest, slug: str) -> HttpResponse:
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
    return attachment(response, f"{cable.slug}-annotations.jsonld")


@require_GET
def references_jsonld(request: HttpRequest, slug: str) -> HttpResponse:
    """The cable's references to other messages as ``linking`` Web Annotations (issue 16;
    2 queries: the cable, its shown references with their passages and targets)."""
    cable = get_object_or_404(Cable.objects.published(), slug=slug)
    refs = list(
        Reference.objects.shown()
        .filter(passage__cable=cable)
        .select_related("passage", "target_cable", "target_telegram__passage")
        .order_by("passage__position", "start")
    )
    for ref in refs:
        ref.passage.cable = cable  # passage URLs without a query each
    items = [reference_annotation(request, ref) for ref in refs]
    collection = {
        "@context": ANNO_CONTEXT,
        "id": request.build_absolute_uri(),
        "type": "AnnotationCollection",
        "label": f"References in “{cable.title}”",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False, indent=2), content_type=JSONLD_CONTENT_TYPE
    )
    return attachment(response, f"{cable.slug}-references.jsonld")


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


@require_GET
def annotations_csv(request: HttpRequest, slug: str) -> HttpResponse:
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
                safe_cell(
                    "Whole document"
                    if a.on_document
                    else a.passage.label or a.passage.get_kind_display()
                ),
                "" if a.start is None else a.start,
                "" if a.end is None else a.end,
                safe_cell(a.exact),
                "reply" if a.parent_id else a.kind,
                safe_cell("; ".join(t.name for t in a.tags.all())),
                a.visibility,
                safe_cell(a.author.get_username()),
                a.created.isoformat(),
                safe_cell(a.body),
                safe_cell(a.replacement),
                request.build_absolute_uri(a.get_absolute_url()),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    return attachment(response, f"{cable.slug}-annotations.csv")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(f"{prefix}{line}".rstrip() for line in text.splitlines())


@require_GET
def annotations_markdown(request: HttpRequest, slug: str) -> HttpResponse:
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
    if any(a.on_document for a in roots):
        lines += ["", "## On the whole document"]
    for a in roots:
        if not a.on_document and a.passage_id != getattr(passage, "pk", None):
            passage = a.passage
            label = passage.label or passage.get_kind_display()
            lines += [
                "",
                f"## {label}",
                "",
                f"<{request.build_absolute_uri(passage.get_absolute_url())}>",
            ]
        lines += ["", _quote(a.exact), ""] if a.exact else [""]
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
    return attachment(response, f"{cable.slug}-annotations.md")
