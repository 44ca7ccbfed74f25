"""The graph of who wrote to whom (``network.graph``): the seed's exactly, dates,
drafts and translations, weights, and one edge's records."""

from __future__ import annotations

import datetime as dt

import pytest

from cables.models import Cable, Participant
from network import graph
from network.graph import Range
from network.tests.conftest import (
    JULY_10,
    JULY_11,
    SEED_EDGES,
    SEED_PEOPLE,
    as_table,
    cable,
    telegram,
)

pytestmark = pytest.mark.django_db


def test_the_seed_graph_exactly(seed):
    network = graph.read(Range())
    assert as_table(network) == SEED_EDGES
    assert set(network.nodes) == SEED_PEOPLE
    assert network.nodes["mao-zedong"].name == "Mao Zedong"
    assert network.nodes["mao-zedong"].side == "communist-side"
    # Heaviest first, then by the names at the ends.
    assert [(e.source, e.target, e.weight) for e in network.edges] == [
        ("li-kenong", "kim-il-sung", 4),
        ("li-kenong", "mao-zedong", 4),
        ("li-kenong", "peng-dehuai", 4),
        ("mao-zedong", "joseph-stalin", 1),
    ]
    assert network.records == 13
    assert network.degree() == {
        "joseph-stalin": 1,
        "kim-il-sung": 4,
        "li-kenong": 12,
        "mao-zedong": 5,
        "peng-dehuai": 4,
    }
    assert network.flows()[0]["mao-zedong"] == 1 and network.flows()[1]["mao-zedong"] == 4


def test_three_queries_whatever_the_size(seed, later, django_assert_num_queries):
    for n in range(2, 12):
        telegram(later, n, "peng-dehuai", to=["mao-zedong", "kim-il-sung"], copies=["nam-il"])
    with django_assert_num_queries(3):  # cables grouped, telegram recipients grouped, people
        network = graph.read(Range())
    assert as_table(network)[("peng-dehuai", "mao-zedong")][1] == 11


def test_an_empty_archive_costs_two_queries(db, django_assert_num_queries):
    with django_assert_num_queries(2):
        network = graph.read(Range())
    assert network.edges == [] and network.nodes == {}


def test_date_range(seed, later):
    every = as_table(graph.read(Range()))
    august = dt.date(1951, 8, 2)
    assert every[("joseph-stalin", "mao-zedong")] == (1, 0, 0, august, august)
    # The undated telegram of the later cable takes the cable's day.
    assert every[("peng-dehuai", "mao-zedong")] == (0, 1, 0, august, august)

    tenth = as_table(graph.read(Range(start=JULY_10, end=JULY_10)))
    assert set(tenth) == {k for k in SEED_EDGES if k[0] == "li-kenong"}
    eleventh = as_table(graph.read(Range(start=JULY_11)))
    assert set(eleventh) == {
        ("mao-zedong", "joseph-stalin"),
        ("joseph-stalin", "mao-zedong"),
        ("peng-dehuai", "mao-zedong"),
    }
    july = as_table(graph.read(Range(end=dt.date(1951, 7, 31))))
    assert july == SEED_EDGES
    assert graph.read(Range(start=dt.date(1952, 1, 1))).edges == []


def test_first_and_last_days_span_the_records(seed):
    c = cable("earlier", "li-kenong", "mao-zedong", dt.date(1951, 6, 30))
    telegram(c, 1, "li-kenong", to=["mao-zedong"], sent_on=dt.date(1951, 6, 29))
    edge = as_table(graph.read(Range()))[("li-kenong", "mao-zedong")]
    assert edge == (1, 5, 0, dt.date(1951, 6, 29), JULY_10)


def test_undated_records_only_without_a_range(seed):
    cable("undated", "kim-il-sung", "joseph-stalin", None)
    assert as_table(graph.read(Range()))[("kim-il-sung", "joseph-stalin")] == (
        1,
        0,
        0,
        None,
        None,
    )
    assert ("kim-il-sung", "joseph-stalin") not in as_table(graph.read(Range(end=JULY_11)))


def test_drafts_never_count(seed, draft):
    network = graph.read(Range())
    assert as_table(network) == SEED_EDGES
    assert "nam-il" not in network.nodes and "matthew-b-ridgway" not in network.nodes


def test_a_translation_of_a_published_record_is_the_same_letter(seed):
    original = Cable.objects.get()
    translation = cable(
        "translation", "mao-zedong", "joseph-stalin", JULY_11, translation_of=original
    )
    telegram(translation, 1, "li-kenong", to=["mao-zedong"], sent_on=JULY_10)
    assert as_table(graph.read(Range())) == SEED_EDGES
    # Its original a draft (readers see the translation alone): the translation counts.
    Cable.objects.filter(pk=original.pk).update(status=Cable.Status.DRAFT)
    assert as_table(graph.read(Range())) == {
        ("mao-zedong", "joseph-stalin"): (1, 0, 0, JULY_11, JULY_11),
        ("li-kenong", "mao-zedong"): (0, 1, 0, JULY_10, JULY_10),
    }


def test_a_record_missing_an_end_makes_no_edge(seed):
    cable("no-recipient", "mao-zedong", "", JULY_11)
    c = cable("no-sender", "", "mao-zedong", JULY_11)
    t = telegram(c, 1, "li-kenong", to=["mao-zedong"])
    t.author = None
    t.save()
    assert as_table(graph.read(Range())) == SEED_EDGES


def test_a_telegram_to_someone_twice_counts_once(seed):
    c = cable("twice", "mao-zedong", "joseph-stalin", JULY_11)
    telegram(c, 1, "li-kenong", to=["mao-zedong"], copies=["mao-zedong"], sent_on=JULY_11)
    edge = as_table(graph.read(Range()))[("li-kenong", "mao-zedong")]
    assert edge[:3] == (0, 5, 1)
    letters = graph.letters(
        Participant.objects.get(slug="li-kenong"),
        Participant.objects.get(slug="mao-zedong"),
        Range(start=JULY_11),
    )
    assert [(x.title, x.copy) for x in letters] == [("Telegram 1", False)]


def test_limited_by_weight_and_person(seed, later):
    network = graph.read(Range())
    heavy = network.limited(min_weight=2)
    assert set(as_table(heavy)) == {k for k in SEED_EDGES if k[0] == "li-kenong"}
    assert set(heavy.nodes) == {"li-kenong", "mao-zedong", "kim-il-sung", "peng-dehuai"}
    stalin = network.limited(person="joseph-stalin")
    assert set(as_table(stalin)) == {
        ("mao-zedong", "joseph-stalin"),
        ("joseph-stalin", "mao-zedong"),
    }
    assert set(stalin.nodes) == {"mao-zedong", "joseph-stalin"}
    assert network.limited(min_weight=5).edges == []


# Committed writes: PostgreSQL moves versions at commit (a deferred trigger).
@pytest.mark.django_db(transaction=True)
def test_the_graph_is_kept_per_version_of_the_records(seed, django_assert_num_queries):
    graph.correspondence(Range())
    with django_assert_num_queries(1):  # the versions
        assert as_table(graph.correspondence(Range())) == SEED_EDGES
    cable("new", "kim-il-sung", "joseph-stalin", JULY_11)
    assert ("kim-il-sung", "joseph-stalin") in as_table(graph.correspondence(Range()))
    # A renamed person moves the archive's version: the kept graph has the new name.
    Participant.objects.filter(slug="kim-il-sung").update(name="Kim Il-sung")
    assert graph.correspondence(Range()).nodes["kim-il-sung"].name == "Kim Il-sung"


def test_one_edges_records_in_date_order(seed, later):
    li, mao = (Participant.objects.get(slug=s) for s in ("li-kenong", "mao-zedong"))
    letters = graph.letters(li, mao, Range())
    # Telegram 4 gives no time: first in its day, as in the chronology.
    assert [(x.day, x.time and x.time.strftime("%H%M"), x.title) for x in letters] == [
        (JULY_10, None, "Telegram 4"),
        (JULY_10, "1145", "Telegram 1"),
        (JULY_10, "1145", "Telegram 3"),
        (JULY_10, "1200", "Telegram 2"),
    ]
    seed_cable = Cable.objects.get(record_id="117409")
    assert letters[1].url == f"{seed_cable.get_absolute_url()}#p4"
    assert all(x.kind == "telegram" and not x.copy for x in letters)
    kim = Participant.objects.get(slug="kim-il-sung")
    assert all(x.copy for x in graph.letters(li, kim, Range()))
    stalin = Participant.objects.get(slug="joseph-stalin")
    (only,) = graph.letters(mao, stalin, Range())
    assert (only.kind, only.url, only.day) == ("cable", seed_cable.get_absolute_url(), JULY_11)
    assert graph.letters(mao, stalin, Range(end=JULY_10)) == []
    assert [x.title for x in graph.letters(stalin, mao, Range())] == ["Test cable later"]


def test_labels():
    edge = graph.Edge("a", "b", cables=2, telegrams=1, copies=1, first=JULY_10, last=JULY_11)
    assert edge.what == "2 cables and 1 telegram (1 as a copy)"
    assert edge.dates == "10 July 1951 – 11 July 1951"
    assert graph.Edge("a", "b", cables=1).dates == "undated"
    assert Range(start=JULY_10, end=JULY_11).label == "from 10 July 1951 to 11 July 1951"
    assert Range(start=JULY_10).label == "from 10 July 1951 on"
    assert Range(end=JULY_11).label == "up to 11 July 1951"
    assert Range(start=JULY_10, min_weight=3).query() == "?from=1951-07-10&min=3"
    assert Range(start=JULY_10, min_weight=3).dates_query == "?from=1951-07-10"
