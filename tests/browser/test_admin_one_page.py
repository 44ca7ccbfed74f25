"""An editor enters a telegram passage, its header and an addressee on the cable's page (issue 14).

One admin page: the passage is added to the cable, its telegram header is
added inside the passage, the addressee inside the header is picked with the
autocomplete box, and one Save writes it all; the reading view then shows it.
The page's scripts keep to the Content-Security-Policy throughout.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cables.models import Cable
from telegrams.models import Telegram
from tests.browser.test_csp import RECORD_VIOLATIONS, violations

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
NEW_TEXT = "The delegation reached the conference house at ten and waited for the other side."


def test_editor_adds_a_telegram_passage_with_an_addressee_on_one_page(
    page, live_server, seed, users, login, screenshot_dir
):
    cable = Cable.objects.get(slug=SLUG)
    passages_before = cable.passages.count()
    n = passages_before  # the new passage's form
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, users.editor)
    page.goto(f"{live_server.url}/admin/cables/cable/{cable.pk}/change/")

    page.locator(".djn-add-handler.djn-level-1.djn-model-cables-passage").click()
    passage = page.locator(f"#passages-{n}")
    expect(passage).to_be_visible()
    passage.locator(f"#id_passages-{n}-kind").select_option(label="Forwarded telegram")
    passage.locator(f"#id_passages-{n}-label").fill("Telegram 9")
    passage.locator(f"#id_passages-{n}-text").fill(NEW_TEXT)

    # The telegram header, inside the passage.
    passage.locator(".djn-add-handler.djn-model-telegrams-telegram").click()
    header = page.locator(f"#passages-{n}-telegram-0")
    expect(header).to_be_visible()
    header.locator(f"#id_passages-{n}-telegram-0-number").fill("9")
    header.locator(f"#id_passages-{n}-telegram-0-sent_as_written").fill("2300 11 July")

    # An addressee, inside the header, through the autocomplete box.
    addressees = f"passages-{n}-telegram-0-recipients"
    header.get_by_text("Add another Addressee").click()
    row = page.locator(f"#{addressees}-0")
    expect(row).to_be_visible()
    row.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Peng")
    page.locator(".select2-results__option", has_text="Peng Dehuai").click()
    expect(row.locator(".select2-selection__rendered")).to_contain_text("Peng Dehuai")
    passage.screenshot(path=str(screenshot_dir / "admin-cable-one-page.png"))

    page.locator("input[name=_continue]").last.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    assert violations(page) == []

    cable.refresh_from_db()
    assert cable.passages.count() == passages_before + 1
    new = cable.passages.order_by("position").last()
    assert (new.position, new.kind, new.text) == (passages_before, "telegram", NEW_TEXT)
    telegram = Telegram.objects.get(passage=new)
    assert telegram.number == 9
    assert [p.name for p in telegram.addressees] == ["Peng Dehuai"]

    page.goto(f"{live_server.url}/cables/{SLUG}/")
    shown = page.locator(f"#p{new.position}")
    expect(shown).to_contain_text(NEW_TEXT)
    header = page.locator(".telegram__header", has=page.locator(f"#p{new.position}-title"))
    expect(header.get_by_role("heading")).to_have_text("Telegram 9")
    expect(header.get_by_role("link", name="Peng Dehuai")).to_be_visible()  # To: Peng Dehuai


def test_editor_reorders_copies_by_dragging_them(page, live_server, seed, users, login):
    cable = Cable.objects.get(slug=SLUG)
    telegram = Telegram.objects.get(passage__cable=cable, number=1)
    assert [p.name for p in telegram.copies_to] == ["Kim Il Sung", "Peng Dehuai"]
    n = list(cable.passages.order_by("position")).index(telegram.passage)
    copies = f"passages-{n}-telegram-0-recipients-2"
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, users.editor)
    page.goto(f"{live_server.url}/admin/cables/cable/{cable.pk}/change/")

    first, second = page.locator(f"#{copies}-0"), page.locator(f"#{copies}-1")
    second.scroll_into_view_if_needed()
    handle = second.locator(".djn-drag-handler")
    box, target = handle.bounding_box(), first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):  # a person's drag: many small moves up past the first row
        page.mouse.move(box["x"] + box["width"] / 2, target["y"] + 4 - step)
    page.mouse.up()
    expect(page.locator(f"#{copies}-group .djn-item:not(.djn-empty-form)").first).to_contain_text(
        "Peng Dehuai"
    )

    page.locator("input[name=_continue]").last.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    assert violations(page) == []
    telegram = Telegram.objects.get(pk=telegram.pk)
    assert [p.name for p in telegram.copies_to] == ["Peng Dehuai", "Kim Il Sung"]
