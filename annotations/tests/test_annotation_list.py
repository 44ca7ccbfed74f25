"""The annotations page: what each user may see, filters, pages, and a fixed query count."""

import pytest
from django.urls import reverse

from annotations import services
from annotations.models import Annotation
from readingroom.tests.test_sessions import session_row
from tests.annotation_cases import (
    SEED_ROOTS,
    VIEWERS,
    VISIBLE,
    annotate,
    assert_only_visible,
    build_scene,
    client_for,
    marker,
)
from tests.factories import build_archive, check_html

pytestmark = pytest.mark.django_db

URL = "/annotations/"


def test_url_name():
    assert reverse("annotations:list") == URL


@pytest.fixture
def scene(seed, users):
    return build_scene(users)


def visible_roots(viewer: str) -> int:
    return SEED_ROOTS + len(VISIBLE[viewer] & {"private", "group", "public", "hidden", "deleted"})


# Visibility -----------------------------------------------------------------


@pytest.mark.parametrize("viewer", VIEWERS)
def test_each_viewer_sees_exactly_what_they_may(client, scene, viewer):
    response = client_for(client, scene, viewer).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    check_html(html)
    assert_only_visible(html, viewer)
    # The count is the count of what the viewer may see: nothing private leaks into it.
    n = visible_roots(viewer)
    assert response.context["paginator"].count == n
    assert f"{n} annotations" in html


def test_private_annotation_is_absent_for_everyone_but_its_author(client, scene):
    private = scene.notes["private"]
    for viewer in ["anonymous", "outsider", "editor", "admin", "member", "other"]:
        client.logout()
        html = client_for(client, scene, viewer).get(URL).content.decode()
        assert f'id="annotation-{private.pk}"' not in html, viewer
        assert marker("private") not in html, viewer
    client.logout()
    html = client_for(client, scene, "researcher").get(URL).content.decode()
    assert f'id="annotation-{private.pk}"' in html
    assert "Private (only you)" in html


def test_group_annotation_shows_its_group_to_members(client, scene):
    html = client_for(client, scene, "member").get(URL).content.decode()
    assert marker("group") in html
    assert "Group: Kaesong team" in html


def test_hidden_annotation_is_marked_for_editors(client, scene):
    html = client_for(client, scene, "editor").get(URL).content.decode()
    assert marker("hidden") in html
    assert "Hidden from readers" in html


def test_entry_shows_quote_body_kind_tags_author_passage_and_permalink(client, scene):
    note = scene.notes["public"]
    html = client.get(URL).content.decode()
    assert "<strong>Kaesong</strong>, the old capital." in html  # sanitised HTML, unescaped
    assert "Identification" in html
    assert f'href="{URL}?tag=places"' in html and "Kaesong talks" in html
    assert "Otto" in html  # the author's display name
    assert f'href="{note.get_absolute_url()}"' in html
    assert f'href="{note.passage.get_absolute_url()}"' in html
    assert "Telegram 1" in html
    assert note.passage.cable.title in html
    # The reply is shown under its root.
    assert marker("public-reply") in html and "1 reply" in html


def test_body_html_is_the_only_unescaped_field(client, seed, users):
    cable_passage = build_scene(users).cable.passages.get(position=4)
    annotate(
        users.outsider,
        cable_passage,
        "Kaesong",
        body="<script>alert(1)</script> *fine*",
        visibility=Annotation.Visibility.PUBLIC,
        tags=["<b>bold</b>"],
    )
    html = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<em>fine</em>" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


# Filters ------------------------------------------------------------------------


def test_filter_by_kind_tag_author_and_cable(client, scene):
    html = client.get(URL, {"kind": "identification"}).content.decode()
    assert marker("public") in html
    assert "1 annotation matching" in html

    html = client.get(URL, {"kind": "correction"}).content.decode()
    assert f"{SEED_ROOTS} annotations matching" in html
    assert marker("public") not in html

    html = client.get(URL, {"tag": "kaesong-talks"}).content.decode()
    assert marker("public") in html and "1 annotation matching" in html

    html = client.get(URL, {"author": "outsider"}).content.decode()
    assert "1 annotation matching" in html  # the hidden one is not counted for anonymous

    html = client.get(URL, {"cable": scene.cable.slug}).content.decode()
    assert f"{SEED_ROOTS + 1} annotations matching" in html


def test_filters_never_reveal_what_the_user_may_not_see(client, scene):
    html = client.get(URL, {"author": "researcher"}).content.decode()
    assert "0 annotations matching" in html
    html = client.get(URL, {"tag": "telegrams"}).content.decode()  # only the private note has it
    assert "0 annotations matching" in html
    assert "No annotations match these filters." in html


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("mine", {"private", "group"}),
        ("group", {"group"}),
        ("public", {"public"}),
    ],
)
def test_scope_for_signed_in_users(client, scene, scope, expected):
    client.force_login(scene.viewers["researcher"])
    response = client.get(URL, {"scope": scope})
    html = response.content.decode()
    for name in ["private", "group", "public"]:
        assert (marker(name) in html) == (name in expected), name
    seed = SEED_ROOTS if scope == "public" else 0
    assert response.context["paginator"].count == len(expected) + seed


def test_scope_is_not_offered_to_anonymous_visitors(client, scene):
    response = client.get(URL, {"scope": "mine"})
    assert response.status_code == 200
    assert 'name="scope"' not in response.content.decode()
    assert_only_visible(response.content.decode(), "anonymous")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "rant"}, "“rant” is not a kind of annotation."),
        ({"cable": "no-such-cable"}, "There is no cable “no-such-cable” in the reading room."),
        ({"tag": "not a slug!"}, "A tag is written like"),
        ({"author": "x" * 200}, "at most 150 characters"),
    ],
)
def test_bad_filter_values_get_a_clear_message_not_a_500(client, scene, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters could not be used and were left out" in html
    assert message in html
    # The valid filters (none here) still apply; the list is still shown.
    assert f"{visible_roots('anonymous')} annotations" in html


def test_bad_scope_for_signed_in_user(client, scene):
    client.force_login(scene.viewers["researcher"])
    response = client.get(URL, {"scope": "everything"})
    assert response.status_code == 400
    assert "“everything” is not a choice of annotations to show." in response.content.decode()


def test_htmx_request_gets_only_the_results_region(client, scene):
    response = client.get(URL, {"kind": "identification"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="annotation-results"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


# Pages ------------------------------------------------------------------------------


@pytest.fixture
def many(seed, users):
    """Seed (11) + 30 public comments = 41 annotations: two pages of 25."""
    passage = build_scene(users).cable.passages.get(position=4)
    for i in range(30):
        annotate(
            users.outsider,
            passage,
            "Kaesong",
            body=f"Comment number {i:02d}.",
            visibility=Annotation.Visibility.PUBLIC,
        )


def test_pages_of_25_newest_first_keeping_the_filters(client, many):
    response = client.get(URL, {"kind": "comment"})
    # The scene's other comments are private, hidden or deleted: not for anonymous visitors.
    assert response.context["paginator"].count == 30
    html = response.content.decode()
    assert "Comment number 29." in html and "Comment number 05." in html
    assert "Comment number 04." not in html
    assert "Page 1 of 2" in html
    assert 'href="?kind=comment&amp;page=2"' in html
    html = client.get(URL, {"kind": "comment", "page": "2"}).content.decode()
    assert "Comment number 04." in html and "Comment number 05." not in html
    assert "Page 2 of 2" in html


@pytest.mark.parametrize(
    ("page", "shown", "note"),
    [
        ("abc", 1, "“abc” is not a page number; showing the first page."),
        ("1.5", 1, "“1.5” is not a page number; showing the first page."),
        ("99", 2, "There is no page 99; showing page 2 of 2."),
        ("99999999999999999999999", 2, "showing page 2 of 2."),
        ("0", 1, "There is no page 0; showing page 1 of 2."),
        ("-3", 1, "There is no page -3; showing page 1 of 2."),
    ],
)
def test_bad_page_numbers_show_a_page_and_say_so(client, many, page, shown, note):
    response = client.get(URL, {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert note in response.content.decode()


def test_empty_list_says_how_to_start(client, db):
    html = client.get(URL).content.decode()
    assert "0 annotations" in html and "No annotations yet." in html


# Query count ----------------------------------------------------------------------


def make_annotations(n: int, users) -> None:
    """``n`` root annotations with two tags and a reply each, of every visibility."""
    archive = build_archive(2)
    passage = archive.passages[2]  # Telegram 1
    for i in range(n):
        visibility = [
            Annotation.Visibility.PUBLIC,
            Annotation.Visibility.PRIVATE,
            Annotation.Visibility.PUBLIC,
        ][i % 3]
        author = users.researcher if i % 2 else users.outsider
        note = annotate(
            author,
            passage,
            "Kaesong",
            body=f"Note {i}",
            kind=list(Annotation.Kind)[i % 4],
            visibility=visibility,
            tags=[f"tag-{i % 5}", "shared"],
            replacement="Kaesŏng" if i % 4 == 2 else "",
        )
        services.reply(user=users.editor, parent=note, body=f"Reply to {i}")


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_is_fixed_for_anonymous_visitors(client, users, django_assert_num_queries, n):
    make_annotations(n, users)
    # 1. the count of annotations the visitor may see
    # 2. one page of annotations, with author, group, passage and cable joined
    # 3. their tags
    # 4. their replies the visitor may see, with the replies' authors
    # (The cable box lists no cables: it suggests them as you type.)
    with django_assert_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200
    public = sum(1 for i in range(n) if i % 3 != 1)
    assert response.context["paginator"].count == public
    assert len(response.context["annotations"]) == min(25, public)


def test_the_cable_box_suggests_titles_and_takes_a_record_number(client, scene):
    url = reverse("cables:cable_suggestions")
    word = scene.cable.title.split()[-1]
    html = client.get(url, {"cable": word}).content.decode()
    assert f'<option value="{scene.cable.slug}">' in html
    assert client.get(url, {"cable": ""}).content.decode().strip() == ""
    page = client.get(URL).content.decode()
    assert f'hx-get="{url}"' in page and 'list="id_cable-suggestions"' in page
    if scene.cable.record_id:
        found = client.get(URL, {"cable": scene.cable.record_id})
        assert found.status_code == 200 and "Cable: " in found.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_query_count_is_fixed_for_signed_in_users(client, users, django_assert_num_queries, n):
    make_annotations(n, users)
    client.force_login(users.researcher)
    # the session row (none where sessions come from the shared cache), then:
    # 1. the user
    # 2. the count of annotations the user may see
    # 3. one page of annotations, with author, group, passage and cable joined
    # 4. their tags
    # 5. their replies the user may see, with the replies' authors
    with django_assert_num_queries(5 + session_row()):
        response = client.get(URL, {"scope": "", "kind": "", "tag": "shared"})
    assert response.status_code == 200
    # Public ones, and the researcher's own private ones (odd i); not the outsider's private.
    assert response.context["paginator"].count == sum(
        1 for i in range(n) if i % 3 != 1 or i % 2 == 1
    )
