"""The thread strip in a browser (issue 16): a reader of the seed sees what its
cover note forwards, follows "Read side by side" to the split view, and the
reference in the text carries what it resolves to."""

from __future__ import annotations

from playwright.sync_api import expect

SLUG = "cable-21680-mao-to-filippov-1951-07-11"


def test_the_strip_opens_the_forwarded_report_side_by_side(
    page, live_server, transactional_db, seed, screenshot_dir
):
    page.goto(f"{live_server.url}/cables/{SLUG}/")
    strip = page.get_by_role("navigation", name="In this correspondence")
    expect(strip).to_contain_text("Forwards")
    expect(strip).to_contain_text("Telegram 1 from Li Kenong, 1145 10 July")
    reference = page.locator(".reference").first
    expect(reference).to_have_attribute(
        "title", "Forwards: Telegram 1 from Li Kenong, 1145 10 July"
    )
    strip.screenshot(path=str(screenshot_dir / "thread-strip.png"))
    # Telegram 3 (attachment Nº 1) beside the report it belongs to.
    strip.get_by_role("link", name="Read side by side").first.click()
    expect(page).to_have_url(f"{live_server.url}/compare/?a=telegram:{SLUG}:3&b=telegram:{SLUG}:1")
    expect(page.locator("#pane-a .pane__title")).to_contain_text("Telegram 3")
    expect(page.locator("#pane-b .pane__title")).to_contain_text("Telegram 1")
