"""Researchers propose correspondences between agenda items; editors accept or reject them.

The cast (``users``): an editor (staff), a researcher who proposes, an
outsider (another signed-in reader) and the anonymous visitor. A proposal
shows to its author and to editors only; once accepted everyone sees it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from readingroom.tests.test_sessions import session_row
from telegrams.models import Correspondence
from tests.factories import build_archive, check_html

pytestmark = pytest.mark.django_db

COMPARE = reverse("telegrams:agenda_compare")
PROPOSE = reverse("telegrams:correspondence_propose")
PAGE = {"left": "communist-draft", "right": "un-draft"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def review_url(corr) -> str:
    return reverse("telegrams:correspondence_review", args=[corr.pk])


@pytest.fixture
def archive():
    return build_archive(3)


@pytest.fixture
def items(archive):
    """(left items, right items) of the two compared drafts, in number order."""
    return list(archive.left.items.all()), list(archive.right.items.all())


def proposal(items, user, *, left=2, right=1, relation="opposed", note="Rosa's reading."):
    """A proposal by ``user`` between left item ``left`` and right item ``right`` (0-based)."""
    return Correspondence.objects.create(
        left=items[0][left],
        right=items[1][right],
        relation=relation,
        note=note,
        status=Correspondence.Status.PROPOSED,
        proposed_by=user,
    )


def form(items, **overrides):
    data = {
        **PAGE,
        "left_item": items[0][2].pk,  # Communist point 3: no counterpart yet
        "right_item": items[1][1].pk,  # UN point 2
        "relation": "opposed",
        "note": "Point 3 answers the UN's second point.",
    }
    return data | overrides


# --- proposing ----------------------------------------------------------------


def test_researcher_proposes_and_sees_it_marked_as_theirs(client, users, items):
    client.force_login(users.researcher)
    response = client.post(PROPOSE, form(items))
    corr = Correspondence.objects.get(note="Point 3 answers the UN's second point.")
    assert corr.status == Correspondence.Status.PROPOSED
    assert corr.proposed_by == users.researcher
    assert (corr.left, corr.right, corr.relation) == (items[0][2], items[1][1], "opposed")
    assert response.status_code == 302
    assert response["Location"] == f"{COMPARE}?left=communist-draft&right=un-draft#corr-{corr.pk}"

    html = client.get(response["Location"]).content.decode()
    check_html(html)
    assert f'id="corr-{corr.pk}"' in html
    assert '<span class="badge badge--proposed">Proposed</span>' in html
    assert "Proposed by you, awaiting an editor." in html
    assert 'data-status="proposed"' in html
    # The proposer sees no review buttons.
    assert "Accept<span" not in html


def test_htmx_proposal_rerenders_the_comparison_in_place(client, users, items):
    client.force_login(users.researcher)
    response = client.post(PROPOSE, form(items), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agenda-comparison"')
    assert "<html" not in html
    check_html(html)
    assert "Your proposal is shown below, marked “proposed”" in html
    assert "Proposed by you" in html
    assert Correspondence.objects.filter(status="proposed").count() == 1
    # The form comes back empty, ready for the next one.
    assert "Point 3 answers the UN&#x27;s second point.</textarea>" not in html


def test_the_form_is_a_real_post_form_with_csrf(client, users, archive):
    client.force_login(users.researcher)
    html = client.get(COMPARE, PAGE).content.decode()
    assert (
        f'<form id="propose-form" class="cmp-propose__form" method="post" action="{PROPOSE}"'
        in (html)
    )
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'hx-post="{PROPOSE}" hx-target="#agenda-comparison"' in html
    # The page's agendas travel with the form, so the answer shows the same page.
    assert '<input type="hidden" name="left" value="communist-draft">' in html


def test_anonymous_visitors_are_asked_to_sign_in(client, items):
    html = client.get(COMPARE, PAGE).content.decode()
    assert 'id="propose-form"' not in html
    assert "to propose a correspondence" in html
    response = client.post(PROPOSE, form(items))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Correspondence.objects.filter(status="proposed").exists()


def test_proposing_needs_post(client, users, archive):
    client.force_login(users.researcher)
    assert client.get(PROPOSE).status_code == 405


BAD = {
    "same side": (
        lambda items: {"left_item": items[0][0].pk, "right_item": items[0][2].pk},
        "Both items are on the same side",
    ),
    "unknown item": (lambda items: {"right_item": 999_999}, "One of the items does not exist"),
    "not a number": (lambda items: {"left_item": "three"}, "Choose an item from the list."),
    "no item": (lambda items: {"right_item": ""}, "Choose the second item."),
    "empty note": (lambda items: {"note": "   "}, "Write a note: say how the two items"),
    "unknown relation": (lambda items: {"relation": "friendly"}, "Choose a relation."),
    "too long a note": (lambda items: {"note": "x" * 301}, "Keep the note under 300 characters."),
    "duplicate of an editorial link": (
        lambda items: {"left_item": items[0][0].pk, "right_item": items[1][0].pk},
        "These two items are already linked in the editorial set.",
    ),
    "duplicate the other way round": (
        # Stored right-to-left in the factory: UN point 3 ~ Communist point 1.
        lambda items: {"left_item": items[0][0].pk, "right_item": items[1][2].pk},
        "These two items are already linked in the editorial set.",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_input_gives_a_clear_message_and_writes_nothing(client, users, items, case, htmx):
    change, message = BAD[case]
    client.force_login(users.researcher)
    before = list(Correspondence.objects.values_list("pk", "status", "note"))
    response = client.post(PROPOSE, form(items, **change(items)), **(HTMX if htmx else {}))
    assert response.status_code == (422 if htmx else 400)
    html = response.content.decode()
    check_html(html)
    assert message in html
    assert '<div class="form-errors" role="alert">' in html
    assert list(Correspondence.objects.values_list("pk", "status", "note")) == before
    # What was typed is kept.
    if case != "empty note" and case != "too long a note":
        assert "Point 3 answers the UN&#x27;s second point.</textarea>" in html


def test_a_pair_already_proposed_or_rejected_is_not_proposed_again(client, users, items):
    mine = proposal(items, users.outsider)
    client.force_login(users.researcher)
    data = form(items, left_item=mine.left_id, right_item=mine.right_id)
    response = client.post(PROPOSE, data)
    assert response.status_code == 400
    assert "have already been proposed as a correspondence" in response.content.decode()
    Correspondence.objects.filter(pk=mine.pk).update(status="rejected")
    response = client.post(PROPOSE, data)
    assert "was proposed and rejected by an editor" in response.content.decode()
    assert Correspondence.objects.filter(proposed_by=users.researcher).count() == 0


# --- who sees a proposal ------------------------------------------------------------


def test_a_proposal_shows_to_its_author_and_editors_only(client, users, items):
    corr = proposal(items, users.researcher)
    marker = f'data-corr="{corr.pk}"'

    client.force_login(users.researcher)
    assert marker in client.get(COMPARE, PAGE).content.decode()

    client.force_login(users.editor)
    html = client.get(COMPARE, PAGE).content.decode()
    assert marker in html
    assert "Proposed by Rosa, awaiting an editor." in html
    assert f'action="{review_url(corr)}"' in html  # accept / reject, on one end only
    assert html.count(f'action="{review_url(corr)}"') == 1

    client.force_login(users.outsider)
    assert marker not in client.get(COMPARE, PAGE).content.decode()
    client.logout()
    html = client.get(COMPARE, PAGE).content.decode()
    assert marker not in html and "Rosa&#x27;s reading." not in html


# --- reviewing ---------------------------------------------------------------------


def test_editor_accepts_a_proposal_and_everyone_sees_it(client, users, items):
    corr = proposal(items, users.researcher)
    client.force_login(users.editor)
    response = client.post(review_url(corr), {**PAGE, "decision": "accept"})
    assert response.status_code == 302
    assert response["Location"] == f"{COMPARE}?left=communist-draft&right=un-draft#corr-{corr.pk}"
    corr.refresh_from_db()
    assert corr.status == Correspondence.Status.ACCEPTED
    assert corr.proposed_by == users.researcher  # the credit stays

    client.logout()
    html = client.get(COMPARE, PAGE).content.decode()
    assert f'data-corr="{corr.pk}" data-status="accepted"' in html
    assert "Proposed by Rosa; accepted by the editors." in html
    assert '<span class="badge badge--proposed">' not in html


def test_editor_rejects_a_proposal_with_htmx(client, users, items):
    corr = proposal(items, users.researcher)
    client.force_login(users.editor)
    response = client.post(review_url(corr), {**PAGE, "decision": "reject"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="agenda-comparison"')
    assert "Rejected: the proposal no longer shows on the page." in html
    assert f'data-corr="{corr.pk}"' not in html
    corr.refresh_from_db()
    assert corr.status == Correspondence.Status.REJECTED
    client.force_login(users.researcher)
    assert f'data-corr="{corr.pk}"' not in client.get(COMPARE, PAGE).content.decode()


@pytest.mark.parametrize("who", ["researcher", "outsider"])
def test_only_editors_review(client, users, items, who):
    corr = proposal(items, users.researcher)
    client.force_login(getattr(users, who))
    assert client.post(review_url(corr), {**PAGE, "decision": "accept"}).status_code == 403
    corr.refresh_from_db()
    assert corr.status == Correspondence.Status.PROPOSED


def test_anonymous_reviewers_are_sent_to_sign_in(client, users, items):
    corr = proposal(items, users.researcher)
    response = client.post(review_url(corr), {**PAGE, "decision": "accept"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    corr.refresh_from_db()
    assert corr.status == Correspondence.Status.PROPOSED


def test_only_a_proposal_can_be_reviewed(client, users, items):
    client.force_login(users.editor)
    editorial = Correspondence.objects.filter(status="accepted").first()
    response = client.post(review_url(editorial), {**PAGE, "decision": "reject"})
    assert response.status_code == 400
    assert "Only a proposed correspondence can be accepted or rejected." in (
        response.content.decode()
    )
    editorial.refresh_from_db()
    assert editorial.status == Correspondence.Status.ACCEPTED

    corr = proposal(items, users.researcher)
    response = client.post(review_url(corr), {**PAGE, "decision": "maybe"}, **HTMX)
    assert response.status_code == 422
    corr.refresh_from_db()
    assert corr.status == Correspondence.Status.PROPOSED
    assert (
        client.post(reverse("telegrams:correspondence_review", args=[999_999])).status_code == 404
    )


# --- the admin -------------------------------------------------------------------------


def test_admin_filters_by_status_and_accepts_with_an_action(client, users, items):
    mine = proposal(items, users.researcher)
    theirs = proposal(items, users.outsider, left=2, right=2)
    client.force_login(users.editor)
    url = reverse("admin:telegrams_correspondence_changelist")
    response = client.get(url, {"status__exact": "proposed"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine, theirs]
    assert "By status" in response.content.decode()

    response = client.post(url, {"action": "accept", "_selected_action": [mine.pk]}, follow=True)
    assert response.status_code == 200
    assert "1 correspondence(s) accepted into the editorial set." in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("accepted", "proposed")


# --- query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 10])
def test_page_queries_do_not_grow_with_proposals(client, users, django_assert_num_queries, n):
    archive = build_archive(n)
    left, right = list(archive.left.items.all()), list(archive.right.items.all())
    linked = {frozenset(p) for p in Correspondence.objects.values_list("left", "right")}
    free = [(a, b) for a in left for b in right if frozenset((a.pk, b.pk)) not in linked]
    for i, (a, b) in enumerate(free[:n]):  # n proposals, by two researchers
        Correspondence.objects.create(
            left=a,
            right=b,
            relation="related",
            note=f"Proposal {i}.",
            status="proposed",
            proposed_by=users.researcher if i % 2 else users.outsider,
        )
    client.force_login(users.editor)
    with django_assert_num_queries(5 + session_row()):
        # the session row (none where sessions come from the shared cache), then:
        # 1. the signed-in user
        # 2. all agendas with side and source telegram, passage, cable (pickers)
        # 3. the two agendas' items with passage and cable
        # 4. correspondences between them the editor may see, with their proposers
        # 5. the data version (readingroom.caching)
        response = client.get(COMPARE, PAGE)
    assert response.status_code == 200
    assert response.content.decode().count('data-status="proposed"') == 2 * n


@pytest.mark.parametrize("n", [2, 10])
def test_proposing_and_reviewing_query_counts(client, users, django_assert_num_queries, n):
    archive = build_archive(n)
    left, right = list(archive.left.items.all()), list(archive.right.items.all())
    client.force_login(users.researcher)
    data = {
        **PAGE,
        "left_item": left[-1].pk,
        "right_item": right[0].pk,
        "relation": "partial",
        "note": "A new reading.",
    }
    with django_assert_num_queries(9 + session_row()):
        # the session row, then:
        # 1. the user
        # 2. both items with agenda and side
        # 3. an existing link between them, either way round
        # 4. savepoint  5. insert the proposal  6. release the savepoint
        # 7–9. the comparison: agendas, their items, visible correspondences
        #      (with their proposers, joined)
        response = client.post(PROPOSE, data, **HTMX)
    assert response.status_code == 200
    corr = Correspondence.objects.get(note="A new reading.")
    client.force_login(users.editor)
    with django_assert_num_queries(6 + session_row()):
        # the session row, then: 1. the user  2. the correspondence  3. the update
        # 4–6. the comparison: agendas, their items, visible correspondences
        response = client.post(review_url(corr), {**PAGE, "decision": "accept"}, **HTMX)
    assert response.status_code == 200
