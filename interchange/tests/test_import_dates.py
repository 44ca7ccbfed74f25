"""Dates and times in the forms the cables write them, and documents' own dates
(interchange.importers.dates)."""

import datetime as dt

import pytest

from interchange.importers.dates import (
    find_document_date,
    find_when,
    find_when_us,
    parse_document_date,
    parse_when,
)

JULY_11 = dt.date(1951, 7, 11)


@pytest.mark.parametrize(
    ("written", "date", "time"),
    [
        ("10 July 1951", dt.date(1951, 7, 10), None),
        ("July 11, 1951", dt.date(1951, 7, 11), None),
        ("1145 10 July", dt.date(1951, 7, 10), dt.time(11, 45)),
        ("1750 11 July 1951", dt.date(1951, 7, 11), dt.time(17, 50)),
        ("30.6.1951", dt.date(1951, 6, 30), None),
        ("13.June.1951", dt.date(1951, 6, 13), None),
        ("21.XI.1951", dt.date(1951, 11, 21), None),
        ("1.7.51 5:30", dt.date(1951, 7, 1), dt.time(5, 30)),
        ("11 July", dt.date(1951, 7, 11), None),
    ],
)
def test_each_form_keeps_its_wording_and_gives_date_and_time(written, date, time):
    when = parse_when(written, JULY_11)
    assert (when.as_written, when.date, when.time) == (written, date, time)


def test_a_date_without_a_year_takes_it_from_the_context():
    assert parse_when("1145 10 July", dt.date(1952, 1, 3)).date == dt.date(1951, 7, 10)
    assert parse_when("30 December", dt.date(1952, 1, 3)).date == dt.date(1951, 12, 30)


def test_without_context_a_yearless_date_has_no_date_but_keeps_its_time():
    when = parse_when("1145 10 July")
    assert (when.date, when.time) == (None, dt.time(11, 45))


def test_not_a_date():
    assert parse_when("Li Kenong") is None
    assert parse_when("31.2.1951") is None


def test_a_date_found_inside_a_handling_note():
    when, start, end = find_when("Deciphered by Vaganov 1850 11 July", JULY_11)
    assert (when.as_written, when.date, when.time) == ("1850 11 July", JULY_11, dt.time(18, 50))


# --- a document's own date (date lines, citations, headings) -------------------------

D = dt.date


@pytest.mark.parametrize(
    ("written", "first", "last"),
    [
        # to the day: no latest day
        ("July 11, 1951", D(1951, 7, 11), None),
        ("September 03, 1952", D(1952, 9, 3), None),  # the 2013 site pads the day
        ("11 July 1951", D(1951, 7, 11), None),
        ("2.VIII.51", D(1951, 8, 2), None),
        ("24 сентября 1957 г.", D(1957, 9, 24), None),
        ("1951-07-11", D(1951, 7, 11), None),
        # a month, with or without the comma of the old listings
        ("June 1951", D(1951, 6, 1), D(1951, 6, 30)),
        ("February, 1950", D(1950, 2, 1), D(1950, 2, 28)),
        ("February 1952", D(1952, 2, 1), D(1952, 2, 29)),  # a leap year
        ("December 1950", D(1950, 12, 1), D(1950, 12, 31)),
        # a year, a season, a range
        ("1953", D(1953, 1, 1), D(1953, 12, 31)),
        ("Summer 1951", D(1951, 6, 1), D(1951, 8, 31)),
        ("July 10-12, 1951", D(1951, 7, 10), D(1951, 7, 12)),
        ("10–12 July 1951", D(1951, 7, 10), D(1951, 7, 12)),
        ("June-July 1951", D(1951, 6, 1), D(1951, 7, 31)),
        ("1950-1953", D(1950, 1, 1), D(1953, 12, 31)),
        ("between 3 and 5 July 1951", D(1951, 7, 3), D(1951, 7, 5)),
        # qualifiers and editorial brackets keep their wording
        ("[not before 3 July 1951]", D(1951, 7, 3), None),
        ("not after 5 May 1952", None, D(1952, 5, 5)),
        ("circa 1951", D(1951, 1, 1), D(1951, 12, 31)),
        ("early June 1951", D(1951, 6, 1), D(1951, 6, 30)),
    ],
)
def test_a_document_date_is_a_day_or_its_first_and_last_day(written, first, last):
    when = parse_document_date(written)
    assert (when.date, when.date_to, when.as_written) == (first, last, written)


def test_a_day_is_a_day_and_a_month_is_not():
    assert parse_document_date("July 11, 1951").is_day
    assert not parse_document_date("June 1951").is_day
    assert not parse_document_date("[not after 3 July 1951]").is_day
    assert not parse_document_date("[not before 3 July 1951]").is_day
    assert not parse_document_date("circa 3 July 1951").is_day
    assert parse_document_date("[3 July 1951]").date == D(1951, 7, 3)  # supplied by an editor


@pytest.mark.parametrize(
    "text",
    [
        "Skip to content",
        "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]",
        "31 February 1951",
        "July 12-10, 1951",  # a range that ends before it begins
        "12",
        "195",
        "early 3 July 1951",
        "Mao passes on to Stalin two reports from Li Kenong of 27 July 1951.",
        "",
    ],
)
def test_what_is_not_a_date_line(text):
    assert parse_document_date(text) is None


def test_the_first_day_with_its_year_in_a_longer_text():
    title = (
        "Record of the Conversation of Comrade A.Ya. Vyshinsky with Kim Il Sung 6 September 1952"
    )
    assert find_document_date(title).date == D(1952, 9, 6)
    # A day without a year is passed over; a Roman month counts.
    text = "Reply to the proposals of 25 May. Sent 29.V.1953 23:10"
    found = find_document_date(text)
    assert (found.date, found.as_written) == (D(1953, 5, 29), "29.V.1953")
    assert find_document_date("Delo 29, Listy 14-16, 1.v.1953") is None  # no Roman month
    assert find_document_date("no date here at all") is None


def test_month_first_slashed_dates_of_american_translators():
    when, start, end = find_when_us("Typed by Lebedeva on 08/12/50 at 11:30 a.m.")
    assert (when.date, when.time) == (D(1950, 8, 12), dt.time(11, 30))
    assert when.as_written == "08/12/50 at 11:30 a.m."
    when, _, _ = find_when_us("Received in Moscow on 08/12/50 at 5:55 p.m.")
    assert when.time == dt.time(17, 55)
    # The earliest of either form wins, and find_when itself does not read slashes.
    when, _, _ = find_when_us("Deciphered 1850 11 July, copied 07/12/51")
    assert when.as_written == "1850 11 July"
    assert find_when("Typed on 08/12/50") is None
