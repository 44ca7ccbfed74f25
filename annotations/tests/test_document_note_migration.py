"""annotations 0004 (notes on the whole document) keeps every note written before it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.migration_helpers import at_the_end_migrated_forward  # noqa: F401 (a fixture)
from tests.migration_helpers import executor as _executor

BEFORE = ("annotations", "0003_review_log_flags_and_moderation")
AFTER = ("annotations", "0004_document_notes")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_the_end_migrated_forward")
def test_notes_written_before_the_migration_are_kept_as_notes_on_words():
    from readingroom.caching import install_migrating_triggers

    install_migrating_triggers()  # as pre_migrate does before `migrate`
    executor = _executor()
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "annotations"]
    executor.migrate([BEFORE])
    old = _executor().loader.project_state([*others, BEFORE]).apps
    User = old.get_model("auth", "User")
    Cable = old.get_model("cables", "Cable")
    Passage = old.get_model("cables", "Passage")
    Annotation = old.get_model("annotations", "Annotation")
    author = User.objects.create(username="rosa")
    cable = Cable.objects.create(title="A cable", slug="a-cable", date=dt.date(1951, 7, 11))
    passage = Passage.objects.create(cable=cable, position=0, text="Kaesong, 10 July.")
    note = Annotation.objects.create(
        passage=passage, author=author, exact="Kaesong", start=0, end=7, body="The old capital."
    )
    Annotation.objects.create(passage=passage, author=author, parent=note, body="Yes.")

    _executor().migrate([AFTER])
    new = _executor().loader.project_state([*others, AFTER]).apps
    rows = list(
        new.get_model("annotations", "Annotation")
        .objects.order_by("pk")
        .values_list("body", "exact", "start", "end", "on_document")
    )
    assert rows == [("The old capital.", "Kaesong", 0, 7, False), ("Yes.", "", None, None, False)]
