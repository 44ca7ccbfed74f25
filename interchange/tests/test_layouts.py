"""Every layout editors meet imports with the right fields (tests/data/layouts/).

The documents there are our own writing in the layouts of real archive pages
(docs/layouts.md says which real layout each stands for); manifest.json holds
the truth for each: date (a day, a range with its wording, or none), title,
archive, signature, record id or FRUS id, languages, the first words of the
text, and whether the copy is complete. Files that are not documents must be
refused with a reason and a line, and nothing written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from cables.models import Cable
from interchange.importers import ImportFailure, decode, parse
from interchange.importers.writer import write_all
from tests.import_helpers import load_people

LAYOUTS = Path(__file__).resolve().parents[2] / "tests" / "data" / "layouts"
MANIFEST = json.loads((LAYOUTS / "manifest.json").read_text(encoding="utf-8"))
DOCUMENTS = [e for e in MANIFEST if e["format"] != "not-a-document"]
REFUSED = [e for e in MANIFEST if e["format"] == "not-a-document"]
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _plain(text: str) -> str:
    """Words as a reader compares them: straight quotes, single spaces."""
    return " ".join(text.translate(QUOTES).split())


def _ids(entries):
    return [e["file"] for e in entries]


@pytest.fixture
def people(db):
    load_people()


def _import(entry) -> list[Cable]:
    data = (LAYOUTS / entry["file"]).read_bytes()
    parsed = parse(decode(data))
    results = write_all(parsed.documents)
    return [Cable.objects.get(pk=r.cable.pk) for r in results]


def _starts_with(cable: Cable, words: str) -> bool:
    """The text (or, for FRUS, its first passage after the heading) begins with ``words``."""
    passages = list(cable.passages.order_by("position"))
    candidates = ["".join(p.text + p.tail for p in passages)] + [p.text for p in passages[:3]]
    return any(_plain(c).startswith(_plain(words)) for c in candidates)


def _check_date(cable: Cable, truth) -> None:
    if truth is None:
        assert (cable.date, cable.date_to) == (None, None), "an undated document has no date"
    elif isinstance(truth, str):
        assert cable.date == dt.date.fromisoformat(truth)
        assert cable.date_to is None, "a document dated to the day has no latest day"
    else:
        assert cable.date == dt.date.fromisoformat(truth["from"])
        assert cable.date_to == dt.date.fromisoformat(truth["to"])
        if truth.get("as_written"):
            assert cable.date_as_written == truth["as_written"]


@pytest.mark.parametrize("entry", DOCUMENTS, ids=_ids(DOCUMENTS))
def test_every_field_of_the_manifest(people, entry):
    cables = _import(entry)
    if entry.get("translation_of"):
        # A page with the original-language text and its translation: two texts of
        # one record, each read on its own, linked as original and translation.
        assert len(cables) == 2, "two texts, the original and the translation"
        [translation] = [c for c in cables if c.translation_of_id is not None]
        [original] = [c for c in cables if c is not translation]
        assert translation.translation_of_id == original.pk
        assert original.text_language == entry["original_language_text"]["language"]
        assert translation.text_language == entry["translation_of"]["language"]
        assert _starts_with(original, entry["original_language_text"]["first_words"])
        assert _starts_with(translation, entry["translation_of"]["first_words"])
        record = translation
        languages = {c.text_language for c in cables}
    else:
        assert len(cables) == 1, "one document, one record"
        [record] = cables
        languages = {record.text_language}
        assert _starts_with(record, entry["first_words"]), (
            "the text begins where the document's does"
        )
    _check_date(record, entry["date"])
    if entry["title"] is not None:
        assert record.title == entry["title"]
    if entry["archive"]:
        assert entry["archive"] in (record.archive, record.archive_name)
    assert record.signature == (entry["signature"] or "")
    assert record.record_id == (entry.get("frus_id") or entry["record_id"] or "")
    assert languages == set(entry["languages"])
    assert record.original_language == (entry["original_language"] or "")
    assert record.complete is entry["complete"]


@pytest.mark.parametrize("entry", DOCUMENTS, ids=_ids(DOCUMENTS))
def test_importing_again_updates_in_place(people, entry):
    first = _import(entry)
    again = _import(entry)
    assert [c.pk for c in again] == [c.pk for c in first]
    assert Cable.objects.count() == len(first)


@pytest.mark.parametrize("entry", REFUSED, ids=_ids(REFUSED))
def test_what_is_not_a_document_is_refused_and_nothing_written(people, entry):
    data = (LAYOUTS / entry["file"]).read_bytes()
    with pytest.raises(ImportFailure) as refused:
        write_all(parse(decode(data)).documents)
    where = refused.value.located(entry["file"])
    assert re.match(rf"{re.escape(entry['file'])}:\d+: \S", where), where
    assert not Cable.objects.exists()
