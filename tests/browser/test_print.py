"""Print (issue 14): the notes print as numbered endnotes keyed to markers in the
text, and the record's citation is on the first page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
A4_HEIGHT = 1123  # px at 96 dpi


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}/cables/{SLUG}/"


def test_printed_notes_are_endnotes_and_the_citation_opens_the_first_page(
    page, cable_url, screenshot_dir
):
    page.set_viewport_size({"width": 794, "height": A4_HEIGHT})  # an A4 page's width
    page.goto(cable_url)
    endnotes = page.locator("section.endnotes")
    expect(endnotes).to_be_hidden()  # on screen the notes are the margin's cards
    page.emulate_media(media="print")
    expect(page.locator(".margin").first).to_be_hidden()
    expect(endnotes).to_be_visible()
    items = endnotes.locator("li")
    expect(items).to_have_count(11)
    expect(items.first).to_contain_text("CABLI")
    # Each highlight's first mark prints its number, keyed to the list.
    marker = page.locator("mark.hl[data-n='1']")
    assert marker.evaluate("m => getComputedStyle(m, '::after').content") == '"1"'
    assert items.first.get_attribute("value") == "1"
    # The citation, opened from the record, stands on the first page, before the text.
    citation = page.locator("#citation-text")
    expect(citation).to_be_visible()
    top = citation.evaluate("el => el.getBoundingClientRect().top + scrollY")
    assert top < A4_HEIGHT * 0.8, top
    text_top = page.locator("#reading-text").evaluate(
        "el => el.getBoundingClientRect().top + scrollY"
    )
    assert top < text_top
    page.screenshot(
        path=str(screenshot_dir / "print-first-page.png"),
        clip={"x": 0, "y": 0, "width": 794, "height": A4_HEIGHT},
        full_page=True,
    )
    endnotes.screenshot(path=str(screenshot_dir / "print-endnotes.png"))
