"""The search index moved from ``cables`` to ``search`` without losing a row.

A database migrated by the code before the move holds ``cables.SearchEntry``
rows (and, on SQLite, their FTS5 index; on PostgreSQL, their tsvectors and
GIN indexes). Migrating it forward (cables 0006, search 0001) only hands the
model to the new app: the same table, the same rows, still found by the
database's full-text index, the admin's content type (and so its permissions)
carried over, and ``people`` filled on catalogue rows that lacked it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests.migration_helpers import at_the_end_migrated_forward  # noqa: F401 (a fixture)
from tests.migration_helpers import executor as _executor

LAST_BEFORE_THE_MOVE = ("cables", "0005_search_vector_by_kind")


def _matches(word: str) -> list[int]:
    """Ids of the index rows the database's own full-text index finds for ``word``."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid FROM cables_search_fts WHERE cables_search_fts MATCH %s", [word]
            )
        else:
            cursor.execute(
                "SELECT id FROM cables_searchentry WHERE vector @@ plainto_tsquery('english', %s)",
                [word],
            )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_the_end_migrated_forward")
def test_rows_written_before_the_move_are_kept_and_found():
    from readingroom.caching import install_migrating_triggers

    install_migrating_triggers()  # as pre_migrate does before `migrate`
    executor = _executor()
    # Every other app as it is now, but those built on the archive after the move
    # (search, interchange's proxy of Cable, the reading pages' kept layers): cables as
    # it was, and no search yet.
    later = ("cables", "search", "interchange", "reading")
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] not in later]
    executor.migrate(
        [*others, LAST_BEFORE_THE_MOVE, ("search", None), ("interchange", None), ("reading", None)]
    )
    old = _executor().loader.project_state([*others, LAST_BEFORE_THE_MOVE]).apps

    # Data as the code before the move wrote it.
    Participant = old.get_model("cables", "Participant")
    Cable = old.get_model("cables", "Cable")
    Passage = old.get_model("cables", "Passage")
    OldEntry = old.get_model("cables", "SearchEntry")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    mao = Participant.objects.create(name="Mao Zedong", slug="mao-zedong", sort_name="Mao")
    stalin = Participant.objects.create(name="Joseph Stalin", slug="stalin", sort_name="Stalin")
    cable = Cable.objects.create(
        title="Mao to Filippov on the ceasefire talks",
        slug="mao-to-filippov",
        date=dt.date(1951, 7, 11),
        sender=mao,
        recipient=stalin,
    )
    passage = Passage.objects.create(
        cable=cable, position=1, kind="text", text="The armistice talks opened at Kaesong."
    )
    catalogue = OldEntry.objects.create(cable=cable, kind="cable", text_a=cable.title, people="")
    text = OldEntry.objects.create(
        cable=cable, passage=passage, kind="passage", text_c=passage.text
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cables_searchentry SET vector = to_tsvector('english', "
                "text_a || ' ' || text_b || ' ' || text_c || ' ' || text_d)"
            )
    # The content type as the old app registry named it, with a permission on it.
    ContentType.objects.filter(model="searchentry").delete()
    old_type = ContentType.objects.create(app_label="cables", model="searchentry")
    view = Permission.objects.create(
        content_type=old_type, codename="view_searchentry", name="Can view search entry"
    )
    assert _matches("armistice") == [text.pk]

    # Forward, as `migrate` does on a database in production.
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.contrib.auth.models import Permission as PermissionNow
    from django.contrib.contenttypes.models import ContentType as ContentTypeNow

    from search.models import SearchEntry

    assert SearchEntry._meta.db_table == "cables_searchentry"
    rows = {e.pk: e for e in SearchEntry.objects.all()}
    assert set(rows) == {catalogue.pk, text.pk}
    assert rows[text.pk].text_c == "The armistice talks opened at Kaesong."
    assert rows[catalogue.pk].text_a == "Mao to Filippov on the ceasefire talks"
    # Everyone taking part, for the person facets: sender and recipient.
    assert set(rows[catalogue.pk].people.split()) == {str(mao.pk), str(stalin.pk)}
    # The database's full-text index still answers for the old rows.
    assert _matches("armistice") == [text.pk]
    assert _matches("Kaesong") == [text.pk]
    # The admin's content type moved with the model, keeping its id and permissions.
    moved = ContentTypeNow.objects.get(pk=old_type.pk)
    assert (moved.app_label, moved.model) == ("search", "searchentry")
    assert PermissionNow.objects.get(pk=view.pk).content_type_id == old_type.pk
