"""Wilson Center Digital Archive documents, in the two layouts editors bring.

The **text export** (``corpus/wilson/117409.txt``)::

    July 11, 1951 Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]
    Citation:  "…", July 11, 1951, Wilson Center Digital Archive, APRF. https://…/document/117409
    Summary:  …
    Credits:  …
    Original Language:  Russian
    Contents:  Translation - English
    <the text>

(each label on its own line, its value in the paragraph after it).

The **copied page**: the date line, the title, the text, the summary, then
"Document Information" and blocks of a label line followed by its value
(Source, Rights, Original Uploaded Date, Type, Language, Record ID, …).

Both end in :func:`interchange.importers.structure.parse_body` for the text.
"""

from __future__ import annotations

import re

from interchange.importers.dates import parse_when
from interchange.importers.parsed import ImportFailure, ParsedDocument
from interchange.importers.structure import line_of, parse_body

EXPORT_LABELS = ["Citation", "Summary", "Credits", "Original Language", "Contents"]
OPTIONAL_LABELS = ["Original Archive", "Subjects Discussed", "Geographic Subjects", "Keywords"]
PAGE_LABELS = [
    "Source",
    "Rights",
    "Original Uploaded Date",
    "Type",
    "Language",
    "Record ID",
    "Original Language",
    "Original Archive",
    "Citation",
    "Credits",
    "Subjects Discussed",
    "Geographic Subjects",
    "Related Documents",
    "Translation",
    "Donors",
    "Summary",
]
# Archives the Wilson Center cites by their Russian, Chinese or other abbreviation.
ARCHIVES = {
    "APRF": "Archive of the President of the Russian Federation",
    "AVPRF": "Archive of Foreign Policy of the Russian Federation",
    "RGASPI": "Russian State Archive of Socio-Political History",
    "RGANI": "Russian State Archive of Contemporary History",
    "TsAMO": "Central Archive of the Ministry of Defense of the Russian Federation",
    "PRC FMA": "Archives of the Ministry of Foreign Affairs of the People's Republic of China",
}
TITLE_DATE = re.compile(
    r"^(?P<date>(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s+\d{1,2},\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4})\s+(?P<title>\S.*)$"
)
DOCUMENT_URL = re.compile(r"https?://\S+/document/(?P<id>[\w-]+)")
CANONICAL_URL = "https://digitalarchive.wilsoncenter.org/document/{}"


def looks_like_export(text: str) -> bool:
    head = text[:20000]
    first = head.strip().split("\n")[0] if head.strip() else ""
    return bool(re.search(r"^Citation:\s*$", head, re.MULTILINE) or TITLE_DATE.match(first))


def looks_like_page(text: str) -> bool:
    return re.search(r"^\s*Document Information\s*$", text, re.MULTILINE) is not None


def parse(text: str) -> list[ParsedDocument]:
    """Every Wilson Center layout: the documents ``text`` holds (one, or two languages)."""
    if looks_like_page(text):
        return [parse_page(text)]
    if looks_like_export(text):
        return [parse_export(text)]
    raise ImportFailure(
        "not a format this importer knows: expected a Wilson Center text export "
        "(with 'Citation:' and 'Contents:'), a copied Wilson Center page (with "
        "'Document Information'), FRUS TEI XML, or a Reading Room JSON export",
        1,
    )


def _catalogue(fields: dict, citation: str) -> None:
    url = DOCUMENT_URL.search(citation)
    if url:
        fields["source_url"] = url.group().rstrip(".,")
        fields["record_id"] = url.group("id")
    if fields.get("record_id", "").isdigit():
        # The archive's own address for the record, whatever host the text came from.
        fields["canonical_url"] = CANONICAL_URL.format(fields["record_id"])
    archive = re.search(r"Wilson Center Digital Archive,\s*(?P<archive>[^.]+?)\.\s", citation)
    if archive and not fields.get("archive"):
        fields["archive"] = archive.group("archive").strip()
    if fields.get("archive") in ARCHIVES and not fields.get("archive_name"):
        fields["archive_name"] = ARCHIVES[fields["archive"]]


def _languages(fields: dict, contents: str) -> None:
    fields["contents_label"] = contents
    language = re.search(r"(?:Translation|Original|Transcript)\s*-\s*(\w+)", contents)
    if language:
        fields["text_language"] = language.group(1)


def parse_export(text: str) -> ParsedDocument:
    """A Wilson Center text export. Raises ``ImportFailure`` with the line at fault."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise ImportFailure("the file is empty", 1)
    title_line = lines[first].strip()
    match = TITLE_DATE.match(title_line)
    if not match:
        raise ImportFailure(
            "the first line should be the document's date and title, e.g. "
            "'July 11, 1951 Cable No. 21680, …'",
            first + 1,
        )
    when = parse_when(match.group("date"))
    fields = {"title": match.group("title").strip(), "date": when.date if when else None}
    if fields["date"] is None:
        raise ImportFailure(f"cannot read the date {match.group('date')!r}", first + 1)

    labels = {label.lower(): label for label in EXPORT_LABELS + OPTIONAL_LABELS}
    values: dict[str, list[str]] = {}
    current = None
    body_line = None
    for i in range(first + 1, len(lines)):
        line = lines[i].strip()
        key = line[:-1].lower() if line.endswith(":") else None
        if key in labels and (current != "contents" or not values.get("contents")):
            current = key
            values[current] = []
            continue
        if current == "contents" and line and values["contents"]:
            body_line = i
            break
        if current and line:
            values[current].append(line)
    missing = [label for label in EXPORT_LABELS if label.lower() not in values]
    if missing:
        raise ImportFailure(
            f"the export has no '{missing[0]}:' section; the file may be truncated", len(lines)
        )
    if body_line is None:
        raise ImportFailure("the export ends after 'Contents:': the text is missing", len(lines))

    value = {key: "\n\n".join(v) for key, v in values.items()}
    fields["citation"] = value["citation"]
    fields["summary"] = value["summary"]
    fields["credits"] = value["credits"]
    fields["original_language"] = value["original language"]
    if value.get("original archive"):
        fields["archive_name"] = value["original archive"]
    _catalogue(fields, fields["citation"])
    _languages(fields, value["contents"])
    offset = sum(len(line) + 1 for line in lines[:body_line])
    return _with_body(ParsedDocument("wilson-export", fields=fields), text[offset:], body_line + 1)


def parse_page(text: str) -> ParsedDocument:
    """Text copied from a Wilson Center document page."""
    info = re.search(r"^\s*Document Information\s*$", text, re.MULTILINE)
    head, tail = text[: info.start()], text[info.end() :]
    lines = head.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if len(nonblank) < 3:
        raise ImportFailure(
            "a copied page needs a date line, a title and the text before 'Document Information'",
            line_of(text, info.start()),
        )
    date_i, title_i = nonblank[0], nonblank[1]
    when = parse_when(lines[date_i].strip())
    if when is None or when.date is None:
        raise ImportFailure(
            f"the first line should be the document's date, e.g. 'July 11, 1951', "
            f"not {lines[date_i].strip()[:60]!r}",
            date_i + 1,
        )
    fields: dict = {"title": lines[title_i].strip(), "date": when.date}

    # The summary is the last paragraph before "Document Information".
    body = "\n".join(lines[title_i + 1 :])
    body_start = _skip_blank(body)
    rest = body.rstrip()
    cut = rest.rfind("\n\n")
    if cut <= body_start:
        raise ImportFailure(
            "a copied page needs the text and then the summary before 'Document Information'",
            line_of(text, info.start()),
        )
    fields["summary"] = rest[cut:].strip()
    text_body = rest[body_start:cut]

    blocks: dict[str, list[str]] = {}
    current = None
    for line in (line.strip() for line in tail.split("\n")):
        if line in PAGE_LABELS:
            current = line
            blocks[current] = []
        elif current and line:
            blocks[current].append(line)
    block = {key: "\n\n".join(v) for key, v in blocks.items()}
    if not block.get("Record ID"):
        raise ImportFailure(
            "the 'Document Information' has no 'Record ID' block; the copy may be incomplete",
            line_of(text, len(text)),
        )
    fields["record_id"] = block["Record ID"].split()[0]
    source = block.get("Source", "")
    abbreviation = re.search(r"\(([A-Z][\w ]*[A-Z])\)", source)
    if abbreviation:
        fields["archive"] = abbreviation.group(1)
        fields["archive_name"] = source[: abbreviation.start()].strip(" ,")
    elif source:
        fields["archive_name"] = source.split("\n")[0][:300]
    for label, name in [
        ("Type", "document_type"),
        ("Original Language", "original_language"),
        ("Credits", "credits"),
        ("Citation", "citation"),
    ]:
        if block.get(label):
            fields[name] = block[label]
    if block.get("Language"):
        fields["text_language"] = block["Language"].split("\n")[0]
    if fields.get("citation"):
        _catalogue(fields, fields["citation"])
    first_line = line_of(text, len("\n".join(lines[: title_i + 1])) + 1 + body_start)
    return _with_body(ParsedDocument("wilson-page", fields=fields), text_body, first_line)


def _skip_blank(text: str) -> int:
    i = 0
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _with_body(doc: ParsedDocument, body: str, first_line: int) -> ParsedDocument:
    parsed = parse_body(body, context=doc.fields["date"], first_line=first_line)
    doc.passages = parsed.passages
    doc.sender, doc.recipient = parsed.sender, parsed.recipient
    doc.handling = parsed.handling
    # The header's document type wins over the page's "Type" block (it says Cable either way).
    doc.fields = {**doc.fields, **parsed.fields}
    return doc
