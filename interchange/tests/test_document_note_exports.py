"""Notes on the whole document in every export (issue 14): W3C Web Annotations (the
cable's address as target, no selector) and back through import_annotations, CSV
and Markdown, TEI (a ``note`` on the text, valid P5), and the JSON exchange format
both ways."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotations import services
from annotations.models import Annotation
from cables.models import Cable
from interchange import exchange
from interchange.exporters.web_annotation import Malformed, read_item
from interchange.tests.test_annotation_export import copy_cable
from interchange.tests.test_export_collection import empty_database, normalised, run_export
from interchange.tests.test_export_tei import T, fetch_tei, tei_all, valid_tei  # noqa: F401
from tests.annotation_cases import SEED_SLUG

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(seed, users):
    cable = Cable.objects.get(slug=SEED_SLUG)
    public = services.create_document_note(
        user=users.researcher,
        cable=cable,
        body="On the whole *cable*.\n\nA second paragraph.",
        kind=Annotation.Kind.QUESTION,
        visibility="public",
        tags=["overview"],
    )
    services.reply(user=users.outsider, parent=public, body="A reply on the document.")
    private = services.create_document_note(
        user=users.researcher, cable=cable, body="zzDOCPRIVATEzz"
    )
    return cable, public, private


def jsonld(client, slug=SEED_SLUG) -> list[dict]:
    response = client.get(reverse("interchange:annotations_jsonld", args=[slug]))
    assert response.status_code == 200
    return json.loads(response.content)["first"]["items"]


def test_w3c_target_is_the_cables_address_with_no_selector(client, notes):
    cable, public, _ = notes
    items = jsonld(client)
    first, reply = items[0], items[1]  # the document's notes come first
    assert first["id"].endswith(public.get_absolute_url())
    assert first["target"] == f"http://testserver{cable.get_absolute_url()}"
    assert first["motivation"] == "questioning"
    assert {"type": "TextualBody", "value": "overview", "purpose": "tagging"} in first["body"]
    assert reply["motivation"] == "replying" and reply["target"] == first["id"]
    assert "zzDOCPRIVATEzz" not in json.dumps(items)  # another's private note


def test_reading_a_document_note_and_refusing_what_cannot_be_one():
    base = {"type": "Annotation", "id": "x", "motivation": "commenting"}
    body = [{"type": "TextualBody", "value": "On it all."}]
    item = read_item({**base, "body": body, "target": "https://example.org/cables/x/"}, 0)
    assert item.document and item.body == "On it all." and item.selector is None
    # A target with a source and no selector is no document note: refused as before.
    with pytest.raises(Malformed, match="does not end in #p"):
        read_item({**base, "body": body, "target": {"source": "https://e.org/cables/x/"}}, 0)
    with pytest.raises(Malformed, match="needs a body"):
        read_item({**base, "target": "https://example.org/cables/x/"}, 0)
    with pytest.raises(Malformed, match="needs a selector"):
        read_item({**base, "motivation": "editing", "body": body, "target": "https://e.org/"}, 0)


def test_import_annotations_round_trip_into_a_copy(client, notes, users, tmp_path):
    cable, public, _ = notes
    client.force_login(users.researcher)
    path = tmp_path / "notes.jsonld"
    path.write_bytes(
        client.get(reverse("interchange:annotations_jsonld", args=[SEED_SLUG])).content
    )
    copy = copy_cable(cable, "cable-21680-copy")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_annotations", copy.slug, str(path), "--user", "editor", stdout=out, stderr=err
    )
    assert err.getvalue() == ""
    made = Annotation.objects.filter(passage__cable=copy, on_document=True)
    roots = {a.body: a for a in made.filter(parent__isnull=True)}
    assert set(roots) == {public.body, "zzDOCPRIVATEzz"}
    again = roots[public.body]
    assert again.kind == "question" and again.visibility == "public"
    assert again.passage == copy.passages.order_by("position").first()
    assert [t.name for t in again.tags.all()] == ["overview"]
    assert roots["zzDOCPRIVATEzz"].visibility == "private"  # as the file says
    assert made.filter(parent=again).get().body == "A reply on the document."
    # And the copy exports them as the original did.
    client.force_login(users.editor)
    item = jsonld(client, copy.slug)[0]
    assert item["target"] == f"http://testserver{copy.get_absolute_url()}"


def test_csv_and_markdown_name_the_whole_document(client, notes):
    _, public, _ = notes
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("interchange:annotations_csv", args=[SEED_SLUG])
                ).content.decode()
            )
        )
    )
    row = next(r for r in rows if r["id"] == str(public.pk))
    assert row["passage"] == "Whole document" and row["exact"] == "" and row["start"] == ""
    md = client.get(reverse("interchange:annotations_markdown", args=[SEED_SLUG])).content.decode()
    assert "## On the whole document" in md
    at = md.index("## On the whole document")
    assert md.index("On the whole *cable*.") > at
    assert md.index("On the whole *cable*.") < md.index("## ", at + 3)


def test_tei_has_each_visible_document_note_as_a_note_on_the_text(client, notes, tei_all):  # noqa: F811
    cable, public, _ = notes
    root = valid_tei(tei_all, fetch_tei(client))
    found = root.findall(f".//{T}body/{T}div[@type='cable']/{T}note[@type='document-note']")
    assert len(found) == 1  # the public one; not the private one, not the reply
    note = found[0]
    assert note.get("target") == f"#cable-{cable.pk}"
    assert note.get("subtype") == "question"
    assert note.get("{http://www.w3.org/XML/1998/namespace}id") == f"annotation-{public.pk}"
    paragraphs = note.findall(f"{T}p")
    assert paragraphs[0].text == "On the whole *cable*."
    assert paragraphs[1].text == "A second paragraph."
    assert paragraphs[-1].get("rend") == "byline"
    assert paragraphs[-1].find(f"{T}persName").text == "Rosa"
    # Before the first passage: a note on the text, not inside a passage.
    div = root.find(f".//{T}body/{T}div[@type='cable']")
    assert list(div)[0] is note or list(div)[0].tag == f"{T}note"


def test_the_exchange_format_carries_document_notes_both_ways(tmp_path, notes, users):
    cable, public, _ = notes
    first = run_export(tmp_path, "--user", "researcher")
    (doc,) = first["cables"]
    items = doc["annotations"]["first"]["items"]
    mine = [i for i in items if i["readingroom"].get("document")]
    assert len(mine) == 3  # two notes and the reply
    assert all(i["readingroom"]["passage"] is None for i in mine)
    empty_database()
    exchange.restore(first)
    restored = Annotation.objects.filter(on_document=True)
    assert restored.count() == 3
    assert restored.get(body="zzDOCPRIVATEzz").visibility == "private"
    again = run_export(tmp_path, "--user", "researcher")
    assert normalised(again) == normalised(first)
    # Restoring over the same cable keeps them, without doubles.
    exchange.restore(again)
    assert Annotation.objects.filter(on_document=True).count() == 3
