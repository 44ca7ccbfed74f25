"""The structure of a cable's text: header block, cover note, forwarded telegrams, closing.

:func:`parse_body` cuts a cable's body into passages whose ``text + tail``
concatenate back to the body exactly, and reads from them what the seed
fixture was built from by hand:

- the header block (directorate; "CABLE"/"CABLI"/ciphered-telegram number;
  copies; origin and time received), the ``[Stamp: …]`` and the
  ``SERIES "G" T. to Cde. X`` address line;
- the cover note, from the salutation ("Cde. Filippov!") to the first
  forwarded telegram;
- each forwarded telegram: a paragraph opening with a quote and
  "To Cde. X.". Quotes may be straight or curly, nested (a statement quoted
  inside a telegram, or a telegram forwarded inside another) and unbalanced
  (``"…Korea'.``): a quote scanner tracks the depth, and a telegram that
  never closes ends where the next telegram or the closing block begins,
  once it has been signed;
- the closing signature and number ("MAO ZEDONG Nº 3444 11 July") and the
  handling notes (deciphered, printed, verified, copies, filed): the block of
  such lines that ends the text, read back from its end.

A copy cut off partway — inside a telegram that never closes, or in the middle
of a sentence — is cut as far as it goes, and ``Body.cut_off`` says why.

Names stay strings here; ``writer`` resolves them to participants.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from interchange.importers.dates import WHEN_ANY, When, find_when_us, parse_when
from interchange.importers.parsed import (
    ImportFailure,
    ParsedHandling,
    ParsedItem,
    ParsedPassage,
    ParsedTelegram,
)

# The numero sign as the sources and their conversions write it: Nº, N°, №, N $^{\rm o}$, N^{o}.
NUMERO = r"(?:№|N\s*[º°]|N\s*\$\^\{\\rm\s*o\}\$|N\s*\^\{o\})"
_NUMERO_RE = re.compile(NUMERO)

OPENERS = "“«„"
CLOSERS = "”»"

TELEGRAM_START = re.compile(
    r"^[ \t]*[\"“«„]\s*To\s+(?:Cdes?\.|Comrades?\b)", re.MULTILINE | re.IGNORECASE
)
CLOSING_LINE = re.compile(
    r"^(?!(?:Copy|Copies|Incoming|Outgoing)\b)"  # "Copy Nº 2" numbers a copy, signs nothing
    rf"(?P<name>[A-Z][A-Za-z'’.\- ]*?[A-Za-z])\s+{NUMERO}\s*(?P<number>\d+)"
    rf"(?:\s+(?P<when>{WHEN_ANY}))?[ \t]*$",
    re.MULTILINE,
)
HANDLING_LINE = re.compile(
    r"^(?:Deciphered|Decoded|Decrypted|Printed|Typed|Verified|Checked"
    r"|\w+ copies (?:printed|made))\b",
    re.MULTILINE | re.IGNORECASE,
)
_NAME = r"(?:(?:[A-Z]\.[ \t]*|[A-Z][\w'’-]+[ \t]+){0,3}[A-Z][\w'’-]+)"  # on one line
SIGNATURE = re.compile(rf"(?P<name>{_NAME})\.?\s+(?P<when>{WHEN_ANY})$")
_INITIAL = r"(?<!\w)[A-Z]\.\s"  # "C. Turner Joy": an initial does not end a name
_TITLE = r"(?:(?:Cdes?\.|Comrades?)\s*)?"
ADDRESS_LINE = re.compile(
    rf"^[\"“«„]?\s*To\s+{_TITLE}(?P<to>(?:{_INITIAL}|[^.\n])+?)\.(?=\s|$)"
    rf"(?:\s+Cop(?:y|ies)\s+to\s+{_TITLE}(?P<copies>(?:{_INITIAL}|[^.\n])+?)\.(?=\s|$))?",
)
REFERENCE = re.compile(
    r"(?:(?P<kind>attachment|appendix|supplement|addendum)\s+Nº\s*(?P<att>\d+)\s+to\s+)?"
    r"(?P<report>(?:(?:brief|short|daily|special|regular)\s+)?report\s+Nº\s*\d+)",
    re.IGNORECASE,
)
LIST_ITEM = re.compile(
    r"^[ \t]*(?:[-*•][ \t]+)?(?P<number>\d{1,2})[.)][ \t]+(?P<words>\S.*)$", re.M
)
SALUTATION = re.compile(
    r"(?:(?:Esteemed|Respected|Deeply\s+respected|Dear)\s+)?(?:Cde\.|Comrade|Dear)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?!"
)
SMALL_WORDS = {"of", "the", "and", "for", "to", "in", "on", "at", "a", "an"}
TITLES = re.compile(r"^(?:Cdes?\.|Comrades?|Comrade|Gen\.|General|Marshal|Admiral)\s+", re.I)


def numero(text: str) -> str:
    """``text`` with every spelling of the numero sign as Nº."""
    return _NUMERO_RE.sub("Nº", text)


def title_case(text: str) -> str:
    """SECOND MAIN DIRECTORATE OF THE ARMY -> Second Main Directorate of the Army."""
    words = text.lower().split()
    return " ".join(
        w if i and w in SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )


def split_names(text: str) -> list[str]:
    """'Cde. KIM IL SUNG and PENG DEHUAI' -> ['KIM IL SUNG', 'PENG DEHUAI']."""
    names = []
    for part in re.split(r",\s*|\s+and\s+", text):
        part = TITLES.sub("", part.strip()).strip(" .")
        if part:
            names.append(part)
    return names


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# --- quotes -----------------------------------------------------------------


@dataclass
class Span:
    start: int
    end: int
    nested: list[int]  # starts of telegrams quoted inside this one
    signed: bool
    closed: bool


def _quote(body: str, i: int, depth: int) -> int:
    """+1 for an opening quote at ``i``, -1 for a closing one, 0 otherwise."""
    c = body[i]
    before = body[i - 1] if i else " "
    after = body[i + 1] if i + 1 < len(body) else " "
    if c in OPENERS:
        return 1
    if c in CLOSERS:
        return -1
    if c == '"':
        if before.isspace() or before in "([—–-:" and not after.isspace():
            return 1
        return -1
    if c == "'" and depth >= 2 and not before.isspace():
        # An apostrophe closes a nested quote only before punctuation and a break ("Korea'.").
        rest = body[i + 1 : i + 3]
        if re.match(r"[.,;:!?]?(?:\s|$)", rest) and not after.isalpha():
            return -1
    return 0


_INTERESTING = re.compile(r"[\"'\n“”«»„]")


def _scan(body: str, start: int, stops: set[int]) -> Span:
    """Where the telegram opening at ``start`` ends (see the module docstring)."""
    depth = 0
    nested: list[int] = []
    signed = False
    n = len(body)
    # Only quotes and line ends matter: jump from one to the next.
    for found in _INTERESTING.finditer(body, start):
        i = found.start()
        if body[i] == "\n" and depth == 1:
            # A signature line ("Li Kenong. 1145 10 July") lets an unclosed telegram end.
            line_start = body.rfind("\n", 0, i) + 1
            line = body[line_start:i].rstrip(" \t\"”»'.")
            if SIGNATURE.search(line):
                signed = True
        if body[i] == "\n" and depth >= 1 and i + 1 < n:
            following = i + 1
            if following in stops:
                if signed:
                    return Span(start, following, nested, signed, closed=False)
                nested.append(following)
            elif CLOSING_LINE.match(body, following) or HANDLING_LINE.match(body, following):
                return Span(start, following, nested, signed, closed=False)
        step = _quote(body, i, depth)
        if step:
            depth = max(depth + step, 0)
            if depth == 0:
                end = i + 1
                while end < n and body[end] in ".,;":
                    end += 1
                return Span(start, end, nested, True, closed=True)
    return Span(start, n, nested, signed, closed=False)


def telegram_spans(body: str) -> list[Span]:
    starts = [
        m.start() + len(m.group()) - len(m.group().lstrip()) for m in TELEGRAM_START.finditer(body)
    ]
    stops = {body.rfind("\n", 0, s) + 1 for s in starts}
    spans = []
    for s in starts:
        if spans and s < spans[-1].end:
            continue
        spans.append(_scan(body, s, stops))
    return spans


# --- passages ---------------------------------------------------------------


def _cut(body: str, bounds: list[tuple[int, str, str]]) -> list[ParsedPassage]:
    """Passages from (start, kind, label) boundaries; text is stripped, the rest is tail."""
    passages = []
    for k, (start, kind, label) in enumerate(bounds):
        end = bounds[k + 1][0] if k + 1 < len(bounds) else len(body)
        chunk = body[start:end]
        text = chunk.rstrip()
        if text:
            passages.append(ParsedPassage(kind, label, text, chunk[len(text) :]))
        elif passages:
            passages[-1].tail += chunk
    return passages


def _next_text(body: str, i: int) -> int:
    while i < len(body) and body[i].isspace():
        i += 1
    return i


def _preamble(body: str, end: int, has_telegrams: bool) -> list[tuple[int, str, str]]:
    """Boundaries of the heading, stamp, address and cover note before ``end``."""
    head = body[:end]
    bounds: list[tuple[int, str, str]] = []
    stamp = re.search(r"^\[Stamp:.*?\]", head, re.MULTILINE | re.DOTALL)
    address = re.search(r"^SERIES\b.*$", head, re.MULTILINE)
    salute = SALUTATION.search(head, address.start() if address else 0)
    if not has_telegrams and not (stamp or address):
        return [(0, "body", "Text")] if head.strip() else []
    marks = [m.start() for m in (stamp, address, salute) if m]
    first = min(marks) if marks else end
    if first > 0 and head[:first].strip():
        bounds.append((0, "heading", "Heading"))
    if stamp:
        bounds.append((stamp.start(), "stamp", "Stamp"))
        after = _next_text(head, stamp.end())
        if (
            after < end
            and not (address and address.start() == after)
            and not (salute and salute.start() == after)
        ):
            if has_telegrams:
                bounds.append((after, "heading", "Heading (continued)"))
            else:
                bounds.append((after, "body", "Text"))
    if address:
        bounds.append((address.start(), "address", "Address"))
    if salute:
        bounds.append((salute.start(), "cover_note", "Cover note"))
    elif address and _next_text(head, address.end()) < end:
        bounds.append((_next_text(head, address.end()), "cover_note", "Cover note"))
    elif not marks and head.strip():
        bounds.append((0, "cover_note" if has_telegrams else "body", "Cover note"))
    bounds.sort()
    return bounds


@dataclass
class Body:
    passages: list[ParsedPassage]
    fields: dict
    sender: str
    recipient: str
    handling: list[ParsedHandling]
    # Why the text looks cut off before its end ("" when it does not): a telegram
    # that never closes, or a last line that stops mid-sentence.
    cut_off: str = ""


_NUMERO_ONLY = re.compile(rf"(?:{NUMERO}|No\.?)\s*\S+")


def _trailing(body: str, after: int) -> tuple[re.Match | None, re.Match | None]:
    """The closing line and the first handling note of the block that ends ``body``.

    Handling notes (deciphered, printed, copies) are the lines that close a
    cable; a "Deciphered by …" line in the header block, with the text after
    it, is not among them. The block is read from the end back over handling
    lines, numbers and dates, up to the sender's closing line.
    """
    closing = handling = None
    pos = len(body)
    while pos > after:
        newline = body.rfind("\n", after, pos)
        start = newline + 1 if newline >= 0 else after
        line = body[start:pos].strip()
        pos = newline if newline >= 0 else after
        if not line:
            continue
        if match := HANDLING_LINE.match(body, start):
            handling = match
        elif _NUMERO_ONLY.fullmatch(line) or parse_when(line):
            continue
        else:
            closing = CLOSING_LINE.match(body, start)
            break
    return closing, handling


def _ends_mid_sentence(text: str) -> bool:
    """The last line of ``text`` stops inside a sentence (``… radar sets for the``)."""
    words = text.rstrip().rsplit("\n", 1)[-1].split()
    return len(words) >= 4 and (
        re.fullmatch(r"[a-zа-яё][\w'’-]*", words[-1]) is not None or words[-1].endswith((",", "-"))
    )


def parse_body(body: str, *, context: dt.date | None, first_line: int = 1) -> Body:
    """Cut ``body`` into passages and read the header, telegrams, closing and handling.

    ``first_line`` is the body's line in its file (for messages). A body that
    ends inside an unsigned telegram, or stops mid-sentence, is cut as far as
    it goes and says so in ``cut_off``.
    """
    if not body.strip():
        raise ImportFailure("the document has no text", first_line)
    spans = telegram_spans(body)
    tail_from = spans[-1].end if spans else 0
    closing, handling = _trailing(body, tail_from)
    cut_off = ""
    if spans and not spans[-1].closed and not spans[-1].signed and not (closing or handling):
        line = first_line + line_of(body, spans[-1].start) - 1
        cut_off = (
            f"the text ends inside the telegram that opens on line {line} "
            "(no closing quote, signature or closing block): the copy looks truncated"
        )
    preamble_end = (
        spans[0].start
        if spans
        else (closing or handling).start()
        if (closing or handling)
        else len(body)
    )
    bounds = _preamble(body, preamble_end, bool(spans))
    for number, span in enumerate(spans, start=1):
        bounds.append((span.start, "telegram", f"Telegram {number}"))
        after = _next_text(body, span.end)
        following = spans[number].start if number < len(spans) else None
        stop = following or (closing.start() if closing else handling.start() if handling else None)
        if after < len(body) and after != stop and (stop is None or after < stop):
            kind = "cover_note" if following else "body"
            bounds.append((after, kind, "Cover note (continued)" if following else "Text"))
    if closing:
        bounds.append((closing.start(), "closing", "Closing"))
    if handling:
        bounds.append((handling.start(), "handling", "Handling notes"))
    bounds = sorted(set(bounds))
    passages = _cut(body, bounds)
    last = passages[-1]
    if not cut_off and last.kind not in ("closing", "handling") and _ends_mid_sentence(last.text):
        line = first_line + line_of(body, len(body.rstrip())) - 1
        cut_off = (
            f"the text stops mid-sentence on line {line} "
            f"({' '.join(last.text.split()[-4:])!r}): the copy looks truncated"
        )

    fields: dict = {}
    recipient = sender = ""
    rows: list[ParsedHandling] = []
    for p in passages:
        if p.kind == "heading":
            fields.update(_heading(p.text, context))
        elif p.kind == "stamp":
            fields["stamp"] = p.text.removeprefix("[Stamp:").removesuffix("]").strip()
            incoming = re.search(rf"Incoming\s+{NUMERO}\s*(\S+)", p.text)
            if incoming:
                fields["incoming_number"] = incoming.group(1)
        elif p.kind == "address":
            series = re.search(r"SERIES\s+[\"“]?([\w-]+)[\"”]?", p.text)
            if series:
                fields["series"] = series.group(1)
            to = re.search(r"\bto\s+(?:Cdes?\.|Comrades?)\s+(.+?)\s*$", p.text)
            if to:
                recipient = to.group(1)
        elif p.kind == "closing":
            match = CLOSING_LINE.match(p.text)
            sender = match.group("name")
            fields["sender_number"] = match.group("number")
            if match.group("when"):
                fields["sender_dated"] = match.group("when")
                when = parse_when(match.group("when"), context)
                rows.append(_row("sent", sender, match.group("when"), when))
    if fields.get("received_as_written"):
        when = parse_when(fields["received_as_written"], context)
        rows.append(_row("received", "", fields["received_as_written"], when))
    for p in passages:
        if p.kind == "handling":
            more, extra = _handling(p.text, context)
            rows += more
            fields.update(extra)

    telegrams: list[ParsedTelegram] = []
    for p, span in zip([p for p in passages if p.kind == "telegram"], spans, strict=True):
        p.telegram = _telegram(p.text, len(telegrams) + 1, context, telegrams)
        p.telegram.nested = [body[s : s + 40].split("\n")[0] for s in span.nested]
        telegrams.append(p.telegram)
    return Body(passages, fields, sender, recipient, rows, cut_off)


def _row(action: str, agent: str, written: str, when: When | None) -> ParsedHandling:
    if when is None:  # a time without a date, or words the date forms do not read
        return ParsedHandling(action, agent, written)
    return ParsedHandling(action, agent, when.as_written, when.date, when.time)


def _heading(text: str, context) -> dict:
    fields: dict = {}
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if re.fullmatch(r"[A-Z][A-Z ()'-]+", line) and re.search(
            r"DIRECTORATE|STAFF|MINISTRY|DEPARTMENT|COMMITTEE|COMMAND", line
        ):
            fields["directorate"] = title_case(line)
        elif match := re.match(
            rf"(?P<type>CABLE|CABLI|CIPHERED\s+TELEGRAM|CIPHER\s+TELEGRAM|TELEGRAM)\s+{NUMERO}\s*"
            r"(?P<number>[\w/-]+)",
            line,
            re.IGNORECASE,
        ):
            kind = " ".join(match.group("type").upper().split())
            fields["document_type"] = "Cable" if kind in ("CABLE", "CABLI") else kind.capitalize()
            fields["cable_number"] = match.group("number")
        elif match := re.fullmatch(rf"Copy\s+{NUMERO}\s*(\d+)", line):
            fields["copy_number"] = match.group(1)
        elif re.match(rf"Copy\s+{NUMERO}\s*\d+\s+to\s", line):
            fields["copy_distribution"] = numero(line)
        elif match := re.match(r"from\s+(?P<origin>.+?)\s+received\s+(?P<when>.+)$", line):
            fields["origin"] = match.group("origin")
            when = parse_when(match.group("when"), context)
            fields["received_as_written"] = match.group("when")
            if when:
                fields["received_on"], fields["received_time"] = when.date, when.time
    return fields


HANDLING_ACTIONS = {
    "deciphered": "deciphered",
    "decoded": "deciphered",
    "decrypted": "deciphered",
    "printed": "printed",
    "typed": "printed",
    "verified": "verified",
    "checked": "verified",
}


def _handling(text: str, context) -> tuple[list[ParsedHandling], dict]:
    rows: list[ParsedHandling] = []
    fields: dict = {}
    actions = "|".join(HANDLING_ACTIONS)
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if match := re.fullmatch(rf"{NUMERO}\s*(\S+)", line):
            fields["handling_number"] = match.group(1)
            continue
        if re.match(r"\w+ copies (?:printed|made)", line, re.IGNORECASE):
            rows.append(ParsedHandling("filed", "", line))
            fields["copies_note"] = numero(line)
            continue
        parts = re.split(rf"(?=\b(?:{actions})\b)", line, flags=re.IGNORECASE)
        for part in (p.strip() for p in parts):
            head = re.match(rf"({actions})\b:?\s*(?:by\s+)?", part, re.IGNORECASE)
            if not head:
                continue
            action = HANDLING_ACTIONS[head.group(1).lower()]
            rest = part[head.end() :].strip()
            found = find_when_us(rest, context)
            if found and found[1] > 0:
                when, start, _ = found
                agent = re.sub(r"\s+(?:on|at)$", "", rest[:start].strip(" ,."))
                rows.append(ParsedHandling(action, agent, when.as_written, when.date, when.time))
            else:
                bracketed = re.search(r"\(([A-Z][\w'’-]+)\)", rest)
                agent = bracketed.group(1) if bracketed else ""
                if not agent and re.fullmatch(_NAME, rest):
                    agent = rest
                rows.append(ParsedHandling(action, agent, rest))
    return rows, fields


def _telegram(text: str, number: int, context, earlier: list[ParsedTelegram]) -> ParsedTelegram:
    telegram = ParsedTelegram(number=number)
    address = ADDRESS_LINE.match(text)
    if address:
        telegram.addressees = split_names(address.group("to"))
        if address.group("copies"):
            telegram.copies = split_names(address.group("copies"))
    stripped = text.rstrip(" \t\n\"”»'.")
    signature = SIGNATURE.search(stripped)
    sig_start = len(text)
    if signature:
        telegram.author = signature.group("name")
        telegram.sent = parse_when(signature.group("when"), context) or When(
            signature.group("when"), None, None
        )
        sig_start = signature.start()
    first = text[address.end() if address else 0 :].split("\n\n")[0]
    reference = REFERENCE.search(numero(first))
    if reference:
        telegram.reference = " ".join(reference.group().split())
        if reference.group("kind"):
            report = " ".join(reference.group("report").split()).lower()
            for other in earlier:
                if other.reference.lower() == report:
                    telegram.attachment_of = other.number
    telegram.lists = _lists(text, sig_start)
    return telegram


# An item that is only a name (with a count of copies): "Stalin - 2", "to Cde. Molotov".
_NAME_ITEM = re.compile(
    r"(?:to\s+)?(?:(?:Cdes?\.|Comrades?)\s*)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:\s*(?:[-–]\s*\d+|\(\d+\)))?[.,;]?"
)


def _lists(text: str, stop: int) -> list[list[ParsedItem]]:
    """The numbered lists of a telegram, as agenda candidates.

    A site that numbers every item ``1.`` (its list rendering) gives 1, 2, 3
    in order; a list of names only (a distribution list) is no agenda.
    """
    lists: list[list[ParsedItem]] = []
    current: list[ParsedItem] = []
    all_ones = False  # every item of the current list so far is written "1."
    matches = []
    for match in LIST_ITEM.finditer(text):
        if match.start() >= stop:
            break
        matches.append(match)
    for k, match in enumerate(matches):
        number = int(match.group("number"))
        start = match.start("number")
        end = min(match.end("words"), stop)
        while end > start and text[end - 1].isspace():
            end -= 1
        words = text[match.start("words") : end]
        restart = k + 1 < len(matches) and matches[k + 1].group("number") == "2"
        if number == 1 and current and all_ones and not restart:
            # "1." on every item: the site's list rendering; the items are 1, 2, 3.
            current.append(ParsedItem(len(current) + 1, words, start, end))
            continue
        item = ParsedItem(number, words, start, end)
        if number == 1:
            if len(current) > 1:
                lists.append(current)
            current, all_ones = [item], True
        elif current and number == current[-1].number + 1:
            current.append(item)
            all_ones = False
    if len(current) > 1:
        lists.append(current)
    return [items for items in lists if not all(_NAME_ITEM.fullmatch(i.text) for i in items)]
