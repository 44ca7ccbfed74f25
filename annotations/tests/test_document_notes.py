"""Notes on the whole document (Hypothesis' "page notes", issue 14): writing them in
the reading view, who sees and changes them, bad input, the annotations page, the
search, and the page's versions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from annotations import services
from annotations.models import Annotation, ResearchGroup
from cables.models import Cable, Passage
from readingroom.models import Registration
from search.indexer import index_annotations
from tests.factories import signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def note_url(cable) -> str:
    return reverse("annotations:document_create", args=[cable.slug])


def page(client, cable, **query) -> str:
    response = client.get(cable.get_absolute_url(), query)
    assert response.status_code == 200
    return response.content.decode()


def document_section(html: str) -> str:
    start = html.index('id="document-notes"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def team(users):
    group = ResearchGroup.objects.create(name="Kaesong team", slug="kaesong-team")
    group.members.add(users.researcher)
    return group


@pytest.fixture
def doc_notes(cable, users, team):
    """One document note of each case on the seed cable, each with a marker word."""

    def note(user, body, **kw):
        return services.create_document_note(user=user, cable=cable, body=body, **kw)

    notes = {
        "private": note(users.researcher, "zzDOCPRIVATEzz"),
        "group": note(users.researcher, "zzDOCGROUPzz", visibility="group", group=team),
        "public": note(users.outsider, "zzDOCPUBLICzz", visibility="public"),
        "hidden": note(users.outsider, "zzDOCHIDDENzz", visibility="public"),
    }
    services.set_hidden(notes["hidden"], True, editor=users.editor)
    notes["reply"] = services.reply(
        user=users.researcher, parent=notes["public"], body="zzDOCREPLYzz"
    )
    return notes


# The model ---------------------------------------------------------------------------


def test_a_document_note_has_no_selector_and_is_hosted_by_the_first_passage(cable, users):
    note = services.create_document_note(user=users.researcher, cable=cable, body="On it all.")
    first = cable.passages.order_by("position").first()
    assert note.on_document and note.passage == first
    assert (note.exact, note.start, note.end) == ("", None, None)
    assert note.region == "document-notes"
    # The database refuses a document note with words, and a root with neither.
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=note.pk).update(exact="Kaesong", start=0, end=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=note.pk).update(on_document=False)


def test_a_reply_to_a_document_note_stays_with_it(cable, users):
    note = services.create_document_note(
        user=users.researcher, cable=cable, body="On it all.", visibility="public"
    )
    answer = services.reply(user=users.outsider, parent=note, body="Yes.")
    assert answer.on_document and answer.region == "document-notes"


def test_a_text_change_leaves_a_document_note_on_the_document(cable, users):
    note = services.create_document_note(user=users.researcher, cable=cable, body="On it all.")
    first = note.passage
    first.text = "Changed entirely. " + first.text
    first.save()
    note.refresh_from_db()
    assert note.anchor_status == Annotation.Anchor.ANCHORED
    assert (note.start, note.end, note.exact) == (None, None, "")


def test_empty_notes_corrections_links_and_textless_documents_are_refused(cable, users):
    for body in ("", "   \n "):
        with pytest.raises(ValidationError, match="Write something"):
            services.create_document_note(user=users.researcher, cable=cable, body=body)
    for kind in ("correction", "link"):
        with pytest.raises(ValidationError, match="needs words"):
            services.create_document_note(user=users.researcher, cable=cable, body="x", kind=kind)
    empty = Cable.objects.create(title="No text yet", slug="no-text", date=dt.date(1951, 7, 1))
    with pytest.raises(ValidationError, match="no text"):
        services.create_document_note(user=users.researcher, cable=empty, body="x")
    assert not Annotation.objects.filter(on_document=True).exists()


def test_an_edit_cannot_make_a_document_note_a_correction(cable, users):
    note = services.create_document_note(user=users.researcher, cable=cable, body="On it all.")
    with pytest.raises(ValidationError, match="needs words"):
        services.update_annotation(note, version=note.version, kind="correction")


# Writing one in the reading view ----------------------------------------------------------


def test_the_reading_view_offers_a_note_on_the_document_to_a_signed_in_reader(client, cable, users):
    section = document_section(page(client, cable))
    assert " hidden>" in section  # anonymous, and no notes: nothing before the text
    assert note_url(cable) not in section
    section = document_section(page(signed_in(users.researcher), cable))
    assert f'href="{note_url(cable)}"' in section and 'hx-get="' in section
    # Not in the corrected reading, where nothing is annotated.
    corrected = document_section(page(signed_in(users.researcher), cable, reading="corrected"))
    assert note_url(cable) not in corrected


def test_the_form_without_javascript_saves_and_returns_to_the_note(cable, users):
    client = signed_in(users.researcher)
    form = client.get(note_url(cable))
    assert form.status_code == 200
    html = form.content.decode()
    assert "Note on this document" in html and 'name="body"' in html
    assert 'value="correction"' not in html and 'name="replacement"' not in html
    response = client.post(
        note_url(cable), {"body": "The whole *cable*.", "kind": "question", "visibility": "private"}
    )
    note = Annotation.objects.get(on_document=True)
    assert response.status_code == 302
    assert response["Location"] == note.get_absolute_url()
    detail = client.get(note.get_absolute_url())
    assert detail["Location"] == f"{cable.get_absolute_url()}?annotation={note.pk}#card-{note.pk}"
    section = document_section(page(client, cable))
    assert "<em>cable</em>" in section and f'id="card-{note.pk}"' in section
    assert note.kind == "question" and note.author == users.researcher


def test_htmx_saves_and_answers_the_document_notes(cable, users):
    client = signed_in(users.researcher)
    fragment = client.get(note_url(cable), **HTMX).content.decode()
    assert 'id="document-note-form"' in fragment and "autofocus" in fragment
    assert 'hx-target="#document-notes"' in fragment
    response = client.post(
        note_url(cable),
        {"body": "Read with the UN draft.", "kind": "comment", "visibility": "private"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("{% load") is False
    assert 'id="document-notes"' in html and "Read with the UN draft." in html
    note = Annotation.objects.get(on_document=True)
    assert f'"id": {note.pk}' in response["HX-Trigger"]


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_note_says_so_and_saves_nothing(cable, users, body):
    client = signed_in(users.researcher)
    plain = client.post(note_url(cable), {"body": body, "visibility": "private"})
    assert plain.status_code == 400
    assert "Write something in the note on this document." in plain.content.decode()
    htmx = client.post(note_url(cable), {"body": body, "visibility": "private"}, **HTMX)
    assert htmx.status_code == 422
    assert htmx["HX-Retarget"] == "#document-note-form"
    assert "Write something in the note on this document." in htmx.content.decode()
    assert not Annotation.objects.exists() or not Annotation.objects.filter(on_document=True)


def test_bad_kinds_and_groups_are_refused_with_a_message(cable, users, team):
    client = signed_in(users.researcher)
    response = client.post(note_url(cable), {"body": "x", "kind": "correction"})
    assert response.status_code == 400 and "not one of the available choices" in (
        response.content.decode()
    )
    response = client.post(note_url(cable), {"body": "x", "visibility": "group"})
    assert response.status_code == 400
    assert "Choose the group" in response.content.decode()
    outsider = signed_in(users.outsider)
    response = outsider.post(
        note_url(cable), {"body": "x", "visibility": "group", "group": team.pk}
    )
    assert response.status_code == 400  # not the outsider's group
    assert not Annotation.objects.filter(on_document=True).exists()


def test_anonymous_readers_are_sent_to_sign_in_and_drafts_are_not_found(client, cable, users):
    response = client.post(note_url(cable), {"body": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    Cable.objects.filter(pk=cable.pk).update(status=Cable.Status.DRAFT)
    reader = signed_in(users.researcher)
    assert reader.get(note_url(cable)).status_code == 404
    assert reader.post(note_url(cable), {"body": "x"}).status_code == 404
    assert reader.get("/annotations/on/no-such-cable/").status_code == 404
    assert not Annotation.objects.filter(on_document=True).exists()


def test_an_unconfirmed_account_may_not_publish_and_a_new_one_waits(cable, users):
    now = timezone.now()
    Registration.objects.create(user=users.outsider, email_confirmed=None)
    client = signed_in(users.outsider)
    response = client.post(
        note_url(cable), {"body": "zzEARLYzz", "kind": "comment", "visibility": "public"}
    )
    assert response.status_code == 400 and "Confirm your e-mail" in response.content.decode()
    Registration.objects.filter(user=users.outsider).update(email_confirmed=now)
    client.post(note_url(cable), {"body": "zzWAITINGzz", "kind": "comment", "visibility": "public"})
    note = Annotation.objects.get(on_document=True)
    assert note.awaiting_review
    assert "zzWAITINGzz" in document_section(page(client, cable))
    assert "Awaiting review" in document_section(page(client, cable))
    assert "zzWAITINGzz" not in page(signed_in(users.researcher), cable)
    assert "zzWAITINGzz" in page(signed_in(users.editor), cable)


# Who sees and changes what ------------------------------------------------------------------


SEES = {
    "anonymous": {"public", "reply"},
    "researcher": {"private", "group", "public", "reply"},
    "outsider": {"public", "hidden", "reply"},  # the hidden note's author
    "editor": {"public", "hidden", "reply"},
}


@pytest.mark.parametrize("viewer", list(SEES))
def test_the_reading_view_shows_each_reader_the_document_notes_they_may_see(
    client, cable, users, doc_notes, viewer
):
    if viewer != "anonymous":
        client = signed_in(getattr(users, viewer))
    html = page(client, cable)
    section = document_section(html)
    for name, note in doc_notes.items():
        word = note.body
        if name in SEES[viewer]:
            assert word in section, f"{viewer} should see {name}"
        else:
            assert word not in html, f"{viewer} must not see {name}"
    # Nothing of them beside a passage: they are on the whole document.
    assert html.count("zzDOCPUBLICzz") == 1


@pytest.mark.parametrize("viewer", list(SEES))
def test_the_annotations_page_lists_them_as_on_the_whole_document(
    client, cable, users, doc_notes, viewer
):
    if viewer != "anonymous":
        client = signed_in(getattr(users, viewer))
    html = client.get(reverse("annotations:list")).content.decode()
    for name, note in doc_notes.items():
        assert (note.body in html) == (name in SEES[viewer]), name
    assert f"{cable.title} — the whole document" in html


def test_only_the_author_edits_and_deletes_and_readers_reply(cable, users, doc_notes):
    public = doc_notes["public"]
    author, reader = signed_in(users.outsider), signed_in(users.researcher)
    assert reader.get(f"/annotations/{public.pk}/edit/").status_code == 403
    assert reader.post(f"/annotations/{public.pk}/delete/").status_code == 403
    assert (
        signed_in(users.outsider).get(f"/annotations/{doc_notes['private'].pk}/edit/").status_code
        == 404
    )  # never a hint that it exists

    form = author.get(f"/annotations/{public.pk}/edit/", **HTMX).content.decode()
    assert 'hx-target="#document-notes"' in form and 'value="correction"' not in form
    response = author.post(
        f"/annotations/{public.pk}/edit/",
        {"body": "zzEDITEDzz", "kind": "comment", "visibility": "public", "version": 1},
        **HTMX,
    )
    assert response.status_code == 200 and 'id="document-notes"' in response.content.decode()
    assert "zzEDITEDzz" in response.content.decode()
    empty = author.post(
        f"/annotations/{public.pk}/edit/",
        {"body": "", "kind": "comment", "visibility": "public", "version": 2},
        **HTMX,
    )
    assert empty.status_code == 422 and "Write something" in empty.content.decode()

    answer = reader.post(f"/annotations/{public.pk}/reply/", {"body": "zzANSWERzz"}, **HTMX)
    assert answer.status_code == 200 and "zzANSWERzz" in answer.content.decode()
    assert Annotation.objects.get(body="zzANSWERzz").on_document

    gone = author.post(f"/annotations/{public.pk}/delete/", **HTMX)
    assert gone.status_code == 200 and "zzEDITEDzz" not in gone.content.decode()
    assert Annotation.objects.get(pk=public.pk).deleted_at is not None


def test_editors_hide_and_approve_document_notes_in_place(cable, users, doc_notes):
    editor = signed_in(users.editor)
    public = doc_notes["public"]
    card = document_section(page(editor, cable))
    assert f'hx-post="/annotations/{public.pk}/hide/" hx-target="#document-notes"' in card
    response = editor.post(f"/annotations/{public.pk}/hide/", **HTMX)
    assert response.status_code == 200 and 'id="document-notes"' in response.content.decode()
    assert Annotation.objects.get(pk=public.pk).hidden
    assert "zzDOCPUBLICzz" not in page(signed_in(users.researcher), cable)


def test_filters_apply_to_document_notes(cable, users, doc_notes):
    client = signed_in(users.researcher)
    section = document_section(page(client, cable, scope="mine"))
    assert "zzDOCPRIVATEzz" in section and "zzDOCPUBLICzz" not in section
    section = document_section(page(client, cable, kind="question"))
    assert "zzDOCPRIVATEzz" not in section and "zzDOCPUBLICzz" not in section


# Search and versions ------------------------------------------------------------------------


def test_the_search_finds_a_document_note_and_opens_the_cable_at_it(
    client, cable, users, doc_notes
):
    index_annotations([n.pk for n in doc_notes.values()])
    note = doc_notes["public"]
    html = client.get(reverse("search:search"), {"q": "zzDOCPUBLICzz"}).content.decode()
    assert "On the whole document" in html
    assert f"#card-{note.pk}" in html and f"annotation={note.pk}" in html
    hidden = client.get(reverse("search:search"), {"q": "zzDOCPRIVATEzz"}).content.decode()
    assert "On the whole document" not in hidden
    mine = signed_in(users.researcher).get(reverse("search:search"), {"q": "zzDOCPRIVATEzz"})
    assert "On the whole document" in mine.content.decode()


@pytest.mark.django_db(transaction=True)  # PostgreSQL moves the versions at commit
def test_a_document_note_moves_its_cables_page_and_no_other(client, cable, users):
    other = Cable.objects.create(
        title="Another cable", slug="another-cable", date=dt.date(1951, 7, 20)
    )
    Passage.objects.create(cable=other, position=1, text="Another text.")
    first, second = client.get(cable.get_absolute_url()), client.get(other.get_absolute_url())
    services.create_document_note(
        user=users.researcher, cable=cable, body="zzMOVESzz", visibility="public"
    )
    again = client.get(cable.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "zzMOVESzz" in again.content.decode()
    kept = client.get(other.get_absolute_url(), HTTP_IF_NONE_MATCH=second["ETag"])
    assert kept.status_code == 304


def test_a_cable_with_document_notes_costs_the_queries_of_one_with_notes(
    client, cable, users, django_assert_num_queries
):
    """The document notes come with the passages' notes, in the same queries."""
    services.create_document_note(
        user=users.researcher, cable=cable, body="On it all.", visibility="public", tags=["x"]
    )
    client.get(cable.get_absolute_url())  # the layers are kept now
    # The data version, the annotations the reader may see, their authors, their tags.
    with django_assert_num_queries(4):
        html = client.get(cable.get_absolute_url(), {"scope": ""}).content.decode()
    assert "On it all." in document_section(html)
