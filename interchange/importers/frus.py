"""What FRUS TEI and FRUS page copies share: heads, source notes, classifications.

A FRUS document is printed under a head naming its sender and recipient —
``87. Telegram From the Embassy in Korea to the Department of State``,
``The Ambassador in Korea (Muccio) to the Secretary of State`` — and a source
note: a footnote to the head in newer volumes (``Source: Department of State,
Central Files, 795.00/5–3156. Confidential; Priority.``), a line above the head
in older ones (``795.00/7–2451: Telegram``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLASSIFICATIONS = {
    "top secret",
    "secret",
    "confidential",
    "restricted",
    "unclassified",
    "eyes only",
    "limited official use",
    "official use only",
    "personal and confidential",
    "strictly confidential",
}
PRECEDENCES = {"priority", "niact", "flash", "immediate", "operational immediate", "routine"}
_MARKING = sorted(CLASSIFICATIONS | PRECEDENCES, key=len, reverse=True)
_MARKING_RE = re.compile(r"|".join(re.escape(w) for w in _MARKING), re.IGNORECASE)

# A decimal file (795.00/5–3156, 740.0011 Pacific War/2438, 793B.00/1–1251,
# 123 [John J. Muccio]) or a lot file (Lot 62 D 181, Lot 55D128).
FILE_NUMBER = re.compile(
    r"(?<![\w.])(?:\d{3}[A-Z]?(?:\.[0-9A-Z]+)*(?: [A-Z][A-Za-z]*)*/[0-9A-Za-z.]+(?:[–-]\d+)?"
    r"|\d{3} \[[^\]]+\]"
    r"|Lot \d+ ?[A-Z] ?\d+)"
)
# "Telegram", "Despatch", "Memorandum of Conversation": the kind after the last colon.
_KIND = re.compile(
    r":\s*(?P<kind>(?:Circular |Unnumbered )?(?:Telegram|Airgram|Despatch|Dispatch|Instruction"
    r"|Message|Note|Letter|Memorandum|Cable|Aide-Mémoire|Aide-Memoire)(?: [a-z][A-Za-z ]*)?)\.?$",
    re.IGNORECASE,
)
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Vol|No|Nos|Gen|Corr|Mr|Mrs|Dr|p|pp|Box|Tab|Doc|Ser|Ref|Jr|Sr|St|Cong|Sess)"
    r"|\b[A-Z])\.$"
)


def title_of(head: str, number: str = "") -> str:
    """The head as a title: without the printed number (``87. ``, ``No. 318``),
    with single spaces, and none inside brackets (legacy heads break lines there)."""
    title = " ".join(head.split())
    title = re.sub(r"([(\[])\s+", r"\1", title)
    title = re.sub(r"\s+([)\],;:])", r"\1", title)
    printed = _PRINTED.match(title)
    if printed and (printed["number"] == number or printed["dot"] or printed["no"]):
        title = title[printed.end() :]
    return title.strip()


# The printed number: "87. ", "No. 318 ", "87a. "; a bare "318 " only when it is the document's.
_PRINTED = re.compile(r"(?P<no>No\.\s*)?(?P<number>\d+[A-Za-z]?)\b(?P<dot>\.)?\s+(?=\S)")


_NAME = re.compile(r"\((?P<name>[A-Z][\w.'’\- ]*[\w.])\)")


def names_in(title: str) -> tuple[str, str]:
    """Sender and recipient named in brackets in a head, by FRUS convention:
    ``The Ambassador in Korea (Muccio) to the Secretary of State`` is from Muccio;
    ``… Special Assistant to the President (Cutler) to the Secretary (Dulles)``
    from Cutler to Dulles; ``Memorandum of Conversation, by … (Johnson)`` by Johnson."""
    names = [m for m in _NAME.finditer(title) if not m["name"].isupper()]
    if not names:
        return "", ""
    first = names[0]
    after = title.find(" to ", first.end())
    if after >= 0:
        recipient = next((m["name"] for m in names[1:] if m.start() > after), "")
        return first["name"], recipient
    before = title[: first.start()]
    if " to " in before:
        return "", first["name"]
    if re.search(r"\bby\b", before):
        return first["name"], ""
    return "", ""


def marking(text: str) -> tuple[str, str] | None:
    """Classification and precedence when ``text`` is only such words
    (``secret   priority``, ``Top Secret``, ``Confidential; Priority.``), else None."""
    words = text.strip(" .;").lower()
    if not words:
        return None
    if re.sub(r"[\s.;,:/—–-]|\band\b", "", _MARKING_RE.sub(" ", words)):
        return None
    series = precedence = ""
    for found in _MARKING_RE.finditer(words):
        word = found.group().lower()
        if word in CLASSIFICATIONS and not series:
            series = word.title()
        elif word in PRECEDENCES and not precedence:
            precedence = word.title()
    return series, precedence


@dataclass
class SourceNote:
    archive: str = ""
    signature: str = ""
    document_type: str = ""
    series: str = ""
    precedence: str = ""


def _sentences(text: str) -> list[str]:
    """Sentences of a source note; ``Vol. I`` and ``Lot 62 D 181. Secret`` split right."""
    parts, start = [], 0
    for stop in re.finditer(r"\.\s+(?=[A-Z(\[])", text):
        if _ABBREVIATIONS.search(text[start : stop.start() + 1]):
            continue
        parts.append(text[start : stop.start()].strip())
        start = stop.end()
    parts.append(text[start:].strip().rstrip("."))
    return [p for p in parts if p]


def source_note(text: str) -> SourceNote:
    """Archive, file number, kind and markings of a source note or source line.

    ``Source: Department of State, Central Files, 795.00/5–3156. Confidential;
    Priority.`` gives the archive ``Department of State, Central Files`` and the
    signature ``795.00/5–3156``; ``795.00/7–2451: Telegram`` a signature and the
    kind, and no archive (a file number alone names none).
    """
    note = SourceNote()
    text = " ".join(text.split())
    at = text.find("Source:")
    if at >= 0:
        text = text[at + len("Source:") :].strip()
    sentences = _sentences(text)
    if not sentences:
        return note
    reference = sentences[0]
    for sentence in sentences[1:]:
        found = marking(sentence)
        if found:
            note.series = note.series or found[0]
            note.precedence = note.precedence or found[1]
    kind = _KIND.search(reference)
    if kind and not FILE_NUMBER.search(kind["kind"]):
        note.document_type = kind["kind"]
        reference = reference[: kind.start()].strip()
    reference = re.split(r";\s+(?:and\s+)?", reference)[0].strip(" ,;")
    number = FILE_NUMBER.search(reference)
    if number:
        note.archive = reference[: number.start()].strip(" ,:;")
        note.signature = reference[number.start() :].strip(" ,;")
    elif "," in reference:
        note.archive, note.signature = (p.strip() for p in reference.split(",", 1))
    else:
        note.archive = reference
    note.archive = note.archive[:200]
    note.signature = note.signature.rstrip(".")[:300]
    return note
