"""The network page, one edge's records and the exports: what they show, bad input,
what readers may see, and the queries each costs."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import networkx as nx
import pytest
from django.urls import reverse

from cables.models import Cable
from network.exports import CSV_COLUMNS
from network.tests.conftest import SEED_EDGES, SEED_PEOPLE
from tests.factories import check_html

pytestmark = pytest.mark.django_db

URL = "/network/"


def svg_edges(html: str) -> dict[tuple[str, str], str]:
    """(from, to) -> the edge's link, for each edge drawn."""
    return {
        (source, target): unescape(href)
        for href, source, target in re.findall(
            r'<a class="network-edge" href="([^"]+)" data-from="([^"]+)" data-to="([^"]+)"', html
        )
    }


def table_rows(html: str) -> list[list[str]]:
    body = html.split('<table class="network-table">')[1].split("</tbody>")[0]
    rows = []
    for tr in body.split("<tr>")[2:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)
        rows.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def test_urls_and_nav_link(client, seed):
    assert reverse("network:network") == URL
    assert reverse("network:edge", args=["li-kenong", "mao-zedong"]) == (
        "/network/li-kenong/mao-zedong/"
    )
    assert reverse("network:gexf") == "/network/export.gexf"
    html = client.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Network</a>' in html
    assert f'<a href="{URL}">Network</a>' in client.get("/chronology/").content.decode()


def test_the_seed_drawn_and_tabled(client, seed):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    assert "5 people, 4 links, 13 records" in html
    # Every edge drawn, each linking to its records, with a title saying what and when.
    edges = svg_edges(html)
    assert set(edges) == set(SEED_EDGES)
    assert edges["li-kenong", "mao-zedong"] == "/network/li-kenong/mao-zedong/"
    assert "<title>Li Kenong → Mao Zedong: 4 telegrams, 10 July 1951</title>" in html
    assert "<title>Li Kenong → Kim Il Sung: 4 telegrams (4 as copies), 10 July 1951</title>" in html
    assert "<title>Mao Zedong → Joseph Stalin: 1 cable, 11 July 1951</title>" in html
    assert html.count('marker-end="url(#network-arrow)"') == 4
    # Every person drawn, linking to their page, named.
    people = set(re.findall(r'<a class="network-node[^"]*" href="/participants/([^/]+)/"', html))
    assert people == SEED_PEOPLE
    assert "<title>Li Kenong (Communist side): sent 12, received 0</title>" in html
    assert ">Li Kenong</text>" in html
    assert 'aria-labelledby="network-svg-title network-svg-desc"' in html
    # The same in the table, heaviest first.
    rows = [(r[0], r[1], r[2].split(" ", 1)[0], r[3], r[4]) for r in table_rows(html)]
    assert rows == [
        ("Li Kenong", "Kim Il Sung", "4", "10 Jul 1951", "10 Jul 1951"),
        ("Li Kenong", "Mao Zedong", "4", "10 Jul 1951", "10 Jul 1951"),
        ("Li Kenong", "Peng Dehuai", "4", "10 Jul 1951", "10 Jul 1951"),
        ("Mao Zedong", "Joseph Stalin", "1", "11 Jul 1951", "11 Jul 1951"),
    ]
    assert table_rows(html)[0][2] == (
        "4 records from Li Kenong to Kim Il Sung 4 telegrams (4 as copies)"
    )
    assert 'href="/network/mao-zedong/joseph-stalin/"' in html


def test_the_same_data_gives_the_same_page(client, seed):
    from django.core.cache import caches

    first = client.get(URL).content.decode()
    for cache in caches.all():
        cache.clear()
    second = client.get(URL).content.decode()
    svg = re.compile(r"<svg class=\"network-svg\".*?</svg>", re.S)
    assert svg.search(first).group(0) == svg.search(second).group(0)


def test_date_range(client, seed, later):
    html = client.get(URL, {"from": "1951-07-11"}).content.decode()
    assert set(svg_edges(html)) == {
        ("mao-zedong", "joseph-stalin"),
        ("joseph-stalin", "mao-zedong"),
        ("peng-dehuai", "mao-zedong"),
    }
    assert "from 11 July 1951 on" in html
    # The edges' links keep the range.
    assert svg_edges(html)["mao-zedong", "joseph-stalin"] == (
        "/network/mao-zedong/joseph-stalin/?from=1951-07-11"
    )
    html = client.get(URL, {"from": "1951-07-10", "to": "1951-07-10"}).content.decode()
    assert set(svg_edges(html)) == {k for k in SEED_EDGES if k[0] == "li-kenong"}
    html = client.get(URL, {"from": "1952-01-01"}).content.decode()
    assert "0 people, 0 links, 0 records" in html and "No cable or forwarded telegram" in html
    assert '<svg class="network-svg"' not in html


def test_minimum_weight_and_person(client, seed, later):
    html = client.get(URL, {"min": "2"}).content.decode()
    assert set(svg_edges(html)) == {k for k in SEED_EDGES if k[0] == "li-kenong"}
    assert "Links of at least 2 records." in html
    html = client.get(URL, {"participant": "Filippov"}).content.decode()  # an alias
    assert set(svg_edges(html)) == {
        ("mao-zedong", "joseph-stalin"),
        ("joseph-stalin", "mao-zedong"),
    }
    assert 'The correspondence of <a href="/participants/joseph-stalin/">Joseph Stalin</a>' in html
    # Someone who wrote to nobody: an empty network, not an error.
    response = client.get(URL, {"participant": "vaganov"})
    assert response.status_code == 200 and "with Vaganov at one end" in response.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ({"from": "10 July"}, "“From” must be a date such as 1951-07-10."),
        ({"to": "1951-13-01"}, "“To” must be a date such as 1951-07-10."),
        (
            {"from": "1951-07-11", "to": "1951-07-10"},
            "The range starts after it ends: “From” (11 July 1951) is later than “To” "
            "(10 July 1951).",
        ),
        ({"min": "0"}, "“At least” must be 1 or more."),
        ({"min": "two"}, "“At least” must be a whole number of records, such as 2."),
        ({"min": "99999999999"}, "“At least” must be at most 1,000,000."),
        ({"participant": "Nobody Atall"}, "Nobody in the reading room has the name"),
    ],
)
def test_bad_input_is_a_clear_400(client, seed, query, message):
    response = client.get(URL, query)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert message in html
    check_html(response.content.decode())
    # The bad filter is left out; the page still shows the network.
    assert "5 people, 4 links, 13 records" in html
    for name in ("gexf", "graphml", "csv"):
        response = client.get(reverse(f"network:{name}"), query)
        assert response.status_code == 400, name
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert message in response.content.decode()
    response = client.get("/network/li-kenong/mao-zedong/", query)
    if "from" in query or "to" in query:
        assert response.status_code == 400 and message in unescape(response.content.decode())
    else:
        assert response.status_code == 200  # the edge's list takes dates only


def test_extreme_dates_are_dates(client, seed):
    response = client.get(URL, {"from": "0001-01-01", "to": "9999-12-31"})
    assert response.status_code == 200
    assert "5 people, 4 links, 13 records" in response.content.decode()
    for name in ("gexf", "graphml", "csv"):
        assert client.get(reverse(f"network:{name}"), {"to": "9999-12-31"}).status_code == 200
    assert client.get("/network/li-kenong/mao-zedong/", {"from": "0001-01-01"}).status_code == 200


def test_a_bad_page_of_the_table_is_the_last_page(client, seed):
    for page in ("0", "999", "x"):
        assert client.get(URL, {"page": page}).status_code == 200


def test_an_edges_records(client, seed, later):
    response = client.get("/network/li-kenong/mao-zedong/")
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    assert "4 records, all forwarded telegrams, in date order." in html
    seed_cable = Cable.objects.get(record_id="117409").get_absolute_url()
    links = re.findall(r'<p class="edge-list__what">\s*<a href="([^"]+)">([^<]+)</a>', html)
    assert links == [
        (f"{seed_cable}#p7", "Telegram 4"),
        (f"{seed_cable}#p4", "Telegram 1"),
        (f"{seed_cable}#p6", "Telegram 3"),
        (f"{seed_cable}#p5", "Telegram 2"),
    ]
    # Nothing went from Mao to Li Kenong: no link the other way. Stalin wrote to
    # Mao (``later``), so Mao's letters to Stalin link back to those.
    assert "/network/mao-zedong/li-kenong/" not in html
    back = client.get("/network/mao-zedong/joseph-stalin/").content.decode()
    assert 'href="/network/joseph-stalin/mao-zedong/">The other way' in back
    html = client.get("/network/mao-zedong/joseph-stalin/", {"to": "1951-07-10"}).content.decode()
    assert "0 records" in html and "wrote nothing to Joseph Stalin" in html
    html = client.get("/network/mao-zedong/joseph-stalin/").content.decode()
    assert f'<a href="{seed_cable}">Cable No. 21680' in html
    assert client.get("/network/li-kenong/nobody/").status_code == 404
    assert client.get("/network/nobody/li-kenong/").status_code == 404


def test_drafts_never_show(client, seed, draft, users):
    for who in (None, users.researcher, users.editor, users.admin):
        client.logout()
        if who is not None:
            client.force_login(who)
        html = client.get(URL).content.decode()
        assert set(svg_edges(html)) == set(SEED_EDGES)
        assert "Nam Il" not in html and "Ridgway" not in html
        page = client.get("/network/kim-il-sung/nam-il/").content.decode()
        assert "0 records" in page and "draft-network" not in page
        page = client.get("/network/nam-il/matthew-b-ridgway/").content.decode()
        assert "0 records" in page and "Test cable draft-network" not in page
        for name in ("gexf", "graphml", "csv"):
            body = client.get(reverse(f"network:{name}")).content.decode()
            assert "nam-il" not in body and "Nam Il" not in body, name


# Exports ----------------------------------------------------------------------------


def read_back(response, kind: str) -> nx.DiGraph:
    if kind == "gexf":
        return nx.read_gexf(io.BytesIO(response.content))
    return nx.read_graphml(io.BytesIO(response.content))


@pytest.mark.parametrize(
    "kind, content_type",
    [
        ("gexf", "application/gexf+xml; charset=utf-8"),
        ("graphml", "application/graphml+xml; charset=utf-8"),
    ],
)
def test_gexf_and_graphml_read_back(client, seed, kind, content_type):
    response = client.get(reverse(f"network:{kind}"))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="network.{kind}"'
    g = read_back(response, kind)
    assert g.is_directed()
    if kind == "gexf":  # the GEXF reader names nodes by their labels' ids
        assert set(g.nodes) == SEED_PEOPLE
    assert {n: d["label"] for n, d in g.nodes(data=True)}["mao-zedong"] == "Mao Zedong"
    assert g.nodes["li-kenong"]["url"] == "http://testserver/participants/li-kenong/"
    assert g.nodes["li-kenong"]["side"] == "Communist side"
    edges = {
        (s, t): (d["cables"], d["telegrams"], d["copies"], d["first"], d["last"], d["weight"])
        for s, t, d in g.edges(data=True)
    }
    assert edges == {
        k: (c, t, cp, f.isoformat(), last.isoformat(), c + t)
        for k, (c, t, cp, f, last) in SEED_EDGES.items()
    }
    data = g.edges["li-kenong", "mao-zedong"]
    assert data["url"] == "http://testserver/network/li-kenong/mao-zedong/"


def test_csv_reads_back(client, seed):
    response = client.get(reverse("network:csv"), {"from": "1951-07-10", "to": "1951-07-11"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="network-1951-07-10-1951-07-11.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0])[:5] == ["from", "to", "weight", "first", "last"]
    assert [(r["from"], r["to"], r["weight"], r["first"], r["last"]) for r in rows] == [
        ("Li Kenong", "Kim Il Sung", "4", "1951-07-10", "1951-07-10"),
        ("Li Kenong", "Mao Zedong", "4", "1951-07-10", "1951-07-10"),
        ("Li Kenong", "Peng Dehuai", "4", "1951-07-10", "1951-07-10"),
        ("Mao Zedong", "Joseph Stalin", "1", "1951-07-11", "1951-07-11"),
    ]
    assert rows[3]["records_url"] == (
        "http://testserver/network/mao-zedong/joseph-stalin/?from=1951-07-10&to=1951-07-11"
    )
    assert (rows[0]["from_id"], rows[0]["copies"]) == ("li-kenong", "4")


def test_exports_take_the_filters(client, seed, later):
    response = client.get(reverse("network:graphml"), {"participant": "Mao Zedong", "min": "2"})
    assert (
        response["Content-Disposition"] == 'attachment; filename="network-mao-zedong-min2.graphml"'
    )
    g = read_back(response, "graphml")
    assert set(g.edges) == {("li-kenong", "mao-zedong")}
    html = client.get(URL, {"from": "1951-07-10", "min": "2"}).content.decode()
    assert 'href="/network/export.gexf?from=1951-07-10&amp;min=2"' in html


@pytest.mark.parametrize("kind", ["gexf", "graphml"])
def test_an_empty_range_exports_an_empty_graph(client, seed, kind):
    response = client.get(reverse(f"network:{kind}"), {"from": "1960-01-01"})
    assert response.status_code == 200
    g = read_back(response, kind)
    assert g.number_of_nodes() == 0 and g.number_of_edges() == 0
    rows = list(
        csv.reader(
            io.StringIO(client.get(reverse("network:csv"), {"from": "1960-01-01"}).content.decode())
        )
    )
    assert rows == [CSV_COLUMNS]


def test_the_timing_command(seed):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("time_network", "--repeat", "1", stdout=out)
    assert "graph 5 people, 4 links, 13 records; read in 3 queries" in out.getvalue()
    assert "layout: 5 people and 4 links drawn" in out.getvalue()


def test_a_spreadsheet_formula_in_a_name_is_quoted(client, seed):
    from cables.models import Participant

    Participant.objects.filter(slug="li-kenong").update(name="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(client.get(reverse("network:csv")).content.decode())))
    assert rows[1][0] == "'=HYPERLINK(1)"


# Queries ---------------------------------------------------------------------------


def test_query_counts(client, seed, django_assert_num_queries):
    # The data version, then the graph: cables and telegram recipients grouped, the people.
    with django_assert_num_queries(4):
        assert client.get(URL).status_code == 200
    with django_assert_num_queries(1):  # the page kept under its ETag
        client.get(URL)
    with django_assert_num_queries(1):  # another page of the table: the graph and layout kept
        client.get(URL, {"page": "1"})
    with django_assert_num_queries(2):  # + the person asked for
        client.get(URL, {"participant": "mao-zedong"})
    with django_assert_num_queries(4):  # another range: the graph is read again
        client.get(URL, {"from": "1951-07-11"})
    for name in ("gexf", "graphml", "csv"):
        with django_assert_num_queries(1):  # the versions; the graph kept
            client.get(reverse(f"network:{name}"))
    # One edge: the version, the two people, the cables, the telegrams.
    with django_assert_num_queries(4):
        client.get("/network/li-kenong/mao-zedong/")


def test_query_counts_do_not_grow_with_the_archive(client, seed, later, django_assert_num_queries):
    from network.tests.conftest import telegram

    for n in range(2, 30):
        telegram(later, n, "peng-dehuai", to=["mao-zedong", "kim-il-sung"], copies=["nam-il"])
    with django_assert_num_queries(4):
        client.get(URL)
    with django_assert_num_queries(4):
        client.get("/network/peng-dehuai/mao-zedong/")
    with django_assert_num_queries(4):
        client.get(reverse("network:csv"), {"to": "1951-12-31"})


def test_a_persons_page_links_to_their_correspondence(client, seed):
    html = client.get("/participants/mao-zedong/").content.decode()
    assert 'href="/network/?participant=mao-zedong"' in html
