"""Agenda comparison: /agendas/compare/?left=…&right=…."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from telegrams.models import Agenda, AgendaItem, Correspondence
from telegrams.views import align, align_columns
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
    with django_assert_num_queries(4):  # +1: the data version (readingroom.caching)
        # 1. all agendas with side and source telegram, passage, cable (pickers)
        # 2. the two agendas' items with passage and cable
        # 3. correspondences between the two agendas
        response = client.get(URL, {"left": "communist-draft", "right": "un-draft"})
    assert response.status_code == 200


def test_unknown_agenda_query_count(client, django_assert_num_queries):
    build_archive(2)
    with django_assert_num_queries(2):  # +1: the data version (readingroom.caching)
        # 1. all agendas (for the pickers and to look the slugs up)
        client.get(URL, {"left": "nope"})


# --- three or more agendas ----------------------------------------------------------


def adopted_agenda(archive):
    """A later meeting's adopted agenda (not in the seed), linked to both drafts.

    1 ~ Communist 1 (same); 2 ~ UN 2 only (partial); 3 has no counterpart;
    4 ~ the last Communist item (related) and ~ UN 1 (related).
    """
    agenda = Agenda.objects.create(
        title="Adopted agenda, 26 July 1951",
        slug="adopted-26-july",
        status=Agenda.Status.ADOPTED,
        meeting="Kaesong, tenth session",
        date=dt.date(1951, 7, 26),
    )
    texts = ["Adoption of agenda.", "Demarcation line.", "Concrete arrangements.", "Prisoners."]
    adopted = [
        AgendaItem.objects.create(agenda=agenda, number=i, text=t) for i, t in enumerate(texts, 1)
    ]
    left, right = list(archive.left.items.all()), list(archive.right.items.all())
    for a, b, relation, note in [
        (left[0], adopted[0], "same", "Adopted as proposed."),
        (adopted[1], right[1], "partial", "The UN's line, narrowed."),
        (left[-1], adopted[3], "related", "From the Communist last point."),
        (right[0], adopted[3], "related", "And the UN's first."),
    ]:
        Correspondence.objects.create(left=a, right=b, relation=relation, note=note)
    return agenda


def shape(rows):
    return [tuple([c.item.number for c in col] for col in r.columns) for r in rows]


def test_a_further_column_is_aligned_to_the_left_agenda(client):
    archive = build_archive(3)
    adopted_agenda(archive)
    response = client.get(
        URL, {"left": "communist-draft", "right": "un-draft", "also": "adopted-26-july"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    # Left/right rows as without the column; adopted 1 with Communist 1, 2 with UN 2,
    # 3 (alone) after 2, 4 with Communist 3 (the left agenda wins over UN 1).
    assert shape(response.context["rows"]) == [
        ([1], [1, 3], [1]),
        ([2], [2], [2]),
        ([], [], [3]),
        ([3], [], [4]),
    ]
    ids = re.findall(r'id="also1-(item-\d+-\d+)"', html)
    assert len(ids) == 4
    assert html.count('<td class="cmp-gutter" aria-hidden="true"></td>') == 2 * (1 + 4)
    assert 'data-columns="3"' in html
    # With three columns a link names the other item's side or agenda.
    assert "Adopted agenda, 26 July 1951 item 4</a>" in html
    assert 'UNC item 2</a>: <span class="cmp-link__note">The UN&#x27;s line, narrowed.' in html
    # The pickers and the swap link keep the column.
    assert '<option value="adopted-26-july" selected>' in html
    assert "?left=un-draft&amp;right=communist-draft&amp;also=adopted-26-july" in html


def test_further_columns_repeat_and_never_change_the_left_right_rows(client):
    archive = build_archive(3)
    adopted_agenda(archive)
    two = client.get(URL, {"left": "communist-draft", "right": "un-draft"}).context["rows"]
    response = client.get(
        URL,
        {"left": "communist-draft", "right": "un-draft", "also": ["adopted", "adopted-26-july"]},
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [s[:2] for s in shape(rows) if s[0] or s[1]] == [s[:2] for s in shape(two)]
    # The factory's adopted agenda (1 item ~ Communist 1) is column 3, ours column 4.
    assert shape(rows)[0] == ([1], [1, 3], [1], [1])
    assert 'id="also2-item-' in response.content.decode()


def test_a_column_already_shown_or_unknown(client):
    build_archive(2)
    response = client.get(URL, {"left": "communist-draft", "right": "un-draft", "also": "un-draft"})
    assert response.status_code == 200
    assert "“UN draft agenda” is already shown; it is not added again." in (
        response.content.decode()
    )
    assert response.context["cmp"].extra == []
    response = client.get(URL, {"left": "communist-draft", "right": "un-draft", "also": "nope"})
    assert response.status_code == 404
    assert "There is no agenda called “nope” (asked for as a column)." in response.content.decode()
    # Empty values (the "Add a column" picker left at none) are ignored.
    response = client.get(URL, {"left": "communist-draft", "right": "un-draft", "also": ""})
    assert response.status_code == 200 and response.context["cmp"].extra == []


@pytest.mark.parametrize("n", [2, 10])
def test_query_count_with_a_further_column(client, django_assert_num_queries, n):
    archive = build_archive(n)
    adopted_agenda(archive)
    with django_assert_num_queries(4):  # +1: the data version (readingroom.caching)
        # 1. all agendas with side and source telegram, passage, cable (pickers)
        # 2. the three agendas' items with passage and cable
        # 3. correspondences among the three agendas (accepted only: anonymous)
        response = client.get(
            URL, {"left": "communist-draft", "right": "un-draft", "also": "adopted-26-july"}
        )
    assert response.status_code == 200


def test_align_columns_places_an_unlinked_further_item_after_its_predecessor():
    class Item:
        def __init__(self, pk, number):
            self.pk, self.number, self.agenda_id = pk, number, 0

        anchor = property(lambda self: f"item-{self.pk}")

    left, right, third = [Item(1, 1)], [Item(11, 1)], [Item(21, 1), Item(22, 2), Item(23, 3)]
    rows = align_columns(
        [left, right, third],
        [(left[0], right[0], None), (right[0], third[2], None)],
    )
    shape_ = [tuple([c.item.pk for c in col] for col in r.columns) for r in rows]
    # 23 joins its UN counterpart's row; 21 and 22 have none, so come first, in order.
    assert shape_ == [([], [], [21]), ([], [], [22]), ([1], [11], [23])]


def test_the_corrected_reading_applies_accepted_corrections_to_items(
    client, seed, django_assert_num_queries
):
    """Issue 14: the comparison kept "principLi" in the UN agenda's item 7."""
    url = reverse("telegrams:agenda_compare")
    published = client.get(url).content.decode()
    assert "agreement in principLi that" in published
    with django_assert_num_queries(5):  # as the page, + the corrections (annotations)
        corrected = client.get(url, {"reading": "corrected"}).content.decode()
    assert (
        'agreement in <ins class="correction" tabindex="0" data-published="principLi" '
        'title="As published: principLi">principle</ins> that'
    ) in corrected
    assert '<option value="corrected" selected>Corrected</option>' in corrected
