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

:func:`find_when_us` also reads the month-first slashed dates of American
translations (``08/12/50 at 7:05 a.m.``), which :func:`find_when` leaves
alone.

A document's own date (:func:`parse_document_date`, a date line, a citation,
a heading) may be a day, or only a month, a season, a year or a range, with
qualifiers and editorial brackets (``June 1951``, ``February, 1950``,
``1953``, ``[not before 3 July 1951]``): a :class:`DocumentDate` gives its
first and last day and keeps the words. :func:`find_document_date` finds the
first day written with its year in a longer text, the last resort of a
document without a date line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from readingroom.months import MONTHS

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


# --- US-style dates (added for the handling lines of some translations) -------

# 08/12/50, 08/12/1950 at 7:05 a.m. (month first, as American translators write them)
US_FORM = re.compile(
    r"(?P<num>[01]?\d)/(?P<day>[0-3]?\d)/(?P<year>\d{4}|\d\d)(?![\d/])"
    rf"(?:,?\s+(?:at\s+)?(?P<clock>{_CLOCK})(?:\s*(?P<ampm>[ap])\.?\s?m\b\.?)?)?",
    re.IGNORECASE,
)


def find_when_us(text: str, context: dt.date | None = None) -> tuple[When, int, int] | None:
    """Like :func:`find_when`, and also month-first slashed dates (``08/12/50 at 7:05 a.m.``);
    the earliest of either wins."""
    found = find_when(text, context)
    match = US_FORM.search(text)
    if match and (found is None or match.start() < found[1]):
        when = _from_match(match, context)
        if when is not None:
            hours = when.time
            if hours is not None and match.group("ampm"):
                hour = hours.hour % 12 + (12 if match.group("ampm").lower() == "p" else 0)
                when = When(when.as_written, when.date, hours.replace(hour=hour))
            return when, match.start(), match.end()
    return found


# --- a document's own date: a day, or the first and last day it can be --------

RUSSIAN_MONTHS = {
    "января": 1,
    "февраля": 2,
    "марта": 3,
    "апреля": 4,
    "мая": 5,
    "июня": 6,
    "июля": 7,
    "августа": 8,
    "сентября": 9,
    "октября": 10,
    "ноября": 11,
    "декабря": 12,
}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
_YEAR4 = r"(?:1[6-9]\d\d|20\d\d)"
_MONTH_FULL = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_RU_MONTH = "(?:" + "|".join(RUSSIAN_MONTHS) + ")"
_DASH = r"\s*(?:-|–|—|\bto\b|\buntil\b|\bthrough\b)\s*"
# The forms a date line, a citation or a heading gives a document's date in; each
# alone (after qualifiers and brackets are taken off).
_DAY_FORMS = [
    # July 11, 1951 / September 03, 1952 / Sept. 3 1951
    re.compile(rf"(?P<month>{_MONTH_FULL})\s+(?P<day>[0-3]?\d),?\s+(?P<year>{_YEAR4})", re.I),
    # 11 July 1951 / 11 July, 1951
    re.compile(rf"(?P<day>[0-3]?\d)\s+(?P<month>{_MONTH_FULL}),?\s+(?P<year>{_YEAR4})", re.I),
    # 24 сентября 1957 г.
    re.compile(rf"(?P<day>[0-3]?\d)\s+(?P<ru>{_RU_MONTH})\s+(?P<year>{_YEAR4})(?:\s*г\.?)?", re.I),
    # 1951-07-11
    re.compile(r"(?P<year>1[6-9]\d\d|20\d\d)-(?P<mm>[01]\d)-(?P<day>[0-3]\d)"),
]
_RU_NOMINATIVE = {
    "январь": 1,
    "февраль": 2,
    "март": 3,
    "апрель": 4,
    "май": 5,
    "июнь": 6,
    "июль": 7,
    "август": 8,
    "сентябрь": 9,
    "октябрь": 10,
    "ноябрь": 11,
    "декабрь": 12,
}
_RU_ANY = "(?:" + "|".join([*RUSSIAN_MONTHS, *_RU_NOMINATIVE]) + ")"
_MONTH_FORM = re.compile(
    rf"(?:(?P<month>{_MONTH_FULL})|(?P<ru>{_RU_ANY})),?\s+(?P<year>{_YEAR4})(?:\s*г\.?)?", re.I
)
_YEAR_FORM = re.compile(rf"(?P<year>{_YEAR4})(?:\s*г\.?)?")
_SEASON_FORM = re.compile(rf"(?P<season>spring|summer|autumn|fall),?\s+(?P<year>{_YEAR4})", re.I)
# "July 10-12, 1951", "10-12 July 1951"
_DAYS_MDY = re.compile(
    rf"(?P<month>{_MONTH_FULL})\s+(?P<d1>[0-3]?\d){_DASH}(?P<d2>[0-3]?\d),?\s+(?P<year>{_YEAR4})",
    re.I,
)
_DAYS_DMY = re.compile(
    rf"(?P<d1>[0-3]?\d){_DASH}(?P<d2>[0-3]?\d)\s+(?P<month>{_MONTH_FULL}),?\s+(?P<year>{_YEAR4})",
    re.I,
)
_QUALIFIER = re.compile(
    r"^(?P<q>not\s+before|not\s+earlier\s+than|no\s+earlier\s+than|after|not\s+after|"
    r"not\s+later\s+than|no\s+later\s+than|before|circa|ca\.|c\.|about|approximately|"
    r"around|early|mid-?|late|between)\s*",
    re.I,
)


@dataclass(frozen=True)
class DocumentDate:
    """A document's date as its source gives it.

    ``date`` is the day, or the earliest day it can be; ``date_to`` the latest
    day for a month, a year or a range (``None`` when dated to the day, or when
    only a lower bound is known); ``as_written`` the words.
    """

    as_written: str
    date: dt.date | None
    date_to: dt.date | None = None
    qualified: bool = False  # "not before", "circa", "[…]": not the day itself

    @property
    def is_day(self) -> bool:
        return self.date is not None and self.date_to is None and not self.qualified


def _month_number(groups: dict) -> int:
    if groups.get("month"):
        return MONTHS[groups["month"].rstrip(".").lower()]
    if groups.get("mm"):
        return int(groups["mm"])
    word = groups["ru"].lower()
    return RUSSIAN_MONTHS.get(word) or _RU_NOMINATIVE[word]


def _last_day(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _bounds(text: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day of one date expression (no qualifier, no brackets)."""
    text = text.strip().rstrip(".,;")
    for form in _DAY_FORMS:
        match = form.fullmatch(text)
        if match:
            groups = match.groupdict()
            try:
                day = dt.date(int(groups["year"]), _month_number(groups), int(groups["day"]))
            except ValueError:
                return None
            return day, day
    for form in (_DAYS_MDY, _DAYS_DMY):
        match = form.fullmatch(text)
        if match:
            groups = match.groupdict()
            year, month = int(groups["year"]), _month_number(groups)
            try:
                first = dt.date(year, month, int(groups["d1"]))
                last = dt.date(year, month, int(groups["d2"]))
            except ValueError:
                return None
            return (first, last) if first <= last else None
    match = _MONTH_FORM.fullmatch(text)
    if match:
        year, month = int(match.group("year")), _month_number(match.groupdict())
        return dt.date(year, month, 1), _last_day(year, month)
    match = _SEASON_FORM.fullmatch(text)
    if match:
        year = int(match.group("year"))
        first, last = SEASONS[match.group("season").lower()]
        return dt.date(year, first, 1), _last_day(year, last)
    match = _YEAR_FORM.fullmatch(text)
    if match:
        year = int(match.group("year"))
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    when = parse_when(text)  # 21.XI.1951, 30.6.1951: numeric forms with a year
    if when is not None and when.date is not None and re.search(r"\d{2}\s*$", text):
        return when.date, when.date
    return None


def _range(text: str) -> tuple[dt.date, dt.date] | None:
    """``X - Y`` where both are date expressions; the year of Y completes X."""
    for sep in re.finditer(_DASH, text):
        left, right = text[: sep.start()].strip(), text[sep.end() :].strip()
        if not left or not right:
            continue
        last = _bounds(right)
        if last is None:
            continue
        first = _bounds(left)
        if first is None:
            year = re.search(rf"{_YEAR4}$", right)
            if year and not re.search(r"\d{4}", left):
                first = _bounds(f"{left} {year.group()}") or _bounds(f"{left}, {year.group()}")
        if first is not None and first[0] <= last[1]:
            return first[0], last[1]
    return None


def parse_document_date(text: str) -> DocumentDate | None:
    """``text`` read entirely as a document's date, or ``None``.

    A day (``July 11, 1951``, ``11 July 1951``, ``September 03, 1952``,
    ``21.XI.1951``, ``24 сентября 1957 г.``); a month (``June 1951``,
    ``February, 1950``), a season or a year (``1953``), which give the first
    and last day; a range (``July 10-12, 1951``, ``June-July 1951``,
    ``1950-1953``); any of them with a qualifier (``circa``, ``early``, ``not
    before``, ``not after``) or in editorial brackets (``[not before 3 July
    1951]``). The wording is kept in ``as_written``.
    """
    written = " ".join(text.split()).rstrip(",;")
    if not written or len(written) > 80:
        return None
    inner = written.strip("[]() ").rstrip(".")
    qualifier = ""
    match = _QUALIFIER.match(inner)
    if match:
        qualifier = " ".join(match.group("q").lower().split())
        inner = inner[match.end() :]
    if qualifier == "between":
        inner = re.sub(r"\s+and\s+", " - ", inner, count=1)
    bounds = _bounds(inner) or _range(inner)
    if bounds is None:
        return None
    first, last = bounds
    qualified = bool(qualifier) or written.startswith("[")
    if qualifier in ("not before", "not earlier than", "no earlier than", "after"):
        return DocumentDate(written, first, None, qualified)
    if qualifier in ("not after", "not later than", "no later than", "before"):
        return DocumentDate(written, None, last, qualified)
    if qualifier in ("early", "mid", "mid-", "late") and first == last:
        return None  # "early 3 July" is not a date
    return DocumentDate(written, first, None if first == last else last, qualified)


# A day with its year anywhere in a longer text (a title, a heading, a text).
_DAY_ANYWHERE = re.compile(
    rf"\b(?:(?P<month>{_MONTH_FULL})\s+(?P<day>[0-3]?\d),?\s+(?P<year>{_YEAR4})"
    rf"|(?P<day2>[0-3]?\d)\s+(?P<month2>{_MONTH_FULL}),?\s+(?P<year2>{_YEAR4})"
    rf"|(?P<day3>[0-3]?\d)\.(?P<roman>XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\.(?P<year3>{_YEAR4}|\d\d)"
    rf"|(?P<day4>[0-3]?\d)\.(?P<num>[01]?\d)\.(?P<year4>{_YEAR4}))(?![\d.]\d)",
    re.I,
)


def find_document_date(text: str) -> DocumentDate | None:
    """The first day written with its year in ``text`` (``6 September 1952``,
    ``Sent 29.V.1953``), or ``None``: a last resort for a document that has
    no date line."""
    for match in _DAY_ANYWHERE.finditer(text):
        g = match.groupdict()
        try:
            if g["year"]:
                day = dt.date(int(g["year"]), MONTHS[g["month"].rstrip(".").lower()], int(g["day"]))
            elif g["year2"]:
                month = MONTHS[g["month2"].rstrip(".").lower()]
                day = dt.date(int(g["year2"]), month, int(g["day2"]))
            elif g["year3"]:
                if match.group("roman") != match.group("roman").upper():
                    continue  # "1.v.1953" is no Roman month
                day = dt.date(_year(g["year3"]), ROMAN[g["roman"]], int(g["day3"]))
            else:
                day = dt.date(int(g["year4"]), int(g["num"]), int(g["day4"]))
        except ValueError:
            continue
        return DocumentDate(match.group(), day, None)
    return None
