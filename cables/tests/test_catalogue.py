"""The catalogue: /cables/ with year, participant, collection and q filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cables.models import Mention
from tests.factories import build_archive, check_html

pytestmark = pytest.mark.django_db

URL = reverse("cables:catalogue")


def titles(response):
    return [c.title for c in response.context["cables"]]


def test_catalogue_lists_cables_by_date(client):
    archive = build_archive(2)
    response = client.get(URL)
    assert response.status_code == 200
    check_html(response.content.decode())
    assert titles(response) == [archive.older.title, archive.cable.title]
    html = response.content.decode()
    assert '<form id="catalogue-filters"' in html and 'method="get"' in html
    assert 'hx-get="/cables/"' in html and 'hx-push-url="true"' in html
    assert '<option value="1951">1951</option>' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": "1951"}, ["cable"]),
        ({"year": "1950"}, ["older"]),
        ({"collection": "early-cold-war"}, ["older"]),
        ({"q": "ARMISTICE"}, ["cable"]),  # summary, case-insensitive
        ({"q": "100001"}, ["older"]),  # record id
        ({"q": "older cable"}, ["older"]),  # title
        ({"participant": "kim-il-sung"}, ["older", "cable"]),  # sender / telegram copy
        ({"participant": "joseph-stalin"}, ["older", "cable"]),  # recipient
        ({"participant": "li-kenong"}, ["cable"]),  # telegram author
        ({"participant": "officer-01"}, ["cable"]),  # telegram copy recipient only
        ({"participant": "c-turner-joy"}, ["cable"]),  # mentioned only
        ({"participant": "vaganov", "year": "1950"}, []),
    ],
)
def test_filters(client, params, expected):
    archive = build_archive(2)
    names = {"cable": archive.cable.title, "older": archive.older.title}
    response = client.get(URL, params)
    assert response.status_code == 200
    assert titles(response) == [names[e] for e in expected]


def test_participant_filter_ignores_rejected_mentions(client):
    archive = build_archive(2)
    Mention.objects.filter(participant=archive.people["joy"]).update(status=Mention.Status.REJECTED)
    assert titles(client.get(URL, {"participant": "c-turner-joy"})) == []


def test_filters_combine_and_results_are_distinct(client):
    archive = build_archive(3)
    response = client.get(URL, {"participant": "mao-zedong", "collection": "korean-war"})
    assert titles(response) == [archive.cable.title]
    assert "Person: Mao Zedong." in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "“Year” must be a year such as 1951."),
        (
            {"participant": "nobody"},
            "Nobody in the reading room has the name or identifier “nobody”.",
        ),
        ({"collection": "nowhere"}, "There is no collection called “nowhere”."),
    ],
)
def test_bad_filter_values_get_a_clear_message(client, params, message):
    build_archive(2)
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Some filters could not be used and were left out" in html
    # The bad filter is left out: every cable is still listed.
    assert len(titles(response)) == 2


def test_bad_filter_keeps_the_good_ones(client):
    archive = build_archive(2)
    response = client.get(URL, {"year": "abc", "collection": "early-cold-war"})
    assert response.status_code == 400
    assert titles(response) == [archive.older.title]


def test_htmx_request_gets_only_the_results_fragment(client):
    archive = build_archive(2)
    response = client.get(URL, {"year": "1951"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html and "catalogue-filters" not in html
    assert archive.cable.title in html and archive.older.title not in html
    assert "HX-Request" in response["Vary"]


def test_full_page_varies_on_hx_request(client):
    assert "HX-Request" in client.get(URL)["Vary"]


@pytest.mark.parametrize("n", [2, 10])
def test_catalogue_query_count(client, django_assert_num_queries, n):
    build_archive(n)
    with django_assert_num_queries(7):  # +1: the data version (readingroom.caching)
        # 1. the person asked for (by identifier, name or alias)
        # 2. collections for the collection filter
        # 3. how many cables match (for the pager)
        # 4. the page of cables with sender and recipient (filtered, by date)
        # 5. the cables' collections
        # 6. the years that have cables
        client.get(URL, {"participant": "mao-zedong"})


@pytest.mark.parametrize("n", [2, 10])
def test_catalogue_fragment_query_count(client, django_assert_num_queries, n):
    build_archive(n)
    with django_assert_num_queries(5):  # +1: the data version (readingroom.caching)
        # 1. collections (to validate the filter), 2. the count,
        # 3. the page of cables with sender and recipient, 4. their collections
        client.get(URL, {"q": "cable"}, headers={"HX-Request": "true"})


def test_catalogue_is_paginated(client):
    build_archive(2)
    from cables.models import Cable

    template = Cable.objects.first()
    for i in range(60):
        Cable.objects.create(
            title=f"Cable {i}", slug=f"paged-{i}", date=template.date, record_id=f"P{i}"
        )
    html = client.get(URL).content.decode()
    assert html.count('class="cable-list__item"') == 50
    assert "Page 1 of 2" in html and 'rel="next"' in html
    second = client.get(URL, {"page": 2}).content.decode()
    assert second.count('class="cable-list__item"') == Cable.objects.count() - 50
    assert client.get(URL, {"page": "abc"}).status_code == 200  # a bad page shows page 1


@pytest.mark.parametrize("typed", ["mao-zedong", "Mao Zedong", "mao zedong", "Mao Dong"])
def test_the_person_can_be_typed_by_identifier_name_or_alias(client, typed):
    archive = build_archive(3)
    from cables.models import Alias

    Alias.objects.get_or_create(
        participant=archive.people["mao"], name="Mao Dong", defaults={"kind": "spelling"}
    )
    response = client.get(URL, {"participant": typed})
    assert response.status_code == 200
    assert archive.cable.title in titles(response)
    assert "Person: Mao Zedong." in response.content.decode()


def test_the_page_does_not_grow_with_the_number_of_people(client):
    from cables.models import Participant

    build_archive(2)
    before = len(client.get(URL).content)
    Participant.objects.bulk_create(
        Participant(name=f"Person {i}", sort_name=f"Person {i}", slug=f"person-{i}")
        for i in range(500)
    )
    assert len(client.get(URL).content) == before


def test_the_person_box_suggests_names_and_aliases_as_you_type(client, seed):
    url = reverse("cables:participant_suggestions")
    html = client.get(url, {"participant": "fil"}).content.decode()
    assert '<option value="Joseph Stalin"></option>' in html  # by the pseudonym Filippov
    html = client.get(url, {"participant": "kim"}).content.decode()
    assert '<option value="Kim Il Sung"></option>' in html
    assert client.get(url, {"participant": ""}).content.decode().strip() == ""
    assert client.get(url, {"participant": "zzzz"}).content.decode().strip() == ""
    catalogue = client.get(URL).content.decode()
    assert f'hx-get="{url}"' in catalogue and 'list="id_participant-suggestions"' in catalogue
    # The people page's box is called "name": it is suggested to just the same.
    people = client.get(reverse("cables:participants")).content.decode()
    assert f'hx-get="{url}"' in people and 'name="name"' in people
    html = client.get(url, {"name": "fil"}).content.decode()
    assert '<option value="Joseph Stalin"></option>' in html


@pytest.mark.django_db(transaction=True)
def test_the_kept_count_and_years_follow_the_data(client):
    import datetime as dt

    from cables.models import Cable

    build_archive(2)
    html = client.get(URL).content.decode()
    assert '<h2 id="results-title">2 cables' in html and '<option value="1960"' not in html
    Cable.objects.create(slug="later", title="A later cable", date=dt.date(1960, 5, 1))
    html = client.get(URL).content.decode()
    assert '<h2 id="results-title">3 cables' in html and '<option value="1960"' in html


def test_large_counts_are_written_with_thousands_separators(client, monkeypatch):
    from cables import views

    build_archive(2)
    real = views.versioned

    def versioned(key, compute, **kwargs):
        return 100001 if key.startswith("catalogue-count:") else real(key, compute, **kwargs)

    monkeypatch.setattr(views, "versioned", versioned)
    html = client.get(URL).content.decode()
    assert '<h2 id="results-title">100,001 cables' in html
    assert "Page 1 of 2,001" in html


def test_undated_records_come_last_and_never_stand_as_the_latest(client):
    from cables.models import Cable

    archive = build_archive(2)
    Cable.objects.create(title="An undated note", slug="undated-note", date=None)
    assert titles(client.get(URL)) == [archive.older.title, archive.cable.title, "An undated note"]
    home = client.get(reverse("cables:home"))
    assert home.context["featured"] == archive.cable


def test_a_cables_neighbours_follow_the_catalogue_order_by_an_index_range(db):
    """``neighbours`` walks the catalogue's order (date, the undated last, title, id)
    one step each way, ties and undated cables included, and bounds the day so
    that PostgreSQL starts the index scan at the cable: with dates alone in an
    ``OR`` it scanned from one end of the index, 200 ms at 100,000 cables."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cables.models import Cable

    day = dt.date(1951, 7, 10)
    made = [
        Cable.objects.create(title=title, slug=slug, date=date)
        for title, slug, date in [
            ("B", "b-early", dt.date(1951, 7, 9)),
            ("A", "a-same-day", day),
            ("B", "b-same-day", day),
            ("B", "b-same-day-again", day),  # same day and title: by id
            ("C", "c-same-day", day),
            ("A", "a-later", dt.date(1951, 8, 1)),
            ("A", "a-undated", None),
            ("B", "b-undated", None),
        ]
    ]
    rows = Cable.objects.filter(slug__in=[c.slug for c in made])
    order = [c.slug for c in rows.for_catalogue()]
    assert order == [c.slug for c in made]
    for i, cable in enumerate(made):
        with CaptureQueriesContext(connection) as queries:
            previous, following = rows.neighbours(cable)
        assert len(queries) == 2
        assert (previous and previous.slug) == (order[i - 1] if i else None)
        assert (following and following.slug) == (order[i + 1] if i + 1 < len(order) else None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            for query in queries.captured_queries:
                cursor.execute("EXPLAIN " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "cable_catalogue_order" in plan and "Index Cond: (COALESCE" in plan, plan
