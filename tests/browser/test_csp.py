"""The Content-Security-Policy holds, and no page breaks it (issue 15).

Every response says ``default-src 'self'`` with no ``unsafe-inline``: every
script and stylesheet is a file. Chromium reports each thing the policy
refuses as a ``securitypolicyviolation`` event; the pages (the site's, the
admin's, after htmx swaps) must cause none.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cables.models import Cable

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
# Recorded from before the first script of each page runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""
SITE_PAGES = [
    "/",
    "/cables/",
    f"/cables/{SLUG}/",
    "/participants/",
    "/participants/joseph-stalin/",
    "/chronology/",
    "/search/?q=Kaesong",
    f"/compare/?a=telegram:{SLUG}:1&b=telegram:{SLUG}:3",
    "/agendas/compare/?left=communist-draft-1951-07-10&right=un-draft-1951-07-10",
    # Issue 14's pages and readings: the picker, the corrected readings.
    f"/compare/?a=cable:{SLUG}",
    f"/cables/{SLUG}/?reading=corrected",
    "/chronology/?reading=corrected",
    "/search/?q=principLi&reading=corrected",
    "/agendas/compare/?reading=corrected",
    "/accounts/login/",
    "/accounts/signup/",
    "/no/such/page/",
]


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_every_response_carries_the_policy(client, seed):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_the_sites_pages_break_no_rule(page, live_server, seed, users, login):
    page.add_init_script(RECORD_VIOLATIONS)
    for signed_in in (False, True):
        if signed_in:
            login(page, users.researcher)
        for url in SITE_PAGES:
            visit(page, live_server.url + url)
            assert violations(page) == [], (url, signed_in)
    # After htmx swaps too: a search typed into the box, a note composed in the margin.
    visit(page, live_server.url + "/search/?q=Kaesong")
    page.fill("#search-q", "armistice")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#search-results")).to_contain_text("armistice", ignore_case=True)
    assert violations(page) == []


def test_the_admins_pages_break_no_rule(page, live_server, seed, users, login):
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, users.admin)
    cable = Cable.objects.get(slug=SLUG)
    for url in (
        "/admin/",
        "/admin/cables/cable/",
        f"/admin/cables/cable/{cable.pk}/change/",
        "/admin/annotations/annotation/",
        "/admin/cables/cable/import/",
    ):
        visit(page, live_server.url + url)
        assert page.locator("#content").count() == 1, url
        assert violations(page) == [], url
