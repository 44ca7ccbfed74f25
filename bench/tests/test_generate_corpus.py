"""generate_corpus: a reproducible synthetic archive, kept apart, removed exactly."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotations.models import Annotation
from cables.mentions import NameMatcher
from cables.models import Cable, Collection, Mention, Participant, Passage
from telegrams.models import Agenda, AgendaItem, Telegram

WATCHED = ("cables", "telegrams", "annotations", "auth")


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_corpus", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in WATCHED
        for model in apps.get_app_config(label).get_models()
    }


def snapshot() -> list:
    """The generated archive without its primary keys."""
    cables = Cable.objects.filter(slug__startswith="synthetic-").order_by("slug")
    return [
        (
            c.slug,
            c.title,
            c.date,
            c.sender.name,
            [(p.kind, p.text, p.tail) for p in c.passages.order_by("position")],
            sorted(
                (m.passage.position, m.start, m.end, m.participant.name)
                for m in Mention.objects.filter(passage__cable=c).select_related(
                    "passage", "participant"
                )
            ),
            sorted(
                (a.passage.position, a.start, a.exact)
                for a in Annotation.objects.filter(passage__cable=c).select_related("passage")
            ),
        )
        for c in cables.select_related("sender")
    ]


def test_generates_cables_with_everything_a_cable_holds(db):
    out = generate("--cables", "40", "--seed", "7", "--annotations-per-cable", "1")
    assert "Generated 40 cables" in out
    collection = Collection.objects.get(slug="synthetic-corpus")
    assert collection.title == "Synthetic corpus"
    cables = Cable.objects.all()
    assert cables.count() == 40
    for cable in cables.prefetch_related("collections", "passages"):
        assert cable.slug.startswith("synthetic-corpus-")
        assert cable.record_id.startswith("synthetic-corpus-")
        assert [c.slug for c in cable.collections.all()] == ["synthetic-corpus"]
        kinds = [p.kind for p in cable.passages.all()]
        assert kinds[:2] == [Passage.Kind.HEADING, Passage.Kind.COVER_NOTE]
        assert kinds[-2:] == [Passage.Kind.CLOSING, Passage.Kind.HANDLING]
        assert 1 <= kinds.count(Passage.Kind.TELEGRAM) <= 4
        assert cable.handling.count() >= 2
    telegrams = Telegram.objects.select_related("passage")
    assert telegrams.count() >= 40
    assert all(t.author_id and t.recipients.exists() for t in telegrams)
    lengths = [len(t.passage.text) for t in telegrams]
    assert 150 < sum(lengths) / len(lengths) < 4000
    assert Participant.objects.filter(aliases__isnull=False).exists()
    assert Annotation.objects.filter(visibility="public").count() > 0
    assert not Annotation.objects.exclude(visibility="public").exists()
    for a in Annotation.objects.select_related("passage"):
        assert a.passage.text[a.start : a.end] == a.exact


def test_mentions_are_exactly_what_name_matching_finds(db):
    generate("--cables", "25", "--seed", "3")
    matcher = NameMatcher.from_database()
    for passage in Passage.objects.prefetch_related("mentions"):
        found = sorted((f.participant_id, f.start, f.end) for f in matcher.find(passage.text))
        stored = sorted((m.participant_id, m.start, m.end) for m in passage.mentions.all())
        assert stored == found, passage.text


def test_agendas_have_items_spanning_their_telegram(db):
    generate("--cables", "400", "--seed", "11", "--annotations-per-cable", "0")
    assert Agenda.objects.exists()
    for item in AgendaItem.objects.select_related("passage"):
        assert item.passage.text[item.start : item.end] == item.text


def test_the_same_seed_gives_the_same_archive(db):
    generate("--cables", "20", "--seed", "5")
    first = snapshot()
    generate("--remove")
    generate("--cables", "20", "--seed", "5")
    assert snapshot() == first
    generate("--remove")
    generate("--cables", "20", "--seed", "6")
    assert snapshot() != first


def test_removal_deletes_exactly_what_it_made(db, seed, users):
    before = row_counts()
    generate("--cables", "30", "--seed", "2", "--annotations-per-cable", "2")
    assert row_counts() != before
    out = generate("--remove")
    assert "Removed the synthetic corpus" in out
    assert row_counts() == before
    assert Cable.objects.filter(record_id="117409").exists()
    assert not get_user_model().objects.filter(username__startswith="synthetic-").exists()


def test_removal_refuses_when_others_annotated_the_corpus(db, users):
    generate("--cables", "5", "--seed", "1")
    passage = Passage.objects.filter(cable__slug__startswith="synthetic-").first()
    Annotation.objects.create(
        passage=passage, author=users.researcher, exact=passage.text[:5], start=0, end=5
    )
    with pytest.raises(CommandError, match="1 annotations"):
        generate("--remove")
    assert Cable.objects.count() == 5


def test_refuses_a_collection_outside_the_synthetic_namespace(db):
    with pytest.raises(CommandError, match="synthetic-"):
        generate("--cables", "3", "--collection", "korean-war")


def test_refuses_to_generate_into_an_existing_corpus(db):
    generate("--cables", "3")
    with pytest.raises(CommandError, match="exists already"):
        generate("--cables", "3")


def test_a_second_corpus_is_kept_apart_and_removed_alone(db):
    generate("--cables", "4", "--seed", "1")
    generate("--cables", "6", "--seed", "1", "--collection", "synthetic-more")
    assert Cable.objects.filter(collections__slug="synthetic-more").count() == 6
    generate("--remove", "--collection", "synthetic-more")
    assert Cable.objects.count() == 4
    assert not Collection.objects.filter(slug="synthetic-more").exists()
