"""Citations: RIS, BibTeX, Highwire meta tags, COinS and the Cite box on the reading view."""

from __future__ import annotations

import datetime
import re
from html import unescape
from urllib.parse import parse_qsl

import pytest
from django.urls import reverse

from cables.models import Cable
from interchange.exporters import citations as exports
from telegrams.models import cables_for_reading
from tests.annotation_cases import SEED_SLUG
from tests.factories import check_html

pytestmark = pytest.mark.django_db

URL = f"http://testserver/cables/{SEED_SLUG}/"
CABLE_CHICAGO = (
    "Mao Zedong to Joseph Stalin, cable no. 21680, 11 July 1951, “Cable No. 21680, Mao Dong "
    "to Cde. Filippov [Stalin],” APRF, Wilson Center Digital Archive, record 117409, "
    "https://digitalarchive.wilsoncenter.org/document/117409."
)


def test_url_names():
    assert reverse("interchange:export_ris", args=["x"]) == "/cables/x/export.ris"
    assert reverse("interchange:export_bibtex", args=["x"]) == "/cables/x/export.bib"


def test_ris_record(client, seed):
    response = client.get(reverse("interchange:export_ris", args=[SEED_SLUG]))
    assert response["Content-Type"] == "application/x-research-info-systems"
    lines = response.content.decode().split("\r\n")
    assert lines[0] == "TY  - PCOMM"
    assert "TI  - Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]" in lines
    # Family name, comma, given name: Zotero reads "Mao Zedong" as given name Mao.
    assert "AU  - Mao, Zedong" in lines and "A2  - Stalin, Joseph" in lines
    assert "DA  - 1951/07/11/" in lines and "AN  - 117409" in lines
    # The record's own address at the archive, not the staging host the text came from.
    assert "UR  - https://digitalarchive.wilsoncenter.org/document/117409" in lines
    assert f"L2  - {URL}" in lines
    assert lines[-2] == "ER  - " and lines[-1] == ""


def test_bibtex_entry(client, seed):
    text = client.get(reverse("interchange:export_bibtex", args=[SEED_SLUG])).content.decode()
    assert text.startswith("@misc{aprf117409,\n")
    assert "  title = {{Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]}}," in text
    assert "  author = {{Mao Zedong}}," in text  # family name first, kept whole
    assert "  year = 1951," in text and "  month = jul," in text
    assert "  number = {21680}," in text  # the cable's own number; the record id is noted
    assert "Record 117409" in text
    assert "  url = {https://digitalarchive.wilsoncenter.org/document/117409}," in text
    assert text.count("{") == text.count("}")


def test_bibtex_escapes_tex_specials(seed):
    cable = Cable.objects.get(slug=SEED_SLUG)
    cable.title = "50% of {cables} & #1_x"
    entry = exports.bibtex(cable, URL)
    assert r"50\% of \{cables\} \& \#1\_x" in entry


def test_chicago_citations_of_cable_and_telegram(seed):
    cable = cables_for_reading().get(slug=SEED_SLUG)
    assert exports.chicago(cable) == CABLE_CHICAGO
    first = exports.telegrams_of(cable)[0]
    assert exports.chicago_telegram(first, cable) == (
        "Li Kenong to Mao Zedong (copies to Kim Il Sung and Peng Dehuai), telegram, "
        "10 July 1951, 11:45, brief report Nº 1, forwarded in: " + CABLE_CHICAGO
    )


def test_reading_view_has_highwire_tags_coins_and_cite_box(client, seed):
    html = client.get(reverse("reading:cable", args=[SEED_SLUG])).content.decode()
    check_html(html)
    meta = dict(re.findall(r'<meta name="(citation_\w+)" content="([^"]*)">', html))
    assert unescape(meta["citation_title"]) == "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    assert meta["citation_author"] == "Mao, Zedong"
    assert meta["citation_date"] == "1951/07/11"
    assert meta["citation_publisher"] == "Archive of the President of the Russian Federation"
    assert meta["citation_public_url"] == meta["citation_abstract_html_url"] == URL
    assert meta["citation_language"] == "en"
    coins = re.search(r'<span class="Z3988" title="([^"]+)"></span>', html).group(1)
    pairs = dict(parse_qsl(unescape(coins)))
    assert pairs["ctx_ver"] == "Z39.88-2004"
    assert pairs["rft.btitle"].startswith("Cable No. 21680") and pairs["rft.date"] == "1951-07-11"
    assert pairs["rft.au"] == "Mao Zedong"
    # A report (Zotero's Report, numbered), not a book (issue 14).
    assert pairs["rft.genre"] == "report" and pairs["rft.number"] == "21680"
    assert pairs["rft.title"] == pairs["rft.btitle"]
    # The Cite box: the cable and each of the four telegrams, each with a copy button.
    box = re.search(r'<details class="cite-box".*?</details>', html, re.S).group(0)
    assert unescape(re.search(r'id="cite-cable"[^>]*>([^<]*)<', box).group(1)) == CABLE_CHICAGO
    assert 'data-copy-target="cite-cable"' in box
    for anchor in ("p4", "p5", "p6", "p7"):
        assert f'id="cite-{anchor}"' in box and f'data-copy-target="cite-{anchor}"' in box
    for name in ("export_ris", "export_bibtex", "export_tei", "export_json", "export_text"):
        assert f'href="{reverse(f"interchange:{name}", args=[SEED_SLUG])}"' in box


def test_sender_family_name_first_in_meta(client, seed):
    cable = Cable.objects.get(slug=SEED_SLUG)
    cable.sender, cable.recipient = cable.recipient, cable.sender
    assert ("citation_author", "Stalin, Joseph") in exports.highwire(cable, URL)


def test_citations_cost_one_query(client, seed, django_assert_num_queries):
    for name in ("export_ris", "export_bibtex"):
        with django_assert_num_queries(1):  # the cable with sender and recipient
            client.get(reverse(f"interchange:{name}", args=[SEED_SLUG]))


def test_unknown_cable_is_404(client, db):
    for name in ("export_ris", "export_bibtex"):
        assert client.get(reverse(f"interchange:{name}", args=["nope"])).status_code == 404


def test_an_approximate_or_missing_date_is_cited_as_such(seed):
    cable = Cable.objects.get(slug=SEED_SLUG)
    cable.date, cable.date_to, cable.date_as_written = (
        datetime.date(1951, 6, 1),
        datetime.date(1951, 6, 30),
        "June 1951",
    )
    assert ", June 1951, “Cable No. 21680" in exports.chicago(cable)
    assert "PY  - 1951" in exports.ris(cable, URL) and "DA  -" not in exports.ris(cable, URL)
    assert ("citation_date", "1951") in exports.highwire(cable, URL)
    cable.date = cable.date_to = None
    cable.date_as_written = ""
    assert ", n.d., “Cable No. 21680" in exports.chicago(cable)
    assert "PY  -" not in exports.ris(cable, URL)
    assert "year =" not in exports.bibtex(cable, URL)
    assert "rft.date" not in exports.coins(cable, URL)


def test_citations_name_the_archive_address_and_keep_the_source_beside_it(client, seed):
    """Issue 14: the seed's citation named the staging host its text was copied from."""
    canonical = "https://digitalarchive.wilsoncenter.org/document/117409"
    staging = "https://wilson-center.drivingcreative.com/document/117409"
    html = client.get(reverse("reading:cable", args=[SEED_SLUG])).content.decode()
    citation = re.search(r'<p id="citation-text" class="citation__text">([^<]*)</p>', html).group(1)
    assert citation.endswith(f"APRF. {canonical}") and staging not in citation
    source = re.search(r'<p class="citation__source">(.*?)</p>', html, re.S).group(1)
    assert f'href="{staging}"' in source
    ris = client.get(reverse("interchange:export_ris", args=[SEED_SLUG])).content.decode()
    notes = [line for line in ris.splitlines() if line.startswith("N1  - ")]
    assert notes and canonical in notes[0] and staging not in notes[0]
    assert f"UR  - {canonical}" in ris
    tei = client.get(reverse("interchange:export_tei", args=[SEED_SLUG])).content.decode()
    assert f'<ref target="{canonical}" type="canonical">' in tei
    assert f'<ref target="{staging}" type="source">' in tei
    assert f"APRF. {canonical}</bibl>" in tei
