"""The per-cable JSON export: /cables/<slug>/export.json ("readingroom-cable")."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cables.models import Cable
from readingroom.tests.test_sessions import session_row
from tests.annotation_cases import (
    SEED_ROOTS,
    SEED_SLUG,
    VIEWERS,
    VISIBLE,
    assert_only_visible,
    build_scene,
    client_for,
)
from tests.factories import annotate_all, build_archive

pytestmark = pytest.mark.django_db


def export(client, slug=SEED_SLUG) -> dict:
    response = client.get(reverse("interchange:export_json", args=[slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_url_name():
    assert reverse("interchange:export_json", args=["x"]) == "/cables/x/export.json"


def test_document_holds_the_whole_seed_cable(client, seed):
    data = export(client)
    assert data["format"] == "readingroom-cable" and data["version"] == 1
    cable = data["cable"]
    assert cable["record_id"] == "117409" and cable["received_time"] == "17:50:00"
    assert cable["sender"] == "mao-zedong" and cable["recipient"] == "joseph-stalin"
    assert cable["collections"] == ["korean-war-armistice-talks"]
    # The passages give back the published text.
    text = "".join(p["text"] + p["tail"] for p in data["passages"])
    assert text == Cable.objects.get(slug=SEED_SLUG).text()
    assert [p["position"] for p in data["passages"]] == list(range(10))
    # Telegrams with recipients and attachment_of by number.
    telegrams = data["telegrams"]
    assert [t["number"] for t in telegrams] == [1, 2, 3, 4]
    assert telegrams[0]["addressees"] == ["mao-zedong"]
    assert telegrams[0]["copies_to"] == ["kim-il-sung", "peng-dehuai"]
    assert [t["attachment_of"] for t in telegrams] == [None, None, 1, 1]
    assert telegrams[0]["sent_time"] == "11:45:00"
    assert [h["action"] for h in data["handling"]][:3] == ["sent", "received", "deciphered"]
    assert len(data["mentions"]) == 35
    assert {m["status"] for m in data["mentions"]} == {"found"}
    agendas = {a["slug"]: a for a in data["agendas"]}
    assert [len(a["items"]) for a in agendas.values()] == [5, 9]
    item = agendas["communist-draft-1951-07-10"]["items"][0]
    passage = data["passages"][item["passage"]]
    assert passage["text"][item["start"] : item["end"]] == "1. Adoption of the agenda."
    assert agendas["communist-draft-1951-07-10"]["telegram"] == 2
    assert len(data["correspondences"]) == 8
    assert data["correspondences"][0]["left"] == ["communist-draft-1951-07-10", 1]
    people = {p["slug"]: p for p in data["participants"]}
    assert "Filippov" in [a["name"] for a in people["joseph-stalin"]["aliases"]]
    assert people["c-turner-joy"]["side"] == "un-command"
    assert [s["slug"] for s in data["sides"]] == ["communist-side", "un-command"]
    assert data["collections"][0]["title"] == "Korean War armistice talks"


def test_annotations_are_w3c_with_readingroom_extras(client, seed):
    data = export(client)
    annotations = data["annotations"]
    assert annotations["type"] == "AnnotationCollection"
    assert annotations["total"] == SEED_ROOTS == len(annotations["first"]["items"])
    first = annotations["first"]["items"][0]
    assert first["motivation"] == "editing"
    assert first["target"]["source"].endswith("#p0")
    assert first["readingroom"] == {
        "passage": 0,
        "document": False,  # a note on words, not on the whole document
        "visibility": "public",
        "group": None,
        "correction_status": "accepted",
        "reviewed_by": "reading-room-editors",
        "hidden": False,
        "anchor_status": "anchored",
    }


@pytest.mark.parametrize("viewer", VIEWERS)
def test_export_holds_exactly_the_annotations_the_viewer_may_see(client, seed, users, viewer):
    scene = build_scene(users)
    response = client_for(client, scene, viewer).get(
        reverse("interchange:export_json", args=[SEED_SLUG])
    )
    text = response.content.decode()
    assert_only_visible(text, viewer)
    data = json.loads(text)
    assert data["annotations"]["total"] == SEED_ROOTS + len(VISIBLE[viewer])


def test_private_annotation_is_absent_for_everyone_but_its_author(client, seed, users):
    scene = build_scene(users)
    url = reverse("interchange:export_json", args=[SEED_SLUG])
    private = f"/annotations/{scene.notes['private'].pk}/"
    for viewer in ("anonymous", "outsider", "editor", "admin", "member", "other"):
        client.logout()
        assert private not in client_for(client, scene, viewer).get(url).content.decode()
    client.logout()
    assert private in client_for(client, scene, "researcher").get(url).content.decode()


@pytest.mark.parametrize("n", [2, 10])
def test_query_count_does_not_grow(client, users, django_assert_num_queries, n):
    archive = build_archive(n)
    annotate_all(archive, users, n)
    with django_assert_num_queries(17):
        # interchange.exchange.for_export (10): the cable with sender and recipient,
        # collections, related cables, handling with agents, passages,
        # telegrams with author and attachment_of, recipients, mentions,
        # source marks, references with their targets (issue 16). exchange.Extras (7):
        # agendas with side and telegram,
        # their items, correspondences, participants with side, aliases, the
        # visible annotations, their tags.
        data = export(client, archive.cable.slug)
    assert data["annotations"]["total"] == n
    assert len(data["telegrams"]) == n


def test_signed_in_reader_adds_session_and_user(client, users, django_assert_num_queries):
    archive = build_archive(2)
    annotate_all(archive, users, 2)
    client.force_login(users.researcher)
    # The 17 above, the user, and the session row (none where the shared cache has it).
    with django_assert_num_queries(18 + session_row()):
        export(client, archive.cable.slug)


def test_unknown_cable_is_404(client, db):
    assert client.get(reverse("interchange:export_json", args=["no-such-cable"])).status_code == 404
