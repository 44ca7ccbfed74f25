"""The split view in a browser: link across the panes with the mouse, see the
connector, align and lock the scrolling, use it by keyboard and on a narrow screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from annotations.models import Link
from annotations.services import create_link
from cables.models import Passage
from tests.browser.test_annotating import drag_select

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
T1, T3 = f"telegram:{SLUG}:1", f"telegram:{SLUG}:3"
SOURCE = "the draft text is attached separately"
TARGET = "proposed by the American representatives"


@pytest.fixture
def compare_url(live_server, transactional_db, seed):
    return f"{live_server.url}/compare/?a={T1}&b={T3}"


@pytest.fixture
def link(users, seed):
    t1 = Passage.objects.get(cable__slug=SLUG, label="Telegram 1")
    t3 = Passage.objects.get(cable__slug=SLUG, label="Telegram 3")
    return create_link(
        user=users.researcher, passage=t1, start=t1.text.index(SOURCE),
        end=t1.text.index(SOURCE) + len(SOURCE), exact=SOURCE, relation="quotes",
        visibility="public", target_passage=t3, target_start=t3.text.index(TARGET),
        target_end=t3.text.index(TARGET) + len(TARGET), target_exact=TARGET,
    )  # fmt: skip


def test_link_two_passages_across_the_panes_with_the_mouse(
    page, compare_url, users, login, screenshot_dir
):
    login(page, users.researcher)
    page.goto(compare_url)
    drag_select(page, "#pane-a .passage__text", SOURCE)
    page.get_by_role("button", name="Link…").click()
    expect(page.locator("#link-banner")).to_contain_text(f"Linking from “{SOURCE}”")

    drag_select(page, "#pane-b .passage__text", TARGET)
    page.get_by_role("button", name="Link here").click()
    form = page.locator("#pane-b #link-form")
    expect(form).to_contain_text(SOURCE)
    expect(form).to_contain_text(TARGET)
    form.get_by_label("Relation").select_option("quotes")
    form.get_by_label("Note").fill("Li Kenong attaches the UN draft he mentions here.")
    form.get_by_label("Everyone").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Save link").click()

    link = Link.objects.select_related("annotation").get()
    assert (link.annotation.exact, link.target_exact, link.relation) == (SOURCE, TARGET, "quotes")
    expect(page.locator("#link-banner")).to_have_count(0)
    expect(page.locator(f"#pane-a mark#a{link.pk}")).to_have_text(SOURCE)
    expect(page.locator(f"#pane-b mark#l{link.pk}")).to_have_text(TARGET)
    expect(page.locator(f"#pane-b #incoming-{link.pk}")).to_contain_text("Quotes")

    page.get_by_role("button", name="Align linked passages").click()
    expect(page.locator("#compare-status")).to_have_text("Aligned the linked passages.")
    page.wait_for_timeout(200)
    a = page.locator(f"#a{link.pk}").bounding_box()
    b = page.locator(f"#l{link.pk}").bounding_box()
    assert abs(a["y"] - b["y"]) < 4
    expect(page.locator(f'path.connector[data-link="{link.pk}"]')).to_have_count(1)
    page.locator(f"#a{link.pk}").hover()
    expect(page.locator(f'path.connector[data-link="{link.pk}"]')).to_have_class(
        "connector is-active"
    )
    page.screenshot(path=str(screenshot_dir / "compare.png"))


def test_lock_scrolling_moves_both_panes(page, compare_url, link):
    page.goto(compare_url)
    pane_a = page.locator("#pane-a .pane__text")
    pane_b = page.locator("#pane-b .pane__text")
    pane_a.evaluate("el => { el.scrollTop = 100; }")
    page.wait_for_timeout(100)
    assert pane_b.evaluate("el => el.scrollTop") == 0  # independent by default
    page.get_by_label("Lock scrolling").check()
    before = pane_b.evaluate("el => el.scrollTop")
    pane_a.hover()
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(400)
    moved = pane_b.evaluate("el => el.scrollTop") - before
    assert moved > 150


def test_swap_and_replace_by_keyboard(page, compare_url, live_server):
    page.goto(compare_url)
    page.get_by_role("link", name="Swap sides").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/compare/?a={T3}&b={T1}")
    # Replace the right pane in place: the URL follows, the left pane stays.
    picker = page.locator("#pick-b")
    picker.focus()
    picker.fill("agenda:un-draft-1951-07-10")
    page.keyboard.press("Enter")
    expect(page.locator("#pane-b .agenda-list li")).to_have_count(9)
    expect(page).to_have_url(f"{live_server.url}/compare/?a={T3}&b=agenda:un-draft-1951-07-10")
    expect(page.locator("#pane-a")).to_contain_text("Telegram 3")


def test_narrow_screen_stacks_the_panes(page, compare_url, link):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(compare_url)
    a = page.locator("#pane-a").bounding_box()
    b = page.locator("#pane-b").bounding_box()
    assert b["y"] >= a["y"] + a["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
