"""A FRUS document copied from its page on the Office of the Historian's site.

The text a reader gets by selecting a history.state.gov document page
(docs/layouts.md, layouts 20–22), line by line:

- the source line: the file number and kind (``795.00/7–251: Telegram``) or a
  lot reference; 1952–54 volumes add ``No. 581``; editorial notes have none;
- the head, its footnote markers glued to the last word
  (``… to the Secretary of State1``);
- classification and precedence in lower case (the small capitals lost), on
  separate lines or one (``secret   priority``); the dateline, which copies
  often lose;
- the text, one paragraph a line (with or without blank lines between), page
  markers ``[Page 612]`` inside sentences or on their own line, list labels
  alone on a line (``a.``), the signature alone on the last line;
- the footnotes, ``  1. …`` indented or ``- …↩``.

Footnotes become note passages with their calls marked where the digits stood,
page markers ``SourceMark`` points, as for TEI. Without a dateline the date is
the file number's (``795.00/2–2352``: 23 February 1952), marked inferred.
A chapter page listing many documents is refused.
"""

from __future__ import annotations

import re

from interchange.importers import frus_dates as dates
from interchange.importers.frus import (
    FILE_NUMBER,
    marking,
    names_in,
    source_note,
    title_of,
)
from interchange.importers.parsed import (
    INFERRED,
    ImportFailure,
    ParsedDocument,
    ParsedMark,
    ParsedPassage,
)

# What only Wilson Center pages, exports and PDFs carry.
WILSON = re.compile(
    r"Wilson Center|wilsoncenter|Digital Archive|Record ID|^Citation:|Skip to content"
    r"|Document Information|Cold War International History",
    re.IGNORECASE | re.MULTILINE,
)
PAGE_URL = re.compile(
    r"https?://history\.state\.gov/historicaldocuments/(?P<volume>frus[\w-]+)/(?P<doc>d\d+\w*)"
)
# The line above the head: a file number or lot reference, perhaps its kind.
SOURCE_LINE = re.compile(
    rf"(?:No\.\s*\d+\w?\s+)?(?:{FILE_NUMBER.pattern})(?:[^:\n]{{0,60}})?(?::[^\n]{{0,80}})?"
)
HEAD = re.compile(
    r"(?:\d+\w?\.\s+)?(?:The|Memorandum|Telegram|Letter|Despatch|Airgram|Circular|Instruction"
    r"|Message|Paper|Report|Minutes|Notes?|Record|President|Secretary|Ambassador|Editorial)\b"
    r".*\b(?:to|by|From|of)\b"
)
SOURCE_FOOTNOTE = re.compile(r"^(?:[ \t]+1\.[ \t]+|-[ \t]*)Source: \S.*$", re.MULTILINE)
EDITORIAL_NOTE = re.compile(r"(?:\d+\w?\.\s+)?Editorial Note")
LISTED = re.compile(r"^\[\d+\w?\]\s+\S", re.MULTILINE)  # "[89] The Ambassador in Korea …"
PAGE = re.compile(r"\s?\[Page (?P<n>[\w-]+)\]\s?")
NUMBER_LINE = re.compile(r"No\.\s*(?P<n>\d+\w?)")
INDENTED_NOTE = re.compile(r"^\s+(?P<n>\d+)\.\s+(?P<text>\S.*)$")
LABEL = re.compile(r"(?:[a-z]|[ivx]+|\d+|[A-Z])[.)]|\((?:[a-z]|[ivx]+|\d+)\)")
SIGNATURE = re.compile(r"\[?[A-Z][\w.’'\-\[\] ]{1,40}[\w\]]")
CHROME = re.compile(
    r"(?:Office of the Historian|Historical Documents|Foreign Relations of the United States\b.*"
    r"|Document \d+\w?|https?://\S+)",
    re.IGNORECASE,
)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _skip_chrome(lines: list[str]) -> list[str]:
    start = 0
    while start < len(lines) and CHROME.fullmatch(lines[start]):
        start += 1
    return lines[start:]


def looks_like(text: str) -> bool:
    """Whether ``text`` is a FRUS page copied as text (a document or a chapter listing)."""
    if WILSON.search(text):
        return False
    if PAGE_URL.search(text) or len(LISTED.findall(text)) >= 2:
        return True
    lines = _skip_chrome(_lines(text[:20000]))
    if not lines:
        return False
    first = lines[0]
    if SOURCE_LINE.fullmatch(first) or EDITORIAL_NOTE.fullmatch(first):
        return True
    if len(first) > 300 or first.endswith("."):
        return False
    if SOURCE_FOOTNOTE.search(text):  # "  1. Source: Department of State, …"
        return True
    frus_marks = re.search(r"\[Page \d+\]|↩\s*$|^[ \t]{2,}1\.\s", text, re.MULTILINE)
    return bool(HEAD.match(first) and frus_marks)


def parse(text: str) -> list[ParsedDocument]:
    listed = list(LISTED.finditer(text))
    if len(listed) >= 2:
        raise ImportFailure(
            "a list of documents (FRUS chapter contents), not one document: import the "
            "documents' own pages or the volume's TEI",
            text.count("\n", 0, listed[1].start()) + 1,
        )
    return [_Page(text).document()]


class _Page:
    def __init__(self, text: str):
        self.text = text
        self.fields: dict = {"text_language": "English"}
        self.found: dict[str, str] = {}
        self.problems: list[str] = []
        self.passages: list[ParsedPassage] = []
        self.pending: list[ParsedMark] = []  # page markers on their own line
        self.notes: list[str] = []
        self.next_call = 1  # footnote calls come in order
        self.source_footnote = False

    # -- reading ------------------------------------------------------------

    def document(self) -> ParsedDocument:
        lines = _lines(self.text)
        url = PAGE_URL.search(self.text)
        if url:
            self.fields["record_id"] = f"{url['volume']}/{url['doc']}"
            self.fields["canonical_url"] = self.fields["source_url"] = url.group()
        for line in lines[:4]:
            if line.startswith("Foreign Relations of the United States"):
                self.fields["citation"] = line[:300]
            elif found := re.fullmatch(r"Document (\d+\w?)", line):
                self.fields["cable_number"] = found[1]
        lines = _skip_chrome(lines)
        raw = [line for line in self.text.split("\n") if line.strip()]
        raw = raw[len(raw) - len(lines) :]
        body_end = self._footnotes(raw)
        lines = lines[:body_end]

        at = 0
        source = None
        if at < len(lines) and SOURCE_LINE.fullmatch(lines[at]):
            source = lines[at]
            number = re.match(r"No\.\s*(\d+\w?)\s+", source)
            if number:
                self.fields["cable_number"] = number[1]
                source = source[number.end() :]
            at += 1
        if at < len(lines) and (number := NUMBER_LINE.fullmatch(lines[at])):
            self.fields["cable_number"] = number["n"]
            at += 1
        if at >= len(lines):
            raise ImportFailure("a FRUS source line with no document after it", 1)
        head = lines[at]
        at += 1
        self._heading(head)

        top, span, place = [], None, ""
        while at < len(lines):
            line = lines[at]
            found_marking = marking(line)
            dateline = None if found_marking else _dateline(line)
            if found_marking:
                series, precedence = found_marking
                if series:
                    self.fields.setdefault("series", series)
                if precedence:
                    self.fields.setdefault("precedence", precedence)
            elif dateline:
                span, place = span or dateline[0], place or dateline[1]
            elif not (top and re.fullmatch(r"\[Received [^\]]*\]", line)):
                break
            top.append(line)
            at += 1
        if top:
            self._add("address", "Dateline" if span and len(top) == 1 else "Opener", "\n".join(top))

        body = lines[at:]
        signature = ""
        if body and _is_signature(body[-1]) and len(body) > 1:
            signature = body.pop()
        index = 0
        while index < len(body):
            line = body[index]
            if re.fullmatch(r"\[Page [\w-]+\]", line):
                self.pending.append(ParsedMark("page", 0, 0, line[6:-1]))
            elif LABEL.fullmatch(line) and index + 1 < len(body):
                body[index + 1] = f"{line} {body[index + 1]}"
            else:
                self._add("body", "Paragraph", line)
            index += 1
        if signature:
            self._add("closing", "Signature", signature)
        self._close()

        # Newer volumes' pages give the source as the head's first footnote.
        self.source_footnote = (
            not source and bool(self.notes) and self.notes[0].startswith("Source:")
        )
        if source or self.source_footnote:
            note = source_note(source or self.notes[0])
            for name in ("archive", "signature", "document_type"):
                if getattr(note, name):
                    self.fields[name] = getattr(note, name)
            if note.series:
                self.fields.setdefault("series", note.series)
            if note.precedence:
                self.fields.setdefault("precedence", note.precedence)
        self._date(span, place)
        last = body[-1] if body else ""
        if not signature and not self.notes and last and not re.search(r"[.?!:;\"')\]”’]$", last):
            self.fields["complete"] = False
            self.problems.append("the copy seems to stop mid-sentence")
        self._notes(source)
        return ParsedDocument(
            "frus-page",
            fields=self.fields,
            sender=self.sender,
            recipient=self.recipient,
            passages=self.passages,
            found=self.found,
            problems=self.problems,
            source_text=self.text,
        )

    def _footnotes(self, raw: list[str]) -> int:
        """Read the footnotes at the end; the index of the first line that is one."""
        # "- …↩": every trailing line that ends with the return arrow.
        start = len(raw)
        while start > 0 and raw[start - 1].rstrip().endswith("↩"):
            start -= 1
        if start < len(raw):
            self.notes = [
                re.sub(r"^-\s*", "", r.strip()).removesuffix("↩").strip() for r in raw[start:]
            ]
            return start
        # "  1. …", "  2. …": the last indented 1. from which the numbers run on.
        for first in range(len(raw) - 1, -1, -1):
            found = INDENTED_NOTE.match(raw[first])
            if not found or found["n"] != "1":
                continue
            notes, expected = [], 1
            for line in raw[first:]:
                item = INDENTED_NOTE.match(line)
                if item and int(item["n"]) == expected:
                    notes.append(item["text"].strip())
                    expected += 1
                else:
                    notes[-1] += "\n" + line.strip()
            self.notes = notes
            return first
        return len(raw)

    def _heading(self, head: str) -> None:
        number = re.match(r"(\d+\w?)\.\s+", head)
        if number:
            self.fields.setdefault("cable_number", number[1])
        calls = []
        call = str(self.next_call)
        if self.notes and head.endswith(call):
            # Calls glued to a word are found with the text's; at the head's end a call
            # may also stand after a space ("… Truman 1") or a year ("… 1956" + "1").
            rest = head[: -len(call)]
            if rest.endswith(" ") or re.search(r"\b(?:1[6-9]|20)\d\d$", rest):
                calls.append((len(rest.rstrip()), self.next_call))
                head = rest.rstrip()
                self.next_call += 1
        passage = self._add("heading", "Heading", head, calls_found=calls)
        title = title_of(passage.text if passage else head, self.fields.get("cable_number", ""))
        self.fields["title"] = title[:300] or "Untitled FRUS document"
        self.sender, self.recipient = names_in(title)

    def _calls(self, text: str) -> tuple[str, list[ParsedMark]]:
        """``text`` without its footnote digits and page markers, and marks where they stood."""
        marks: list[ParsedMark] = []
        out = ""
        position = 0
        pattern = re.compile(
            r"(?P<page>\s?\[Page (?P<n>[\w-]+)\]\s?)"
            r"|(?<=[A-Za-z.,;:)\]”\"'’])(?P<call>\d{1,3})(?=[\s.,;:)\]”\"'’]|$)"
        )
        for found in pattern.finditer(text):
            if found["call"]:
                if int(found["call"]) != self.next_call or self.next_call > len(self.notes):
                    continue
                out += text[position : found.start()]
                mark = ParsedMark("note", len(out), len(out), found["call"])
                mark.note_index = self.next_call - 1  # an index among the notes, for now
                marks.append(mark)
                self.next_call += 1
            else:
                out += text[position : found.start()]
                if out and not out.endswith(" ") and found.end() < len(text):
                    out += " "
                marks.append(ParsedMark("page", len(out), len(out), found["n"]))
            position = found.end()
        out += text[position:]
        return out, marks

    def _add(self, kind, label, text, calls_found=()) -> ParsedPassage | None:
        text, marks = self._calls(text)
        for offset, number in calls_found:
            mark = ParsedMark("note", min(offset, len(text)), min(offset, len(text)), str(number))
            mark.note_index = number - 1
            marks.append(mark)
        text = text.strip()
        if not text:
            return None
        for m in self.pending:
            m.start = m.end = 0
        passage = ParsedPassage(kind, label, text, marks=self.pending + marks)
        self.pending = []
        self.passages.append(passage)
        return passage

    def _close(self) -> None:
        if self.pending and self.passages:
            last = self.passages[-1]
            for m in self.pending:
                m.start = m.end = len(last.text)
            last.marks += self.pending
        self.pending = []

    def _date(self, span, place: str) -> None:
        if span is not None:
            self.fields["date"], self.fields["date_to"] = span.date, span.date_to
            self.fields["sender_dated"] = span.as_written[:60]
            if span.date_to:
                self.fields["date_as_written"] = span.as_written[:120]
            if place:
                self.fields["origin"] = place[:120]
            return
        filed = dates.filed(self.fields.get("signature", ""))
        self.fields["date"] = filed
        if filed:
            self.found["date"] = INFERRED

    def _notes(self, source: str | None) -> None:
        first = len(self.passages)
        if source:
            self.passages.append(ParsedPassage("note", "Source note", source))
            first += 1
        for number, note in enumerate(self.notes, start=1):
            text, marks = self._calls_in_note(note)
            label = "Source note" if number == 1 and self.source_footnote else "Note"
            self.passages.append(ParsedPassage("note", f"{label} {number}", text, marks=marks))
        for passage in self.passages:
            for m in passage.marks:
                if m.kind == "note" and m.note_index is not None:
                    m.note_index += first
        for passage in self.passages[:-1]:
            passage.tail = "\n\n"

    def _calls_in_note(self, note: str) -> tuple[str, list[ParsedMark]]:
        marks = []
        out, position = "", 0
        for found in PAGE.finditer(note):
            out += note[position : found.start()]
            if out and not out.endswith(" ") and found.end() < len(note):
                out += " "
            marks.append(ParsedMark("page", len(out), len(out), found["n"]))
            position = found.end()
        return (out + note[position:]).strip(), marks


def _dateline(line: str):
    """(date span, place) when ``line`` is a dateline: ``Pusan, September 10, 1951—4 p. m.``"""
    if len(line) > 140:
        return None
    span = dates.written(line)
    if span is None:
        return None
    before, _, after = line.partition(span.as_written)
    if not re.fullmatch(r"(?:\[?[A-Z][\w.’' -]{0,40}?,?\]?,?)?\s*", before):
        return None
    if not re.fullmatch(
        r"[\s.,\]]*(?:[—–-]\s*[\w .:]{1,20})?[\s.]*(?:\[Received [^\]]*\])?", after
    ):
        return None
    return span, before.strip(" ,[]")


def _is_signature(line: str) -> bool:
    """A name alone on the last line: ``Muccio``, ``Dean Acheson``, ``[Johnson]``."""
    return bool(
        SIGNATURE.fullmatch(line)
        and len(line.split()) <= 5
        and marking(line) is None
        and not line.endswith((".", ":", ","))
        and not EDITORIAL_NOTE.fullmatch(line)
    )
