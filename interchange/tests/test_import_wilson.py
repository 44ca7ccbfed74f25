"""Wilson Center text: importing 117409.txt gives the hand-made seed's structure."""

from __future__ import annotations

import datetime as dt

import pytest

from cables.models import Cable, Handling, Participant
from interchange.importers import parse
from interchange.importers.parsed import ImportFailure
from interchange.importers.structure import parse_body, telegram_spans
from interchange.importers.writer import write
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


def test_a_body_cut_off_inside_a_telegram_is_refused_as_truncated():
    cut = TEXT[: TEXT.index("3. The withdrawal")]
    with pytest.raises(ImportFailure, match="truncated") as info:
        parse(cut)
    assert info.value.line == cut.count("\n") + 1


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


def test_a_copied_page_without_its_record_id_is_refused():
    text = (DATA / "wilson_page_117409.txt").read_text(encoding="utf-8")
    text = text[: text.index("Record ID")]
    with pytest.raises(ImportFailure, match="Record ID"):
        parse(text)
