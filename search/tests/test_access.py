"""Who may see an annotation's search entry is decided on the entry itself (issue 13):
the entries the search lets through must be exactly the annotations of
``Annotation.objects.visible_to``, for every kind of reader, and stay so as notes
are edited, hidden, deleted and answered, and as groups change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from annotations import services
from annotations.models import Annotation, ResearchGroup
from cables.models import Cable, Passage
from search.access import Reader, entry_condition
from search.backends.base import fetch, table
from search.models import SearchEntry
from search.services import search

WORD = "quokka"
PUBLIC, GROUP, PRIVATE = (
    Annotation.Visibility.PUBLIC,
    Annotation.Visibility.GROUP,
    Annotation.Visibility.PRIVATE,
)


def entry_visible(user) -> set[int]:
    """The annotations whose entries the search lets ``user`` see."""
    condition, params = entry_condition(Reader.of(user))
    sql = (
        f"SELECT e.annotation_id FROM {table(SearchEntry)} e "
        f"WHERE e.kind = 'annotation' AND {condition}"
    )
    return {row[0] for row in fetch(sql, params)}


def rule_visible(user) -> set[int]:
    return set(Annotation.objects.visible_to(user).values_list("pk", flat=True))


def found(user) -> int:
    """How many rows a search for WORD finds for ``user`` (all notes: the text lacks it)."""
    return sum(hit.matches for hit in search(WORD, user).hits)


@pytest.fixture
def notes(seed, users, django_capture_on_commit_callbacks):
    """Notes of every kind the rule tells apart, each holding WORD, written through the
    models' saves (the index kept by the signals once each write commits)."""
    passage = Passage.objects.filter(cable__status=Cable.Status.PUBLISHED).first()
    draft = Cable.objects.create(slug="draft", title="A draft", status=Cable.Status.DRAFT)
    draft_passage = Passage.objects.create(cable=draft, position=0, text=f"Draft {WORD} text")
    mine, theirs = (
        ResearchGroup.objects.create(name="Mine", slug="mine"),
        ResearchGroup.objects.create(name="Theirs", slug="theirs"),
    )
    mine.members.add(users.researcher)
    theirs.members.add(users.outsider)
    exact = passage.text.split()[0]

    def note(author, visibility, group=None, *, parent=None, on=passage, **fields):
        quote = {} if parent else {"exact": exact, "start": 0, "end": len(exact)}
        return Annotation.objects.create(
            passage=on,
            author=author,
            parent=parent,
            body=f"A {WORD} note",
            visibility=visibility,
            group=group,
            **quote,
            **fields,
        )

    r, o, e = users.researcher, users.outsider, users.editor
    with django_capture_on_commit_callbacks(execute=True):
        n = {
            "public": note(o, PUBLIC),
            "hidden": note(o, PUBLIC, hidden=True),
            "private_r": note(r, PRIVATE),
            "private_o": note(o, PRIVATE),
            "group_mine": note(r, GROUP, mine),
            "group_theirs": note(o, GROUP, theirs),
            "group_mine_by_editor": note(e, GROUP, mine),
            "draft": note(o, PUBLIC, on=draft_passage),
        }
        n["deleted"] = note(o, PUBLIC)
        n["reply_to_hidden"] = note(r, PUBLIC, parent=n["hidden"])
        n["reply_to_private"] = note(r, PRIVATE, parent=n["private_r"])
        n["reply_to_deleted"] = note(o, PUBLIC, parent=n["deleted"])
        n["reply_in_group"] = note(o, GROUP, mine, parent=n["group_mine"])
        n["reply_to_public"] = note(r, PUBLIC, parent=n["public"])
        services.delete_annotation(n["deleted"])
    return n


def readers(users):
    return {
        "anonymous": AnonymousUser(),
        "researcher": users.researcher,
        "outsider": users.outsider,
        "editor": users.editor,
    }


def assert_same(users):
    for name, user in readers(users).items():
        expected = rule_visible(user)
        assert entry_visible(user) == expected, name
        with_word = Annotation.objects.filter(pk__in=expected, body__contains=WORD)
        assert found(user) == with_word.count(), name


@pytest.mark.django_db
def test_the_entries_a_reader_may_see_are_the_rules(notes, users):
    assert_same(users)
    # Nobody finds a deleted note, a reply to it or a draft's note: they have no entry.
    indexed = set(SearchEntry.objects.exclude(annotation_id=None).values_list("annotation_id"))
    assert not {(notes[k].pk,) for k in ("deleted", "reply_to_deleted", "draft")} & indexed
    # Spot checks of the rule itself, so the comparison is not of two empty sets.
    ours = {n.pk for n in notes.values()}
    assert rule_visible(AnonymousUser()) & ours == {notes["public"].pk, notes["reply_to_public"].pk}
    assert notes["reply_in_group"].pk in rule_visible(users.researcher)
    assert notes["reply_in_group"].pk not in rule_visible(users.outsider)
    assert notes["reply_to_hidden"].pk in rule_visible(users.editor)
    assert notes["reply_to_hidden"].pk not in rule_visible(users.researcher)


@pytest.mark.django_db
def test_the_entries_follow_every_change_of_who_may_see(
    notes, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_hidden(notes["public"], True)  # hides its reply as well
    assert_same(users)
    assert notes["reply_to_public"].pk not in entry_visible(AnonymousUser())
    with django_capture_on_commit_callbacks(execute=True):
        services.set_hidden(notes["public"], False)
        services.update_annotation(
            notes["private_r"], version=notes["private_r"].version, visibility=PUBLIC
        )
    assert_same(users)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_annotation(notes["group_mine"])  # its reply goes with it
    assert_same(users)
    assert notes["reply_in_group"].pk not in entry_visible(users.researcher)
    # Group membership is read at each search: no entry changes, and the rule holds.
    ResearchGroup.objects.get(slug="theirs").members.add(users.researcher)
    ResearchGroup.objects.get(slug="mine").members.remove(users.researcher)
    assert_same(users)
    assert notes["group_theirs"].pk in entry_visible(users.researcher)
    # An editor no longer: the hidden note's reply is out of sight.
    users.editor.is_staff = False
    users.editor.save()
    assert_same(users)
