"""The catalogue's filters in a real browser: htmx swaps the results in place,
and without JavaScript the same form is an ordinary GET."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cables.models import Participant

TITLE = "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"


@pytest.fixture
def catalogue_url(live_server, transactional_db, seed):
    # Someone the seed cable never names, so a filter can come back empty.
    Participant.objects.create(name="Syngman Rhee", sort_name="Rhee, Syngman", slug="syngman-rhee")
    return f"{live_server.url}/cables/"


def test_filter_by_person_updates_results_in_place_and_the_url(page, catalogue_url):
    page.goto(catalogue_url)
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_have_text("1 cable")
    page.evaluate("window.__sameDocument = true")  # lost if the browser loads a new page
    fragments = []
    page.on(
        "request",
        lambda r: fragments.append(r.url) if r.headers.get("hx-request") == "true" else None,
    )

    person = page.get_by_label("Person")
    person.press_sequentially("Nam")
    # The box suggests the names that contain what was typed.
    expect(page.locator("#id_participant-suggestions option")).to_have_attribute("value", "Nam Il")
    person.fill("Nam Il")
    person.press("Enter")

    expect(page).to_have_url(re.compile(r"/cables/\?.*\bparticipant=Nam(\+|%20)Il\b"))
    expect(results.get_by_role("heading", level=2)).to_have_text("1 cable matching")
    expect(results.locator(".active-filters")).to_contain_text("Person: Nam Il.")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    assert any(re.search(r"participant=Nam(\+|%20)Il", url) for url in fragments)

    person.fill("Syngman Rhee")
    person.press("Enter")

    expect(page).to_have_url(re.compile(r"\bparticipant=Syngman(\+|%20)Rhee\b"))
    expect(results.get_by_role("heading", level=2)).to_have_text("0 cables matching")
    expect(results.locator(".empty")).to_contain_text("No cables match these filters.")
    assert page.evaluate("window.__sameDocument") is True
    # The form still says what is filtered (it was not swapped).
    expect(page.get_by_label("Person")).to_have_value("Syngman Rhee")

    # Back goes to the previous filter.
    page.go_back()
    expect(page).to_have_url(re.compile(r"\bparticipant=Nam(\+|%20)Il\b"))
    expect(results.get_by_role("heading", level=2)).to_have_text("1 cable matching")


def test_filter_by_person_without_javascript_is_a_plain_get(browser, catalogue_url):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(catalogue_url)
        expect(page.locator("#results h2")).to_have_text("1 cable")

        page.get_by_label("Person").fill("nam il")  # any case; a name, alias or identifier
        expect(page.locator("#results h2")).to_have_text("1 cable")  # nothing happens yet
        page.get_by_role("button", name="Show cables").click()

        expect(page).to_have_url(re.compile(r"/cables/\?.*\bparticipant=nam(\+|%20)il\b"))
        expect(page.locator("#results h2")).to_have_text("1 cable matching")
        expect(page.locator("#results .active-filters")).to_contain_text("Person: Nam Il.")
        expect(page.get_by_label("Person")).to_have_value("nam il")

        page.get_by_label("Person").fill("syngman-rhee")
        page.get_by_role("button", name="Show cables").click()
        expect(page).to_have_url(re.compile(r"\bparticipant=syngman-rhee\b"))
        expect(page.locator("#results h2")).to_have_text("0 cables matching")
    finally:
        context.close()
