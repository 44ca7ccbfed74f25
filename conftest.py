"""Shared fixtures: the fixed cast of users, the seed collection, and a browser.

Browser tests drive Debian's Chromium through Playwright's sync API against
pytest-django's ``live_server``. Any test that uses the ``page`` or ``browser``
fixture is marked ``browser`` automatically, so ``pytest -m browser`` (``make
screenshots``) runs exactly those.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command

# Playwright's sync API keeps an event loop running in the test thread; Django
# would otherwise refuse ORM calls from it ("You cannot call this from an async
# context"). Set before any test runs, for the whole session.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BASE_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = BASE_DIR / "docs" / "screenshots"
FAILURE_DIR = BASE_DIR / "test-results"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
BROWSER_FIXTURES = {"browser", "page", "playwright_instance"}


def pytest_configure(config):
    # A fast hasher: creating and logging in users costs microseconds, not 0.3 s each.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so `page` can tell whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- the cast ---------------------------------------------------------------


@dataclass
class Cast:
    """The fixed cast of users; every one logs in with ``password``."""

    admin: object  # superuser
    editor: object  # staff, in the Editors group: every permission on cables and telegrams
    researcher: object  # active reader, member of the Reading group
    outsider: object  # active reader in no group
    password: str = "reading-room-test"


@pytest.fixture(autouse=True)
def _empty_caches():
    """Every test starts with empty caches: a rolled-back test database counts its
    data version from the same number again, so a page kept under an ETag by one
    test could otherwise be served to the next."""
    from readingroom.caching import local_values

    for cache in caches.all():
        cache.clear()
    local_values.clear()


@pytest.fixture
def users(db, django_user_model) -> Cast:
    from django.contrib.auth.models import Group, Permission

    password = Cast.__dataclass_fields__["password"].default
    editors = Group.objects.create(name="Editors")
    editors.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["cables", "telegrams"])
    )
    readers = Group.objects.create(name="Reading group")

    admin = django_user_model.objects.create_superuser(
        "admin", "admin@example.org", password, first_name="Ada", last_name="Admin"
    )
    editor = django_user_model.objects.create_user(
        "editor", "editor@example.org", password, is_staff=True, first_name="Edith"
    )
    editor.groups.add(editors)
    researcher = django_user_model.objects.create_user(
        "researcher", "researcher@example.org", password, first_name="Rosa"
    )
    researcher.groups.add(readers)
    outsider = django_user_model.objects.create_user(
        "outsider", "outsider@example.org", password, first_name="Otto"
    )
    return Cast(admin=admin, editor=editor, researcher=researcher, outsider=outsider)


@pytest.fixture
def seed(db):
    """The seed collection (cable 117409 and everything in it), loaded by ``load_seed``."""
    call_command("load_seed", verbosity=0)


# --- the browser ------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """Headless Chromium: Debian's /usr/bin/chromium when present, else Playwright's own."""
    options = {"headless": True, "args": CHROMIUM_ARGS}
    if CHROMIUM.exists():
        options["executable_path"] = str(CHROMIUM)
    browser = playwright_instance.chromium.launch(**options)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh context and page (1280x900) per test; a screenshot is saved if the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURE_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(FAILURE_DIR / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def login(live_server):
    """``login(page, user)``: give the page's browser context a session of ``user``.

    Skips the login form (tests of the form itself should fill it in).
    """
    from django.test import Client

    def _login(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return _login


@pytest.fixture
def screenshot_dir() -> Path:
    """docs/screenshots/, where browser tests save the screenshots people look at."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
