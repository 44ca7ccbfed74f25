"""People: /participants/ and /participants/<slug>/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cables.models import Mention
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
    with django_assert_num_queries(2):
        # 1. participants with their sides
        # 2. their aliases
        client.get(reverse("cables:participants"))


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
    response = client.get(reverse("cables:participant", args=["nobody"]))
    assert response.status_code == 404
    assert "This page is not in the reading room" in response.content.decode()


@pytest.mark.parametrize("n", [2, 10])
def test_participant_query_count(client, django_assert_num_queries, n):
    archive = build_archive(n)
    with django_assert_num_queries(8):
        # 1. the participant with side
        # 2. aliases
        # 3. telegrams authored, with passage and cable
        # 4. cables sent
        # 5. cables received
        # 6. telegram receipts (to and copy) with telegram, passage, cable
        # 7. handling events with cable
        # 8. shown mentions with passage and cable
        response = client.get(archive.people["mao"].get_absolute_url())
    assert response.status_code == 200
