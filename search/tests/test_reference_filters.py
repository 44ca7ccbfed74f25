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


def _facet(results, name):
    return {v.value: (v.count, v.url) for f in results.facets if f.name == name for v in f.values}


@pytest.mark.django_db
def test_the_cites_and_cited_by_facets_count_over_every_match(
    seed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        load_exchange()
    anon = AnonymousUser()
    results = search("telegram", anon)
    cites, cited_by = _facet(results, "cites"), _facet(results, "cited_by")
    # The seed's cable is what the most matches cite (the exchange's answers to it).
    assert max(cites.items(), key=lambda kv: kv[1][0])[0] == SEED
    assert cites[SEED] == (3, f"?q=telegram&cites={SEED}")
    assert cited_by["x-4121-filippov-to-mao-1951-08-05"][0] == 2
    # Each count is what choosing it finds: the facet and its filter read alike.
    for name, values in (("cites", cites), ("cited_by", cited_by)):
        for slug, (count, _) in values.items():
            chosen = search("telegram", anon, filters=Filters(**{name: slug}))
            assert chosen.total == count, (name, slug)
    # A chosen value shows as chosen; its link removes it.
    chosen = _facet(search("telegram", anon, filters=Filters(cites=SEED)), "cites")
    assert chosen[SEED] == (3, "?q=telegram")


@pytest.mark.django_db
def test_a_rejected_reference_and_a_cables_own_telegrams_are_not_counted(
    seed, django_capture_on_commit_callbacks
):
    from telegrams.models import Reference

    with django_capture_on_commit_callbacks(execute=True):
        load_exchange()
    anon = AnonymousUser()
    # The seed's cover note forwards its own telegrams: no citation of itself.
    own = Reference.objects.filter(passage__cable__slug=SEED, target_cable__slug=SEED)
    assert own.exists()
    assert SEED not in _facet(search("telegram", anon, filters=Filters(cited_by=SEED)), "cites")
    # An editor rejects one cable's references to the seed: it no longer counts.
    citing = Reference.objects.filter(target_cable__slug=SEED).exclude(passage__cable__slug=SEED)
    one = citing.order_by("pk").first().passage.cable
    assert _facet(search("telegram", anon), "cites")[SEED][0] == 3
    citing.filter(passage__cable=one).update(status=Reference.Status.REJECTED)
    assert _facet(search("telegram", anon), "cites")[SEED][0] == 2


@pytest.mark.django_db
def test_the_reference_facets_cost_no_query_more(
    seed, django_capture_on_commit_callbacks, assert_search_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        load_exchange()
    anon = AnonymousUser()
    search("telegram", anon)  # the names and sides, kept for this version
    # Version, the count's two tiers, facets (references' too, in the same query),
    # ranking, the page's cables, their rows and snippets: as without references.
    with assert_search_queries(7):
        results = search("telegram", anon)
    assert _facet(results, "cites") and _facet(results, "cited_by")
