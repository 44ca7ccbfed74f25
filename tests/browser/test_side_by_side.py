"""Side by side from anywhere (issue 14): "Read side by side" on a cable and on each
telegram opens /compare/ with that text on the left and a picker on the right,
which suggests texts by title, number and person and shows their human names."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

SLUG = "cable-21680-mao-to-filippov-1951-07-11"


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}/cables/{SLUG}/"


def test_read_side_by_side_from_a_telegram_then_pick_by_person(
    browser, cable_url, live_server, screenshot_dir
):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(cable_url)
    page.locator("#p5").get_by_role("link", name="Read side by side").click()
    expect(page).to_have_url(f"{live_server.url}/compare/?a=telegram:{SLUG}:2")
    expect(page.locator("#pane-a .pane__title")).to_have_text(
        "Telegram 2 — Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    )
    picker = page.locator("#pick-b")
    expect(picker).to_be_focused()
    expect(page.get_by_label("Read beside it")).to_be_visible()

    # Suggestions as you type, by a person's name: human labels, no keys.
    picker.press_sequentially("Kenong", delay=30)
    options = page.locator("#pick-b-suggestions option")
    expect(options).to_have_count(4)
    labels = options.evaluate_all("os => os.map(o => o.value)")
    assert all(label.startswith("Telegram ") and "telegram:" not in label for label in labels)
    assert labels[2].startswith("Telegram 3: The UN Command's draft agenda")
    page.screenshot(path=str(screenshot_dir / "compare-picker.png"))

    picker.fill(labels[2])
    picker.press("Enter")
    expect(page.locator("#pane-b .pane__title")).to_have_text(re.compile(r"^Telegram 3 — "))
    expect(page).to_have_url(f"{live_server.url}/compare/?a=telegram:{SLUG}:2&b=telegram:{SLUG}:3")
    # The key is in the address only: the boxes never show one.
    for box in page.locator(".pane__picker input[type=search]").all():
        assert "telegram:" not in box.input_value()
    page.screenshot(path=str(screenshot_dir / "compare-from-telegram.png"))
    context.close()


def test_read_side_by_side_from_the_cable_on_a_phone(
    browser, cable_url, live_server, screenshot_dir
):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(cable_url)
    page.locator(".cable-actions").get_by_role("link", name="Read side by side").tap()
    expect(page).to_have_url(f"{live_server.url}/compare/?a=cable:{SLUG}")
    # Typing a number finds a telegram; a word that names nothing says so.
    picker = page.locator("#pick-b")
    picker.fill("nothing like this")
    picker.press("Enter")
    expect(page.locator("#pane-b [role=alert]")).to_contain_text(
        "No text matches “nothing like this”"
    )
    page.locator("#pick-b").fill("agenda 10 July")
    page.locator("#pick-b").press("Enter")
    expect(page.locator("#pane-b .agenda-list li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#pane-b").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    page.screenshot(path=str(screenshot_dir / "compare-phone.png"))
    context.close()


def test_a_link_between_two_telegrams_opens_side_by_side_with_its_connector(
    page, cable_url, live_server, users, screenshot_dir
):
    from annotations.services import create_link
    from cables.models import Cable

    cable = Cable.objects.get(slug=SLUG)
    t2, t3 = cable.passages.get(label="Telegram 2"), cable.passages.get(label="Telegram 3")
    source, target = "Adoption of the agenda", "Adoption of an agenda"
    link = create_link(
        user=users.researcher, passage=t2, start=t2.text.index(source),
        end=t2.text.index(source) + len(source), exact=source, relation="same_event",
        visibility="public", target_passage=t3, target_start=t3.text.index(target),
        target_end=t3.text.index(target) + len(target), target_exact=target,
    )  # fmt: skip
    page.goto(cable_url)
    card = page.locator(f"#card-{link.pk}")
    card.get_by_role("link", name="Open side by side").click()
    expect(page).to_have_url(
        f"{live_server.url}/compare/?a=telegram:{SLUG}:2&b=telegram:{SLUG}:3#l{link.pk}"
    )
    expect(page.locator("#pane-a .pane__title")).to_have_text(re.compile(r"^Telegram 2 — "))
    expect(page.locator("#pane-b .pane__title")).to_have_text(re.compile(r"^Telegram 3 — "))
    expect(page.locator("path.connector")).to_have_count(1)
