"""Storing and resolving references (issue 16): the seed, editors' decisions, the
want-list resolving itself when the record arrives, the admin's reason."""

import datetime

import pytest

from cables.models import Cable, Passage
from telegrams.models import MissingRecord, Reference, Telegram
from telegrams.resolution import recompute_references
from tests.factories import admin_url

SEED = "cable-21680-mao-to-filippov-1951-07-11"


def seed_telegram(number):
    return Telegram.objects.get(passage__cable__slug=SEED, number=number)


@pytest.mark.django_db
def test_the_seeds_four_telegrams_are_what_the_cover_note_forwards_and_attachments_of_report_1(
    seed,
):
    forwarding = Reference.objects.get(passage__kind="cover_note", kind="forwarding")
    assert forwarding.target_telegram == seed_telegram(1)  # the brief report of 1145 10 July
    assert forwarding.count == 4 and forwarding.sender.name == "Li Kenong"
    assert forwarding.recipient.name == "Mao Zedong"
    for number in (3, 4):
        ref = Reference.objects.get(passage__telegram__number=number, kind="attachment")
        assert ref.target_telegram == seed_telegram(1)
        assert ref.score == 1.0 and "brief report" in ref.reason
    # The heading's, closing's and handling's numbers are the cable's own.
    assert not Reference.objects.filter(passage__kind__in=["heading", "closing", "handling"])
    # Telegram 1 names itself brief report Nº 1: no reference.
    assert not Reference.objects.filter(passage__telegram__number=1)


def _answer(text, date=datetime.date(1951, 7, 20)):
    from cables.models import Participant

    stalin = Participant.objects.get(slug="joseph-stalin")
    mao = Participant.objects.get(slug="mao-zedong")
    cable = Cable.objects.create(
        slug="answer", title="Answer", date=date, sender=stalin, recipient=mao
    )
    return Passage.objects.create(cable=cable, position=0, kind="body", text=text)


@pytest.mark.django_db
def test_a_reference_resolves_by_number_date_and_people_with_the_reason(seed):
    passage = _answer("Your telegram No. 3444 of 11 July was received.")
    ref = passage.references.get()
    assert ref.target_cable.slug == SEED and ref.target_telegram is None
    assert ref.score >= 0.9
    assert ref.reason.startswith("number 3444: its sender's number; date 11 July 1951; sender")


@pytest.mark.django_db
def test_an_unresolved_reference_waits_on_the_want_list_until_its_record_arrives(seed):
    passage = _answer("As your telegram of 15 July said.")
    ref = passage.references.get()
    assert ref.target is None and ref.missing is not None
    entry = MissingRecord.objects.wanted().get()
    assert entry.label == "Message of 15 July 1951 (Mao Zedong to Joseph Stalin)"
    assert [r.passage.cable.slug for r in entry.references.all()] == ["answer"]
    arrived = Cable.objects.create(
        slug="mao-15-july",
        title="Mao to Filippov, 15 July",
        date=datetime.date(1951, 7, 15),
        sender=passage.cable.recipient,
        recipient=passage.cable.sender,
    )
    ref.refresh_from_db()
    assert ref.target_cable == arrived and ref.missing is None
    assert not MissingRecord.objects.exists()


@pytest.mark.django_db
def test_recomputing_keeps_an_editors_decisions(seed):
    passage = _answer("Your telegram of 15 July and our telegram of 12 July.")
    first, second = passage.references.order_by("start")
    first.status = Reference.Status.REJECTED
    first.save()
    second.status = Reference.Status.CONFIRMED
    second.target_cable = Cable.objects.get(slug=SEED)  # the editor's own target
    second.save()
    passage.text = "Last week: " + passage.text
    passage.save()  # the text changed: references are found again
    recompute_references([passage])
    rows = list(passage.references.order_by("start"))
    assert [(r.surface, r.status) for r in rows] == [
        ("Your telegram of 15 July", "rejected"),
        ("our telegram of 12 July", "confirmed"),
    ]
    assert rows[0].start == len("Last week: ")  # moved with its words, not found again
    assert rows[1].target_cable.slug == SEED


@pytest.mark.django_db
def test_the_admin_shows_the_score_the_reason_and_the_want_list(seed, client, users):
    _answer("As your telegram of 15 July said.")
    client.force_login(users.admin)
    page = client.get(admin_url(Reference, "changelist")).content.decode()
    assert "brief report" in page and "number 1: it names itself" in page
    assert "— not in this archive" in page
    wanted = client.get(admin_url(MissingRecord, "changelist")).content.decode()
    assert "Message of 15 July 1951 (Mao Zedong to Joseph Stalin)" in wanted


@pytest.mark.django_db
def test_a_deleted_record_puts_its_references_back_on_the_want_list(seed):
    passage = _answer("As your telegram of 15 July said.")
    arrived = Cable.objects.create(
        slug="mao-15-july",
        title="Mao to Filippov, 15 July",
        date=datetime.date(1951, 7, 15),
        sender=passage.cable.recipient,
        recipient=passage.cable.sender,
    )
    assert passage.references.get().target_cable == arrived
    arrived.delete()
    ref = passage.references.get()
    assert ref.target is None
    assert ref.missing.label == "Message of 15 July 1951 (Mao Zedong to Joseph Stalin)"
