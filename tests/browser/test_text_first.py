"""Text first (issue 14): the reading view opens on the cable's text, on a desktop
(1440x900) and on a phone (390x844), with the record beside it or folded above it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}/cables/{SLUG}/"


def open_at(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, reduced_motion="reduce", **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_on_a_desktop_the_text_is_on_the_first_screen_and_the_record_beside_it(
    browser, cable_url, screenshot_dir
):
    context, page = open_at(browser, DESKTOP)
    page.goto(cable_url)
    text = page.locator("#text-title")
    expect(text).to_be_in_viewport()
    # The cable's first passage starts on the first screen.
    assert page.locator("#reading-text .passage").first.bounding_box()["y"] < 900
    record = page.locator("#record")
    expect(record.locator("#citation-text")).to_be_visible()
    expect(record.get_by_role("heading", name="People in this document")).to_be_attached()
    # A side panel: to the right of the text, beside the title, not above the text.
    text_box = page.locator("#reading-text").bounding_box()
    record_box = record.bounding_box()
    assert record_box["x"] >= text_box["x"] + text_box["width"]
    assert record_box["y"] < text_box["y"]
    # Full telegram headers on a desktop; the one-line summary is for phones.
    expect(page.locator("#p4 .telegram__meta")).to_be_visible()
    expect(page.locator("#p4 .telegram__line")).to_be_hidden()
    page.screenshot(path=str(screenshot_dir / "reading-view.png"))
    page.locator("#p6").screenshot(path=str(screenshot_dir / "telegram-header.png"))
    context.close()


def test_on_a_phone_the_record_is_folded_above_the_text_and_headers_are_one_line(
    browser, cable_url, screenshot_dir
):
    context, page = open_at(browser, PHONE, is_mobile=True, has_touch=True)
    page.goto(cable_url)
    record = page.locator("#record")
    expect(record).not_to_have_attribute("open", "")
    expect(record.locator("#citation-text")).to_be_hidden()
    expect(page.locator("#text-title")).to_be_in_viewport()
    text_top = page.locator("#text-title").bounding_box()["y"]
    assert record.bounding_box()["y"] < text_top < 844
    page.screenshot(path=str(screenshot_dir / "reading-view-phone.png"))

    # Telegram 1's header: one line (from → to, with the time), the rest on demand.
    line = page.locator("#p4 .telegram__line")
    expect(line).to_be_visible()
    expect(line).to_contain_text("Li Kenong → Mao Zedong · 10 Jul 1951, 11:45")
    assert line.bounding_box()["height"] < 2.2 * 17 * 1.6  # two lines of text at most
    meta = page.locator("#p4 .telegram__meta")
    expect(meta).to_be_hidden()
    header = page.locator("#p4 .telegram__header").bounding_box()["height"]
    assert header < 160, header
    line.tap()
    expect(meta).to_be_visible()
    expect(meta.get_by_role("link", name="Peng Dehuai")).to_be_visible()
    page.locator("#p4").screenshot(path=str(screenshot_dir / "telegram-header-phone.png"))

    # The record opens on demand, above the text.
    page.locator("#record > summary").tap()
    expect(record.locator("#citation-text")).to_be_visible()
    context.close()
