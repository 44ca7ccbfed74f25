"""The Wilson Center text layout: /cables/<slug>/export.txt."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from interchange.exporters.citations import us_date
from tests.annotation_cases import SEED_SLUG

pytestmark = pytest.mark.django_db

SOURCE = Path(settings.BASE_DIR).parent / "shared" / "corpus" / "wilson" / "117409.txt"
FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "117409.txt"


def test_url_name():
    assert reverse("interchange:export_text", args=["x"]) == "/cables/x/export.txt"


def test_seed_cable_gives_back_the_archive_file_byte_for_byte(client, seed):
    response = client.get(reverse("interchange:export_text", args=[SEED_SLUG]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="117409.txt"' in response["Content-Disposition"]
    original = (SOURCE if SOURCE.exists() else FIXTURE).read_bytes()
    assert response.content == original


def test_text_export_costs_two_queries(client, seed, django_assert_num_queries):
    with django_assert_num_queries(2):  # 1. the cable with sender and recipient 2. passages
        client.get(reverse("interchange:export_text", args=[SEED_SLUG]))


def test_empty_sections_are_left_out(client, seed):
    from cables.models import Cable

    Cable.objects.filter(slug=SEED_SLUG).update(credits="", summary="")
    text = client.get(reverse("interchange:export_text", args=[SEED_SLUG])).content.decode()
    assert "Credits:" not in text and "Summary:" not in text
    assert "\n\nOriginal Language:\n\nRussian\n\n" in text


def test_us_date_has_no_leading_zero():
    import datetime as dt

    assert us_date(dt.date(1951, 7, 1)) == "July 1, 1951"


def test_unknown_cable_is_404(client, db):
    assert client.get(reverse("interchange:export_text", args=["no-such-cable"])).status_code == 404


def test_an_approximate_or_missing_date_opens_the_text_as_written(client, seed):
    import datetime as dt

    from cables.models import Cable

    Cable.objects.filter(slug=SEED_SLUG).update(
        date=dt.date(1951, 7, 1), date_to=dt.date(1951, 7, 31), date_as_written="July 1951"
    )
    text = client.get(reverse("interchange:export_text", args=[SEED_SLUG])).content.decode()
    assert text.split("\n")[2] == "July 1951 Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    Cable.objects.filter(slug=SEED_SLUG).update(date=None, date_to=None, date_as_written="")
    text = client.get(reverse("interchange:export_text", args=[SEED_SLUG])).content.decode()
    assert text.split("\n")[2] == "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
