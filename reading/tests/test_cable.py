"""The reading view: /cables/<slug>/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from cables.models import Mention
from tests.factories import build_archive, check_html, mention

pytestmark = pytest.mark.django_db


def get(client, archive):
    return client.get(reverse("reading:cable", args=[archive.cable.slug]))


def test_reading_view_shows_metadata_panel(client):
    archive = build_archive(2)
    html = get(client, archive).content.decode()
    check_html(html)
    assert "<h1" in html and "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]" in html
    assert 'id="citation-text"' in html and 'data-copy-target="citation-text"' in html
    assert "Russian → English (Translation - English)" in html
    assert '<time datetime="1951-07-11">11 July 1951</time>' in html
    assert "117409" in html and "APRF" in html and "Leon Levy Foundation" in html
    assert 'href="https://digitalarchive.wilsoncenter.org/document/117409"' in html
    assert 'href="/cables/?collection=korean-war"' in html
    assert f'href="{archive.older.get_absolute_url()}"' in html  # related cable
    # The cable's own header details.
    assert "“1750 11 July 1951”" in html and '<time datetime="1951-07-11T17:50">' in html
    for value in ("21680", "[BEIJING]", "532/2343/shs", "SUBJECT TO RETURN"):
        assert value in html


def test_every_passage_is_an_anchored_block(client):
    archive = build_archive(2)
    html = get(client, archive).content.decode()
    for p in archive.passages:
        assert f'id="{p.anchor}" data-passage-id="{p.pk}"' in html
    assert html.count('class="passage passage--telegram"') == 2
    assert html.count('<article class="passage passage--telegram"') == 2


def telegram_block(html, anchor):
    m = re.search(
        rf'<article class="passage passage--telegram" id="{anchor}".*?</article>', html, re.S
    )
    assert m, anchor
    return m.group(0)


def test_telegram_header_shows_from_to_copies_sent_reference(client):
    archive = build_archive(2)
    html = get(client, archive).content.decode()
    first, second = archive.telegrams[0].passage, archive.telegrams[1].passage
    block = telegram_block(html, first.anchor)
    assert '<dt>From</dt><dd><a href="/participants/li-kenong/">Li Kenong</a></dd>' in block
    assert '<dt>To</dt><dd><a href="/participants/mao-zedong/">Mao Zedong</a></dd>' in block
    assert "<dt>Copies to</dt>" in block and "Kim Il Sung</a>, <a" in block
    assert "“1145 10 July”" in block and '<time datetime="1951-07-10T11:45">' in block
    assert "<dt>Reference</dt><dd>brief report Nº 1</dd>" in block
    # The report lists its attachment, and the attachment links back.
    assert "<dt>Attachment</dt>" in block and f'href="#{second.anchor}"' in block
    block2 = telegram_block(html, second.anchor)
    assert "<dt>Attachment of</dt>" in block2 and f'href="#{first.anchor}"' in block2
    assert "attachment Nº 1 to brief report Nº 1" in block2


def test_mentions_are_links_and_agenda_items_are_anchored(client):
    archive = build_archive(2)
    html = get(client, archive).content.decode()
    assert '<a href="/participants/joseph-stalin/" class="mention"' in html
    assert ">Filippov</a>" in html
    # The rejected mention of "texts" is not shown.
    assert ">texts</a>" not in html
    for item in archive.left.items.all():
        assert f'id="{item.anchor}"' in html


def test_paragraphs_keep_exact_text_with_offsets(client):
    archive = build_archive(2)
    html = get(client, archive).content.decode()
    cover = archive.passages[1]
    second_para = cover.text.index("I am sending")
    # The paragraph opens on a forwarding reference (issue 16), a span of its own.
    assert f'<p data-start="{second_para}"><span class="reference' in html
    assert 'data-reference="' in html and ">I am sending" in html
    # Single newlines become <br> (and keep the newline character itself).
    assert '<br>\n- <span class="agenda-item"' in html


def test_overlapping_mentions_and_items_render_valid_html(client):
    archive = build_archive(2)
    passage = archive.telegrams[1].passage
    item = archive.left.items.get(number=1)
    # A mention straddling the start of an agenda item, and one nested inside it.
    start = item.start - 3
    Mention.objects.create(
        passage=passage,
        participant=archive.people["joy"],
        start=start,
        end=item.start + 5,
        surface=passage.text[start : item.start + 5],
        status=Mention.Status.ADDED,
    )
    mention(passage, archive.people["peng"], "Communist point 1 on the")
    html = get(client, archive).content.decode()
    check_html(html)
    assert html.count(f'id="{item.anchor}"') == 1


def test_handling_events_are_shown_with_agent(client):
    archive = build_archive(2)
    html = get(client, archive).content.decode()
    handling = re.search(r'<aside class="handling".*?</aside>', html, re.S).group(0)
    assert "Deciphered" in handling and 'href="/participants/vaganov/"' in handling
    assert '<time datetime="1951-07-11T18:50">' in handling
    # Right after the handling-notes passage.
    assert html.index(archive.passages[-1].anchor) < html.index('<aside class="handling"')


def test_unknown_cable_is_a_calm_404(client):
    response = client.get(reverse("reading:cable", args=["no-such-cable"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page is not in the reading room" in html
    assert 'href="/cables/"' in html


@pytest.mark.parametrize("n", [2, 10])
def test_query_count_does_not_grow_with_telegrams_and_mentions(
    client, django_assert_num_queries, n
):
    archive = build_archive(n)
    with django_assert_num_queries(21):  # +1: the data version (readingroom.caching)
        # 0. the cable's layers kept in the database at these versions (none yet)
        # 1. the cable with sender, recipient and the original it translates
        # 2. its collections
        # 3. related cables
        # 4. handling events with agents
        # 5. passages
        # 6. the passages' telegrams with author and attachment_of (+ its passage)
        # 7. telegram recipients with participants
        # 8. telegram attachments with their passages
        # 9. shown mentions with participants
        # 10. agenda items with agenda and side
        # 10a. shown references with their targets (issue 16), in one query
        # 11. the cable's published translations
        # 12. the ids of the links arriving at its passages (none here, so no
        #     query for those the reader may see)
        # 12a. the references of other cables arriving at it, for the thread strip
        # +4: the layers kept in the database: an update of its row (none),
        #     then an insert, in a savepoint (a test runs in a transaction)
        # 13. the annotations the reader may see, with author and group (none
        #     here, so no query for their tags)
        response = get(client, archive)
    assert response.status_code == 200
    assert response.content.decode().count("passage--telegram") == n
    # The fixed layers are kept now: another address of the same cable (a filter,
    # a search hit) reads only the reader's part.
    with django_assert_num_queries(2):  # the data version, the annotations
        response = client.get(archive.cable.get_absolute_url() + "?hl=Kaesong")
    assert response.content.decode().count("passage--telegram") == n


def test_seed_cable_renders_its_four_telegrams(client, seed, django_assert_num_queries):
    from cables.models import Cable

    cable = Cable.objects.get(record_id__endswith="117409")
    with django_assert_num_queries(22):  # as above, + the tags of its annotations
        response = client.get(cable.get_absolute_url())
    html = response.content.decode()
    check_html(html)
    assert html.count('<article class="passage passage--telegram"') == 4
    assert "<dt>Attachment of</dt>" in html
    assert '<a href="/participants/joseph-stalin/" class="mention"' in html


def test_what_the_record_says_of_its_date_copy_and_languages(client):
    """An approximate date as written, an incomplete copy, the archive's address beside
    the one the text came from, and the original and its translation linked."""
    from cables.models import Cable

    archive = build_archive(2)
    original = Cable.objects.create(
        title="Шифртелеграмма № 4260", slug="ct-4260-ru", date=None, text_language="Russian"
    )
    cable = archive.cable
    cable.date, cable.date_to, cable.date_as_written = (
        dt.date(1951, 6, 1),
        dt.date(1951, 6, 30),
        "June 1951",
    )
    cable.complete = False
    cable.signature = "APRF, f. 45, op. 1, d. 339, l. 64"
    cable.canonical_url = "https://digitalarchive.wilsoncenter.org/document/117409"
    cable.source_url = "https://mirror.example.org/node/89832"
    cable.translation_of = original
    cable.save()
    html = get(client, archive).content.decode()
    assert '<p class="cable__date">June 1951' in html
    assert "(approximate: between 1 June 1951 and 30 June 1951)" in html
    assert "This copy is incomplete" in html
    assert "<dt>Archival reference</dt><dd>APRF, f. 45, op. 1, d. 339, l. 64</dd>" in html
    assert "<dt>At the archive</dt>" in html and "<dt>Text taken from</dt>" in html
    assert f'href="{original.get_absolute_url()}"' in html
    back = client.get(original.get_absolute_url()).content.decode()
    assert "Undated" in back and f'href="{cable.get_absolute_url()}"' in back
    assert "<dt>Translation</dt>" in back
