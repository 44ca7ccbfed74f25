"""What a parser makes of one document, before anything is written.

Parsers (``wilson``, ``tei``) produce a :class:`ParsedDocument` of plain
values — names are strings, not participants — so that parsing needs no
database, a dry run can show everything, and ``writer`` resolves names and
writes the rows in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from interchange.importers.dates import When


class ImportFailure(Exception):
    """A document that cannot be imported; ``line`` is 1-based (0: the whole file)."""

    def __init__(self, reason: str, line: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.line = line

    def located(self, name: str) -> str:
        """``file:line: reason`` — the one line the command and the admin print."""
        return f"{name}:{self.line or 1}: {self.reason}"


@dataclass
class ParsedItem:
    """One point of a numbered list in a telegram: an agenda candidate."""

    number: int
    text: str  # the point's words, without its number
    start: int  # span of "N. words" in the telegram passage
    end: int


@dataclass
class ParsedTelegram:
    number: int
    author: str = ""
    addressees: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    sent: When | None = None
    reference: str = ""
    attachment_of: int | None = None  # number of another telegram of the same cable
    lists: list[list[ParsedItem]] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)  # first words of telegrams quoted inside


@dataclass
class ParsedMark:
    """Source markup kept at a place in a passage (TEI): footnote call, page break, gloss."""

    kind: str  # cables.models.SourceMark.Kind
    start: int
    end: int
    label: str = ""
    target: str = ""  # xml:id of the note or page
    expansion: str = ""  # an abbreviation's gloss
    note_index: int | None = None  # index of the note passage in ParsedDocument.passages


@dataclass
class ParsedPassage:
    kind: str
    label: str
    text: str
    tail: str = ""
    telegram: ParsedTelegram | None = None
    marks: list[ParsedMark] = field(default_factory=list)


@dataclass
class ParsedHandling:
    action: str
    agent: str = ""
    as_written: str = ""
    on: dt.date | None = None
    at: dt.time | None = None


# The catalogue fields whose provenance the review queue shows: an editor checks
# that each was read from the document, worked out, or is truly not given.
REVIEWED_FIELDS = (
    "title",
    "date",
    "record_id",
    "canonical_url",
    "citation",
    "archive",
    "signature",
    "summary",
    "original_language",
    "text_language",
    "translator",
)
PARSED, INFERRED, MISSING = "parsed", "inferred", "missing"  # cables.models.Cable.Found


@dataclass
class ParsedDocument:
    format: str  # "wilson-export", "wilson-page", "wilson-pdf", "frus-tei", "frus-page", ...
    line: int = 1  # where the document starts in its file (TEI volumes hold many)
    fields: dict = field(default_factory=dict)  # Cable fields (plain values)
    sender: str = ""
    recipient: str = ""
    passages: list[ParsedPassage] = field(default_factory=list)
    handling: list[ParsedHandling] = field(default_factory=list)
    # How each field was found, where the parser knows better than "present means
    # parsed" (an inferred date, a title made from the first line): Cable.Found values.
    found: dict[str, str] = field(default_factory=dict)
    # What the parser could not place; any problem makes the record a draft that
    # an editor reviews before readers see it.
    problems: list[str] = field(default_factory=list)
    # For a page that holds a text in two languages: the index, among the same
    # file's documents, of the original-language text this one translates.
    translation_of: int | None = None
    source_text: str = ""  # the document's own text as imported (for the review queue)

    @property
    def title(self) -> str:
        return self.fields.get("title", "")

    def body(self) -> str:
        return "".join(p.text + p.tail for p in self.passages)

    def telegrams(self) -> list[ParsedTelegram]:
        return [p.telegram for p in self.passages if p.telegram is not None]

    def names(self) -> list[tuple[str, str]]:
        """Every (name, role) the document names, in order, for resolving."""
        found = []
        if self.sender:
            found.append((self.sender, "sender of the cable"))
        if self.recipient:
            found.append((self.recipient, "recipient of the cable"))
        for t in self.telegrams():
            if t.author:
                found.append((t.author, f"author of telegram {t.number}"))
            found += [(n, f"addressee of telegram {t.number}") for n in t.addressees]
            found += [(n, f"copied on telegram {t.number}") for n in t.copies]
        found += [(h.agent, f"{h.action} the cable") for h in self.handling if h.agent]
        return found

    def provenance(self) -> dict[str, str]:
        """How each reviewed field was found: the parser's word, else parsed or missing."""
        return {
            name: self.found.get(
                name, PARSED if self.fields.get(name) not in (None, "") else MISSING
            )
            for name in REVIEWED_FIELDS
        }
