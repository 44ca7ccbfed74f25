"""A cable's kept fixed layers (reading.layers): the same page as rendering from the
models, read once per version of the data, and never stale."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.cache import caches
from django.template.loader import render_to_string
from django.test import RequestFactory

from annotations import margin
from annotations.models import Annotation
from cables.models import Cable, Participant
from readingroom.caching import CSRF_PLACEHOLDER, PAGE_CACHE
from telegrams.models import cables_for_reading
from tests.factories import build_archive

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<div class="passage-row[^"]*" id="row-(\d+)">')


def squeeze(html: str) -> str:
    return " ".join(html.split())


def rows_of(html: str) -> dict[int, str]:
    """Each passage row's HTML, by passage id (up to the next row or the section's end)."""
    starts = [(m.start(), int(m.group(1))) for m in ROW.finditer(html)]
    out = {}
    for i, (start, pk) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else html.index("</section>", start)
        out[pk] = squeeze(html[start:end])
    return out


@pytest.mark.parametrize("query", ["", "?reading=corrected", "?hl=Kaesong+agenda"])
def test_kept_rows_render_as_rows_read_from_the_models(client, users, seed, query):
    """Every row of the page (highlights, corrections, hits, telegram headers) is the
    row the annotation actions render from the models, without kept layers."""
    cable = Cable.objects.get(record_id__endswith="117409")
    passage = cable.passages.get(label="Telegram 2")
    Annotation.objects.create(
        passage=passage, author=users.researcher, body="Who drafted this?", kind="question",
        exact=passage.text[10:30], start=10, end=30, visibility="private",
    )  # fmt: skip
    client.force_login(users.researcher)
    html = client.get(cable.get_absolute_url() + query).content.decode()
    kept = rows_of(html)
    assert len(kept) == cable.passages.count()

    request = RequestFactory().get(cable.get_absolute_url() + query)
    request.user = users.researcher
    loaded = cables_for_reading(Cable.objects.all()).get(pk=cable.pk)
    context = margin.build(loaded, users.researcher, margin.Filters.from_request(request))
    assert all(row.layer is None for row in context["rows"])
    from search.highlight import find_in_rows

    find_in_rows(context["rows"], request.GET.get("hl", ""))
    for row in context["rows"]:
        fresh = render_to_string(
            "annotations/_passage_row.html", {**context, "row": row}, request=request
        )
        fresh = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", squeeze(fresh))
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", kept[row.passage.pk])
        assert page.startswith(fresh.removesuffix("</div>").rstrip()), row.passage.label
    assert 'class="hl hl--question"' in html
    if query == "?reading=corrected":
        assert '<ins class="correction"' in html
    if query.startswith("?hl="):
        assert '<mark class="hit">' in html


# Committed writes: PostgreSQL moves versions at commit (a deferred trigger).
@pytest.mark.django_db(transaction=True)
def test_layers_are_read_once_per_data_version(client, django_assert_num_queries):
    archive = build_archive(3)
    url = archive.cable.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(1):  # the data version (it has no notes to ask for)
        client.get(url + "?kind=comment")
    # A change to what the fixed layers show moves the data version: read again.
    Participant.objects.filter(slug="vaganov").update(name="Vaganov, the cipher clerk")
    # The versions, the row kept in the database (stale now), the layers (13, 2 for
    # its neighbours in its collection, 2 for its references and those arriving),
    # that row replaced (no notes to ask for).
    with django_assert_num_queries(20):
        html = client.get(url + "?kind=question").content.decode()
    assert "Vaganov, the cipher clerk" in html


def test_layers_name_the_host_their_links_were_made_for(client, settings):
    settings.ALLOWED_HOSTS = ["reading.example.org", "mirror.example.net"]
    archive = build_archive(2)
    url = archive.cable.get_absolute_url()
    first = client.get(url, HTTP_HOST="reading.example.org").content.decode()
    second = client.get(url, HTTP_HOST="mirror.example.net").content.decode()
    assert 'content="http://reading.example.org' in first
    assert 'content="http://mirror.example.net' in second
    assert "reading.example.org" not in second


def test_a_draft_has_no_layers_and_no_page(client, django_assert_num_queries):
    archive = build_archive(2)
    Cable.objects.filter(pk=archive.cable.pk).update(status=Cable.Status.DRAFT)
    caches[PAGE_CACHE].clear()
    assert client.get(archive.cable.get_absolute_url()).status_code == 404


def test_cards_are_kept_per_reader_and_never_hold_a_token(client, users, seed):
    """A second address of the same page gets its cards kept, not rendered again;
    another reader gets their own (what they may edit differs); and a kept card
    never carries one session's CSRF token into another's page."""
    from unittest import mock

    from django.test import Client

    cable = Cable.objects.get(record_id__endswith="117409")
    passage = cable.passages.get(label="Telegram 1")
    note = Annotation.objects.create(
        passage=passage, author=users.researcher, body="Mine, shared.", kind="comment",
        exact=passage.text[0:12], start=0, end=12, visibility="public",
    )  # fmt: skip
    card = re.compile(
        rf'<article class="note note--comment" id="card-{note.pk}".*?</article>', re.S
    )
    client.force_login(users.researcher)
    first = client.get(cable.get_absolute_url()).content.decode()
    with mock.patch.object(margin, "get_template", wraps=margin.get_template) as load:
        again = client.get(cable.get_absolute_url() + "?hl=agenda").content.decode()
    assert load.call_count == 0, "the cards were rendered again"
    assert card.search(first).group(0) == card.search(again).group(0)
    assert f'href="/annotations/{note.pk}/edit/"' in card.search(first).group(0)

    client.force_login(users.editor)
    theirs = client.get(cable.get_absolute_url()).content.decode()
    assert f'href="/annotations/{note.pk}/edit/"' not in card.search(theirs).group(0)

    # An editor's cards carry forms (hide, review) with the CSRF token.
    sessions = []
    for _ in range(2):
        other = Client()
        other.force_login(users.admin)
        html = other.get(cable.get_absolute_url() + f"?n={len(sessions)}").content.decode()
        tokens = set(
            re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', card.search(html).group(0))
        )
        sessions.append(tokens)
    assert all(len(t) == 1 for t in sessions) and sessions[0] != sessions[1]


# Committed writes: PostgreSQL moves versions at commit (a deferred trigger).
@pytest.mark.django_db(transaction=True)
def test_a_note_on_another_cable_leaves_the_layers_kept(client, users, django_assert_num_queries):
    """The layers are named by the cable's own versions: researchers writing on other
    cables do not make this one's readers pay for reading its text again."""
    from cables.models import Passage

    archive = build_archive(2)
    cable = archive.cable
    client.get(cable.get_absolute_url())
    passage = Passage.objects.create(cable=archive.older, position=1, text="A note goes here.")
    Annotation.objects.create(
        passage=passage, author=users.researcher, body="Elsewhere.", kind="comment",
        exact=passage.text[0:8], start=0, end=8, visibility="public",
    )  # fmt: skip
    with django_assert_num_queries(1):  # the versions (the cable has no notes)
        client.get(cable.get_absolute_url() + "?reading=published")
    # A note on this cable moves its versions: its layers are read again.
    mine = cable.passages.first()
    Annotation.objects.create(
        passage=mine, author=users.researcher, body="Here.", kind="comment",
        exact=mine.text[0:8], start=0, end=8, visibility="public",
    )  # fmt: skip
    # The versions, the kept row (stale), the layers (13 + 2 neighbours + 2 for the
    # references), the row replaced, notes, their authors, tags.
    with django_assert_num_queries(23):
        html = client.get(cable.get_absolute_url() + "?kind=comment").content.decode()
    assert "Here." in html


# The database tier (reading.models.KeptLayers) ---------------------------------


def _without_cache(client, url: str, **headers) -> str:
    """The page as another process would render it: nothing in its page cache."""
    caches[PAGE_CACHE].clear()
    return client.get(url, **headers).content.decode()


def _same_page(a: str, b: str) -> bool:
    """Equal but for the CSRF tokens (masked anew for every response)."""
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')
    return token.sub("", squeeze(a)) == token.sub("", squeeze(b))


@pytest.mark.django_db(transaction=True)
def test_another_process_reads_the_layers_from_the_database(client, django_assert_num_queries):
    """A cable read once is not rendered again by a process that has never read it
    (another worker, a restart, no shared cache): its layers are one query away."""
    from reading.models import KeptLayers

    archive = build_archive(3)
    url = archive.cable.get_absolute_url()
    first = client.get(url).content.decode()
    assert KeptLayers.objects.filter(cable=archive.cable, origin="http://testserver").count() == 1
    caches[PAGE_CACHE].clear()
    with django_assert_num_queries(2):  # the versions, the kept row (it has no notes)
        again = client.get(url).content.decode()
    import difflib

    diff = list(difflib.unified_diff(first.splitlines(), again.splitlines(), lineterm="", n=0))
    assert _same_page(first, again), "\n".join(diff[:40])
    assert "passage--telegram" in again


@pytest.mark.django_db(transaction=True)
def test_a_kept_row_is_never_served_once_the_cable_changed(client):
    from reading.models import KeptLayers

    archive = build_archive(2)
    url = archive.cable.get_absolute_url()
    client.get(url)
    Participant.objects.filter(slug="vaganov").update(name="Vaganov, the cipher clerk")
    assert "Vaganov, the cipher clerk" in _without_cache(client, url)
    assert KeptLayers.objects.filter(cable=archive.cable).count() == 1  # replaced, not added

    archive.cable.status = Cable.Status.DRAFT
    archive.cable.save()
    assert client.get(url).status_code == 404
    caches[PAGE_CACHE].clear()
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_each_host_has_its_own_kept_row(client, settings):
    from reading.models import KeptLayers

    settings.ALLOWED_HOSTS = ["reading.example.org", "mirror.example.net"]
    archive = build_archive(2)
    url = archive.cable.get_absolute_url()
    client.get(url, HTTP_HOST="reading.example.org")
    second = _without_cache(client, url, HTTP_HOST="mirror.example.net")
    assert 'content="http://mirror.example.net' in second
    assert "reading.example.org" not in second
    origins = set(KeptLayers.objects.values_list("origin", flat=True))
    assert origins == {"http://reading.example.org", "http://mirror.example.net"}


def test_a_failed_write_still_serves_the_page(client, caplog):
    """A kept row that cannot be written (SQLite busy, say) costs the next reader
    the rendering, never this reader the page, and leaves nothing half-written."""
    from unittest import mock

    from django.db import OperationalError

    from reading.models import KeptLayers

    archive = build_archive(2)
    with mock.patch.object(
        KeptLayers.objects, "create", side_effect=OperationalError("database is locked")
    ):
        response = client.get(archive.cable.get_absolute_url())
    assert response.status_code == 200
    assert "passage--telegram" in response.content.decode()
    assert not KeptLayers.objects.exists()
    assert "Could not keep the layers" in caplog.text
    # The transaction the test runs in is still usable.
    assert Cable.objects.filter(pk=archive.cable.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_keep_layers_renders_what_is_missing_or_stale(client):
    from io import StringIO
    from unittest import mock

    from django.contrib.auth import get_user_model

    from reading import layers

    def build_user():
        return get_user_model().objects.create_user("annotator", password="x")

    from django.core.management import call_command

    from reading.models import KeptLayers

    archive = build_archive(2)
    annotator = build_user()  # a new user moves the archive's versions: before the runs
    published = Cable.objects.published().count()

    def run(*args) -> str:
        out = StringIO()
        call_command("keep_layers", "--origin", "http://testserver", *args, stdout=out)
        return out.getvalue()

    assert f"Kept the layers of {published} of {published} published cables" in run()
    assert f"Kept the layers of 0 of {published}" in run()
    # A note moves its own cable's versions only: one cable to render again.
    passage = archive.cable.passages.first()
    Annotation.objects.create(
        passage=passage, author=annotator, body="Here.", kind="comment",
        exact=passage.text[0:8], start=0, end=8, visibility="public",
    )  # fmt: skip
    assert f"Kept the layers of 1 of {published}" in run()
    # A record's change moves the archive's (the catalogue shows it): all of them.
    archive.cable.title = "Cable No. 21680, retitled"
    archive.cable.save()
    assert f"Kept the layers of {published} of {published}" in run()
    # What the command kept is what a page reads, with no rendering.
    caches[PAGE_CACHE].clear()
    with mock.patch.object(layers, "build", wraps=layers.build) as build:
        page = client.get(archive.cable.get_absolute_url()).content.decode()
    assert build.call_count == 0
    assert "Cable No. 21680, retitled" in page
    assert f"Kept the layers of {published} of {published}" in run("--all")
    assert KeptLayers.objects.count() == published


@pytest.mark.parametrize("bad", ["testserver", "ftp://testserver", "http://testserver/reading"])
def test_keep_layers_refuses_an_origin_that_is_not_one(bad):
    from django.core.management import CommandError, call_command

    from reading.models import KeptLayers

    build_archive(2)
    with pytest.raises(CommandError, match="--origin must be a scheme and host"):
        call_command("keep_layers", "--origin", bad)
    assert not KeptLayers.objects.exists()


# The anonymous reader's page, kept beside the layers (KeptLayers.page) -----------


def _kept_page(cable) -> bytes:
    import zlib

    from reading.models import KeptLayers

    page = bytes(KeptLayers.objects.get(cable=cable, origin="http://testserver").page)
    return zlib.decompress(page) if page else b""


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_reader_is_served_the_kept_page(client, users, django_assert_num_queries):
    """The plain address of a cable, read by someone not signed in, is the page kept
    in the database for the current versions: nothing rendered, two queries, and
    the reader's own CSRF token put in."""
    from unittest import mock

    from reading import layers

    archive = build_archive(3)
    url = archive.cable.get_absolute_url()
    first = client.get(url).content.decode()
    assert CSRF_PLACEHOLDER.encode() in _kept_page(archive.cable)
    caches[PAGE_CACHE].clear()
    with (
        mock.patch.object(layers, "for_reading", wraps=layers.for_reading) as rendered,
        django_assert_num_queries(2),  # the versions, the kept page
    ):
        response = client.get(url)
    assert rendered.call_count == 0
    again = response.content.decode()
    assert _same_page(first, again)
    assert CSRF_PLACEHOLDER not in again
    assert re.search(r'"X-CSRFToken": "\w{64}"', again)
    assert response["Content-Type"] == "text/html; charset=utf-8"

    # Any other address (a filter, a hit), htmx, or a reader signed in: rendered.
    for params, headers in [("?hl=Kaesong", {}), ("", {"HTTP_HX_REQUEST": "true"})]:
        caches[PAGE_CACHE].clear()
        with mock.patch.object(layers, "for_reading", wraps=layers.for_reading) as rendered:
            client.get(url + params, **headers)
        assert rendered.call_count == 1
    client.force_login(users.researcher)
    caches[PAGE_CACHE].clear()
    assert "Signed in as" in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_kept_page_is_never_served_once_its_cable_changed(client, users):
    """A note on cable A gives A a new page at once, and leaves B's kept page kept."""
    from unittest import mock

    from reading import layers

    archive = build_archive(2)
    a, b = archive.cable, archive.older
    for cable in (a, b):
        client.get(cable.get_absolute_url())
    passage = a.passages.first()
    Annotation.objects.create(
        passage=passage, author=users.researcher, body="A public remark.", kind="comment",
        exact=passage.text[0:8], start=0, end=8, visibility="public",
    )  # fmt: skip
    assert "A public remark." in _without_cache(client, a.get_absolute_url())
    assert b"A public remark." in _kept_page(a)  # kept anew, for the next reader
    caches[PAGE_CACHE].clear()
    with mock.patch.object(layers, "for_reading", wraps=layers.for_reading) as rendered:
        client.get(b.get_absolute_url())
    assert rendered.call_count == 0
    # Unpublished: a 404, though its row is still in the database.
    Cable.objects.filter(pk=b.pk).update(status=Cable.Status.DRAFT)
    caches[PAGE_CACHE].clear()
    assert client.get(b.get_absolute_url()).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_keep_layers_keeps_the_page_readers_are_served(client):
    """The page ``keep_layers`` renders for anonymous readers is, byte for byte, the
    one the reading view renders and keeps for them."""
    from django.core.management import call_command

    from reading.models import KeptLayers

    archive = build_archive(3)
    call_command("keep_layers", "--origin", "http://testserver", stdout=StringIO())
    by_command = _kept_page(archive.cable)
    assert by_command.count(b"passage--telegram") == 3
    KeptLayers.objects.update(page=b"")
    caches[PAGE_CACHE].clear()
    client.get(archive.cable.get_absolute_url())
    assert _kept_page(archive.cable) == by_command
    # --layers-only keeps no page.
    call_command("keep_layers", "--origin", "http://testserver", "--all", "--layers-only",
                 stdout=StringIO())  # fmt: skip
    assert _kept_page(archive.cable) == b""


@pytest.mark.django_db(transaction=True)  # PostgreSQL moves the versions at commit
def test_endnotes_are_kept_per_version_and_never_stale(client, users):
    """The print endnotes are rendered once per version and list of notes: a new
    note (or one edited) shows in them at once."""
    from unittest import mock

    from reading import layers

    archive = build_archive(2)
    passage = archive.cable.passages.first()
    url = archive.cable.get_absolute_url()

    def note(body):
        return Annotation.objects.create(
            passage=passage, author=users.researcher, body=body, body_html=f"<p>{body}</p>",
            kind="comment", exact=passage.text[0:8], start=0, end=8, visibility="public",
        )  # fmt: skip

    first = note("First remark.")
    client.get(url)
    with mock.patch.object(layers, "render_to_string", wraps=layers.render_to_string) as render:
        html = client.get(url + "?render=2").content.decode()
    assert not any(c.args[0] == "reading/_endnotes.html" for c in render.call_args_list)
    endnotes = html[html.index('<section class="endnotes"') :]
    assert "First remark." in endnotes
    note("Second remark.")
    endnotes = client.get(url + "?render=3").content.decode().split('<section class="endnotes"')[1]
    assert "First remark." in endnotes and "Second remark." in endnotes
    Annotation.objects.filter(pk=first.pk).update(body_html="<p>Edited remark.</p>")
    endnotes = client.get(url + "?render=4").content.decode().split('<section class="endnotes"')[1]
    assert "Edited remark." in endnotes and "First remark." not in endnotes
