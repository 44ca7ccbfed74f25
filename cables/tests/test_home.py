"""The front page: /."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import build_archive, check_html

pytestmark = pytest.mark.django_db


def test_home_shows_collections_featured_cable_and_search(client):
    archive = build_archive(2)
    response = client.get(reverse("cables:home"))
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    assert "Korean War armistice talks" in html and "1 cable" in html
    # The latest cable by date is featured (1951 before 1950).
    featured = html.split('id="featured-title"')[1].split("</section>")[0]
    assert archive.cable.title in featured and archive.older.title not in featured
    assert f'href="{archive.cable.get_absolute_url()}"' in featured
    # One search box, the same search as the header's; the catalogue is a link.
    assert '<form method="get" action="/search/"' in html and 'name="q"' in html
    assert '<form method="get" action="/cables/"' not in html
    assert '<a href="/cables/">Browse the catalogue</a>' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html  # CSRF token for htmx on <body>
    assert 'class="skip-link" href="#main"' in html


def test_home_with_nothing_yet(client):
    response = client.get(reverse("cables:home"))
    assert response.status_code == 200
    assert "No collections yet." in response.content.decode()


@pytest.mark.parametrize("n", [2, 10])
def test_home_query_count(client, django_assert_num_queries, n):
    build_archive(n)
    with django_assert_num_queries(2):
        # 1. collections with their cable counts
        # 2. the latest cable with sender and recipient
        client.get(reverse("cables:home"))
