"""TEI P5 export: /cables/<slug>/export.tei.xml (parsed, not string-matched)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from cables.models import Cable
from tests.annotation_cases import SEED_SLUG, annotate, build_scene, client_for, marker
from tests.factories import annotate_all, build_archive

pytestmark = pytest.mark.django_db

T = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def get_tei(client, slug=SEED_SLUG):
    response = client.get(reverse("interchange:export_tei", args=[slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/tei+xml")
    return ET.fromstring(response.content)  # well-formed, or this raises


def published_text(element) -> str:
    """The text as published: everything but the editors' ``corr`` readings."""
    out = [element.text or ""]
    for child in element:
        if child.tag != f"{T}corr":
            out.append(published_text(child))
        out.append(child.tail or "")
    return "".join(out)


def test_url_name():
    assert reverse("interchange:export_tei", args=["x"]) == "/cables/x/export.tei.xml"


def test_header_holds_title_publication_and_source(client, seed):
    root = get_tei(client)
    assert root.tag == f"{T}TEI"
    header = root.find(f"{T}teiHeader/{T}fileDesc")
    title = header.find(f"{T}titleStmt/{T}title").text
    assert title == "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    idno = header.find(f"{T}publicationStmt/{T}idno")
    assert idno.text.endswith(f"/cables/{SEED_SLUG}/")
    source = header.find(f"{T}sourceDesc")
    bibl = source.find(f"{T}bibl")
    assert bibl.find(f"{T}idno[@type='record']").text == "117409"
    assert bibl.find(f"{T}ref").get("target").endswith("/document/117409")
    assert bibl.find(f"{T}date").get("when") == "1951-07-11"
    citation = source.find(f"{T}bibl[@type='citation']").text
    assert citation.startswith('"Cable No. 21680') and "Wilson Center Digital Archive" in citation


def test_every_participant_is_in_the_person_list_and_every_ref_resolves(client, seed):
    root = get_tei(client)
    people = root.findall(f".//{T}particDesc/{T}listPerson/*")
    ids = {p.get(XML_ID) for p in people}
    assert {"person-li-kenong", "person-mao-zedong", "person-joseph-stalin"} <= ids
    stalin = next(p for p in people if p.get(XML_ID) == "person-joseph-stalin")
    assert "Filippov" in [n.text for n in stalin.findall(f"{T}persName[@type='alias']")]
    refs = {n.get("ref") for n in root.iter(f"{T}persName") if n.get("ref")}
    assert refs and {r.lstrip("#") for r in refs} <= ids


def test_each_telegram_is_a_div_with_opener_and_closer(client, seed):
    root = get_tei(client)
    telegrams = root.findall(f".//{T}body//{T}div[@type='telegram']")
    assert [t.get("n") for t in telegrams] == ["1", "2", "3", "4"]
    first = telegrams[0]
    opener = first.find(f"{T}opener")
    refs = [n.get("ref") for n in opener.iter(f"{T}persName")]
    assert refs == ["#person-mao-zedong", "#person-kim-il-sung", "#person-peng-dehuai"]
    closer = first.find(f"{T}closer")
    assert closer.find(f"{T}signed/{T}persName").get("ref") == "#person-li-kenong"
    date = closer.find(f"{T}dateline/{T}date")
    assert date.get("when") == "1951-07-10T11:45:00" and date.text == "1145 10 July"
    # Telegrams 3 and 4 are attachments of telegram 1.
    assert telegrams[2].get("corresp") == f"#{first.get(XML_ID)}"


def test_text_is_kept_as_published_with_corrections_as_choice(client, seed):
    root = get_tei(client)
    cable = Cable.objects.get(slug=SEED_SLUG)
    divs = {d.get(XML_ID): d for d in root.iter(f"{T}div") if d.get(XML_ID)}
    for passage in cable.passages.all():
        div = divs[passage.anchor]
        paragraphs = [published_text(p) for p in div.findall(f"{T}p")]
        assert " ".join(paragraphs).split() == passage.text.split(), passage.label
    choice = next(root.iter(f"{T}choice"))
    assert choice.find(f"{T}sic").text == "CABLI" and choice.find(f"{T}corr").text == "CABLE"
    assert len(list(root.iter(f"{T}choice"))) == 11  # the seed's accepted corrections


def test_agenda_items_are_lists_and_spans(client, seed):
    root = get_tei(client)
    lists = root.findall(f".//{T}back//{T}list[@type='agenda']")
    assert [len(x.findall(f"{T}item")) for x in lists] == [5, 9]
    item_ids = {i.get(XML_ID) for x in lists for i in x.findall(f"{T}item")}
    segs = [s.get("ana").lstrip("#") for s in root.iter(f"{T}seg")]
    assert len(segs) >= 14 and set(segs) <= item_ids
    links = root.findall(f".//{T}linkGrp[@type='correspondence']/{T}link")
    assert len(links) == 8
    for link in links:
        assert {t.lstrip("#") for t in link.get("target").split()} <= item_ids


def test_private_corrections_are_not_in_anothers_tei(client, seed, users):
    scene = build_scene(users)
    passage = scene.cable.passages.get(position=0)
    fix = annotate(
        users.researcher,
        passage,
        "MAIN",
        body=marker("private"),
        kind="correction",
        replacement="zzSECRETzz",
    )
    type(fix).objects.filter(pk=fix.pk).update(correction_status="accepted")
    for viewer in ("anonymous", "outsider", "member", "editor"):
        client.logout()
        client_for(client, scene, viewer)
        body = client.get(reverse("interchange:export_tei", args=[SEED_SLUG])).content.decode()
        assert "zzSECRETzz" not in body, viewer
    client.logout()
    client_for(client, scene, "researcher")
    assert (
        "zzSECRETzz"
        in client.get(reverse("interchange:export_tei", args=[SEED_SLUG])).content.decode()
    )


@pytest.mark.parametrize("n", [2, 10])
def test_tei_query_count_does_not_grow(client, users, django_assert_num_queries, n):
    archive = build_archive(n)
    annotate_all(archive, users, n)
    with django_assert_num_queries(16):
        # interchange.exchange.for_export (9): the cable with sender and recipient,
        # collections, related, handling, passages, telegrams, recipients,
        # mentions, source marks; Extras (7): agendas, items, correspondences,
        # participants, aliases, annotations, tags.
        response = client.get(reverse("interchange:export_tei", args=[archive.cable.slug]))
    ET.fromstring(response.content)


def test_unknown_cable_is_404(client, db):
    assert client.get(reverse("interchange:export_tei", args=["nope"])).status_code == 404
