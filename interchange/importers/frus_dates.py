"""Dates in FRUS documents: datelines as written, the volume's ``doc-dateTime``
range, and the date a decimal file number was given.

A document's date is its own, as its dateline writes it: the local day of the
place it was written in. The ``frus:doc-dateTime-min``/``-max`` attributes of
the TEI are normalised to Washington time (often a fixed -05:00, even in
summer), so a Seoul telegram of the morning of June 26 carries the evening of
June 25 there; they are a fallback for documents without a dated dateline, and
when they span more than a day (an editorial note may carry the whole volume's
coverage) they give a range, never a day.

A decimal file number ends with the day the document was filed,
month–day–two-digit year: ``795.00/2–2352`` is 23 February 1952. It can be a
day or more after the document's own date, so it is only a last resort.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_YEAR = r"(?:1[6-9]\d\d|20\d\d)"
# "May 31, 1956", "March 31–April 2, 1956", "March 14–15, 1956", "April 19 [1942.]",
# "Sept. 3, 1951"; the year may stand in editorial brackets.
_MDY = re.compile(
    rf"(?P<m1>{_MONTH})\s+(?P<d1>[0-3]?\d)"
    rf"(?:\s*[–—-]\s*(?:(?P<m2>{_MONTH})\s+)?(?P<d2>[0-3]?\d))?"
    rf",?\s*\[?\s*(?P<year>{_YEAR})\b\.?\]?"
)
# "10 July 1951", "10–12 July 1951"
_DMY = re.compile(
    rf"\b(?P<d1>[0-3]?\d)(?:\s*[–—-]\s*(?P<d2>[0-3]?\d))?\s+(?P<m1>{_MONTH})"
    rf",?\s+\[?(?P<year>{_YEAR})\b\.?\]?"
)
_ISO = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d\d)(?:-(?P<day>\d\d))?)?")
# 795.00/2–2352, 611.93/3-1456, 793B.00/1–1251 (month, day, two-digit year)
_FILE_DATE = re.compile(r"/(?P<month>1[0-2]|0?[1-9])[–-](?P<day>[0-3]?\d)(?P<year>\d\d)(?!\d)")


@dataclass(frozen=True)
class Span:
    """A date, or the first and last day it can be; ``as_written`` its words."""

    date: dt.date
    date_to: dt.date | None = None
    as_written: str = ""

    @property
    def is_day(self) -> bool:
        return self.date_to is None


def _month(word: str) -> int:
    return MONTHS[word.rstrip(".").lower()[:3]]


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def written(text: str) -> Span | None:
    """The first date written in ``text`` (a dateline, a closing line), or None.

    Only full dates count: a day and month without a year (``May 8``) is not
    enough to date a document.
    """
    found = [m for m in (_MDY.search(text), _DMY.search(text)) if m]
    if not found:
        return None
    match = min(found, key=lambda m: m.start())
    year = int(match["year"])
    first = _day(year, _month(match["m1"]), int(match["d1"]))
    if first is None:
        return None
    words = " ".join(match.group().split())
    if "[" not in words:
        words = words.rstrip(".")
    if match["d2"] is None:
        return Span(first, None, words)
    month_to = _month(match["m2"]) if match.groupdict().get("m2") else first.month
    last = _day(year, month_to, int(match["d2"]))
    if last is None or last < first:
        return Span(first, None, words)
    return Span(first, last if last != first else None, words)


def iso(value: str | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day of an ISO value as written (its own offset kept):
    ``1956-05-31T18:00:00+09:00`` is 31 May; ``1951-07`` all of July."""
    match = _ISO.match((value or "").strip())
    if not match:
        return None
    year = int(match["year"])
    if match["day"]:
        day = _day(year, int(match["month"]), int(match["day"]))
        return (day, day) if day else None
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            return None
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def between(start: str | None, end: str | None, as_written: str = "") -> Span | None:
    """The span from ``start`` to ``end`` (ISO values): a day when both fall on one."""
    first, last = iso(start), iso(end or start)
    if first is None:
        return None
    if last is None or last[1] < first[0]:
        last = first
    if first[0] == last[1]:
        return Span(first[0], None, as_written)
    return Span(first[0], last[1], as_written)


def filed(reference: str) -> dt.date | None:
    """The day a decimal file number was given (``795.00/2–2352``: 23 February 1952)."""
    match = _FILE_DATE.search(reference)
    if not match:
        return None
    return _day(1900 + int(match["year"]), int(match["month"]), int(match["day"]))
