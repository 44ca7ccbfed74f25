"""Citations of a cable and of each telegram: Chicago, RIS, BibTeX, COinS, Highwire.

No queries: each reads the cable's sender and recipient and, for a telegram,
its prefetched author and recipients.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode, urlsplit

from cables.models import Cable, Participant
from interchange import exchange
from telegrams.models import Telegram

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

# The digital archive that publishes a record, by the host of its source address.
# (The model has no field for it; see the issue note.)
PUBLISHERS = {
    "wilsoncenter.org": "Wilson Center Digital Archive",
    "drivingcreative.com": "Wilson Center Digital Archive",
    "history.state.gov": "Office of the Historian, U.S. Department of State",
}
LANGUAGES = {
    "english": "en",
    "russian": "ru",
    "chinese": "zh",
    "korean": "ko",
    "french": "fr",
    "german": "de",
    "japanese": "ja",
}


def long_date(day: dt.date | None) -> str:
    """11 July 1951."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else ""


def us_date(day: dt.date | None) -> str:
    """July 11, 1951 (the Wilson Center's form); '' for no date."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}" if day else ""


def cited_date(cable: Cable) -> str:
    """The date as a citation gives it: a day, an approximate date as written, or n.d."""
    if cable.date is None:
        return cable.date_as_written or "n.d."
    if cable.date_to is None:
        return long_date(cable.date)
    return cable.date_as_written or f"{long_date(cable.date)}–{long_date(cable.date_to)}"


def cited_year(cable: Cable) -> int | None:
    """The year, when the date (exact or approximate) falls within one."""
    if cable.date is None or (cable.date_to and cable.date_to.year != cable.date.year):
        return None
    return cable.date.year


def address(cable: Cable) -> str:
    """The address to cite: the archive's own for the record, else where the text came from."""
    return cable.canonical_url or cable.source_url


def publisher(cable: Cable) -> str:
    """The digital archive that publishes the record (from its address), or ''."""
    host = (urlsplit(address(cable)).hostname or "").lower()
    for domain, name in PUBLISHERS.items():
        if host == domain or host.endswith("." + domain):
            return name
    return host


def language_code(name: str) -> str:
    return LANGUAGES.get(name.strip().lower(), "und") if name else "und"


def _names(people) -> str:
    names = [p.name for p in people]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def telegrams_of(cable: Cable) -> list[Telegram]:
    """The cable's telegrams in order (uses prefetched passages and telegrams)."""
    result = []
    for passage in cable.passages.all():
        telegram = exchange.telegram_of(passage)
        if telegram is not None:
            result.append(telegram)
    return result


# Citations --------------------------------------------------------------------


def chicago(cable: Cable, *, final: str = ".") -> str:
    """A Chicago-style note citation of the cable (no queries beyond sender/recipient).

    Mao Zedong to Joseph Stalin, cable no. 21680, 11 July 1951, “Cable No. 21680,
    Mao Dong to Cde. Filippov [Stalin],” APRF, Wilson Center Digital Archive,
    record 117409, https://….
    """
    head = []
    if cable.sender and cable.recipient:
        head.append(f"{cable.sender.name} to {cable.recipient.name}")
    elif cable.sender:
        head.append(cable.sender.name)
    kind = (cable.document_type or "cable").lower()
    head.append(f"{kind} no. {cable.cable_number}" if cable.cable_number else kind)
    head.append(cited_date(cable))
    text = ", ".join(head) + f", “{cable.title},”"
    tail = [cable.archive or cable.archive_name, cable.signature, publisher(cable)]
    if cable.record_id:
        tail.append(f"record {cable.record_id}")
    tail.append(address(cable))
    return text + " " + ", ".join(x for x in tail if x) + final


def chicago_telegram(telegram: Telegram, cable: Cable) -> str:
    """A telegram forwarded in a cable (uses prefetched author and recipients).

    Li Kenong to Mao Zedong (copies to Kim Il Sung and Peng Dehuai), telegram,
    10 July 1951, 11:45, brief report Nº 1, forwarded in: Mao Zedong to …
    """
    who = telegram.author.name if telegram.author else "Unknown sender"
    to = telegram.addressees
    if to:
        who += f" to {_names(to)}"
    copies = telegram.copies_to
    if copies:
        who += f" (copies to {_names(copies)})"
    parts = [who, "telegram"]
    if telegram.sent_on:
        parts.append(long_date(telegram.sent_on))
        if telegram.sent_time:
            parts.append(telegram.sent_time.strftime("%H:%M"))
    elif telegram.sent_as_written:
        parts.append(telegram.sent_as_written)
    if telegram.reference:
        parts.append(telegram.reference)
    return ", ".join(parts) + ", forwarded in: " + chicago(cable)


def author_name(participant: Participant | None) -> str:
    """Family name first: the participant's sort name (Stalin, Joseph; Mao Zedong)."""
    if participant is None:
        return ""
    return participant.sort_name or participant.name


def family_first(participant: Participant | None) -> str:
    """ "Family, Given", as RIS and Highwire tags want a name (Stalin, Joseph; Mao, Zedong).

    The sort name is family first; where it has no comma (a Chinese or Korean
    name, written family first), its first word is the family name.
    """
    name = author_name(participant)
    if not name or "," in name or " " not in name.strip():
        return name
    family, given = name.split(None, 1)
    return f"{family}, {given}"


def ris(cable: Cable, url: str) -> str:
    """The cable as one RIS record (a letter: Zotero's type for a sent communication)."""
    lines = [("TY", "PCOMM"), ("TI", cable.title)]
    if cable.sender:
        lines.append(("AU", family_first(cable.sender)))
    if cable.recipient:
        lines.append(("A2", family_first(cable.recipient)))
    if cited_year(cable):
        lines.append(("PY", str(cited_year(cable))))
    if cable.date and not cable.date_to:
        lines.append(("DA", cable.date.strftime("%Y/%m/%d/")))
    lines.append(("M3", cable.document_type or "Cable"))
    if cable.cable_number:
        lines.append(("SN", cable.cable_number))
    if cable.archive or cable.archive_name:
        lines.append(("AV", cable.archive_name or cable.archive))
    if publisher(cable):
        lines.append(("DB", publisher(cable)))
    if cable.record_id:
        lines.append(("AN", cable.record_id))
    if cable.original_language:
        lines.append(("LA", cable.original_language))
    if cable.summary:
        lines.append(("AB", cable.summary))
    if cable.citation:
        lines.append(("N1", cable.cited_citation))
    lines.append(("UR", address(cable) or url))
    if address(cable):
        lines.append(("L2", url))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


def _bib(value: str) -> str:
    """A BibTeX field value: braces balanced, TeX specials escaped."""
    out = []
    for ch in value:
        if ch in "{}&%$#_":
            out.append("\\" + ch)
        elif ch == "\\":
            out.append("\\textbackslash{}")
        elif ch in "~^":
            out.append("\\" + ch + "{}")
        else:
            out.append(ch)
    return "".join(out)


def _bib_name(participant: Participant) -> str:
    name = author_name(participant)
    # "Mao Zedong" is family name first with no comma: keep it whole.
    return _bib(name) if "," in name else "{" + _bib(name) + "}"


def bibtex(cable: Cable, url: str) -> str:
    """The cable as one BibTeX ``@misc`` entry (biblatex-friendly fields too)."""
    key = f"{(cable.archive or 'cable').lower()}{cable.record_id or cable.pk}"
    key = "".join(ch for ch in key if ch.isalnum() or ch in "-_:") or f"cable{cable.pk}"
    fields = [("title", "{" + _bib(cable.title) + "}")]
    if cable.sender:
        fields.append(("author", _bib_name(cable.sender)))
    if cited_year(cable):
        fields.append(("year", str(cited_year(cable))))
    if cable.date and not cable.date_to:
        fields += [
            ("month", MONTHS[cable.date.month - 1][:3].lower()),
            ("date", cable.date.isoformat()),
        ]
    elif cable.date:
        fields.append(("date", f"{cable.date.isoformat()}/{cable.date_to.isoformat()}"))
    how = ", ".join(x for x in (publisher(cable), cable.archive) if x)
    if how:
        fields.append(("howpublished", _bib(how)))
    if cable.cable_number:
        # The document's own number (cable No. 21680); the record id goes in the note.
        fields.append(("number", _bib(cable.cable_number)))
    fields.append(("url", address(cable) or url))
    note = []
    if cable.recipient:
        note.append(f"To {cable.recipient.name}")
    if cable.record_id:
        note.append(f"Record {cable.record_id}")
    if cable.original_language:
        note.append(f"Original language: {cable.original_language}")
    note.append(f"Reading Room: {url}")
    fields.append(("note", _bib(". ".join(note))))
    if cable.original_language:
        fields.append(("language", _bib(cable.original_language)))
    body = ",\n".join(
        f"  {name} = {value}" if name in ("year", "month") else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@misc{{{key},\n{body}\n}}\n"


def coins(cable: Cable, url: str) -> str:
    """The ``title`` of a COinS span (OpenURL 1.0 KEV), so Zotero saves the cable.

    OpenURL's KEV "book" format holds every monograph; its genre says which: a
    cable is a ``report`` (Zotero's Report, with the archive as institution and
    the cable's number as the report number), not a book."""
    pairs = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book"),
        ("rft.genre", "report"),
        ("rft.btitle", cable.title),
        ("rft.title", cable.title),
    ]
    if cable.cable_number:
        pairs.append(("rft.number", cable.cable_number))
    if cable.date:
        pairs.append(("rft.date", cable.date.isoformat()))
    if cable.sender:
        pairs.append(("rft.au", cable.sender.name))
    if publisher(cable) or cable.archive:
        pairs.append(("rft.pub", publisher(cable) or cable.archive))
    if cable.original_language:
        pairs.append(("rft.language", cable.original_language))
    pairs.append(("rft_id", address(cable) or url))
    if address(cable):
        pairs.append(("rft_id", url))
    return urlencode(pairs)


def highwire(cable: Cable, url: str) -> list[tuple[str, str]]:
    """Highwire Press ``citation_*`` meta tags (Google Scholar, Zotero)."""
    tags = [("citation_title", cable.title)]
    if cable.sender:
        tags.append(("citation_author", family_first(cable.sender)))
    if cable.date and not cable.date_to:
        tags.append(("citation_date", cable.date.strftime("%Y/%m/%d")))
    elif cited_year(cable):
        tags.append(("citation_date", str(cited_year(cable))))
    if cable.archive_name or cable.archive:
        tags.append(("citation_publisher", cable.archive_name or cable.archive))
    tags.append(("citation_public_url", url))
    tags.append(("citation_abstract_html_url", url))
    if cable.text_language or cable.original_language:
        tags.append(
            ("citation_language", language_code(cable.text_language or cable.original_language))
        )
    if cable.record_id:
        tags.append(("citation_technical_report_number", cable.record_id))
    return tags
