"""Who wrote to whom in a real browser: clicking an edge of the drawing opens its
records; docs/screenshots/network.png and network-phone.png show the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def network_url(live_server, transactional_db, seed):
    return f"{live_server.url}/network/"


def test_clicking_an_edge_opens_its_records(page, network_url, screenshot_dir):
    page.goto(network_url)
    svg = page.locator("svg.network-svg")
    expect(svg).to_be_visible()
    expect(svg.locator("a.network-node")).to_have_count(5)
    expect(svg.locator("a.network-edge")).to_have_count(4)
    # The drawing fits the page's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / "network.png"), full_page=True)

    edge = svg.locator('a.network-edge[data-from="li-kenong"][data-to="mao-zedong"]')
    # A pointer over the edge finds the edge (its count, at its middle), not what lies under it.
    edge.locator(".network-edge__count").click()
    expect(page).to_have_url(re.compile(r"/network/li-kenong/mao-zedong/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Li Kenong → Mao Zedong")
    items = page.locator(".edge-list__item")
    expect(items).to_have_count(4)
    expect(items.first.get_by_role("link")).to_have_text("Telegram 4")
    # Each record opens the reading view at its telegram.
    items.nth(1).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/cables/[\w-]+/#p4$"))


def test_a_person_links_to_their_page(page, network_url):
    page.goto(network_url)
    page.locator('svg a.network-node[data-person="mao-zedong"] circle').click()
    expect(page).to_have_url(re.compile(r"/participants/mao-zedong/$"))
    # And back: their page opens the network on their correspondence.
    page.get_by_role("link", name=re.compile("Correspondents")).click()
    expect(page).to_have_url(re.compile(r"/network/\?participant=mao-zedong$"))
    expect(page.locator("svg a.network-edge")).to_have_count(2)


def test_on_a_phone_the_drawing_scales_and_the_table_follows(browser, network_url, screenshot_dir):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(network_url)
        svg = page.locator("svg.network-svg")
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # Names are readable: at least 11 CSS pixels high once scaled to the screen.
        label = svg.locator(".network-node__label").first
        assert label.bounding_box()["height"] >= 11
        expect(page.locator(".network-table tbody tr")).to_have_count(4)
        page.screenshot(path=str(screenshot_dir / "network-phone.png"), full_page=True)
    finally:
        context.close()
