"""FRUS TEI: a volume file or a single ``<div type="document">``, one cable per document.

The Office of the Historian publishes every FRUS volume as TEI P5. Of each
``div[@type="document"]`` this keeps:

- its number (``@n``) and id (``@xml:id``, e.g. d427) — the record id is
  ``<volume>/<id>`` and the source address its history.state.gov page;
- the heading, with sender and recipient from ``persName``/``gloss`` of
  ``@type`` from/to; the dateline (``placeName``, ``date/@when``);
  classification and precedence (elements typed so, or an opener/first
  paragraph that is only such words);
- paragraphs, lists, quoted messages (``quote``) and the closer/signature, each
  a passage;
- footnotes: each note is a passage of kind ``note`` after the text (so it can
  be read, searched and annotated), and a ``SourceMark`` records where it is
  called; page breaks (``pb``) are ``SourceMark`` points with the page number;
  abbreviations (``choice/abbr+expan``, ``gloss/@target`` into the volume's
  list of terms) are ``SourceMark`` spans holding the gloss.

XML is parsed with ``defusedxml``: DTDs, entities and external references are
refused, so a hostile file cannot expand or reach out.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from interchange.importers.dates import parse_when
from interchange.importers.parsed import ImportFailure, ParsedDocument, ParsedMark, ParsedPassage

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
CLASSIFICATIONS = {
    "top secret",
    "secret",
    "confidential",
    "restricted",
    "unclassified",
    "eyes only",
    "limited official use",
    "official use only",
}
PRECEDENCES = {"priority", "niact", "flash", "immediate", "operational immediate", "routine"}
BLOCKS = {"p", "list", "quote", "closer", "table", "lg", "ab", "postscript"}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_namespaces(root: Element) -> None:
    for element in root.iter():
        element.tag = _local(element.tag)


def parse(text: str) -> list[ParsedDocument]:
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
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
    _strip_namespaces(root)
    if root.tag not in ("TEI", "teiCorpus", "div", "text", "body"):
        raise ImportFailure(f"XML whose root is <{root.tag}>, not TEI", 1)
    volume = root.get(XML_ID, "") if root.tag == "TEI" else ""
    if not volume:
        idno = root.find(".//teiHeader//idno[@type='frus']")
        volume = (idno.text or "").strip() if idno is not None else ""
    title_el = root.find(".//teiHeader//titleStmt/title[@type='complete']")
    if title_el is None:
        title_el = root.find(".//teiHeader//titleStmt/title")
    volume_title = " ".join("".join(title_el.itertext()).split()) if title_el is not None else ""
    terms = {}
    for item in root.iter("item"):
        for term in item.iter():
            if term.get(XML_ID, "").startswith("t_"):
                words = " ".join("".join(item.itertext()).split())
                own = " ".join("".join(term.itertext()).split())
                terms[term.get(XML_ID)] = words.removeprefix(own).lstrip(" ,:")
    if root.tag == "div" and root.get("type") == "document":
        divs = [root]
    else:
        divs = [d for d in root.iter("div") if d.get("type") == "document"]
    if not divs:
        raise ImportFailure('TEI with no <div type="document">', 1)
    return [_document(div, text, volume, volume_title, terms) for div in divs]


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


class _Writer:
    """Renders mixed content to plain text, collecting marks and notes at their offsets."""

    def __init__(self, notes: list, terms: dict):
        self.buffer = ""
        self.marks: list[ParsedMark] = []
        self.notes = notes  # (label, target, element) for the document, in order
        self.terms = terms

    def text(self, chunk: str | None) -> None:
        if not chunk:
            return
        chunk = re.sub(r"\s+", " ", chunk)
        if (not self.buffer or self.buffer[-1] in " \n") and chunk.startswith(" "):
            chunk = chunk[1:]
        self.buffer += chunk

    def element(self, el: Element) -> None:
        tag = el.tag
        at = len(self.buffer)
        if tag == "note":
            self.notes.append((el.get("n", ""), el.get(XML_ID, ""), el))
            mark = ParsedMark("note", at, at, el.get("n", ""), el.get(XML_ID, ""))
            mark.note_index = len(self.notes) - 1  # replaced by the passage index later
            self.marks.append(mark)
        elif tag == "pb":
            self.marks.append(ParsedMark("page", at, at, el.get("n", ""), el.get(XML_ID, "")))
        elif tag == "lb":
            self.buffer = self.buffer.rstrip(" ") + "\n"
        elif tag == "choice" and el.find("abbr") is not None:
            self.inline(el.find("abbr"))
            expan = el.find("expan")
            words = " ".join("".join(expan.itertext()).split()) if expan is not None else ""
            self.marks.append(ParsedMark("abbr", at, len(self.buffer), expansion=words))
        elif tag == "gloss" and el.get("target", "").startswith("#"):
            self.inline(el)
            target = el.get("target")[1:]
            gloss = ParsedMark("abbr", at, len(self.buffer), target=target)
            gloss.expansion = self.terms.get(target, "")
            self.marks.append(gloss)
        elif tag == "item":
            if self.buffer and not self.buffer.endswith("\n"):
                self.buffer = self.buffer.rstrip(" ") + "\n"
            if el.get("n"):
                self.text(f"{el.get('n')} ")
            self.inline(el)
        elif tag in ("p", "quote", "signed", "salute", "dateline") and self.buffer.strip():
            self.buffer = self.buffer.rstrip(" ") + "\n"
            self.inline(el)
        else:
            self.inline(el)
        self.text(el.tail)

    def inline(self, el: Element) -> None:
        self.text(el.text)
        for child in el:
            self.element(child)

    def done(self) -> tuple[str, list[ParsedMark]]:
        text = self.buffer.strip()
        lead = len(self.buffer) - len(self.buffer.lstrip())
        for m in self.marks:
            m.start = min(max(m.start - lead, 0), len(text))
            m.end = min(max(m.end - lead, m.start), len(text))
        return text, self.marks


def _render(el: Element, notes: list, terms: dict) -> tuple[str, list[ParsedMark]]:
    writer = _Writer(notes, terms)
    writer.inline(el)
    return writer.done()


def _words(el: Element | None) -> str:
    if el is None:
        return ""
    copy = [t for t in _itertext_without_notes(el)]
    return " ".join("".join(copy).split())


def _itertext_without_notes(el: Element):
    if el.tag == "note":
        return
    if el.text:
        yield el.text
    for child in el:
        yield from _itertext_without_notes(child)
        if child.tail:
            yield child.tail


def _kind_of(el: Element) -> str | None:
    words = _words(el).strip(" .").lower()
    declared = el.get("type", "")
    if declared in ("classification", "precedence"):
        return declared
    if words in CLASSIFICATIONS:
        return "classification"
    if words in PRECEDENCES:
        return "precedence"
    return None


def _document(div: Element, source: str, volume: str, volume_title: str, terms: dict):
    doc_id = div.get(XML_ID, "")
    number = div.get("n", "")
    line = _line_of(source, f'"{doc_id}"') if doc_id else 1
    notes: list = []
    passages: list[ParsedPassage] = []
    fields: dict = {"text_language": "English", "archive": "FRUS"}

    def add(kind, label, el):
        text, marks = _render(el, notes, terms)
        if text:
            passages.append(ParsedPassage(kind, label, text, marks=marks))

    head = div.find("head")
    if head is None:
        raise ImportFailure(f"document {doc_id or number or '?'} has no <head>", line)
    sender = div.find(".//head//*[@type='from']")
    recipient = div.find(".//head//*[@type='to']")
    add("heading", "Heading", head)
    fields["title"] = _words(head)[:300] or f"Document {number}"

    when = None
    for el in div.iter():
        if el.tag in ("seg", "hi", "p", "ab") and (kind := _kind_of(el)):
            fields.setdefault(kind, _words(el)[:40])
    for child in div:
        if child.tag == "head":
            continue
        if child.tag == "opener":
            for part in child:
                if part.tag == "dateline":
                    date = part.find(".//date")
                    place = part.find(".//placeName")
                    if place is not None:
                        fields["origin"] = _words(place)[:120]
                    if date is not None and date.get("when"):
                        when = date.get("when")
                        fields["sender_dated"] = _words(date)[:60]
                    add("address", "Dateline", part)
                else:
                    kind = _kind_of(part)
                    add("heading", (kind or "opener").capitalize(), part)
            continue
        if child.tag == "closer":
            add("closing", "Signature", child)
            continue
        if child.tag == "dateline":
            date = child.find(".//date")
            if date is not None and date.get("when"):
                when = date.get("when")
            add("address", "Dateline", child)
            continue
        if child.tag in BLOCKS or child.tag in ("note", "pb"):
            kind = _kind_of(child) if child.tag == "p" else None
            label = {"list": "List", "quote": "Quoted message"}.get(child.tag, "Paragraph")
            add("heading" if kind else "body", kind.capitalize() if kind else label, child)
    when = when or div.get("{http://history.state.gov/frus/ns/1.0}doc-dateTime-min")
    parsed_date = None
    if when:
        match = re.match(r"(\d{4})-(\d\d)-(\d\d)", when)
        if match:
            parsed = parse_when(f"{int(match[3])}.{int(match[2])}.{match[1]}")
            parsed_date = parsed.date if parsed else None
    if parsed_date is None:
        raise ImportFailure(
            f"document {doc_id or number} has no date (a <date when=…> in its dateline)", line
        )
    fields["date"] = parsed_date
    if "classification" in fields:
        fields["series"] = fields.pop("classification")
    if number:
        fields["cable_number"] = number[:40]
    ident = f"{volume}/{doc_id}" if volume else doc_id
    fields["record_id"] = ident[:60]
    if volume and doc_id:
        fields["source_url"] = f"https://history.state.gov/historicaldocuments/{volume}/{doc_id}"
    if volume_title:
        fields["citation"] = f"{volume_title}, Document {number}" if number else volume_title

    # Footnotes after the text, each a passage of kind "note"; the marks point at them.
    first_note = len(passages)
    for label, _target, el in list(notes):
        text, marks = _render(el, notes, terms)
        if el.get("type") == "source" or text.startswith("Source:"):
            fields.setdefault("archive_name", text.removeprefix("Source:").strip()[:300])
        passages.append(
            ParsedPassage(
                "note",
                f"Source note {label}".strip() if el.get("type") == "source" else f"Note {label}",
                text or "(empty note)",
                marks=marks,
            )
        )
    for p in passages:
        for m in p.marks:
            if m.kind == "note" and m.note_index is not None:
                m.note_index += first_note
    for p in passages[:-1]:
        p.tail = "\n\n"
    return ParsedDocument(
        "frus-tei",
        line=line,
        fields=fields,
        sender=_words(sender),
        recipient=_words(recipient),
        passages=passages,
    )
