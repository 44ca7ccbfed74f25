"""Annotations for the list and export tests: one of each visibility case, on the seed cable.

``build_scene(users)`` adds to the seed's 11 public corrections:

- ``private``: the researcher's private note;
- ``group``: the researcher's note shared with "Kaesong team" (the researcher and
  ``member``; not the outsider, not ``other``, not the editor);
- ``public``: the outsider's public note, with a public reply by the researcher
  (``public-reply``) and a soft-deleted reply (``deleted-reply``);
- ``hidden``: the outsider's public note hidden by an editor, with a reply by the
  researcher (``hidden-reply``) that is not hidden itself;
- ``deleted``: the researcher's public note, soft-deleted.

Each body carries a marker word (``zzPRIVATEzz`` …) that appears nowhere else,
so a test can look for it in any page or file. ``VISIBLE[viewer]`` is what each
viewer must see — and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from annotations import services
from annotations.models import Annotation, ResearchGroup
from cables.models import Cable, Passage

SEED_SLUG = "cable-21680-mao-to-filippov-1951-07-11"
SEED_ROOTS = 11  # the seed's public corrections

ROOTS = {"private", "group", "public", "hidden", "deleted"}
REPLIES = {"public-reply", "deleted-reply", "hidden-reply"}
EVERYONE = {"public", "public-reply"}
VISIBLE = {
    "anonymous": EVERYONE,
    "outsider": EVERYONE | {"hidden", "hidden-reply"},  # the author of the hidden note
    "editor": EVERYONE | {"hidden", "hidden-reply"},
    "admin": EVERYONE | {"hidden", "hidden-reply"},
    "researcher": EVERYONE | {"private", "group"},  # its root is hidden: no hidden-reply
    "member": EVERYONE | {"group"},
    "other": EVERYONE,
}
VIEWERS = list(VISIBLE)


def marker(name: str) -> str:
    """``zzPUBLICREPLYzz``: letters only (Markdown leaves it alone), none inside another."""
    return f"zz{name.replace('-', '').upper()}zz"


def annotate(user, passage: Passage, quote: str, *, nth: int = 0, body: str = "", **kw):
    """A new annotation on the ``nth`` occurrence of ``quote``, through the service."""
    start = -1
    for _ in range(nth + 1):
        start = passage.text.index(quote, start + 1)
    return services.create_annotation(
        user=user,
        passage=passage,
        start=start,
        end=start + len(quote),
        exact=quote,
        body=body,
        **kw,
    )


@dataclass
class Scene:
    cable: Cable
    group: ResearchGroup
    viewers: dict  # name -> user, or None for an anonymous visitor
    notes: dict  # marker name -> Annotation


def build_scene(users) -> Scene:
    User = get_user_model()
    member = User.objects.create_user("member", "member@example.org", users.password)
    other = User.objects.create_user("other", "other@example.org", users.password)
    group = ResearchGroup.objects.create(name="Kaesong team", slug="kaesong-team")
    group.members.add(users.researcher, member)

    cable = Cable.objects.get(slug=SEED_SLUG)
    p = {x.position: x for x in cable.passages.all()}
    public = Annotation.Visibility.PUBLIC
    notes = {
        "private": annotate(
            users.researcher,
            p[3],
            "four telegrams",
            body=f"Which four? {marker('private')}",
            tags=["telegrams"],
        ),
        "group": annotate(
            users.researcher,
            p[5],
            "Adoption of the agenda",
            body=f"Compare the UN draft. {marker('group')}",
            kind=Annotation.Kind.QUESTION,
            visibility=Annotation.Visibility.GROUP,
            group=group,
        ),
        "public": annotate(
            users.outsider,
            p[4],
            "Kaesong",
            body=f"**Kaesong**, the old capital. {marker('public')}",
            kind=Annotation.Kind.IDENTIFICATION,
            visibility=public,
            tags=["places", "Kaesong talks"],
        ),
        "hidden": annotate(
            users.outsider,
            p[7],
            "Joy",
            body=f"Off-topic remark. {marker('hidden')}",
            visibility=public,
        ),
        "deleted": annotate(
            users.researcher,
            p[2],
            "FILIPPOV",
            body=f"Stalin. {marker('deleted')}",
            visibility=public,
        ),
    }
    notes["public-reply"] = services.reply(
        user=users.researcher, parent=notes["public"], body=f"Agreed. {marker('public-reply')}"
    )
    notes["deleted-reply"] = services.reply(
        user=users.outsider, parent=notes["public"], body=f"Oops. {marker('deleted-reply')}"
    )
    notes["hidden-reply"] = services.reply(
        user=users.researcher, parent=notes["hidden"], body=f"Why? {marker('hidden-reply')}"
    )
    Annotation.objects.filter(pk=notes["hidden"].pk).update(hidden=True)
    Annotation.objects.filter(pk__in=[notes["deleted"].pk, notes["deleted-reply"].pk]).update(
        deleted_at=timezone.now()
    )
    viewers = {
        "anonymous": None,
        "outsider": users.outsider,
        "editor": users.editor,
        "admin": users.admin,
        "researcher": users.researcher,
        "member": member,
        "other": other,
    }
    return Scene(cable=cable, group=group, viewers=viewers, notes=notes)


def client_for(client, scene: Scene, viewer: str):
    user = scene.viewers[viewer]
    if user is not None:
        client.force_login(user)
    return client


def assert_only_visible(text: str, viewer: str) -> None:
    """Every marker ``viewer`` may see is in ``text``; no other marker is."""
    for name in ROOTS | REPLIES:
        if name in VISIBLE[viewer]:
            assert marker(name) in text, f"{viewer} should see {name}"
        else:
            assert marker(name) not in text, f"{viewer} must not see {name}"
