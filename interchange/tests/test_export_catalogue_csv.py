"""The catalogue as CSV: /cables/export.csv?<the catalogue's filters>."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from cables.models import Cable
from interchange.views import CATALOGUE_COLUMNS, safe_cell
from tests.factories import build_archive

pytestmark = pytest.mark.django_db


def rows(client, query="") -> list[dict]:
    response = client.get(reverse("interchange:catalogue_csv") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="catalogue.csv"' in response["Content-Disposition"]
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    assert reader.fieldnames == CATALOGUE_COLUMNS
    return list(reader)


def test_url_name():
    assert reverse("interchange:catalogue_csv") == "/cables/export.csv"


def test_one_row_per_cable(client, seed):
    (row,) = rows(client)
    assert row["date"] == "1951-07-11" and row["record_id"] == "117409"
    assert row["sender"] == "Mao Zedong" and row["recipient"] == "Joseph Stalin"
    assert row["cable_number"] == "21680" and row["origin"] == "[BEIJING]"
    assert row["archive"] == "APRF"
    assert row["source_url"].endswith("/document/117409")
    assert row["reading_url"] == (
        "http://testserver/cables/cable-21680-mao-to-filippov-1951-07-11/"
    )


def test_catalogue_filters_apply(client):
    archive = build_archive(2)
    assert len(rows(client)) == 2
    assert [r["title"] for r in rows(client, "?collection=korean-war")] == [archive.cable.title]
    assert [r["title"] for r in rows(client, "?year=1951")] == [archive.cable.title]
    assert rows(client, "?year=1900") == []
    assert rows(client, "?participant=li-kenong") and rows(client, "?q=zzznothing") == []


def test_bad_filters_are_a_clear_400(client, db):
    response = client.get(reverse("interchange:catalogue_csv") + "?year=soon&participant=ghost")
    assert response.status_code == 400
    text = response.content.decode()
    assert "“Year” must be a year" in text and "ghost" in text


def test_spreadsheet_formulas_are_defused(client, seed):
    Cable.objects.update(title='=HYPERLINK("http://evil")', origin="+1", cable_number="-2")
    (row,) = rows(client)
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["origin"] == "'+1" and row["cable_number"] == "'-2"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("Plain") == "Plain"
    # A "-" and a space is a formula to a spreadsheet too (issue 15).
    assert safe_cell("- 2+3") == "'- 2+3" and safe_cell("a - b") == "a - b"


def test_query_count_is_fixed(client, django_assert_num_queries):
    build_archive(10)
    with django_assert_num_queries(2):
        # 1. collections for the filter form, 2. the cables with sender and recipient.
        client.get(reverse("interchange:catalogue_csv"))


def test_catalogue_page_links_to_the_csv_with_its_filters(client, seed):
    html = client.get(reverse("cables:catalogue") + "?year=1951").content.decode()
    assert 'href="/cables/export.csv?year=1951"' in html
