"""FRUS TEI: a volume and a single document, notes, page breaks and glosses kept.

Besides the two fixtures, the tests here build small documents in each
encoding generation (docs/layouts.md, layouts 15–19) from their own words:
the dates (local datelines against the Washington-time doc-dateTime range),
heads (printed numbers, legacy whitespace, footnote calls), the places a
source note stands, how senders are tagged, and a whole volume at once.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cables.models import Cable, Participant, SourceMark
from interchange.importers import frus_dates, parse, tei
from interchange.importers.parsed import INFERRED, ImportFailure
from interchange.importers.writer import write
from tests.import_helpers import DATA

VOLUME = (DATA / "frus_volume.xml").read_text(encoding="utf-8")
SINGLE = (DATA / "frus_document.xml").read_text(encoding="utf-8")
NS = 'xmlns="http://www.tei-c.org/ns/1.0" xmlns:frus="http://history.state.gov/frus/ns/1.0"'


def volume(*documents: str, front: str = "", volume_id: str = "frus1953v99") -> str:
    """A volume file holding ``documents`` (each a ``div type="document"``)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TEI {NS} xml:id="{volume_id}">
  <teiHeader><fileDesc><titleStmt>
    <title type="complete">Foreign Relations of the United States, 1953, Testland, Volume
      XCIX</title></titleStmt>
    <publicationStmt><idno type="frus">{volume_id}</idno></publicationStmt>
  </fileDesc></teiHeader>
  <text><front>{front}</front><body><div type="chapter" xml:id="ch1">
    <head>A chapter</head>
    {"".join(documents)}
  </div></body></text>
</TEI>"""


def one(document: str):
    [doc] = parse(volume(document)).documents
    return doc


# -- The fixtures -------------------------------------------------------------


def test_a_volume_gives_one_cable_per_document():
    parsed = parse(VOLUME)
    assert parsed.format == "frus-tei"
    first, second = parsed.documents
    assert first.fields["record_id"] == "frus1951v07p1/d427"
    assert first.fields["cable_number"] == "427"
    assert first.fields["canonical_url"] == (
        "https://history.state.gov/historicaldocuments/frus1951v07p1/d427"
    )
    assert first.fields["source_url"] == first.fields["canonical_url"]
    assert first.fields["citation"].endswith("Volume VII, Part 1, Document 427")
    assert (first.sender, first.recipient) == ("Ridgway", "Joint Chiefs of Staff")
    assert (second.sender, second.recipient) == ("Joint Chiefs of Staff", "Ridgway")
    assert first.fields["date"] == dt.date(1951, 7, 10)
    assert first.fields["origin"] == "Tokyo"
    assert (first.fields["series"], first.fields["precedence"]) == ("Top Secret", "Priority")
    assert (second.fields["series"], second.fields["precedence"]) == ("Secret", "Niact")
    assert first.fields["archive"] == "Department of State, Central Files"
    assert first.fields["signature"] == "795.00/7–1051"
    assert (first.line, second.line) == (24, 42)


def test_paragraphs_lists_quotes_and_signature_are_passages():
    doc = parse(VOLUME).documents[0]
    kinds = [(p.kind, p.label) for p in doc.passages]
    assert kinds[:2] == [("heading", "Heading"), ("address", "Opener")]
    assert doc.passages[1].text == "Top Secret\nPriority\nTokyo, 10 July 1951—11 p.m."
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
    # Without its volume a document id is not a FRUS id (d427 is in every long volume).
    assert "record_id" not in doc.fields and "canonical_url" not in doc.fields
    assert doc.fields["cable_number"] == "427"
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


def test_xml_that_is_not_tei_or_holds_no_document_is_refused():
    with pytest.raises(ImportFailure, match="root is <html>"):
        parse("<html><body><p>Hello</p></body></html>")
    with pytest.raises(ImportFailure, match="no <div"):
        parse(volume())


# -- Dates --------------------------------------------------------------------

SEOUL = """<div type="document" xml:id="d5" n="5" subtype="historical-document"
    frus:doc-dateTime-min="1953-06-25T19:00:00-05:00"
    frus:doc-dateTime-max="1953-06-25T19:00:00-05:00">
  <note rend="inline" type="source">795.00/6–2653: Telegram</note>
  <head>
    <hi rend="italic">The Ambassador in Testland</hi> (<persName type="from">
        <hi rend="italic">Quill</hi>
      </persName>) <hi rend="italic">to the <gloss type="to">Secretary
      of State</gloss>
    </hi>
  </head>
  <opener><dateline rendition="#right"><placeName><hi rend="smallcaps">Seoul</hi></placeName>,
      <date when="1953-06-26T09:00:00+09:00" calendar="gregorian">June 26,
      1953—9 a. m.</date></dateline></opener>
  <p>14. The harbour pilots reported fog at dawn.</p>
</div>"""


def test_the_local_dateline_wins_over_the_washington_range():
    doc = one(SEOUL)
    # min/max say June 25 (19:00 in Washington), the telegram was written on June 26.
    assert doc.fields["date"] == dt.date(1953, 6, 26)
    assert doc.fields["date_to"] is None
    assert "date" not in doc.found, "read from the dateline, not inferred"
    assert doc.fields["sender_dated"] == "June 26, 1953—9 a. m."


def test_the_dateline_text_wins_over_a_when_written_in_washington_time():
    doc = one(SEOUL.replace("1953-06-26T09:00:00+09:00", "1953-06-25T19:00:00-05:00"))
    assert doc.fields["date"] == dt.date(1953, 6, 26)


def _undated(minimum: str | None, maximum: str | None) -> str:
    attrs = ""
    if minimum:
        attrs += f' frus:doc-dateTime-min="{minimum}"'
    if maximum:
        attrs += f' frus:doc-dateTime-max="{maximum}"'
    return f"""<div type="document" xml:id="d7" n="7"{attrs}>
      <head>7. Editorial Note</head>
      <p>On March 3, 1953, the tide tables were revised; see also April 9, 1953.</p>
    </div>"""


def test_without_a_dateline_min_and_max_on_one_day_give_that_day_inferred():
    doc = one(_undated("1953-03-03T00:00:00-05:00", "1953-03-03T23:59:59-05:00"))
    assert (doc.fields["date"], doc.fields["date_to"]) == (dt.date(1953, 3, 3), None)
    assert doc.found["date"] == INFERRED


def test_min_and_max_days_apart_give_a_range_never_a_day():
    doc = one(_undated("1953-01-02T00:00:00-05:00", "1954-12-31T23:59:59-05:00"))
    assert doc.fields["date"] == dt.date(1953, 1, 2)
    assert doc.fields["date_to"] == dt.date(1954, 12, 31)
    assert doc.found["date"] == INFERRED


def test_only_a_minimum_is_that_day():
    doc = one(_undated("1953-05-04T10:00:00-04:00", None))
    assert (doc.fields["date"], doc.fields["date_to"]) == (dt.date(1953, 5, 4), None)


def test_a_document_with_no_date_at_all_is_undated_and_keeps_its_number(db):
    doc = one(_undated(None, None))
    assert (doc.fields["date"], doc.fields["date_to"]) == (None, None)
    assert doc.fields["cable_number"] == "7"
    assert not doc.problems, "an undated document is not a mistake"
    cable = write(doc).cable
    assert (cable.date, cable.status) == (None, Cable.Status.PUBLISHED)
    assert cable.provenance["date"] == "missing"


def test_a_meeting_dated_from_to_within_a_day_is_that_day():
    doc = one("""<div type="document" xml:id="d8" n="8"
        frus:doc-dateTime-min="1953-04-01T10:00:00-05:00"
        frus:doc-dateTime-max="1953-04-01T11:00:00-05:00">
      <head>8. Memorandum of a Conversation, Washington, April 1, 1953, 10–11 a.m.</head>
      <opener><dateline><placeName>Washington</placeName>, <date
          from="1953-04-01T10:00:00-05:00" to="1953-04-01T11:00:00-05:00"
          ana="#date_undated-inferred-from-document-head">April 1, 1953, 10–11
          a.m.</date></dateline></opener>
      <p>The visitor spoke of lighthouses.</p>
    </div>""")
    assert (doc.fields["date"], doc.fields["date_to"]) == (dt.date(1953, 4, 1), None)


def test_a_conference_over_days_is_a_range_with_its_wording():
    doc = one("""<div type="document" xml:id="d9" n="9">
      <head>9. Minutes of the Harbour Conference</head>
      <opener><dateline><placeName>Geneva</placeName>, <date from="1953-04-01"
          to="1953-04-03">April 1–3, 1953</date></dateline></opener>
      <p>The delegates met three times.</p>
    </div>""")
    assert doc.fields["date"] == dt.date(1953, 4, 1)
    assert doc.fields["date_to"] == dt.date(1953, 4, 3)
    assert doc.fields["date_as_written"] == "April 1–3, 1953"


def test_oldest_generation_dates_from_a_closing_paragraph_or_a_bracketed_year():
    closing = one("""<div type="document" xml:id="d40" n="40">
      <note rend="inline" type="source">893.00/4–2142</note>
      <head><hi rend="italic">The Secretary of State to the Consul at Testport</hi></head>
      <p>The consul will inform the harbour master of the new rules.</p>
      <p><hi rend="smallcaps">Washington</hi>, April 21, 1942.</p>
    </div>""")
    assert closing.fields["date"] == dt.date(1942, 4, 21)
    assert closing.fields["origin"] == "Washington"
    assert [p.label for p in closing.passages][:3] == ["Heading", "Paragraph", "Dateline"]
    bracketed = one("""<div type="document" xml:id="d41" n="41">
      <head>The Consul at Testport to the Secretary of State</head>
      <opener><dateline><placeName>Testport</placeName>, April 19 [1942.]
          <lb/>[Received April 20—8 a.m.]</dateline></opener>
      <p>The rules were posted.</p>
    </div>""")
    assert bracketed.fields["date"] == dt.date(1942, 4, 19)
    assert bracketed.fields["origin"] == "Testport"
    received = one("""<div type="document" xml:id="d42" n="42">
      <head>The Consul at Testport to the Secretary of State</head>
      <opener><dateline><placeName>Testport</placeName>, <date when="1942-05-08T16:00:00">May
          8—4 p.m.</date><lb/>[Received May 9—6:23 a.m.]</dateline></opener>
      <p>Fog again.</p>
    </div>""")
    assert received.fields["date"] == dt.date(1942, 5, 8), "the when, not the received day"
    untagged = one("""<div type="document" xml:id="d44" n="44">
      <head>The Consul at Testport to the Secretary of State</head>
      <opener><dateline>Testport, <date when="1942-05-10">May 10, 1942</date>.</dateline></opener>
      <p>Clear skies.</p>
    </div>""")
    assert (untagged.fields["origin"], untagged.fields["date"]) == (
        "Testport",
        dt.date(1942, 5, 10),
    )


def test_a_date_only_in_a_footnote_does_not_date_the_document():
    doc = one("""<div type="document" xml:id="d43" n="43">
      <head>Memorandum Handed to the Consul<note n="64" xml:id="d43fn64">Handed on April 18,
          1942.</note></head>
      <p>The rules apply from Monday.</p>
    </div>""")
    assert doc.fields["date"] is None


# -- Heads, titles and senders --------------------------------------------------


def test_the_printed_number_and_footnote_calls_are_not_in_the_title():
    modern = one("""<div type="document" xml:id="d87" n="87">
      <head>87. Telegram From the <gloss type="from">Embassy in Testland</gloss> to the <gloss
          type="to">Department of State</gloss><note n="1" type="source"
          xml:id="d87fn1">Source: Department of State, Central Files, 795.00/5–353. Secret;
          Niact.</note></head>
      <p>1164. Fog.</p></div>""")
    assert modern.title == "Telegram From the Embassy in Testland to the Department of State"
    assert modern.passages[0].text.startswith("87. Telegram"), "the passage keeps the print"
    legacy = one("""<div type="document" xml:id="d318" n="318">
      <head>No. 318<lb/>Memorandum of Conversation, by the Officer in Charge of Harbour Affairs
          (<persName corresp="#p_Q1">Quill</persName>)<note n="2" xml:id="d318fn2">Noted by
          the Secretary.</note></head>
      <p>The visitor called.</p></div>""")
    assert legacy.title == (
        "Memorandum of Conversation, by the Officer in Charge of Harbour Affairs (Quill)"
    )
    assert legacy.passages[0].text.startswith("No. 318\nMemorandum")


def test_legacy_line_breaks_inside_the_brackets_of_a_head_are_not_spaces():
    doc = one(SEOUL)
    assert doc.title == "The Ambassador in Testland (Quill) to the Secretary of State"
    assert doc.passages[0].text == doc.title
    assert doc.passages[1].text == "Seoul, June 26, 1953—9 a. m."


@pytest.mark.parametrize(
    ("head", "sender", "recipient"),
    [
        (
            'The Ambassador (<persName type="from">Quill</persName>) to the <gloss '
            'type="to">Secretary of State</gloss>',
            "Quill",
            "Secretary of State",
        ),
        (
            'The Secretary of State to the Ambassador (<persName corresp="#p_Q1">Quill</persName>)',
            "",
            "Quill",
        ),
        ("The Consul at Testport (Reed) to the Ambassador (Quill)", "Reed", "Quill"),
        (
            "Memorandum From the Special Assistant to the President (Reed) to the Secretary",
            "Reed",
            "",
        ),
        ("Memorandum of Conversation, by the Consul (Reed)", "Reed", ""),
        ("Editorial Note", "", ""),
    ],
)
def test_senders_tagged_typed_untyped_or_not_at_all(head, sender, recipient):
    doc = one(f'<div type="document" xml:id="d1" n="1"><head>{head}</head><p>Text.</p></div>')
    assert (doc.sender, doc.recipient) == (sender, recipient)


def test_a_name_in_the_source_note_is_not_the_sender():
    doc = one("""<div type="document" xml:id="d2" n="2"><head>2. Memorandum of a
        Conversation<note n="1" type="source" xml:id="d2fn1">Source: Department of State,
        Central Files, 611.93/3–1453. Drafted by <persName type="from">Reed</persName>.</note>
        </head><p>Text.</p></div>""")
    assert doc.sender == ""


def test_a_signature_in_small_capitals_or_strong_is_its_words():
    doc = one("""<div type="document" xml:id="d3" n="3"><head>The Consul (Reed) to the
        Secretary of State</head><p>Text.</p><closer><signed><persName><hi rend="strong"
        >Amos</hi></persName> <hi rend="smallcaps">Reed</hi><note n="9"
        xml:id="d3fn9">Signed in pencil.</note></signed></closer></div>""")
    [signature] = [p for p in doc.passages if p.label == "Signature"]
    assert signature.text == "Amos Reed"
    assert [m.label for m in signature.marks] == ["9"]


# -- Source notes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("before_head", "in_head", "archive", "signature"),
    [
        # Modern: a footnote of the head, typed source.
        (
            "",
            '<note n="1" type="source" xml:id="d4fn1">Source: Department of State, Central '
            "Files, 795.00/7–953. Top Secret; Priority. Repeated to Tokyo.</note>",
            "Department of State, Central Files",
            "795.00/7–953",
        ),
        # A footnote of the head that only says so by its words.
        (
            "",
            '<note n="1" xml:id="d4fn1">Source: Department of State, Harbour Files: Lot 55 D '
            "12, Tide Tables. Secret.</note>",
            "Department of State, Harbour Files",
            "Lot 55 D 12, Tide Tables",
        ),
        # Legacy: a line before the head, the file number and kind only.
        ('<note rend="inline" type="source">795.00/7–953: Telegram</note>', "", "", "795.00/7–953"),
    ],
)
def test_the_source_note_before_the_head_or_inside_it(before_head, in_head, archive, signature):
    doc = one(f"""<div type="document" xml:id="d4" n="4">{before_head}
        <head>The Consul (Reed) to the Secretary of State{in_head}</head>
        <p>Text.</p></div>""")
    assert doc.fields.get("archive", "") == archive
    assert doc.fields["signature"] == signature
    assert doc.title == "The Consul (Reed) to the Secretary of State"
    [source] = [p for p in doc.passages if p.label.startswith("Source note")]
    assert signature in source.text
    assert doc.passages[0].label == "Heading", "the source line is a note, not the heading"


def test_the_source_notes_markings_give_classification_and_precedence():
    doc = one("""<div type="document" xml:id="d4" n="4"><head>The Consul (Reed) to the
        Secretary<note n="1" type="source" xml:id="d4fn1">Source: Department of State, Central
        Files, 795.00/7–953. Confidential; Priority.</note></head><p>Text.</p></div>""")
    assert (doc.fields["series"], doc.fields["precedence"]) == ("Confidential", "Priority")


def test_classification_seg_after_the_dateline_and_flushleft_paragraph_are_not_text():
    segs = one("""<div type="document" xml:id="d5" n="5"><head>Reed to Quill</head>
      <opener><dateline><placeName>Testport</placeName>, <date when="1953-07-24T18:00:00">July
          24, 1953—6 p.
          m.</date></dateline>
        <seg rendition="#left"><hi rend="smallcaps">top secret</hi></seg>
        <seg rendition="#left"><hi rend="smallcaps">priority</hi></seg></opener>
      <p>C 100. Text.</p></div>""")
    assert (segs.fields["series"], segs.fields["precedence"]) == ("Top Secret", "Priority")
    assert segs.passages[1].text == "Testport, July 24, 1953—6 p. m.\ntop secret\npriority"
    assert segs.passages[2].text == "C 100. Text."
    flush = one("""<div type="document" xml:id="d6" n="6"><head>No. 6<lb/>Memorandum by Reed</head>
      <dateline>[<placeName>Washington</placeName>,] <date when="1953-12-02">December 2,
          1953</date>.</dateline>
      <p rend="flushleft">Secret</p>
      <list type="subject"><head>Subject:</head><item>Fog signals</item></list>
      <list type="participants"><head>Participants:</head><item>Mr. Reed</item></list>
      <p>The visitor called.</p></div>""")
    assert flush.fields["series"] == "Secret"
    assert flush.fields["date"] == dt.date(1953, 12, 2)
    assert [p.label for p in flush.passages][:3] == ["Heading", "Opener", "Paragraph"]
    assert flush.passages[1].text.splitlines()[:3] == [
        "[Washington,] December 2, 1953.",
        "Secret",
        "Subject:",
    ]


def test_legacy_subject_paragraph_and_participants_table_are_not_text():
    doc = one("""<div type="document" xml:id="d21" n="21">
      <note rend="inline" type="source"><gloss target="#t_HA1">HA</gloss> Files: Lot 56 D
          625</note>
      <head><hi rend="italic">Memorandum of Conversation, by the Consul</hi> (<hi
          rend="italic">Reed</hi>)</head>
      <opener><dateline>[<placeName><hi rend="smallcaps">Washington</hi></placeName>,] <date
          when="1953-02-01">February 1, 1953</date>.</dateline>
        <seg rendition="#left"><hi rend="smallcaps">confidential</hi></seg></opener>
      <p rend="flushleft">Subject: Fog Signals.</p>
      <table><row><cell>Participants:</cell><cell>Mr. Reed</cell></row>
        <row><cell/><cell>Mr. Quill</cell></row></table>
      <p>Mr. Quill asked about the horns.</p>
    </div>""")
    assert [p.label for p in doc.passages][:3] == ["Heading", "Opener", "Paragraph"]
    assert doc.passages[1].text.splitlines()[-2:] == ["Participants: Mr. Reed", "Mr. Quill"]
    assert doc.passages[2].text == "Mr. Quill asked about the horns."
    assert (doc.fields["signature"], doc.fields["archive"]) == ("Lot 56 D 625", "HA Files")
    assert doc.fields["series"] == "Confidential"
    assert doc.sender == "Reed"


# -- Text --------------------------------------------------------------------


def test_page_breaks_between_paragraphs_attachments_and_corrections_are_kept():
    doc = one("""<div type="document" xml:id="d10" n="10"><head>Reed to Quill</head>
      <p>First paragraph.</p>
      <pb n="12" xml:id="pg_12" facs="0040"/>
      <p>Second <choice><sic>paragrahp</sic><corr>paragraph</corr></choice>.</p>
      <frus:attachment>
        <head>Enclosure</head>
        <p>The enclosed tide table.<note n="3" xml:id="d10fn3">Not printed.<note n="4"
            xml:id="d10fn4">A note in a note.</note></note></p>
      </frus:attachment>
    </div>""")
    texts = [(p.label, p.text) for p in doc.passages]
    assert ("Paragraph", "Second paragraph.") in texts
    assert ("Attachment", "Enclosure") in texts
    assert ("Paragraph", "The enclosed tide table.") in texts
    [second] = [p for p in doc.passages if p.text == "Second paragraph."]
    assert [(m.kind, m.label, m.start) for m in second.marks] == [("page", "12", 0)]
    notes = [p for p in doc.passages if p.kind == "note"]
    assert [n.label for n in notes] == ["Note 3", "Note 4"]
    for passage in doc.passages:
        for mark in passage.marks:
            if mark.kind == "note":
                assert doc.passages[mark.note_index].label == f"Note {mark.label}"


def test_typographic_quotes_become_straight_in_the_text_and_title():
    doc = one("""<div type="document" xml:id="d11" n="11"><head>The Consul’s “Fog” Report</head>
      <p>He said “no” to the pilot’s request.</p></div>""")
    assert doc.title == 'The Consul\'s "Fog" Report'
    assert doc.passages[1].text == 'He said "no" to the pilot\'s request.'


# -- Whole volumes --------------------------------------------------------------


def test_front_matter_with_a_date_range_is_not_a_document():
    front = """<div type="section" xml:id="persons"
        frus:doc-dateTime-min="1953-01-01T00:00:00-05:00"
        frus:doc-dateTime-max="1953-12-31T23:59:59-05:00"><head>Persons</head>
        <list><item>Reed, Amos, Consul at Testport</item></list></div>
      <div type="section" xml:id="terms"><head>Abbreviations</head><list type="terms">
        <item><hi rend="strong"><term xml:id="t_TT1">TT</term></hi>, tide table</item>
      </list></div>"""
    doc_text = """<div type="document" xml:id="d1" n="1"><head>Reed to Quill</head>
        <p>The <gloss target="#t_TT1">TT</gloss> is late.</p></div>"""
    [doc] = parse(volume(doc_text, front=front)).documents
    [gloss] = doc.passages[1].marks
    assert gloss.expansion == "tide table"


def test_every_document_of_a_large_volume_in_order_with_its_line():
    documents = [
        f"""<div type="document" xml:id="d{n}" n="{n}"
            frus:doc-dateTime-min="1953-01-0{1 + n % 9}T00:00:00-05:00"
            frus:doc-dateTime-max="1953-01-0{1 + n % 9}T23:59:59-05:00">
          <head>{n}. The Consul (Reed) to the Secretary of State</head>
          <p>Report {n}.<note n="{n}" xml:id="d{n}fn{n}">Note {n}.</note></p>
        </div>\n"""
        for n in range(1, 1201)
    ]
    text = volume(*documents)
    parsed = tei.parse(text)
    assert [d.fields["cable_number"] for d in parsed] == [str(n) for n in range(1, 1201)]
    lines = text.splitlines()
    for doc in (parsed[0], parsed[599], parsed[-1]):
        assert f'xml:id="d{doc.fields["cable_number"]}"' in lines[doc.line - 1]
    assert parsed[-1].fields["record_id"] == "frus1953v99/d1200"
    assert parsed[-1].fields["date"] == dt.date(1953, 1, 1 + 1200 % 9)


def test_a_document_inside_a_document_stays_part_of_it():
    doc = one("""<div type="document" xml:id="d12" n="12"><head>Reed to Quill</head>
      <p>Covering letter.</p>
      <div type="document" xml:id="d12a"><head>Enclosure</head><p>The enclosure.</p></div>
    </div>""")
    assert "The enclosure." in [p.text for p in doc.passages]


# -- The date forms FRUS writes ----------------------------------------------------


@pytest.mark.parametrize(
    ("words", "date", "date_to"),
    [
        ("May 31, 1956—6 p.m.", dt.date(1956, 5, 31), None),
        ("Sept. 3, 1951", dt.date(1951, 9, 3), None),
        ("10 July 1951—11 p.m.", dt.date(1951, 7, 10), None),
        ("April 19 [1942.]", dt.date(1942, 4, 19), None),
        ("March 14, 1956, 3–4 p.m.", dt.date(1956, 3, 14), None),
        ("March 14–15, 1956", dt.date(1956, 3, 14), dt.date(1956, 3, 15)),
        ("March 31–April 2, 1956", dt.date(1956, 3, 31), dt.date(1956, 4, 2)),
    ],
)
def test_written_dates(words, date, date_to):
    span = frus_dates.written(words)
    assert (span.date, span.date_to) == (date, date_to)


@pytest.mark.parametrize("words", ["May 8—4 p.m.", "undated", "February 30, 1953", "Item 4"])
def test_what_is_not_a_full_date_dates_nothing(words):
    assert frus_dates.written(words) is None


def test_iso_values_keep_their_own_day_and_offset():
    assert frus_dates.between("1950-06-25T20:00:00-05:00", None).date == dt.date(1950, 6, 25)
    month = frus_dates.between("1951-07", "1951-07")
    assert (month.date, month.date_to) == (dt.date(1951, 7, 1), dt.date(1951, 7, 31))
    assert frus_dates.between("not a date", None) is None
