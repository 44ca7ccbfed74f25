"""Agenda comparison: /agendas/compare/?left=…&right=…."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from telegrams.views import align
from tests.factories import build_archive, check_html

pytestmark = pytest.mark.django_db

URL = reverse("telegrams:agenda_compare")


def items_by_side(html, side):
    return re.findall(rf'id="{side}-(item-\d+-\d+)"', html)


def test_two_agendas_side_by_side_aligned_by_correspondence(client):
    archive = build_archive(3)
    response = client.get(URL, {"left": "communist-draft", "right": "un-draft"})
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    left = list(archive.left.items.all())
    right = list(archive.right.items.all())
    # Every item exactly once on its side.
    assert sorted(items_by_side(html, "left")) == sorted(i.anchor for i in left)
    assert sorted(items_by_side(html, "right")) == sorted(i.anchor for i in right)
    rows = response.context["rows"]
    # Row 1: left 1 with right 1 (same) and right 3 (related); row 2: 2 ↔ 2; row 3: left 3 alone.
    assert [([c.item.number for c in r.left], [c.item.number for c in r.right]) for r in rows] == [
        ([1], [1, 3]),
        ([2], [2]),
        ([3], []),
    ]
    assert f'data-counterparts="right-{right[0].anchor} right-{right[2].anchor}"' in html
    assert 'class="badge badge--same">Same</span>' in html
    assert "Both name point 1." in html and "Stored right-to-left." in html
    # The unmatched item says so, with its own note.
    assert 'No counterpart</span> <span class="cmp-link__note">Dropped by the UN side.' in html
    assert "Dropped by the UN side." in html
    # The correspondence with the third agenda is ignored.
    assert "Adopted later." not in html
    # Each item links to its place in the telegram.
    assert f'href="{left[0].get_absolute_url()}"' in html
    assert f'href="{archive.cable.get_absolute_url()}#{left[0].anchor}"' in html


def test_swapped_sides_show_the_same_correspondences(client):
    build_archive(3)
    response = client.get(URL, {"left": "un-draft", "right": "communist-draft"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [([c.item.number for c in r.left], [c.item.number for c in r.right]) for r in rows] == [
        ([1, 3], [1]),
        ([2], [2]),
        ([], [3]),
    ]
    html = response.content.decode()
    assert "Stored right-to-left." in html and "Both name point 2." in html


def test_defaults_to_the_first_two_agendas(client):
    build_archive(2)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["left"].slug == "communist-draft"
    assert response.context["right"].slug == "un-draft"
    html = response.content.decode()
    assert '<form class="filters filters--pickers" method="get" action="/agendas/compare/">' in html
    assert '<option value="un-draft" selected>' in html


def test_unknown_agenda_gives_a_clear_404(client):
    build_archive(2)
    response = client.get(URL, {"left": "communist-draft", "right": "no-such-agenda"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no agenda called “no-such-agenda”" in html
    assert 'name="left"' in html  # the pickers are still there


def test_same_agenda_on_both_sides(client):
    build_archive(2)
    response = client.get(URL, {"left": "un-draft", "right": "un-draft"})
    assert response.status_code == 200
    assert "The same agenda is shown on both sides" in response.content.decode()


def test_no_agendas_yet(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert "There are not yet two agendas to compare." in response.content.decode()


def test_align_places_unmatched_right_items_after_their_predecessor():
    class Item:
        def __init__(self, pk, number):
            self.pk, self.number, self.agenda_id = pk, number, 0

        anchor = property(lambda self: f"item-{self.pk}")

    left = [Item(1, 1), Item(2, 2)]
    right = [Item(11, 1), Item(12, 2), Item(13, 3)]
    rows = align(left, right, [(left[0], right[0], None), (left[1], right[2], None)])
    shape = [([c.item.pk for c in r.left], [c.item.pk for c in r.right]) for r in rows]
    assert shape == [([1], [11]), ([], [12]), ([2], [13])]


@pytest.mark.parametrize("n", [2, 10])
def test_query_count_does_not_grow_with_items(client, django_assert_num_queries, n):
    build_archive(n)
    with django_assert_num_queries(3):
        # 1. all agendas with side and source telegram, passage, cable (pickers)
        # 2. the two agendas' items with passage and cable
        # 3. correspondences between the two agendas
        response = client.get(URL, {"left": "communist-draft", "right": "un-draft"})
    assert response.status_code == 200


def test_unknown_agenda_query_count(client, django_assert_num_queries):
    build_archive(2)
    with django_assert_num_queries(1):
        # 1. all agendas (for the pickers and to look the slugs up)
        client.get(URL, {"left": "nope"})
