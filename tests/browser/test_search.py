"""Search in a real browser: typing updates the results in place, the URL follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

TITLE = "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"


@pytest.fixture
def search_url(live_server, transactional_db, seed):
    return f"{live_server.url}/search/"


def test_typing_updates_results_in_place_and_the_url(page, search_url, screenshot_dir):
    page.goto(search_url)
    expect(page.locator(".search-prompt")).to_be_visible()
    page.evaluate("window.__sameDocument = true")  # lost if the browser loads a new page

    page.get_by_label("Search cables, passages, names and annotations").press_sequentially(
        "Filippov", delay=30
    )

    results = page.locator("#search-results")
    expect(page).to_have_url(re.compile(r"/search/\?q=Filippov(&|$)"))
    expect(results.locator("#search-count")).to_have_text("1 cable found")
    expect(results.get_by_role("link", name=re.compile(r"Cable No\. 21680"))).to_be_visible()
    expect(results.locator(".search-expansions")).to_contain_text("Joseph Stalin")
    expect(results.locator("mark.hit").first).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True

    # A facet narrows in place; the box keeps the words, the URL gains the filter.
    results.locator('.facet__value[data-facet="year"]').first.click()
    expect(page).to_have_url(re.compile(r"\byear=1951\b"))
    expect(results.locator(".chip")).to_contain_text("Year: 1951")
    assert page.evaluate("window.__sameDocument") is True

    box = page.get_by_label("Search cables, passages, names and annotations")
    box.fill('"buffer zone"')
    expect(page).to_have_url(re.compile(r"q=%22buffer(\+|%20)zone%22.*\byear=1951\b"))
    expect(results.locator(".search-snippet mark.hit").first).to_have_text(re.compile("buffer"))
    page.screenshot(path=str(screenshot_dir / "search.png"), full_page=True)

    # The snippet's link opens the cable at the passage, with the terms marked.
    results.locator(".search-snippet__label").first.click()
    expect(page).to_have_url(re.compile(r"/cables/[^/]+/\?hl=.*#p\d+$"))
    expect(page.locator(".passage mark.hit").first).to_be_visible()
    expect(page.locator(".find-in-cable__status")).to_contain_text("matches")


def test_a_result_opens_at_its_best_match_with_the_terms_marked(page, search_url, screenshot_dir):
    """Issue 14: the title opened the cable at its top, far from the match."""
    page.emulate_media(reduced_motion="reduce")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(search_url + "?q=%22buffer+zone%22")
    page.locator(".search-hit__title a").first.click()
    expect(page).to_have_url(re.compile(r"/cables/[^/]+/\?hl=%22buffer\+zone%22#p5$"))
    current = page.locator("#p5 mark.hit.is-current")
    expect(current).to_have_count(1)
    expect(current).to_have_text(re.compile(r"^buffer\W+zone$", re.I))
    expect(current).to_be_in_viewport()
    page.screenshot(path=str(screenshot_dir / "search-opens-at-match.png"))
