"""The 404 page is calm and helpful."""

from __future__ import annotations

import pytest

from tests.factories import check_html

pytestmark = pytest.mark.django_db


def test_404_page_offers_ways_on(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    check_html(html)
    assert "This page is not in the reading room" in html
    assert "/no/such/page/" in html
    assert 'href="/cables/"' in html and 'href="/participants/"' in html
    assert 'action="/cables/"' in html  # a search box
    assert 'class="skip-link"' in html
