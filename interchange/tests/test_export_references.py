"""References in the exports (issue 16): TEI ``ref`` with the record as its target
(valid tei_all), and the JSON exchange format, read back on import with the
editors' decisions kept."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from bench.reference_cases import load_exchange
from cables.models import Cable
from interchange import exchange
from interchange.tests.test_export_tei import fetch_tei, tei_all, valid_tei  # noqa: F401
from telegrams.models import Reference

TEI_NS = "{http://www.tei-c.org/ns/1.0}"
ANSWER = "x-4121-filippov-to-mao-1951-08-05"


@pytest.mark.django_db
def test_tei_marks_references_with_their_target_or_as_not_in_the_archive(client, seed, tei_all):  # noqa: F811
    load_exchange()
    root = valid_tei(tei_all, fetch_tei(client, ANSWER))
    refs = {
        "".join(r.itertext()): (r.get("type"), r.get("target"), r.get("subtype"))
        for r in root.iter(f"{TEI_NS}ref")
    }
    assert refs["your telegram of 2 August"] == (
        "answers",
        "http://testserver/cables/x-3950-mao-to-filippov-1951-08-02/",
        None,
    )
    assert refs["our telegram of 20 July"] == ("cites", None, "not-in-archive")


@pytest.mark.django_db
def test_json_carries_references_and_a_restore_keeps_the_editors_decisions(client, seed):
    load_exchange()
    rejected = Reference.objects.get(surface="our telegram of 20 July")
    rejected.status = Reference.Status.REJECTED
    rejected.save()
    confirmed = Reference.objects.get(surface="your telegram of 2 August")
    confirmed.status = Reference.Status.CONFIRMED
    confirmed.target_cable = Cable.objects.get(slug="cable-21680-mao-to-filippov-1951-07-11")
    confirmed.save()  # the editor's own target, against the resolution's
    data = json.loads(
        client.get(reverse("interchange:export_json", args=[ANSWER])).content.decode()
    )
    by_words = {r["surface"]: r for r in data["references"]}
    assert by_words["your No. 3950"]["target"] == {
        "slug": "x-3950-mao-to-filippov-1951-08-02",
        "record_id": "",
        "telegram": None,
    }
    assert by_words["your No. 3950"]["sender"] == "mao-zedong"
    assert by_words["our telegram of 20 July"]["status"] == "rejected"

    Reference.objects.filter(passage__cable__slug=ANSWER).delete()
    (cable,) = exchange.restore(data)
    rows = {r.surface: r for r in Reference.objects.filter(passage__cable=cable)}
    assert rows["our telegram of 20 July"].status == "rejected"
    assert rows["your telegram of 2 August"].status == "confirmed"
    assert rows["your telegram of 2 August"].target_cable.slug == (
        "cable-21680-mao-to-filippov-1951-07-11"
    )
    assert rows["your No. 3950"].target_cable.slug == "x-3950-mao-to-filippov-1951-08-02"


@pytest.mark.django_db
def test_a_reference_out_of_its_text_is_refused_and_nothing_changes(client, seed):
    load_exchange()
    data = json.loads(
        client.get(reverse("interchange:export_json", args=[ANSWER])).content.decode()
    )
    data["references"].append(
        {"passage": 1, "start": 5, "end": 99999, "status": "added", "kind": "dated"}
    )
    before = list(Reference.objects.values_list("pk", "status"))
    with pytest.raises(exchange.RestoreError, match="a reference is out of its text"):
        exchange.restore(data)
    assert list(Reference.objects.values_list("pk", "status")) == before


@pytest.mark.django_db
def test_references_as_linking_web_annotations(client, seed, django_assert_num_queries):
    load_exchange()
    url = reverse("interchange:references_jsonld", args=[ANSWER])
    with django_assert_num_queries(2):  # the cable, its references
        response = client.get(url)
    assert response["Content-Type"].startswith("application/ld+json")
    data = json.loads(response.content.decode())
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    items = {i["target"]["selector"][0]["exact"]: i for i in data["first"]["items"]}
    answered = items["your telegram of 2 August"]
    assert answered["motivation"] == "linking"
    assert answered["body"][0] == {
        "type": "SpecificResource",
        "purpose": "linking",
        "source": "http://testserver/cables/x-3950-mao-to-filippov-1951-08-02/",
    }
    assert answered["body"][1]["value"] == "answers"
    assert items["our telegram of 20 July"]["body"][0]["value"] == (
        "Referenced, not in this archive"
    )
    assert client.get(reverse("interchange:references_jsonld", args=["nope"])).status_code == 404
