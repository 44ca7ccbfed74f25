"""Any two texts side by side: /compare/?a=…&b=…"""

import pytest
from django.urls import reverse

from annotations.services import create_link
from cables.models import Cable

pytestmark = pytest.mark.django_db

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
T1, T3 = f"telegram:{SLUG}:1", f"telegram:{SLUG}:3"
HTMX = {"HTTP_HX_REQUEST": "true"}


def get(client, **params):
    return client.get(reverse("reading:compare"), params)


def test_two_telegrams_side_by_side(client, seed):
    response = get(client, a=T1, b=T3)
    html = response.content.decode()
    assert response.status_code == 200
    pane_a, pane_b = html.split('id="pane-a"')[1].split('id="pane-b"')
    assert "Telegram 1 — Cable No. 21680" in pane_a and 'id="row-5"' in pane_a
    assert "Telegram 3 — Cable No. 21680" in pane_b and 'id="row-7"' in pane_b
    assert 'id="row-7"' not in pane_a and 'id="row-5"' not in pane_b
    # Both panes are reading panes: headers, mentions, highlights of the public corrections.
    assert "attachment Nº 1 to brief report Nº 1" in pane_b
    assert 'class="hl hl--correction"' in pane_a and 'class="hl hl--correction"' in pane_b
    # Swapping is a plain link with the keys exchanged.
    assert f'href="/compare/?a={T3}&amp;b={T1}"' in html


def test_a_cable_beside_an_agenda(client, seed):
    html = get(client, a=f"cable:{SLUG}", b="agenda:un-draft-1951-07-10").content.decode()
    pane_b = html.split('id="pane-b"')[1]
    assert pane_b.count("<li value=") == 9
    assert "Steps with regard to prisoners." in pane_b
    assert f'href="/cables/{SLUG}/#item-2-9"' in pane_b


def test_words_typed_in_a_picker_find_the_text(client, seed):
    response = get(client, a="brief report", b="UN Command's draft agenda, 10 July")
    html = response.content.decode()
    assert 'data-key="telegram:' in html.split('id="pane-a"')[1][:300]
    assert 'data-key="agenda:un-draft-1951-07-10"' in html


@pytest.mark.parametrize(
    "a, b, message",
    [
        ("cable:no-such-cable", T1, "There is no cable “no-such-cable”"),
        (f"telegram:{SLUG}:9", T1, "has no telegram 9"),
        ("agenda:nothing", T1, "There is no agenda “nothing”"),
        (f"cable:{SLUG}", T1, "The two panes show the same passages"),
    ],
)
def test_bad_keys_get_a_clear_message(client, seed, a, b, message):
    response = get(client, a=a, b=b)
    assert response.status_code in (200, 404)
    assert message in response.content.decode()


def test_a_missing_telegram_is_named_not_taken_for_the_same_text(client, seed):
    html = get(client, a=T1, b=f"telegram:{SLUG}:9").content.decode()
    assert "has no telegram 9" in html
    assert "The two panes show the same passages" not in html


def test_empty_compare_page_offers_the_pickers(client, seed):
    html = get(client).content.decode()
    assert "Choose a text for this pane above." in html
    assert f'<option value="cable:{SLUG}">' in html
    assert f'<option value="{T3}">' in html


def test_one_pane_is_replaced_in_place_and_the_url_follows(client, seed):
    response = client.get(
        reverse("reading:compare"), {"a": T1, "b": T3}, HTTP_HX_TARGET="pane-b", **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="pane" id="pane-b"')
    assert "<html" not in html
    assert response.headers["HX-Push-Url"] == f"/compare/?a={T1}&b={T3}"


def test_links_between_the_panes_are_on_both_sides(client, users, seed):
    cable = Cable.objects.get(slug=SLUG)
    t1, t3 = cable.passages.get(label="Telegram 1"), cable.passages.get(label="Telegram 3")
    source, target = "the draft text is attached separately", "The agenda for the second meeting"
    link = create_link(
        user=users.researcher, passage=t1, start=t1.text.index(source),
        end=t1.text.index(source) + len(source), exact=source, relation="quotes",
        visibility="public", target_passage=t3, target_start=t3.text.index(target),
        target_end=t3.text.index(target) + len(target), target_exact=target,
    )  # fmt: skip
    html = get(client, a=T1, b=T3).content.decode()
    pane_a, pane_b = html.split('id="pane-a"')[1].split('id="pane-b"')
    assert f'id="a{link.pk}"' in pane_a
    assert f'id="l{link.pk}"' in pane_b and f'id="incoming-{link.pk}"' in pane_b


@pytest.mark.parametrize("links", [0, 10])
def test_query_count_is_constant(client, users, seed, links, django_assert_num_queries):
    cable = Cable.objects.get(slug=SLUG)
    t1, t3 = cable.passages.get(label="Telegram 1"), cable.passages.get(label="Telegram 3")
    for i in range(links):
        create_link(
            user=users.researcher, passage=t1, start=i, end=i + 4, exact=t1.text[i : i + 4],
            relation="related", visibility="public", target_passage=t3, target_start=i,
            target_end=i + 4, target_exact=t3.text[i : i + 4],
        )  # fmt: skip
    # Both panes are texts of the seed cable: its fixed layers are read once.
    with django_assert_num_queries(31 if links else 27):
        # 1. the data version (readingroom.caching)
        # 2-4. the picker's list: cables, telegrams, agendas
        # 5-23. pane a: the cable's fixed layers (reading.layers: 14 queries, with
        #       the references and those arriving (issue 16); the database's kept
        #       row looked for, then written: 5)
        # then pane a's annotations and their tags, and with links the links'
        # other ends and the links arriving; then pane b's, its layers now kept
        get(client, a=T1, b=T3)
