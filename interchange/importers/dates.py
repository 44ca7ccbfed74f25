"""Dates and times as the cables write them.

Every form keeps its wording (``as_written``) beside a date and a local time;
no time zone is assumed (see docs/design.md, "Times as written, and local").
The forms:

    10 July 1951        July 11, 1951       11 July (year from context)
    1145 10 July        1750 11 July 1951   (a four-digit 24-hour time first)
    30.6.1951           13.June.1951        21.XI.1951 (Roman month)
    1.7.51 5:30         (two-digit year: 19yy; a time after the date)

A date without a year takes the year of ``context`` (the cable's own date);
when that would put it more than a month after ``context`` — a December
telegram forwarded in January — the year before is taken.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
ROMAN = {
    r: n
    for n, r in enumerate(
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"], start=1
    )
}

_MONTH_NAME = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ROMAN = r"(?:XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)"
_HHMM = r"(?:[01]\d|2[0-3])[0-5]\d"
_CLOCK = r"(?:[01]?\d|2[0-3])[:.][0-5]\d"

# One regex per form; each names its groups (time, day, month, year, clock).
FORMS = [
    # 1145 10 July 1951 / 10 July 1951 / 11 July
    re.compile(
        rf"(?:(?P<time>{_HHMM})\s+)?(?P<day>[0-3]?\d)\s+(?P<month>{_MONTH_NAME})"
        rf"(?:,?\s+(?P<year>1[89]\d\d|20\d\d))?(?:,?\s+(?P<clock>{_CLOCK}))?",
        re.IGNORECASE,
    ),
    # July 11, 1951
    re.compile(
        rf"(?P<month>{_MONTH_NAME})\s+(?P<day>[0-3]?\d),?\s+(?P<year>1[89]\d\d|20\d\d)",
        re.IGNORECASE,
    ),
    # 13.June.1951
    re.compile(
        rf"(?P<day>[0-3]?\d)\.\s?(?P<month>{_MONTH_NAME})\.?\s?(?P<year>\d{{4}}|\d\d)"
        rf"(?:\s+(?P<clock>{_CLOCK}))?",
        re.IGNORECASE,
    ),
    # 21.XI.1951
    re.compile(
        rf"(?P<day>[0-3]?\d)\.(?P<roman>{_ROMAN})\.(?P<year>\d{{4}}|\d\d)"
        rf"(?:\s+(?P<clock>{_CLOCK}))?"
    ),
    # 30.6.1951 / 1.7.51 5:30
    re.compile(
        rf"(?P<day>[0-3]?\d)\.(?P<num>[01]?\d)\.(?P<year>\d{{4}}|\d\d)(?!\d)"
        rf"(?:\s+(?P<clock>{_CLOCK}))?"
    ),
]

# A date form anywhere in a longer text (signature lines, handling notes).
WHEN_PATTERN = "|".join(f"(?:{form.pattern})" for form in FORMS)


@dataclass(frozen=True)
class When:
    as_written: str
    date: dt.date | None
    time: dt.time | None


def _year(text: str) -> int:
    year = int(text)
    return 1900 + year if year < 100 else year


def _from_match(match: re.Match, context: dt.date | None) -> When | None:
    groups = match.groupdict()
    if groups.get("month"):
        month = MONTHS[groups["month"].rstrip(".").lower()]
    elif groups.get("roman"):
        month = ROMAN[groups["roman"]]
    else:
        month = int(groups["num"])
    day = int(groups["day"])
    time = None
    if groups.get("time"):
        time = dt.time(int(groups["time"][:2]), int(groups["time"][2:]))
    elif groups.get("clock"):
        hours, minutes = re.split(r"[:.]", groups["clock"])
        time = dt.time(int(hours), int(minutes))
    if groups.get("year"):
        year = _year(groups["year"])
    elif context is not None:
        year = context.year
    else:
        year = None
    date = None
    if year is not None:
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None
        if not groups.get("year") and context and date > context + dt.timedelta(days=31):
            date = date.replace(year=year - 1)
    elif not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return When(match.group().strip(), date, time)


def parse_when(text: str, context: dt.date | None = None) -> When | None:
    """The date (and time) that ``text`` is, entirely; ``None`` when it is none of the forms."""
    text = text.strip().rstrip(".,")
    for form in FORMS:
        match = form.fullmatch(text)
        if match:
            return _from_match(match, context)
    return None


def find_when(text: str, context: dt.date | None = None) -> tuple[When, int, int] | None:
    """The first date form inside ``text`` with its offsets, or ``None``."""
    best = None
    for form in FORMS:
        for match in form.finditer(text):
            if (
                best is None
                or match.start() < best.start()
                or (match.start() == best.start() and match.end() > best.end())
            ):
                best = match
            break
    if best is None:
        return None
    when = _from_match(best, context)
    return (when, best.start(), best.end()) if when else None


# The same, with no named groups, to embed in larger patterns.
WHEN_ANY = "(?i:" + re.sub(r"\(\?P<\w+>", "(?:", WHEN_PATTERN) + ")"
