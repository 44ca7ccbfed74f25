"""The cable as TEI P5 XML.

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
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

from django.utils import timezone

from annotations.models import Annotation
from cables.models import Cable, Participant, Passage
from interchange import exchange
from interchange.exporters.citations import language_code, long_date, publisher, us_date
from readingroom.spans import Span, blocks
from telegrams.models import Telegram

TEI_NS = "http://www.tei-c.org/ns/1.0"


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
