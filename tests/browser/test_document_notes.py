"""A note on the whole document, written with the keyboard alone (issue 14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation

CABLE = "/cables/cable-21680-mao-to-filippov-1951-07-11/"


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}{CABLE}"


def tab_to(page, name: str, limit: int = 60) -> int:
    """Press Tab until the focused element's text is ``name``; how many presses."""
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(document.activeElement.textContent || '').trim()") == name:
            return n
    raise AssertionError(f"“{name}” was not reached in {limit} Tabs")


def test_a_document_note_written_with_the_keyboard(page, cable_url, users, login, screenshot_dir):
    login(page, users.researcher)
    page.goto(cable_url)
    tab_to(page, "Skip to the text", limit=3)
    page.keyboard.press("Enter")
    expect(page.locator("#text-title")).to_be_focused()
    presses = tab_to(page, "Note on this document")
    assert presses <= 15, presses  # near the top of the text, not past its passages
    page.keyboard.press("Enter")
    box = page.locator("#document-note-form textarea")
    expect(box).to_be_focused()
    page.keyboard.type("Read this cable with the UN draft agenda of 10 July.")
    tab_to(page, "Save")
    page.keyboard.press("Enter")
    section = page.locator("#document-notes")
    expect(section.locator(".note")).to_have_count(1)
    expect(section).to_contain_text("Read this cable with the UN draft agenda of 10 July.")
    expect(section.locator("#document-note-form")).to_have_count(0)
    note = Annotation.objects.get(on_document=True)
    assert note.author == users.researcher and note.visibility == "private"
    # The focus is on the saved note, so the keyboard goes on from there. It moves
    # when htmx settles the swap, a moment after the note is in the page.
    page.wait_for_function(
        f"document.activeElement?.closest('#card-{note.pk}') != null", timeout=5000
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(screenshot_dir / "document-note.png"))
    # Reloaded, it is still there, on the whole document, not beside a passage.
    page.reload()
    expect(page.locator("#document-notes .note")).to_have_count(1)
    expect(page.locator(".margin .note", has_text="UN draft agenda of 10 July")).to_have_count(0)
    page.get_by_role("link", name="Note on this document").click()
    expect(page.locator("#document-note-form textarea")).to_be_focused()
    page.locator("#document-notes").evaluate("el => window.scrollTo(0, el.offsetTop - 200)")
    page.screenshot(path=str(screenshot_dir / "document-note-page.png"))


def test_an_empty_document_note_is_refused_in_place(page, cable_url, users, login):
    login(page, users.researcher)
    page.goto(cable_url)
    page.get_by_role("link", name="Note on this document").click()
    form = page.locator("#document-note-form")
    # An empty box is refused by the browser (the field is required); spaces by the server.
    assert form.locator("textarea").evaluate("el => el.required")
    form.locator("textarea").fill("   ")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#document-note-form")).to_contain_text(
        "Write something in the note on this document."
    )
    assert not Annotation.objects.filter(on_document=True).exists()
