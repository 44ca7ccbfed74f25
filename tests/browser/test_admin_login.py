"""The admin in a real browser: an editor logs in through the form and reaches the cables."""

import re

from playwright.sync_api import expect


def test_editor_logs_in_and_opens_the_cable_list(page, live_server, users, seed, screenshot_dir):
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Username").fill(users.editor.username)
    page.get_by_label("Password").fill(users.password)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.get_by_role("link", name="Cables", exact=True).click()
    expect(page.get_by_role("heading", name="Select cable to change")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "admin-cables.png"))


def test_researcher_is_kept_out_of_the_admin(page, live_server, users, login):
    login(page, users.researcher)
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    expect(page.get_by_text("not authorized to access this page")).to_be_visible()
