"""The reading view of the seed cable (117409) in a real browser.

Mao forwards four telegrams from Li Kenong to Stalin ("Filippov"). These tests
check what a historian sees: four distinct telegram blocks with their headers
exactly as in the data, links between them and to the people in the text, the
citation button, the exact characters of the text, and the printed page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cables.models import Cable, Passage

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
CITATION = (
    '"Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]", July 11, 1951, Wilson Center '
    "Digital Archive, APRF. https://digitalarchive.wilsoncenter.org/document/117409"
)

# The four telegrams' headers as the seed records them: <dt> label -> <dd> text.
TELEGRAM_HEADERS = {
    "p4": {
        "title": "Telegram 1: Brief report on the opening of the first Kaesong meeting",
        "From": "Li Kenong",
        "To": "Mao Zedong",
        "Copies to": "Kim Il Sung, Peng Dehuai",
        "Sent": "“1145 10 July” — 10 July 1951, 11:45",
        "Reference": "brief report Nº 1",
        "Attachments": "Telegram 3 (attachment Nº 1 to brief report Nº 1); "
        "Telegram 4 (attachment Nº 2 to brief report Nº 1)",
    },
    "p5": {
        "title": "Telegram 2: The agenda the Communist side intends to offer at the 1500 meeting",
        "From": "Li Kenong",
        "To": "Mao Zedong",
        "Copies to": "Kim Il Sung, Peng Dehuai",
        "Sent": "“1200 10 July 1951” — 10 July 1951, 12:00",
    },
    "p6": {
        "title": "Telegram 3: The UN Command's draft agenda for the second meeting",
        "From": "Li Kenong",
        "To": "Mao Zedong",
        "Copies to": "Kim Il Sung, Peng Dehuai",
        "Sent": "“1145 10 July 1951” — 10 July 1951, 11:45",
        "Reference": "attachment Nº 1 to brief report Nº 1",
        "Attachment of": "Telegram 1 (brief report Nº 1)",
    },
    "p7": {
        "title": "Telegram 4: Abbreviated text of Admiral Joy's opening statement",
        "From": "Li Kenong",
        "To": "Mao Zedong",
        "Copies to": "Kim Il Sung, Peng Dehuai",
        "Sent": "“10 July 1951” — 10 July 1951",
        "Reference": "attachment Nº 2 to brief report Nº 1",
        "Attachment of": "Telegram 1 (brief report Nº 1)",
    },
}

# Each header's <dl> as (label, text) pairs, in document order.
HEADER_JS = """block => [...block.querySelectorAll('.telegram__meta > dt')].map(
    dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()])"""


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}/cables/{SLUG}/"


@pytest.fixture
def calm(page):
    """No smooth scrolling, so "in view" is true as soon as the browser has jumped."""
    page.emulate_media(reduced_motion="reduce")
    return page


def test_four_telegrams_are_distinct_blocks_with_their_headers(calm, cable_url):
    page = calm
    page.goto(cable_url)
    blocks = page.locator("section.text article.passage--telegram")
    expect(blocks).to_have_count(4)
    assert blocks.evaluate_all("els => els.map(e => e.id)") == list(TELEGRAM_HEADERS)

    for anchor, expected in TELEGRAM_HEADERS.items():
        block = page.locator(f"#{anchor}")
        expect(block.get_by_role("heading", level=3)).to_have_text(expected["title"])
        fields = {k: v for k, v in expected.items() if k != "title"}
        assert dict(block.evaluate(HEADER_JS)) == fields, anchor
        # Participants in the header are links to their pages.
        expect(block.locator(".telegram__meta a[href='/participants/li-kenong/']")).to_have_text(
            "Li Kenong"
        )

    # Telegram 3 in detail: machine-readable time, links to people and to telegram 1.
    t3 = page.locator("#p6 .telegram__meta")
    expect(t3.locator("time")).to_have_attribute("datetime", "1951-07-10T11:45")
    expect(t3.get_by_role("link", name="Mao Zedong")).to_have_attribute(
        "href", "/participants/mao-zedong/"
    )
    for name, slug in (("Kim Il Sung", "kim-il-sung"), ("Peng Dehuai", "peng-dehuai")):
        expect(t3.get_by_role("link", name=name)).to_have_attribute(
            "href", f"/participants/{slug}/"
        )
    expect(t3.get_by_role("link", name="Telegram 1")).to_have_attribute("href", "#p4")


def test_attachment_of_link_moves_to_telegram_1(calm, cable_url):
    page = calm
    page.goto(cable_url)
    telegram_1 = page.locator("#p4")
    page.locator("#p6").scroll_into_view_if_needed()
    expect(telegram_1.locator("h3")).not_to_be_in_viewport()

    page.locator("#p6 .telegram__meta").get_by_role("link", name="Telegram 1").click()

    expect(page).to_have_url(f"{cable_url}#p4")
    expect(telegram_1.locator("h3")).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target')?.id") == "p4"


def test_participant_in_the_text_goes_to_their_page_with_the_mention(calm, cable_url):
    page = calm
    page.goto(cable_url)
    nam_il = page.locator("#p4 a.mention", has_text="Nam II")
    expect(nam_il).to_have_count(3)
    expect(nam_il.first).to_have_attribute("title", "Nam Il")

    nam_il.first.click()

    expect(page).to_have_url(re.compile(r"/participants/nam-il/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nam Il")
    mentions = page.locator(".appearances--mentions > li")
    expect(mentions).to_have_count(3)
    first = mentions.first
    expect(first.locator("mark")).to_have_text("Nam II")
    expect(first.locator(".snippet")).to_contain_text("After statements by Cdes. Nam II and Deng")
    expect(first.locator(".snippet__source")).to_have_text("as “Nam II”")
    # Grouped under the cable, then the telegram, which links into the text.
    heading = page.locator("h5.mention-passage")
    expect(heading).to_have_count(1)
    expect(heading).to_contain_text("Telegram 1 — from Li Kenong, “1145 10 July”")
    expect(heading.get_by_role("link", name="Telegram 1")).to_have_attribute(
        "href", f"/cables/{SLUG}/#p4"
    )


def test_copy_citation_puts_the_citation_on_the_clipboard(page, live_server, cable_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(cable_url)
    expect(page.locator("#citation-text")).to_have_text(CITATION)
    button = page.get_by_role("button", name="Copy citation")
    expect(button).to_be_visible()

    button.click()

    expect(page.locator(".citation .copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == CITATION


def test_rendered_text_keeps_every_character_of_every_passage(page, cable_url):
    page.goto(cable_url)
    cable = Cable.objects.get(slug=SLUG)
    passages = list(Passage.objects.filter(cable=cable).order_by("position"))
    assert len(passages) == 10

    rendered = page.locator("section.text .passage").evaluate_all(
        """els => els.map(el => ({
            id: el.id,
            paragraphs: [...el.querySelectorAll(':scope > .passage__text > p')].map(
                p => ({start: Number(p.dataset.start), text: p.textContent})),
        }))"""
    )
    assert [r["id"] for r in rendered] == [p.anchor for p in passages]
    for passage, shown in zip(passages, rendered, strict=True):
        texts = [p["text"] for p in shown["paragraphs"]]
        assert "\n\n".join(texts) == passage.text, passage.anchor
        for p in shown["paragraphs"]:
            assert passage.text[p["start"] : p["start"] + len(p["text"])] == p["text"]


def test_print_hides_navigation_and_keeps_the_text(calm, cable_url, screenshot_dir):
    page = calm
    page.goto(cable_url)
    page.emulate_media(media="print")

    for chrome in (".site-header", "nav", ".site-footer", ".skip-link", ".site-search"):
        expect(page.locator(chrome).first).to_be_hidden()
    for button in page.locator(".copy-button").all():
        expect(button).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("section.text")).to_be_visible()
    for anchor in TELEGRAM_HEADERS:
        expect(page.locator(f"#{anchor} .passage__text p").first).to_be_visible()
    expect(page.locator("#p6 .telegram__meta")).to_be_visible()
    # Each address is printed once: the link's own text is the address (the archive's
    # own for the record, then the staging host the text was taken from).
    # (The line under the citation naming its source is screen-only: the list has it.)
    addresses = page.locator(".metadata a[href^='http']:visible")
    expect(addresses).to_have_text(
        [
            "https://digitalarchive.wilsoncenter.org/document/117409",
            "https://wilson-center.drivingcreative.com/document/117409",
        ]
    )
    for address in addresses.all():
        assert address.evaluate("a => getComputedStyle(a, '::after').content") == "none"

    # Editors' margin notes and the reading tools are screen-only.
    expect(page.locator(".margin").first).to_be_hidden()

    page.screenshot(path=str(screenshot_dir / "reading-view-print.png"), full_page=True)


def test_print_shows_names_in_the_text_in_black(page, cable_url):
    page.goto(cable_url)
    page.emulate_media(media="print")
    color = "a => getComputedStyle(a).color"
    assert page.locator(".metadata a").first.evaluate(color) == "rgb(0, 0, 0)"
    assert page.locator("#p4 a.mention").first.evaluate(color) == "rgb(0, 0, 0)"
