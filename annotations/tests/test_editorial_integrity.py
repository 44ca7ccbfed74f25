"""Editorial integrity (issue 15): the published reading changes only through an editor,
every review decision is recorded, a hidden note stays hidden in every visibility
branch, and the admin saves notes with the same optimistic locking as the forms."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.admin import STALE_ADMIN_FORM
from annotations.models import Annotation, ResearchGroup, ReviewEvent
from search.access import Reader, entry_condition
from search.backends.base import fetch, table
from search.models import SearchEntry
from tests.factories import admin_url, form_data, signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
WORDS = "the armistice negotiations"
NEW_READING = "zzREWRITTENzz"


def note_on(user, passage, words, **kw) -> Annotation:
    start = passage.text.index(words)
    return services.create_annotation(
        user=user,
        passage=passage,
        start=start,
        end=start + len(words),
        exact=words,
        body=kw.pop("body", "A note."),
        **kw,
    )


def edit_data(note: Annotation, **changes) -> dict:
    data = {
        "body": note.body,
        "kind": note.kind,
        "tags": "",
        "visibility": note.visibility,
        "group": note.group_id or "",
        "replacement": note.replacement,
        "version": note.version,
    }
    data.update(changes)
    return data


def corrected_text(client, cable) -> str:
    """The corrected reading's passages: each correction applied reads as its <ins>."""
    html = client.get(cable.get_absolute_url(), {"reading": "corrected"}).content.decode()
    return " ".join(re.findall(r'<ins class="correction"[^>]*>(.*?)</ins>', html, re.S))


@pytest.fixture
def accepted(users, telegram1):
    """The researcher's public correction of "Kaesong", accepted by the editor on the site."""
    note = note_on(
        users.researcher,
        telegram1,
        "Kaesong",
        kind=Annotation.Kind.CORRECTION,
        replacement="Kaesŏng",
        visibility=Annotation.Visibility.PUBLIC,
    )
    response = signed_in(users.editor).post(
        reverse("annotations:review", args=[note.pk]), {"decision": "accepted"}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.correction_status == Annotation.Correction.ACCEPTED
    return note


# An accepted correction's reading -------------------------------------------------


# Committed writes: PostgreSQL moves versions at commit (a deferred trigger), and
# this test reads a page kept before the write.
@pytest.mark.django_db(transaction=True)
def test_a_new_reading_for_an_accepted_correction_returns_it_to_proposed(
    client, users, cable, accepted
):
    assert "Kaesŏng" in corrected_text(client, cable)
    author = signed_in(users.researcher)
    response = author.post(
        reverse("annotations:edit", args=[accepted.pk]),
        edit_data(accepted, replacement=NEW_READING),
    )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.replacement == NEW_READING
    assert accepted.correction_status == Annotation.Correction.PROPOSED
    assert accepted.reviewed_by is None
    # Readers see neither the new reading nor the old one as "Corrected"...
    text = corrected_text(client, cable)
    assert NEW_READING not in text and "Kaesŏng" not in text
    # ...nor in the TEI <corr>, until an editor accepts it again.
    tei = client.get(reverse("interchange:export_tei", args=[cable.slug])).content.decode()
    assert NEW_READING not in tei
    assert "<corr>Kaesŏng</corr>" not in tei
    # The card says "Proposed", not "Accepted".
    page = author.get(cable.get_absolute_url()).content.decode()
    card = page.split(f'id="card-{accepted.pk}"')[1].split("</article>")[0]
    assert "status-badge--proposed" in card and "status-badge--accepted" not in card
    # Both changes are in the review history: the editor's, then the author's edit.
    events = list(accepted.review_events.order_by("created", "pk"))
    assert [(e.editor, e.field, e.before, e.after) for e in events] == [
        (users.editor, "correction_status", "proposed", "accepted"),
        (users.researcher, "correction_status", "accepted", "proposed"),
    ]


def test_the_editor_accepting_again_publishes_the_new_reading(client, users, cable, accepted):
    services.update_annotation(accepted, version=accepted.version, replacement=NEW_READING)
    signed_in(users.editor).post(
        reverse("annotations:review", args=[accepted.pk]), {"decision": "accepted"}
    )
    assert NEW_READING in corrected_text(client, cable)


def test_editing_only_the_note_of_an_accepted_correction_keeps_it_accepted(
    client, users, cable, accepted
):
    response = signed_in(users.researcher).post(
        reverse("annotations:edit", args=[accepted.pk]),
        edit_data(accepted, body="A clearer explanation."),
    )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.correction_status == Annotation.Correction.ACCEPTED
    assert accepted.review_events.count() == 1  # the acceptance alone
    assert "Kaesŏng" in corrected_text(client, cable)


def test_an_accepted_correction_cannot_become_a_comment(users, accepted):
    response = signed_in(users.researcher).post(
        reverse("annotations:edit", args=[accepted.pk]), edit_data(accepted, kind="comment")
    )
    assert response.status_code == 400
    assert "An accepted correction stays a correction" in response.content.decode()
    before = accepted.version
    accepted.refresh_from_db()
    assert (accepted.kind, accepted.correction_status, accepted.version) == (
        "correction",
        "accepted",
        before,
    )


def test_an_edit_that_makes_a_note_a_correction_proposes_it(users, telegram1):
    note = note_on(users.researcher, telegram1, "Kaesong", visibility="public")
    services.update_annotation(
        note, version=note.version, kind=Annotation.Kind.CORRECTION, replacement="Kaesŏng"
    )
    note.refresh_from_db()
    assert note.correction_status == Annotation.Correction.PROPOSED


# Every review decision is recorded ------------------------------------------------


def test_every_review_decision_is_recorded_and_shown_in_the_admin(users, telegram1):
    editor = signed_in(users.editor)
    rejected = note_on(
        users.researcher, telegram1, "Kaesong", kind="correction", replacement="X",
        visibility="public",
    )  # fmt: skip
    editor.post(reverse("annotations:review", args=[rejected.pk]), {"decision": "rejected"})
    editor.post(reverse("annotations:hide", args=[rejected.pk]))
    editor.post(reverse("annotations:hide", args=[rejected.pk]))  # shown again
    events = [
        (e.editor, e.field, e.before, e.after)
        for e in ReviewEvent.objects.filter(annotation=rejected).order_by("created", "pk")
    ]
    assert events == [
        (users.editor, "correction_status", "proposed", "rejected"),
        (users.editor, "hidden", "no", "yes"),
        (users.editor, "hidden", "yes", "no"),
    ]
    admin = signed_in(users.admin)
    page = admin.get(admin_url(Annotation, "change", rejected.pk)).content.decode()
    assert "review history" in page.lower()
    assert page.count("editor") >= 3 and "Correction status" in page


def test_a_second_review_of_one_correction_is_refused(users, accepted):
    response = signed_in(users.editor).post(
        reverse("annotations:review", args=[accepted.pk]), {"decision": "rejected"}
    )
    assert response.status_code == 400
    accepted.refresh_from_db()
    assert accepted.correction_status == "accepted"
    assert accepted.review_events.count() == 1


# A hidden note stays hidden, whatever its visibility --------------------------------

MARK = "zzWITHHELDzz"


def entries_for(user) -> set[int]:
    condition, params = entry_condition(Reader.of(user))
    sql = (
        f"SELECT e.annotation_id FROM {table(SearchEntry)} e "
        f"WHERE e.kind = 'annotation' AND {condition}"
    )
    return {row[0] for row in fetch(sql, params)}


@pytest.fixture
def hidden_note(users, telegram1, django_capture_on_commit_callbacks):
    """The researcher's public note, hidden by the editor; the group it may move to has
    the researcher, a member and the editor."""
    member = get_user_model().objects.create_user("member", "m@example.org", users.password)
    team = ResearchGroup.objects.create(name="Kaesong team", slug="kaesong-team")
    team.members.add(users.researcher, member, users.editor)
    with django_capture_on_commit_callbacks(execute=True):
        note = note_on(users.researcher, telegram1, "Kaesong", body=MARK, visibility="public")
        services.set_hidden(note, True, editor=users.editor)
    note.refresh_from_db()
    return note, team, member


# Who sees the hidden note in each visibility: its author always; an editor where the
# branch lets them in at all (the public branch; the group branch as a member).
SEES_HIDDEN = {
    "public": {"researcher", "editor"},
    "group": {"researcher", "editor"},
    "private": {"researcher"},
}


@pytest.mark.parametrize("visibility", list(SEES_HIDDEN))
def test_a_hidden_note_stays_hidden_in_every_visibility(
    client, users, cable, hidden_note, visibility, django_capture_on_commit_callbacks
):
    note, team, member = hidden_note
    if visibility != "public":
        # The author moves it, as in the finding: public → group (or private).
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_in(users.researcher).post(
                reverse("annotations:edit", args=[note.pk]),
                edit_data(
                    note, visibility=visibility, group=team.pk if visibility == "group" else ""
                ),
            )
        assert response.status_code == 302
        note.refresh_from_db()
        assert note.visibility == visibility and note.hidden
    viewers = {
        "anonymous": None,
        "outsider": users.outsider,
        "member": member,
        "researcher": users.researcher,
        "editor": users.editor,
    }
    for name, user in viewers.items():
        sees = name in SEES_HIDDEN[visibility]
        reader = user or AnonymousUser()
        assert Annotation.objects.visible_to(reader).filter(pk=note.pk).exists() == sees, name
        assert (note.pk in entries_for(reader)) == sees, f"search entry, {name}"
        browser = signed_in(user) if user else Client()
        assert (MARK in browser.get(cable.get_absolute_url()).content.decode()) == sees, name
        assert (MARK in browser.get(reverse("annotations:list")).content.decode()) == sees, name
        permalink = browser.get(reverse("annotations:detail", args=[note.pk]))
        assert permalink.status_code == (302 if sees else 404), name


# The admin saves like the forms --------------------------------------------------


def test_saving_a_note_in_the_admin_bumps_its_version_and_records_decisions(users, accepted):
    admin = signed_in(users.admin)
    url = admin_url(Annotation, "change", accepted.pk)
    data = form_data(admin.get(url))
    data["body"] = "Edited by the admin."
    data["hidden"] = "on"
    response = admin.post(url, data)
    assert response.status_code == 302
    version = accepted.version
    accepted.refresh_from_db()
    assert accepted.body == "Edited by the admin." and accepted.hidden
    assert accepted.version == version + 1
    assert accepted.review_events.filter(field="hidden", editor=users.admin).exists()


def test_a_save_from_an_older_admin_page_is_refused_and_changes_nothing(users, accepted):
    admin = signed_in(users.admin)
    url = admin_url(Annotation, "change", accepted.pk)
    data = form_data(admin.get(url))
    # Meanwhile the author edits the note on the site.
    services.update_annotation(accepted, version=accepted.version, body="The author's words.")
    accepted.refresh_from_db()
    data["body"] = "The admin's words."
    data["correction_status"] = "rejected"
    response = admin.post(url, data)
    assert response.status_code == 200
    message = STALE_ADMIN_FORM.format(current=accepted.version, seen=accepted.version - 1)
    assert message in response.content.decode()
    version = accepted.version
    accepted.refresh_from_db()
    assert accepted.body == "The author's words."
    assert accepted.correction_status == "accepted"
    assert accepted.version == version
    assert not accepted.review_events.filter(editor=users.admin).exists()
