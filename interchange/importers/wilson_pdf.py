"""Wilson Center documents that come from PDFs: text tools, sharing sites, the Bulletin.

- **PDF text** (docs/layouts.md, layouts 9 and 10): the archive's PDF cover
  block (``Digital Archive`` / ``digitalarchive.wilsoncenter.org`` /
  ``International History Declassified``, date, title, ``Citation:``,
  ``Summary:``, ``Original Language:``, ``Contents:``) then the text, with
  form feeds between pages and words hyphenated at line ends; or the same
  flattened into one paragraph by a document-sharing site (``Total Page:9``,
  ``File Type:pdf``). :func:`clean` turns both into the layout of the text
  export, which ``wilson`` reads.
- **OCR on a sharing site** (layout 11): ``Upload:``, ``Post on …``,
  ``Page 1: …`` and OCR text, with watermark and debris lines.
- **The CWIHP Bulletin** (layout 12): numbered document headings (``85. 21
  July 1951, ciphered telegram, …``), the text, the source in brackets,
  running page heads.
"""

from __future__ import annotations

import re

from interchange.importers.dates import find_document_date, parse_document_date
from interchange.importers.parsed import INFERRED, ParsedDocument
from interchange.importers.structure import line_of
from interchange.importers.wilson_fields import Record, document, languages, read_reference

PDF_HOST = "digitalarchive.wilsoncenter.org"
PDF_HEADER = re.compile(
    r"Digital Archive\s+digitalarchive\.wilsoncenter\.org\s+"
    r"International History Declassified[ \t]*"
)
SHARING_LINES = re.compile(r"^(?:Total Page:\s*\d+|File Type:\s*\w+.*)[ \t]*\n?", re.MULTILINE)
PAGE_NUMBER = re.compile(r"(?:Page\s+)?\d{1,4}(?:\s+(?:of|/)\s+\d{1,4})?", re.IGNORECASE)
# Labels of the PDF cover block, where a sharing site ran them into one paragraph.
INLINE_LABELS = (
    "Citation",
    "Summary",
    "Credits",
    "Original Language",
    "Original Archive",
    "Contents",
)
# The items the "Contents:" block lists, which a flattened copy runs into the text.
CONTENTS_ITEM = re.compile(
    r"(?:(?:[A-Z][a-z]+\s+)?(?:Translation|Transcription|Transcript)(?:\s+-\s+[A-Z][a-z]+)?"
    r"|Original(?:\s+-\s+[A-Z][a-z]+)?(?:\s+Scan)?"
    r"|Scan\s+of\s+(?:the\s+)?Original(?:\s+Document)?)"
)
# Prefixes that keep their hyphen when a line break splits the word after them.
KEEP_HYPHEN = {"anti", "non", "self", "semi", "vice", "all", "half", "well", "cross", "quasi"}
HYPHEN_BREAK = re.compile(r"(?<![^\W\d_])([^\W\d_]+)-[ \t]*\n[ \t]*([a-zа-яё][\w'’]*)([ \t]*)")


def dehyphenate(text: str) -> str:
    """Words split with a hyphen at a line end joined again (``artil-`` / ``lery``).

    The rest of the word moves up to the first line; the line break stays
    after it, so lines keep their count. A capital after the break (a name in
    a hyphenated compound) is left alone.
    """
    out: list[str] = []
    last = 0
    for match in HYPHEN_BREAK.finditer(text):
        word, rest, space = match.groups()
        joiner = "-" if word.lower() in KEEP_HYPHEN else ""
        follows = text[match.end() : match.end() + 1]
        out.append(text[last : match.start()])
        out.append(f"{word}{joiner}{rest}" + ("\n" if space and follows not in ("", "\n") else ""))
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def is_pdf(text: str) -> bool:
    """Text taken from one of the archive's PDFs (a text tool, or a sharing site)."""
    head = text[:4000]
    return bool(
        "\f" in text
        or re.search(r"^Total Page:\s*\d+", head, re.MULTILINE)
        or PDF_HEADER.search(head)
    )


def _furniture(line: str) -> bool:
    line = line.strip()
    return (
        not line
        or PAGE_NUMBER.fullmatch(line) is not None
        or line.lower() in ("digital archive", PDF_HOST, "international history declassified")
    )


def _pages(text: str) -> str:
    """Form feeds gone, and with them each page's running header and page number."""
    pages = text.split("\f")
    if len(pages) == 1:
        return text
    out = []
    for k, page in enumerate(pages):
        lines = page.split("\n")
        first, last = 0, len(lines)
        if k:
            while first < last and _furniture(lines[first]):
                first += 1
        if k + 1 < len(pages):
            while last > first and _furniture(lines[last - 1]):
                last -= 1
        if first < last:
            out.append("\n".join(lines[first:last]))
    return "\n".join(out)


def clean(text: str) -> str:
    """PDF text in the text export's layout: labels on their own lines, no page furniture."""
    text = SHARING_LINES.sub("", text)
    text = _pages(text)
    text = re.sub(
        r"^Digital Archive[ \t]*\n[ \t]*digitalarchive\.wilsoncenter\.org[ \t]*\n"
        r"[ \t]*International History Declassified[ \t]*(?:\n|$)",
        "",
        text,
        flags=re.MULTILINE,
    )
    text = PDF_HEADER.sub("\n", text)
    # A flattened cover block: each label starts a line, its value the next.
    contents = re.search(r"(?<=\S)[ \t]+Contents:[ \t]+(?=\S)", text[:20000])
    limit = contents.end() if contents else 6000
    for label in INLINE_LABELS:
        inline = re.search(rf"(?<=\S)[ \t]+{label}:[ \t]+(?=\S)", text[: limit + 40])
        if inline and not re.search(rf"^{label}:", text[:20000], re.MULTILINE):
            text = f"{text[: inline.start()]}\n{label}:\n{text[inline.end() :]}"
    contents = re.search(r"^Contents:[ \t]*\n", text, re.MULTILINE)
    if contents:
        # Items run into the text ("English Translation Scan of Original Document [Stamp: …").
        pos = contents.end()
        items = []
        while True:
            item = CONTENTS_ITEM.match(text, pos)
            if not item:
                break
            items.append(item.group())
            pos = item.end()
            while pos < len(text) and text[pos] in " \t":
                pos += 1
        if items and pos < len(text) and text[pos] != "\n":
            text = text[: contents.end()] + "\n".join(items) + "\n" + text[pos:]
    return dehyphenate(text)


# --- OCR copies on document-sharing sites -------------------------------------------

SHARE_MARKS = (re.compile(r"^Upload:\s*\S", re.M), re.compile(r"^Page 1:", re.M))
SHARE_PAGE = re.compile(r"^Page \d+:[ \t]*", re.M)


def is_share(text: str) -> bool:
    head = text[:20000]
    return all(mark.search(head) for mark in SHARE_MARKS)


def _debris(line: str) -> bool:
    """OCR debris or a watermark: few letters, or the archive's address among them."""
    return PDF_HOST in line or re.search(r"[^\W_]{2}", line) is None


def parse_share(text: str) -> list[ParsedDocument]:
    """An OCR copy on a sharing site: the page text, without the site's title and debris."""
    first = SHARE_PAGE.search(text)
    kept: list[str] = []
    for line in text[first.start() :].split("\n"):
        page = SHARE_PAGE.match(line)
        if page:
            line = line[page.end() :]
        if line.strip() and _debris(line):
            continue
        kept.append(line.rstrip())
    body = "\n".join(kept).strip("\n")
    record = Record()
    record.problems.append(
        "a sharing site's OCR copy: no title, citation or record id survives (the site's "
        "title is OCR debris); give the title"
    )
    languages(record, body)
    when = find_document_date(body)
    if when:
        record.set_date(when, INFERRED)
        record.problems.append(f"the date was taken from the text ({when.as_written!r}): check it")
    else:
        record.problems.append("no date found")
    return [document("wilson-pdf", record, body, line_of(text, first.end()), text)]


# --- the CWIHP Bulletin ---------------------------------------------------------------

HEADING = re.compile(
    r"^(?P<number>\d{1,3})\.[ \t]+(?P<date>[^,\n]{4,40}?\d{4}\]?)[ \t]*,[ \t]*(?P<rest>\S.*)$",
    re.MULTILINE,
)
RUNNING_HEAD = re.compile(
    r"^[ \t]*(?:\d+[ \t]+)?COLD WAR INTERNATIONAL HISTORY PROJECT BULLETIN(?:[ \t]+\d+)?[ \t]*\n",
    re.MULTILINE | re.IGNORECASE,
)
SITE_LINE = re.compile(r"^\[[^\]\n]*\bPDF\b[^\]\n]*\][ \t]*$", re.IGNORECASE)
SOURCE = re.compile(r"[\[(]\s*Source:\s*(?P<source>[^\])]*)[\])]", re.IGNORECASE)
SMALL_END = re.compile(r"(?:,|\b(?:to|from|of|and|for|with|by|on|in|the))$")


def _headings(text: str) -> list[re.Match]:
    return [m for m in HEADING.finditer(text) if parse_document_date(m.group("date"))]


def is_bulletin(text: str) -> bool:
    """Documents as the CWIHP Bulletin prints them: the first line a numbered heading, or
    (a copy that begins inside the previous document) headings, sources and page heads."""
    for line in text.lstrip()[:2000].split("\n"):
        line = line.strip()
        if not line or SITE_LINE.match(line) or RUNNING_HEAD.match(line + "\n"):
            continue
        heading = HEADING.match(line)
        if heading and parse_document_date(heading.group("date")):
            return True
        break
    head = text[:30000]
    return bool(RUNNING_HEAD.search(head) and SOURCE.search(head) and _headings(head))


def parse_bulletin(text: str) -> list[ParsedDocument]:
    """Each numbered document of a Bulletin text; a last one cut off by the copy is noted."""
    text = dehyphenate(RUNNING_HEAD.sub("", text))
    headings = _headings(text)
    documents: list[ParsedDocument] = []
    before = text[: headings[0].start()] if headings else ""
    before = "\n".join(
        x for x in before.split("\n") if x.strip() and not SITE_LINE.match(x.strip())
    )
    for k, heading in enumerate(headings):
        end = headings[k + 1].start() if k + 1 < len(headings) else len(text)
        # The heading goes on while its lines run on (a lower-case start, a trailing "to").
        title_end = heading.end()
        while True:
            following = text.find("\n", title_end + 1)
            following = end if following < 0 or following > end else following
            line = text[title_end + 1 : following].strip()
            so_far = text[heading.start() : title_end].rstrip()
            if not line or not (line[:1].islower() or SMALL_END.search(so_far)):
                break
            title_end = following
        segment = text[heading.start() : end]
        title = " ".join(text[heading.start("rest") : title_end].split())
        source = SOURCE.search(text, title_end, end)
        body = text[title_end : source.start() if source else end]
        if k + 1 == len(headings) and k and not source and len(body.strip()) < 200:
            documents[-1].problems.append(
                f"the copy goes on with the start of another document "
                f"({' '.join(segment.split())[:80]!r}), which was not imported"
            )
            break
        record = Record()
        record.set("title", title)
        record.set_date(parse_document_date(heading.group("date")))
        if source:
            read_reference(record, source.group("source"))
        else:
            record.problems.append("no source line ('[Source: …]') after the text")
        languages(record, body)
        if not k and before.strip():
            record.problems.append(
                f"the copy begins with the end of another document ({before.strip()[:60]!r}…), "
                "which was not imported"
            )
        first_line = line_of(text, title_end) + 1
        documents.append(document("wilson-pdf", record, body.strip("\n"), first_line, segment))
    return documents
