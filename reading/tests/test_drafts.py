"""A draft (an import an editor has not reviewed) is never shown to readers.

Not in the catalogue, the home page, search, a person's page, the chronology,
the split view, the agenda comparison, the suggestions, the annotations list
or any export; its own addresses answer 404. Editors find it in the admin,
and once they publish it readers see it like any other record.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from annotations.models import Annotation
from cables.models import Cable, Handling, Passage
from search.indexer import index_cables
from telegrams.models import Agenda, AgendaItem, Telegram, TelegramRecipient
from tests.annotation_cases import annotate
from tests.factories import admin_url, build_archive, mention

WORD = "zebrawort"  # in the draft's text and nowhere else
TITLE = "Ciphered telegram No. 4711, Filippov to Mao Zedong on zebrawort"


@pytest.fixture
def draft(db, users):
    archive = build_archive(2)
    people, sides = archive.people, archive.sides
    cable = Cable.objects.create(
        title=TITLE,
        slug="draft-4711",
        date=dt.date(1953, 3, 1),  # later than anything else: the home page's latest
        record_id="704999",
        status=Cable.Status.DRAFT,
        problems=["no date found"],
        sender=people["stalin"],
        recipient=people["mao"],
    )
    cable.collections.add(archive.collections["korea"])
    passage = Passage.objects.create(
        cable=cable,
        position=0,
        kind=Passage.Kind.TELEGRAM,
        text=f"To Cde. Mao Zedong. On {WORD}: 1. First point 2. Second point. Filippov",
    )
    mention(passage, people["mao"], "Mao Zedong")
    telegram = Telegram.objects.create(
        passage=passage, number=1, author=people["stalin"], sent_on=dt.date(1953, 3, 1)
    )
    TelegramRecipient.objects.create(telegram=telegram, participant=people["kim"], position=0)
    Handling.objects.create(
        cable=cable, position=0, action="deciphered", agent=people["vaganov"], on=cable.date
    )
    agenda = Agenda.objects.create(
        title="Draft points on zebrawort",
        slug="draft-points",
        side=sides["communist"],
        telegram=telegram,
        date=cable.date,
    )
    AgendaItem.objects.create(agenda=agenda, number=1, text="First point", passage=passage)
    note = annotate(users.editor, passage, WORD, body="A public note", visibility="public")
    index_cables([cable.pk, archive.cable.pk, archive.older.pk])
    return cable, note, archive


def _reader_pages(cable, note, archive):
    """Every reader page that could show the draft, and what it must not contain."""
    return [
        reverse("cables:home"),
        reverse("cables:catalogue"),
        reverse("cables:catalogue") + f"?q={WORD}",
        reverse("cables:catalogue") + "?year=1953",
        reverse("interchange:catalogue_csv"),
        reverse("cables:cable_suggestions") + "?cable=zebrawort",
        reverse("search:search") + f"?q={WORD}",
        reverse("search:search") + "?q=Filippov",
        reverse("reading:participant", args=["joseph-stalin"]),
        reverse("reading:participant", args=["kim-il-sung"]),
        reverse("reading:participant", args=["vaganov"]),
        reverse("reading:chronology") + "?from=1953-03-01",
        reverse("reading:compare") + f"?a=cable:{archive.cable.slug}",
        reverse("telegrams:agenda_compare"),
        reverse("annotations:list"),
    ]


@pytest.mark.parametrize("who", ["anonymous", "researcher", "editor"])
def test_no_reader_page_shows_a_draft(client, users, draft, who):
    cable, note, archive = draft
    if who != "anonymous":
        client.force_login(getattr(users, who))
    for url in _reader_pages(cable, note, archive):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        # Its title, address, record id and agenda (the query itself may be echoed).
        for trace in ("4711", "704999", "Draft points"):
            assert trace not in body, (url, trace)


@pytest.mark.parametrize("who", ["anonymous", "researcher", "editor"])
def test_a_drafts_own_addresses_are_not_found(client, users, draft, who):
    cable, note, archive = draft
    if who != "anonymous":
        client.force_login(getattr(users, who))
    addresses = [
        reverse("reading:cable", args=[cable.slug]),
        note.get_absolute_url(),
        *(
            reverse(f"interchange:{name}", args=[cable.slug])
            for name in (
                "export_json",
                "export_tei",
                "export_text",
                "export_ris",
                "export_bibtex",
                "annotations_jsonld",
                "annotations_csv",
                "annotations_markdown",
            )
        ),
    ]
    for url in addresses:
        assert client.get(url).status_code == 404, url
    # Nor can anyone annotate it, or link to it.
    client.force_login(users.researcher)
    passage = cable.passages.get()
    response = client.post(
        reverse("annotations:create"),
        {"passage": passage.pk, "start": 0, "end": 2, "exact": passage.text[:2], "body": "x"},
    )
    assert response.status_code in (400, 404)
    assert not Annotation.objects.filter(passage=passage, author=users.researcher).exists()
    split = client.get(reverse("reading:compare") + f"?a=cable:{cable.slug}").content.decode()
    assert f"There is no cable “{cable.slug}”" in split


def test_editors_find_the_draft_in_the_admin(client, users, draft):
    cable, _, _ = draft
    client.force_login(users.editor)
    response = client.get(admin_url(Cable, "changelist"))
    assert response.status_code == 200
    assert TITLE in response.content.decode()


def test_once_published_readers_see_it(client, users, draft):
    cable, _, _ = draft
    cable.status = Cable.Status.PUBLISHED
    cable.save()
    index_cables([cable.pk])
    assert client.get(reverse("reading:cable", args=[cable.slug])).status_code == 200
    assert TITLE in client.get(reverse("cables:catalogue")).content.decode()
    assert cable.slug in client.get(reverse("search:search") + f"?q={WORD}").content.decode()


def test_no_link_reaches_a_draft(client, users, draft):
    cable, _, archive = draft
    client.force_login(users.researcher)
    passage = archive.cable.passages.get(position=1)
    base = {
        "passage": passage.pk,
        "start": 0,
        "end": 4,
        "exact": passage.text[:4],
        "relation": "related",
        "body": "",
        "visibility": "public",
    }
    for target in ({"target_telegram": "704999:1"}, {"target_item": "draft-points:1"}):
        response = client.post(reverse("annotations:link_create"), {**base, **target})
        assert response.status_code in (400, 422), target
    # A link made while the record was published says nothing of it once it is a draft.
    cable.status = Cable.Status.PUBLISHED
    cable.save()
    response = client.post(reverse("annotations:link_create"), {**base, "target_cable": "704999"})
    assert response.status_code == 302
    cable.status = Cable.Status.DRAFT
    cable.save()
    page = client.get(reverse("reading:cable", args=[archive.cable.slug])).content.decode()
    assert "a record not open to readers" in page and "4711" not in page


def test_a_related_draft_is_not_listed(client, draft):
    cable, _, archive = draft
    archive.cable.related.add(cable)
    page = client.get(reverse("reading:cable", args=[archive.cable.slug])).content.decode()
    assert "4711" not in page and archive.older.title in page


def test_undated_records_break_no_list(client, draft):
    cable, _, archive = draft
    cable.status, cable.date = Cable.Status.PUBLISHED, None
    cable.save()
    # Its telegram is dated, and at the same moment as another record's event.
    Telegram.objects.filter(passage__cable=cable).update(sent_on=archive.cable.date)
    for url in (
        reverse("interchange:catalogue_csv"),
        reverse("reading:chronology") + f"?from={archive.cable.date.isoformat()}",
        reverse("cables:catalogue"),
        reverse("search:search") + f"?q={WORD}",
        reverse("reading:participant", args=["joseph-stalin"]),
    ):
        assert client.get(url).status_code == 200, url


def test_only_editors_who_may_change_cables_publish(client, users, draft, django_user_model):
    from django.contrib.auth.models import Permission

    from interchange.models import Draft

    cable, _, _ = draft
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_cable"))
    client.force_login(viewer)
    client.post(
        admin_url(Draft, "changelist"), {"action": "publish", "_selected_action": [cable.pk]}
    )
    assert Cable.objects.get(pk=cable.pk).status == Cable.Status.DRAFT
