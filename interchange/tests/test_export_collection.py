"""export_collection and interchange.exchange.restore: a collection round-trips with annotations."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import Annotation, ResearchGroup, Tag
from cables.models import Cable, Collection, Mention, Participant, Side
from interchange import exchange
from telegrams.models import Agenda, Correspondence
from tests.annotation_cases import SEED_SLUG, build_scene, marker

pytestmark = pytest.mark.django_db

COLLECTION = "korean-war-armistice-talks"


def run_export(tmp_path, *args) -> dict:
    out = tmp_path / "collection.json"
    call_command("export_collection", COLLECTION, "--output", str(out), *args)
    return json.loads(out.read_text(encoding="utf-8"))


def normalised(data: dict) -> dict:
    """The document without what names database rows or the moment of export.

    Left out: ``exported``; each annotation's ``id`` (its URL holds the
    database id) and a reply's ``target`` (its root's id), replaced by the
    index of the item they name.
    """
    data = json.loads(json.dumps(data))
    data.pop("exported", None)
    for cable in data["cables"]:
        items = cable["annotations"]["first"]["items"]
        index = {item["id"]: i for i, item in enumerate(items)}
        for item in items:
            if item["motivation"] == "replying":  # a document note targets its cable
                item["target"] = index[item["target"]]
            item["id"] = index[item["id"]]
    return data


def empty_database():
    """Remove every cable, participant and annotation; keep the user accounts."""
    Annotation.objects.all().delete()
    Tag.objects.all().delete()
    ResearchGroup.objects.all().delete()
    Agenda.objects.all().delete()
    Cable.objects.all().delete()
    Participant.objects.all().delete()
    Side.objects.all().delete()
    Collection.objects.all().delete()


def test_export_writes_a_collection_document(tmp_path, seed):
    data = run_export(tmp_path)
    assert data["format"] == "readingroom-collection" and data["version"] == 1
    assert data["collection"]["slug"] == COLLECTION
    assert data["annotations_visible_to"] is None
    assert [c["cable"]["slug"] for c in data["cables"]] == [SEED_SLUG]
    assert data["cables"][0]["format"] == "readingroom-cable"


def test_public_only_without_user_and_the_users_own_with_user(tmp_path, seed, users):
    build_scene(users)
    public = json.dumps(run_export(tmp_path))
    assert marker("public") in public
    for hidden in ("private", "group", "hidden", "deleted"):
        assert marker(hidden) not in public, hidden
    theirs = json.dumps(run_export(tmp_path, "--user", "researcher"))
    assert marker("private") in theirs and marker("group") in theirs
    assert marker("hidden") not in theirs
    other = json.dumps(run_export(tmp_path, "--user", "outsider"))
    assert marker("private") not in other and marker("group") not in other


def test_round_trip_into_an_empty_database_gives_the_same_json(tmp_path, seed, users):
    build_scene(users)
    first = run_export(tmp_path, "--user", "researcher")
    empty_database()
    assert not Cable.objects.exists()
    cables = exchange.restore(first)
    assert [c.slug for c in cables] == [SEED_SLUG]
    again = run_export(tmp_path, "--user", "researcher")
    assert normalised(again) == normalised(first)
    # Privacy survives the trip: the private note is still the researcher's alone.
    private = Annotation.objects.get(body__contains=marker("private"))
    assert private.visibility == "private" and private.author == users.researcher
    assert json.dumps(run_export(tmp_path)).count(marker("private")) == 0


def test_restore_over_the_same_cable_updates_in_place(tmp_path, seed, users):
    scene = build_scene(users)
    data = run_export(tmp_path, "--user", "researcher")
    before = set(Annotation.objects.values_list("pk", flat=True))
    cable_pk = scene.cable.pk
    # An editor's change to the text since the export is undone by the restore, and
    # the annotations are re-anchored rather than lost or duplicated.
    passage = scene.cable.passages.get(position=3)
    passage.text = "Foreword. " + passage.text
    passage.save()
    (cable,) = exchange.restore(data)
    assert cable.pk == cable_pk
    assert set(Annotation.objects.values_list("pk", flat=True)) == before
    passage.refresh_from_db()
    note = Annotation.objects.get(pk=scene.notes["private"].pk)
    assert passage.text[note.start : note.end] == "four telegrams"
    assert Cable.objects.count() == 1 and Correspondence.objects.count() == 8


def test_dry_run_writes_nothing(tmp_path, seed, users):
    build_scene(users)
    data = run_export(tmp_path, "--user", "researcher")
    empty_database()
    cables = exchange.restore(data, dry_run=True)
    assert len(cables) == 1
    assert not Cable.objects.exists() and not Participant.objects.exists()


def test_restore_into_another_collection(tmp_path, seed):
    data = run_export(tmp_path)
    Collection.objects.create(title="Kaesong", slug="kaesong")
    (cable,) = exchange.restore(data, collection="kaesong")
    assert set(cable.collections.values_list("slug", flat=True)) == {COLLECTION, "kaesong"}


def test_single_cable_document_restores_too(client, seed, users):
    document = client.get(f"/cables/{SEED_SLUG}/export.json").json()
    empty_database()
    (cable,) = exchange.restore(document)
    assert cable.passages.count() == 10
    assert Mention.objects.filter(passage__cable=cable).count() == 35
    assert Annotation.objects.filter(passage__cable=cable).count() == 11


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.update(format="something-else"), "Unknown format"),
        (lambda d: d.update(version=99), "version"),
        (lambda d: d["cables"][0].pop("cable"), "malformed"),
        (lambda d: d["cables"][0]["passages"][3].update(text=42), "must be a string"),
        (lambda d: d["cables"][0]["cable"].update(date="11 July"), "malformed"),
        (lambda d: d["cables"][0]["telegrams"][2].update(attachment_of=9), "telegram 9"),
        (lambda d: d["cables"][0]["mentions"][0].update(start=10_000), "out of its text"),
        (
            lambda d: d["cables"][0]["annotations"]["first"]["items"][0]["creator"].update(
                nickname="nobody-here"
            ),
            "nobody-here",
        ),
    ],
)
def test_bad_documents_change_nothing(tmp_path, seed, users, mutate, message):
    data = run_export(tmp_path)
    empty_database()
    mutate(data)
    with pytest.raises(exchange.RestoreError, match=message):
        exchange.restore(data)
    assert not Cable.objects.exists() and not Participant.objects.exists()


def test_unknown_author_falls_back_to_the_given_user(tmp_path, seed, users):
    data = run_export(tmp_path)
    for item in data["cables"][0]["annotations"]["first"]["items"]:
        item["creator"]["nickname"] = "nobody-here"
    empty_database()
    exchange.restore(data, fallback_user=users.editor)
    assert set(Annotation.objects.values_list("author__username", flat=True)) == {"editor"}


def test_command_refuses_unknown_collection_and_user(tmp_path, seed):
    with pytest.raises(CommandError, match="no collection"):
        call_command("export_collection", "no-such-collection")
    with pytest.raises(CommandError, match="no user"):
        call_command("export_collection", COLLECTION, "--user", "ghost")


def test_drafts_approximate_dates_and_signatures_round_trip(tmp_path, seed):
    import datetime

    Cable.objects.filter(slug=SEED_SLUG).update(
        status=Cable.Status.DRAFT,
        complete=False,
        date=datetime.date(1951, 7, 1),
        date_to=datetime.date(1951, 7, 31),
        date_as_written="July 1951",
        signature="APRF, f. 45, op. 1, d. 339, l. 17-19",
        translator="Gary Goldberg",
    )
    data = run_export(tmp_path)
    empty_database()
    (cable,) = exchange.restore(data)
    cable.refresh_from_db()
    assert (cable.status, cable.complete) == (Cable.Status.DRAFT, False)
    assert (cable.date, cable.date_to, cable.date_as_written) == (
        datetime.date(1951, 7, 1),
        datetime.date(1951, 7, 31),
        "July 1951",
    )
    assert cable.signature == "APRF, f. 45, op. 1, d. 339, l. 17-19"
    assert cable.translator == "Gary Goldberg"
    assert cable.canonical_url == "https://digitalarchive.wilsoncenter.org/document/117409"


def test_an_export_made_before_drafts_existed_restores_as_published(tmp_path, seed):
    data = run_export(tmp_path)
    for entry in data["cables"]:
        for name in ("status", "complete", "date_to", "signature", "canonical_url"):
            entry["cable"].pop(name)
    empty_database()
    (cable,) = exchange.restore(data)
    cable.refresh_from_db()
    assert (cable.status, cable.complete, cable.date_to) == (Cable.Status.PUBLISHED, True, None)
