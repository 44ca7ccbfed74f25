"""Any two texts side by side: /compare/?a=…&b=…"""

import re

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


def test_words_typed_in_a_picker_find_the_text_and_the_address_names_its_key(client, seed):
    response = get(client, a="brief report", b="UN Command's draft agenda, 10 July")
    assert response.status_code == 302
    assert response.url.startswith(f"/compare/?a=telegram:{SLUG}:")
    assert response.url.endswith("&b=agenda:un-draft-1951-07-10")


@pytest.mark.parametrize(
    "typed, key",
    [
        ("Telegram 2", f"telegram:{SLUG}:2"),
        ("telegram 3 21680", f"telegram:{SLUG}:3"),
        ("21680", f"cable:{SLUG}"),
        ("117409", f"cable:{SLUG}"),
        ("Filippov", f"cable:{SLUG}"),  # a person, by an alias
        ("Cable No. 21680, Mao Dong to Cde. Filippov [Stalin] (11 July 1951)", f"cable:{SLUG}"),
        ("Telegram 1 — Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]", T1),
    ],
)
def test_a_picker_finds_a_text_by_title_number_and_person(client, seed, typed, key):
    response = get(client, a=typed)
    assert response.status_code == 302
    assert response.url == f"/compare/?a={key}"


def test_suggestions_show_human_labels_and_keep_the_key_out_of_the_box(client, seed):
    response = client.get(reverse("reading:compare_suggestions"), {"side": "b", "b": "Kenong"})
    html = response.content.decode()
    options = re.findall(r'<option value="([^"]*)" data-key="([^"]*)">', html)
    assert len(options) == 4  # the four telegrams Li Kenong wrote
    for label, key in options:
        assert (
            label.startswith("Telegram ") and "from Li Kenong" in label and "telegram:" not in label
        )
        assert key.startswith(f"telegram:{SLUG}:")
    # Each suggested label names its text again when it comes back from the box.
    label, key = options[1]
    assert get(client, a=T1, b=label).url == f"/compare/?a={T1}&b={key}"
    assert client.get(reverse("reading:compare_suggestions"), {"b": "x"}).content.strip() == b""


@pytest.mark.parametrize(
    "a, b, message",
    [
        ("cable:no-such-cable", T1, "There is no cable “no-such-cable”"),
        (f"telegram:{SLUG}:9", T1, "has no telegram 9"),
        ("agenda:nothing", T1, "There is no agenda “nothing”"),
        (f"cable:{SLUG}", T1, "is part of Cable No. 21680"),
        (T1, T1, "Both panes would show Telegram 1 — Cable No. 21680"),
        ("xyzzy plugh", T1, "No text matches “xyzzy plugh”"),
        ("memo:12", T1, "“memo:12” does not name a text"),
    ],
)
def test_bad_keys_get_a_clear_message(client, seed, a, b, message):
    response = get(client, a=a, b=b)
    assert response.status_code in (200, 404)
    assert message in response.content.decode()


def test_a_missing_telegram_is_named_not_taken_for_the_same_text(client, seed):
    html = get(client, a=T1, b=f"telegram:{SLUG}:9").content.decode()
    assert "has no telegram 9" in html
    assert "is part of" not in html


def test_empty_compare_page_offers_the_pickers(client, seed):
    html = get(client).content.decode()
    assert "Choose a text for this pane above." in html
    # Suggestions come as you type: the page lists no text, and names no key.
    assert "<option" not in html and "telegram:" not in html.split('id="pane-a"')[1]


def test_read_side_by_side_opens_the_split_view_with_this_text_on_the_left(client, seed):
    cable = Cable.objects.get(slug=SLUG)
    html = client.get(cable.get_absolute_url()).content.decode()
    assert f'href="/compare/?a=cable:{SLUG}">Read side by side</a>' in html
    assert f'href="/compare/?a=telegram:{SLUG}:3">Read side by side</a>' in html
    assert 'href="/compare/">Side by side</a>' in html  # the navigation
    page = get(client, a=f"telegram:{SLUG}:3").content.decode()
    pane_a, pane_b = page.split('id="pane-a"')[1].split('id="pane-b"')
    assert "Telegram 3 — Cable No. 21680" in pane_a
    assert "Read beside it" in pane_b and 'id="pick-b"' in pane_b and "autofocus" in pane_b


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
    with django_assert_num_queries(33 if links else 29):
        # 1. the data version (readingroom.caching)
        # (the pickers suggest as you type: no list of every text, issue 14)
        # 2-23. pane a: the cable's fixed layers (reading.layers: 13 queries,
        #       2 for the cables before and after it in its collection, 2 for
        #       its references and those arriving, issue 16, and the database's
        #       kept row looked for, then written: 5)
        # then pane a's annotations, their authors and their tags, and with links the links'
        # other ends and the links arriving; then pane b's, its layers now kept
        get(client, a=T1, b=T3)


# Open side by side (issue 14): any link whose ends are in two different passages.


def _link(users, source, target, s_words, t_words):
    return create_link(
        user=users.researcher, passage=source, start=source.text.index(s_words),
        end=source.text.index(s_words) + len(s_words), exact=s_words, relation="related",
        visibility="public", target_passage=target, target_start=target.text.index(t_words),
        target_end=target.text.index(t_words) + len(t_words), target_exact=t_words,
    )  # fmt: skip


def test_a_link_between_two_telegrams_of_one_cable_opens_side_by_side(client, users, seed):
    cable = Cable.objects.get(slug=SLUG)
    t2, t3 = cable.passages.get(label="Telegram 2"), cable.passages.get(label="Telegram 3")
    link = _link(users, t2, t3, "Adoption of the agenda", "Adoption of an agenda")
    html = client.get(cable.get_absolute_url()).content.decode()
    out = f'href="/compare/?a=telegram:{SLUG}:2&amp;b=telegram:{SLUG}:3#l{link.pk}"'
    back = f'href="/compare/?a=telegram:{SLUG}:3&amp;b=telegram:{SLUG}:2#a{link.pk}"'
    assert f"{out}>Open side by side</a>" in html  # on the link's card, beside telegram 2
    assert f"{back}>Open side by side</a>" in html  # on the card arriving at telegram 3
    response = get(client, a=f"telegram:{SLUG}:2", b=f"telegram:{SLUG}:3")
    assert response.status_code == 200 and f'id="l{link.pk}"' in response.content.decode()


def test_a_link_between_two_plain_passages_of_one_cable_opens_each_passage(client, users, seed):
    cable = Cable.objects.get(slug=SLUG)
    plain = [p for p in cable.passages.order_by("position") if not hasattr(p, "telegram")]
    first, last = plain[0], plain[-1]
    link = _link(users, first, last, first.text[:6], last.text[:6])
    html = client.get(cable.get_absolute_url()).content.decode()
    url = f"/compare/?a=passage:{SLUG}:{first.anchor}&amp;b=passage:{SLUG}:{last.anchor}#l{link.pk}"
    assert f'href="{url}"' in html
    page = get(client, a=f"passage:{SLUG}:{first.anchor}", b=f"passage:{SLUG}:{last.anchor}")
    text = page.content.decode()
    assert page.status_code == 200
    pane_a, pane_b = text.split('id="pane-a"')[1].split('id="pane-b"')
    assert f'id="row-{first.pk}"' in pane_a and f'id="row-{last.pk}"' in pane_b
    assert f'id="row-{last.pk}"' not in pane_a
    assert "has no passage “p99”" in get(client, a=f"passage:{SLUG}:p99").content.decode()


def test_a_link_inside_one_passage_offers_no_split_view(client, users, seed):
    cable = Cable.objects.get(slug=SLUG)
    t1 = cable.passages.get(label="Telegram 1")
    _link(users, t1, t1, "Kaesong", "conference")
    html = client.get(cable.get_absolute_url()).content.decode()
    assert "Open side by side" not in html
