"""The chronology: /chronology/ lists every dated telegram, cable and handling event.

The seed gives telegrams sent at 1145, 1145 and 1200 on 10 July (and one with
no time), the cable sent on 11 July, received at 1750, deciphered at 1850 and
printed at 1955. Entries whose time is not given come first in their day.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.urls import reverse

from reading import chronology
from tests.factories import build_archive, check_html

pytestmark = pytest.mark.django_db

URL = "/chronology/"


def entries(html: str) -> list[tuple[str, str, str]]:
    """(day heading, time, action and title) of each entry, in page order."""
    rows = []
    for day in html.split('<section class="chron-day"')[1:]:
        heading = re.search(r"<time datetime=\"[\d-]+\">([^<]+)</time>", day).group(1)
        for li in day.split('<li class="chron-entry')[1:]:
            time = re.search(r'class="chron-entry__time[^"]*"[^>]*>([^<]+)<', li).group(1)
            what = li.split('<p class="chron-entry__what">')[1].split("</p>")[0]
            rows.append((heading, time, " ".join(unescape(re.sub(r"<[^>]+>", "", what)).split())))
    return rows


def test_url_and_nav_link(client, seed):
    assert reverse("reading:chronology") == URL
    html = client.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Chronology</a>' in html
    html = client.get(reverse("cables:catalogue")).content.decode()
    assert f'<a href="{URL}">Chronology</a>' in html


def test_seed_in_time_order_grouped_by_day(client, seed):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    tuesday, wednesday = "Tuesday, 10 July 1951", "Wednesday, 11 July 1951"
    cable = "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    assert entries(html) == [
        (
            tuesday,
            "time not given",
            "Sent Telegram 4 (attachment Nº 2 to brief report Nº 1): "
            "Abbreviated text of Admiral Joy's opening statement",
        ),
        (
            tuesday,
            "11:45",
            "Sent Telegram 1 (brief report Nº 1): "
            "Brief report on the opening of the first Kaesong meeting",
        ),
        (
            tuesday,
            "11:45",
            "Sent Telegram 3 (attachment Nº 1 to brief report Nº 1): "
            "The UN Command's draft agenda for the second meeting",
        ),
        (
            tuesday,
            "12:00",
            "Sent Telegram 2: The agenda the Communist side intends to offer at the 1500 meeting",
        ),
        (wednesday, "time not given", f"Sent by Mao Zedong — {cable}"),
        # The handling note "received 1750" is the cable's own receipt: listed once.
        (wednesday, "17:50", f"Received {cable}"),
        (wednesday, "18:50", f"Deciphered by Vaganov — {cable}"),
        (wednesday, "19:55", f"Printed by Chesnokova — {cable}"),
    ]
    assert "8 entries" in html
    # Undated handling (verified, filed) is not in a chronology.
    assert "Verified" not in html and "Filed" not in html


def test_entries_say_who_as_written_and_link_the_telegram(client, seed):
    html = client.get(URL).content.decode()
    slug = "cable-21680-mao-to-filippov-1951-07-11"
    assert f'<a href="/cables/{slug}/#p4">Telegram 1</a>' in html
    assert 'datetime="1951-07-10T11:45">11:45</time>' in html
    assert "As written: “1145 10 July”" in html
    assert "As written: “10 July 1951”" in html
    who = html.split("Telegram 1</a>")[1].split("</li>")[0]
    assert re.search(
        r'href="/participants/li-kenong/">Li Kenong</a>\s*<span aria-label="to">→</span>\s*'
        r'<a href="/participants/mao-zedong/">Mao Zedong</a>; copies to '
        r'<a href="/participants/kim-il-sung/">Kim Il Sung</a>, '
        r'<a href="/participants/peng-dehuai/">Peng Dehuai</a>',
        who,
    )
    received = html.split("Received")[1].split("</li>")[0]
    assert "Mao Zedong</a>" in received and "Joseph Stalin</a>" in received
    assert "As written: “1750 11 July 1951”" in received


def test_page_says_times_are_local_as_written(client, seed):
    html = client.get(URL).content.decode()
    assert "Times are local, as written in the sources." in html
    assert "entries whose time is not given come first" in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("participant=li-kenong", ["Telegram 4", "Telegram 1", "Telegram 3", "Telegram 2"]),
        ("participant=kim-il-sung", ["Telegram 4", "Telegram 1", "Telegram 3", "Telegram 2"]),
        (
            "participant=mao-zedong",  # addressee, sender of the cable, and its "sent" handler
            ["Telegram 4", "Telegram 1", "Telegram 3", "Telegram 2", "Sent", "Received"],
        ),
        ("participant=joseph-stalin", ["Received"]),
        ("participant=vaganov", ["Deciphered"]),
        ("participant=nam-il", []),  # named in the texts, party to nothing dated
        ("side=un-command", []),
        ("side=communist-side&participant=chesnokova", ["Printed"]),
    ],
)
def test_filters_by_participant_and_side(client, seed, query, expected):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    shown = [
        " ".join(what.split(" ")[1:3]).rstrip(":")
        if what.startswith("Sent Telegram")
        else what.split(" ")[0]
        for _, _, what in entries(html)
    ]
    assert shown == expected
    assert f"{len(expected)} entr" in html and "matching" in html
    if not expected:
        assert "No dated entries match these filters." in html


def test_side_filter_keeps_everything_on_the_seed_communist_side(client, seed):
    html = client.get(f"{URL}?side=communist-side").content.decode()
    assert len(entries(html)) == 8
    assert "Side: Communist side." in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("participant=nobody", "Nobody in the reading room has the name or identifier “nobody”."),
        ("side=moon", "There is no side called “moon”."),
        ("participant=%00%27", "Null characters are not allowed."),
    ],
)
def test_bad_filter_values_get_a_clear_message(client, seed, query, message):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and message in html
    assert "left out" in html
    assert len(entries(html)) == 8  # the bad filter is left out


def test_a_bad_filter_leaves_the_good_one_in_force(client, seed):
    response = client.get(f"{URL}?participant=vaganov&side=moon")
    assert response.status_code == 400
    assert [w for _, _, w in entries(response.content.decode())][0].startswith("Deciphered")


def test_htmx_request_gets_the_results_fragment(client, seed):
    response = client.get(f"{URL}?participant=vaganov", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="chronology"')
    assert "<html" not in html and "chronology-filters" not in html
    assert len(entries(html)) == 1
    assert "HX-Request" in response["Vary"]


def test_form_works_without_javascript(client, seed):
    html = client.get(f"{URL}?participant=vaganov").content.decode()
    assert re.search(r'<form id="chronology-filters"[^>]*method="get" action="/chronology/"', html)
    assert 'hx-get="/chronology/"' in html and 'hx-push-url="true"' in html
    # The person box keeps what was typed and suggests names as you type.
    assert re.search(
        r'<input type="text" name="participant" value="vaganov"'
        r'[^>]*list="id_participant-suggestions"',
        html,
    )
    assert '<datalist id="id_participant-suggestions"></datalist>' in html
    assert '<button type="submit">Show entries</button>' in html


def test_cable_without_a_receipt_is_listed_on_its_date(client):
    archive = build_archive(2)
    html = client.get(URL).content.decode()
    first = entries(html)[0]
    assert first == ("Thursday, 1 June 1950", "time not given", f"Dated {archive.older.title}")


@pytest.mark.parametrize("n", [2, 10])
@pytest.mark.parametrize("htmx", [False, True])
def test_query_count(client, django_assert_num_queries, n, htmx):
    build_archive(n)
    headers = {"HX-Request": "true"} if htmx else {}
    with django_assert_num_queries(10):
        # 1. sides for the filter form
        # +1 the data version, +4 the entries per day (telegrams, received cables,
        #    dated cables, handling: grouped counts, kept in the cache)
        # 2. dated telegrams with passage, cable and author
        # 3. their recipients with participant (prefetch)
        # 4. cables with sender and recipient
        # 5. dated handling events with cable and agent
        response = client.get(f"{URL}?side=communist", headers=headers)
    assert response.status_code == 200
    with django_assert_num_queries(6):  # the counts per day come from the cache now
        again = client.get(f"{URL}?side=communist", headers=headers)
    assert entries(again.content.decode()) == entries(response.content.decode())
    assert len(entries(response.content.decode())) == n + 2  # telegrams, 2 cables, deciphered


# --- the model-free helper ------------------------------------------------------


def _person(pk, slug, side_id=None):
    return SimpleNamespace(pk=pk, slug=slug, side_id=side_id)


def _cable(pk, **kw):
    fields = dict(
        pk=pk,
        title=f"Cable {pk}",
        date=dt.date(1951, 7, 11),
        received_on=None,
        received_time=None,
        received_as_written="",
        sender_id=None,
        sender=None,
        recipient_id=None,
        recipient=None,
    )
    fields.update(kw)
    return SimpleNamespace(**fields, get_absolute_url=lambda: f"/cables/{pk}/")


def _handling(cable, action, on, at, agent=None, position=0):
    return SimpleNamespace(
        cable=cable,
        cable_id=cable.pk,
        action=action,
        on=on,
        at=at,
        agent=agent,
        agent_id=agent.pk if agent else None,
        as_written="",
        position=position,
        get_action_display=lambda: action.title(),
    )


def test_untimed_first_then_time_then_kind_and_a_received_event_folds_into_its_cable():
    day = dt.date(1951, 7, 11)
    clerk = _person(1, "clerk", side_id=7)
    a = _cable(1, received_on=day, received_time=dt.time(17, 50))
    b = _cable(2, date=day)  # no receipt: dated, no time
    handling = [
        _handling(a, "received", day, dt.time(17, 50), agent=clerk),  # a's own receipt
        _handling(a, "deciphered", day, dt.time(17, 50), position=1),  # same minute
        _handling(a, "printed", day, dt.time(9, 0), position=2),
        _handling(a, "filed", None, None, position=3),  # no date: left out
    ]
    built = chronology.build([], [a, b], handling)
    assert [(e.kind, e.action, e.time) for e in built] == [
        ("cable", "Dated", None),
        ("handling", "Printed", dt.time(9, 0)),
        ("cable", "Received", dt.time(17, 50)),
        ("handling", "Deciphered", dt.time(17, 50)),
    ]
    assert built[2].handler is clerk
    assert chronology.select(built, participant="clerk") == [built[2]]
    assert chronology.select(built, side=7) == [built[2]]
    assert chronology.select(built, side=8) == []
    days = chronology.by_day(built)
    assert len(days) == 1 and len(days[0].untimed) == 1 and len(days[0].timed) == 3


# --- pages ----------------------------------------------------------------------


def test_windows_cut_whole_days_into_pages_of_about_the_size_asked():
    from reading.chronology import Window, window_for, windows

    d = [dt.date(1951, 7, n) for n in range(1, 6)]
    pages = windows([(d[0], 2), (d[1], 2), (d[2], 5), (d[4], 1)], size=4)
    assert pages == [Window(d[0], d[1], 4), Window(d[2], d[2], 5), Window(d[4], d[4], 1)]
    assert windows([], size=4) == []
    assert window_for(pages, None) == 0
    assert window_for(pages, d[3]) == 2  # a day without entries: the next page
    assert window_for(pages, dt.date(1960, 1, 1)) == 2  # after everything: the last
    assert window_for(pages, dt.date(1900, 1, 1)) == 0


def test_a_long_chronology_comes_in_pages_of_whole_days(client, seed, monkeypatch):
    monkeypatch.setattr("reading.chronology.PAGE_ENTRIES", 3)
    first = client.get(URL)
    html = first.content.decode()
    assert first.context["page_count"] == 2
    assert "Page 1 of 2" in html and 'rel="next"' in html and 'rel="prev"' not in html
    days_1 = [d.day for d in first.context["days"]]
    later = first.context["later_url"]
    assert later.startswith("?from=1951-07-11")
    second = client.get(URL + later)
    days_2 = [d.day for d in second.context["days"]]
    assert 'rel="prev"' in second.content.decode()
    assert not set(days_1) & set(days_2)  # no day is split between pages
    assert len(entries(html)) + len(entries(second.content.decode())) == 8
    # A day names its page; a day after everything gives the last page.
    assert client.get(URL, {"from": "1951-07-11"}).context["page_number"] == 2
    assert client.get(URL, {"from": "1999-01-01"}).context["page_number"] == 2


def test_a_bad_from_date_is_reported_and_left_out(client, seed):
    response = client.get(URL, {"from": "10 July"})
    assert response.status_code == 400
    assert "“From” must be a date such as 1951-07-10." in response.content.decode()
    assert len(entries(response.content.decode())) == 8


def test_the_corrected_reading_applies_corrections_to_what_was_written(client, users):
    """Issue 14: what the chronology quotes as written kept OCR errors ("N^{o}") that
    an editor had corrected in the passage it is copied from."""
    from annotations.models import Annotation
    from cables.models import Handling, Passage

    archive = build_archive(2)
    cable = archive.cable
    notes = Passage.objects.create(
        cable=cable, position=50, kind=Passage.Kind.HANDLING, text="Filed: copy N^{o} 2 of 4"
    )
    Handling.objects.create(
        cable=cable, action="filed", as_written="copy N^{o} 2 of 4", on=dt.date(1951, 7, 12),
        position=9,
    )  # fmt: skip
    start = notes.text.index("N^{o}")
    Annotation.objects.create(
        passage=notes, author=users.editor, kind="correction", exact="N^{o}", start=start,
        end=start + 5, replacement="Nº", correction_status="accepted", visibility="public",
    )  # fmt: skip
    published = client.get("/chronology/").content.decode()
    assert "As written: “copy N^{o} 2 of 4”" in published
    corrected = client.get("/chronology/", {"reading": "corrected"}).content.decode()
    assert (
        'As written: “copy <ins class="correction" tabindex="0" data-published="N^{o}" '
        'title="As published: N^{o}">Nº</ins> 2 of 4”'
    ) in corrected
    assert re.search(r'<input type="radio" name="reading" value="corrected"[^>]*checked', corrected)
    title = re.search(r'<h2 id="chronology-title">(.*?)</h2>', corrected, re.S).group(1)
    assert "matching" not in title  # a reading is not a filter
