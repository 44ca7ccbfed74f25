"""The chronology's person filter in a real browser: htmx swaps the entries in
place and pushes the filtered address; docs/screenshots/chronology.png shows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def chronology_url(live_server, transactional_db, seed):
    return f"{live_server.url}/chronology/"


def test_filter_by_person_updates_entries_in_place_and_the_url(
    page, chronology_url, screenshot_dir
):
    page.goto(chronology_url)
    results = page.locator("#chronology")
    entries = results.locator(".chron-entry")
    expect(results.get_by_role("heading", level=2)).to_have_text("8 entries")
    expect(entries).to_have_count(8)
    page.evaluate("window.__sameDocument = true")  # lost if the browser loads a new page

    page.get_by_label("Person").fill("Mao Zedong")
    page.get_by_label("Person").press("Enter")

    expect(page).to_have_url(re.compile(r"/chronology/\?.*\bparticipant=Mao(\+|%20)Zedong\b"))
    expect(results.get_by_role("heading", level=2)).to_have_text("6 entries matching")
    expect(entries).to_have_count(6)
    expect(results.locator(".active-filters")).to_contain_text("Person: Mao Zedong.")
    # Both days keep their headings; the day's untimed entry leads it.
    expect(results.locator(".chron-day__heading")).to_have_text(
        ["Tuesday, 10 July 1951", "Wednesday, 11 July 1951"]
    )
    expect(entries.first.locator(".chron-entry__time")).to_have_text("time not given")
    expect(results.get_by_text("Deciphered")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    expect(page.get_by_label("Person")).to_have_value("Mao Zedong")

    page.screenshot(path=str(screenshot_dir / "chronology.png"), full_page=True)

    # The pushed address is a real page: loading it shows the same entries.
    page.goto(page.url)
    expect(page.locator("#chronology .chron-entry")).to_have_count(6)
