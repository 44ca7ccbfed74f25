"""Phone layouts (issue 14): search facets fold under a "Filter" button after the
first results, and the agenda page's sticky status bar takes one line at most."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, transactional_db, seed):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_search_facets_fold_under_filter_after_the_first_results(
    phone, live_server, screenshot_dir
):
    page = phone
    page.goto(f"{live_server.url}/search/?q=Kaesong")
    first = page.locator(".search-hit").first
    expect(first).to_be_visible()
    # The first result is on the first screen; the facets are folded, after it.
    assert first.bounding_box()["y"] < 844
    button = page.locator(".search-filter__button")
    expect(button).to_have_text("Filter")
    assert button.bounding_box()["y"] > first.bounding_box()["y"]
    expect(page.locator(".facet").first).to_be_hidden()
    page.screenshot(path=str(screenshot_dir / "search-phone.png"))
    # The link at the top opens the filters; so does the button.
    page.get_by_role("link", name="Filter the results").tap()
    expect(page.locator(".facet").first).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "search-phone-filter.png"))


def test_search_facets_stand_beside_the_results_on_a_desktop(
    page, live_server, transactional_db, seed
):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/search/?q=Kaesong")
    expect(page.locator(".facet").first).to_be_visible()
    expect(page.locator(".search-filter__button")).to_be_hidden()
    expect(page.get_by_role("link", name="Filter the results")).to_be_hidden()


def test_the_agenda_pages_sticky_bar_takes_one_line_on_a_phone(phone, live_server, screenshot_dir):
    page = phone
    page.goto(f"{live_server.url}/agendas/compare/")
    item = page.locator(".cmp-item").nth(1)
    item.scroll_into_view_if_needed()
    item.tap()
    status = page.locator("#compare-status")
    expect(status).not_to_be_empty()
    line = float(status.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    box = status.bounding_box()
    assert box["height"] <= line + 8, (box["height"], line)
    page.screenshot(path=str(screenshot_dir / "agendas-phone.png"))
