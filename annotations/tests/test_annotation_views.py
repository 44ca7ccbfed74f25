"""Writing annotations in the reading view: forms, htmx fragments, permissions, bad input."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation, ResearchGroup
from annotations.services import create_annotation
from readingroom.tests.test_sessions import session_row

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user, password):
    # Signed in without a request: django-axes (issue 15) guards the sign-in form only.
    client = Client()
    client.force_login(user)
    assert user.check_password(password)
    return client


def selection(passage, words):
    start = passage.text.index(words)
    return {"passage": passage.pk, "start": start, "end": start + len(words), "exact": words}


def new(user, passage, words, **kw):
    sel = selection(passage, words)
    return create_annotation(
        user=user, passage=passage, start=sel["start"], end=sel["end"], exact=words,
        body=kw.pop("body", "A note."), **kw,
    )  # fmt: skip


@pytest.fixture
def notes(users, telegram1):
    """One annotation of each visibility by the researcher, plus the outsider's."""
    team = ResearchGroup.objects.create(name="Kaesong team", slug="kaesong-team")
    team.members.add(users.researcher, users.editor)
    return {
        "private": new(users.researcher, telegram1, "helicopters", body="PRIVATE-NOTE"),
        "group": new(
            users.researcher,
            telegram1,
            "motor vehicles",
            body="GROUP-NOTE",
            visibility="group",
            group=team,
        ),  # fmt: skip
        "public": new(
            users.researcher, telegram1, "Kaesong", body="PUBLIC-NOTE", visibility="public"
        ),
        "outsider": new(users.outsider, telegram1, "brief rest", body="OUTSIDER-PRIVATE"),
    }


def page(client, cable, **params):
    response = client.get(cable.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


# Reading ---------------------------------------------------------------------


def test_anonymous_reader_sees_public_annotations_only(client, cable, notes):
    html = page(client, cable)
    assert "PUBLIC-NOTE" in html
    assert (
        "PRIVATE-NOTE" not in html and "GROUP-NOTE" not in html and "OUTSIDER-PRIVATE" not in html
    )
    assert f'id="a{notes["public"].pk}"' in html
    assert f'id="a{notes["private"].pk}"' not in html
    assert "Sign in</a> to annotate" in html
    assert "data-annotate-url" not in html and "data-link-url" not in html


def test_a_signed_in_reader_can_annotate_and_link_from_the_reading_view(client, users, cable):
    client.force_login(users.researcher)
    html = page(client, cable)
    # annotate.js offers Annotate (A) and Link… (L) where these are given.
    assert 'data-annotate-url="/annotations/new/"' in html
    assert 'data-link-url="/annotations/links/new/"' in html


@pytest.mark.parametrize(
    "who, sees",
    [
        ("researcher", {"PRIVATE-NOTE", "GROUP-NOTE", "PUBLIC-NOTE"}),
        ("editor", {"GROUP-NOTE", "PUBLIC-NOTE"}),
        ("outsider", {"PUBLIC-NOTE", "OUTSIDER-PRIVATE"}),
        ("admin", {"PUBLIC-NOTE"}),
    ],
)
def test_each_reader_sees_what_they_may(users, cable, notes, who, sees):
    html = page(signed_in(getattr(users, who), users.password), cable)
    everything = {"PRIVATE-NOTE", "GROUP-NOTE", "PUBLIC-NOTE", "OUTSIDER-PRIVATE"}
    assert {n for n in everything if n in html} == sees


def test_private_annotations_do_not_count(client, users, cable, notes):
    html = page(client, cable)
    # 11 accepted corrections + 1 public note; the three private/group ones are not counted.
    assert "Annotations: 12" in html


def test_highlight_colour_follows_kind(users, cable, telegram1):
    note = new(users.researcher, telegram1, "Kaesong", kind="question", visibility="public")
    html = page(Client(), cable)
    assert f'<mark class="hl hl--question" data-annotation="{note.pk}" id="a{note.pk}"' in html


def test_overlapping_and_nested_highlights_render_valid_html(users, cable, telegram1):
    from tests.factories import check_html

    outer = new(users.researcher, telegram1, "arrived at the city of Kaesong", visibility="public")
    inner = new(users.researcher, telegram1, "city of Kaesong at 0912", visibility="public")
    html = page(Client(), cable)
    check_html(html)
    assert html.count(f'data-annotation="{outer.pk}"') >= 2  # split around the overlap
    assert f'id="a{inner.pk}"' in html


def test_filters_by_kind_tag_author_and_scope(users, cable, telegram1, notes):
    new(users.editor, telegram1, "0912", kind="question", tags=["Timing"], visibility="public",
        body="QUESTION-NOTE")  # fmt: skip
    client = signed_in(users.researcher, users.password)
    html = page(client, cable, kind="question")
    assert "QUESTION-NOTE" in html and "PUBLIC-NOTE" not in html
    html = page(client, cable, tag="timing")
    assert "QUESTION-NOTE" in html and "PUBLIC-NOTE" not in html
    html = page(client, cable, author="researcher")
    assert "PUBLIC-NOTE" in html and "QUESTION-NOTE" not in html
    html = page(client, cable, scope="mine")
    assert {"PRIVATE-NOTE", "GROUP-NOTE", "PUBLIC-NOTE"} <= {
        n for n in ("PRIVATE-NOTE", "GROUP-NOTE", "PUBLIC-NOTE") if n in html
    }
    assert "QUESTION-NOTE" not in html
    html = page(client, cable, scope="group")
    assert "GROUP-NOTE" in html and "PUBLIC-NOTE" not in html
    # Nonsense filters are ignored, not errors.
    html = page(client, cable, kind="nonsense", scope="everything", annotation="x")
    assert "PUBLIC-NOTE" in html


def test_filter_fragment_for_htmx(users, cable, notes):
    response = Client().get(
        cable.get_absolute_url(), {"kind": "comment"}, HTTP_HX_TARGET="reading-text", **HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="text reading" id="reading-text"')
    assert "<html" not in html and "PUBLIC-NOTE" in html


def test_corrected_reading_applies_accepted_corrections(client, cable):
    published = page(client, cable)
    corrected = page(client, cable, reading="corrected")
    assert "CABLI" in published
    assert '<ins class="correction" title="As published: CABLI"' in corrected
    assert ">CABLE</ins>" in corrected
    assert ">Nam Il</a></ins>" in corrected or ">Nam Il</" in corrected
    text = re.sub(r"<[^>]+>", "", corrected.split('id="reading-text"')[1])
    assert "agreement in principle that military observer groups" in text
    assert "the people of the entire world" in text
    assert "I submit attachment Nº 1 to brief report Nº 1." in text
    assert "Cdes. Kim Il Sung and Peng Dehuai. I submit attachment N° 2" in text  # N° stays


def test_permalink_opens_the_cable_at_the_annotation(client, cable, notes):
    public = notes["public"]
    response = client.get(reverse("annotations:detail", args=[public.pk]))
    assert response.status_code == 302
    assert response.url == f"{cable.get_absolute_url()}?annotation={public.pk}#a{public.pk}"
    html = page(client, cable, annotation=public.pk)
    assert f'class="hl hl--comment is-focus" data-annotation="{public.pk}"' in html
    assert f'class="note note--comment is-focus" id="card-{public.pk}"' in html


def test_permalink_of_someone_elses_private_annotation_is_404(users, notes):
    client = signed_in(users.outsider, users.password)
    assert client.get(reverse("annotations:detail", args=[notes["private"].pk])).status_code == 404
    assert Client().get(reverse("annotations:detail", args=[notes["group"].pk])).status_code == 404


# Writing ---------------------------------------------------------------------


def test_compose_form_opens_in_place(users, telegram1):
    client = signed_in(users.researcher, users.password)
    response = client.get(reverse("annotations:create"), selection(telegram1, "Kaesong"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="compose-form"' in html and "<html" not in html
    assert f'hx-target="#row-{telegram1.pk}"' in html


def test_anonymous_cannot_write(client, telegram1, notes):
    before = Annotation.objects.count()
    data = {**selection(telegram1, "Kaesong"), "body": "x", "kind": "comment",
            "visibility": "public"}  # fmt: skip
    response = client.post(reverse("annotations:create"), data)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    for name in ("edit", "delete", "reply", "hide", "review"):
        url = reverse(f"annotations:{name}", args=[notes["public"].pk])
        assert client.post(url, {"body": "x"}).status_code == 302
    assert Annotation.objects.count() == before


def test_create_with_htmx_returns_the_passage_row(users, telegram1):
    client = signed_in(users.researcher, users.password)
    data = {
        **selection(telegram1, "48 support personnel"),
        "body": "Numbers *matter*.", "kind": "identification", "tags": "Delegations, numbers",
        "visibility": "public",
    }  # fmt: skip
    response = client.post(reverse("annotations:create"), data, **HTMX)
    assert response.status_code == 200
    note = Annotation.objects.get(body="Numbers *matter*.")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div class="passage-row has-notes" id="row-{telegram1.pk}"')
    assert f'<mark class="hl hl--identification" data-annotation="{note.pk}"' in html
    assert "<em>matter</em>" in html
    assert response.headers["HX-Trigger"] == f'{{"annotation-saved": {{"id": {note.pk}}}}}'
    assert sorted(t.name for t in note.tags.all()) == ["Delegations", "numbers"]
    assert (note.exact, note.visibility, note.kind) == (
        "48 support personnel",
        "public",
        "identification",
    )


def test_create_without_htmx_redirects_to_the_permalink(users, telegram1):
    client = signed_in(users.researcher, users.password)
    data = {**selection(telegram1, "Kaesong"), "body": "x", "kind": "comment",
            "visibility": "private"}  # fmt: skip
    response = client.post(reverse("annotations:create"), data)
    note = Annotation.objects.get(author=users.researcher, body="x")
    assert response.status_code == 302
    assert response.url == reverse("annotations:detail", args=[note.pk])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"body": ""}, "Write something in the annotation."),
        ({"body": "x" * 20_001}, "at most 20000 characters"),
        ({"exact": "words that are not there"}, "no longer match the text"),
        ({"passage": 999999}, "This passage does not exist."),
        ({"start": 10, "end": 5}, "Select some words of the text first."),
        ({"visibility": "group"}, "Select a valid choice"),  # in no group: not offered
        ({"kind": "rumour"}, "Select a valid choice"),
        ({"tags": ",".join(f"t{i}" for i in range(25))}, "at most 20 tags"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(users, telegram1, change, message):
    client = signed_in(users.researcher, users.password)
    data = {**selection(telegram1, "Kaesong"), "body": "x", "kind": "comment",
            "visibility": "private", **change}  # fmt: skip
    before = Annotation.objects.count()
    plain = client.post(reverse("annotations:create"), data)
    assert plain.status_code == 400
    assert message in plain.content.decode()
    htmx = client.post(reverse("annotations:create"), data, **HTMX)
    assert htmx.status_code == 422
    assert htmx.headers["HX-Retarget"] == "#compose-form"
    assert message in htmx.content.decode()
    assert Annotation.objects.count() == before


def test_cannot_share_with_a_group_one_is_not_in(users, telegram1, notes):
    team = ResearchGroup.objects.get(slug="kaesong-team")
    client = signed_in(users.outsider, users.password)
    data = {**selection(telegram1, "Kaesong"), "body": "x", "kind": "comment",
            "visibility": "group", "group": team.pk}  # fmt: skip
    response = client.post(reverse("annotations:create"), data)
    assert response.status_code == 400
    assert not Annotation.objects.filter(author=users.outsider, body="x").exists()


def test_csrf_is_enforced(users, telegram1):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.researcher)
    data = {**selection(telegram1, "Kaesong"), "body": "x", "kind": "comment",
            "visibility": "private"}  # fmt: skip
    assert client.post(reverse("annotations:create"), data, **HTMX).status_code == 403
    page_html = client.get(telegram1.cable.get_absolute_url()).content.decode()
    token = page_html.split('"X-CSRFToken": "')[1].split('"')[0]
    response = client.post(reverse("annotations:create"), data, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert response.status_code == 200


# Replies, edits, deletes ----------------------------------------------------


def test_reply_threads_under_the_annotation(users, notes):
    client = signed_in(users.editor, users.password)
    public = notes["public"]
    response = client.post(
        reverse("annotations:reply", args=[public.pk]), {"body": "See FRUS."}, **HTMX
    )
    assert response.status_code == 200
    answer = Annotation.objects.get(body="See FRUS.")
    assert (answer.parent, answer.visibility) == (public, "public")
    assert "See FRUS." in response.content.decode()


def test_empty_reply_is_refused(users, notes):
    client = signed_in(users.editor, users.password)
    response = client.post(
        reverse("annotations:reply", args=[notes["public"].pk]), {"body": ""}, **HTMX
    )
    assert response.status_code == 422
    assert "Write something in the reply." in response.content.decode()
    assert not notes["public"].replies.exists()


def test_cannot_reply_to_what_one_cannot_see(users, notes):
    client = signed_in(users.outsider, users.password)
    response = client.post(reverse("annotations:reply", args=[notes["private"].pk]), {"body": "x"})
    assert response.status_code == 404


def test_reply_form_comes_on_demand(users, notes, cable):
    """Cards carry a Reply link, not a form per card; the form is fetched (htmx) or a page."""
    client = signed_in(users.researcher, users.password)
    public = notes["public"]
    url = reverse("annotations:reply", args=[public.pk])
    page = client.get(cable.get_absolute_url()).content.decode()
    card = re.search(rf'<article[^>]*id="card-{public.pk}".*?</article>', page, re.S).group(0)
    assert f'<a class="reply-open" href="{url}" hx-get="{url}"' in card
    assert "<textarea" not in card and "csrfmiddlewaretoken" not in card

    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    opening = f'<form class="compose compose--reply" id="reply-form-{public.pk}"'
    assert html.lstrip().startswith(opening)
    assert re.search(r"<textarea[^>]*autofocus", html)
    assert 'name="csrfmiddlewaretoken"' in html and "<html" not in html

    without_js = client.get(url)
    assert without_js.status_code == 200
    page = without_js.content.decode()
    assert "<h1>Reply</h1>" in page
    # A page of its own (also when opened in a new tab with JavaScript on): a plain
    # form that posts and a plain link back, nothing aimed at the reading view.
    form = re.search(r'<form class="compose compose--reply".*?</form>', page, re.S).group(0)
    assert "hx-" not in form and f'href="{public.get_absolute_url()}">Cancel</a>' in form
    assert f'id="reply-{public.pk}-body"' in form and f'for="reply-{public.pk}-body"' in form
    assert not public.replies.exists()


def test_reply_form_needs_sign_in_and_sight(users, notes):
    url = reverse("annotations:reply", args=[notes["private"].pk])
    assert Client().get(url).status_code == 302
    outsider = signed_in(users.outsider, users.password)
    assert outsider.get(url, **HTMX).status_code == 404


def edit_data(note, **kw):
    return {
        "body": note.body,
        "kind": note.kind,
        "tags": "",
        "visibility": note.visibility,
        "group": note.group_id or "",
        "replacement": "",
        "version": note.version,
        **kw,
    }


def test_author_edits_their_annotation(users, notes):
    client = signed_in(users.researcher, users.password)
    note = notes["public"]
    form = client.get(reverse("annotations:edit", args=[note.pk]), **HTMX)
    assert 'name="version" value="1"' in form.content.decode()
    response = client.post(
        reverse("annotations:edit", args=[note.pk]), edit_data(note, body="Better."), **HTMX
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert (note.body, note.version) == ("Better.", 2)


def test_others_cannot_edit_or_delete(users, notes):
    note = notes["public"]
    for who in ("editor", "outsider"):
        client = signed_in(getattr(users, who), users.password)
        assert client.get(reverse("annotations:edit", args=[note.pk])).status_code == 403
        data = edit_data(note, body="Hijacked.")
        assert client.post(reverse("annotations:edit", args=[note.pk]), data).status_code == 403
        assert client.post(reverse("annotations:delete", args=[note.pk])).status_code == 403
    # What they cannot even see is not found.
    client = signed_in(users.outsider, users.password)
    assert client.post(reverse("annotations:delete", args=[notes["private"].pk])).status_code == 404
    note.refresh_from_db()
    assert note.body == "PUBLIC-NOTE" and note.deleted_at is None


def test_second_editor_gets_a_conflict_not_an_overwrite(users, notes):
    client = signed_in(users.researcher, users.password)
    note = notes["public"]
    first = edit_data(note, body="First tab.")
    second = edit_data(note, body="Second tab.")  # read the same version 1
    assert (
        client.post(reverse("annotations:edit", args=[note.pk]), first, **HTMX).status_code == 200
    )
    response = client.post(reverse("annotations:edit", args=[note.pk]), second, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this annotation" in html
    assert "First tab." in html  # their version is shown
    assert "Second tab." in html  # and mine is kept in the box
    assert 'name="version" value="2"' in html
    note.refresh_from_db()
    assert note.body == "First tab."


def test_delete_asks_first_then_hides_softly(users, notes):
    client = signed_in(users.researcher, users.password)
    note = notes["public"]
    confirm = client.get(reverse("annotations:delete", args=[note.pk]), **HTMX)
    assert "Delete this annotation?" in confirm.content.decode()
    Annotation.objects.get(pk=note.pk)  # still there after the question
    response = client.post(reverse("annotations:delete", args=[note.pk]), **HTMX)
    assert response.status_code == 200
    assert "PUBLIC-NOTE" not in response.content.decode()
    note.refresh_from_db()
    assert note.deleted_at is not None  # kept, not removed
    assert "PUBLIC-NOTE" not in page(Client(), note.passage.cable)
    assert client.get(reverse("annotations:detail", args=[note.pk])).status_code == 404


# Editors ---------------------------------------------------------------------


def test_editor_hides_a_public_annotation(users, notes):
    note = notes["public"]
    researcher = signed_in(users.researcher, users.password)
    assert researcher.post(reverse("annotations:hide", args=[note.pk])).status_code == 403
    editor = signed_in(users.editor, users.password)
    assert editor.post(reverse("annotations:hide", args=[note.pk]), **HTMX).status_code == 200
    note.refresh_from_db()
    assert note.hidden
    assert "PUBLIC-NOTE" not in page(Client(), note.passage.cable)
    assert "Hidden from readers by an editor." in page(editor, note.passage.cable)
    # The author still sees it.
    assert "PUBLIC-NOTE" in page(researcher, note.passage.cable)


def test_editor_cannot_hide_a_group_annotation(users, notes):
    editor = signed_in(users.editor, users.password)
    response = editor.post(reverse("annotations:hide", args=[notes["group"].pk]), **HTMX)
    assert response.status_code == 422
    assert "Only public annotations can be hidden." in response.content.decode()


def test_editor_accepts_a_proposed_correction(users, cable, telegram1):
    fix = new(users.researcher, telegram1, "Kaesong at 0912", kind="correction",
              replacement="Kaesong at 09.12", visibility="public")  # fmt: skip
    assert fix.correction_status == "proposed"
    researcher = signed_in(users.researcher, users.password)
    url = reverse("annotations:review", args=[fix.pk])
    assert researcher.post(url, {"decision": "accepted"}).status_code == 403
    editor = signed_in(users.editor, users.password)
    assert editor.post(url, {"decision": "maybe"}, **HTMX).status_code == 422
    assert editor.post(url, {"decision": "accepted"}, **HTMX).status_code == 200
    fix.refresh_from_db()
    assert (fix.correction_status, fix.reviewed_by) == ("accepted", users.editor)
    assert "Kaesong at 09.12</ins>" in page(Client(), cable, reading="corrected")


# Query counts ----------------------------------------------------------------


def _bulk(users, passage, n):
    text = passage.text
    Annotation.objects.bulk_create(
        Annotation(
            passage=passage, author=users.researcher, exact=text[i : i + 5], start=i, end=i + 5,
            body=f"note {i}", body_html=f"<p>note {i}</p>", visibility="public",
        )
        for i in range(0, n * 3, 3)
    )  # fmt: skip


@pytest.mark.parametrize("n", [0, 10, 500])
def test_reading_view_query_count_is_constant(
    users, cable, telegram1, n, django_assert_num_queries
):
    _bulk(users, telegram1, n)
    client = signed_in(users.researcher, users.password)
    with django_assert_num_queries(27 + session_row()):
        # the session row (none where sessions come from the shared cache), then:
        # 1. the signed-in user
        # 2. the data version (readingroom.caching)
        # 3-24. the cable's fixed layers (see reading/tests/test_cable.py; the
        #       ids of links arriving: none, so no query for the visible ones;
        #       whether it has annotations; the cables before and after it in
        #       its collection, issue 14; its references and those arriving,
        #       issue 16; the row kept in the database looked for, then written)
        # 25. the annotations the reader may see
        # 26. their authors (each once; their groups would be one more)
        # 27. the tags of the cable's annotations
        response = client.get(cable.get_absolute_url())
    assert response.content.decode().count('class="note note--') == n + 11
    with django_assert_num_queries(5 + session_row()):  # the layers and cards are kept
        response = client.get(cable.get_absolute_url() + "?reading=published")
    assert response.content.decode().count('class="note note--') == n + 11


def test_fragment_query_count_is_constant(users, cable, telegram1, django_assert_num_queries):
    _bulk(users, telegram1, 50)
    note = Annotation.objects.filter(passage=telegram1).first()
    client = signed_in(users.researcher, users.password)
    with django_assert_num_queries(19 + session_row()):
        # the session row, then: 1. user; 2. the annotation (visible to the reader)
        # 3. savepoint; 4. the author's registration (a reply to a public note is
        # public: may they publish, must it wait for review? issue 15);
        # 5. insert the reply; 6. release savepoint
        # 7-19. the passage row: the positions of the cable's passages (1), the
        #       cable (1), that passage alone with what it holds (7: its telegram,
        #       recipients, attachments, mentions, agenda items and references),
        #       the reader's annotations (1), their authors (1), their tags (1)
        #       and the ids of the links arriving (1: none, so no more)
        response = client.post(reverse("annotations:reply", args=[note.pk]), {"body": "ok"}, **HTMX)
    assert response.status_code == 200


def test_a_row_rendered_after_a_note_keeps_the_endnote_numbers_of_the_page(users, cable):
    """An action re-renders only its passage's row, but the print markers in it keep
    the numbers the whole page gives them: notes on the passages before count."""
    first, later = cable.passages.get(label="Telegram 1"), cable.passages.get(label="Telegram 3")
    client = signed_in(users.researcher, users.password)
    for passage, words in [(first, "48 support personnel"), (first, "Kaesong")]:
        data = {**selection(passage, words), "body": "Earlier.", "kind": "comment",
                "visibility": "private"}  # fmt: skip
        client.post(reverse("annotations:create"), data, **HTMX)
    words = later.text.split()[3]
    data = {**selection(later, words), "body": "Later.", "kind": "question",
            "visibility": "private"}  # fmt: skip
    row = client.post(reverse("annotations:create"), data, **HTMX).content.decode()
    note = Annotation.objects.get(body="Later.")
    marker = re.compile(rf'data-annotation="{note.pk}"[^>]*data-n="(\d+)"')
    page = client.get(cable.get_absolute_url()).content.decode()
    number = marker.search(page).group(1)
    assert int(number) > 2  # the seed's own notes and the two above come first
    assert marker.search(row).group(1) == number
