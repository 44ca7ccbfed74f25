"""Connector lines between corresponding agenda items, and proposing a correspondence.

The seed's two drafts of 10 July 1951 have eight editorial correspondences, so
eight lines in the gutter between the columns. Hovering or focusing an item
lights its lines (``is-lit``); the lines follow the items when the window is
resized and disappear when the columns stack. A researcher proposes that the
UN's point 3 (military questions of Korea only) is opposed to the Communist
point 3 (withdrawal of foreign troops); an editor accepts it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from telegrams.models import AgendaItem, Correspondence

COMPARE = "/agendas/compare/?left=communist-draft-1951-07-10&right=un-draft-1951-07-10"
NOTE = "The UN's limit to military questions of Korea rules out the Communist third point."


@pytest.fixture
def compare_url(live_server, transactional_db, seed):
    return f"{live_server.url}{COMPARE}"


def lit_lines(page):
    """(from, to) of the lit connector lines."""
    return page.locator(".cmp-connector.is-lit").evaluate_all(
        "els => els.map(e => [e.dataset.from, e.dataset.to]).sort()"
    )


def line_ends(page, corr_from, corr_to):
    """The first and last point of a connector's path, in page coordinates."""
    return page.evaluate(
        """([a, b]) => {
            const g = document.querySelector(`.cmp-connector[data-from="${a}"][data-to="${b}"]`);
            const path = g.querySelector("path");
            const frame = document.querySelector(".cmp-frame").getBoundingClientRect();
            const start = path.getPointAtLength(0);
            const end = path.getPointAtLength(path.getTotalLength());
            const [dx, dy] = [frame.left, frame.top];
            return [start.x + dx, start.y + dy, end.x + dx, end.y + dy];
        }""",
        [corr_from, corr_to],
    )


def test_one_line_per_correspondence_between_the_item_boxes(page, compare_url):
    page.goto(compare_url)
    lines = page.locator(".cmp-connectors .cmp-connector")
    expect(lines).to_have_count(8)
    pairs = lines.evaluate_all("els => els.map(e => [e.dataset.from, e.dataset.to]).sort()")
    assert ["left-item-1-5", "right-item-2-9"] in pairs
    assert ["left-item-1-4", "right-item-2-8"] in pairs
    # Styled by relation: item 5 ~ UN 9 is "same", item 5 ~ UN 2 "related" (dotted).
    same = page.locator('.cmp-connector[data-from="left-item-1-5"][data-to="right-item-2-9"]')
    expect(same).to_have_class(re.compile(r"\bcmp-connector--same\b"))
    related = page.locator('.cmp-connector[data-from="left-item-1-5"][data-to="right-item-2-2"]')
    dashes = related.locator("path").evaluate("p => getComputedStyle(p).strokeDasharray")
    assert dashes not in ("none", "")
    # The line runs from the left item's right edge to the right item's left edge.
    x1, y1, x2, y2 = line_ends(page, "left-item-1-5", "right-item-2-9")
    left = page.locator("#left-item-1-5").bounding_box()
    right = page.locator("#right-item-2-9").bounding_box()
    assert abs(x1 - (left["x"] + left["width"])) < 1.5
    assert abs(x2 - right["x"]) < 1.5
    assert left["y"] < y1 < left["y"] + left["height"]
    assert right["y"] < y2 < right["y"] + right["height"]
    # The SVG is decoration: hidden from assistive technology, never in the way of the mouse.
    svg = page.locator(".cmp-connectors")
    expect(svg).to_have_attribute("aria-hidden", "true")
    assert svg.evaluate("s => getComputedStyle(s).pointerEvents") == "none"


def test_hovering_an_item_lights_its_lines(page, compare_url):
    page.goto(compare_url)
    expect(page.locator(".cmp-connector")).to_have_count(8)
    assert lit_lines(page) == []

    page.locator("#left-item-1-5 .cmp-item__text").hover()

    assert lit_lines(page) == [
        ["left-item-1-5", "right-item-2-2"],
        ["left-item-1-5", "right-item-2-9"],
    ]
    lit = page.locator(".cmp-connector.is-lit").first
    other = page.locator('.cmp-connector[data-from="left-item-1-1"]')
    opacity = "e => Number(getComputedStyle(e).opacity)"
    page.wait_for_timeout(200)  # the fade
    assert lit.evaluate(opacity) == 1
    assert other.evaluate(opacity) < 0.5
    # Both ends light up, and the status line gives relation and note.
    expect(page.locator("#right-item-2-9")).to_have_class(re.compile(r"\bis-counterpart\b"))
    expect(page.locator("#compare-status")).to_contain_text(
        "same to item 9: Both sides have an item on prisoners of war."
    )

    # Hovering the other end lights the same line from there.
    page.locator("#right-item-2-9 .cmp-item__text").hover()
    assert lit_lines(page) == [["left-item-1-5", "right-item-2-9"]]
    page.locator("h1").hover()
    assert lit_lines(page) == []


def test_keyboard_focus_lights_the_lines_too(page, compare_url):
    page.goto(compare_url)
    # From item 3's last link (item 3 has no counterpart, so nothing beside it) to item 4.
    page.locator("#left-item-1-3 .cmp-item__source a").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#left-item-1-4")).to_be_focused()
    assert lit_lines(page) == [
        ["left-item-1-4", "right-item-2-4"],
        ["left-item-1-4", "right-item-2-6"],
        ["left-item-1-4", "right-item-2-7"],
        ["left-item-1-4", "right-item-2-8"],
    ]
    expect(page.locator("#compare-status")).to_contain_text(
        "Item 4: partial to item 4: Both put the cessation of hostilities first"
    )


def test_lines_follow_the_items_when_the_window_is_resized(page, compare_url):
    page.goto(compare_url)
    expect(page.locator(".cmp-connector")).to_have_count(8)
    before = line_ends(page, "left-item-1-2", "right-item-2-5")
    page.set_viewport_size({"width": 960, "height": 900})
    page.wait_for_function(
        """() => {
            const item = document.getElementById("right-item-2-5").getBoundingClientRect();
            const frame = document.querySelector(".cmp-frame").getBoundingClientRect();
            const g = document.querySelector('.cmp-connector[data-to="right-item-2-5"] path');
            const end = g.getPointAtLength(g.getTotalLength());
            return Math.abs(end.x + frame.left - item.left) < 1.5;
        }"""
    )
    after = line_ends(page, "left-item-1-2", "right-item-2-5")
    assert after != before


def test_no_lines_when_the_columns_stack(page, compare_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(compare_url)
    expect(page.locator("#left-item-1-1")).to_be_visible()
    expect(page.locator(".cmp-connectors")).to_have_count(0)
    expect(page.locator(".cmp-legend")).to_be_hidden()
    # The relations read as text under each item.
    expect(page.locator("#left-item-1-5 .cmp-links")).to_contain_text("Same to item 9")
    # Widening the window brings the lines back.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(".cmp-connectors .cmp-connector")).to_have_count(8)


def test_without_javascript_the_relations_are_text(browser, live_server, transactional_db, seed):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{COMPARE}")
        expect(page.locator(".cmp-connectors")).to_have_count(0)
        expect(page.locator("#left-item-1-5 .cmp-links")).to_contain_text(
            "Same to item 9: Both sides have an item on prisoners of war."
        )
    finally:
        context.close()


def propose(page):
    page.select_option("#id_left_item", value=str(item("communist-draft-1951-07-10", 3).pk))
    page.select_option("#id_right_item", value=str(item("un-draft-1951-07-10", 3).pk))
    page.select_option("#id_relation", label="Opposed / contested")
    page.fill("#id_note", NOTE)
    page.get_by_role("button", name="Propose").click()


def item(slug, number):
    return AgendaItem.objects.get(agenda__slug=slug, number=number)


def test_researcher_proposes_and_an_editor_accepts(
    page, browser, live_server, compare_url, users, login, screenshot_dir
):
    login(page, users.researcher)
    page.goto(compare_url)
    expect(page.locator("#left-item-1-3")).to_have_class(re.compile(r"\bcmp-item--alone\b"))

    # An empty note is refused, in place, and nothing is written.
    page.select_option("#id_left_item", value=str(item("communist-draft-1951-07-10", 3).pk))
    page.select_option("#id_right_item", value=str(item("communist-draft-1951-07-10", 1).pk))
    page.fill("#id_note", "Two Communist points.")
    page.get_by_role("button", name="Propose").click()
    expect(page.locator(".form-errors")).to_contain_text("Both items are on the same side")
    assert Correspondence.objects.count() == 8

    propose(page)
    expect(page.locator(".message--done")).to_contain_text("Your proposal is shown below")
    corr = Correspondence.objects.get(note=NOTE)
    assert (corr.status, corr.proposed_by_id) == ("proposed", users.researcher.pk)
    link = page.locator(f"#corr-{corr.pk}")
    expect(link.locator(".badge--proposed")).to_have_text("Proposed")
    expect(link).to_contain_text("Proposed by you, awaiting an editor.")
    # Its line is drawn (after the swap), marked as a proposal, and lights on hover.
    line = page.locator(f'.cmp-connector[data-corr="{corr.pk}"]')
    expect(line).to_have_class(re.compile(r"\bcmp-connector--proposed\b"))
    page.locator("#right-item-2-3 .cmp-item__text").hover()
    expect(line).to_have_class(re.compile(r"\bis-lit\b"))
    expect(page.locator("#compare-status")).to_contain_text("(proposed by you)")
    page.locator("#right-item-2-3").scroll_into_view_if_needed()
    page.evaluate(
        "() => window.scrollTo(0, document.getElementById('left-item-1-2')"
        ".getBoundingClientRect().top + window.scrollY - 60)"
    )
    page.screenshot(path=str(screenshot_dir / "agenda-proposal.png"))

    # The editor sees it with the proposer's name, and accepts it.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    editor = context.new_page()
    try:
        login(editor, users.editor)
        editor.goto(compare_url)
        link = editor.locator(f"#corr-{corr.pk}")
        expect(link).to_contain_text("Proposed by Rosa, awaiting an editor.")
        link.get_by_role("button", name="Accept this correspondence").click()
        expect(editor.locator(".message--done")).to_contain_text("Accepted")
        expect(editor.locator(f"#corr-{corr.pk} .badge--proposed")).to_have_count(0)
        expect(editor.locator(f'.cmp-connector[data-corr="{corr.pk}"]')).to_have_class(
            re.compile(r"\bcmp-connector--accepted\b")
        )
    finally:
        context.close()
    corr.refresh_from_db()
    assert corr.status == "accepted"

    # Now everyone sees it, as part of the editorial set.
    page.context.clear_cookies()
    page.goto(compare_url)
    expect(page.locator(f"#corr-{corr.pk}")).to_contain_text("Proposed by Rosa; accepted")
    expect(page.locator(".cmp-connector")).to_have_count(9)


def adopted_26_july():
    """The agenda adopted on 26 July 1951 (not in the seed), linked by an editor."""
    from telegrams.models import Agenda  # joint: the adopted agenda belongs to neither side

    agenda = Agenda.objects.create(
        title="Agenda adopted 26 July 1951",
        slug="adopted-1951-07-26",
        status=Agenda.Status.ADOPTED,
        meeting="Tenth meeting, Kaesong",
    )
    texts = [
        "Adoption of agenda.",
        "Fixing a military demarcation line between both sides so as to establish a "
        "demilitarized zone as a basic condition for a cessation of hostilities in Korea.",
        "Concrete arrangements for the realization of cease fire and armistice in Korea, "
        "including the composition, authority and functions of a supervising organization.",
        "Arrangements relating to prisoners of war.",
        "Recommendations to the governments of the countries concerned on both sides.",
    ]
    adopted = [
        AgendaItem.objects.create(agenda=agenda, number=i, text=t) for i, t in enumerate(texts, 1)
    ]
    communist = "communist-draft-1951-07-10"
    links = [
        (item(communist, 1), adopted[0], "same", "Adopted as both drafts proposed."),
        (item(communist, 2), adopted[1], "partial", "A demarcation line, no longer the 38th."),
        (item(communist, 4), adopted[2], "partial", "The ceasefire, with supervision."),
        (item("un-draft-1951-07-10", 6), adopted[2], "related", "The UN's military commission."),
        (item(communist, 5), adopted[3], "same", "Prisoners of war."),
        (item(communist, 3), adopted[4], "related", "Foreign troops, left to governments."),
    ]
    for a, b, relation, note in links:
        Correspondence.objects.create(left=a, right=b, relation=relation, note=note)
    return agenda


def test_a_third_agenda_as_a_further_column(page, compare_url, screenshot_dir):
    adopted_26_july()
    page.goto(f"{compare_url}&also=adopted-1951-07-26")
    headings = page.locator(".agenda-compare thead .agenda-heading__title")
    expect(headings).to_have_count(3)
    expect(headings.nth(2)).to_have_text("Agenda adopted 26 July 1951")
    # Eight lines between the drafts, six more into the third column.
    expect(page.locator(".cmp-connector")).to_have_count(14)
    # Communist 5 and adopted 4 share a row; the line from the left column to the third
    # is drawn in the second gutter ("far"), the UN's one to it from edge to edge.
    row = page.locator(".agenda-compare tbody tr", has=page.locator("#left-item-1-5"))
    expect(row.locator("[id^='also1-item-'][id$='-4']")).to_have_count(1)
    far = page.locator('.cmp-connector[data-from="left-item-1-5"][data-to^="also1-"]')
    expect(far).to_have_class(re.compile(r"\bcmp-connector--far\b"))
    near = page.locator('.cmp-connector[data-from="right-item-2-6"][data-to^="also1-"]')
    expect(near).not_to_have_class(re.compile(r"\bcmp-connector--far\b"))

    page.locator("[id^='also1-item-'][id$='-3'] .cmp-item__text").hover()
    expect(page.locator(".cmp-connector.is-lit")).to_have_count(2)
    expect(page.locator("#compare-status")).to_contain_text(
        "Agenda adopted 26 July 1951 item 3: partial to Communist item 4: The ceasefire, "
        "with supervision. · related to UN Command item 6"
    )
    # The far line starts at Communist 4's edge, and passes above the UN column's text.
    x1, y1, _, _ = line_ends(page, "left-item-1-4", far_id(page))
    box = page.locator("#left-item-1-4").bounding_box()
    assert abs(x1 - (box["x"] + box["width"])) < 1.5

    page.set_viewport_size({"width": 1280, "height": 2600})
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("[id^='also1-item-'][id$='-3'] .cmp-item__text").hover()
    page.screenshot(path=str(screenshot_dir / "agenda-compare-three.png"), full_page=True)


def far_id(page):
    return page.locator(
        '.cmp-connector[data-from="left-item-1-4"][data-to^="also1-"]'
    ).get_attribute("data-to")
