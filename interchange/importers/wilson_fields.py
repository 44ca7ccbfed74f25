"""The catalogue fields of a Wilson Center record, wherever a layout puts them.

Every Wilson layout (docs/layouts.md) carries the same facts in different
places: the citation (``"Title", date, … Digital Archive, APRF, f. 45, …``),
a source paragraph (``AP RF, f. 45, op. 1, d. 336, ll. 51-52. Translated by
…``), a record id or a ``/document/NNNNNN`` address, language labels. The
readers here turn each into fields, and :func:`document` turns a
:class:`Record` and its text into a :class:`ParsedDocument`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interchange.importers.dates import DocumentDate, parse_document_date
from interchange.importers.parsed import INFERRED, PARSED, ParsedDocument
from interchange.importers.structure import parse_body

CANONICAL_URL = "https://digitalarchive.wilsoncenter.org/document/{}"
# Archives the Wilson Center cites by their Russian, Chinese or other abbreviation.
ARCHIVES = {
    "APRF": "Archive of the President of the Russian Federation",
    "AP RF": "Archive of the President of the Russian Federation",
    "AVPRF": "Archive of Foreign Policy of the Russian Federation",
    "AVP RF": "Archive of Foreign Policy of the Russian Federation",
    "RGASPI": "Russian State Archive of Socio-Political History",
    "RGANI": "Russian State Archive of Contemporary History",
    "GARF": "State Archive of the Russian Federation",
    "TsAMO": "Central Archive of the Ministry of Defense of the Russian Federation",
    "TsAMO RF": "Central Archive of the Ministry of Defense of the Russian Federation",
    "PRC FMA": "Archives of the Ministry of Foreign Affairs of the People's Republic of China",
}
PUBLISHERS = (
    r"(?:Wilson Center|History and Public Policy Program|Cold War International History Project)"
    r" Digital Archive"
)
URL = re.compile(r"https?://[^\s<>\"']+")
DOCUMENT_PATH = re.compile(r"/(?:document|node)/(?P<id>[\w-]+)")
WILSON_HOSTS = ("wilsoncenter.org", "dvincitest.com", "drivingcreative.com")

LANGUAGES = {
    "Latin": {
        "English",
        "German",
        "French",
        "Spanish",
        "Italian",
        "Portuguese",
        "Polish",
        "Czech",
        "Slovak",
        "Hungarian",
        "Romanian",
        "Albanian",
        "Croatian",
        "Slovenian",
        "Lithuanian",
        "Latvian",
        "Estonian",
        "Finnish",
        "Swedish",
        "Norwegian",
        "Danish",
        "Dutch",
        "Vietnamese",
        "Turkish",
    },
    "Cyrillic": {"Russian", "Ukrainian", "Belarusian", "Bulgarian", "Serbian", "Mongolian"},
    "Han": {"Chinese", "Japanese"},
    "Kana": {"Japanese"},
    "Hangul": {"Korean"},
}
DEFAULT_LANGUAGE = {
    "Latin": "English",
    "Cyrillic": "Russian",
    "Han": "Chinese",
    "Kana": "Japanese",
    "Hangul": "Korean",
}
LANGUAGE_NAMES = set().union(*LANGUAGES.values())
SCRIPTS = {
    "Latin": re.compile(r"[A-Za-z\u00c0-\u024f]"),
    "Cyrillic": re.compile(r"[\u0400-\u04ff]"),
    "Han": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"),
    "Kana": re.compile(r"[\u3040-\u30ff]"),
    "Hangul": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"),
}
# "the Russian original", "translated from the Russian", "Original in Chinese"
STATED_ORIGINAL = re.compile(
    r"\b(?:(?:the\s+)?(?P<a>[A-Z][a-z]+)(?:-language)?\s+original\b"
    r"|translated\s+from\s+(?:the\s+)?(?P<b>[A-Z][a-z]+)\b"
    r"|original\s+(?:is\s+|was\s+)?in\s+(?P<c>[A-Z][a-z]+)\b)"
)

# Sentences after the archival reference: "Translated by …", "Obtained by …",
# "Translated for CWIHP by …", "Obtained and translated by …".
AFTER_REFERENCE = re.compile(
    r"\.\s+(?=[A-Z][a-z]+(?:\s+(?:and|for)\s+\S+)?\s+(?:by|from|in|at|for|with|courtesy)\b)"
)
TRANSLATOR = re.compile(
    r"\btranslated(?:\s+and\s+\w+)?(?:\s+for\s+\S+)?\s+by\s+(?P<name>(?:[A-Z]\.\s?|[^.;])+)",
    re.IGNORECASE,
)
# The lengths of Cable's text fields: what a layout gives longer (a label's value
# run into the text, a header line without its line break) is cut to fit.
LENGTHS = {
    "title": 300,
    "date_as_written": 120,
    "record_id": 60,
    "signature": 300,
    "translator": 300,
    "archive": 200,
    "archive_name": 300,
    "original_language": 60,
    "text_language": 60,
    "contents_label": 120,
    "directorate": 300,
    "document_type": 60,
    "cable_number": 40,
    "origin": 120,
    "received_as_written": 120,
    "copy_distribution": 300,
    "copy_number": 40,
    "incoming_number": 120,
    "series": 40,
    "precedence": 40,
    "sender_number": 40,
    "sender_dated": 60,
    "handling_number": 40,
    "copies_note": 300,
}
FOND_WORDS = {"F", "Fond", "Op", "Opis", "D", "Delo", "P", "Papka", "L", "Ll", "List", "Listy"}


@dataclass
class Record:
    """The fields of one record, how each was found, and what could not be placed."""

    fields: dict = field(default_factory=dict)
    found: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def set(self, name: str, value, how: str = PARSED) -> None:
        if value not in (None, ""):
            self.fields[name] = value
            if how != PARSED:
                self.found[name] = how
            else:
                self.found.pop(name, None)

    def setdefault(self, name: str, value, how: str = PARSED) -> None:
        if self.fields.get(name) in (None, ""):
            self.set(name, value, how)

    def set_date(self, when: DocumentDate, how: str = PARSED) -> None:
        self.fields["date"] = when.date
        self.fields["date_to"] = when.date_to
        if not when.is_day:
            self.fields["date_as_written"] = when.as_written
        if how != PARSED:
            self.found["date"] = how

    @property
    def dated(self) -> bool:
        return self.fields.get("date") is not None or self.fields.get("date_to") is not None


# --- the citation -------------------------------------------------------------


@dataclass
class Citation:
    title: str = ""
    date: DocumentDate | None = None
    reference: str = ""  # what follows the publisher: archive, signature, translator, URL


CITATION = re.compile(
    rf'^"(?P<title>[^"]+?),?"\s*,?\s*(?:(?P<date>[^"]*?),\s*)?(?P<publisher>{PUBLISHERS})'
    r"\s*[,.]?\s*(?P<rest>.*)$",
    re.DOTALL,
)
QUOTED_TITLE = re.compile(r'^"(?P<title>.+?),?"(?=\s*,|\s*$)', re.DOTALL)


def read_citation(text: str) -> Citation:
    """The parts of a Wilson citation (``"Title," date, … Digital Archive, …``)."""
    text = " ".join(text.split())
    match = CITATION.match(text)
    if match:
        date = parse_document_date(match.group("date") or "")
        return Citation(match.group("title").strip(), date, match.group("rest"))
    quoted = QUOTED_TITLE.match(text)
    return Citation(quoted.group("title").strip() if quoted else "")


# --- the archival reference ----------------------------------------------------


def split_reference(text: str) -> tuple[str, list[str]]:
    """An archival reference and the sentences after it (``Translated by …``), URLs gone."""
    text = " ".join(URL.sub(" ", text).split())
    parts = AFTER_REFERENCE.split(text)
    return parts[0].strip().rstrip(".").strip(), [p.strip() for p in parts[1:]]


def archive_of(reference: str) -> tuple[str, str]:
    """(abbreviation, name) of the first archive a reference names, as written.

    ``AP RF, f. 45, …`` -> ("AP RF", …); ``AVPRF F. 0102, …`` -> ("AVPRF", …);
    ``Archive of the President of the Russian Federation (APRF), Fond 45`` ->
    ("APRF", "Archive of the President of the Russian Federation").
    """
    first = re.split(r"[,;]", reference, maxsplit=1)[0].strip()
    bracket = re.search(r"\(([A-Z][\w ]*[A-Z])\)", first)
    if bracket:
        name = first[: bracket.start()].strip(" ,")
        return bracket.group(1), name or ARCHIVES.get(bracket.group(1), "")
    words = []
    for word in first.split():
        if word.rstrip(".") in FOND_WORDS:
            break
        if not re.fullmatch(r"[A-Z][A-Za-z-]*", word) or sum(c.isupper() for c in word) < 2:
            break
        words.append(word)
    if words:
        abbreviation = " ".join(words)
        return abbreviation, ARCHIVES.get(abbreviation, "")
    if first and not re.search(r"\d", first) and re.search(r"\b(?:Archives?|Library)\b", first):
        return "", first
    return "", ""


def read_reference(record: Record, text: str, how: str = PARSED) -> None:
    """Archive, signature and translator from a source paragraph or a citation's tail."""
    reference, sentences = split_reference(text)
    archive, name = archive_of(reference)
    record.setdefault("archive", archive, how)
    record.setdefault("archive_name", name, how)
    if re.search(r"\d", reference) and (archive or name):
        record.setdefault("signature", reference[:300], how)
    for sentence in sentences:
        translator = TRANSLATOR.search(sentence)
        if translator:
            record.setdefault("translator", translator.group("name").strip(" .")[:300], how)


def read_citation_fields(record: Record, citation_text: str) -> Citation:
    """Everything a citation gives: its text, archive, signature, translator, address."""
    record.setdefault("citation", " ".join(citation_text.split()))
    citation = read_citation(citation_text)
    if citation.reference:
        read_reference(record, citation.reference)
    read_addresses(record, citation_text)
    return citation


# --- addresses and record ids ---------------------------------------------------


def read_addresses(record: Record, text: str) -> None:
    """Record id, source address and canonical address from the URLs in ``text``."""
    found = []
    for match in URL.finditer(text):
        url = match.group().rstrip(".,;:)]")
        path = DOCUMENT_PATH.search(url)
        if path and any(host in url for host in WILSON_HOSTS):
            found.append((url, path))
    if not found:
        return
    # Where the text came from: a mirror or staging host before the archive's own.
    url, path = min(found, key=lambda f: "digitalarchive.wilsoncenter.org" in f[0])
    record.setdefault("source_url", url[:500])
    for url, path in found:
        if "/document/" in url and path.group("id").isdigit():
            record.setdefault("record_id", path.group("id"), INFERRED)
            break
    canonical_address(record)


def canonical_address(record: Record) -> None:
    record_id = record.fields.get("record_id", "")
    if record_id.isdigit() and not record.fields.get("canonical_url"):
        url = CANONICAL_URL.format(record_id)
        record.set(
            "canonical_url", url, PARSED if record.fields.get("source_url") == url else INFERRED
        )


# --- languages --------------------------------------------------------------------


def script_of(text: str) -> str:
    """The script most of the letters of ``text`` are in ("" for none)."""
    counts = {name: len(pattern.findall(text)) for name, pattern in SCRIPTS.items()}
    if counts["Kana"] and counts["Kana"] * 5 >= counts["Han"]:
        counts["Han"] += counts.pop("Kana")
        script = max(counts, key=counts.get)
        return "Kana" if script == "Han" else script if counts[script] else ""
    counts.pop("Kana")
    script = max(counts, key=counts.get)
    return script if counts[script] else ""


def language_of(text: str, named: list[str] = ()) -> tuple[str, str]:
    """(language, how found) of a text: a named language in its script, else the script's."""
    script = script_of(text)
    for name in named:
        if name in LANGUAGES.get(script, ()):
            return name, PARSED
    return DEFAULT_LANGUAGE.get(script, ""), INFERRED


def stated_original(text: str) -> str:
    """The original language a remark names ("in English translation of the Russian original")."""
    for match in STATED_ORIGINAL.finditer(text):
        name = match.group("a") or match.group("b") or match.group("c")
        if name in LANGUAGE_NAMES:
            return name
    return ""


CONTENTS_LANGUAGE = re.compile(
    r"(?:Translation|Original|Transcript|Transcription)\s*-\s*(?P<a>[A-Z][a-z]+)"
    r"|(?P<b>[A-Z][a-z]+)\s+(?:Translation|Transcription|Transcript)"
)


def languages(record: Record, body: str, contents: list[str] = (), named: list[str] = ()) -> None:
    """The text's language (Contents, a Language block, else its script) and the original's."""
    stated = []
    for item in contents:
        match = CONTENTS_LANGUAGE.search(item)
        if match and (match.group("a") or match.group("b")) in LANGUAGE_NAMES:
            stated.append(match.group("a") or match.group("b"))
    language, how = language_of(body, [*stated, *named])
    record.set("text_language", language, how)
    if not record.fields.get("original_language") and language and language != "English":
        translated = any(re.search(r"Translation|Transcript", item) for item in contents)
        if not translated:
            # A text in the original's language, not a translation into it.
            record.set("original_language", language, INFERRED)


# --- the document ----------------------------------------------------------------


def tidy(body: str) -> str:
    """A copied page's text without trailing spaces on lines and with at most two
    blank lines in a row (browsers add up to five; a passage's tail holds 20 characters)."""
    lines = [line.rstrip() for line in body.split("\n")]
    out: list[str] = []
    blank = 0
    for line in lines:
        blank = blank + 1 if not line else 0
        if blank <= 2:
            out.append(line)
    return "\n".join(out).strip("\n")


def document(
    fmt: str, record: Record, body: str, first_line: int, source_text: str
) -> ParsedDocument:
    """The parsed document: the record's fields and the passages of ``body``."""
    doc = ParsedDocument(
        fmt,
        line=first_line,
        fields=dict(record.fields),
        found=dict(record.found),
        problems=list(record.problems),
        source_text=source_text,
    )
    doc.fields.setdefault("complete", True)
    if not body.strip():
        doc.problems.append("no document text was found in the copy")
        doc.fields["complete"] = False
        return _fitted(doc)
    context = doc.fields.get("date") or doc.fields.get("date_to")
    parsed = parse_body(body, context=context, first_line=first_line)
    for passage in parsed.passages:
        if len(passage.tail) > 20:  # Passage.tail holds the blank lines between passages
            passage.tail = passage.tail[:1] + passage.tail[-19:]
    doc.passages = parsed.passages
    doc.sender, doc.recipient = parsed.sender, parsed.recipient
    doc.handling = parsed.handling
    # The header's document type wins over the page's "Type" block (it says Cable either way).
    doc.fields = {**doc.fields, **parsed.fields}
    if parsed.cut_off:
        doc.fields["complete"] = False
        doc.problems.append(parsed.cut_off)
    return _fitted(doc)


def _fitted(doc: ParsedDocument) -> ParsedDocument:
    for name, length in LENGTHS.items():
        value = doc.fields.get(name)
        if isinstance(value, str) and len(value) > length:
            doc.fields[name] = value[: length - 1].rstrip() + "…"
    for name in ("source_url", "canonical_url"):
        if len(doc.fields.get(name) or "") > 500:
            del doc.fields[name]  # an address cut short is no address
    return doc
