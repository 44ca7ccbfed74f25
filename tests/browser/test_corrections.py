"""Corrections everywhere (issue 14): in the corrected reading a corrected span is
marked, and hover or focus shows the form the archive published."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

SLUG = "cable-21680-mao-to-filippov-1951-07-11"


@pytest.fixture
def corrected_url(live_server, transactional_db, seed):
    return f"{live_server.url}/cables/{SLUG}/?reading=corrected"


AFTER = "el => getComputedStyle(el, '::after').content"


def test_a_corrected_span_shows_its_published_form_on_hover_and_focus(
    page, corrected_url, screenshot_dir
):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.emulate_media(reduced_motion="reduce")
    page.goto(corrected_url)
    nam_il = page.locator("#p4 ins.correction", has_text="Nam Il").first
    expect(nam_il).to_have_attribute("data-published", "Nam II")
    assert nam_il.evaluate(AFTER) == "none"
    # Marked: a tint behind it, not only the serif's look-alike letters.
    assert nam_il.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    nam_il.focus()
    assert "Nam II" in nam_il.evaluate(AFTER)
    # The published form is shown in a face where "Il" and "II" differ.
    face = nam_il.evaluate("el => getComputedStyle(el, '::after').fontFamily")
    assert "monospace" in face
    box = nam_il.bounding_box()
    page.screenshot(
        path=str(screenshot_dir / "correction-published-form.png"),
        clip={"x": box["x"] - 120, "y": box["y"] - 60, "width": 560, "height": 130},
    )
    page.mouse.move(0, 0)
    page.locator("body").click(position={"x": 5, "y": 5})
    handling = page.locator("aside.handling")
    expect(handling).to_contain_text("Four copies printed. Nº 3 and 4 filed")
    fixed = handling.locator("ins.correction")
    fixed.hover()
    assert "N^{o}" in fixed.evaluate(AFTER)
