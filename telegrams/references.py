"""Find the references one message makes to another, and parse them (issue 16).

Diplomatic messages say what they answer, forward or cite:

- dated: "your telegram of 8 September", "telegram of 10 July 1951 No. 3444";
- numbered: "No. 21680", "your No. 3950", "Deptel 123", "Embtel 456", "HNC-048",
  "brief report Nº 1";
- FRUS cross-references: "Document 427", ``frus1951v07p1#pg_636``;
- forwarding: "I am sending you the texts of four telegrams of 10 July which
  I have received from Cde. LI KENONG";
- attachments: "attachment Nº 1 to brief report Nº 1" (the report is cited).

:func:`detect` is model-free: a text and what the citing document says of
itself (its date, sender and addressee) give :class:`Found` values, each a
span of the text with the message it names: who sent it to whom, when, its
number. "Your" is the citing document's addressee, "our" and "my" its
sender; a date without a year takes the document's year and lies before the
document's date (the year before, when the day would come after it).

Only passages that speak (bodies, cover notes, telegrams, notes) are read: a
heading's "CABLI Nº 21680", a closing's "Nº 3444 11 July" and the handling
notes' numbers are the document's own, not references.

:func:`recompute_references` stores them as :class:`telegrams.models.Reference`
rows, kept as mentions are: recomputing replaces only the found ones, and an
editor's decision (confirmed, added, rejected) stays.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from readingroom.months import MONTHS

COUNTS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# Passage kinds that speak; the others carry the document's own numbers.
SPEAKING = {"body", "cover_note", "telegram", "note"}

_FULL = [m for m in MONTHS if len(m) > 4 or m in ("may", "june", "july")]
_SHORT = [m for m in MONTHS if m not in _FULL]
# A full name takes no dot ("September." ends a sentence); a short one may ("Sept.").
_MONTH = (
    r"(?:"
    + "|".join(sorted(_FULL, key=len, reverse=True))
    + r"|(?:"
    + "|".join(sorted(_SHORT, key=len, reverse=True))
    + r")\.?)(?![a-z])"
)
_DATE = (
    rf"(?:(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})(?:,?\s+(?P<year>1[89]\d\d|20\d\d))?"
    rf"|(?P<month2>{_MONTH})\s+(?P<day2>\d{{1,2}})(?:,\s*(?P<year2>1[89]\d\d|20\d\d))?)(?!\w)"
)
# "No.", "Nº", "N°", "No", and the OCR's "N $^{\rm o}$" and "N^{o}".
_NO = r"(?:No\.?|N\s?[º°o]\.?|N\s*\$\^\{\\rm\s*o\}\$|N\^\{o\}|Nr\.|#)"
_NUMBER = rf"{_NO}\s*(?P<number>\d[\d/]*)"
_WHAT = r"(?:telegrams?|cables?|messages?|letters?|reports?|dispatch(?:es)?|despatch(?:es)?|notes?)"
_WHOSE = r"(?:(?P<whose>your|our|my)\s+)"
_COUNT = r"(?:(?P<count>" + "|".join(COUNTS) + r"|\d{1,2})\s+)"
# A name is capitalised, whatever the pattern's case: "(?-i:…)".
_NAME = r"(?P<name>(?-i:[A-Z][\w'\-]+(?:\s+[A-Z][\w'\-]+){0,2}))"
_TITLE = r"(?:(?:Cdes?|Comrades?|Mr|Gen|General|Ambassador|Marshal)\.?\s+)"

# "your telegram of 8 September", "telegram of 10 July 1951 No. 3444",
# "our cable No. 44 of 2 May", "your letter dated 3 June".
# The lookahead names the letters these patterns can start with ("your", "our",
# "my", "brief", "urgent", "last", "previous", a message word, "No."/"#"): the
# same finds, but most places in a text are given up at once (about 3× faster).
_OPENS = r"(?=[ybolumptcrdn#])"
DATED = re.compile(
    rf"(?<!\w){_OPENS}{_WHOSE}?(?:(?:brief|urgent|last|latest|previous)\s+)?(?P<what>{_WHAT})"
    rf"(?:\s*,?\s*{_NUMBER})?"
    rf"(?:\s+(?:of|dated|from)\s+(?:the\s+)?{_DATE})"
    rf"(?:\s*,?\s*{_NO}\s*(?P<number2>\d[\d/]*))?",
    re.IGNORECASE,
)
# "your No. 3950", "telegram No. 3444", "brief report Nº 1", "No. 21680".
NUMBERED = re.compile(
    rf"(?<!\w){_OPENS}{_WHOSE}?(?:(?P<what>(?:brief\s+)?{_WHAT})\s*)?{_NUMBER}(?!\w)",
    re.IGNORECASE,
)
# "Deptel 123", "Embtel 456", "Urtel 77", "Mytel 5"; "Reurtel 1385" (in reply to
# your telegram), "Redeptel", "Reembtel"; the Secretary's "Secto 12" (from his
# party) and "Tosec 9" (to it).
SERIES = re.compile(
    r"(?<!\w)(?P<series>(?:Re)?(?:Deptel|Embtel|Urtel|Mytel|Contel|Depcirtel|Circtel)|Reftel"
    r"|Secto|Tosec)\s+(?P<number>\d+)(?!\w)",
    re.IGNORECASE,
)
# "your 345, June 3", "our 1022 of May 5": a possessive and a bare number are a
# telegram only with the date it was sent ("your 2 divisions" is none).
BARE = re.compile(
    rf"(?<!\w)(?P<whose>your|our|my)\s+(?P<number>\d{{2,5}})(?=,?\s+(?:of\s+|dated\s+)?{_DATE})",
    re.IGNORECASE,
)
# "HNC-048", "CX 56789": a headquarters' message series, in capitals.
CODED = re.compile(r"(?<![\w-])(?P<series>[A-Z]{2,5})[- ](?P<number>\d{3,6})(?![\w-])")
# "telegram C 69211", "Reference C 50215", "Your C 50298": after a message word, a
# reference or a possessive, a one-letter series too.
NAMED_CODED = re.compile(
    r"(?<!\w)(?i:telegram|message|msg|cable|reference|ref|your|our|my)\.?\s+"
    r"(?P<series>[A-Z]{1,5})[- ](?P<number>\d{3,6})(?![\w-])"
)
NOT_SERIES = {"MIG", "TU", "IL", "YAK", "LA", "UN", "USSR", "US", "UNC", "KPA", "CPV", "ROK"}
# "See Document 427", "Document 427".
FRUS_DOCUMENT = re.compile(r"(?<!\w)Document\s+(?P<number>\d{1,4})(?!\w)")
# frus1951v07p1#pg_636, frus1951v07p1/d427.
FRUS_ID = re.compile(
    r"(?<![\w/])(?P<series>frus\d{4}[a-z0-9]*?v\d+[a-z0-9]*)"
    r"(?:#pg_(?P<page>\d+)|/d(?P<number>\d+))?(?![\w])"
)
# "I am sending you the texts of four telegrams of 10 July which I have received
# from Cde. LI KENONG", "I send you for familiarization the telegram received from
# Comrade Li Kenong on 12 August".
FORWARDING = re.compile(
    r"(?<!\w)(?:I\s+am\s+(?:sending|forwarding|transmitting)|I\s+(?:send|forward|transmit)"
    r"|We\s+are\s+(?:sending|forwarding)|We\s+(?:send|forward)|(?:Forwarding|Transmitting))"
    r"(?:\s+(?:to\s+)?you)?(?:\s+for\s+(?:your\s+)?(?:familiarization|information))?"
    r"(?:\s+the)?(?:\s+(?:full\s+)?texts?\s+of)?(?:\s+the)?\s+"
    rf"{_COUNT}?(?P<what>{_WHAT})"
    rf"(?:\s+(?:of|dated)\s+{_DATE})?"
    rf"(?:[^.!?\n]{{0,60}}?(?:\s+from\s+{_TITLE}?|\s+of\s+{_TITLE}){_NAME}"
    rf"(?:\s+(?:on|of)\s+(?P<day3>\d{{1,2}})\s+(?P<month3>{_MONTH}))?)?",
    re.IGNORECASE,
)
# "attachment Nº 1 to brief report Nº 1": the report is the message cited.
ATTACHMENT = re.compile(
    rf"(?<!\w)attachment\s+{_NO}\s*\d+\s+to\s+(?P<ref>(?P<what>(?:brief\s+)?report)\s+"
    rf"{_NO}\s*(?P<number>\d+))",
    re.IGNORECASE,
)
# A date right after a number: "No. 214, December 10", "Deptel 77 of August 2".
TRAILING_DATE = re.compile(rf",?\s+(?:of\s+|dated\s+)?{_DATE}", re.IGNORECASE)
# "I am submitting a brief report Nº 1": a text naming itself is no reference.
SELF_NAMING = re.compile(r"(?:submit\w*|send\w*|this\s+is)\s+(?:a\s+|an\s+|the\s+)?$", re.I)


@dataclass(frozen=True)
class Speaker:
    """What a citing text says of itself: its date, its sender and its addressee
    (participant ids), and the year to give dates without one."""

    date: datetime.date | None = None
    sender: int | None = None
    addressee: int | None = None
    sender_is_department: bool = False
    own_numbers: frozenset[str] = frozenset()  # the text's own: its header, its closing


@dataclass(frozen=True)
class Found:
    """A reference found in a text, parsed."""

    start: int
    end: int
    surface: str
    kind: str  # a Reference.Kind value
    relation: str  # a Reference.Relation value
    sender: int | None = None
    recipient: int | None = None
    date: datetime.date | None = None
    year_inferred: bool = False
    number: str = ""
    series: str = ""
    count: int | None = None
    sender_name: str = field(default="", compare=False)


def _date(match: re.Match, speaker: Speaker, *, suffix: str = "") -> tuple:
    """The date a match names, and whether its year was inferred: a date without a year
    takes the citing document's and lies before it (the year before, if need be)."""
    groups = match.groupdict()
    day = groups.get("day" + suffix) or groups.get("day2" if not suffix else "")
    month = groups.get("month" + suffix) or groups.get("month2" if not suffix else "")
    year = groups.get("year" + suffix) or groups.get("year2" if not suffix else "")
    if not (day and month):
        return None, False
    number = MONTHS.get(month.rstrip(".").lower())
    inferred = not year
    if inferred:
        if speaker.date is None:
            return None, False
        year = speaker.date.year
    try:
        when = datetime.date(int(year), number, int(day))
    except (TypeError, ValueError):
        return None, False
    if inferred and when > speaker.date:
        try:
            when = when.replace(year=when.year - 1)
        except ValueError:
            return None, False
    return when, inferred


def _who(whose: str | None, speaker: Speaker) -> tuple[int | None, int | None, str]:
    """(sender, recipient, relation) of the message a possessive names."""
    whose = (whose or "").lower()
    if whose == "your":
        return speaker.addressee, speaker.sender, "answers"
    if whose in ("our", "my"):
        return speaker.sender, speaker.addressee, "cites"
    return None, None, "cites"


def _series(series: str, speaker: Speaker) -> tuple[int | None, int | None, str]:
    """Who sent a Deptel (the Department), an Embtel (the embassy), an Urtel (the
    addressee) or a Mytel (the sender), as seen from the citing document."""
    series = series.lower()
    if series.startswith("re") and series != "reftel":
        series = series[2:]  # "Reurtel": in reply to your telegram
    ours = (speaker.sender, speaker.addressee, "cites")
    theirs = (speaker.addressee, speaker.sender, "answers")
    if series == "urtel":
        return theirs
    if series == "mytel":
        return ours
    if series in ("deptel", "depcirtel", "circtel"):
        return ours if speaker.sender_is_department else theirs
    if series == "embtel":
        return theirs if speaker.sender_is_department else ours
    return None, None, "cites"


def detect(
    text: str, speaker: Speaker, resolve_name: Callable[[str], int | None] | None = None
) -> list[Found]:
    """Every reference in ``text``, parsed, in text order; overlapping finds keep the
    longest (a forwarding phrase holds its dated telegrams)."""
    resolve_name = resolve_name or (lambda name: None)
    found: list[Found] = []

    def add(match, kind, relation, *, group=0, dated_after=False, **parsed):
        start, end = match.span(group)
        if dated_after and not parsed.get("date"):
            # "despatch No. 214, December 10", "Deptel 77 of August 2"
            after = TRAILING_DATE.match(text, end)
            if after is not None:
                when, inferred = _date(after, speaker)
                if when is not None:
                    end = after.end()
                    parsed.update(date=when, year_inferred=inferred)
        found.append(Found(start, end, text[start:end], kind, relation, **parsed))

    for m in FORWARDING.finditer(text):
        when, inferred = _date(m, speaker)
        if when is None and m.group("day3"):
            when, inferred = _date(m, speaker, suffix="3")
        count = m.group("count")
        count = COUNTS.get(count.lower()) if count and not count.isdigit() else count
        sender = resolve_name(m.group("name")) if m.group("name") else None
        add(
            m,
            "forwarding",
            "forwards",
            sender=sender,
            recipient=speaker.sender,
            date=when,
            year_inferred=inferred,
            count=int(count) if count else None,
            sender_name=m.group("name") or "",
        )
    for m in ATTACHMENT.finditer(text):
        add(
            m,
            "attachment",
            "part_of",
            group="ref",
            sender=speaker.sender,
            recipient=speaker.addressee,
            number=m.group("number"),
            series=" ".join(m.group("what").lower().split()),
        )
    for m in DATED.finditer(text):
        when, inferred = _date(m, speaker)
        sender, recipient, relation = _who(m.group("whose"), speaker)
        add(
            m,
            "dated",
            relation,
            sender=sender,
            recipient=recipient,
            date=when,
            year_inferred=inferred,
            number=m.group("number") or m.group("number2") or "",
        )
    for m in NUMBERED.finditer(text):
        what, number = m.group("what"), m.group("number")
        if SELF_NAMING.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        if not m.group("whose") and _own(number, speaker):
            continue  # "CIPHERED TELEGRAM No. 4571" heading its own text
        if not m.group("whose") and text[m.end() : m.end() + 3].lower() == "/sh":
            continue  # "No. 912/sh": the cipher office's registration of this text
        if not (what or m.group("whose")):
            if len(number.replace("/", "")) < 3:
                continue  # "No. 2" alone: a copy, a point, an item
            if not _in_prose(text, m.start()):
                continue  # "MAO ZEDONG\nNo. 4407\n12.9": a signature's or a file's number
        if what and what.isupper() and not _in_prose(text, m.start()):
            continue  # "TELEGRAM No. 502914" on a line of its own: a header
        sender, recipient, relation = _who(m.group("whose"), speaker)
        series = " ".join(what.lower().split()) if what and "report" in what.lower() else ""
        add(
            m,
            "numbered",
            relation,
            dated_after=True,
            sender=sender,
            recipient=recipient,
            number=number,
            series=series,
        )
    for m in SERIES.finditer(text):
        sender, recipient, relation = _series(m.group("series"), speaker)
        add(
            m,
            "numbered",
            relation,
            dated_after=True,
            sender=sender,
            recipient=recipient,
            number=m.group("number"),
            series=m.group("series").capitalize(),
        )
    for m in BARE.finditer(text):
        sender, recipient, relation = _who(m.group("whose"), speaker)
        add(
            m,
            "numbered",
            relation,
            dated_after=True,
            sender=sender,
            recipient=recipient,
            number=m.group("number"),
        )
    for m in NAMED_CODED.finditer(text):
        series = m.group("series")
        number = f"{series}-{m.group('number')}"
        add(m, "numbered", "cites", dated_after=True, number=number, series=series)
    for m in CODED.finditer(text):
        if m.group("series") in NOT_SERIES:
            continue
        if not _in_prose(text, m.start()) and text[m.end() : m.end() + 1] == ".":
            continue  # "CX 63541. This msg in 3 parts.": a message opening on its own number
        series = m.group("series")
        number = f"{series}-{m.group('number')}"
        add(m, "numbered", "cites", dated_after=True, number=number, series=series)
    for m in FRUS_DOCUMENT.finditer(text):
        add(m, "frus", "cites", number=m.group("number"))
    for m in FRUS_ID.finditer(text):
        number = m.group("number") or ""
        page = m.group("page")
        add(
            m,
            "frus",
            "cites",
            number=number or (f"pg_{page}" if page else ""),
            series=m.group("series"),
        )
    return _longest(found)


_NUMBERS = re.compile(rf"{_NO}\s*(\d[\d/]*)", re.IGNORECASE)


def _own(number: str, speaker: Speaker) -> bool:
    return number.split("/")[0].lstrip("0") in speaker.own_numbers


def _in_prose(text: str, start: int) -> bool:
    """Whether the words before ``start`` on its line are prose (a lower-case word),
    not a signature, a header or nothing."""
    line = text[text.rfind("\n", 0, start) + 1 : start]
    return re.search(r"[a-z]{2,}", line) is not None


def own_numbers(*values: str) -> frozenset[str]:
    """The numbers a text gives itself: its cable and sender's numbers as fields, and
    any "No. 4571" in its title or its own name ("Report Nº 7")."""
    numbers = set()
    for value in values:
        if not value:
            continue
        found = [n for n in _NUMBERS.findall(value)]
        if not found and re.fullmatch(r"[\d/]+(?:/\w+)?", value.strip()):
            found = [value.strip()]
        numbers |= {n.split("/")[0].lstrip("0") for n in found if n}
    return frozenset(numbers)


def _longest(found: list[Found]) -> list[Found]:
    """Drop every find that lies inside (or overlaps) a longer one found before it."""
    kept: list[Found] = []
    for f in sorted(found, key=lambda f: (-(f.end - f.start), f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


@dataclass
class Held:
    """A passage as its writer holds it, just written: its telegram (None when it is no
    telegram), that telegram's addressees ("to", in order) and whether the cable's sender
    is the Department. Given these, nothing is read again from the database."""

    passage: object
    telegram: object = None
    addressees: tuple[int, ...] = ()
    department: bool = False


def speaker_of(passage, held: Held | None = None) -> Speaker:
    """What a passage's document says of itself: a telegram's author and first addressee
    and its date, else the cable's sender, recipient and date (uses loaded relations, or
    what ``held`` says of them)."""
    cable = passage.cable
    if held is not None:
        telegram, addressees = held.telegram, list(held.addressees)
    else:
        telegram = getattr(passage, "telegram", None)  # None when the passage is no telegram
        addressees = []
        if telegram is not None:
            addressees = [r.participant_id for r in telegram.recipients.all() if r.role == "to"]
    sender, addressee, date = cable.sender_id, cable.recipient_id, cable.date
    if telegram is not None:
        sender = telegram.author_id or sender
        addressee = addressees[0] if addressees else addressee
        date = telegram.sent_on or date
    if held is not None:
        department = held.department
    else:
        department = bool(cable.sender_id) and "department" in str(cable.sender).lower()
    own = [cable.cable_number, cable.sender_number, cable.handling_number, cable.title]
    own.append(cable.incoming_number.split("/")[0] if cable.incoming_number else "")
    if telegram is not None and not telegram.reference.lower().startswith("attachment"):
        own.append(telegram.reference)
    return Speaker(
        date=date,
        sender=sender,
        addressee=addressee,
        sender_is_department=department,
        own_numbers=own_numbers(*own),
    )


def passages_for_references(passages: Iterable):
    """``passages`` (ids or rows) with what :func:`speaker_of` reads (3 queries)."""
    from django.db.models import Prefetch

    from cables.models import Passage
    from telegrams.models import TelegramRecipient

    ids = [getattr(p, "pk", p) for p in passages]
    recipients = TelegramRecipient.objects.order_by("telegram_id", "role", "position")
    return (
        Passage.objects.filter(pk__in=ids)
        .select_related("cable__sender", "telegram")
        .prefetch_related(Prefetch("telegram__recipients", queryset=recipients))
        .order_by("cable_id", "position")
    )
