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
    with django_assert_num_queries(27):  # +1: the data version (readingroom.caching)
        # 0. the page kept for anonymous readers at these versions (none yet), then
        #    the cable's layers kept in the database (none yet)
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
        # 13. whether it has annotations at all (none here: so none are asked for)
        # 14, 15. the cables before and after it in its collection (issue 14)
        # 16, 17. its references, and those of other cables arriving at it, for the
        #     thread strip (issue 16)
        # +4: the layers kept in the database: an update of its row (none),
        #     then an insert, in a savepoint (a test runs in a transaction)
        # +3: the anonymous page kept in that row: an update, in a savepoint
        response = get(client, archive)
    assert response.status_code == 200
    assert response.content.decode().count("passage--telegram") == n
    # The fixed layers are kept now: another address of the same cable (a filter,
    # a search hit) reads only the reader's part: nothing, as it has no notes.
    with django_assert_num_queries(1):  # the data version
        response = client.get(archive.cable.get_absolute_url() + "?hl=Kaesong")
    assert response.content.decode().count("passage--telegram") == n


def test_seed_cable_renders_its_four_telegrams(client, seed, django_assert_num_queries):
    from cables.models import Cable

    cable = Cable.objects.get(record_id__endswith="117409")
    # As above, + the annotations the reader may see, their authors and their tags.
    with django_assert_num_queries(30):
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


# Text first (issue 14) ------------------------------------------------------------


def test_the_text_comes_before_the_record_which_folds_into_one_block(client):
    """The page opens on the text: "About this record" is one <details> (a side panel
    on a wide screen, a closed block above the text on a narrow one)."""
    html = get(client, build_archive(2)).content.decode()
    check_html(html)
    opening = '<details class="record metadata" id="record">'
    record = re.search(f'{opening}(.*)</details>\\s*<section class="text reading"', html, re.S)
    assert record, "the record is one details block"
    assert re.search(r"<summary><h2 id=\"about-title\">About this record</h2>", record.group(1))
    assert 'id="citation-text"' in record.group(1) and "Leon Levy Foundation" in record.group(1)
    # The record sits between the header and the text, and is not opened by the server.
    assert (
        html.index('id="cable-title"') < html.index('id="record"') < html.index('id="text-title"')
    )
    assert '<details class="record metadata" id="record" open' not in html
    # The first thing a keyboard reaches after the site's own skip link: the text.
    assert '<a class="skip-link" href="#text-title">Skip to the text</a>' in html


def test_the_record_lists_the_people_of_this_document_with_their_written_forms(client):
    archive = build_archive(2)  # the cover note names Stalin as "Filippov"
    html = get(client, archive).content.decode()
    people = re.search(r'<ul class="record__people plain".*?</ul>', html, re.S).group(0)
    names = re.findall(r'<a href="/participants/([\w-]+)/">([^<]+)</a>', people)
    # Each person once, by sort name: sender, recipient, the telegrams' people, the named.
    assert len(names) == len(set(names))
    assert ("joseph-stalin", "Joseph Stalin") in names and ("mao-zedong", "Mao Zedong") in names
    by_slug = {p.slug: p for p in archive.people.values()}
    sort_names = [by_slug[slug].sort_name.casefold() for slug, _ in names]
    assert sort_names == sorted(sort_names)
    stalin = re.search(r'joseph-stalin/">Joseph Stalin</a>(.*?)</li>', people).group(1)
    assert "as “Filippov”" in stalin


def test_previous_and_next_lead_through_the_collection_in_catalogue_order(client):
    from cables.models import Cable, Collection

    archive = build_archive(2)
    korea = Collection.objects.get(slug="korean-war")
    before = Cable.objects.create(title="A June cable", slug="june", date=dt.date(1951, 6, 1))
    after = Cable.objects.create(title="An undated cable", slug="undated")
    draft = Cable.objects.create(
        title="A draft", slug="draft", date=dt.date(1951, 7, 20), status=Cable.Status.DRAFT
    )
    elsewhere = Cable.objects.create(title="Not in it", slug="elsewhere", date=dt.date(1951, 7, 12))
    for c in (before, after, draft):
        c.collections.add(korea)
    assert elsewhere.collections.count() == 0
    html = get(client, archive).content.decode()
    nav = re.search(r'<nav class="cable__sequence".*?</nav>', html, re.S).group(0)
    assert 'aria-label="In the collection Korean War armistice talks"' in nav
    assert 'rel="prev" href="/cables/june/"' in nav and "Previous: A June cable" in nav
    # Undated records come last, and readers never see a draft.
    assert 'rel="next" href="/cables/undated/"' in nav and "Next: An undated cable" in nav
    first = client.get("/cables/june/").content.decode()
    assert (
        'rel="prev"' not in first
        and f'rel="next" href="{archive.cable.get_absolute_url()}"' in first
    )
    last = client.get("/cables/undated/").content.decode()
    assert (
        'rel="next"' not in last and f'rel="prev" href="{archive.cable.get_absolute_url()}"' in last
    )


@pytest.mark.django_db(transaction=True)
def test_a_cable_joining_the_collection_shows_in_its_neighbours_kept_pages(client):
    """Previous/next are kept with the fixed layers; a new member of the collection
    moves the versions those are named by, so no kept page misses it."""
    from cables.models import Cable, Collection

    archive = build_archive(2)
    url = archive.cable.get_absolute_url()
    assert 'rel="next"' not in client.get(url).content.decode()
    later = Cable.objects.create(title="A later cable", slug="later", date=dt.date(1951, 8, 1))
    later.collections.add(Collection.objects.get(slug="korean-war"))
    assert 'rel="next" href="/cables/later/"' in client.get(url).content.decode()


def test_a_telegram_header_is_one_line_with_the_details_on_demand(client):
    html = get(client, build_archive(2)).content.decode()
    header = re.search(r'<header class="telegram__header">.*?</header>', html, re.S).group(0)
    line = re.search(r'<summary class="telegram__line">(.*?)</summary>', header, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", line)
    assert "→" in text and "\n" not in text
    assert re.search(r'<details class="telegram__details">\s*<summary', header)
    assert '<dl class="telegram__meta">' in header.split("</summary>", 1)[1]


# Corrections everywhere (issue 14) ---------------------------------------------------


def test_the_corrected_reading_applies_corrections_to_the_handling_block(client, seed):
    """The handling notes are copied from the handling passage: with "Corrected"
    chosen, its accepted correction ("N^{o}" → "Nº") applies there too, marked."""
    from cables.models import Cable

    url = Cable.objects.get(record_id__endswith="117409").get_absolute_url()
    published = client.get(url).content.decode()
    handling = re.search(r'<aside class="handling".*?</aside>', published, re.S).group(0)
    assert "Four copies printed. N^{o} 3 and 4 filed" in handling
    corrected = client.get(url + "?reading=corrected").content.decode()
    handling = re.search(r'<aside class="handling".*?</aside>', corrected, re.S).group(0)
    assert "N^{o} 3" not in re.sub(r'"[^"]*"', "", handling)  # only in the attributes
    assert (
        'Four copies printed. <ins class="correction" tabindex="0" data-published="N^{o}" '
        'title="As published: N^{o}">Nº</ins> 3 and 4 filed'
    ) in handling
    # In the text, each corrected span gives its published form on hover and focus.
    assert re.search(
        r'<ins class="correction" title="As published: Nam II" data-published="Nam II" '
        r'tabindex="0" data-annotation="\d+">Nam Il</ins>',
        corrected,
    )


def test_notes_are_numbered_endnotes_keyed_to_markers_in_the_text(client, seed):
    """Print drops the margin: each note the reader sees is an endnote, numbered in
    the order of the text, and its first highlight carries the number."""
    from cables.models import Cable

    html = client.get(Cable.objects.get(record_id__endswith="117409").get_absolute_url())
    html = html.content.decode()
    section = re.search(r'<section class="endnotes".*?</section>', html, re.S).group(0)
    numbers = [int(n) for n in re.findall(r'<li value="(\d+)" id="endnote-\d+">', section)]
    assert numbers == list(range(1, 12))  # the seed's eleven public corrections
    markers = [int(n) for n in re.findall(r'<mark [^>]*data-n="(\d+)"', html)]
    assert markers == numbers  # one marker each, in the same order
    first = re.search(r'<li value="1" id="endnote-1">(.*?)</li>', section, re.S).group(1)
    assert "Correction" in first and "CABLI" in first and "Reading: CABLE" in first
