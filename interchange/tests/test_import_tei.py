"""FRUS TEI: a volume and a single document, notes, page breaks and glosses kept."""

from __future__ import annotations

import datetime as dt

import pytest

from cables.models import Cable, Participant, SourceMark
from interchange.importers import parse
from interchange.importers.parsed import ImportFailure
from interchange.importers.writer import write
from tests.import_helpers import DATA

VOLUME = (DATA / "frus_volume.xml").read_text(encoding="utf-8")
SINGLE = (DATA / "frus_document.xml").read_text(encoding="utf-8")


def test_a_volume_gives_one_cable_per_document():
    parsed = parse(VOLUME)
    assert parsed.format == "frus-tei"
    first, second = parsed.documents
    assert first.fields["record_id"] == "frus1951v07p1/d427"
    assert first.fields["cable_number"] == "427"
    assert first.fields["source_url"].endswith("/historicaldocuments/frus1951v07p1/d427")
    assert first.fields["citation"].endswith("Volume VII, Part 1, Document 427")
    assert (first.sender, first.recipient) == ("Ridgway", "Joint Chiefs of Staff")
    assert (second.sender, second.recipient) == ("Joint Chiefs of Staff", "Ridgway")
    assert first.fields["date"] == dt.date(1951, 7, 10)
    assert first.fields["origin"] == "Tokyo"
    assert (first.fields["series"], first.fields["precedence"]) == ("Top Secret", "Priority")
    assert (second.fields["series"], second.fields["precedence"]) == ("Secret", "Niact")
    assert first.fields["archive_name"].startswith("Department of State, Central Files")


def test_paragraphs_lists_quotes_and_signature_are_passages():
    doc = parse(VOLUME).documents[0]
    kinds = [(p.kind, p.label) for p in doc.passages]
    assert ("body", "List") in kinds and ("body", "Quoted message") in kinds
    assert ("closing", "Signature") in kinds
    [listing] = [p for p in doc.passages if p.label == "List"]
    assert listing.text.splitlines()[0] == "1. Adoption of the agenda."
    assert [p.kind for p in doc.passages][-2:] == ["note", "note"]


def test_footnotes_page_breaks_and_abbreviations_are_kept_at_their_place(db):
    result = write(parse(VOLUME).documents[0])
    cable = result.cable
    marks = SourceMark.objects.filter(passage__cable=cable).select_related("passage", "note")
    calls = {m.label: m for m in marks if m.kind == "note"}
    assert calls["2"].note.text == "Not printed."
    assert calls["2"].passage.text[: calls["2"].start].endswith("yesterday.")
    assert calls["1"].note.label == "Source note 1"
    [page] = [m for m in marks if m.kind == "page"]
    assert (page.label, page.target) == ("650", "pg_650")
    assert page.passage.text[: page.start].endswith("agenda:")
    glosses = {m.passage.text[m.start : m.end]: m.expansion for m in marks if m.kind == "abbr"}
    assert glosses == {"JCS": "Joint Chiefs of Staff", "UNC": "United Nations Command"}


def test_a_single_document_div(db):
    [doc] = parse(SINGLE).documents
    assert doc.fields["record_id"] == "d427"
    Participant.objects.create(name="Matthew B. Ridgway", sort_name="Ridgway", slug="ridgway")
    result = write(doc)
    assert (
        result.unknown
        == [
            ("Joint Chiefs of Staff", "recipient of the cable"),
        ]
        or ("Ridgway", "sender of the cable") in result.unknown
    )
    assert Cable.objects.get().passages.filter(kind="note").count() == 2


def test_tei_that_is_not_well_formed_is_refused_with_its_line():
    broken = VOLUME.replace("</quote>", "", 1)
    with pytest.raises(ImportFailure, match="not well-formed") as info:
        parse(broken)
    assert info.value.line > 1


def test_entities_and_dtds_are_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE TEI [<!ENTITY a "aaaa">]><TEI>&a;</TEI>'
    with pytest.raises(ImportFailure, match="refused"):
        parse(bomb)


def test_a_document_without_a_date_is_refused():
    undated = SINGLE.replace(' when="1951-07-10T23:00:00+09:00"', "")
    with pytest.raises(ImportFailure, match="no date"):
        parse(undated)
