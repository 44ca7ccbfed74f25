"""Annotation on every device (issue 14): a touch selection offers Annotate, a tap
on a highlight inside a name shows its note, edit and delete forms open level
with their highlight, and the keyboard has its own way in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from annotations.services import create_annotation
from cables.models import Passage

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
PHONE = {"width": 390, "height": 844}

# Select `words` inside `selector` as a long press and the handles leave it: the
# selection changes, and no mouseup or keyup is sent. (Headless Chromium makes no
# selection from a synthesised long press, so the test sets the one it would.)
TOUCH_SELECT_JS = """([selector, words]) => {
    const root = document.querySelector(selector);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(words);
        if (at >= 0) {
            window.getSelection().setBaseAndExtent(node, at, node, at + words.length);
            return true;
        }
    }
    return false;
}"""


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}/cables/{SLUG}/"


def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_a_touch_selection_offers_annotate(browser, cable_url, users, login, screenshot_dir):
    context, page = phone(browser)
    login(page, users.researcher)
    page.goto(cable_url)
    words = "five American representatives"
    paragraph = page.locator("#p4 .passage__text p").first
    paragraph.scroll_into_view_if_needed()
    page.touchscreen.tap(20, 200)  # the reader's finger, before the long press
    assert page.evaluate(TOUCH_SELECT_JS, ["#p4 .passage__text", words])
    annotate = page.get_by_role("button", name="Annotate", exact=True)
    expect(annotate).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "annotate-touch-phone.png"))
    annotate.tap()
    form = page.locator("#compose-5 form.compose")
    expect(form).to_be_visible()
    expect(form.locator("input[name=exact]")).to_have_value(words)
    context.close()


def test_a_tap_on_a_highlight_inside_a_name_shows_its_note(browser, cable_url):
    context, page = phone(browser)
    page.goto(cable_url)
    # The editors' public correction highlights "Nam II", which names Nam Il.
    mark = page.locator("#p4 a.mention mark.hl, #p4 mark.hl a.mention").first
    expect(mark).to_be_attached()
    name = page.locator("#p4 a.mention", has_text="Nam II").first
    name.scroll_into_view_if_needed()
    highlight = page.locator("#p4 mark.hl", has_text="Nam II").first
    annotation = highlight.get_attribute("data-annotation")
    name.tap()
    expect(page).to_have_url(cable_url)  # still here
    card = page.locator(f"#card-{annotation}")
    expect(card).to_have_class(re.compile(r"\bis-focus\b"))
    expect(card).to_be_in_viewport()
    # A second tap on it follows the name to the person's page.
    name.scroll_into_view_if_needed()
    name.tap()
    expect(page).to_have_url(re.compile(r"/participants/nam-il/$"))
    context.close()


def test_edit_and_delete_forms_open_level_with_their_highlight(page, cable_url, users, login):
    page.set_viewport_size({"width": 1440, "height": 900})
    telegram = Passage.objects.get(cable__slug=SLUG, label="Telegram 1")
    words = "We replied to this favorably"
    start = telegram.text.index(words)
    note = create_annotation(
        user=users.researcher, passage=telegram, start=start, end=start + len(words),
        exact=words, body="Low in the telegram.", kind="comment", visibility="private",
    )  # fmt: skip
    login(page, users.researcher)
    page.goto(cable_url)
    highlight = page.locator(f"#a{note.pk}")
    highlight.scroll_into_view_if_needed()
    card = page.locator(f"#card-{note.pk}")
    for action in ("Edit", "Delete"):
        card.get_by_role("link", name=action).click()
        form = page.locator(f"form#card-{note.pk}")
        expect(form).to_be_visible()
        page.wait_for_timeout(100)  # the margin is laid out on the next frame
        top = highlight.bounding_box()["y"]
        assert abs(form.bounding_box()["y"] - top) < 24, action
        margin_top = page.locator("#row-5 .margin").bounding_box()["y"]
        assert form.bounding_box()["y"] - margin_top > 300, action  # not at the margin's top
        form.get_by_role("link", name="Cancel" if action == "Edit" else "Keep it").click()
        expect(page.locator(f"article#card-{note.pk}")).to_be_visible()


def test_the_keyboard_path_skip_link_passage_focus_and_annotate_this_passage(
    page, cable_url, users, login, screenshot_dir
):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.emulate_media(reduced_motion="reduce")
    login(page, users.researcher)
    page.goto(cable_url)
    expect(page.locator("#keyboard-hint")).to_contain_text("caret browsing")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to the text")
    page.keyboard.press("Enter")
    expect(page.locator("#text-title")).to_be_focused()
    # Tab on to the first passage of the text; each passage takes the focus in order.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.passage')"):
            break
    assert page.evaluate("document.activeElement.id") == "p0"
    offer = page.get_by_role("button", name="Annotate this passage")
    expect(offer).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "annotate-this-passage.png"))
    # To telegram 1 (its header's links, then the passage), and annotate it whole.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "p4":
            break
    assert page.evaluate("document.activeElement.id") == "p4"
    page.keyboard.press("Enter")
    form = page.locator("#compose-5 form.compose")
    expect(form).to_be_visible()
    expect(form.locator("input[name=start]")).to_have_value("0")
    telegram = Passage.objects.get(cable__slug=SLUG, label="Telegram 1")
    expect(form.locator("input[name=end]")).to_have_value(str(len(telegram.text)))
    expect(form.locator("textarea")).to_be_focused()
