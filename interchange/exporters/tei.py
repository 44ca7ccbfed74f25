"""The cable as TEI P5 XML.

- ``export.tei.xml``: TEI P5. ``teiHeader`` with ``titleStmt``,
  ``publicationStmt`` (this site's URL), ``sourceDesc`` (the source as a
  ``bibl`` with its date -- as written when the cable is undated -- the
  archive, record id and address, and the citation as the archive publishes
  it); ``profileDesc/particDesc/listPerson`` with a
  ``person xml:id="person-<slug>"`` per participant (aliases as
  ``persName type="alias"``). The body is one ``div type="cable"``; each
  passage a ``div`` of its kind (``xml:id="p<position>"``); a telegram is a
  ``div type="telegram"`` whose ``opener`` names the addressees and copies
  (``salute/persName ref``) and whose ``closer`` holds the ``signed`` author
  and the ``dateline/date when``, both from the editors' data; its text in
  between is kept exactly as published, paragraph by paragraph (``lb`` for
  single line breaks), with mentions as ``persName ref``, agenda items as
  ``seg type="agenda-item"`` and accepted OCR corrections as
  ``choice/sic/corr``; each ``seg`` points at its item (``ana``). ``back``
  lists each agenda as ``list type="agenda"`` of ``item``s
  (``xml:id="item-<agenda>-<number>"``), the correspondences between items
  as ``linkGrp/link``, and the handling notes.

The document is built as an ``xml.etree.ElementTree`` tree and serialized by
it, so every text and attribute value is escaped by construction. Before
serializing, :func:`xml_chars` drops from every text and attribute value the
characters XML 1.0 does not allow (C0 controls other than tab, newline and
carriage return, lone surrogates, U+FFFE and U+FFFF); a carriage return in
text is written as ``&#13;`` so that a parser gives it back unchanged.

The output validates against the TEI P5 ``tei_all`` RelaxNG schema (checked in
``interchange/tests/test_export_tei.py``). Where the schema asks for content
the data may lack, the export adapts: ``particDesc`` is left out when the cable
names nobody (``listPerson`` needs a person), an agenda without items is an
``ab type="agenda"`` holding its title (``list`` needs an ``item``), and a
telegram without text gets an empty ``p`` before its ``closer``.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

from django.utils import timezone

from annotations.models import Annotation
from cables.models import Cable, Participant, Passage
from interchange import exchange
from interchange.exporters.citations import language_code, long_date, publisher, us_date
from readingroom.http import display_name
from readingroom.spans import Span, blocks, excerpt_runs
from telegrams.models import Telegram

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Characters outside XML 1.0's Char production (section 2.2).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Elements whose content is elements only (and the source's ``bibl``, whose
# fields are separate elements): a newline before each child keeps the file
# readable without adding whitespace to the text of passages.
_LAID_OUT = {
    "TEI",
    "teiHeader",
    "fileDesc",
    "titleStmt",
    "publicationStmt",
    "sourceDesc",
    "bibl",
    "profileDesc",
    "langUsage",
    "particDesc",
    "listOrg",
    "org",
    "listPerson",
    "person",
    "personGrp",
    "text",
    "body",
    "back",
    "div",
    "list",
    "linkGrp",
}


def xml_chars(value: str) -> str:
    """``value`` without the characters XML 1.0 does not allow."""
    return _NOT_XML.sub("", value)


def _sub(parent: ET.Element, tag: str, text: str | None = None, attrs=None) -> ET.Element:
    """A new TEI child ``tag`` of ``parent``; attributes whose value is None are left out."""
    element = ET.SubElement(
        parent, tag, {k: str(v) for k, v in (attrs or {}).items() if v is not None}
    )
    if text:
        element.text = text
    return element


def _append_text(parent: ET.Element, text: str) -> None:
    """Add ``text`` at the end of ``parent``'s content (its text, or its last child's tail)."""
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _append_lines(parent: ET.Element, text: str) -> None:
    """Add ``text`` to ``parent``'s content with an ``lb`` before each newline.

    The newline stays in the text after the ``lb``, so the element's text
    content is ``text`` exactly.
    """
    first, *rest = text.split("\n")
    _append_text(parent, first)
    for line in rest:
        _sub(parent, "lb").tail = "\n" + line


def _mixed(parent: ET.Element, *pieces) -> None:
    """Append strings and elements to ``parent`` in order, as mixed content."""
    for piece in pieces:
        if isinstance(piece, str):
            _append_text(parent, piece)
        else:
            parent.append(piece)


def _person_id(slug: str) -> str:
    return f"person-{slug}"


def _ref(participant: Participant) -> ET.Element:
    """``persName ref="#person-<slug>"`` holding the participant's name."""
    element = ET.Element("persName", {"ref": "#" + _person_id(participant.slug)})
    element.text = participant.name
    return element


def _item_id(item) -> str:
    return f"item-{item.agenda.slug}-{item.number}"


def _add_runs(paragraph: ET.Element, runs, url: str = "") -> None:
    """Runs of a paragraph as TEI: spans nested outermost first; newlines as ``lb``.

    A reference to another message (issue 16) is a ``ref`` whose ``type`` is its
    relation (answers, cites, forwards, part_of) and whose ``target`` is the
    record it resolves to in the reading room; one the archive lacks has no
    target and ``subtype="not-in-archive"``.
    """
    for run in runs:
        parent = paragraph
        replaced = None
        for span in run.spans:
            if span.kind == "mention":
                ref = "#" + _person_id(span.data.participant.slug)
                parent = _sub(parent, "persName", attrs={"ref": ref})
            elif span.kind == "reference":
                parent = _sub(parent, "ref", attrs=_reference_attrs(span.data, url))
            elif span.kind == "agenda_item":
                ana = "#" + _item_id(span.data)
                parent = _sub(parent, "seg", attrs={"type": "agenda-item", "ana": ana})
            elif span.kind == "fix" and (span.start, span.end) == (run.start, run.end):
                replaced = span.data.replacement
        if replaced is None:
            _append_lines(parent, run.text)
        else:
            choice = _sub(parent, "choice")
            _append_lines(_sub(choice, "sic"), run.text)
            _sub(choice, "corr", replaced)


def _reference_attrs(reference, url: str) -> dict:
    attrs = {"type": reference.relation}
    if reference.target_cable_id and reference.target_cable.status == "published":
        path = reference.target_cable.get_absolute_url()
        if reference.target_telegram_id:
            path += f"#p{reference.target_telegram.passage.position}"
        attrs["target"] = urljoin(url, path)
    else:
        attrs["subtype"] = "not-in-archive"
    return attrs


def _add_text(div: ET.Element, passage: Passage, spans: list[Span], url: str = "") -> None:
    """The passage's paragraphs as ``p`` elements of ``div``."""
    for block in blocks(passage.text, spans):
        _add_runs(_sub(div, "p"), block.runs, url)


def _when(day: dt.date | None, at: dt.time | None) -> str:
    if day is None:
        return ""
    return day.isoformat() + (f"T{at.isoformat()}" if at else "")


def _clean(root: ET.Element) -> None:
    """Apply :func:`xml_chars` to every text, tail and attribute value under ``root``."""
    for element in root.iter():
        if element.text:
            element.text = xml_chars(element.text)
        if element.tail:
            element.tail = xml_chars(element.tail)
        for name, value in element.attrib.items():
            element.set(name, xml_chars(value))


def _lay_out(root: ET.Element) -> None:
    """A newline before each child (and the end tag) of the elements in ``_LAID_OUT``."""
    for element in root.iter():
        if element.tag not in _LAID_OUT or not len(element):
            continue
        element.text = element.text or "\n"
        for child in element:
            child.tail = child.tail or "\n"


def _serialize(root: ET.Element) -> str:
    body = ET.tostring(root, encoding="unicode")
    # ElementTree writes a carriage return in text as itself, which a parser
    # would read as a newline; none is left raw anywhere else.
    body = body.replace("\r", "&#13;")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


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
    # Elements are built with plain names, and the root declares the TEI
    # namespace as the default: ElementTree's own default_namespace option
    # refuses attributes without a namespace (type, n, ref ...).
    root = ET.Element("TEI", {"xmlns": TEI_NS, XML_LANG: lang})
    header = _sub(root, "teiHeader")
    file_desc = _sub(header, "fileDesc")
    _header_titles(file_desc, cable, url)
    _source_desc(_sub(file_desc, "sourceDesc"), cable)
    _profile_desc(_sub(header, "profileDesc"), cable, extras, lang)

    text = _sub(root, "text")
    attrs = {"type": "cable", XML_ID: f"cable-{cable.pk}"}
    cable_div = _sub(_sub(text, "body"), "div", attrs=attrs)
    _document_notes(cable_div, cable, extras)
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
        spans += [
            Span(r.start, r.end, "reference", r)
            for r in passage.references.all()
            if r.status != "rejected"
        ]
        telegram = exchange.telegram_of(passage)
        if telegram is None:
            div = _sub(
                cable_div,
                "div",
                attrs={"type": passage.kind, XML_ID: passage.anchor, "n": passage.label or None},
            )
            _add_text(div, passage, spans, url)
        else:
            _telegram(cable_div, cable, passage, telegram, spans, url)
    _back(_sub(text, "back"), cable, extras, agendas, fixes)

    _clean(root)
    _lay_out(root)
    return _serialize(root)


def _document_notes(cable_div: ET.Element, cable: Cable, extras: exchange.Extras) -> None:
    """The notes on the whole document that the exporter may see, each a ``note``
    on the text (``target`` the cable's ``div``), before its first passage: the
    Markdown as written, paragraph by paragraph, and who wrote it and when."""
    for a in extras.annotations_of(cable):
        if a.parent_id is not None or not a.on_document:
            continue
        note = _sub(
            cable_div,
            "note",
            attrs={
                "type": "document-note",
                "subtype": a.kind,
                "target": f"#cable-{cable.pk}",
                XML_ID: f"annotation-{a.pk}",
            },
        )
        for paragraph in re.split(r"\n\s*\n", a.body.strip()) or [""]:
            _append_lines(_sub(note, "p"), paragraph)
        byline = _sub(note, "p", attrs={"rend": "byline"})
        _mixed(byline, _name_el(display_name(a.author)), f", {a.created:%Y-%m-%d}")


def _name_el(name: str) -> ET.Element:
    el = ET.Element("persName")
    el.text = name
    return el


def _header_titles(file_desc: ET.Element, cable: Cable, url: str) -> None:
    """``titleStmt`` and ``publicationStmt``."""
    title_stmt = _sub(file_desc, "titleStmt")
    _sub(title_stmt, "title", cable.title)
    if cable.sender:
        _sub(title_stmt, "author").append(_ref(cable.sender))
    publication = _sub(file_desc, "publicationStmt")
    _sub(publication, "publisher", "Reading Room")
    _sub(publication, "idno", url, {"type": "URL"})
    _sub(publication, "date", attrs={"when": timezone.now().date().isoformat()})


def _source_desc(source: ET.Element, cable: Cable) -> None:
    """The source as a ``bibl`` (its ``date`` as written when the cable is undated), and the
    archive's citation."""
    bibl = _sub(source, "bibl")
    _sub(bibl, "title", cable.title)
    if cable.sender:
        _sub(bibl, "author").append(_ref(cable.sender))
    if cable.date and cable.date_to:
        # An approximate date: the days it lies between, and its wording.
        span = {"notBefore": cable.date.isoformat(), "notAfter": cable.date_to.isoformat()}
        _sub(bibl, "date", cable.date_as_written or cable.date_label, span)
    elif cable.date:
        _sub(bibl, "date", us_date(cable.date), {"when": cable.date.isoformat()})
    elif cable.date_as_written:
        _sub(bibl, "date", cable.date_as_written)
    if publisher(cable):
        _sub(bibl, "publisher", publisher(cable))
    if cable.archive or cable.archive_name:
        _sub(
            bibl,
            "orgName",
            cable.archive_name or cable.archive,
            {"type": "archive", "n": cable.archive or None},
        )
    if cable.record_id:
        _sub(bibl, "idno", cable.record_id, {"type": "record"})
    if cable.cable_number:
        _sub(bibl, "idno", cable.cable_number, {"type": "cable"})
    # The archive's own address first (what citations give), then where the text came from.
    if cable.canonical_url:
        _sub(bibl, "ref", cable.canonical_url, {"target": cable.canonical_url, "type": "canonical"})
    if cable.source_url and cable.source_url != cable.canonical_url:
        _sub(bibl, "ref", cable.source_url, {"target": cable.source_url, "type": "source"})
    if cable.original_language:
        _sub(
            bibl,
            "textLang",
            cable.original_language,
            {"mainLang": language_code(cable.original_language)},
        )
    if cable.citation:
        _sub(source, "bibl", cable.cited_citation, {"type": "citation"})


def _profile_desc(profile: ET.Element, cable: Cable, extras: exchange.Extras, lang: str) -> None:
    """Summary, language, and the participants (``particDesc`` only if there are any)."""
    if cable.summary:
        _sub(_sub(profile, "abstract"), "p", cable.summary)
    lang_usage = _sub(profile, "langUsage")
    _sub(lang_usage, "language", cable.text_language or "Unknown", {"ident": lang})
    people = sorted(extras.participants.values(), key=lambda p: p.slug)
    # The negotiating sides the agendas belong to: what their ``ana`` points at.
    sides = sorted(
        {a.side.slug: a.side for a in extras.agendas_of(cable) if a.side_id}.values(),
        key=lambda s: s.slug,
    )
    if not people and not sides:
        return
    partic = _sub(profile, "particDesc")
    if sides:
        orgs = _sub(partic, "listOrg")
        for side in sides:
            org = _sub(orgs, "org", attrs={XML_ID: "side-" + side.slug})
            _sub(org, "orgName", side.name)
    if not people:
        return
    persons = _sub(partic, "listPerson")
    for p in people:
        kind = "person" if p.kind == Participant.Kind.PERSON else "personGrp"
        person = _sub(persons, kind, attrs={XML_ID: _person_id(p.slug)})
        _sub(person, "persName", p.name)
        for alias in p.aliases.all():
            _sub(person, "persName", alias.name, {"type": "alias", "subtype": alias.kind})
        if p.affiliation:
            _sub(person, "affiliation", p.affiliation)
        if p.role:
            _sub(person, "occupation", p.role)
        if p.note:
            _sub(person, "note", p.note)


def _telegram(
    cable_div: ET.Element,
    cable: Cable,
    passage: Passage,
    telegram: Telegram,
    spans: list[Span],
    url: str = "",
) -> None:
    """A telegram's ``div``: head, opener, its text, closer."""
    corresp = None
    if telegram.attachment_of_id:
        corresp = "#" + _anchor_of(telegram.attachment_of, cable)
    div = _sub(
        cable_div,
        "div",
        attrs={
            "type": "telegram",
            XML_ID: passage.anchor,
            "n": telegram.number,
            "corresp": corresp,
        },
    )
    head = passage.label or f"Telegram {telegram.number}"
    if telegram.subject:
        head += f": {telegram.subject}"
    _sub(div, "head", head)

    salute = ET.Element("salute")
    for intro, people in (("To ", telegram.addressees), ("Copies to ", telegram.copies_to)):
        if people:
            _mixed(salute, ". " if len(salute) else "", intro)
            for i, p in enumerate(people):
                _mixed(salute, ", " if i else "", _ref(p))
    if telegram.reference:
        _mixed(salute, ". " if len(salute) else "")
        _sub(salute, "title", telegram.reference, {"type": "reference"})
    if len(salute):
        _sub(div, "opener").append(salute)

    _add_text(div, passage, spans, url)

    closer = ET.Element("closer")
    if telegram.author:
        _sub(closer, "signed").append(_ref(telegram.author))
    if telegram.sent_as_written or telegram.sent_on:
        when = _when(telegram.sent_on, telegram.sent_time)
        said = telegram.sent_as_written or long_date(telegram.sent_on)
        _sub(_sub(closer, "dateline"), "date", said, {"when": when or None})
    if len(closer):
        if div.find("p") is None:
            _sub(div, "p")  # a div's closer must follow some text
        div.append(closer)


def _corrected(parent: ET.Element, text: str, excerpt: str, fixes, start=None) -> None:
    """Append ``excerpt`` (copied out of ``text``) to ``parent``, each accepted
    correction inside it as ``choice/sic/corr``, as in the body."""
    spans = [Span(a.start, a.end, "fix", a) for a in fixes]
    for shown, published in excerpt_runs(text, excerpt, spans, start):
        if published is None:
            _append_lines(parent, shown)
        else:
            choice = _sub(parent, "choice")
            _append_lines(_sub(choice, "sic"), published)
            _sub(choice, "corr", shown)


def _back(back: ET.Element, cable: Cable, extras: exchange.Extras, agendas, fixes) -> None:
    """Agendas, the correspondences between their items, and the handling notes;
    the accepted corrections inside items and notes marked as in the body."""
    texts = {p.pk: p.text for p in cable.passages.all()}
    if agendas:
        lists = _sub(back, "div", attrs={"type": "agendas"})
        for agenda in agendas:
            items = list(agenda.items.all())
            attrs = {
                XML_ID: f"agenda-{agenda.slug}",
                "type": "agenda",
                "ana": "#side-" + agenda.side.slug if agenda.side_id else None,
            }
            if not items:
                _sub(lists, "ab", agenda.title, attrs)
                continue
            agenda_list = _sub(lists, "list", attrs=attrs)
            _sub(agenda_list, "head", agenda.title)
            for item in items:
                item.agenda = agenda
                entry = _sub(agenda_list, "item", attrs={XML_ID: _item_id(item), "n": item.number})
                # An item's text is its stretch of the telegram without the number.
                source = texts.get(item.passage_id, "")
                at = source.find(item.text, item.start or 0, item.end) if item.text else -1
                _corrected(entry, source, item.text, fixes.get(item.passage_id, ()), max(at, 0))
                if item.note:
                    _sub(entry, "note", item.note)
        ours = {i.pk for a in agendas for i in a.items.all()}
        links = [c for c in extras.correspondences if c.left_id in ours or c.right_id in ours]
        if links:
            group = _sub(back, "linkGrp", attrs={"type": "correspondence"})
            for c in links:
                target = f"#{_item_id(c.left)} #{_item_id(c.right)}"
                _sub(group, "link", attrs={"type": c.relation, "target": target})
    handling = list(cable.handling.all())
    if handling:
        notes = _sub(_sub(back, "div", attrs={"type": "handling"}), "list")
        for h in handling:
            entry = _sub(notes, "item", h.get_action_display(), {"n": h.action})
            if h.agent:
                _mixed(entry, " ", _ref(h.agent))
            _mixed(entry, ": ")
            when = _when(h.on, h.at)
            place = entry if not when else _sub(entry, "date", attrs={"when": when})
            # A note as written is copied from a handling passage: corrections there apply.
            where = next(
                (p for p in cable.passages.all() if h.as_written and h.as_written in p.text
                 and p.kind == Passage.Kind.HANDLING),
                None,
            )  # fmt: skip
            if where is None:
                _append_lines(place, h.as_written)
            else:
                _corrected(place, where.text, h.as_written, fixes.get(where.pk, ()))


def _anchor_of(telegram: Telegram, cable: Cable) -> str:
    for passage in cable.passages.all():
        if passage.pk == telegram.passage_id:
            return passage.anchor
    return f"telegram-{telegram.pk}"
