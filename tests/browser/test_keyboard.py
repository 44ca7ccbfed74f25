"""Keyboard use of the reading view: the skip link comes first, and every
element the Tab key reaches shows a visible focus outline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

CABLE = "/cables/cable-21680-mao-to-filippov-1951-07-11/"

# What the focused element looks like: enough to say whether the focus is visible.
FOCUS_JS = """() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        text: (el.textContent || el.value || '').trim().slice(0, 40),
        href: el.getAttribute('href'),
        outlineStyle: s.outlineStyle,
        outlineWidth: parseFloat(s.outlineWidth),
        outlineColor: s.outlineColor,
        boxShadow: s.boxShadow,
        visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden',
    };
}"""


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}{CABLE}"


def test_skip_link_comes_first_and_moves_focus_to_main(page, cable_url):
    page.goto(cable_url)
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # hidden off-screen until focused

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{cable_url}#main")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside main, not back in the site header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_every_focusable_element_shows_a_visible_outline(page, cable_url):
    page.goto(cable_url)
    seen = []
    for _ in range(300):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused["tag"] == "body" or (seen and focused == seen[0]):
            break  # wrapped round
        seen.append(focused)
    else:
        pytest.fail("Tab never left the page")

    assert len(seen) > 40, "expected the header, metadata, telegram and mention links"
    kinds = {(f["tag"], f["text"]) for f in seen}
    assert ("a", "Skip to content") in kinds
    assert ("button", "Copy citation") in kinds
    assert ("a", "Nam II") in kinds  # a mention in the text
    invisible = [
        f for f in seen if f["outlineStyle"] == "none" or f["outlineWidth"] < 2 or not f["visible"]
    ]
    assert invisible == [], invisible


def test_focused_link_outline_is_not_none(page, cable_url):
    page.goto(cable_url)
    link = page.locator("#p6 .telegram__meta").get_by_role("link", name="Telegram 1")
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    expect(link).to_be_focused()
    style = link.evaluate(
        "a => { const s = getComputedStyle(a); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none"
    assert style == ["solid", "3px"]
