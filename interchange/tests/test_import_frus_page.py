"""FRUS pages copied from history.state.gov as text (docs/layouts.md, layouts 20–22).

The copies here are written for these tests in the layouts of real pages: the
source line, the head with its footnote digits glued on, classification in
lower case, a dateline or none, page markers, footnotes in either form.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cables.models import Cable, SourceMark
from interchange.importers import decode, frus_dates, frus_page, normalise, parse
from interchange.importers.parsed import INFERRED, ImportFailure
from interchange.importers.writer import write
from tests.import_helpers import DATA, SOURCE

LAYOUTS = DATA / "layouts"
MANIFEST = json.loads((LAYOUTS / "manifest.json").read_text(encoding="utf-8"))

TELEGRAM = """795.00/3–453: Telegram

The Consul at Testport (Reed) to the Secretary of State1

secret   niact

Testport, March 3, 1953—11 p. m.

52. Harbour closed by fog since noon.2 Pilots refuse to take ships out before dawn.

Have asked the port captain to keep the channel buoys lit through the night.

Reed
  1. Repeated for information to Tokyo.
  2. See telegram 51, March 2, p. 114.
"""


def _page(text: str):
    parsed = parse(text)
    assert parsed.format == "frus-page"
    [doc] = parsed.documents
    return doc


# -- Detection ------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [e for e in MANIFEST if e["file"].endswith(".txt")],
    ids=lambda e: e["file"],
)
def test_frus_pages_are_told_from_every_other_layout(entry):
    text = normalise(decode((LAYOUTS / entry["file"]).read_bytes()))
    is_frus = entry["format"] == "frus-page" or entry.get("layout") == "frus-page-listing"
    assert frus_page.looks_like(text) is is_frus


@pytest.mark.parametrize("path", [SOURCE, DATA / "wilson_page_117409.txt"])
def test_the_wilson_seed_is_not_a_frus_page(path):
    assert not frus_page.looks_like(normalise(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "text",
    [
        TELEGRAM,
        "Lot 55D128: Harbour Book, Tab 9: Telegram\n\nThe Secretary of State to the Consul "
        "at Testport (Reed)\n\n12. Keep the buoys lit.\n",
        "Editorial Note\n\nThe harbour records of 1953 are not printed here.\n",
        "The Consul at Testport (Reed) to the Secretary of State\n\nDear Sir: The fog "
        "[Page 9] lifted.1\n\n  1. Not printed.\n",
        "Document 52\nhttps://history.state.gov/historicaldocuments/frus1953v99/d52\n"
        "The Consul at Testport (Reed) to the Secretary of State\n\nFog.\n",
    ],
    ids=["file-number", "lot", "editorial-note", "head-first", "address"],
)
def test_frus_pages_in_each_form_are_recognised(text):
    assert frus_page.looks_like(text)


@pytest.mark.parametrize(
    "text",
    [
        # A Wilson Center citation naming a file, and a Bulletin heading with " to ".
        "795.00/3–453: Telegram\n\nThe Consul to the Secretary\n\nCitation:\n\n"
        '"Telegram", Wilson Center Digital Archive\n',
        "84. 3 July 1951, ciphered telegram, Mao Zedong to Filippov (Stalin)\n\nText.\n",
        "The Consul to the Secretary of State\n\nNo page markers and no footnotes here.\n",
    ],
)
def test_texts_that_only_resemble_frus_pages_are_not_taken(text):
    assert not frus_page.looks_like(text)


def test_a_chapter_listing_is_refused_with_the_line_of_its_second_entry():
    listing = (
        "The harbour question\n\n[51] The Consul at Testport (Reed) to the Secretary of State\n\n"
        "795.00/3–253: Telegram\n\n[52] The Consul at Testport (Reed) to the Secretary of State"
        "\n\n795.00/3–453: Telegram\n"
    )
    assert frus_page.looks_like(listing)
    with pytest.raises(ImportFailure, match="list of documents") as refused:
        parse(listing)
    assert refused.value.line == 7


# -- Fields ---------------------------------------------------------------------


def test_a_telegram_page_with_its_dateline():
    doc = _page(TELEGRAM)
    assert doc.title == "The Consul at Testport (Reed) to the Secretary of State"
    assert (doc.sender, doc.recipient) == ("Reed", "")
    assert doc.fields["date"] == dt.date(1953, 3, 3)
    assert "date" not in doc.found
    assert (doc.fields["signature"], doc.fields["document_type"]) == ("795.00/3–453", "Telegram")
    assert "archive" not in doc.fields, "a file number alone names no archive"
    assert (doc.fields["series"], doc.fields["precedence"]) == ("Secret", "Niact")
    assert doc.fields["origin"] == "Testport"
    assert doc.fields.get("record_id", "") == ""
    labels = [p.label for p in doc.passages]
    assert labels == [
        "Heading",
        "Opener",
        "Paragraph",
        "Paragraph",
        "Signature",
        "Source note",
        "Note 1",
        "Note 2",
    ]
    assert doc.passages[2].text.startswith("52. Harbour closed by fog since noon. Pilots")


def test_footnote_digits_become_calls_tied_to_their_notes(db):
    cable = write(_page(TELEGRAM)).cable
    calls = {
        m.label: m
        for m in SourceMark.objects.filter(passage__cable=cable, kind="note").select_related(
            "passage", "note"
        )
    }
    assert set(calls) == {"1", "2"}
    assert calls["1"].passage.kind == "heading"
    assert calls["1"].start == len("The Consul at Testport (Reed) to the Secretary of State")
    assert calls["1"].note.text == "Repeated for information to Tokyo."
    assert calls["2"].passage.text[: calls["2"].start].endswith("since noon.")
    assert calls["2"].note.label == "Note 2"
    assert "52." in cable.passages.get(position=2).text  # a telegram number is not a call


def test_without_a_dateline_the_file_number_dates_the_copy_inferred():
    copy = TELEGRAM.replace("Testport, March 3, 1953—11 p. m.\n\n", "")
    doc = _page(copy)
    assert doc.fields["date"] == dt.date(1953, 3, 4)  # 3–453: filed on 4 March
    assert doc.found["date"] == INFERRED


def test_the_dateline_wins_over_the_file_number():
    doc = _page(TELEGRAM.replace("795.00/3–453", "795.00/3–553"))
    assert doc.fields["date"] == dt.date(1953, 3, 3)


@pytest.mark.parametrize(
    ("reference", "day"),
    [
        ("795.00/2–2352", dt.date(1952, 2, 23)),
        ("795.00/12–252", dt.date(1952, 12, 2)),
        ("793B.00/1–1251", dt.date(1951, 1, 12)),
        ("611.93/3-1456", dt.date(1956, 3, 14)),
        ("740.0011 Pacific War/2438", None),
        ("Lot 55D128", None),
        ("795.00/13–152", None),
    ],
)
def test_the_day_of_a_file_number(reference, day):
    assert frus_dates.filed(reference) == day


def test_single_line_breaks_page_markers_labels_and_arrow_footnotes():
    copy = (
        "795.00/3–553: Telegram\n"
        "The Consul at Testport (Reed) to the Secretary of State\n"
        "top secret\n"
        "priority\n"
        "53. Three points.\n"
        "a.\n"
        "The buoys were lit all night.1\n"
        "[Page 115]\n"
        "b.\n"
        "The pilots went out at six and came back at [Page 116] noon.\n"
        "- Not printed.↩\n"
    )
    doc = _page(copy)
    assert (doc.fields["series"], doc.fields["precedence"]) == ("Top Secret", "Priority")
    texts = [p.text for p in doc.passages]
    assert "a. The buoys were lit all night." in texts
    assert "b. The pilots went out at six and came back at noon." in texts
    [b] = [p for p in doc.passages if p.text.startswith("b.")]
    pages = [(m.label, m.start) for m in b.marks if m.kind == "page"]
    assert pages == [("115", 0), ("116", len("b. The pilots went out at six and came back at "))]
    assert texts[-1] == "Not printed."
    assert doc.fields["date"] == dt.date(1953, 3, 5)


def test_an_editorial_note_page_is_undated_whatever_its_prose_says():
    doc = _page(
        "Editorial Note\n\nIn July 1953 the harbour [Page 4] records were moved; see "
        "April 9, 1953.\n"
    )
    assert doc.title == "Editorial Note"
    assert (doc.fields["date"], doc.fields.get("date_to")) == (None, None)
    assert doc.passages[1].text == (
        "In July 1953 the harbour records were moved; see April 9, 1953."
    )


def test_the_1952_54_number_line_and_a_call_after_a_year_in_the_head():
    doc = _page(
        "795.00/3–1453\n\nNo. 581\n\nMemorandum of Conversation, Washington, March 14, 19531"
        "\n\nsecret\n\nThe visitor spoke of fog.\n\n  1. Drafted by Reed.\n"
    )
    assert doc.fields["cable_number"] == "581"
    assert doc.title == "Memorandum of Conversation, Washington, March 14, 1953"
    assert doc.fields["date"] == dt.date(1953, 3, 14)  # from the file number, inferred
    assert doc.passages[0].marks[0].label == "1"


def test_a_newer_volumes_page_gives_its_source_as_the_first_footnote():
    copy = (
        "87. National Intelligence Estimate on the Harbours of Testland1\n\n"
        "Washington, May 31, 1956.\n\n"
        "The harbours will silt up within a decade.\n\n"
        "  1. Source: Department of State, INR Files: Lot 58 D 776, NIE 43–56. Secret.\n"
    )
    assert frus_page.looks_like(copy)
    doc = _page(copy)
    assert doc.title == "National Intelligence Estimate on the Harbours of Testland"
    assert doc.fields["cable_number"] == "87"
    assert doc.fields["archive"] == "Department of State, INR Files"
    assert doc.fields["signature"] == "Lot 58 D 776, NIE 43–56"
    assert doc.fields["series"] == "Secret"
    assert doc.fields["date"] == dt.date(1956, 5, 31)
    assert doc.passages[-1].label == "Source note 1"
    assert doc.passages[0].marks[0].note_index == len(doc.passages) - 1


def test_the_address_in_the_copy_gives_the_frus_id():
    doc = _page("https://history.state.gov/historicaldocuments/frus1953v99/d52\n\n" + TELEGRAM)
    assert doc.fields["record_id"] == "frus1953v99/d52"
    assert doc.fields["canonical_url"].endswith("/frus1953v99/d52")


def test_a_copy_that_stops_mid_sentence_is_incomplete(db):
    cut = "795.00/3–453: Telegram\n\nThe Consul at Testport (Reed) to the Secretary of State\n\n"
    cut += "52. Harbour closed by fog since noon. Pilots refuse to take"
    doc = _page(cut)
    assert doc.fields["complete"] is False
    cable = write(doc).cable
    assert (cable.complete, cable.status) == (False, Cable.Status.DRAFT)
