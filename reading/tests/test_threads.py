"""The thread strip (issue 16): what a cable answers, what answers it, what it
forwards, in date order, each a link and a "Read side by side"; a fixed number
of queries whatever the number of references."""

import pytest
from django.urls import reverse

from bench.reference_cases import load_exchange

SEED = "cable-21680-mao-to-filippov-1951-07-11"


def strip(html):
    start = html.index('class="thread"')
    return html[start : html.index("</nav>", start)]


@pytest.mark.django_db
def test_the_seed_strip_shows_what_the_cover_note_forwards_and_the_attachments(client, seed):
    html = strip(client.get(reverse("reading:cable", args=[SEED])).content.decode())
    assert "Forwards" in html and "Telegram 3: attachment to" in html
    assert "Telegram 4: attachment to" in html
    assert "Telegram 1 from Li Kenong, 1145 10 July" in html
    # Telegram 3 beside the report it is attached to; the cover note's forwarding has no
    # side-by-side link: the split view refuses a cable beside one of its own telegrams.
    assert f"/compare/?a=telegram:{SEED}:3&amp;b=telegram:{SEED}:1" in html
    assert f'b=telegram:{SEED}:1">' in html and f"a=cable:{SEED}&amp;" not in html
    assert f'href="/cables/{SEED}/references.jsonld"' in html


@pytest.mark.django_db
def test_a_strip_lists_what_answers_and_what_is_answered_in_date_order(
    client, seed, django_assert_max_num_queries
):
    load_exchange()
    page = client.get(reverse("reading:cable", args=["x-4121-filippov-to-mao-1951-08-05"]))
    html = strip(page.content.decode())
    # It answers No. 3950 of 2 August and cites the seed; No. 4180 of 9 August and
    # No. 5002 of 20 September answer it.
    order = [
        html.index("Cable No. 21680"),
        html.index("Cable No. 3950"),
        html.index("Answered by"),
    ]
    assert order == sorted(order)
    assert "Cable No. 4180" in html and "Cable No. 5002" in html
    assert (
        "/compare/?a=cable:x-4121-filippov-to-mao-1951-08-05&amp;b=cable:x-3950-mao-to-filippov-1951-08-02"
        in html
    )
    # The most cited cable costs what any cable costs: no query per reference.
    client.get(reverse("reading:cable", args=[SEED]) + "?x=1")
    with django_assert_max_num_queries(4):  # kept layers: the versions, the notes, authors, tags
        client.get(reverse("reading:cable", args=[SEED]) + "?kind=comment")


@pytest.mark.django_db
def test_the_chronology_shows_one_thread(client, seed):
    load_exchange()
    url = reverse("reading:chronology")
    html = client.get(url, {"thread": "x-4121-filippov-to-mao-1951-08-05"}).content.decode()
    assert "The correspondence of" in html
    # The record, what it answers and cites, what answers it; nothing else.
    for title in ["Cable No. 4121", "Cable No. 3950", "Cable No. 4180", "Cable No. 5002"]:
        assert title in html
    assert "Cable No. 6100" not in html and "Telegram 456" not in html
    page = client.get(url, {"thread": "no-such-record"})
    assert page.status_code == 400
    assert "No record has the address “no-such-record”." in page.content.decode()
