"""Per-cable exports (JSON, TEI P5, Wilson text, RIS, BibTeX), citations, catalogue CSV.

Every export has a stable URL next to the reading view
(``/cables/<slug>/export.json`` …) and a fixed number of queries, whatever the
number of passages, telegrams or annotations (pinned in
``tests/test_export_*.py``). Only the JSON export holds annotations, and only
those the requesting reader may see (``Annotation.objects.visible_to``); the
TEI export uses the accepted corrections that reader may see, as
``choice/sic/corr``. The citation helpers here run no queries: they read the
cable's sender and recipient and, for a telegram, its prefetched author and
recipients.

Formats:

- ``export.json``: a ``readingroom-cable`` document (see ``cables.exchange``).
- ``export.tei.xml``: TEI P5. ``teiHeader`` with ``titleStmt``,
  ``publicationStmt`` (this site's URL), ``sourceDesc`` (the source as a
  ``bibl`` with the archive, record id and address, and the citation as the
  archive publishes it); ``profileDesc/particDesc/listPerson`` with a
  ``person xml:id="person-<slug>"`` per participant (aliases as
  ``persName type="alias"``). The body is one ``div type="cable"``; each
  passage a ``div`` of its kind (``xml:id="p<position>"``); a telegram is a
  ``div type="telegram"`` whose ``opener`` names the addressees and copies
  (``salute/persName ref``) and whose ``closer`` holds the ``signed`` author
  and the ``dateline/date when``, both from the editors' data; its text in
  between is kept exactly as published, paragraph by paragraph (``lb`` for
  single line breaks), with mentions as ``persName ref``, agenda items as
  ``seg type="agenda-item"`` and accepted OCR corrections as
  ``choice/sic/corr``. ``back`` lists each agenda as ``list type="agenda"``
  of ``item``s pointing at their ``seg`` (``corresp``), the correspondences
  as ``linkGrp/link``, and the handling notes.
- ``export.txt``: the Wilson Center text export layout (title line with
  date; Citation; Summary; Credits; Original Language; Contents; the text),
  byte for byte what the archive gives for the seed cable.
- ``export.ris`` / ``export.bib``: one citation each.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from urllib.parse import urlencode, urlsplit
from xml.sax.saxutils import escape, quoteattr

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from annotations.models import Annotation
from cables import exchange
from cables.models import Cable, Collection, Participant, Passage
from cables.views import CatalogueFilter, filter_catalogue
from readingroom.spans import Span, blocks
from telegrams.models import Telegram

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# The digital archive that publishes a record, by the host of its source address.
# (The model has no field for it; see the issue note.)
PUBLISHERS = {
    "wilsoncenter.org": "Wilson Center Digital Archive",
    "drivingcreative.com": "Wilson Center Digital Archive",
    "history.state.gov": "Office of the Historian, U.S. Department of State",
}
LANGUAGES = {
    "english": "en",
    "russian": "ru",
    "chinese": "zh",
    "korean": "ko",
    "french": "fr",
    "german": "de",
    "japanese": "ja",
}
TEI_NS = "http://www.tei-c.org/ns/1.0"


# Shared helpers ---------------------------------------------------------------


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def long_date(day: dt.date | None) -> str:
    """11 July 1951."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


def us_date(day: dt.date) -> str:
    """July 11, 1951 (the Wilson Center's form)."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def publisher(cable: Cable) -> str:
    """The digital archive that publishes the record (from its source address), or ''."""
    host = (urlsplit(cable.source_url).hostname or "").lower()
    for domain, name in PUBLISHERS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return host


def language_code(name: str) -> str:
    return LANGUAGES.get(name.strip().lower(), "und") if name else "und"


def _names(people) -> str:
    names = [p.name for p in people]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def telegrams_of(cable: Cable) -> list[Telegram]:
    """The cable's telegrams in order (uses prefetched passages and telegrams)."""
    result = []
    for passage in cable.passages.all():
        telegram = exchange.telegram_of(passage)
        if telegram is not None:
            result.append(telegram)
    return result


# Citations --------------------------------------------------------------------


def chicago(cable: Cable, *, final: str = ".") -> str:
    """A Chicago-style note citation of the cable (no queries beyond sender/recipient).

    Mao Zedong to Joseph Stalin, cable no. 21680, 11 July 1951, “Cable No. 21680,
    Mao Dong to Cde. Filippov [Stalin],” APRF, Wilson Center Digital Archive,
    record 117409, https://….
    """
    head = []
    if cable.sender and cable.recipient:
        head.append(f"{cable.sender.name} to {cable.recipient.name}")
    elif cable.sender:
        head.append(cable.sender.name)
    kind = (cable.document_type or "cable").lower()
    head.append(f"{kind} no. {cable.cable_number}" if cable.cable_number else kind)
    head.append(long_date(cable.date))
    text = ", ".join(head) + f", “{cable.title},”"
    tail = [cable.archive or cable.archive_name, publisher(cable)]
    if cable.record_id:
        tail.append(f"record {cable.record_id}")
    tail.append(cable.source_url)
    return text + " " + ", ".join(x for x in tail if x) + final


def chicago_telegram(telegram: Telegram, cable: Cable) -> str:
    """A telegram forwarded in a cable (uses prefetched author and recipients).

    Li Kenong to Mao Zedong (copies to Kim Il Sung and Peng Dehuai), telegram,
    10 July 1951, 11:45, brief report Nº 1, forwarded in: Mao Zedong to …
    """
    who = telegram.author.name if telegram.author else "Unknown sender"
    to = telegram.addressees
    if to:
        who += f" to {_names(to)}"
    copies = telegram.copies_to
    if copies:
        who += f" (copies to {_names(copies)})"
    parts = [who, "telegram"]
    if telegram.sent_on:
        parts.append(long_date(telegram.sent_on))
        if telegram.sent_time:
            parts.append(telegram.sent_time.strftime("%H:%M"))
    elif telegram.sent_as_written:
        parts.append(telegram.sent_as_written)
    if telegram.reference:
        parts.append(telegram.reference)
    return ", ".join(parts) + ", forwarded in: " + chicago(cable)


def author_name(participant: Participant | None) -> str:
    """Family name first: the participant's sort name (Stalin, Joseph; Mao Zedong)."""
    if participant is None:
        return ""
    return participant.sort_name or participant.name


def ris(cable: Cable, url: str) -> str:
    """The cable as one RIS record (a letter: Zotero's type for a sent communication)."""
    lines = [("TY", "PCOMM"), ("TI", cable.title)]
    if cable.sender:
        lines.append(("AU", author_name(cable.sender)))
    if cable.recipient:
        lines.append(("A2", author_name(cable.recipient)))
    lines += [
        ("PY", str(cable.date.year)),
        ("DA", cable.date.strftime("%Y/%m/%d/")),
        ("M3", cable.document_type or "Cable"),
    ]
    if cable.cable_number:
        lines.append(("SN", cable.cable_number))
    if cable.archive or cable.archive_name:
        lines.append(("AV", cable.archive_name or cable.archive))
    if publisher(cable):
        lines.append(("DB", publisher(cable)))
    if cable.record_id:
        lines.append(("AN", cable.record_id))
    if cable.original_language:
        lines.append(("LA", cable.original_language))
    if cable.summary:
        lines.append(("AB", cable.summary))
    if cable.citation:
        lines.append(("N1", cable.citation))
    lines.append(("UR", cable.source_url or url))
    if cable.source_url:
        lines.append(("L2", url))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


def _bib(value: str) -> str:
    """A BibTeX field value: braces balanced, TeX specials escaped."""
    out = []
    for ch in value:
        if ch in "{}&%$#_":
            out.append("\\" + ch)
        elif ch == "\\":
            out.append("\\textbackslash{}")
        elif ch in "~^":
            out.append("\\" + ch + "{}")
        else:
            out.append(ch)
    return "".join(out)


def _bib_name(participant: Participant) -> str:
    name = author_name(participant)
    # "Mao Zedong" is family name first with no comma: keep it whole.
    return _bib(name) if "," in name else "{" + _bib(name) + "}"


def bibtex(cable: Cable, url: str) -> str:
    """The cable as one BibTeX ``@misc`` entry (biblatex-friendly fields too)."""
    key = f"{(cable.archive or 'cable').lower()}{cable.record_id or cable.pk}"
    key = "".join(ch for ch in key if ch.isalnum() or ch in "-_:") or f"cable{cable.pk}"
    fields = [("title", "{" + _bib(cable.title) + "}")]
    if cable.sender:
        fields.append(("author", _bib_name(cable.sender)))
    fields += [
        ("year", str(cable.date.year)),
        ("month", MONTHS[cable.date.month - 1][:3].lower()),
        ("date", cable.date.isoformat()),
    ]
    how = ", ".join(x for x in (publisher(cable), cable.archive) if x)
    if how:
        fields.append(("howpublished", _bib(how)))
    if cable.record_id:
        fields.append(("number", _bib(cable.record_id)))
    fields.append(("url", cable.source_url or url))
    note = []
    if cable.recipient:
        note.append(f"To {cable.recipient.name}")
    if cable.original_language:
        note.append(f"Original language: {cable.original_language}")
    note.append(f"Reading Room: {url}")
    fields.append(("note", _bib(". ".join(note))))
    if cable.original_language:
        fields.append(("language", _bib(cable.original_language)))
    body = ",\n".join(
        f"  {name} = {value}" if name in ("year", "month") else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@misc{{{key},\n{body}\n}}\n"


def coins(cable: Cable, url: str) -> str:
    """The ``title`` of a COinS span (OpenURL 1.0 KEV), so Zotero saves the cable."""
    pairs = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
        ("rft.genre", "document"),
        ("rft.btitle", cable.title),
        ("rft.date", cable.date.isoformat()),
    ]
    if cable.sender:
        pairs.append(("rft.au", cable.sender.name))
    if publisher(cable) or cable.archive:
        pairs.append(("rft.pub", publisher(cable) or cable.archive))
    if cable.original_language:
        pairs.append(("rft.language", cable.original_language))
    pairs.append(("rft_id", cable.source_url or url))
    if cable.source_url:
        pairs.append(("rft_id", url))
    return urlencode(pairs)


def highwire(cable: Cable, url: str) -> list[tuple[str, str]]:
    """Highwire Press ``citation_*`` meta tags (Google Scholar, Zotero)."""
    tags = [("citation_title", cable.title)]
    if cable.sender:
        tags.append(("citation_author", author_name(cable.sender)))
    tags.append(("citation_date", cable.date.strftime("%Y/%m/%d")))
    if cable.archive_name or cable.archive:
        tags.append(("citation_publisher", cable.archive_name or cable.archive))
    tags.append(("citation_public_url", url))
    tags.append(("citation_abstract_html_url", url))
    if cable.text_language or cable.original_language:
        tags.append(
            ("citation_language", language_code(cable.text_language or cable.original_language))
        )
    if cable.record_id:
        tags.append(("citation_technical_report_number", cable.record_id))
    return tags


# The Wilson Center text layout ------------------------------------------------


def wilson_text(cable: Cable) -> str:
    """The cable in the archive's text-export layout (uses prefetched passages)."""
    parts = ["", "", f"{us_date(cable.date)} {cable.title}"]
    for label, value in (
        ("Citation", cable.citation),
        ("Summary", cable.summary),
        ("Credits", cable.credits),
        ("Original Language", cable.original_language),
        ("Contents", cable.contents_label),
    ):
        if value:
            parts += ["", f"{label}:", "", value]
    return "\n".join(parts) + "\n\n" + cable.text()


# TEI ----------------------------------------------------------------------------


def _person_id(slug: str) -> str:
    return f"person-{slug}"


def _ref(participant: Participant) -> str:
    return (
        f"<persName ref={quoteattr('#' + _person_id(participant.slug))}>"
        f"{escape(participant.name)}</persName>"
    )


def _tei_runs(runs) -> str:
    """Runs of a paragraph as TEI: spans nested outermost first; newlines as ``lb``."""
    out = []
    for run in runs:
        opened = []
        replaced = None
        for span in run.spans:
            if span.kind == "mention":
                p = span.data.participant
                out.append(f"<persName ref={quoteattr('#' + _person_id(p.slug))}>")
                opened.append("persName")
            elif span.kind == "agenda_item":
                item = span.data
                out.append(f'<seg type="agenda-item" ana={quoteattr("#" + _item_id(item))}>')
                opened.append("seg")
            elif span.kind == "fix" and (span.start, span.end) == (run.start, run.end):
                replaced = span.data.replacement
        text = "<lb/>\n".join(escape(line) for line in run.text.split("\n"))
        if replaced is not None:
            text = f"<choice><sic>{text}</sic><corr>{escape(replaced)}</corr></choice>"
        out.append(text)
        out.extend(f"</{tag}>" for tag in reversed(opened))
    return "".join(out)


def _item_id(item) -> str:
    return f"item-{item.agenda.slug}-{item.number}"


def _tei_text(passage: Passage, spans: list[Span]) -> str:
    return "\n".join(f"<p>{_tei_runs(b.runs)}</p>" for b in blocks(passage.text, spans))


def _when(day: dt.date | None, at: dt.time | None) -> str:
    if day is None:
        return ""
    return day.isoformat() + (f"T{at.isoformat()}" if at else "")


def tei(cable: Cable, extras: exchange.Extras, url: str) -> str:
    """The cable as a TEI P5 document (no queries: uses ``for_export`` and ``extras``)."""
    agendas = extras.agendas_of(cable)
    items_by_passage: dict[int, list] = {}
    for agenda in agendas:
        for item in agenda.items.all():
            item.agenda = agenda
            if item.passage_id and item.start is not None and item.end is not None:
                items_by_passage.setdefault(item.passage_id, []).append(item)
    fixes: dict[int, list[Annotation]] = {}
    for a in extras.annotations_of(cable):
        if (
            a.parent_id is None
            and a.kind == Annotation.Kind.CORRECTION
            and a.correction_status == Annotation.Correction.ACCEPTED
            and a.anchor_status != Annotation.Anchor.ORPHANED
            and a.start is not None
        ):
            fixes.setdefault(a.passage_id, []).append(a)

    lang = language_code(cable.text_language)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<TEI xmlns="{TEI_NS}" xml:lang="{lang}">',
        "<teiHeader>",
        "<fileDesc>",
        "<titleStmt>",
        f"<title>{escape(cable.title)}</title>",
    ]
    if cable.sender:
        out.append(f"<author>{_ref(cable.sender)}</author>")
    out += [
        "</titleStmt>",
        "<publicationStmt>",
        "<publisher>Reading Room</publisher>",
        f'<idno type="URL">{escape(url)}</idno>',
        f'<date when="{timezone.now().date().isoformat()}"/>',
        "</publicationStmt>",
        "<sourceDesc>",
        "<bibl>",
        f"<title>{escape(cable.title)}</title>",
    ]
    if cable.sender:
        out.append(f"<author>{_ref(cable.sender)}</author>")
    out.append(f'<date when="{cable.date.isoformat()}">{escape(us_date(cable.date))}</date>')
    if publisher(cable):
        out.append(f"<publisher>{escape(publisher(cable))}</publisher>")
    if cable.archive or cable.archive_name:
        out.append(
            f'<orgName type="archive"{" n=" + quoteattr(cable.archive) if cable.archive else ""}>'
            f"{escape(cable.archive_name or cable.archive)}</orgName>"
        )
    if cable.record_id:
        out.append(f'<idno type="record">{escape(cable.record_id)}</idno>')
    if cable.cable_number:
        out.append(f'<idno type="cable">{escape(cable.cable_number)}</idno>')
    if cable.source_url:
        out.append(f"<ref target={quoteattr(cable.source_url)}>{escape(cable.source_url)}</ref>")
    if cable.original_language:
        out.append(
            f'<textLang mainLang="{language_code(cable.original_language)}">'
            f"{escape(cable.original_language)}</textLang>"
        )
    out.append("</bibl>")
    if cable.citation:
        out.append(f'<bibl type="citation">{escape(cable.citation)}</bibl>')
    out += ["</sourceDesc>", "</fileDesc>", "<profileDesc>"]
    if cable.summary:
        out.append(f"<abstract><p>{escape(cable.summary)}</p></abstract>")
    out.append("<langUsage>")
    out.append(f'<language ident="{lang}">{escape(cable.text_language or "Unknown")}</language>')
    out += ["</langUsage>", "<particDesc>", "<listPerson>"]
    for p in sorted(extras.participants.values(), key=lambda p: p.slug):
        element = "person" if p.kind == Participant.Kind.PERSON else "personGrp"
        out.append(f'<{element} xml:id="{_person_id(p.slug)}">')
        out.append(f"<persName>{escape(p.name)}</persName>")
        for alias in p.aliases.all():
            out.append(
                f'<persName type="alias" subtype="{escape(alias.kind)}">'
                f"{escape(alias.name)}</persName>"
            )
        if p.affiliation:
            out.append(f"<affiliation>{escape(p.affiliation)}</affiliation>")
        if p.role:
            out.append(f"<occupation>{escape(p.role)}</occupation>")
        if p.note:
            out.append(f"<note>{escape(p.note)}</note>")
        out.append(f"</{element}>")
    out += ["</listPerson>", "</particDesc>", "</profileDesc>", "</teiHeader>", "<text>", "<body>"]
    out.append(f'<div type="cable" xml:id="cable-{cable.pk}">')
    for passage in cable.passages.all():
        spans = [
            Span(m.start, m.end, "mention", m)
            for m in passage.mentions.all()
            if m.status != "rejected"
        ]
        spans += [
            Span(i.start, i.end, "agenda_item", i) for i in items_by_passage.get(passage.pk, [])
        ]
        spans += [Span(a.start, a.end, "fix", a) for a in fixes.get(passage.pk, [])]
        telegram = exchange.telegram_of(passage)
        label = f' n="{escape(passage.label)}"' if passage.label else ""
        if telegram is None:
            out.append(f'<div type="{passage.kind}" xml:id="{passage.anchor}"{label}>')
            out.append(_tei_text(passage, spans))
            out.append("</div>")
            continue
        out.append(
            f'<div type="telegram" xml:id="{passage.anchor}" n="{telegram.number}"'
            + (
                f' corresp="#{_anchor_of(telegram.attachment_of, cable)}"'
                if telegram.attachment_of_id
                else ""
            )
            + ">"
        )
        head = passage.label or f"Telegram {telegram.number}"
        if telegram.subject:
            head += f": {telegram.subject}"
        out.append(f"<head>{escape(head)}</head>")
        salute = []
        if telegram.addressees:
            salute.append("To " + ", ".join(_ref(p) for p in telegram.addressees))
        if telegram.copies_to:
            salute.append("Copies to " + ", ".join(_ref(p) for p in telegram.copies_to))
        if telegram.reference:
            salute.append(f'<title type="reference">{escape(telegram.reference)}</title>')
        if salute:
            out.append(f"<opener><salute>{'. '.join(salute)}</salute></opener>")
        out.append(_tei_text(passage, spans))
        closer = []
        if telegram.author:
            closer.append(f"<signed>{_ref(telegram.author)}</signed>")
        if telegram.sent_as_written or telegram.sent_on:
            when = _when(telegram.sent_on, telegram.sent_time)
            attr = f' when="{when}"' if when else ""
            said = escape(telegram.sent_as_written or long_date(telegram.sent_on))
            closer.append(f"<dateline><date{attr}>{said}</date></dateline>")
        if closer:
            out.append(f"<closer>{''.join(closer)}</closer>")
        out.append("</div>")
    out += ["</div>", "</body>", "<back>"]
    if agendas:
        out.append('<div type="agendas">')
        for agenda in agendas:
            attrs = f' xml:id="agenda-{escape(agenda.slug)}" type="agenda"'
            if agenda.side_id:
                attrs += f" ana={quoteattr('#side-' + agenda.side.slug)}"
            out.append(f"<list{attrs}>")
            out.append(f"<head>{escape(agenda.title)}</head>")
            for item in agenda.items.all():
                item.agenda = agenda
                out.append(
                    f'<item xml:id="{escape(_item_id(item))}" n="{item.number}">'
                    f"{escape(item.text)}"
                    + (f"<note>{escape(item.note)}</note>" if item.note else "")
                    + "</item>"
                )
            out.append("</list>")
        out.append("</div>")
        ours = {i.pk for a in agendas for i in a.items.all()}
        links = [c for c in extras.correspondences if c.left_id in ours or c.right_id in ours]
        if links:
            out.append('<linkGrp type="correspondence">')
            for c in links:
                out.append(
                    f'<link type="{escape(c.relation)}" target="#{escape(_item_id(c.left))} '
                    f'#{escape(_item_id(c.right))}"/>'
                )
            out.append("</linkGrp>")
    handling = list(cable.handling.all())
    if handling:
        out.append('<div type="handling"><list>')
        for h in handling:
            when = _when(h.on, h.at)
            date = (
                f'<date when="{when}">{escape(h.as_written)}</date>'
                if when
                else escape(h.as_written)
            )
            agent = f" {_ref(h.agent)}" if h.agent else ""
            action = escape(h.get_action_display())
            out.append(f'<item n="{escape(h.action)}">{action}{agent}: {date}</item>')
        out.append("</list></div>")
    out += ["</back>", "</text>", "</TEI>", ""]
    return "\n".join(out)


def _anchor_of(telegram: Telegram, cable: Cable) -> str:
    for passage in cable.passages.all():
        if passage.pk == telegram.passage_id:
            return passage.anchor
    return f"telegram-{telegram.pk}"


# Views --------------------------------------------------------------------------


def _exportable(slug: str) -> Cable:
    """The cable with everything an export reads (8 queries); 404 if unknown."""
    cables = list(exchange.for_export(Cable.objects.filter(slug=slug)))
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
    return _attachment(response, f"{cable.slug}.json")


@require_GET
def export_tei(request: HttpRequest, slug: str) -> HttpResponse:
    """The cable as TEI P5 XML (15 queries, like the JSON export)."""
    cable = _exportable(slug)
    extras = exchange.Extras([cable], request.user)
    response = HttpResponse(
        tei(cable, extras, _url(request, cable)), content_type="application/tei+xml; charset=utf-8"
    )
    return _attachment(response, f"{cable.slug}.tei.xml")


def _with_text(slug: str) -> Cable:
    """The cable with sender, recipient and passages (2 queries); 404 if unknown."""
    from django.db.models import Prefetch

    cables = list(
        Cable.objects.filter(slug=slug)
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
    return _attachment(response, f"{cable.record_id or cable.slug}.txt")


def _cited(slug: str) -> Cable:
    cable = Cable.objects.select_related("sender", "recipient").filter(slug=slug).first()
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
    return _attachment(response, f"{cable.slug}.ris")


@require_GET
def export_bibtex(request: HttpRequest, slug: str) -> HttpResponse:
    """The citation as BibTeX (1 query)."""
    cable = _cited(slug)
    response = HttpResponse(
        bibtex(cable, _url(request, cable)), content_type="application/x-bibtex; charset=utf-8"
    )
    return _attachment(response, f"{cable.slug}.bib")


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


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula: ``= + - @`` (tab, CR) get a ``'``."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


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
    cables = filter_catalogue(Cable.objects.for_catalogue(), **filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CATALOGUE_COLUMNS)
    for c in cables:
        writer.writerow(
            [
                c.date.isoformat(),
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
    return _attachment(response, "catalogue.csv")
