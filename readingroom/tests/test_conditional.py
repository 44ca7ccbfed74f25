"""Conditional requests: ETag → 304 on the read pages, and cache headers that stay right.

The validator is the data versions of what the page shows (``readingroom.caching``),
bumped by database triggers in the writing transaction. On PostgreSQL the trigger
is deferred to commit, so these tests commit for real (``transactional_db``).
Which writes move which pages (scopes) is ``test_versions.py``'s.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation
from cables.models import Cable, Passage
from readingroom.caching import CSRF_PLACEHOLDER

pytestmark = pytest.mark.django_db(transaction=True)

SEED_AGENDAS = "?left=communist-draft-1951-07-10&right=un-draft-1951-07-10"


@pytest.fixture
def cable(transactional_db, seed):
    return Cable.objects.get(record_id="117409")


def annotate(
    passage: Passage, author, *, visibility="public", body="A new reading note"
) -> Annotation:
    return Annotation.objects.create(
        passage=passage,
        author=author,
        exact=passage.text[0:10],
        start=0,
        end=10,
        body=body,
        visibility=visibility,
    )


def pages(cable: Cable) -> list[str]:
    return [
        cable.get_absolute_url(),
        reverse("cables:catalogue"),
        reverse("cables:participants"),
        reverse("reading:participant", args=["joseph-stalin"]),
        reverse("telegrams:agenda_compare") + SEED_AGENDAS,
    ]


def test_every_read_page_answers_a_repeated_request_with_304(client, cable):
    for url in pages(cable):
        first = client.get(url)
        assert first.status_code == 200, url
        etag = first["ETag"]
        assert etag.startswith('"') and etag.endswith('"')
        assert "no-cache" in first["Cache-Control"]
        assert "private" not in first["Cache-Control"]
        vary = {v.strip().lower() for v in first["Vary"].split(",")}
        assert {"cookie", "hx-request"} <= vary, url

        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == etag
        assert "hx-request" in again["Vary"].lower()


def test_a_stale_etag_gets_the_full_page(client, cable):
    response = client.get(cable.get_absolute_url(), HTTP_IF_NONE_MATCH='"not-the-current-one"')
    assert response.status_code == 200
    assert response.content


def test_htmx_fragment_and_full_page_have_different_etags(client, cable):
    url = reverse("cables:catalogue")
    page = client.get(url)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert page["ETag"] != fragment["ETag"]
    # The page's ETag does not validate the fragment (nor the other way round).
    assert (
        client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 200
    )


def test_a_new_public_annotation_changes_the_etag_and_the_page(client, cable, users):
    url = cable.get_absolute_url()
    before = client.get(url)
    annotate(cable.passages.first(), users.researcher, body="Freshly published note")
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Freshly published note" in after.content.decode()


def test_editing_hiding_and_deleting_a_public_annotation_change_the_etag(client, cable, users):
    url = cable.get_absolute_url()
    note = annotate(cable.passages.first(), users.researcher, body="First wording")
    tags = [client.get(url)["ETag"]]

    note.body = "Second wording"
    note.save()
    response = client.get(url, HTTP_IF_NONE_MATCH=tags[-1])
    assert response.status_code == 200 and "Second wording" in response.content.decode()
    tags.append(response["ETag"])

    # An editor hides it with a bulk update (no model signal): the trigger still counts it.
    Annotation.objects.filter(pk=note.pk).update(hidden=True)
    response = client.get(url, HTTP_IF_NONE_MATCH=tags[-1])
    assert response.status_code == 200 and "Second wording" not in response.content.decode()
    tags.append(response["ETag"])

    Annotation.objects.filter(pk=note.pk).delete()
    response = client.get(url, HTTP_IF_NONE_MATCH=tags[-1])
    assert response.status_code == 200
    assert len(set(tags + [response["ETag"]])) == 4


def test_a_text_correction_changes_the_etag(client, cable):
    url = cable.get_absolute_url()
    before = client.get(url)
    passage = cable.passages.get(kind=Passage.Kind.COVER_NOTE)
    passage.text = passage.text + " (corrected)"
    passage.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert "(corrected)" in after.content.decode()


def test_someone_elses_private_annotation_never_reaches_anonymous_readers(client, cable, users):
    url = cable.get_absolute_url()
    before = client.get(url)
    annotate(cable.passages.first(), users.outsider, visibility="private", body="Secret musing")
    # The ETag changes (a note on the cable moves its version); the content must not.
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code in (200, 304)
    assert "Secret musing" not in after.content.decode()
    assert "Secret musing" not in client.get(url).content.decode()


def test_signed_in_pages_are_private_and_validated_per_reader(client, cable, users):
    url = cable.get_absolute_url()
    anonymous = client.get(url)
    client.force_login(users.researcher)
    mine = client.get(url)
    assert mine.status_code == 200
    assert "private" in mine["Cache-Control"]
    assert mine["ETag"] != anonymous["ETag"]
    # The anonymous validator does not validate the signed-in page.
    assert client.get(url, HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=mine["ETag"]).status_code == 304

    # Their own private note: their page changes.
    annotate(cable.passages.first(), users.researcher, visibility="private", body="My own aside")
    response = client.get(url, HTTP_IF_NONE_MATCH=mine["ETag"])
    assert response.status_code == 200
    assert "My own aside" in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_other_readers_etag_does_not_validate_my_page(client, cable, users):
    url = cable.get_absolute_url()
    client.force_login(users.outsider)
    theirs = client.get(url)["ETag"]
    client.force_login(users.researcher)
    assert client.get(url, HTTP_IF_NONE_MATCH=theirs).status_code == 200


def test_error_pages_get_no_etag(client, cable):
    response = client.get(reverse("cables:catalogue") + "?year=abc")
    assert response.status_code == 400
    assert not response.has_header("ETag")


def test_healthz_is_a_constant_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


# The page cache --------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')


def test_a_repeated_reading_view_is_answered_from_the_page_cache(
    client, cable, django_assert_num_queries
):
    url = cable.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(1):  # the versions, nothing else
        second = client.get(url)
    assert second.status_code == 200
    assert second["ETag"] == first["ETag"]
    assert CSRF_HEADER.sub("", second.content.decode()) == CSRF_HEADER.sub(
        "", first.content.decode()
    )
    assert CSRF_PLACEHOLDER not in second.content.decode()
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("reading:compare") + "?a=telegram:cable-21680-mao-to-filippov-1951-07-11:1"
        "&b=telegram:cable-21680-mao-to-filippov-1951-07-11:3",
        reverse("telegrams:agenda_compare") + SEED_AGENDAS,
        reverse("reading:participant", args=["joseph-stalin"]),
        reverse("cables:catalogue") + "?q=Kaesong",
        reverse("cables:participants"),
        reverse("search:search") + "?q=Filippov",
    ],
)
def test_other_heavy_pages_are_kept_too(client, cable, url, django_assert_num_queries):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


def test_the_catalogues_htmx_fragment_and_full_page_are_kept_apart(client, cable):
    url = reverse("cables:catalogue") + "?q=Kaesong"
    full = client.get(url).content.decode()
    fragment = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert "<html" in full and "<html" not in fragment.content.decode()
    assert "<html" in client.get(url).content.decode()  # the full page, from the cache
    again = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert again.content == fragment.content


def test_a_page_from_the_cache_carries_the_requesters_own_working_csrf_token(cable, users):
    """The body is kept with a placeholder; each reader's token is put in on the way out."""
    url = cable.get_absolute_url()
    Client(enforce_csrf_checks=True).get(url)  # someone else fills the cache
    for signed_in in (False, True):
        reader = Client(enforce_csrf_checks=True)
        if signed_in:
            reader.force_login(users.researcher)
            reader.get(url)  # fills the signed-in reader's own entry
        html = reader.get(url).content.decode()
        assert CSRF_PLACEHOLDER not in html
        token = CSRF_HEADER.search(html).group(1)
        if signed_in:
            form_token = CSRF_INPUT.search(html).group(1)
            response = reader.post(reverse("logout"), {"csrfmiddlewaretoken": form_token})
            assert response.status_code == 302  # signed out, not refused
        else:
            response = reader.post(
                reverse("login"), {"username": "nobody", "password": "x"}, HTTP_X_CSRFTOKEN=token
            )
            assert response.status_code == 200  # the form's own error, not a CSRF 403


def test_a_kept_page_is_the_fresh_page_with_each_responses_own_token(cable, users):
    """Fresh and from the cache, the page is the same but for the CSRF token, which is
    masked afresh for every response and works for the reader it was sent to."""
    url = cable.get_absolute_url()
    reader = Client(enforce_csrf_checks=True)
    reader.force_login(users.researcher)
    bodies = [reader.get(url).content.decode() for _ in range(3)]  # fresh, then kept twice
    for body in bodies:
        assert CSRF_PLACEHOLDER not in body
        assert CSRF_INPUT.sub("", CSRF_HEADER.sub("", body)) == CSRF_INPUT.sub(
            "", CSRF_HEADER.sub("", bodies[0])
        )
    tokens = [CSRF_HEADER.search(body).group(1) for body in bodies]
    assert len(set(tokens)) == 3
    form_token = CSRF_INPUT.search(bodies[-1]).group(1)
    assert reader.post(reverse("logout"), {"csrfmiddlewaretoken": form_token}).status_code == 302


def test_pages_go_out_plain_whatever_the_client_accepts(client, cable):
    """Compression is the proxy's (nginx, deploy/nginx/readingroom.conf): the app sends every page
    plain, with the same strong ETag, fresh or from the page cache."""
    url = cable.get_absolute_url()
    plain = client.get(url)
    for header in ("gzip, deflate, br", "gzip", "identity", ""):
        response = client.get(url, HTTP_ACCEPT_ENCODING=header)
        assert not response.has_header("Content-Encoding")
        assert "accept-encoding" not in response["Vary"].lower()
        assert response["ETag"] == plain["ETag"] and not response["ETag"].startswith("W/")
        assert response.content.decode().startswith("<!doctype html>")


def test_the_weak_etag_of_a_page_nginx_compressed_revalidates(client, cable):
    """nginx marks the ETag of a body it compressed weak (W/"…"); a browser sends that
    back, and it still matches (If-None-Match compares weakly)."""
    for url in pages(cable):
        etag = client.get(url)["ETag"]
        again = client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}")
        assert again.status_code == 304, url
        assert again["ETag"] == etag


def test_the_placeholder_cannot_be_planted_through_a_query(client, cable):
    """The placeholder is secret to the deployment: typed into ?q= or ?hl= it stays
    as typed, and no CSRF token ends up in a link or a search box."""
    assert CSRF_PLACEHOLDER.startswith("&rr-csrf-") and len(CSRF_PLACEHOLDER) > 40
    planted = "csrf-token-placeholder-of-the-reading-room-page-cache"
    for url in (f"/search/?q={planted}", f"{cable.get_absolute_url()}?hl={planted}"):
        for _ in range(2):  # fresh, then from the cache
            html = client.get(url).content.decode()
            token = CSRF_HEADER.search(html).group(1)
            assert html.count(token) == 1  # in the htmx header only
            assert planted in html


def test_the_page_cache_never_serves_one_readers_page_to_another(cable, users):
    url = cable.get_absolute_url()
    author = Client()
    author.force_login(users.researcher)
    annotate(cable.passages.first(), users.researcher, visibility="private", body="Only mine")
    assert "Only mine" in author.get(url).content.decode()
    assert "Only mine" in author.get(url).content.decode()  # from the cache
    other = Client()
    other.force_login(users.outsider)
    assert "Only mine" not in other.get(url).content.decode()
    assert "Only mine" not in Client().get(url).content.decode()


def test_pages_with_flash_messages_are_neither_kept_nor_served_from_the_cache(rf, cable):
    from django.contrib import messages
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.core.cache import caches
    from django_htmx.middleware import HtmxDetails

    from reading.views import cable_detail
    from readingroom.caching import cable_scope, page_etag, read_versions

    request = rf.get(cable.get_absolute_url())
    request.user, request.htmx = AnonymousUser(), HtmxDetails(request)
    request._messages = CookieStorage(request)
    messages.info(request, "Imported 3 cables.")
    response = cable_detail(request, slug=cable.slug)
    assert response.status_code == 200
    assert not response.has_header("ETag")
    assert CSRF_PLACEHOLDER not in response.content.decode()
    versions = read_versions([cable_scope(cable.slug)])
    assert caches["pages"].get(page_etag(request, versions)) is None  # nothing kept


def test_a_new_database_does_not_repeat_the_old_versions(db):
    """Versions start at a random number, so a database made again does not reuse ETags."""
    from readingroom.caching import ARCHIVE, NOTES, RECORDS, data_version

    versions = data_version()
    assert versions[ARCHIVE] > 1000  # which every page reads
    assert versions[RECORDS] > 1000 and versions[NOTES] > 1000


# migrate and the shared caches ---------------------------------------------------


def test_migrate_leaves_the_caches_alone(cable):
    """In Redis the page cache may share a database with the default cache (and the
    sessions): migrating must not empty either."""
    from django.core.cache import caches
    from django.core.management import call_command

    from readingroom.caching import install_triggers

    caches["default"].set("unrelated", "kept")
    caches["pages"].set("unrelated", "kept")
    call_command("migrate", verbosity=0, interactive=False)
    install_triggers()
    assert caches["default"].get("unrelated") == "kept"
    assert caches["pages"].get("unrelated") == "kept"


def test_migrate_moves_the_version_so_no_etag_outlives_it(client, cable):
    from django.core.management import call_command

    from readingroom.caching import ARCHIVE, data_version

    urls = pages(cable) + [reverse("search:search") + "?q=Filippov"]
    before = data_version()
    etags = {url: client.get(url)["ETag"] for url in urls}
    call_command("migrate", verbosity=0, interactive=False)
    assert data_version()[ARCHIVE] > before[ARCHIVE]  # every page's versions hold the archive's
    for url, etag in etags.items():
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, url


def test_a_restored_database_does_not_serve_pages_kept_after_its_backup(client, cable, users):
    """A backup restored (then migrated, as every app container's start does) carries
    the version it was taken at; its next writes must not count up to versions
    whose pages the shared page cache kept from the lost data."""
    from django.core.management import call_command
    from django.db import connection

    from readingroom.caching import VERSION_TABLE

    def versions():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT scope, counter FROM {VERSION_TABLE}")
            return cursor.fetchall()

    url = cable.get_absolute_url()
    backup = versions()
    lost = annotate(cable.passages.first(), users.researcher, body="A note the restore loses")
    assert "A note the restore loses" in client.get(url).content.decode()  # kept
    assert versions() != backup

    lost.delete()  # the restore: the data and the versions as they were at the backup
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {VERSION_TABLE}")
        cursor.executemany(f"INSERT INTO {VERSION_TABLE} (scope, counter) VALUES (%s, %s)", backup)
    assert versions() == backup
    call_command("migrate", verbosity=0, interactive=False)

    annotate(cable.passages.first(), users.researcher, body="A note made after the restore")
    html = client.get(url).content.decode()
    assert "A note made after the restore" in html
    assert "A note the restore loses" not in html


def test_the_release_covers_every_app_of_the_project():
    """A deployment changing any app's code or templates makes new ETags (and so finds
    no page kept by the old code)."""
    from django.apps import apps

    from readingroom.caching import release_roots

    project = {"readingroom", "cables", "telegrams", "annotations", "search", "interchange"}
    assert project | {"reading", "templates", "static"} <= set(release_roots())
    assert not {"admin", "auth", "sessions", "django_htmx"} & set(release_roots())
    assert all(apps.is_installed(app) for app in project)
