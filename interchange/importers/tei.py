"""FRUS TEI: a volume file or a single ``<div type="document">``, one cable per document.

The Office of the Historian publishes every FRUS volume as TEI P5, in several
encoding generations (docs/layouts.md, layouts 15–19): newer volumes put the
source note inside the head as a footnote and give every document
``frus:doc-dateTime-min``/``-max``; volumes converted from scans put a source
line before an italic head and date documents only in their datelines; the
oldest have no opener at all and may close with ``Peking, December 8, 1949.``
in a plain paragraph. Of each ``div[@type="document"]`` this keeps:

- its number (``@n``, kept as ``cable_number``: it orders undated documents as
  the volume does) and id (``@xml:id``, e.g. d427) — the record id is
  ``<volume>/<id>`` and the canonical address its history.state.gov page;
- the title (the head without its printed number and footnote calls), sender
  and recipient (``persName``/``gloss`` typed from/to, else the names in
  brackets as FRUS heads give them: ``The Ambassador in Korea (Muccio) to …``);
- the archive and file number of the source note, wherever it stands, and the
  classification and precedence (opener lines, else the source note);
- the date (``interchange.importers.frus_dates``): the dateline as written,
  local to where the document was written; else ``doc-dateTime-min``/``-max``,
  inferred, a range when they are days apart; else none;
- paragraphs, lists, quoted messages (``quote``), attachments and the
  closer/signature, each a passage; the head is one passage and everything
  printed between the head and the text (dateline, classification, subject and
  participants) another;
- footnotes: each note is a passage of kind ``note`` after the text (so it can
  be read, searched and annotated), and a ``SourceMark`` records where it is
  called; page breaks (``pb``) are ``SourceMark`` points with the page number;
  abbreviations (``choice/abbr+expan``, ``gloss/@target`` into the volume's
  list of terms) are ``SourceMark`` spans holding the gloss.

A volume is read in one pass (``iterparse``): each document is turned into a
``ParsedDocument`` when its end tag is read and its elements are then freed.

XML is parsed with ``defusedxml``: DTDs, entities and external references are
refused, so a hostile file cannot expand or reach out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, register_namespace, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from interchange.importers import QUOTES
from interchange.importers import frus_dates as dates
from interchange.importers.frus import marking, names_in, source_note, title_of
from interchange.importers.parsed import (
    INFERRED,
    ImportFailure,
    ParsedDocument,
    ParsedMark,
    ParsedPassage,
)

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
FRUS = "{http://history.state.gov/frus/ns/1.0}"
DOC_MIN, DOC_MAX = f"{FRUS}doc-dateTime-min", f"{FRUS}doc-dateTime-max"
PAGE_URL = "https://history.state.gov/historicaldocuments/{}/{}"
register_namespace("frus", FRUS[1:-1])  # a document's source text keeps the usual prefix
ROOTS = {"TEI", "teiCorpus", "div", "text", "body"}
LABELS = {
    "p": "Paragraph",
    "list": "List",
    "quote": "Quoted message",
    "table": "Table",
    "postscript": "Postscript",
    "lg": "Verse",
}
PREFERRED = ("corr", "reg", "expan")  # of a <choice>, the reading shown
_SPACES = re.compile(r"\s+")
_TYPOGRAPHIC = re.compile("[\u2018\u2019\u201a\u201c\u201d\u201e]")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _is_document(el: Element) -> bool:
    return el.get("type") == "document" and _local(el.tag) == "div"


class _Lines(TreeBuilder):
    """A tree builder noting the line each document starts on (the parser's own count)."""

    def __init__(self):
        super().__init__()
        self.expat = None
        self.lines: dict[int, int] = {}

    def start(self, tag, attrs):
        el = super().start(tag, attrs)
        if attrs.get("type") == "document" and self.expat is not None:
            self.lines[id(el)] = self.expat.CurrentLineNumber
        return el


class _Reader:
    """``text`` read in pieces, without the copy an ``io.StringIO`` would make."""

    def __init__(self, text: str):
        self.text, self.at = text, 0

    def read(self, size: int = -1) -> str:
        end = len(self.text) if size < 0 else self.at + size
        piece, self.at = self.text[self.at : end], min(end, len(self.text))
        return piece


@dataclass
class _Volume:
    id: str = ""
    title: str = ""
    terms: dict[str, str] = field(default_factory=dict)


def parse(text: str) -> list[ParsedDocument]:
    """Every ``div[@type="document"]`` of ``text`` (a volume or one document), in order."""
    builder = _Lines()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.expat = parser.parser
    volume = _Volume()
    documents: list[ParsedDocument] = []
    depth = 0  # documents open (an attachment typed "document" stays part of its own)
    root = None
    try:
        for event, el in iterparse(_Reader(text), ("start", "end"), parser=parser):
            if event == "start":
                if root is None:
                    root = el
                    if _local(el.tag) not in ROOTS:
                        raise ImportFailure(f"XML whose root is <{_local(el.tag)}>, not TEI", 1)
                    if _local(el.tag) == "TEI":
                        volume.id = el.get(XML_ID, "")
                if _is_document(el):
                    depth += 1
                continue
            el.tag = _local(el.tag)
            if el.tag == "div" and el.get("type") == "document":
                depth -= 1
                if depth == 0:
                    line = builder.lines.pop(id(el), 1)
                    documents.append(_document(el, line, volume))
                    el.clear()
            elif not depth:
                _volume_part(el, volume)
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise ImportFailure(
            f"the XML is not well-formed ({reason}, column {column})", line
        ) from None
    except DefusedXmlException as error:
        raise ImportFailure(
            "the XML declares a DTD or entities, which are refused for safety "
            f"({type(error).__name__})",
            _line_of(text, "<!"),
        ) from None
    if not documents:
        raise ImportFailure('TEI with no <div type="document">', 1)
    for doc in documents:
        _finish(doc, volume)
    return documents


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _volume_part(el: Element, volume: _Volume) -> None:
    """Keep what the documents need of the header and front matter; free the rest."""
    if el.tag == "idno" and el.get("type") == "frus" and not volume.id:
        volume.id = (el.text or "").strip()
    elif el.tag == "title" and (el.get("type") == "complete" or not volume.title):
        if el.get("type") in ("complete", None):
            volume.title = " ".join("".join(el.itertext()).split())
    elif el.tag == "item":
        for term in el.iter():
            if term.get(XML_ID, "").startswith("t_"):
                words = " ".join("".join(el.itertext()).split())
                own = " ".join("".join(term.itertext()).split())
                volume.terms[term.get(XML_ID)] = words.removeprefix(own).lstrip(" ,:")
    elif el.tag in ("div", "titleStmt", "teiHeader"):
        el.clear()


def _finish(doc: ParsedDocument, volume: _Volume) -> None:
    """What only the whole volume knows: its id, title and list of terms."""
    fields, doc_id, number = doc.fields, doc.fields.pop("_id", ""), doc.fields.get("cable_number")
    if volume.id and doc_id:
        fields["record_id"] = f"{volume.id}/{doc_id}"[:60]
        fields["canonical_url"] = fields["source_url"] = PAGE_URL.format(volume.id, doc_id)
    if volume.title:
        fields["citation"] = f"{volume.title}, Document {number}" if number else volume.title
    for passage in doc.passages:
        for mark in passage.marks:
            if mark.kind == "abbr" and mark.target and not mark.expansion:
                mark.expansion = volume.terms.get(mark.target, "")


# -- Rendering ---------------------------------------------------------------


class _Writer:
    """Renders mixed content to plain text, collecting marks and notes at their offsets."""

    def __init__(self, notes: list):
        self.buffer = ""
        self.marks: list[ParsedMark] = []
        self.notes = notes  # (label, target, element, is_source) for the document, in order

    def text(self, chunk: str | None) -> None:
        if not chunk:
            return
        chunk = _SPACES.sub(" ", chunk)
        if _TYPOGRAPHIC.search(chunk):
            chunk = chunk.translate(QUOTES)
        if chunk.startswith(" ") and (not self.buffer or self.buffer[-1] in " \n(["):
            chunk = chunk[1:]
        if chunk[:1] in (",", ";", ")", "]") and self.buffer.endswith(" "):
            self._trim()
        self.buffer += chunk

    def _trim(self) -> None:
        """Drop the buffer's trailing spaces (markup's line breaks before ``)`` or ``,``)."""
        self.buffer = self.buffer.rstrip(" ")
        for m in self.marks:
            m.start, m.end = min(m.start, len(self.buffer)), min(m.end, len(self.buffer))

    def newline(self) -> None:
        if self.buffer and not self.buffer.endswith("\n"):
            self._trim()
            self.buffer += "\n"

    def element(self, el: Element) -> None:
        tag = el.tag
        at = len(self.buffer)
        if tag == "note" and el.get("rend") == "inline" and el.get("type") != "source":
            self.inline(el)  # printed in the text, not as a footnote
        elif tag == "note":
            self.notes.append((el.get("n", ""), el.get(XML_ID, ""), el, False))
            mark = ParsedMark("note", at, at, el.get("n", ""), el.get(XML_ID, ""))
            mark.note_index = len(self.notes) - 1  # replaced by the passage index later
            self.marks.append(mark)
        elif tag == "pb":
            self.marks.append(ParsedMark("page", at, at, el.get("n", ""), el.get(XML_ID, "")))
        elif tag in ("lb", "row", "l"):
            self.newline()
            if tag != "lb":
                self.inline(el)
        elif tag == "choice" and el.find("abbr") is not None:
            self.inline(el.find("abbr"))
            expan = el.find("expan")
            words = " ".join("".join(expan.itertext()).split()) if expan is not None else ""
            self.marks.append(ParsedMark("abbr", at, len(self.buffer), expansion=words))
        elif tag == "choice":
            shown = next((c for c in el if c.tag in PREFERRED), el[0] if len(el) else None)
            if shown is not None:
                self.inline(shown)
        elif tag == "gloss" and el.get("target", "").startswith("#"):
            self.inline(el)
            target = el.get("target")[1:]
            self.marks.append(ParsedMark("abbr", at, len(self.buffer), target=target))
        elif tag == "label":
            self.newline()
            self.inline(el)
            self.buffer += " " if not self.buffer.endswith((" ", "\n")) else ""
        elif tag == "item":
            previous = getattr(self, "_previous", None)
            if previous != "label":
                self.newline()
            if el.get("n"):
                self.text(f"{el.get('n')} ")
            self.inline(el)
        elif tag == "cell":
            if self.buffer and not self.buffer.endswith(("\n", " ")):
                self.buffer += " "
            self.inline(el)
        elif tag in ("p", "quote", "signed", "salute", "dateline", "head", "closer") or (
            tag == "seg" and (el.get("rendition") or el.get("type"))
        ):
            self.newline()
            self.inline(el)
            if tag == "head":
                self.newline()
        elif tag in ("figure", "graphic"):
            pass
        else:
            self.inline(el)
        self._previous = tag
        self.text(el.tail)

    def inline(self, el: Element) -> None:
        self.text(el.text)
        for child in el:
            self.element(child)

    def done(self) -> tuple[str, list[ParsedMark]]:
        text = self.buffer.rstrip()
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        for m in self.marks:
            m.start = min(max(m.start - lead, 0), len(text))
            m.end = min(max(m.end - lead, m.start), len(text))
        return text, self.marks


def _words(el: Element | None, *, skip: tuple[str, ...] = ()) -> str:
    """The words of ``el`` on one line, without footnotes (``lb`` is a space)."""
    if el is None:
        return ""
    words = " ".join("".join(_text_of(el, skip, top=True)).split())
    return words.translate(QUOTES) if _TYPOGRAPHIC.search(words) else words


def _text_of(el: Element, skip: tuple[str, ...], top: bool = False):
    if not top and (el.tag == "note" or el.tag in skip):
        return
    if el.tag == "choice" and el.find("abbr") is None:
        shown = next((c for c in el if c.tag in PREFERRED), el[0] if len(el) else None)
        if shown is not None:
            yield from _text_of(shown, skip)
        return
    if el.tag == "lb":
        yield " "
    if el.text:
        yield el.text
    for child in el:
        yield from _text_of(child, skip)
        if child.tail:
            yield child.tail


def _typed(head: Element, kind: str) -> str:
    """The words of the head's element typed ``from`` or ``to`` (not inside its notes)."""
    stack = list(head)
    while stack:
        el = stack.pop(0)
        if el.tag == "note":
            continue
        if el.get("type") == kind and el.tag in ("persName", "gloss", "orgName", "name"):
            return _words(el)
        stack[:0] = list(el)
    return ""


# -- Dates -------------------------------------------------------------------

# Legacy memoranda give subject and participants as a paragraph and a table.
_PARTICIPANTS = re.compile(r"(?:Subject|Participants|Present):")
_PLACE = r"\[?[A-Z][\w.’' -]{0,40}?,?\]?,?"


def _dated(el: Element) -> tuple[dates.Span | None, str, str]:
    """The date a dateline (or a paragraph that is only a place and date) writes,
    its place, and the words of its date."""
    date = el if el.tag == "date" else el.find(".//date")
    place = el.find(".//placeName")
    place_words = _words(place).strip("[], ") if place is not None else ""
    if date is not None:
        words = _words(date)
        if not place_words and el is not date:
            place_words = _words(el).partition(words)[0].strip(" ,[]") if words else ""
        span = dates.written(words)
        if span is None:
            for start, end in (("when", "when"), ("from", "to"), ("notBefore", "notAfter")):
                if date.get(start):
                    span = dates.between(date.get(start), date.get(end), words)
                    break
        return span, place_words, words
    words = _words(el)
    words = re.split(r"\[?\bReceived\b", words)[0]  # a received line after the dateline
    span = dates.written(words)
    if span and not place_words:
        place_words = words[: words.find(span.as_written)].strip(" ,[]")
    return span, place_words, span.as_written if span else ""


def _only_place_and_date(el: Element) -> bool:
    """A paragraph that is a dateline: ``Peking, December 8, 1949.``"""
    words = _words(el)
    if len(words) > 90:
        return False
    span = dates.written(words)
    if span is None:
        return False
    before, _, after = words.partition(span.as_written)
    return bool(
        re.fullmatch(rf"(?:{_PLACE}\s*)?", before.strip())
        and re.fullmatch(r"[\s.,\]]*(?:[—–-]\s*[\w .:]{1,20})?[\s.]*", after)
    )


# -- One document ------------------------------------------------------------


class _Parts:
    """The passages of one document as they are found, and its notes."""

    def __init__(self):
        self.passages: list[ParsedPassage] = []
        self.notes: list = []
        self.pending: list[ParsedMark] = []  # page breaks between blocks

    def add(self, kind: str, label: str, elements: list[Element]) -> ParsedPassage | None:
        writer = _Writer(self.notes)
        for el in elements:
            if el.tag == "pb":
                writer.element(el)
                continue
            writer.newline()
            if el.tag in ("p", "dateline", "head", "seg", "closer", "quote"):
                writer.inline(el)
            else:
                writer.element(el)
                writer._trim()
        text, marks = writer.done()
        if not text:
            self.pending += [m for m in marks if m.kind == "page"]
            return None
        for m in self.pending:
            m.start = m.end = 0
        passage = ParsedPassage(kind, label, text, marks=self.pending + marks)
        self.pending = []
        self.passages.append(passage)
        return passage

    def page(self, el: Element) -> None:
        self.pending.append(ParsedMark("page", 0, 0, el.get("n", ""), el.get(XML_ID, "")))

    def close(self) -> None:
        if self.pending and self.passages:
            last = self.passages[-1]
            for m in self.pending:
                m.start = m.end = len(last.text)
            last.marks += self.pending
        self.pending = []


def _document(div: Element, line: int, volume: _Volume) -> ParsedDocument:
    doc_id = div.get(XML_ID, "")
    number = div.get("n", "")
    fields: dict = {"text_language": "English", "_id": doc_id}
    problems: list[str] = []
    found: dict[str, str] = {}
    parts = _Parts()
    datelines: list[tuple[dates.Span | None, str, str]] = []
    closing_dates: list[tuple[dates.Span | None, str, str]] = []
    marks: list[tuple[str, str]] = []  # (classification, precedence) printed at the top
    opener: list[Element] = []
    sources: list[Element] = []
    head = None
    in_text = False

    def flush_opener():
        if opener:
            only_dateline = all(
                e.tag == "dateline" or (e.tag == "opener" and all(c.tag == "dateline" for c in e))
                for e in opener
                if e.tag != "pb"
            )
            parts.add("address", "Dateline" if only_dateline else "Opener", opener)
            opener.clear()

    def top(el: Element) -> bool:
        """Whether ``el`` is printed between the head and the text (and keep it there)."""
        if el.tag in ("dateline", "opener"):
            for part in [el] if el.tag == "dateline" else el:
                if part.tag == "dateline":
                    datelines.append(_dated(part))
                elif part.tag == "salute":
                    continue
                elif (found_marking := marking(_words(part))) is not None:
                    marks.append(found_marking)
            opener.append(el)
            return True
        if (el.tag == "list" and el.get("type") in ("subject", "participants")) or (
            el.tag in ("p", "table") and _PARTICIPANTS.match(_words(el))
        ):
            opener.append(el)
            return True
        if el.tag in ("p", "seg", "ab") and (found_marking := marking(_words(el))) is not None:
            marks.append(found_marking)
            opener.append(el)
            return True
        return False

    for child in div:
        tag = child.tag
        if tag == "note" and (
            child.get("type") == "source" or (child.get("rend") == "inline" and not in_text)
        ):
            sources.append(child)
            parts.notes.append(("", child.get(XML_ID, ""), child, True))
            continue
        if tag == "head" and head is None:
            head = child
            parts.add("heading", "Heading", [child])
            continue
        if tag == "pb":
            (opener.append(child) if opener and not in_text else parts.page(child))
            continue
        if not in_text and top(child):
            continue
        if not in_text:
            flush_opener()
            in_text = True
        _block(child, parts, closing_dates)
    flush_opener()
    parts.close()

    # Title, sender and recipient.
    if head is None:
        problems.append(f"document {doc_id or number or '?'} has no head: titled by its number")
        fields["title"] = f"Document {number or doc_id}".strip()
    else:
        fields["title"] = title_of(_words(head), number)[:300] or f"Document {number}"
    sender = _typed(head, "from") if head is not None else ""
    recipient = _typed(head, "to") if head is not None else ""
    named = names_in(fields["title"])
    sender, recipient = sender or named[0], recipient or named[1]
    if number:
        fields["cable_number"] = number[:40]

    # Source note: a footnote of the head (type="source" or "Source: …"), or a line before it.
    if not sources and head is not None:
        for note in head.iter("note"):
            if note.get("type") == "source" or _words(note).startswith("Source:"):
                sources.append(note)
                break
    if not sources:
        for note in div.iter("note"):
            if note.get("type") == "source":
                sources.append(note)
                break
    if sources:
        source = source_note(_words(sources[0]))
        for name in ("archive", "signature", "document_type"):
            if getattr(source, name):
                fields[name] = getattr(source, name)
        marks.append((source.series, source.precedence))
    series = next((s for s, _ in marks if s), "")
    precedence = next((p for _, p in marks if p), "")
    if series:
        fields["series"] = series[:40]
    if precedence:
        fields["precedence"] = precedence[:40]

    # The date: the dateline as written; else doc-dateTime-min/max, inferred; else none.
    dated = next((d for d in datelines + closing_dates if d[0] is not None), None)
    if dated is not None:
        span, place, words = dated
        if place:
            fields["origin"] = place[:120]
        if words:
            fields["sender_dated"] = words[:60]
    else:
        span = dates.between(div.get(DOC_MIN), div.get(DOC_MAX))
        if span is not None:
            found["date"] = INFERRED
        for _, place, _ in datelines:
            if place:
                fields["origin"] = place[:120]
                break
    fields["date"] = span.date if span else None
    fields["date_to"] = span.date_to if span else None
    if span and span.date_to and span.as_written:
        fields["date_as_written"] = span.as_written[:120]

    # Footnotes after the text, each a passage of kind "note"; the marks point at them.
    first_note = len(parts.passages)
    index = 0
    while index < len(parts.notes):  # rendering a note can find notes inside it
        label, _target, el, is_source = parts.notes[index]
        writer = _Writer(parts.notes)
        writer.inline(el)
        text, note_marks = writer.done()
        source = is_source or any(el is s for s in sources)
        parts.passages.append(
            ParsedPassage(
                "note",
                f"Source note {label}".strip() if source else f"Note {label}".strip(),
                text or "(empty note)",
                marks=note_marks,
            )
        )
        index += 1
    for p in parts.passages:
        for m in p.marks:
            if m.kind == "note" and m.note_index is not None:
                m.note_index += first_note
    for p in parts.passages[:-1]:
        p.tail = "\n\n"
    return ParsedDocument(
        "frus-tei",
        line=line,
        fields=fields,
        sender=sender[:200],
        recipient=recipient[:200],
        passages=parts.passages,
        found=found,
        problems=problems,
        source_text=tostring(div, encoding="unicode"),
    )


def _block(el: Element, parts: _Parts, closing_dates: list) -> None:
    """One element of the text: a passage, or an attachment's passages."""
    tag = el.tag
    if tag == "closer":
        for dateline in el.iter("dateline"):
            closing_dates.append(_dated(dateline))
        parts.add("closing", "Signature", [el])
    elif tag == "dateline" or (tag == "p" and _only_place_and_date(el)):
        closing_dates.append(_dated(el))
        parts.add("address", "Dateline", [el])
    elif tag in ("attachment", "div", "frus:attachment") and len(el):
        for child in el:
            if child.tag == "head":
                parts.add("heading", "Attachment", [child])
            elif child.tag == "opener":
                parts.add("address", "Dateline", [child])
            elif child.tag == "pb":
                parts.page(child)
            else:
                _block(child, parts, [])
    elif tag == "opener":
        parts.add("address", "Dateline", [el])
    elif tag == "salute":
        parts.add("body", "Salutation", [el])
    elif tag == "note":
        parts.add("body", "Note", [el])
    else:
        parts.add("body", LABELS.get(tag, "Paragraph"), [el])
