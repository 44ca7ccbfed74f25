"""Who may see and do what, over every page, fragment and action of annotations.

The scene (tests/annotation_cases.py) holds one annotation of each visibility
case; ``VISIBLE[viewer]`` is exactly what each viewer may see.
"""

import pytest
from django.urls import reverse

from annotations.models import Annotation
from tests.annotation_cases import (
    REPLIES,
    ROOTS,
    VIEWERS,
    VISIBLE,
    assert_only_visible,
    build_scene,
    client_for,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def scene(seed, users):
    return build_scene(users)


@pytest.mark.parametrize("reading", ["published", "corrected"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_reading_view_shows_exactly_what_each_viewer_may_see(client, scene, viewer, reading):
    client = client_for(client, scene, viewer)
    html = client.get(scene.cable.get_absolute_url(), {"reading": reading}).content.decode()
    assert_only_visible(html, viewer)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_filter_fragment_shows_exactly_what_each_viewer_may_see(client, scene, viewer):
    client = client_for(client, scene, viewer)
    response = client.get(scene.cable.get_absolute_url(), HTTP_HX_TARGET="reading-text", **HTMX)
    assert_only_visible(response.content.decode(), viewer)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_annotation_urls_answer_404_for_what_one_may_not_see(client, scene, viewer):
    """Permalink, edit, delete, reply, hide and review: never a hint that it exists."""
    client = client_for(client, scene, viewer)
    signed_in = scene.viewers[viewer] is not None
    for name in sorted(ROOTS | REPLIES):
        note = scene.notes[name]
        visible = name in VISIBLE[viewer]
        detail = client.get(reverse("annotations:detail", args=[note.pk]))
        assert detail.status_code == (302 if visible else 404), (viewer, name)
        if not signed_in:
            continue
        for action in ("edit", "delete"):
            status = client.get(reverse(f"annotations:{action}", args=[note.pk])).status_code
            if not visible:
                assert status == 404, (viewer, name, action)
            elif note.author == scene.viewers[viewer]:
                assert status == 200, (viewer, name, action)
            else:
                assert status == 403, (viewer, name, action)
        if not visible:
            for action in ("reply", "hide", "review"):
                url = reverse(f"annotations:{action}", args=[note.pk])
                assert client.post(url, {"body": "x"}).status_code == 404, (viewer, name, action)


@pytest.mark.parametrize("viewer", ["researcher", "member", "other", "outsider"])
def test_only_editors_hide_and_review(client, scene, viewer):
    client = client_for(client, scene, viewer)
    public = scene.notes["public"]
    assert client.post(reverse("annotations:hide", args=[public.pk])).status_code == 403
    url = reverse("annotations:review", args=[public.pk])
    assert client.post(url, {"decision": "accepted"}).status_code == 403
    public.refresh_from_db()
    assert not public.hidden


def test_actions_change_nothing_for_someone_who_may_not(client, scene):
    before = list(Annotation.objects.order_by("pk").values_list("pk", "body", "version", "hidden"))
    client = client_for(client, scene, "other")
    for name in ("private", "group", "public", "hidden"):
        note = scene.notes[name]
        client.post(reverse("annotations:edit", args=[note.pk]), {"body": "x", "version": 1})
        client.post(reverse("annotations:delete", args=[note.pk]))
        client.post(reverse("annotations:hide", args=[note.pk]))
    after = list(Annotation.objects.order_by("pk").values_list("pk", "body", "version", "hidden"))
    assert after == before
