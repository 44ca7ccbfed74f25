"""Print (issue 14): the first page is the title and a short citation line, then
the text; the notes print as numbered endnotes keyed to markers in the text; the
full record prints at the end, open, with no disclosure triangles or buttons."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
A4_HEIGHT = 1123  # px at 96 dpi


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}/cables/{SLUG}/"


def test_printed_notes_are_endnotes_and_the_citation_opens_the_first_page(
    page, cable_url, screenshot_dir, users
):
    from annotations import services
    from cables.models import Cable

    services.create_document_note(
        user=users.researcher,
        cable=Cable.objects.get(slug=SLUG),
        body="Read with the UN draft agenda of 10 July.",
        visibility="public",
    )
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

    # The first page: the title and a short citation line, then the text.
    def top(locator):
        return locator.evaluate("el => el.getBoundingClientRect().top + scrollY")

    def bottom(locator):
        return locator.evaluate("el => el.getBoundingClientRect().bottom + scrollY")

    line = page.locator(".cable__print-citation")
    expect(line).to_be_visible()
    expect(line).to_contain_text("Cite as:")
    expect(line).to_contain_text("digitalarchive.wilsoncenter.org/document/117409")
    title, text = page.locator("#cable-title"), page.locator("#reading-text")
    assert top(title) < top(line) < top(text) < A4_HEIGHT * 0.6, (top(line), top(text))
    first_passage = page.locator(".passage").first
    assert top(first_passage) < A4_HEIGHT, top(first_passage)  # the text starts on page 1
    # A note on the whole document prints above the text, without its controls.
    notes = page.locator("#document-notes")
    expect(notes).to_contain_text("Read with the UN draft agenda of 10 July.")
    assert top(text) < top(notes) < top(first_passage)
    expect(notes.locator(".reply-open, .document-notes__open")).to_have_count(0)
    # The full record comes after the text and its endnotes, open.
    record = page.locator("#record")
    assert top(record) > bottom(endnotes) > top(text)
    expect(page.locator("#citation-text")).to_be_visible()
    expect(page.locator("#cite-cable")).to_be_visible()  # the Cite box, open
    # No disclosure triangles, no buttons.
    markers = page.evaluate(
        """() => [...document.querySelectorAll('summary')]
            .filter(s => s.getClientRects().length)
            .map(s => [s.textContent.trim().slice(0, 30), getComputedStyle(s).listStyleType,
                       getComputedStyle(s, '::marker').content])"""
    )
    assert markers and all(kind == "none" for _, kind, _ in markers), markers
    buttons = page.evaluate(
        """() => [...document.querySelectorAll('button, [role=button], input[type=submit]')]
            .filter(b => b.getClientRects().length).map(b => b.textContent.trim())"""
    )
    assert buttons == [], buttons
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page") > 1
    page.screenshot(
        path=str(screenshot_dir / "print-first-page.png"),
        clip={"x": 0, "y": 0, "width": 794, "height": A4_HEIGHT},
        full_page=True,
    )
    endnotes.screenshot(path=str(screenshot_dir / "print-endnotes.png"))
    record.screenshot(path=str(screenshot_dir / "print-record-at-the-end.png"))


def test_printed_from_a_wide_window_the_text_takes_the_page(page, cable_url):
    """The side panel's layout (a grid on wide screens) gives way to one column in
    print: the record after the text, and the text as wide as the page."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(cable_url)
    page.emulate_media(media="print")
    text = page.locator("#reading-text")
    expect(text).to_be_visible()
    width = text.evaluate("el => el.getBoundingClientRect().width")
    assert width > 1000, width
    record_top = page.locator("#record").evaluate("el => el.getBoundingClientRect().top")
    assert record_top > text.evaluate("el => el.getBoundingClientRect().bottom")
