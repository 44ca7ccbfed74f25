"""Wilson Center text: importing 117409.txt gives the hand-made seed's structure."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cables.models import Cable, Handling, Participant
from interchange.importers import parse
from interchange.importers.parsed import ImportFailure
from interchange.importers.structure import parse_body, telegram_spans
from interchange.importers.writer import write, write_all
from telegrams.models import AgendaItem, Telegram
from tests.import_helpers import DATA, SOURCE, load_people, seed_rows

TEXT = SOURCE.read_text(encoding="utf-8")


def slug_of(pk):
    return Participant.objects.get(pk=pk).slug if pk else None


@pytest.fixture
def imported(db):
    load_people()
    [doc] = parse(TEXT).documents
    result = write(doc)
    return result.cable


def test_cable_header_fields_match_the_seed(imported):
    [seed] = seed_rows("cables.cable")
    cable = Cable.objects.get(pk=imported.pk)
    for name, value in seed.items():
        if name in ("pk", "slug", "collections", "related"):
            continue
        got = getattr(cable, name + "_id" if name in ("sender", "recipient") else name)
        if name in ("sender", "recipient"):
            assert slug_of(got) == slug_of(value), name
        else:
            assert str(got) == str(value), name


def test_passages_match_the_seed_passage_by_passage(imported):
    seed = seed_rows("cables.passage")
    passages = list(imported.passages.order_by("position"))
    assert len(passages) == len(seed)
    for passage, expected in zip(passages, seed, strict=True):
        assert (passage.position, passage.kind, passage.label) == (
            expected["position"],
            expected["kind"],
            expected["label"],
        )
        assert passage.text == expected["text"]
        assert passage.tail == expected["tail"]
    assert "".join(p.text + p.tail for p in passages) == TEXT[TEXT.index("SECOND MAIN") :]


def test_telegrams_match_the_seed(imported):
    seed = {t["pk"]: t for t in seed_rows("telegrams.telegram")}
    seed_number = {pk: t["number"] for pk, t in seed.items()}
    recipients = seed_rows("telegrams.telegramrecipient")
    telegrams = Telegram.objects.filter(passage__cable=imported).prefetch_related("recipients")
    assert telegrams.count() == 4
    for telegram in telegrams:
        [expected] = [t for t in seed.values() if t["number"] == telegram.number]
        assert slug_of(telegram.author_id) == slug_of(expected["author"])
        assert telegram.sent_as_written == expected["sent_as_written"]
        assert str(telegram.sent_on) == expected["sent_on"]
        assert (str(telegram.sent_time) if telegram.sent_time else None) == expected["sent_time"]
        assert telegram.reference == expected["reference"]
        assert (telegram.attachment_of.number if telegram.attachment_of else None) == (
            seed_number.get(expected["attachment_of"])
        )
        pk = [k for k, t in seed.items() if t["number"] == telegram.number][0]
        want = sorted(
            (r["role"], r["position"], slug_of(r["participant"]))
            for r in recipients
            if r["telegram"] == pk
        )
        got = sorted((r.role, r.position, r.participant.slug) for r in telegram.recipients.all())
        assert got == want


def test_handling_matches_the_seed(imported):
    seed = seed_rows("cables.handling")
    rows = list(Handling.objects.filter(cable=imported).order_by("position"))
    assert [
        (h.action, slug_of(h.agent_id), h.as_written, h.on and str(h.on), h.at and str(h.at))
        for h in rows
    ] == [(h["action"], slug_of(h["agent"]), h["as_written"], h["on"], h["at"]) for h in seed]


def test_numbered_lists_are_offered_as_agenda_candidates_with_the_seeds_spans(imported):
    seed = seed_rows("telegrams.agendaitem")
    for agenda_pk, number in ((1, 5), (2, 9)):
        expected = [i for i in seed if i["agenda"] == agenda_pk]
        telegram = 2 if agenda_pk == 1 else 3
        items = list(
            AgendaItem.objects.filter(
                agenda__telegram__passage__cable=imported, agenda__telegram__number=telegram
            ).order_by("number")
        )
        assert len(items) == number
        for item, want in zip(items, expected, strict=True):
            assert (item.number, item.text, item.start, item.end) == (
                want["number"],
                want["text"],
                want["start"],
                want["end"],
            )
        assert items[0].agenda.side is None  # a candidate: the editor sets the side


def test_importing_beside_the_seed_under_another_slug_gives_the_same_text(seed):
    [doc] = parse(TEXT.replace("/document/117409", "/document/999117409")).documents
    result = write(doc)
    original = Cable.objects.get(record_id="117409")
    assert result.created and result.cable.slug != original.slug
    assert result.cable.text() == original.text()


NESTED = """\
Cde. Filippov!

I forward a telegram:

"To Cde. Mao Zedong. Copies to Cde. Peng Dehuai.

I pass on Kim's message to me:

"To Cde. Li Kenong. We agree with the five points. Kim Il Sung. 0900 10 July".

I agree with Kim. Li Kenong. 1200 10 July 1951"

“To Cde. Mao Zedong. Second telegram with curly quotes. Li Kenong. 1300 10 July”

MAO ZEDONG Nº 3445 11 July
"""


def test_a_telegram_quoted_inside_another_stays_inside_it():
    body = parse_body(NESTED, context=dt.date(1951, 7, 11))
    telegrams = [p for p in body.passages if p.kind == "telegram"]
    assert len(telegrams) == 2
    outer = telegrams[0].telegram
    assert outer.author == "Li Kenong"
    assert outer.sent.as_written == "1200 10 July 1951"
    assert outer.copies == ["Peng Dehuai"]
    [inner] = outer.nested
    assert inner.startswith('"To Cde. Li Kenong. We agree')
    assert telegrams[1].text.startswith("“To Cde.") and telegrams[1].text.endswith("July”")
    assert "".join(p.text + p.tail for p in body.passages) == NESTED


UNBALANCED = """\
Cde. Filippov!

"To Cde. Mao Zedong. Joy said: "We discuss military questions only'. Nothing more.

Li Kenong. 1145 10 July

"To Cde. Mao Zedong. A second telegram. Li Kenong. 1200 10 July"

MAO ZEDONG Nº 3446 11 July
"""


def test_an_unbalanced_telegram_ends_where_the_next_one_begins():
    spans = telegram_spans(UNBALANCED)
    assert len(spans) == 2
    body = parse_body(UNBALANCED, context=dt.date(1951, 7, 11))
    first, second = [p for p in body.passages if p.kind == "telegram"]
    assert first.text.endswith("Li Kenong. 1145 10 July")
    assert first.telegram.sent.time == dt.time(11, 45)
    assert second.telegram.sent.time == dt.time(12, 0)
    assert body.sender == "MAO ZEDONG"


def test_a_body_cut_off_inside_a_telegram_is_imported_as_far_as_it_goes():
    cut = TEXT[: TEXT.index("3. The withdrawal")]
    [doc] = parse(cut).documents
    assert doc.fields["complete"] is False
    [problem] = doc.problems
    assert "truncated" in problem and "telegram that opens on line" in problem
    # Everything that is there is kept, passage by passage.
    assert doc.body() == cut[cut.index("SECOND MAIN") :]
    assert [p.kind for p in doc.passages][-2:] == ["telegram", "telegram"]


def test_a_text_that_stops_mid_sentence_is_cut_off():
    body = parse_body("Top Secret\n\nThe enemy has flown more sorties than", context=None)
    assert "mid-sentence" in body.cut_off
    # A signature, a short closing or a capitalised word is an ending.
    for ending in ("Kim Il Sung\n\nPyongyang", "Copies: Stalin, Molotov, Copy", "With greetings,"):
        assert parse_body(f"Top Secret\n\n{ending}", context=None).cut_off == ""


def test_the_copied_page_layout(db):
    load_people()
    parsed = parse((DATA / "wilson_page_117409.txt").read_text(encoding="utf-8"))
    assert parsed.format == "wilson-page"
    [doc] = parsed.documents
    assert doc.fields["record_id"] == "117409"
    assert doc.fields["title"] == "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    assert doc.fields["date"] == dt.date(1951, 7, 11)
    assert doc.fields["summary"].startswith("Mao sends Stalin four telegrams")
    assert doc.fields["archive"] == "APRF"
    assert doc.fields["original_language"] == "Russian"
    assert [p.kind for p in doc.passages] == [
        "heading",
        "stamp",
        "address",
        "cover_note",
        "telegram",
        "telegram",
        "telegram",
        "telegram",
        "closing",
        "handling",
    ]
    # The same document as the export: importing both gives one cable.
    write(parse(TEXT).documents[0])
    result = write(doc)
    assert not result.created
    assert Cable.objects.count() == 1


def test_a_copied_page_cut_off_before_its_record_id_is_kept_and_marked_incomplete():
    text = (DATA / "wilson_page_117409.txt").read_text(encoding="utf-8")
    [doc] = parse(text[: text.index("Record ID")]).documents
    assert doc.fields["complete"] is False
    assert any("Record ID" in p for p in doc.problems)
    assert doc.fields["title"] == "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    assert doc.body().startswith("SECOND MAIN DIRECTORATE")


# --- the structure of a text, beyond the seed ------------------------------------------

HEADER_AND_HANDLING = """\
Ciphered Telegram # 405533/sh

Deciphered by Ostrovsky on 08/12/50 at 7:05 a.m.

Distribution list - 8 copies: Stalin - 2, Molotov - 1.

Last night the chairman asked me to come to him.

S H T Y K O V

Typed by Lebedeva on 08/12/50 at 11:30 a.m.
"""


def test_handling_notes_are_the_lines_that_close_the_text_not_a_header_line():
    body = parse_body(HEADER_AND_HANDLING, context=dt.date(1950, 8, 12))
    assert [p.kind for p in body.passages] == ["body", "handling"]
    assert body.passages[0].text.endswith("S H T Y K O V")
    [typed] = body.handling
    assert (typed.action, typed.agent, typed.on, typed.at) == (
        "printed",
        "Lebedeva",
        dt.date(1950, 8, 12),
        dt.time(11, 30),
    )
    assert "".join(p.text + p.tail for p in body.passages) == HEADER_AND_HANDLING


def test_a_copy_number_is_not_the_senders_closing_line():
    text = "SECRET\n\nCopy Nº 2\n\nZhou Enlai came at his own request.\n\nA. VYSHINSKY\n"
    body = parse_body(text, context=None)
    assert "closing" not in [p.kind for p in body.passages]
    assert body.sender == ""


SITE_NUMBERING = """\
Cde. Filippov!

"To Cde. Mao Zedong. Copies to Cde. Peng Dehuai.

We propose the following:

  1. The line runs along the 38th parallel.

  1. Both sides withdraw ten kilometers.

  1. A joint commission marks the line.

Copies to:
1. Stalin - 2
2. Molotov
3. Malenkov

Li Kenong. 2200 27 July 1951"

MAO ZEDONG Nº 3702 28 July
"""


def test_every_item_numbered_1_is_a_list_of_1_2_3_and_a_distribution_list_no_agenda():
    body = parse_body(SITE_NUMBERING, context=dt.date(1951, 7, 28))
    [telegram] = body.passages[1:2]
    [agenda] = telegram.telegram.lists
    assert [(i.number, i.text) for i in agenda] == [
        (1, "The line runs along the 38th parallel."),
        (2, "Both sides withdraw ten kilometers."),
        (3, "A joint commission marks the line."),
    ]
    assert (
        telegram.text[agenda[1].start : agenda[1].end] == "1. Both sides withdraw ten kilometers."
    )


def test_a_letter_is_text_from_its_salutation_not_a_cover_note():
    text = "Esteemed Comrade Mao Zedong!\n\nI thank you for sending home the soldiers.\n"
    [passage] = parse_body(text, context=None).passages
    assert (passage.kind, passage.text) == ("body", text.strip())


def test_a_received_line_without_a_readable_date_keeps_its_words():
    undated = TEXT[TEXT.index("SECOND MAIN") :].replace("11 July 1951", "").replace("11 July", "")
    body = parse_body(undated, context=None)
    assert (body.handling[0].action, body.handling[0].as_written) == ("received", "1750")
    assert body.handling[0].on is None


LINES = [
    "",
    "SECOND MAIN DIRECTORATE OF THE GENERAL STAFF OF THE SOVIET ARMY",
    "CABLE Nº 4471",
    "[Stamp: SUBJECT TO RETURN Incoming Nº 12/34 3 July 1951]",
    'SERIES "G" T. to Cde. FILIPPOV Cde. Filippov!',
    '"To Cde. Mao Zedong. Copies to Cde. Kim Il Sung.',
    '"To Comrade Peng Dehuai.',
    "The delegation met at ten and said: \"we refuse'. Nothing more.",
    "  1. The line runs along the parallel.",
    "- 2. Both sides withdraw.",
    "1. Stalin - 2",
    'Li Kenong. 1145 10 July".',
    'Peng Dehuai 11.9.51"',
    "MAO ZEDONG Nº 3444 11 July",
    "Deciphered by Vaganov 1850 11 July",
    "Typed by Lebedeva on 08/12/50 at 11:30 a.m.",
    "Nº 1503",
    "Four copies printed. Nº 3 and 4 filed",
    "Copy Nº 2",
    "the text goes on and on without an end and",
    "”«„“",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINES), min_size=1, max_size=40))
def test_any_mix_of_cable_lines_cuts_into_passages_that_give_back_the_text(lines):
    body = "\n".join(lines).lstrip()  # a body begins with its first words
    if not body:
        return
    parsed = parse_body(body, context=dt.date(1951, 7, 11))
    assert "".join(p.text + p.tail for p in parsed.passages) == body
    assert all(p.text and p.text == p.text.rstrip() for p in parsed.passages)


# --- every layout of the archive (docs/layouts.md), in documents written for these tests ---

RIGHTS = (
    "The History and Public Policy Program welcomes reuse of Digital Archive materials for "
    "research and educational purposes.\n\nTo enquire about this document's rights status, "
    "please contact the History and Public Policy Program at [email protected]."
)

PAGE_2023 = f"""\
Skip to content
Menu
Home / Documents
Search

October 12, 1950

Ciphered Telegram No. 3100, Zakharov to Cde. Filippov [Stalin]

This document was made possible with support from Leon Levy Foundation



Top Secret


To Cde. Filippov.


The Korean comrades ask for two more regiments of field artillery before the rains.


Zakharov



Zakharov passes on the Korean request for artillery.

Associated People & Organizations

Associated Places

Document Information


TsAMO RF, fond 5, opis 918795, delo 124, list 429. Translated for CWIHP by Oleg Ivanov.


{RIGHTS}

Original Uploaded Date


2012-03-01


Type

Telegram

Language

English

Record ID


900312


Leon Levy Foundation

Subscribe
Privacy Policy
"""


def test_a_page_of_the_current_site_without_its_chrome_labels_or_rights():
    parsed = parse(PAGE_2023)
    assert parsed.format == "wilson-page"
    [doc] = parsed.documents
    f = doc.fields
    assert (f["title"], f["date"], f["date_to"]) == (
        "Ciphered Telegram No. 3100, Zakharov to Cde. Filippov [Stalin]",
        dt.date(1950, 10, 12),
        None,
    )
    assert f["signature"] == "TsAMO RF, fond 5, opis 918795, delo 124, list 429"
    assert (f["archive"], f["translator"]) == ("TsAMO RF", "Oleg Ivanov")
    assert f["summary"] == "Zakharov passes on the Korean request for artillery."
    assert f["credits"] == "This document was made possible with support from Leon Levy Foundation"
    assert (f["record_id"], f["canonical_url"]) == (
        "900312",
        "https://digitalarchive.wilsoncenter.org/document/900312",
    )
    assert (f["document_type"], f["text_language"], f["complete"]) == ("Telegram", "English", True)
    assert "source_url" not in f  # the page does not name its address
    text = doc.body()
    assert text.startswith("Top Secret") and text.endswith("Zakharov")
    assert "Skip to content" not in text and "support from" not in text
    assert doc.problems == []
    assert doc.found.get("record_id") is None  # read from the Record ID block
    assert doc.found["canonical_url"] == "inferred"


CITED_2013 = (
    '"Letter, Kim Il Sung to Mao Zedong," April, 1951, History and Public Policy Program '
    "Digital Archive, AVPRF, Fond 059a, Opis 5a, Delo 4, Papka 11, Listy 7-8. Translated by "
    "Vera Sokolova. https://digitalarchive.wilsoncenter.org/document/900400"
)
LEGACY_2013 = f"""\
Search in

Digital Archive International History Declassified

April, 1951


This document was made possible with support from the Leon Levy Foundation

  • Citation

    get citation

    Kim Il Sung asks Mao for winter boots for the People's Army.
    {CITED_2013}
  • share document


English HTML

Esteemed Comrade Mao Zedong!

  1. The army needs forty thousand pairs of boots.

  1. We ask that they be sent through Andong.

Kim Il Sung
"""


def test_the_first_site_design_has_its_title_and_summary_only_in_the_citation_block():
    [doc] = parse(LEGACY_2013).documents
    f = doc.fields
    assert f["title"] == "Letter, Kim Il Sung to Mao Zedong"
    assert doc.found["title"] == "inferred"  # from the citation
    assert (f["date"], f["date_to"], f["date_as_written"]) == (
        dt.date(1951, 4, 1),
        dt.date(1951, 4, 30),
        "April, 1951",
    )
    assert f["summary"] == "Kim Il Sung asks Mao for winter boots for the People's Army."
    assert f["signature"] == "AVPRF, Fond 059a, Opis 5a, Delo 4, Papka 11, Listy 7-8"
    assert f["translator"] == "Vera Sokolova"
    assert (f["record_id"], doc.found["record_id"]) == ("900400", "inferred")  # from the URL
    assert f["source_url"] == "https://digitalarchive.wilsoncenter.org/document/900400"
    assert doc.body().startswith("Esteemed Comrade Mao Zedong!")
    assert doc.body().endswith("Kim Il Sung")


CITED_2019 = (
    '"Record of Conversation between A.Ya. Vyshinsky and Pak Heon-yeong," May 04, 1952, '
    "History and Public Policy Program Digital Archive, AVPRF F. 0100, Op. 45, P. 363, Delo 2, "
    "Listy 1-4. Translated for NKIDP by Ivan Orlov. "
    "https://digitalarchive.wilsoncenter.org/document/900401"
)
LEGACY_2019 = f"""\
Search in
ADD SEARCH FILTER CANCEL SEARCH FILTER

Digital Archive International History Declassified

May 04, 1952

RECORD OF CONVERSATION BETWEEN A.YA. VYSHINSKY AND PAK HEON-YEONG

CITATION SHARE DOWNLOAD
  • Citation

    get citation

    Vyshinsky and Pak Heon-yeong discuss the exchange of prisoners.
    {CITED_2019}
  • share document

    https://digitalarchive.wilsoncenter.org/document/900401

VIEW DOCUMENT IN

English HTML

SECRET

Pak Heon-yeong came at his own request.

A. VYSHINSKY
"""


def test_an_upper_cased_title_takes_its_wording_from_the_citation():
    [doc] = parse(LEGACY_2019).documents
    f = doc.fields
    assert f["title"] == "Record of Conversation between A.Ya. Vyshinsky and Pak Heon-yeong"
    assert f["date"] == dt.date(1952, 5, 4)
    assert f["signature"] == "AVPRF F. 0100, Op. 45, P. 363, Delo 2, Listy 1-4"
    assert (f["archive"], f["translator"]) == ("AVPRF", "Ivan Orlov")
    assert doc.body() == "SECRET\n\nPak Heon-yeong came at his own request.\n\nA. VYSHINSKY"


MIRROR_FLAT = """\
Telegram from Stalin to Mao on the exchange of sick and wounded prisoners before the armistice.
March 3, 1953
Ciphered Telegram No. 9120, Razuvaev to Cde. Vyshinsky
CIPHERED TELEGRAM No. 9120
To Comrade VYSHINSKY
The Korean comrades agree to the exchange.
RAZUVAEV
###
Razuvaev reports the Korean agreement to exchange sick prisoners.
Author(s):
Associated Places
Document Information
Source
Rights
The History and Public Policy Program welcomes reuse of Digital Archive materials for res
"""


def test_a_flat_mirror_copy_starting_with_a_neighbours_summary_and_cut_off_in_the_rights():
    [doc] = parse(MIRROR_FLAT).documents
    f = doc.fields
    assert (f["title"], f["date"]) == (
        "Ciphered Telegram No. 9120, Razuvaev to Cde. Vyshinsky",
        dt.date(1953, 3, 3),
    )
    assert f["summary"] == "Razuvaev reports the Korean agreement to exchange sick prisoners."
    assert doc.body().startswith("CIPHERED TELEGRAM No. 9120")
    assert doc.body().endswith("RAZUVAEV")  # "###" closes the text
    assert f["complete"] is False and any("cut off" in p for p in doc.problems)
    assert "signature" not in f and "archive" not in f  # Source is empty


TWO_LANGUAGES = """\
Skip to content
May 8, 1952
Ciphered Telegram No. 1201, Filippov [Stalin] to Krasovsky, for Mao Zedong
[…]
Тов. МАО ЦЗЭДУНУ.
Мы получили вашу телеграмму о пленных и согласны с вашим ответом американцам.
ФИЛИППОВ
[…]
[...]
CIPHERED TELEGRAM No. 1201
To Comrade MAO ZEDONG.
We have received your telegram about the prisoners and agree with your answer to the Americans.
FILIPPOV
[...]
Stalin agrees with Mao's answer to the Americans on prisoners.
Document Information
Source
APRF, f. 45, op. 1, d. 348, l. 70.
Language
Russian
English
Record ID
900500
"""


def test_a_page_with_the_original_and_its_translation_gives_two_linked_documents(db):
    load_people()
    original, translation = parse(TWO_LANGUAGES).documents
    assert (original.fields["text_language"], translation.fields["text_language"]) == (
        "Russian",
        "English",
    )
    assert (original.translation_of, translation.translation_of) == (None, 0)
    assert original.body() == (
        "Тов. МАО ЦЗЭДУНУ.\nМы получили вашу телеграмму о пленных и согласны с вашим ответом "
        "американцам.\nФИЛИППОВ"
    )
    assert translation.body().startswith("CIPHERED TELEGRAM No. 1201")
    assert translation.body().endswith("FILIPPOV")
    for doc in (original, translation):  # both carry the record's fields
        assert doc.fields["title"].startswith("Ciphered Telegram No. 1201")
        assert doc.fields["date"] == dt.date(1952, 5, 8)
        assert doc.fields["signature"] == "APRF, f. 45, op. 1, d. 348, l. 70"
        assert doc.fields["original_language"] == "Russian"
        assert (
            doc.fields["canonical_url"] == "https://digitalarchive.wilsoncenter.org/document/900500"
        )
    # One record id, two texts: the writer tells them apart by their language.
    assert translation.fields["record_id"] == original.fields["record_id"] == "900500"
    first = write_all(parse(TWO_LANGUAGES).documents)
    again = write_all(parse(TWO_LANGUAGES).documents)
    assert [r.cable.pk for r in again] == [r.cable.pk for r in first]
    stored = Cable.objects.get(pk=first[1].cable.pk)
    assert stored.translation_of_id == first[0].cable.pk
    assert Cable.objects.count() == 2


PDF_TEXT = """\
Digital Archive
digitalarchive.wilsoncenter.org
International History Declassified

November 2, 1951
Ciphered Telegram No. 25100, Mao Zedong to Cde. Filippov [Stalin], on anti-
aircraft artillery for the railway bridges

Citation:
"Ciphered Telegram No. 25100, Mao Zedong to Cde. Filippov [Stalin], on anti-
aircraft artillery for the railway bridges", November 2, 1951, History and
Public Policy Program Digital Archive, APRF, f. 45, op. 1, d. 341, ll. 3-4.
http://digitalarchive.wilsoncenter.org/document/900600

Summary:
Mao asks for more anti-aircraft guns to protect the bridges over the
Yalu.

Original Language:
Russian

Contents:
English Translation
\fCIPHERED TELEGRAM No. 25100
Comrade FILIPPOV!
The enemy bombs the bridges every night, and our artil-
lery cannot cover them all.
1
\fDigital Archive
digitalarchive.wilsoncenter.org
International History Declassified
I ask you to send four more regiments.
MAO ZEDONG
"""


def test_pdf_text_loses_its_page_furniture_and_joins_hyphenated_words():
    parsed = parse(PDF_TEXT)
    assert parsed.format == "wilson-pdf"
    [doc] = parsed.documents
    f = doc.fields
    title = (
        "Ciphered Telegram No. 25100, Mao Zedong to Cde. Filippov [Stalin], on anti-aircraft "
        "artillery for the railway bridges"
    )
    assert f["title"] == title  # wrapped over two lines, hyphen kept after "anti"
    assert f["citation"].startswith(f'"{title}", November 2, 1951, History and Public Policy')
    assert f["summary"] == (
        "Mao asks for more anti-aircraft guns to protect the bridges over the Yalu."
    )
    assert (f["signature"], f["record_id"]) == ("APRF, f. 45, op. 1, d. 341, ll. 3-4", "900600")
    assert (f["original_language"], f["text_language"]) == ("Russian", "English")
    text = doc.body()
    assert text.startswith("CIPHERED TELEGRAM No. 25100")
    assert "our artillery\ncannot cover them all." in text
    assert "\f" not in text and "digitalarchive" not in text
    assert "all.\nI ask you" in text  # the page number and the next page's header are gone


DOCSLIB = (
    "May 5, 1952 Minutes Of Conversation Between I.V. Stalin And Kim Il Sung\n"
    "Total Page:6\n"
    "File Type:pdf, Size:301Kb\n"
    "Digital Archive digitalarchive.wilsoncenter.org International History Declassified "
    "May 5, 1952 Minutes of Conversation between I.V. Stalin and Kim Il Sung Citation: "
    "\u201cMinutes of Conversation between I.V. Stalin and Kim Il Sung,\u201d May 5, 1952, "
    "History and Public Policy Program Digital Archive, APRF, f. 45, op. 1, d. 348, ll. 1-6. "
    "http://digitalarchive.wilsoncenter.org/document/900700 Summary: Stalin and Kim discuss "
    "the harvest. Original Language: Russian Contents: English Translation Scan of Original "
    "Document [Stamp: Declassified] MINUTES OF CONVERSATION Stalin asked how the harvest was "
    "going and whether the"
)


def test_a_pdf_flattened_by_a_sharing_site_is_read_like_the_export():
    from interchange.importers import normalise

    [doc] = parse(normalise(DOCSLIB)).documents
    f = doc.fields
    # The site's Title Case line gives way to the PDF's own title.
    assert f["title"] == "Minutes of Conversation between I.V. Stalin and Kim Il Sung"
    assert f["date"] == dt.date(1952, 5, 5)
    assert f["summary"] == "Stalin and Kim discuss the harvest."
    assert f["contents_label"] == "English Translation\nScan of Original Document"
    assert doc.body().startswith("[Stamp: Declassified] MINUTES OF CONVERSATION")
    assert f["complete"] is False  # the preview stops mid-sentence


BULLETIN = """\
[ Pobierz całość w formacie PDF ]
12. 3 July 1951, ciphered telegram, Mao Ze-
dong to Filippov (Stalin), transmitting mes-
sage from Peng Dehuai
CIPHERED TELEGRAM No. 20001
Comrade FILIPPOV!
The enemy agrees to meet at Kaesong. We ask for your advice on the
choice of the delegates.
MAO ZEDONG
[Source: APRF, Fond 45, Opis 1, Delo 339,
Listy 3-4]
58 COLD WAR INTERNATIONAL HISTORY PROJECT BULLETIN
13. 4 July 1951, ciphered telegram, Filippov (Stalin) to Mao Zedong
CIPHERED TELEGRAM No. 3600
Comrade MAO ZEDONG!
We agree with the choice of the delegates and with the place of the meeting, which
suits both sides and leaves the front where it is. Keep us informed of every day of
the talks, and send us the texts of the statements of the other side.
FILIPPOV
(Source: APRF, Fond 45, Opis 1, Delo 339, Listy 5]
14. 5 July 1951, ciphered telegram, Mao Zedong to Filippov (Stalin)
CIPHERED TELEGRAM No. 20110
"""


def test_each_numbered_document_of_a_bulletin_and_a_note_of_the_one_cut_off():
    first, second = parse(BULLETIN).documents
    assert first.fields["title"] == (
        "ciphered telegram, Mao Zedong to Filippov (Stalin), transmitting message from Peng Dehuai"
    )
    assert first.fields["date"] == dt.date(1951, 7, 3)
    assert first.fields["signature"] == "APRF, Fond 45, Opis 1, Delo 339, Listy 3-4"
    assert first.body().endswith("MAO ZEDONG")
    assert "choice of the delegates" in first.body()  # the line break stays, no hyphen
    assert second.fields["title"] == "ciphered telegram, Filippov (Stalin) to Mao Zedong"
    assert second.fields["signature"] == "APRF, Fond 45, Opis 1, Delo 339, Listy 5"
    assert "BULLETIN" not in second.body() and second.body().endswith("FILIPPOV")
    assert any("14. 5 July 1951" in p for p in second.problems)  # the third is only begun
    assert first.problems == []


OCR_SHARE = """\
i ' .. - digitalarchive.wilsoncenter.org · .. CIPHERED TELEGRAN No. 2l07 ...

Upload: someone

Post on 03-Mar-2020

0 download

Page 1: i ' .. - digitalarchive.wilsoncenter.org · .. CIPHERED TELEGRAN No. 2l07

. I ' ..

digitalarchive.wilsoncenter.org

CIPHERED TELEGRAN No. 2l07

Sent 14.VI.1953 10:05

Tell Cornrade KIM IL SUNG that the proposal is accepted.

Page 2: GROMYKO
"""


def test_an_ocr_copy_on_a_sharing_site_keeps_the_text_and_says_what_is_missing():
    [doc] = parse(OCR_SHARE).documents
    assert doc.body() == (
        "CIPHERED TELEGRAN No. 2l07\n\nSent 14.VI.1953 10:05\n\n"
        "Tell Cornrade KIM IL SUNG that the proposal is accepted.\n\nGROMYKO"
    )
    assert (doc.fields["date"], doc.found["date"]) == (dt.date(1953, 6, 14), "inferred")
    assert "title" not in doc.fields
    assert any("title" in p for p in doc.problems) and any("14.VI.1953" in p for p in doc.problems)


INTRODUCTION = (
    "The record below was published in Russian in a collection of documents on the war in "
    "Korea; we give it in English translation from the Russian original."
)
MIRROR = f"""\
Record of the Conversation of Comrade A.Ya. Vyshinsky with Zhou Enlai 2 October 1952

{INTRODUCTION}

P. Novak.

Top secret

Vyshinsky received Zhou Enlai at his request.

Recorded by Fedorenko.


Click here to return to the index.
"""


def test_a_translation_republished_elsewhere_without_the_editors_introduction():
    [doc] = parse(MIRROR).documents
    f = doc.fields
    assert f["title"].startswith("Record of the Conversation of Comrade A.Ya. Vyshinsky")
    assert (f["date"], doc.found["date"]) == (dt.date(1952, 10, 2), "inferred")  # the title's
    assert doc.body() == (
        "Top secret\n\nVyshinsky received Zhou Enlai at his request.\n\nRecorded by Fedorenko."
    )
    assert f["original_language"] == "Russian"  # stated in the introduction
    assert any("introduction" in p for p in doc.problems)


@pytest.mark.parametrize(
    ("first_line", "date", "date_to", "as_written"),
    [
        (
            "June 1951 Note from Zhou Enlai to Roshchin",
            dt.date(1951, 6, 1),
            dt.date(1951, 6, 30),
            "June 1951",
        ),
        (
            "[not before 3 July 1951] Cable No. 22000, Mao Zedong to Filippov",
            dt.date(1951, 7, 3),
            None,
            "[not before 3 July 1951]",
        ),
    ],
)
def test_an_export_dated_only_approximately(first_line, date, date_to, as_written):
    export = TEXT.replace(
        "July 11, 1951 Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]", first_line, 1
    )
    [doc] = parse(export).documents
    f = doc.fields
    assert (f["date"], f["date_to"], f["date_as_written"]) == (date, date_to, as_written)
    assert f["title"] == first_line[len(as_written) + 1 :]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            "Skip to content\n\nResults:\n\n1 - 2 of 2\n\nJuly 28, 1951\n\nCable No. 1\n\n"
            "A summary.\n\nAugust 2, 1951\n\nCable No. 2\n\nAnother summary.\n",
            3,
            "search results",
        ),
        (
            "\nplease check the names against the original\n\nthe stamp was not legible\n",
            2,
            "neither a date nor a title",
        ),
        ("Just some notes.\n", 1, "not a format this importer knows"),
    ],
)
def test_what_is_not_a_document_is_refused_at_its_line(text, line, reason):
    with pytest.raises(ImportFailure) as refused:
        parse(text)
    assert refused.value.line == line and reason in refused.value.reason


def test_an_undated_page_is_kept_as_a_draft_saying_so():
    page = PAGE_2023.replace("October 12, 1950\n", "")
    [doc] = parse(page).documents
    assert doc.fields["title"].startswith("Ciphered Telegram No. 3100")
    assert (doc.fields.get("date"), doc.fields.get("date_to")) == (None, None)
    assert "no date found" in doc.problems


# --- long inputs: every step is linear ---------------------------------------------------


def _time(text: str, runs: int) -> float:
    """The best of ``runs`` parses (other work on the machine only ever adds time)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        parse(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize(
    "shape",
    [
        "page",  # a copied page with a very long text
        "flat",  # a PDF flattened into one line
        "quotes",  # many telegrams that never close
        "lists",  # many list items all numbered 1.
    ],
)
def test_a_two_megabyte_input_takes_about_ten_times_as_long_as_a_tenth_of_it(shape):
    def make(size: int) -> str:
        if shape == "page":
            unit = (
                "The delegation met again today and said: \"we refuse'. Li Kenong. 1145 10 July\n\n"
            )
            return PAGE_2023.replace("Top Secret", unit * (size // len(unit)))
        if shape == "flat":
            unit = "Zhou Enlai said that the Chinese side, on 3 July 1951, Citation: agreed. "
            return DOCSLIB.replace("going and whether the", unit * (size // len(unit)))
        if shape == "quotes":
            unit = '"To Cde. Mao Zedong. We ask "for more\n\n'
            return TEXT.replace("SECOND MAIN", unit * (size // len(unit)) + "SECOND MAIN")
        unit = "  1. Both sides withdraw ten kilometers.\n\n"
        return TEXT.replace("- 1. Adoption", unit * (size // len(unit)) + "- 1. Adoption")

    small, large = make(200_000), make(2_000_000)
    ratio = _time(large, 3) / max(_time(small, 5), 1e-3)
    # Linear is 10; quadratic would be 100. The margin is for a loaded machine
    # (two test workers and other work on 2 cores gave 28 once).
    assert ratio < 40, f"{shape}: 10 times the input took {ratio:.0f} times as long"


def test_menu_entries_the_chrome_list_does_not_know_come_before_the_date_line():
    page = PAGE_2023.replace("Search\n", "Search\nInsights & Analysis\nOur Experts\n")
    [doc] = parse(page).documents
    assert doc.fields["date"] == dt.date(1950, 10, 12)
    assert doc.fields["title"] == "Ciphered Telegram No. 3100, Zakharov to Cde. Filippov [Stalin]"


def test_a_date_line_inside_an_undated_documents_text_is_not_the_pages_date():
    page = (
        PAGE_2023.replace("October 12, 1950\n\n", "")
        .replace(
            "Ciphered Telegram No. 3100, Zakharov to Cde. Filippov [Stalin]", "Letter to Stalin"
        )
        .replace("This document was made possible with support from Leon Levy Foundation", "")
        .replace(
            "Top Secret\n",
            "Top Secret\n\n12 September 1950\n\nThe chairman received me today and asked again.\n",
        )
    )
    [doc] = parse(page).documents
    assert doc.fields.get("date") is None and "no date found" in doc.problems
    assert doc.fields["title"] == "Letter to Stalin"
    assert doc.body().startswith("Top Secret\n\n12 September 1950")


# --- the readers of single fields ------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "archive", "signature", "translator"),
    [
        (
            "AP RF, f. 45, op. 1, d. 336, ll. 51-52; and RGASPI, f. 558. Translated by P. Lipkin",
            "AP RF",
            "AP RF, f. 45, op. 1, d. 336, ll. 51-52; and RGASPI, f. 558",
            "P. Lipkin",
        ),
        ("AVPRF F. 0102, Op. 13, P. 72, Delo 5, Listy 201-214.", "AVPRF", None, None),
        (
            "Archive of the President of the Russian Federation (APRF), Fond 45, Opis 1, Delo 339",
            "APRF",
            None,
            None,
        ),
        (
            "PRC FMA 206-00047-09. Obtained by the History and Public Policy Program.",
            "PRC FMA",
            None,
            None,
        ),
        ("APRF, Listy 146-147, Fond and Opis not given", "APRF", None, None),
        (
            "TsAMO RF, fond 5, opis 918795. Translated for NKIDP by V. S. Lee.",
            "TsAMO RF",
            None,
            "V. S. Lee",
        ),
        ("APRF.", "APRF", "", None),  # an archive alone is no signature
    ],
)
def test_a_source_gives_its_first_archive_the_whole_reference_and_the_translator(
    source, archive, signature, translator
):
    from interchange.importers.wilson_fields import Record, read_reference

    record = Record()
    read_reference(record, source)
    expected = source.split(". Translated")[0].split(". Obtained")[0].rstrip(".")
    assert record.fields["archive"] == archive
    assert record.fields.get("signature", "") == (expected if signature is None else signature)
    assert record.fields.get("translator") == translator


def test_a_citations_parts_in_both_archive_names_and_with_the_comma_inside_the_quotes():
    from interchange.importers.wilson_fields import read_citation

    new = read_citation(
        '"Cable No. 1, Mao to Filippov", July 11, 1951, Wilson Center Digital Archive, '
        "APRF, f. 45, op. 1, d. 340, l. 28. https://digitalarchive.wilsoncenter.org/document/1"
    )
    assert (new.title, new.date.date) == ("Cable No. 1, Mao to Filippov", dt.date(1951, 7, 11))
    assert new.reference.startswith("APRF, f. 45, op. 1, d. 340, l. 28.")
    old = read_citation(
        '"Letter, Kim Il Sung to Mao Zedong," February, 1950, History and Public Policy '
        "Program Digital Archive, AVPRF."
    )
    assert (old.title, old.date.date_to) == (
        "Letter, Kim Il Sung to Mao Zedong",
        dt.date(1950, 2, 28),
    )
    undated = read_citation('"Note," History and Public Policy Program Digital Archive, AVPRF.')
    assert (undated.title, undated.date) == ("Note", None)


def test_the_address_the_text_came_from_beside_the_archives_own():
    from interchange.importers.wilson_fields import Record, read_addresses

    record = Record()
    read_addresses(
        record,
        "https://digitalarchive.wilsoncenter.org/document/113636 and the copy at "
        "https://wilson-center-digital-archive.dvincitest.com/document/113636.",
    )
    assert record.fields["source_url"] == (
        "https://wilson-center-digital-archive.dvincitest.com/document/113636"
    )
    assert (
        record.fields["canonical_url"] == "https://digitalarchive.wilsoncenter.org/document/113636"
    )
    assert (record.fields["record_id"], record.found["record_id"]) == ("113636", "inferred")
    slug = Record()
    read_addresses(slug, "https://digitalarchive.wilsoncenter.org/document/ciphered-telegram-no-1")
    assert "record_id" not in slug.fields  # a page's name is no record id


def test_dehyphenation_joins_words_split_at_line_ends_and_keeps_the_lines():
    from interchange.importers.wilson_pdf import dehyphenate

    assert dehyphenate("our artil-\nlery cannot\ncover") == "our artillery\ncannot\ncover"
    assert dehyphenate("the with-\ndrawal\nof troops") == "the withdrawal\nof troops"
    assert dehyphenate("anti-\naircraft guns") == "anti-aircraft\nguns"  # a prefix keeps it
    assert dehyphenate("Sino-\nSoviet talks") == "Sino-\nSoviet talks"  # a capital: a compound
    assert dehyphenate("1950-\n1953") == "1950-\n1953"


def test_the_language_of_a_text_is_that_of_its_script_unless_the_page_names_another():
    from interchange.importers.wilson_fields import language_of, stated_original

    assert language_of("Тов. МАО ЦЗЭДУНУ. HAM ИР согласен.") == ("Russian", "inferred")
    assert language_of("外交部关于朝鲜政治会议问题的几点意见") == ("Chinese", "inferred")
    assert language_of("Der Botschafter sagte", ["German"]) == ("German", "parsed")
    assert language_of("The ambassador said", ["Russian", "English"]) == ("English", "parsed")
    assert stated_original("in English translation from the Russian original") == "Russian"
    assert stated_original("translated from the Chinese by the editors") == "Chinese"
    assert stated_original("The original was lost") == ""


def test_the_old_designs_rights_and_footer_close_the_text_and_cut_nothing_off():
    page = LEGACY_2013 + f"\n\n{RIGHTS}\n\nPrivacy Policy\n© 2013 Wilson Center\n"
    [doc] = parse(page).documents
    assert doc.body().endswith("Kim Il Sung")
    assert doc.fields["complete"] is True and doc.problems == []


def test_a_current_page_cut_off_inside_its_text_is_incomplete():
    page = PAGE_2023[: PAGE_2023.index("Zakharov\n")]
    [doc] = parse(page).documents
    assert doc.fields["complete"] is False
    assert any("Document Information" in p for p in doc.problems)
    assert doc.body().endswith("before the rains.")


def test_a_bulletin_copy_beginning_inside_the_previous_document():
    copy = "and the front runs close to the parallel.\nMAO ZEDONG\n[Source: APRF, Fond 45]\n"
    first, second = parse(copy + BULLETIN).documents
    assert first.fields["date"] == dt.date(1951, 7, 3)
    assert any("begins with the end of another document" in p for p in first.problems)
