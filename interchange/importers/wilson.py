"""Wilson Center Digital Archive documents, in every layout editors bring.

docs/layouts.md describes the layouts, studied from real pages; each has a
test document in tests/data/layouts/. :func:`parse` tells them apart:

- **labelled** — the text export (``fixtures/117409.txt``) and the archive's
  PDFs once :func:`wilson_pdf.clean` has put their cover block in the
  export's form: the date and title, then ``Citation:``, ``Summary:``,
  ``Credits:``, ``Original Language:``, ``Contents:`` (each label on its own
  line, its value after it), then the text;
- **page** — a page copied from the browser, of any site design: chrome
  (``Skip to content``, search and share links), the date line, the title
  (or none: the 2013 design has it only in the citation), support lines, the
  text, the summary (after the text, or before it in the old designs), value-
  less link labels and ``Document Information`` (source, rights, uploaded
  date, type, language, record id, donors; labels may be missing, values
  empty). A page may hold the original-language text and its translation one
  after the other: they become two documents;
- **PDF copies** — OCR text on sharing sites and the CWIHP Bulletin
  (:mod:`interchange.importers.wilson_pdf`);
- **loose** — a document republished elsewhere: a title line (often with the
  date), perhaps an editor's signed introduction, the text, a navigation line.

Whatever cannot be placed is returned with ``problems`` (the record becomes
a draft); only what is no document — a search listing, or a text with neither
a date nor a title — is refused. All of them end in
:func:`interchange.importers.structure.parse_body` for the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interchange.importers import wilson_pdf
from interchange.importers.dates import find_document_date, parse_document_date
from interchange.importers.parsed import INFERRED, ImportFailure, ParsedDocument
from interchange.importers.structure import line_of
from interchange.importers.wilson_fields import (
    Record,
    canonical_address,
    document,
    language_of,
    languages,
    read_addresses,
    read_citation_fields,
    read_reference,
    script_of,
    stated_original,
    tidy,
)

# --- labelled blocks (the export, and PDFs in its form) ------------------------------

EXPORT_LABELS = ["Citation", "Summary", "Credits", "Original Language", "Contents"]
OPTIONAL_LABELS = [
    "Original Archive",
    "Subjects Discussed",
    "Geographic Subjects",
    "Keywords",
    "Author(s)",
    "Translator",
    "Record ID",
]
LABEL_LINE = re.compile(
    r"^[ \t]*(?P<label>" + "|".join(re.escape(x) for x in EXPORT_LABELS + OPTIONAL_LABELS) + r")"
    r"[ \t]*:[ \t]*(?P<value>.*)$",
    re.IGNORECASE,
)
CONTENTS_ITEM = re.compile(
    r"(?:(?:[A-Z][a-z]+\s+)?(?:Translation|Transcription|Transcript)(?:\s*-\s*[A-Z][a-z]+)?"
    r"|Original(?:\s*-\s*[A-Z][a-z]+)?(?:\s+Scan)?|Scan\s+of\s+(?:the\s+)?Original(?:\s+Document)?"
    r"|(?:[A-Z][a-z]+\s+)?HTML|(?:[A-Z][a-z]+\s+)?PDF)"
)
# The date and title on one line: "July 11, 1951 Cable No. 21680, …", "June 1951 Note …".
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
DATE_PREFIX = re.compile(
    rf"^(?P<date>{_MONTH}\s+[0-3]?\d,\s+\d{{4}}|[0-3]?\d\s+{_MONTH}\s+\d{{4}}"
    rf"|{_MONTH},?\s+\d{{4}}|\[[^\]]{{4,60}}\]|\d{{4}})\s+(?P<title>\S.*)$"
)


LABEL_LINES = re.compile(LABEL_LINE.pattern, re.IGNORECASE | re.MULTILINE)


def looks_labelled(text: str) -> bool:
    labels = {m.group("label").lower() for m in LABEL_LINES.finditer(text[:30000])}
    return "citation" in labels and bool(labels & {"summary", "contents", "original language"})


def _labelled_lines(text: str):
    for i, line in enumerate(text.split("\n")):
        yield i, line, LABEL_LINE.match(line)


def parse_labelled(text: str, fmt: str, source_text: str) -> list[ParsedDocument]:
    """The export's layout: date and title, labelled blocks, the text after ``Contents:``."""
    lines = text.split("\n")
    record = Record()
    head: list[tuple[int, str]] = []
    blocks: dict[str, list[list[str]]] = {}
    current = None
    body_line = None
    items: list[str] = []  # what Contents lists: "Translation - English", "Original Scan"
    for i, line, label in _labelled_lines(text):
        stripped = line.strip()
        if current == "contents" and stripped and not label:
            if CONTENTS_ITEM.fullmatch(stripped):
                items.append(stripped)
                continue
            body_line = i  # the first line after the items: the document's text
            break
        if label:
            current = label.group("label").lower()
            blocks[current] = [[label.group("value").strip()]]
            continue
        if current is None:
            if stripped:
                head.append((i, stripped))
        elif stripped:
            blocks[current][-1].append(stripped)
        elif blocks[current][-1]:
            blocks[current].append([])
    value = {
        key: "\n\n".join(" ".join(w for w in p if w) for p in paragraphs if any(p))
        for key, paragraphs in blocks.items()
    }

    citation = read_citation_fields(record, value["citation"]) if value.get("citation") else None
    _head_date_and_title(record, head, citation, lines)
    record.set("summary", value.get("summary"))
    record.set("credits", value.get("credits"))
    original = value.get("original language", "").split("\n\n")[0]
    if len(original.split()) <= 3:  # a language's name, not a text run into the block
        record.set("original_language", original)
    if value.get("original archive"):
        read_reference(record, value["original archive"])
    record.set("translator", value.get("translator"))
    if value.get("record id", "").split()[:1] and value["record id"].split()[0].isdigit():
        record.set("record_id", value["record id"].split()[0])
        canonical_address(record)
    if items:
        record.set("contents_label", "\n".join(items)[:120])
    missing = [label for label in EXPORT_LABELS if label.lower() not in blocks]
    if body_line is None:
        record.problems.append(
            "the copy ends before the document's text"
            + (f" (it has no '{missing[0]}:' block)" if missing else "")
        )
        return [document(fmt, record, "", len(lines), source_text)]
    offset = sum(len(line) + 1 for line in lines[:body_line])
    body = text[offset:]
    languages(record, body, items)
    if fmt != "wilson-export":
        body = tidy(body)
    return [document(fmt, record, body, body_line + 1, source_text)]


def _head_date_and_title(record: Record, head, citation, lines) -> None:
    """Date and title from the lines before the first label (the last date-led line wins:
    a sharing site puts its own copy of them above the PDF's)."""
    chosen = None
    for k, (i, line) in enumerate(head):
        prefix = DATE_PREFIX.match(line)
        if prefix and parse_document_date(prefix.group("date")):
            chosen = (parse_document_date(prefix.group("date")), prefix.group("title"), k)
        elif parse_document_date(line):
            # The date alone; the title follows, wrapped over lines up to a blank one.
            title = []
            for j in range(i + 1, len(lines)):
                if not lines[j].strip() or LABEL_LINE.match(lines[j]):
                    break
                title.append(lines[j].strip())
            chosen = (parse_document_date(line), " ".join(title), k)
    if chosen:
        when, title, _ = chosen
        record.set_date(when)
        _title(record, title, citation)
    else:
        # No date before the title: the head is the title (wrapped, in a PDF).
        words = [line for _, line in head[:3]]
        _title(record, " ".join(words) if len(head) <= 3 else head[-1][1], citation)
    _date_fallbacks(record, citation)
    if not record.dated:
        record.problems.append("no date found")
    if not record.fields.get("title"):
        record.problems.append("no title found")


def _title(record: Record, line: str, citation) -> None:
    """The title line, unless the citation has the same title with the site's casing undone,
    or the page has none."""
    cited = citation.title if citation else ""
    line = " ".join(line.split())
    if line and cited and line != cited and line.casefold() == cited.casefold():
        # Upper-cased by a style sheet, or Title Cased: the citation's wording.
        record.set("title", cited[:300], INFERRED)
    elif line and not (line.isupper() and cited):
        record.set("title", line[:300])
    elif cited:
        record.set("title", cited[:300], INFERRED)
    elif line:
        record.set("title", line[:300])


def _date_fallbacks(record: Record, citation) -> None:
    if record.dated:
        return
    if citation and citation.date:
        record.set_date(citation.date, INFERRED)
    elif record.fields.get("title") and (when := find_document_date(record.fields["title"])):
        record.set_date(when, INFERRED)


# --- copied pages --------------------------------------------------------------------

HEAD_CHROME = {
    "skip to content",
    "skip to main content",
    "search in",
    "add search filter cancel search filter",
    "digital archive international history declassified",
    "digital archive",
    "international history declassified",
    "digitalarchive.wilsoncenter.org",
    "wilson center",
    "wilson center digital archive",
    "menu",
    "main menu",
    "open menu",
    "close menu",
    "toggle navigation",
    "search",
    "home",
    "log in",
    "login",
    "sign in",
    "donate",
    "browse",
    "collections",
    "topics",
    "about",
    "explore",
    "contact us",
    "subscribe",
    "documents",
    "document",
    "print",
    "share",
    "email",
    "download",
}
BREADCRUMB = re.compile(r"^(?:Home|Digital Archive)\s*[/›>»|]\s*\S")
SUPPORT_LINE = re.compile(r"^This document was made possible with support from\b", re.I)
LEGACY_MARKS = re.compile(
    r"^(?:•\s*)?(?:citation|get citation|share document|citation share download"
    r"|view document in|•\s*share document)$",
    re.I,
)
TEXT_MARK = re.compile(
    r"^(?:[A-Z][a-z]+|Original)\s+(?:HTML|Transcript|Transcription|Translation|Scan)$"
)
TAIL_LABELS = {
    "author(s):",
    "author(s)",
    "associated people & organizations",
    "associated places",
    "associated topics",
    "subjects discussed",
    "related documents",
    "document information",
}
INFO_LABELS = {
    "source": "Source",
    "rights": "Rights",
    "original uploaded date": "Original Uploaded Date",
    "type": "Type",
    "language": "Language",
    "languages": "Language",
    "record id": "Record ID",
    "original language": "Original Language",
    "original archive": "Original Archive",
    "citation": "Citation",
    "credits": "Credits",
    "translation": "Translator",
    "translator": "Translator",
    "translated by": "Translator",
    "donors": "Donors",
    "donor": "Donors",
    "summary": "Summary",
    "author(s)": "Author(s)",
    "associated people & organizations": "Associated",
    "associated places": "Associated",
    "associated topics": "Associated",
    "subjects discussed": "Associated",
    "geographic subjects": "Associated",
    "related documents": "Associated",
    "keywords": "Associated",
    "document information": "Document Information",
}
RIGHTS = re.compile(
    r"^(?:The History and Public Policy Program welcomes reuse|To enquire about this document|"
    r"The History and Public Policy Program welcomes)",
    re.I,
)
FOOTER = re.compile(
    r"^(?:©|\(c\)\s*\d|copyright\b|one woodrow wilson plaza|1300 pennsylvania avenue|"
    r"privacy policy|terms of use|accessibility|contact us|subscribe|sign up|follow us|"
    r"back to top|return to top|woodrow wilson international center|ronald reagan building|"
    r"washington,? dc 2000|\(202\) 691|wilson center$)",
    re.I,
)
LISTING = re.compile(r"^[ \t]*(?:Results:?|Search results|\d+\s*[-–]\s*\d+\s+of\s+\d+)[ \t]*$")


def looks_like_page(text: str) -> bool:
    head = [line.strip().lower() for line in text[:3000].split("\n")[:12] if line.strip()]
    return bool(
        re.search(r"^[ \t]*Document Information[ \t]*$", text, re.MULTILINE)
        or (head and head[0] in HEAD_CHROME)
        or re.search(r"^[ \t]*(?:•\s*)?get citation[ \t]*$", text[:20000], re.M | re.I)
    )


def _chrome(line: str) -> bool:
    low = line.lower()
    return low in HEAD_CHROME or BREADCRUMB.match(line) is not None


def _menu(line: str) -> bool:
    """A line that could be a menu entry: a few words, no figures, no full stop."""
    return len(line.split()) <= 4 and not re.search(r"[\d.!?]", line)


def _sentence(line: str) -> bool:
    """A line that reads as a summary sentence, not a title."""
    return line.endswith((".", "!", "?")) and len(line.split()) >= 8


@dataclass
class Region:
    """Where a page's text runs (line indices, end exclusive)."""

    start: int
    end: int


def parse_page(text: str) -> list[ParsedDocument]:
    """A page copied from the archive's site (any design), or from its staging mirrors."""
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    n = len(lines)
    record = Record()
    nonblank = [i for i in range(n) if stripped[i] and not _chrome(stripped[i])]
    if not nonblank:
        raise ImportFailure("the page holds nothing but the site's menus", 1)

    # The date line: the first line, or later when a neighbour's summary or a few menu
    # entries the chrome list does not know come first.
    date_i = title_i = None
    for n_seen, k in enumerate(nonblank[:5]):
        when = parse_document_date(stripped[k])
        following = nonblank[n_seen + 1] if n_seen + 1 < len(nonblank) else None
        if when and n_seen and following is not None and _sentence(stripped[following]):
            break  # a date line inside an undated document's text, not the page's
        if when:
            date_i = k
            record.set_date(when)
            break
        if not (_sentence(stripped[k]) and n_seen == 0 or _menu(stripped[k])):
            break
    after_date = nonblank.index(date_i) + 1 if date_i is not None else 0
    candidates = nonblank[after_date:]
    if candidates:
        line = stripped[candidates[0]]
        if not (
            SUPPORT_LINE.match(line) or LEGACY_MARKS.match(line) or line.lower() in TAIL_LABELS
        ):
            title_i = candidates[0]
    cursor = (title_i if title_i is not None else date_i if date_i is not None else -1) + 1

    # Support lines and the old designs' citation block, up to the text.
    summary = citation_text = ""
    legacy = False
    i = cursor
    while i < n:
        line = stripped[i]
        if not line or _chrome(line):
            i += 1
            continue
        if SUPPORT_LINE.match(line):
            record.setdefault("credits", line)
        elif LEGACY_MARKS.match(line):
            legacy = True
            if line.lower().endswith("get citation"):
                block = []
                j = i + 1
                while j < n and not LEGACY_MARKS.match(stripped[j]):
                    if stripped[j]:
                        block.append(stripped[j])
                    j += 1
                cited = [k for k, b in enumerate(block) if b.startswith('"')]
                if cited:
                    summary = " ".join(block[: cited[0]])
                    citation_text = " ".join(block[cited[0] :])
                else:
                    summary = " ".join(block)
                i = j
                continue
        elif legacy and (re.fullmatch(r"https?://\S+", line) or TEXT_MARK.match(line)):
            pass
        else:
            break
        i += 1
    region = Region(i, n)

    # The end of the text: the first label of the page's foot, or "###".
    tail = next((k for k in range(region.start, n) if stripped[k].lower() in TAIL_LABELS), None)
    if tail is not None:
        region.end = tail
    rights = None
    if tail is None:
        rights = next((k for k in range(region.start, n) if RIGHTS.match(stripped[k])), None)
        if rights is not None:
            region.end = rights
    while region.end > region.start and (
        not stripped[region.end - 1] or FOOTER.match(stripped[region.end - 1])
    ):
        region.end -= 1
    hashes = next((k for k in range(region.start, region.end) if stripped[k] == "###"), None)
    if hashes is not None:
        after = [stripped[k] for k in range(hashes + 1, region.end) if stripped[k]]
        summary = summary or " ".join(after)
        region.end = hashes
    elif not summary and (tail is not None or rights is not None):
        region.end = _summary_start(stripped, region)
        summary = " ".join(" ".join(stripped[region.end : tail or rights]).split())
    while region.end > region.start and not stripped[region.end - 1]:
        region.end -= 1

    info = _info(stripped, tail if tail is not None else rights)
    citation = None
    if citation_text:
        citation = read_citation_fields(record, citation_text)
    elif info.get("Citation"):
        citation = read_citation_fields(record, info["Citation"])
    _title(record, stripped[title_i] if title_i is not None else "", citation)
    _date_fallbacks(record, citation)
    record.set("summary", summary)
    # Addresses from the head (a share link) and the foot, not from the text or the
    # related documents, which name other records.
    named = [v for k, v in info.items() if k != "Associated"]
    _page_info(record, info, "\n".join([*stripped[: region.start], *named]))
    _complete(record, stripped, info)
    if title_i is None and date_i is None:
        record.problems.append("the text could not be told from the page around it: no date line")
    if not record.dated:
        record.problems.append("no date found")
    if not record.fields.get("title"):
        record.problems.append("no title found")

    offsets = _offsets(lines)
    body_start = line_of(text, offsets[region.start]) if region.start < n else n
    parts = _language_parts(stripped, region)
    named = info.get("Language", "").split("\n") if info.get("Language") else []
    if len(parts) == 2:
        return _two_languages(record, lines, offsets, parts, named, text)
    body = tidy("\n".join(lines[region.start : region.end]))
    languages(record, body, named=named)
    if not record.fields.get("original_language"):
        stated = stated_original(" ".join(stripped[: region.start]) + " " + summary)
        record.set("original_language", stated, INFERRED)
    return [document("wilson-page", record, body, body_start, text)]


def _offsets(lines: list[str]) -> list[int]:
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    return offsets


def _summary_start(stripped: list[str], region: Region) -> int:
    """Where the summary begins: its paragraph is the last before the page's foot (the
    last line, in a copy without blank lines)."""
    end = region.end
    if end - region.start < 2:
        return end
    blanks = [k for k in range(region.start, end) if not stripped[k]]
    if not blanks:
        return end - 1
    return blanks[-1] + 1


def _info(stripped: list[str], start: int | None) -> dict[str, str]:
    """The blocks of a page's foot ("Document Information" and around it), by label."""
    if start is None:
        return {}
    blocks: dict[str, list[str]] = {}
    current = None
    seen_rights = False
    for line in stripped[start:]:
        if not line or FOOTER.match(line) or _chrome(line):
            continue
        label = INFO_LABELS.get(line.lower().rstrip(":"))
        inline = re.match(
            r"^(Record ID|Original Uploaded Date|Type|Language|Source):\s*(\S.*)$", line
        )
        if label:
            current = label
            blocks.setdefault(current, [])
            continue
        if inline:
            current = INFO_LABELS[inline.group(1).lower()]
            line = inline.group(2)
        elif RIGHTS.match(line):
            current, seen_rights = "Rights", True
        elif current == "Document Information":
            current = "Rights" if seen_rights else "Source"
        elif current == "Record ID" and blocks.get("Record ID"):
            current = "Donors"
        elif current is None:
            continue
        blocks.setdefault(current, []).append(line)
        if current == "Rights":
            seen_rights = True
    return {key: "\n".join(value) for key, value in blocks.items()}


def _page_info(record: Record, info: dict[str, str], addresses: str) -> None:
    if info.get("Source"):
        read_reference(record, info["Source"])
    record_id = info.get("Record ID", "").split()[:1]
    if record_id and record_id[0].isdigit():
        record.set("record_id", record_id[0])
    if info.get("Type"):
        record.set("document_type", info["Type"].split("\n")[0][:60])
    if info.get("Original Language"):
        record.set("original_language", info["Original Language"].split("\n")[0][:60])
    if info.get("Original Archive"):
        read_reference(record, info["Original Archive"])
    if info.get("Translator"):
        record.setdefault("translator", info["Translator"].split("\n")[0][:300])
    if info.get("Credits"):
        record.setdefault("credits", info["Credits"])
    if info.get("Donors"):
        record.setdefault("credits", info["Donors"].replace("\n", "; ")[:1000])
    read_addresses(record, addresses)
    canonical_address(record)


def _complete(record: Record, stripped: list[str], info: dict[str, str]) -> None:
    """A copy of the current design (and its mirrors), whose foot always ends with the
    Record ID, was cut off when it stops before it; the old designs have no such foot."""
    current = "Document Information" in info or any(
        s.lower() == "skip to content" for s in stripped[:5]
    )
    if not current:
        return
    last = next((s for s in reversed(stripped) if s), "")
    if "Document Information" not in info:
        record.fields["complete"] = False
        record.problems.append(
            "the copy stops before the page's 'Document Information': it was cut off partway"
        )
    elif "Record ID" not in info:
        record.fields["complete"] = False
        where = f" (it ends {last[-30:]!r})" if last else ""
        record.problems.append(
            f"the copy stops before the page's Record ID{where}: it was cut off partway"
        )
    elif not info["Record ID"] and last.lower().rstrip(":") == "record id":
        record.fields["complete"] = False
        record.problems.append(
            "the copy ends at the 'Record ID' label without the id: it may have been cut off"
        )


# --- two languages on one page ---------------------------------------------------------


def _line_script(line: str) -> tuple[str, int]:
    letters = sum(c.isalpha() for c in line)
    return (script_of(line) if letters else ""), letters


def _language_parts(stripped: list[str], region: Region) -> list[tuple[int, int, str]]:
    """The page text as one part, or as two in different scripts (the original-language
    transcription and the translation), each (start, end, script), end exclusive."""
    runs: list[list] = []  # [script, first line, last line, letters]
    for k in range(region.start, region.end):
        script, letters = _line_script(stripped[k])
        if not script:
            continue
        if runs and runs[-1][0] == script:
            runs[-1][2], runs[-1][3] = k, runs[-1][3] + letters
        else:
            runs.append([script, k, k, letters])
    total = sum(r[3] for r in runs) or 1
    # A short stretch in another script (a stamp, a name) does not make a second text.
    merged: list[list] = []
    for run in runs:
        if run[3] < 40 and run[3] < total * 0.05 and merged or merged and merged[-1][0] == run[0]:
            merged[-1][2], merged[-1][3] = run[2], merged[-1][3] + run[3]
        else:
            merged.append(run)
    if len(merged) != 2 or min(r[3] for r in merged) < 40:
        return [(region.start, region.end, merged[0][0] if merged else "")]
    # Each part runs from its first line to its last in its script: the marks that
    # bound the parts on the page ("[…]" … "[…]", then "[...]" … "[...]") are left out.
    return [(run[1], run[2] + 1, run[0]) for run in merged]


def _two_languages(record, lines, offsets, parts, named, text) -> list[ParsedDocument]:
    """The original-language text and its translation: two documents of one record."""
    documents = []
    languages = []
    for start, end, _script in parts:
        body = tidy("\n".join(lines[start:end]))
        language, how = language_of(body, named)
        languages.append((language, how, body, start))
    original = next((k for k, lang in enumerate(languages) if lang[0] != "English"), 0)
    for k, (language, how, body, start) in enumerate(languages):
        part = Record(dict(record.fields), dict(record.found), list(record.problems))
        part.set("text_language", language, how)
        if not part.fields.get("original_language"):
            part.set("original_language", languages[original][0], INFERRED)
        # One record, two texts: both keep the record id; the writer tells them
        # apart by their language (writer.find_existing).
        doc = document("wilson-page", part, body, line_of(text, offsets[start]), text)
        if k != original:
            doc.translation_of = original
        documents.append(doc)
    return documents


# --- documents republished elsewhere ---------------------------------------------------

KIND_WORDS = re.compile(
    r"\b(?:record|memorandum|memo|telegram|cable|letter|conversation|notes?|report|minutes"
    r"|journal|diary|decree|resolution|instructions?|message|statement|speech|protocol"
    r"|agreement|transcript|directive|draft|order|communiqu[eé]|declaration|dispatch|despatch"
    r"|excerpt|extract|proposal|reply|answer|request|treaty|talks?|meeting|interview|appeal"
    r"|circular|information|summary|briefing|remarks|comments|toast|address|decision)\b",
    re.IGNORECASE,
)
EDITOR_SIGNATURE = re.compile(
    r"^(?:[-—–]\s*)?(?:[A-Z]\.\s?){1,3}\s?[A-Z][a-z'’-]+\.?$|^(?:[-—–]\s*)[A-Z][\w.' -]{2,40}$"
)
NAVIGATION = re.compile(
    r"^(?:click here|return to|back to|go to|go back|home$|top$|next$|previous$|index$)", re.I
)


def _title_like(line: str) -> bool:
    return (
        bool(line)
        and (line[0].isupper() or line[0].isdigit() or line[0] in "\"'[(")
        and len(line) <= 300
        and len(line.split()) <= 40
        and not line.endswith(".")
        and (KIND_WORDS.search(line) is not None or find_document_date(line) is not None)
    )


def parse_loose(text: str) -> list[ParsedDocument]:
    """A document without the archive's layout: a title line, perhaps an introduction
    signed by the editor of the site, the text, the site's navigation line."""
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    nonblank = [i for i, s in enumerate(stripped) if s]
    record = Record()
    start = 0
    if nonblank and _title_like(stripped[nonblank[0]]) and len(nonblank) > 1:
        record.set("title", stripped[nonblank[0]])
        start = nonblank[0] + 1
        when = find_document_date(stripped[nonblank[0]])
        whole = parse_document_date(stripped[nonblank[0]])
        if whole:
            record.set_date(whole)
            record.fields.pop("title", None)
        elif when:
            record.set_date(when, INFERRED)
    # An introduction signed by the site's editor ("R. Mehta.") is not the document.
    paragraphs = _paragraphs(stripped, start)
    intro_end = None
    for k, (first, last) in enumerate(paragraphs[:5]):
        if first == last and EDITOR_SIGNATURE.match(stripped[first]) and k:
            if all(len(" ".join(stripped[a : b + 1]).split()) >= 15 for a, b in paragraphs[:k]):
                intro_end = last + 1
            break
    intro = ""
    if intro_end is not None:
        intro = " ".join(stripped[start:intro_end])
        record.problems.append(
            f"an introduction by the site's editor (lines {paragraphs[0][0] + 1}–{intro_end}) "
            "was set aside: it is not the document's text"
        )
        start = intro_end
    end = len(lines)
    while end > start and (not stripped[end - 1] or NAVIGATION.match(stripped[end - 1])):
        end -= 1
    body = tidy("\n".join(lines[start:end]))
    if not record.dated:
        when = find_document_date(body)
        if when:
            record.set_date(when, INFERRED)
            record.problems.append(f"the date was taken from the text ({when.as_written!r})")
    if not record.fields.get("title") and not record.dated:
        raise ImportFailure(
            "not a format this importer knows: neither a date nor a title anywhere, so not a "
            "document (expected a Wilson Center export or page, FRUS TEI or a FRUS page, or a "
            "Reading Room JSON export)",
            (nonblank[0] + 1) if nonblank else 1,
        )
    if not record.fields.get("title"):
        record.problems.append("no title found")
    if not record.dated:
        record.problems.append("no date found")
    read_addresses(record, text)
    languages(record, body)
    if not record.fields.get("original_language"):
        record.set("original_language", stated_original(intro), INFERRED)
    first_line = line_of(text, sum(len(x) + 1 for x in lines[:start])) if start < len(lines) else 1
    return [document("wilson-page", record, body, first_line, text)]


def _paragraphs(stripped: list[str], start: int) -> list[tuple[int, int]]:
    out, first = [], None
    for k in range(start, len(stripped)):
        if stripped[k] and first is None:
            first = k
        elif not stripped[k] and first is not None:
            out.append((first, k - 1))
            first = None
        if len(out) > 6:
            break
    if first is not None and len(out) <= 6:
        out.append((first, len(stripped) - 1))
    return out


# --- the entry -------------------------------------------------------------------------


def _listing(text: str) -> int | None:
    """The line of a search listing's "Results:" or "1 - 10 of 42" (not one document)."""
    for i, line in enumerate(text[:5000].split("\n")[:20]):
        if LISTING.match(line):
            return i + 1
    return None


def parse(text: str) -> list[ParsedDocument]:
    """Every Wilson Center layout: the documents ``text`` holds (one, or two languages)."""
    listing = _listing(text)
    if listing:
        raise ImportFailure(
            "a list of many documents (search results), not one document: open each "
            "document's page and import it",
            listing,
        )
    if wilson_pdf.is_bulletin(text):
        return wilson_pdf.parse_bulletin(text)
    if wilson_pdf.is_share(text):
        return wilson_pdf.parse_share(text)
    if wilson_pdf.is_pdf(text):
        cleaned = wilson_pdf.clean(text)
        if looks_labelled(cleaned):
            return parse_labelled(cleaned, "wilson-pdf", text)
    if looks_labelled(text):
        return parse_labelled(text, "wilson-export", text)
    if looks_like_page(text):
        return parse_page(text)
    return parse_loose(text)
