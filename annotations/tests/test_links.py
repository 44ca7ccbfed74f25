"""Researchers' links: from a selection to another selection, a person, a cable or an item."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation, Link
from annotations.services import create_link
from cables.models import Participant

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def t1(cable):
    return cable.passages.get(label="Telegram 1")


@pytest.fixture
def t3(cable):
    return cable.passages.get(label="Telegram 3")


def end(passage, words, prefix=""):
    start = passage.text.index(words)
    return {
        f"{prefix}passage": passage.pk,
        f"{prefix}start": start,
        f"{prefix}end": start + len(words),
        f"{prefix}exact": words,
    }


def signed_in(user, password):
    client = Client()
    client.force_login(user)
    return client


SOURCE = "the draft text is attached separately"
TARGET = "The agenda for the second meeting of the conference"


def post_link(client, t1, t3, **extra):
    data = {
        **end(t1, SOURCE),
        **end(t3, TARGET, "target_"),
        "relation": "quotes",
        "body": "The attachment this sentence announces.",
        "visibility": "public",
        **extra,
    }
    return client.post(reverse("annotations:link_create"), data, **HTMX)


def test_link_between_two_selections(users, cable, t1, t3):
    client = signed_in(users.researcher, users.password)
    form = client.get(
        reverse("annotations:link_create"),
        {**end(t1, SOURCE), **end(t3, TARGET, "target_")},
        **HTMX,
    )
    assert form.status_code == 200 and "New link" in form.content.decode()
    response = post_link(client, t1, t3)
    assert response.status_code == 200
    link = Link.objects.select_related("annotation").get()
    assert response.headers["HX-Trigger"] == json.dumps({"link-saved": {"id": link.pk}})
    assert (link.annotation.exact, link.annotation.kind) == (SOURCE, "link")
    assert (link.target_passage, link.target_exact, link.relation) == (t3, TARGET, "quotes")
    assert t3.text[link.target_start : link.target_end] == TARGET
    html = Client().get(cable.get_absolute_url()).content.decode()
    # The source end: a highlight and a card naming the other end.
    assert f'<mark class="hl hl--link" data-annotation="{link.pk}" id="a{link.pk}"' in html
    assert "Quotes</span> → <a href=" in html
    # The other end: a highlight and an incoming note pointing back.
    assert f'<mark class="hl hl--link-end" data-link="{link.pk}" id="l{link.pk}"' in html
    assert f'id="incoming-{link.pk}"' in html


@pytest.mark.parametrize(
    "field, value, label",
    [
        ("target_participant", "deng-hua", "Deng Hua"),
        ("target_cable", "117409", "Cable No. 21680"),
        ("target_item", "un-draft-1951-07-10:9", "Steps with regard to prisoners"),
        ("target_telegram", "117409:3", "Telegram 3, Cable No. 21680"),
    ],
)
def test_link_to_a_person_a_cable_an_item_or_a_telegram(users, cable, t1, field, value, label):
    if field == "target_participant":
        value = Participant.objects.get(slug=value).pk
    client = signed_in(users.researcher, users.password)
    data = {**end(t1, "Deng Hua"), field: value, "relation": "related", "visibility": "public"}
    assert client.post(reverse("annotations:link_create"), data, **HTMX).status_code == 200
    html = Client().get(cable.get_absolute_url()).content.decode()
    assert label in html.split("Related</span> →")[1][:400]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"target_passage": "", "target_exact": ""}, "Choose the other end"),
        ({"target_cable": "117409"}, "Choose only one other end"),
        ({"target_passage": "", "target_exact": "", "target_cable": "nope"}, "No cable has"),
        (
            {"target_passage": "", "target_exact": "", "target_item": "un-draft:99"},
            "No agenda item",
        ),
        ({"target_passage": "", "target_exact": "", "target_telegram": "117409:x"}, "No telegram"),
        ({"target_telegram": "117409:3"}, "Choose only one other end"),
        ({"target_exact": "words not in telegram 3"}, "no longer match"),
        ({"relation": "hates"}, "Select a valid choice"),
        ({"exact": "not the source words"}, "no longer match"),
    ],
)
def test_bad_links_are_refused_and_nothing_is_written(users, t1, t3, change, message):
    client = signed_in(users.researcher, users.password)
    response = post_link(client, t1, t3, **change)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert response.headers["HX-Retarget"] == "#link-form"
    assert not Link.objects.exists()
    assert not Annotation.objects.filter(kind="link").exists()


def test_anonymous_cannot_link(client, t1, t3):
    response = client.post(reverse("annotations:link_create"), {**end(t1, SOURCE)})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Link.objects.exists()


def test_a_private_link_shows_at_neither_end_to_others(users, cable, t1, t3):
    client = signed_in(users.researcher, users.password)
    post_link(client, t1, t3, visibility="private")
    link = Link.objects.get()
    for viewer in (Client(), signed_in(users.outsider, users.password)):
        html = viewer.get(cable.get_absolute_url()).content.decode()
        assert f'id="l{link.pk}"' not in html and f'id="incoming-{link.pk}"' not in html
        assert f'id="a{link.pk}"' not in html
        export = viewer.get(reverse("interchange:annotations_jsonld", args=[cable.slug])).content
        assert b"linking" not in export
    assert f'id="incoming-{link.pk}"' in client.get(cable.get_absolute_url()).content.decode()


def test_links_are_exported_as_linking_annotations(users, cable, t1, t3):
    post_link(signed_in(users.researcher, users.password), t1, t3)
    data = Client().get(reverse("interchange:annotations_jsonld", args=[cable.slug])).json()
    [item] = [i for i in data["first"]["items"] if i["motivation"] == "linking"]
    other, relation = item["body"][0], item["body"][1]
    assert other["type"] == "SpecificResource" and other["purpose"] == "linking"
    assert other["source"].endswith(f"{cable.get_absolute_url()}#p6")
    assert other["selector"][0] == {
        "type": "TextQuoteSelector",
        "exact": TARGET,
        "prefix": t3.text[t3.text.index(TARGET) - 32 : t3.text.index(TARGET)],
        "suffix": t3.text[t3.text.index(TARGET) + len(TARGET) :][:32],
    }
    assert relation == {"type": "TextualBody", "value": "quotes", "purpose": "classifying"}
    assert item["target"]["selector"][0]["exact"] == SOURCE


def test_the_far_end_follows_a_text_correction(users, t1, t3):
    link = create_link(
        user=users.researcher, passage=t1, relation="quotes", target_passage=t3,
        **{k: v for k, v in end(t1, SOURCE).items() if k != "passage"},
        **{k: v for k, v in end(t3, TARGET, "target_").items() if k != "target_passage"},
    )  # fmt: skip
    t3.text = "[Heading added by an editor.] " + t3.text
    t3.save()
    link.refresh_from_db()
    assert t3.text[link.target_start : link.target_end] == TARGET
    assert link.target_status == "moved"
    t3.text = t3.text.replace(TARGET, "Something else entirely, quite unlike it")
    t3.save()
    link.refresh_from_db()
    assert link.target_status == "orphaned"
    assert Link.objects.filter(pk=link.pk).exists()


def test_editing_a_link_keeps_its_ends(users, t1, t3):
    client = signed_in(users.researcher, users.password)
    post_link(client, t1, t3)
    link = Link.objects.get()
    url = reverse("annotations:edit", args=[link.pk])
    assert 'name="kind"' not in client.get(url, **HTMX).content.decode()
    data = {"body": "Renamed.", "tags": "", "visibility": "public", "version": 1}
    assert client.post(url, data, **HTMX).status_code == 200
    link.refresh_from_db()
    assert (link.annotation.body, link.annotation.kind, link.target_exact) == (
        "Renamed.",
        "link",
        TARGET,
    )


def test_link_form_works_without_htmx(users, t1):
    """Without JavaScript the form is a page of its own, and a bad post comes back to it."""
    client = signed_in(users.researcher, users.password)
    page = client.get(reverse("annotations:link_create"), end(t1, SOURCE))
    assert page.status_code == 200
    assert "<h1>New link</h1>" in page.content.decode()
    bad = client.post(reverse("annotations:link_create"), {**end(t1, SOURCE), "relation": "quotes"})
    assert bad.status_code == 400
    assert "Choose the other end" in bad.content.decode()
    assert not Link.objects.exists()
