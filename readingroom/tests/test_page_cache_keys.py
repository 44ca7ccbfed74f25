"""The page cache keeps what depends on the request apart, by construction (issue 15).

* Every kept page is kept per host: a request under one allowed host name never
  serves (or fills) the page another host name is answered with, so absolute
  links (citation tags, COinS, permanent ids) always name the host asked.
* The CSRF placeholder is put back only where the template put the token: a
  public note or a query that contains the placeholder's text shows it as typed.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from annotations.models import Annotation
from cables.models import Passage
from readingroom.caching import CSRF_PLACEHOLDER, PAGE_CACHE

SEED_SLUG = "cable-21680-mao-to-filippov-1951-07-11"
HOSTS = ("reading-a.example.org", "reading-b.example.org")
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Every page kept in the page cache, by URL name: an address that renders it.
KEPT_PAGES = {
    "reading:cable": reverse("reading:cable", args=[SEED_SLUG]),
    "reading:participant": reverse("reading:participant", args=["joseph-stalin"]),
    "reading:compare": reverse("reading:compare")
    + f"?a=telegram:{SEED_SLUG}:1&b=telegram:{SEED_SLUG}:3",
    "search:search": reverse("search:search") + "?q=Filippov",
    "cables:catalogue": reverse("cables:catalogue"),
    "cables:participants": reverse("cables:participants"),
    "telegrams:agenda_compare": reverse("telegrams:agenda_compare")
    + "?left=communist-draft-1951-07-10&right=un-draft-1951-07-10",
    "network:network": reverse("network:network") + "?from=1951-07-10",
    "network:edge": reverse("network:edge", args=["li-kenong", "mao-zedong"]),
}


def kept_url_names(patterns=None, namespace="") -> set[str]:
    """The names of the URLs whose views keep their body in the page cache."""
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= kept_url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and getattr(entry.callback, "kept_in_page_cache", 0):
            names.add(f"{namespace}{entry.name}")
    return names


@pytest.fixture
def hosts(settings):
    settings.ALLOWED_HOSTS = [*HOSTS, "testserver"]
    return HOSTS


def test_the_list_above_names_every_kept_page():
    """A page newly kept in the page cache must join KEPT_PAGES, and so these tests."""
    assert kept_url_names() == set(KEPT_PAGES)


@pytest.mark.parametrize("name", sorted(KEPT_PAGES))
def test_every_kept_page_is_kept_per_host(seed, hosts, name):
    url = KEPT_PAGES[name]
    client = Client()
    first, second = (client.get(url, HTTP_HOST=host) for host in hosts)
    assert first.status_code == second.status_code == 200, name
    if not getattr(first, "streaming", False) and first.has_header("ETag"):
        assert first["ETag"] != second["ETag"], name
    # Asked again under each name, each host gets its own page (from the cache now).
    for host, fresh in zip(hosts, (first, second), strict=True):
        again = client.get(url, HTTP_HOST=host)
        assert again.status_code == 200
        assert again.get("ETag") == fresh.get("ETag")
        other = hosts[1] if host == hosts[0] else hosts[0]
        assert other not in again.content.decode(), (name, host)


def test_the_reading_views_absolute_links_name_the_host_asked(seed, hosts):
    url = KEPT_PAGES["reading:cable"]
    client = Client()
    for host in (*hosts, hosts[0]):
        html = client.get(url, HTTP_HOST=host).content.decode()
        assert f"http://{host}/" in html  # the citation tags' addresses
        assert not any(h in html for h in hosts if h != host)
        etag = client.get(url, HTTP_HOST=host)["ETag"]
        assert caches[PAGE_CACHE].get(etag) is not None  # kept under this host's ETag


# The CSRF placeholder ------------------------------------------------------------


def note(author, body: str) -> Annotation:
    passage = Passage.objects.get(cable__slug=SEED_SLUG, label="Telegram 1")
    start = passage.text.index("Kaesong")
    return Annotation.objects.create(
        passage=passage,
        author=author,
        exact="Kaesong",
        start=start,
        end=start + 7,
        body=body,
        visibility=Annotation.Visibility.PUBLIC,
    )


def test_a_public_note_containing_the_placeholder_renders_it_literally(seed, users):
    planted = f"See [this]({'https://example.org/?t=' + CSRF_PLACEHOLDER}) and {CSRF_PLACEHOLDER}"
    note(users.outsider, planted)
    url = KEPT_PAGES["reading:cable"]
    for signed_in in (False, True):
        reader = Client(enforce_csrf_checks=True)
        if signed_in:
            reader.force_login(users.researcher)
        for _ in range(2):  # fresh, then from the page cache
            html = reader.get(url).content.decode()
            token = CSRF_HEADER.search(html).group(1)
            # The token is where the template put it and nowhere else ...
            form_tokens = CSRF_INPUT.findall(html)
            assert html.count(token) == 1 + form_tokens.count(token)
            # ... and the note shows the placeholder's text as it was typed.
            escaped = CSRF_PLACEHOLDER.replace("&", "&amp;")
            # Twice in the note, which the page shows twice: its margin card and
            # its print endnote (issue 14).
            assert html.count(escaped) == 4
            assert html.count('<section class="endnotes"') == 1
            assert f"https://example.org/?t={escaped}" in html


def test_the_placeholder_typed_into_a_query_stays_as_typed(seed, client):
    from urllib.parse import quote

    for url in (
        f"/search/?q={quote(CSRF_PLACEHOLDER)}",
        f"{KEPT_PAGES['reading:cable']}?hl={quote(CSRF_PLACEHOLDER)}",
    ):
        for _ in range(2):
            html = client.get(url).content.decode()
            token = CSRF_HEADER.search(html).group(1)
            assert html.count(token) == 1  # in the htmx header only
            assert CSRF_PLACEHOLDER.replace("&", "&amp;") in html
