"""Search's "cites" and "cited by" filters (issue 16): the cables whose references
resolve to a record, and the records a cable's references resolve to."""

import pytest
from django.contrib.auth.models import AnonymousUser

from bench.reference_cases import load_exchange
from search.services import Filters, search

SEED = "cable-21680-mao-to-filippov-1951-07-11"


def slugs(results):
    return sorted(hit.cable.slug for hit in results.hits)


@pytest.mark.django_db
def test_cites_and_cited_by_narrow_a_search(seed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the indexer runs at commit
        load_exchange()
    anon = AnonymousUser()
    citing = search("telegram", anon, filters=Filters(cites=SEED))
    assert slugs(citing) == [
        "x-3950-mao-to-filippov-1951-08-02",
        "x-4121-filippov-to-mao-1951-08-05",
        "x-mao-to-li-kenong-1951-07-30",
    ]
    cited = search("telegram", anon, filters=Filters(cited_by="x-4121-filippov-to-mao-1951-08-05"))
    assert slugs(cited) == [SEED, "x-3950-mao-to-filippov-1951-08-02"]


@pytest.mark.django_db
def test_the_search_page_names_the_cited_record_and_refuses_an_unknown_one(
    client, seed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        load_exchange()
    page = client.get("/search/", {"q": "telegram", "cites": SEED}).content.decode()
    assert "Cites" in page and "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]" in page
    page = client.get("/search/", {"q": "telegram", "cites": "no-such-record"}).content.decode()
    assert "No record has the address “no-such-record”. That filter is left out." in page
