"""Dates and times in the forms the cables write them (interchange.importers.dates)."""

import datetime as dt

import pytest

from interchange.importers.dates import find_when, parse_when

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
