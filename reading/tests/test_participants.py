"""People: /participants/ and /participants/<slug>/."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cables.models import Mention, Passage
from tests.factories import build_archive, check_html

pytestmark = pytest.mark.django_db


def test_index_groups_people_by_side_with_roles_and_aliases(client):
    build_archive(2)
    response = client.get(reverse("cables:participants"))
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    communist = html.index('<h2 id="side-communist">Communist side</h2>')
    un = html.index('<h2 id="side-un">UN Command</h2>')
    none = html.index('<h2 id="side-none">Not on either side</h2>')
    assert communist < un < none
    assert communist < html.index("Li Kenong") < un
    assert none < html.index('href="/participants/joseph-stalin/"')
    assert "Filippov</span> <small>(pseudonym)</small>" in html
    assert "Chairman of the CPC Central Committee" in html


@pytest.mark.parametrize("n", [2, 10])
def test_index_query_count(client, django_assert_num_queries, n):
    build_archive(n)
    # The data version (readingroom.caching), the index letters (kept per data
    # version), participants with their sides, their aliases.
    with django_assert_num_queries(4):
        client.get(reverse("cables:participants"))
    with django_assert_num_queries(3):
        client.get(reverse("cables:participants") + "?again")


def test_participant_page_shows_aliases_and_details(client):
    archive = build_archive(2)
    response = client.get(archive.people["stalin"].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    assert "<h1" in html and "Joseph Stalin" in html
    assert "Filippov</span> — pseudonym" in html
    assert "Chairman of the USSR Council of Ministers" in html
    assert "addressed as “Filippov”" in html


def section(html, heading_id):
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_appearances_grouped_by_role(client):
    archive = build_archive(2)
    cable = archive.cable
    html = client.get(archive.people["li"].get_absolute_url()).content.decode()
    authored = section(html, "as-author")
    for t in archive.telegrams:
        assert f'href="{cable.get_absolute_url()}#{t.passage.anchor}"' in authored

    html = client.get(archive.people["mao"].get_absolute_url()).content.decode()
    assert f'Sent <a href="{cable.get_absolute_url()}"' in section(html, "as-author")
    assert "Addressee of" in section(html, "as-addressee")

    html = client.get(archive.people["stalin"].get_absolute_url()).content.decode()
    assert f'Received <a href="{cable.get_absolute_url()}"' in section(html, "as-addressee")
    mentioned = section(html, "as-mentioned")
    assert "<mark>Filippov</mark>" in mentioned
    assert f'href="{cable.get_absolute_url()}#{archive.passages[1].anchor}"' in mentioned

    html = client.get(archive.people["kim"].get_absolute_url()).content.decode()
    assert section(html, "as-copied").count("Copy of") == 2

    html = client.get(archive.people["vaganov"].get_absolute_url()).content.decode()
    assert "Deciphered" in section(html, "as-handler")


def test_rejected_mentions_are_not_shown(client):
    archive = build_archive(2)
    Mention.objects.filter(participant=archive.people["joy"]).update(status=Mention.Status.REJECTED)
    html = client.get(archive.people["joy"].get_absolute_url()).content.decode()
    assert 'id="as-mentioned"' not in html
    assert "does not appear in any text yet" in html


def test_unknown_participant_is_404(client):
    response = client.get(reverse("reading:participant", args=["nobody"]))
    assert response.status_code == 404
    assert "This page is not in the reading room" in response.content.decode()


@pytest.mark.parametrize("n", [2, 10])
def test_participant_query_count(client, django_assert_num_queries, n):
    # n telegrams: Mao is addressee of n, mentioned in n, and appears with n + 4 people.
    archive = build_archive(n)
    with django_assert_num_queries(11):  # +1: the data version (readingroom.caching)
        # 1. the participant with side
        # 2. aliases
        # 3. telegrams authored, with passage and cable
        # 4. cables sent
        # 5. cables received
        # 6. telegram receipts (to and copy) with telegram, passage, cable
        # 7. handling events with cable
        # 8. shown mentions with passage, cable, the passage's telegram and its author
        # 9. co-occurrences: the participant's own passages (one UNION query)
        # 10. co-occurrences: (companion, passage) pairs (one UNION query)
        response = client.get(archive.people["mao"].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert section(html, "as-mentioned").count("<mark>") == n
    assert html.count('class="count">') >= n + 1


# --- mentions grouped by cable and telegram -------------------------------------


def test_mentions_are_grouped_by_cable_then_telegram_or_passage(client):
    archive = build_archive(3)
    li = archive.people["li"]
    # A second, older cable that names him too: its group comes first (by date).
    Passage.objects.create(
        cable=archive.older, position=0, kind=Passage.Kind.BODY, text="Ask Li Kenong."
    )
    html = client.get(li.get_absolute_url()).content.decode()
    check_html(html)
    mentioned = html.split('id="as-mentioned"')[1].split("</section>")[0]
    cables = re.findall(r'<h4 id="mentions-cable-\d+"><a href="([^"]+)">', mentioned)
    assert cables == [archive.older.get_absolute_url(), archive.cable.get_absolute_url()]
    headings = [
        re.sub(r"<[^>]+>", "", h)
        for h in re.findall(r'<h5 class="mention-passage">(.*?)</h5>', mentioned)
    ]
    assert headings == [
        "Body",
        "Cover note",
        "Telegram 1 — from Li Kenong, “1145 10 July”",
        "Telegram 2 — from Li Kenong, “1145 10 July”",
        "Telegram 3 — from Li Kenong, “1145 10 July”",
    ]
    # Each sub-heading links to its passage in the reading view.
    for t in archive.telegrams:
        assert f'href="{archive.cable.get_absolute_url()}#{t.passage.anchor}">Telegram' in mentioned
    # Upper-case forms are shown as written; only a different name earns an "as …" note.
    assert "<mark>LI KENONG</mark>" in mentioned and "as “LI KENONG”" not in mentioned
    html = client.get(archive.people["stalin"].get_absolute_url()).content.decode()
    assert "as “Filippov”" in section(html, "as-mentioned")
    assert "5 times" in mentioned


# --- the people they appear with ------------------------------------------------


def companions(html: str) -> list[tuple[str, str]]:
    """(name, count text) of the "Appears most often with" list, in order."""
    block = html.split('id="appears-with"')[1].split("</section>")[0]
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a> <span class="count">([^<]+)</span>', block)


@pytest.mark.parametrize("n", [2, 10])
def test_companions_are_counted_in_shared_passages_top_ten(client, n):
    archive = build_archive(n)
    html = client.get(archive.people["mao"].get_absolute_url()).content.decode()
    check_html(html)
    people = companions(html)
    # Mentioned in, or party to, each of the n telegrams: n passages each, by sort name.
    per_telegram = f"{n} passages"
    assert people[:4] == [
        ("C. Turner Joy", per_telegram),
        ("Kim Il Sung", per_telegram),
        ("Li Kenong", per_telegram),
        ("Peng Dehuai", per_telegram),
    ]
    # Each officer is copied on, and named in, one telegram: one passage, counted once.
    assert people[4:] == [(f"Officer {i:02d}", "1 passage") for i in range(min(n, 6))]
    assert len(people) == min(n + 4, 10)
    assert f'href="{reverse("reading:participant", args=["li-kenong"])}"' in html


def test_rejected_mentions_and_cable_parties_do_not_make_companions(client):
    archive = build_archive(2)
    # Stalin: the cover note names him and Li Kenong; Mao's mention there is rejected,
    # and Mao sending him the cable does not count (cables stand outside the texts).
    html = client.get(archive.people["stalin"].get_absolute_url()).content.decode()
    assert companions(html) == [("Li Kenong", "1 passage")]


def test_nobody_to_appear_with_hides_the_section(client):
    archive = build_archive(2)
    html = client.get(archive.people["vaganov"].get_absolute_url()).content.decode()
    assert 'id="appears-with"' not in html


def test_companions_on_the_seed(client, seed):
    html = client.get(reverse("reading:participant", args=["li-kenong"])).content.decode()
    check_html(html)
    assert companions(html) == [
        ("Kim Il Sung", "4 passages"),
        ("Mao Zedong", "4 passages"),
        ("Peng Dehuai", "4 passages"),
        ("Deng Hua", "1 passage"),
        ("C. Turner Joy", "1 passage"),
        ("Nam Il", "1 passage"),
        ("Matthew B. Ridgway", "1 passage"),
        ("Joseph Stalin", "1 passage"),
    ]
    mentioned = section(html, "as-mentioned")
    assert mentioned.count("<h4") == 1
    assert (
        'Telegram 4</a><span class="mention-passage__meta"> — from Li Kenong, “10 July 1951”'
        in mentioned
    )


@pytest.mark.parametrize("mentions", [1, 40])
def test_participant_query_count_with_few_and_many_mentions(
    client, django_assert_num_queries, mentions
):
    archive = build_archive(2)
    text = " ".join(["Peng Dehuai met Joy."] * mentions)
    Passage.objects.create(cable=archive.older, position=0, kind=Passage.Kind.BODY, text=text)
    assert Mention.objects.filter(participant=archive.people["peng"]).count() == 2 + mentions
    with django_assert_num_queries(11):  # the same queries as above
        response = client.get(archive.people["peng"].get_absolute_url())
    assert section(response.content.decode(), "as-mentioned").count("<mark>") == 2 + mentions


# The index at archive scale -------------------------------------------------


def many_people(n: int, start: int = 0) -> None:
    from cables.models import Participant

    Participant.objects.bulk_create(
        Participant(name=f"Zed Person {i:04d}", sort_name=f"{'BBZ'[i % 3]}erson {i:04d}",
                    slug=f"zed-person-{i:04d}")
        for i in range(start, start + n)
    )  # fmt: skip


def test_a_long_index_goes_by_letter(client, django_assert_num_queries, monkeypatch):
    from cables import views

    build_archive(2)
    monkeypatch.setattr(views, "PEOPLE_ON_ONE_PAGE", 20)
    many_people(30)
    url = reverse("cables:participants")
    first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    check_html(html)
    # The first letter with names (B: 20 of the 30, and nobody else files under B).
    assert '<a href="?letter=B" aria-current="page" title="20 names">B</a>' in html
    assert '<a href="?letter=Z"' in html
    assert '<span class="az__empty" title="No names">Q</span>' in html
    assert html.count('href="/participants/zed-person-') == 20
    assert "Joseph Stalin" not in html  # filed under S
    stalin = client.get(url, {"letter": "s"}).content.decode()
    assert 'href="/participants/joseph-stalin/"' in stalin and "zed-person" not in stalin
    with django_assert_num_queries(3):  # version, people, aliases (letters kept)
        client.get(url, {"letter": "Z"})
    empty = client.get(url, {"letter": "Q"})
    assert empty.status_code == 200 and "No names are filed under Q." in empty.content.decode()


@pytest.mark.parametrize("letter", ["zz", "<", "é"])
def test_a_letter_outside_the_index_is_a_clear_400(client, monkeypatch, letter):
    from cables import views

    build_archive(2)
    monkeypatch.setattr(views, "PEOPLE_ON_ONE_PAGE", 5)
    response = client.get(reverse("cables:participants"), {"letter": letter})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Choose a letter from the index." in html
    assert 'aria-current="page"' in html  # still a usable index


def test_find_a_person_by_name_or_alias(client):
    build_archive(2)
    url = reverse("cables:participants")
    response = client.get(url, {"name": "filippov"})
    assert response.status_code == 302 and response["Location"] == "/participants/joseph-stalin/"
    unknown = client.get(url, {"name": "Nobody Atall"})
    assert unknown.status_code == 400
    assert "Nobody in the reading room has the name or identifier" in unknown.content.decode()


def test_a_bad_name_keeps_the_letter_asked_for(client, monkeypatch):
    from cables import views

    build_archive(2)
    monkeypatch.setattr(views, "PEOPLE_ON_ONE_PAGE", 5)
    response = client.get(reverse("cables:participants"), {"letter": "s", "name": "Nobody Atall"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="?letter=S" aria-current="page"' in html
    assert 'href="/participants/joseph-stalin/"' in html


def test_index_letters_ignore_accents_and_file_the_rest_under_hash():
    from cables.views import initial

    assert [initial(n) for n in ("Émile", "ßx", "3rd Army", "", "  kim")] == [
        "E", "S", "#", "#", "K",
    ]  # fmt: skip
