"""Every address of the site × the fixed cast: the status each viewer gets, and
no note text a viewer may not see in any response (issue 15).

The addresses are read from the URL configuration itself (every ``urls.py``,
through ``get_resolver()``), so a new address that this file does not know
makes ``test_every_address_is_in_the_matrix`` fail until it is added to
``ROUTES`` with what each viewer should get.

The scene (``tests/annotation_cases.py``) has one note of each visibility
case, each carrying a marker word; this file adds a note awaiting review, a
private link, and tags named with markers on the private, group and hidden
notes. ``VISIBLE`` says which markers each viewer may meet; every response
body (pages, htmx fragments, exports, the admin) is searched for the others.
The admin is trusted for the superuser alone (it is where every record is
kept); the editor, staff without permissions on researchers' notes, must not
meet a private or group note there either.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from annotations import services
from annotations.models import Annotation, Flag, Link, ReviewEvent, Tag
from cables.models import Cable, Participant
from readingroom.models import Registration
from search.indexer import index_annotations
from telegrams.models import Agenda, Correspondence
from tests.annotation_cases import REPLIES, ROOTS, VISIBLE, annotate, build_scene, marker

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "researcher", "member", "other", "outsider", "editor", "admin"]
SIGNED_IN = set(VIEWERS) - {"anonymous"}
STAFF = {"editor", "admin"}
HTMX = {"HTTP_HX_REQUEST": "true"}

# The markers this file adds, and who may meet them.
EXTRA = {
    # "other"'s public note, waiting for an editor: its author and the staff.
    "awaiting": {"other", "editor", "admin"},
    # the researcher's private link to another passage.
    "private-link": {"researcher"},
    # tags named with a marker, on the private, group and hidden notes.
    "private-tag": {"researcher"},
    "group-tag": {"researcher", "member"},
    "hidden-tag": {"outsider", "editor", "admin"},
    # a cable still in draft: the staff, in the admin only.
    "draft-cable": set(),
    # notes on the whole document (issue 14): the researcher's private one, the
    # group's, and "other"'s public one hidden by an editor.
    "private-document": {"researcher"},
    "group-document": {"researcher", "member"},
    "hidden-document": {"other", "editor", "admin"},
}
MARKERS = {name: marker(name) for name in ROOTS | REPLIES | set(EXTRA)}


def may_see(viewer: str) -> set[str]:
    return set(VISIBLE[viewer]) | {name for name, who in EXTRA.items() if viewer in who}


def leaked(body: str, viewer: str, *, allowed: set[str] | None = None) -> list[str]:
    """The markers in ``body`` that ``viewer`` may not meet (case-blind: tags are lowered)."""
    allowed = may_see(viewer) if allowed is None else allowed
    text = body.lower()
    return sorted(n for n, m in MARKERS.items() if n not in allowed and m.lower() in text)


# --- the scene --------------------------------------------------------------


@dataclass
class World:
    scene: object
    cable: Cable
    draft: Cable
    participant: Participant
    correspondence: Correspondence
    notes: dict
    users: dict
    tags: dict = field(default_factory=dict)


@pytest.fixture
def world(seed, users, django_capture_on_commit_callbacks) -> World:
    with django_capture_on_commit_callbacks(execute=True):
        built = _build_world(users)
    # The scene hides, holds and deletes with update(), which sends no signal:
    # index every note again, as the site's own saves would have.
    index_annotations(Annotation.objects.values_list("pk", flat=True))
    return built


def _build_world(users) -> World:
    scene = build_scene(users)
    notes = dict(scene.notes)
    p = {x.position: x for x in scene.cable.passages.all()}
    notes["awaiting"] = annotate(
        scene.viewers["other"],
        p[6],
        "agenda",
        body=f"Waiting for an editor. {MARKERS['awaiting']}",
        visibility=Annotation.Visibility.PUBLIC,
    )
    Annotation.objects.filter(pk=notes["awaiting"].pk).update(awaiting_review=True)
    link = services.create_link(
        user=users.researcher,
        passage=p[3],
        start=p[3].text.index("four telegrams"),
        end=p[3].text.index("four telegrams") + len("four telegrams"),
        exact="four telegrams",
        relation="related",
        body=f"See the fourth. {MARKERS['private-link']}",
        target_passage=p[5],
    )
    notes["private-link"] = link.annotation
    for name, user, visibility in (
        ("private-document", users.researcher, Annotation.Visibility.PRIVATE),
        ("group-document", users.researcher, Annotation.Visibility.GROUP),
        ("hidden-document", scene.viewers["other"], Annotation.Visibility.PUBLIC),
    ):
        notes[name] = services.create_document_note(
            user=user,
            cable=scene.cable,
            body=f"On the whole cable. {MARKERS[name]}",
            visibility=visibility,
            group=scene.group if visibility == Annotation.Visibility.GROUP else None,
        )
    Annotation.objects.filter(pk=notes["hidden-document"].pk).update(hidden=True)
    for name, note in (
        ("private-tag", "private"),
        ("group-tag", "group"),
        ("hidden-tag", "hidden"),
    ):
        notes[note].tags.add(*Tag.for_names([MARKERS[name]]))
    draft = Cable.objects.create(
        title=f"A draft {MARKERS['draft-cable']}",
        slug="draft-cable",
        date=dt.date(1951, 7, 12),
        record_id="999001",
        status=Cable.Status.DRAFT,
    )
    return World(
        scene=scene,
        cable=scene.cable,
        draft=draft,
        participant=Participant.objects.order_by("slug").first(),
        correspondence=Correspondence.objects.order_by("pk").first(),
        notes=notes,
        users=scene.viewers,
        tags={
            name: Tag.objects.get(name__iexact=MARKERS[name]).slug
            for name in EXTRA
            if "tag" in name
        },
    )


def client_for(client, world: World, viewer: str):
    client.logout()
    user = world.users[viewer]
    if user is not None:
        client.force_login(user)
    return client


# --- what each address answers ----------------------------------------------

Expect = Callable[[str, World], int]


def everyone(status: int = 200) -> Expect:
    return lambda viewer, world: status


def signed_in(status: int = 200) -> Expect:
    """Behind ``login_required``: anonymous visitors are sent to sign in (302)."""
    return lambda viewer, world: status if viewer in SIGNED_IN else 302


def anonymous_only(viewer, world):
    return 200 if viewer == "anonymous" else 302


@dataclass
class Case:
    """One request: ``kwargs`` for the address, a query, htmx headers, the expected status."""

    kwargs: dict | Callable[[World], dict] = field(default_factory=dict)
    expect: Expect = field(default_factory=everyone)
    query: dict | Callable[[World], dict] = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    label: str = ""
    htmx_422: bool = False  # a form's bad input answers htmx with 422, not 400


def cable(world):
    return {"slug": world.cable.slug}


def draft(world):
    return {"slug": world.draft.slug}


def note_cases(action: str) -> list[Case]:
    """One case per note of the scene, for an address with ``<int:pk>``."""

    def expect_for(name):
        def expect(viewer, world):
            note = world.notes[name]
            visible = name in may_see(viewer) and note.deleted_at is None
            if action == "detail":
                return 302 if visible else 404  # the permalink sends to the note in its cable
            if viewer == "anonymous":
                return 302
            if action in {"hide", "review", "approve", "flag"}:
                return 405  # POST only
            if not visible:
                return 404  # never a hint that it exists
            if action == "reply":
                return 200
            return 200 if note.author == world.users[viewer] else 403

        return expect

    names = sorted(
        ROOTS
        | REPLIES
        | {"awaiting", "private-link", "private-document", "group-document", "hidden-document"}
    )
    return [
        Case(kwargs=lambda w, n=n: {"pk": w.notes[n].pk}, expect=expect_for(n), label=n)
        for n in names
    ]


def export_cases() -> list[Case]:
    return [
        Case(kwargs=cable),
        Case(kwargs=draft, expect=everyone(404), label="draft"),
        Case(kwargs={"slug": "no-such-cable"}, expect=everyone(404), label="unknown"),
    ]


ROUTES: dict[str, list[Case]] = {
    "healthz": [Case()],
    "bench/baseline": [Case()],
    # Accounts.
    "accounts/signup/": [Case(expect=anonymous_only)],
    "accounts/confirm/": [Case(expect=signed_in())],
    "accounts/confirm/<str:token>/": [
        Case(kwargs={"token": "not-a-token"}, expect=everyone(400)),
    ],
    "accounts/password_reset/": [Case()],
    "accounts/login/": [Case()],
    "accounts/logout/": [Case(expect=everyone(405))],  # POST only (Django 5)
    "accounts/password_change/": [Case(expect=signed_in())],
    "accounts/password_change/done/": [Case(expect=signed_in())],
    "accounts/password_reset/done/": [Case()],
    "accounts/reset/<uidb64>/<token>/": [Case(kwargs={"uidb64": "MQ", "token": "set-password"})],
    "accounts/reset/done/": [Case()],
    # The archive.
    "": [Case(), Case(headers=HTMX, label="htmx")],
    "cables/": [
        Case(),
        Case(headers=HTMX, label="htmx"),
        Case(query={"q": MARKERS["draft-cable"]}, label="draft by name"),
    ],
    "cables/suggestions/": [
        Case(query={"q": "cable"}, headers=HTMX),
        Case(query={"q": MARKERS["draft-cable"]}, headers=HTMX, label="draft"),
    ],
    "participants/": [Case(), Case(headers=HTMX, label="htmx")],
    "participants/suggestions/": [Case(query={"q": "li"}, headers=HTMX)],
    "participants/<slug:slug>/": [
        Case(kwargs=lambda w: {"slug": w.participant.slug}),
        Case(kwargs={"slug": "nobody"}, expect=everyone(404), label="unknown"),
    ],
    "chronology/": [Case(), Case(headers=HTMX, label="htmx")],
    "compare/": [
        Case(),
        Case(query=lambda w: {"a": f"cable:{w.cable.slug}", "b": "agenda:un-draft-1951-07-10"}),
        Case(
            query=lambda w: {"a": f"cable:{w.draft.slug}", "b": f"cable:{w.cable.slug}"},
            expect=everyone(404),
            label="draft",
        ),
    ],
    "compare/suggestions/": [
        Case(query={"b": "cable"}, headers=HTMX),
        Case(query={"side": "a", "a": MARKERS["draft-cable"]}, headers=HTMX, label="draft"),
    ],
    # Telegrams and agendas.
    "agendas/compare/": [
        Case(),
        Case(query={"left": "communist-draft-1951-07-10", "right": "un-draft-1951-07-10"}),
        Case(query={"left": "communist-draft-1951-07-10"}, headers=HTMX, label="htmx"),
    ],
    "agendas/correspondences/propose/": [Case(expect=signed_in(405))],
    "agendas/correspondences/<int:pk>/review/": [
        Case(kwargs=lambda w: {"pk": w.correspondence.pk}, expect=signed_in(405))
    ],
    # The reading view, with its fragments.
    "cables/<slug:slug>/": [
        Case(kwargs=cable),
        Case(kwargs=cable, query={"reading": "corrected"}, label="corrected"),
        Case(kwargs=cable, query={"hl": "Kaesong"}, label="find in cable"),
        Case(
            kwargs=cable,
            headers={**HTMX, "HTTP_HX_TARGET": "reading-text"},
            label="htmx reading-text",
        ),
        Case(kwargs=draft, expect=everyone(404), label="draft"),
    ],
    # Researchers' notes.
    "annotations/": [
        Case(),
        Case(headers=HTMX, label="htmx"),
        Case(query={"scope": "group"}, label="group scope"),
        Case(query={"author": "researcher"}, label="by researcher"),
        Case(query={"author": "other"}, label="by other"),
    ]
    + [
        Case(query=lambda w, n=n: {"tag": w.tags[n]}, label=n)
        for n in ("private-tag", "group-tag", "hidden-tag")
    ],
    "annotations/new/": [Case(expect=signed_in(400), htmx_422=True)],
    # A note on the whole document: its form, for a published cable only.
    "annotations/on/<slug:slug>/": [
        Case(kwargs=cable, expect=signed_in()),
        Case(kwargs=draft, expect=signed_in(404), label="draft"),
        Case(kwargs={"slug": "no-such-cable"}, expect=signed_in(404), label="unknown"),
    ],
    # The link form opens empty; the note form needs a selection (a clear 400).
    "annotations/links/new/": [Case(expect=signed_in())],
    "annotations/<int:pk>/": note_cases("detail"),
    "annotations/<int:pk>/edit/": note_cases("edit"),
    "annotations/<int:pk>/delete/": note_cases("delete"),
    "annotations/<int:pk>/reply/": note_cases("reply"),
    "annotations/<int:pk>/hide/": note_cases("hide"),
    "annotations/<int:pk>/review/": note_cases("review"),
    "annotations/<int:pk>/approve/": note_cases("approve"),
    "annotations/<int:pk>/flag/": note_cases("flag"),
    # The search, with its facets and counts (see also the tests below).
    "search/": [
        Case(),
        Case(query={"q": "Kaesong"}),
        Case(query={"q": "Kaesong"}, headers={**HTMX, "HTTP_HX_TARGET": "search-results"}),
    ]
    + [Case(query={"q": m}, label=n) for n, m in sorted(MARKERS.items())],
    # Exports.
    "cables/export.csv": [Case()],
    "cables/<slug:slug>/export.json": export_cases(),
    "cables/<slug:slug>/export.tei.xml": export_cases(),
    "cables/<slug:slug>/export.txt": export_cases(),
    "cables/<slug:slug>/export.ris": export_cases(),
    "cables/<slug:slug>/export.bib": export_cases(),
    "cables/<slug:slug>/annotations.jsonld": export_cases(),
    "cables/<slug:slug>/references.jsonld": export_cases(),
    "cables/<slug:slug>/annotations.csv": export_cases(),
    "cables/<slug:slug>/annotations.md": export_cases(),
    # Who wrote to whom (issue 16): published records only, the same for everyone.
    "network/": [
        Case(),
        Case(query={"from": "1951-07-10", "to": "1951-07-12"}, label="range"),
        Case(query={"from": "not a date"}, expect=everyone(400), label="bad date"),
    ],
    "network/<slug:source>/<slug:target>/": [
        Case(kwargs={"source": "li-kenong", "target": "mao-zedong"}),
        Case(kwargs={"source": "li-kenong", "target": "nobody"}, expect=everyone(404)),
    ],
    "network/export.gexf": [Case(), Case(query={"min": "0"}, expect=everyone(400))],
    "network/export.graphml": [Case()],
    "network/export.csv": [Case()],
}


# --- the URL configuration --------------------------------------------------


def every_route(resolver=None, prefix: str = ""):
    """(route, pattern) for every address in every urls.py, the admin's included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from every_route(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


def test_every_address_is_in_the_matrix():
    """A new address must be added to ROUTES (the admin's are built below, per model)."""
    routes = {route for route, _ in every_route() if not is_admin(route)}
    assert routes - set(ROUTES) == set(), "addresses missing from the permission matrix"
    assert set(ROUTES) - routes == set(), "the matrix names addresses that no longer exist"
    admin_routes = [route for route, _ in every_route() if is_admin(route)]
    assert admin_routes, "the admin's addresses were not found"
    for route in admin_routes:
        assert admin_case(route) is not None, route


def _url(route: str, kwargs: dict) -> str:
    for name, value in kwargs.items():
        route = re.sub(rf"<(?:\w+:)?{name}>", str(value), route)
    assert "<" not in route, f"no argument for {route}"
    return "/" + route


# Addresses whose 302 is not "sign in first": the permalink sends to the note's cable.
PERMALINKS = {"annotations/<int:pk>/"}


def _resolve(value, world):
    return value(world) if callable(value) else value


# The most-seeing first: a page kept in the page cache for one reader must never be
# served to the next (the cache is emptied before the test only, not between viewers).
MOST_SEEING_FIRST = ["admin", "editor", "researcher", "member", "other", "outsider", "anonymous"]
# Headers each case is also sent with, when it names none of its own: an htmx request
# must not see more than the page.
VARIANTS = [{}, HTMX]


def test_every_address_answers_each_viewer_and_shows_nothing_withheld(client, world):
    assert sorted(MOST_SEEING_FIRST) == sorted(VIEWERS)
    problems = []
    for viewer in MOST_SEEING_FIRST:
        client = client_for(client, world, viewer)
        met = set()
        for route, cases in ROUTES.items():
            for case in cases:
                for headers in [case.headers] if case.headers else VARIANTS:
                    problems += _ask(client, world, viewer, route, case, headers, met)
        # And the pages are not simply empty: each viewer met every marker they may see.
        if missed := sorted(may_see(viewer) - met):
            problems.append(f"{viewer} never met {missed}")
    assert problems == [], "\n".join(problems)


def _ask(client, world, viewer, route, case, headers, met: set) -> list[str]:
    problems = []
    url = _url(route, _resolve(case.kwargs, world))
    query = _resolve(case.query, world)
    response = client.get(url, query, **headers)
    where = f"{viewer} {url} {case.label}{' (htmx)' if headers else ''}"
    expected = case.expect(viewer, world)
    if expected == 400 and headers.get("HTTP_HX_REQUEST") and case.htmx_422:
        expected = 422  # bad input, to htmx (which base.html swaps in like a success)
    if response.status_code != expected:
        problems.append(f"{where}: {response.status_code}, expected {expected}")
    if (
        viewer == "anonymous"
        and response.status_code == 302
        and route not in PERMALINKS
        and not response["Location"].startswith("/accounts/login/?next=")
    ):
        problems.append(f"{where}: sent to {response['Location']}, not to sign in")
    body = b"".join(response) if response.streaming else response.content
    text = body.decode(errors="replace")
    for asked in query.values():
        # What was asked for is echoed (the search box, the title); whether it
        # found anything is the facets-and-counts test's job, below.
        text = text.replace(asked, "")
    met |= {name for name, m in MARKERS.items() if m.lower() in text.lower()}
    found = leaked(text, viewer)
    if found:
        problems.append(f"{where}: shows {found}")
    return problems


# --- the admin --------------------------------------------------------------

ADMIN_LOGIN = "/admin/login/"


def _admin_models() -> dict[str, type[models.Model]]:
    """'app_label/model_name/' -> model, for every model the admin shows."""
    return {
        f"{m._meta.app_label}/{m._meta.model_name}/": m
        for m in apps.get_models()
        if admin.site.is_registered(m)
    }


def admin_case(route: str) -> str | None:
    """How an admin address is built: 'object', 'model', 'app', 'site' or 'catch-all'."""
    rest = route.removeprefix("admin/")
    if rest.startswith("^(?P<app_label>"):
        return "app"
    if rest.startswith("(?P<url>"):
        return "catch-all"
    if rest.startswith("r/"):
        return "object"
    for prefix in _admin_models():
        if rest.startswith(prefix):
            return "object" if "<path:object_id>" in rest or "<id>" in rest else "model"
    return "site" if "<" not in rest else None


def admin_url(route: str, world: World) -> str:
    rest = route.removeprefix("admin/")
    kind = admin_case(route)
    if kind == "app":
        return "/admin/annotations/"
    if kind == "catch-all":
        return "/admin/no-such-page/"
    if rest.startswith("r/"):
        note = world.notes["private"]
        ct = ContentType.objects.get_for_model(Annotation)
        return _url(route, {"content_type_id": ct.pk, "object_id": note.pk})
    for prefix, model in _admin_models().items():
        if rest.startswith(prefix):
            if model is Annotation or issubclass(model, Annotation):
                obj = model._default_manager.filter(pk=world.notes["private"].pk).first()
            else:
                obj = model._default_manager.order_by("pk").first()
            return _url(route, {"object_id": obj.pk if obj else 0, "id": obj.pk if obj else 0})
    return _url(route, {})


def test_the_admin_is_for_staff_and_the_editor_meets_no_private_note(client, world):
    """Every admin address: sign-in for readers, no 500 for staff, and no private
    or group note for the editor (whose permissions stop at the archive)."""
    problems = []
    routes = [route for route, _ in every_route() if is_admin(route)]
    for viewer in VIEWERS:
        client = client_for(client, world, viewer)
        for route in routes:
            url = admin_url(route, world)
            response = client.get(url)
            status = response.status_code
            if viewer not in STAFF:
                if url == ADMIN_LOGIN:
                    ok = status == 200
                elif url == "/admin/logout/":  # to the index, which asks to sign in
                    ok = status == 302 and response["Location"] == "/admin/"
                else:
                    ok = status == 302 and response["Location"].startswith(ADMIN_LOGIN)
                if not ok:
                    problems.append(f"{viewer} {url}: {status} {response.get('Location', '')}")
            elif status >= 500:
                problems.append(f"{viewer} {url}: {status}")
            if viewer == "admin":
                continue  # the superuser keeps every record
            allowed = may_see(viewer) | (
                {"hidden", "hidden-reply", "hidden-tag", "awaiting", "draft-cable"}
                if viewer == "editor"
                else set()
            )
            found = leaked(response.content.decode(errors="replace"), viewer, allowed=allowed)
            if found:
                problems.append(f"{viewer} {url}: shows {found}")
    assert problems == [], "\n".join(problems)


# --- search facets and counts -----------------------------------------------


def _same_page(client, url: str, params: dict, stand_in: dict, swap: tuple[str, str]) -> bool:
    """Whether asking for ``params`` reads exactly like asking for ``stand_in`` (which
    names something that does not exist), once the word asked for is swapped back."""
    asked = client.get(url, params)
    control = client.get(url, stand_in)
    if asked.status_code != control.status_code:
        return False
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')
    one = strip.sub("", asked.content.decode())
    two = strip.sub("", control.content.decode()).replace(*swap)
    return one == two


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_withheld_word_or_tag_reads_like_one_that_does_not_exist(client, world, viewer):
    """Search results, their count and facets, and the tag filters on the search
    and the annotations page: a note or tag one may not see leaves no trace."""
    client = client_for(client, world, viewer)
    withheld = sorted(set(MARKERS) - may_see(viewer) - {"draft-cable"})
    assert withheld or viewer == "admin"
    problems = []
    for name in withheld:
        word = MARKERS[name]
        stand_in = "zzNOSUCHWORDzz"
        if not _same_page(client, "/search/", {"q": word}, {"q": stand_in}, (stand_in, word)):
            problems.append(f"search for {name}")
        if name in world.tags:
            slug, none = world.tags[name], "no-such-tag"
            for url in ("/search/", "/annotations/"):
                if not _same_page(client, url, {"tag": slug}, {"tag": none}, (none, slug)):
                    problems.append(f"{url} tag {name}")
    assert problems == [], problems
    # And the comparison tells: a note the viewer may see does not read like nothing.
    seen = sorted(may_see(viewer) & {"public", "private", "group", "hidden", "awaiting"})
    word = MARKERS[seen[-1]]
    assert not _same_page(
        client, "/search/", {"q": word}, {"q": "zzNOSUCHzz"}, ("zzNOSUCHzz", word)
    )


# --- POST: nothing changes for someone who may not --------------------------


NOTE_FIELDS = [
    "pk", "body", "version", "hidden", "awaiting_review", "correction_status", "replacement",
    "deleted_at", "visibility", "group_id",
]  # fmt: skip


def snapshot():
    """What a POST could change: every note, the rows of what notes hang on, the accounts."""
    notes = list(Annotation.objects.order_by("pk").values_list(*NOTE_FIELDS))
    counts = {
        m.__name__: m.objects.count()
        for m in (Link, Tag, Flag, ReviewEvent, Correspondence, Registration, Agenda, Cable)
    }
    users = list(get_user_model().objects.order_by("pk").values_list("pk", "password", "is_active"))
    correspondences = list(Correspondence.objects.order_by("pk").values_list("pk", "status"))
    return notes, counts, users, correspondences


def post_data(world: World, note: str) -> dict:
    """A form that would be valid for ``note``'s passage, for every action at once."""
    n = world.notes[note]
    return {
        "body": "zzCHANGEDzz",
        "version": n.version,
        "passage": n.passage_id,
        "start": n.start or 0,
        "end": n.end or 1,
        "exact": n.exact,
        "kind": "comment",
        "visibility": "public",
        "decision": "rejected",
        "relation": "related",
        "target_passage": n.passage_id,
        "old_password": "reading-room-test",
        "new_password1": "a-new-long-password-1",
        "new_password2": "a-new-long-password-1",
    }


@pytest.mark.parametrize("viewer", ["anonymous", "other", "outsider", "member"])
def test_a_post_from_someone_who_may_not_changes_nothing(client, world, viewer):
    """Every action on a note the viewer may not act on (another's private, group
    or public note; an editor's action), the correspondence review, and, for an
    anonymous visitor, every address that takes a POST."""
    client = client_for(client, world, viewer)
    before = snapshot()
    refused = []
    note_actions = ["edit", "delete", "reply", "hide", "review", "approve", "flag"]
    targets = (
        ["private", "group", "private-link", "private-document", "group-document"]
        if viewer != "anonymous"
        else sorted(ROOTS | {"awaiting"})
    )
    for name in targets:
        if viewer == "member" and name in ("group", "group-document"):
            continue  # a member may reply to and flag the group's note
        for action in note_actions:
            url = f"/annotations/{world.notes[name].pk}/{action}/"
            response = client.post(url, post_data(world, name))
            refused.append((url, response.status_code))
    for action in ("hide", "review", "approve"):  # editors' actions, on a note all may see
        url = f"/annotations/{world.notes['public'].pk}/{action}/"
        refused.append((url, client.post(url, post_data(world, "public")).status_code))
    url = f"/agendas/correspondences/{world.correspondence.pk}/review/"
    refused.append((url, client.post(url, {"decision": "rejected"}).status_code))
    if viewer != "anonymous":  # no note on a draft, even by one who may write notes
        url = f"/annotations/on/{world.draft.slug}/"
        refused.append((url, client.post(url, post_data(world, "public")).status_code))
    if viewer == "anonymous":
        for url in (
            "/annotations/new/",
            "/annotations/links/new/",
            f"/annotations/on/{world.cable.slug}/",
            "/agendas/correspondences/propose/",
            "/accounts/confirm/",
            "/accounts/password_change/",
        ):
            refused.append((url, client.post(url, post_data(world, "public")).status_code))
    assert snapshot() == before
    allowed = {302} if viewer == "anonymous" else {403, 404}
    assert [(u, s) for u, s in refused if s not in allowed] == []
