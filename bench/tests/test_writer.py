"""bench/writer.py: the benchmark's writer saves notes as a browser does, and says
when the app refused one (so a run cannot count a failed write as a write)."""

from __future__ import annotations

import random

import pytest

from annotations.models import Annotation
from bench import writer
from cables.models import Cable

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(live_server, users, seed, client):
    """The writer's browser, signed in as the researcher, on the seed cable's page."""
    client.force_login(users.researcher)
    browser = writer.Browser(live_server.url, client.cookies["sessionid"].value)
    cable = Cable.objects.get(record_id="117409")
    passage = next(p for p in cable.passages.order_by("position") if len(p.text) > 40)
    status, html, _ = browser.request(cable.get_absolute_url())
    assert status == 200 and "Signed in as" in html
    token = writer.TOKEN.search(html)
    assert token, "the page no longer carries its CSRF token where the writer looks"
    assert "csrftoken" in browser.cookies
    target = {"id": passage.pk, "url": cable.get_absolute_url(), "text": passage.text}
    return browser, token.group(1), target


def test_a_note_is_saved_through_the_compose_form_and_the_htmx_post(signed_in, users):
    browser, token, passage = signed_in
    saved, why, took = writer.write_note(browser, token, passage, 1, random.Random(1))
    assert (saved, why) == (True, None)
    assert took > 0
    note = Annotation.objects.get(author=users.researcher)
    assert note.passage_id == passage["id"]
    assert passage["text"][note.start : note.end] == note.exact
    assert note.visibility == Annotation.Visibility.PUBLIC  # odd notes are public
    assert note.body.startswith("Writer note 1:")


def test_a_refused_post_is_counted_as_failed(signed_in, users):
    browser, _, passage = signed_in
    saved, why, _ = writer.write_note(browser, "not-the-token", passage, 2, random.Random(1))
    assert not saved
    assert why.startswith("post: 403")
    assert not Annotation.objects.filter(author=users.researcher).exists()
