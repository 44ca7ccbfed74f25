"""The agenda comparison in a real browser: the two drafts of 10 July 1951.

Left, the Communist side's five points (telegram 2); right, the UN Command's
nine (telegram 3). Hovering or focusing an item lights up its counterparts
(``is-counterpart``), marks itself ``is-active`` and announces the
correspondence notes in the status line.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

COMPARE = "/agendas/compare/?left=communist-draft-1951-07-10&right=un-draft-1951-07-10"
CABLE = "/cables/cable-21680-mao-to-filippov-1951-07-11/"

# Item ids in the comparison: "<side>-<item anchor>"; item-1-n is Communist, item-2-n UN.
COMMUNIST = [f"left-item-1-{n}" for n in range(1, 6)]
UN = [f"right-item-2-{n}" for n in range(1, 10)]


@pytest.fixture
def compare_url(live_server, transactional_db, seed):
    return f"{live_server.url}{COMPARE}"


def lit(page, css_class):
    """Ids of the comparison items carrying ``css_class``, in document order."""
    return page.locator(f".agenda-compare .cmp-item.{css_class}").evaluate_all(
        "els => els.map(e => e.id)"
    )


def test_both_agendas_are_shown_side_by_side(page, compare_url):
    page.goto(compare_url)
    headings = page.locator(".agenda-compare thead .agenda-heading__title")
    expect(headings).to_have_text(
        ["Communist side's draft agenda, 10 July 1951", "UN Command's draft agenda, 10 July 1951"]
    )
    left = page.locator(".agenda-compare .cmp-item[data-side='left']")
    right = page.locator(".agenda-compare .cmp-item[data-side='right']")
    expect(left).to_have_count(5)
    expect(right).to_have_count(9)
    assert sorted(left.evaluate_all("els => els.map(e => e.id)")) == COMMUNIST
    assert sorted(right.evaluate_all("els => els.map(e => e.id)")) == UN
    # Linked items share a row: Communist 5 (POWs) sits with UN 2 and 9.
    row = page.locator(".agenda-compare tbody tr", has=page.locator("#left-item-1-5"))
    expect(row.locator("#right-item-2-2")).to_have_count(1)
    expect(row.locator("#right-item-2-9")).to_have_count(1)


def test_hovering_the_pow_item_lights_up_its_un_counterparts(page, compare_url):
    page.goto(compare_url)
    status = page.locator("#compare-status")
    expect(status).to_have_text("")

    page.locator("#left-item-1-5 .cmp-item__text").hover()

    expect(page.locator("#left-item-1-5")).to_have_class(re.compile(r"\bis-active\b"))
    expect(page.locator("#right-item-2-9")).to_have_class(re.compile(r"\bis-counterpart\b"))
    expect(page.locator("#right-item-2-2")).to_have_class(re.compile(r"\bis-counterpart\b"))
    assert sorted(lit(page, "is-counterpart")) == ["right-item-2-2", "right-item-2-9"]
    assert lit(page, "is-active") == ["left-item-1-5"]
    # The correspondence notes are announced in the visible status line.
    expect(status).to_be_visible()
    expect(status).to_have_text(
        "Item 5: related to item 2: The UN adds POW camp locations and Red Cross visits, "
        "which the Communist draft does not raise. · same to item 9: Both sides have an "
        "item on prisoners of war."
    )
    # The counterparts look different from the rest.
    background = "el => getComputedStyle(el).backgroundColor"
    assert page.locator("#right-item-2-9").evaluate(background) != page.locator(
        "#right-item-2-3"
    ).evaluate(background)

    # Leaving the table clears the highlight.
    page.locator("h1").hover()
    assert lit(page, "is-counterpart") == []
    assert lit(page, "is-active") == []


def test_hovering_un_item_3_says_it_has_no_counterpart(page, compare_url):
    page.goto(compare_url)
    item = page.locator("#right-item-2-3")
    expect(item).to_have_class(re.compile(r"\bcmp-item--alone\b"))
    expect(item.locator(".cmp-alone")).to_contain_text(
        "No counterpart Limits the talks to military questions of Korea alone"
    )

    item.locator(".cmp-item__text").hover()

    expect(item).to_have_class(re.compile(r"\bis-active\b"))
    assert lit(page, "is-counterpart") == []
    expect(page.locator("#compare-status")).to_have_text(
        "Item 3 has no counterpart on the other side."
    )


def test_tabbing_to_communist_item_1_lights_up_un_item_1(page, compare_url):
    page.goto(compare_url)
    page.locator("body").click(position={"x": 5, "y": 5})  # start from the top of the page
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "left-item-1-1":
            break
    else:
        pytest.fail("Tab never reached Communist item 1")

    expect(page.locator("#left-item-1-1")).to_be_focused()
    expect(page.locator("#left-item-1-1")).to_have_class(re.compile(r"\bis-active\b"))
    assert lit(page, "is-counterpart") == ["right-item-2-1"]
    expect(page.locator("#compare-status")).to_have_text(
        "Item 1: same to item 1: Both drafts open with the adoption of the agenda."
    )
    outline = page.locator("#left-item-1-1").evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"


def test_each_item_links_to_its_place_in_the_telegram(page, live_server, compare_url):
    page.emulate_media(reduced_motion="reduce")
    page.goto(compare_url)
    links = page.locator(".agenda-compare .cmp-item__source a")
    expect(links).to_have_count(14)
    hrefs = links.evaluate_all("els => els.map(a => a.getAttribute('href'))")
    expected = [f"{CABLE}#item-1-{n}" for n in range(1, 6)] + [
        f"{CABLE}#item-2-{n}" for n in range(1, 10)
    ]
    assert sorted(hrefs) == sorted(expected)

    # Follow the POW item's link: the item is there, in view and targeted.
    page.locator("#left-item-1-5 .cmp-item__source a").click()
    expect(page).to_have_url(f"{live_server.url}{CABLE}#item-1-5")
    target = page.locator("#item-1-5")
    expect(target).to_be_in_viewport()
    expect(target).to_have_text("5. Measures regarding POWs after the cessation of hostilities.")
    assert page.evaluate("document.querySelector(':target')?.id") == "item-1-5"
    expect(page.locator("#p5").locator("#item-1-5")).to_have_count(1)  # in telegram 2
    # Every other item's anchor exists on the cable page too, inside the right telegram.
    for href in expected:
        anchor = href.split("#")[1]
        telegram = "p5" if anchor.startswith("item-1-") else "p6"
        expect(page.locator(f"#{telegram} #{anchor}")).to_have_count(1)


def test_agenda_compare_screenshots(page, compare_url, screenshot_dir):
    # Tall enough for the whole table: nothing scrolls, so the status line sits in place.
    page.set_viewport_size({"width": 1280, "height": 2500})
    page.goto(compare_url)
    page.locator("#left-item-1-5 .cmp-item__text").hover()
    expect(page.locator("#right-item-2-9")).to_have_class(re.compile(r"\bis-counterpart\b"))
    # The connector lines are drawn, and item 5's two are lit.
    expect(page.locator(".cmp-connector.is-lit")).to_have_count(2)
    page.screenshot(path=str(screenshot_dir / "agenda-compare.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(compare_url)
    # At phone width the two columns stack, one item under another.
    first, second = (
        page.locator(f"#{i}").bounding_box() for i in ("left-item-1-1", "right-item-2-1")
    )
    assert second["y"] >= first["y"] + first["height"]
    page.locator(".agenda-compare").evaluate(
        "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 16)"
    )
    page.screenshot(path=str(screenshot_dir / "agenda-compare-narrow.png"))


def test_narrow_page_does_not_scroll_sideways(page, compare_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(compare_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
