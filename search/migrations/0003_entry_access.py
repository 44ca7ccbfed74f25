# Who may see an annotation's search entry, kept on the entry itself (issue 13), as
# a search engine keeps access fields on its documents: the search then checks the
# visibility rule on the index row, with no join to annotations, passages and
# cables (search.access). This fills the new columns of the existing annotation
# rows from their annotations, and drops the rows nobody may see (a deleted note,
# a reply to a deleted note), which the indexer no longer writes.

from django.db import migrations, models

ANNOTATION = "annotations_annotation"
ENTRY = "cables_searchentry"
COLUMNS = ("visibility", "hidden", "author_id", "group_id")


# SQLite adds a column with a default by remaking the table, which drops the
# triggers that keep the FTS5 table in step (cables 0003); the rows keep their ids,
# so the FTS5 table stays right and only the triggers come back (the same as
# search.backends.sqlite.SQLITE_FTS).
SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS cables_search_fts_ai AFTER INSERT ON cables_searchentry BEGIN
        INSERT INTO cables_search_fts(rowid, text_a, text_b, text_c, text_d)
        VALUES (new.id, new.text_a, new.text_b, new.text_c, new.text_d);
    END""",
    """CREATE TRIGGER IF NOT EXISTS cables_search_fts_ad AFTER DELETE ON cables_searchentry BEGIN
        INSERT INTO cables_search_fts(cables_search_fts, rowid, text_a, text_b, text_c, text_d)
        VALUES ('delete', old.id, old.text_a, old.text_b, old.text_c, old.text_d);
    END""",
    """CREATE TRIGGER IF NOT EXISTS cables_search_fts_au AFTER UPDATE ON cables_searchentry BEGIN
        INSERT INTO cables_search_fts(cables_search_fts, rowid, text_a, text_b, text_c, text_d)
        VALUES ('delete', old.id, old.text_a, old.text_b, old.text_c, old.text_d);
        INSERT INTO cables_search_fts(rowid, text_a, text_b, text_c, text_d)
        VALUES (new.id, new.text_a, new.text_b, new.text_c, new.text_d);
    END""",
]


def fill_access(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)
    own = ", ".join(
        f"{c} = (SELECT a.{c} FROM {ANNOTATION} a WHERE a.id = {ENTRY}.annotation_id)"
        for c in COLUMNS
    )
    parent = ", ".join(
        f"parent_{c} = COALESCE((SELECT p.{c} FROM {ANNOTATION} a JOIN {ANNOTATION} p "
        f"ON p.id = a.parent_id WHERE a.id = {ENTRY}.annotation_id), {default})"
        for c, default in zip(COLUMNS, ("''", "FALSE", "NULL", "NULL"), strict=True)
    )
    schema_editor.execute(f"UPDATE {ENTRY} SET {own}, {parent} WHERE annotation_id IS NOT NULL")
    schema_editor.execute(
        f"DELETE FROM {ENTRY} WHERE annotation_id IS NOT NULL AND annotation_id NOT IN ("
        f"SELECT a.id FROM {ANNOTATION} a LEFT JOIN {ANNOTATION} p ON p.id = a.parent_id "
        "WHERE a.deleted_at IS NULL AND (a.parent_id IS NULL OR p.deleted_at IS NULL))"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0007_drafts_and_provenance"),
        ("search", "0002_rum_index"),
        ("annotations", "0002_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="author_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="group_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="hidden",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="parent_author_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="parent_group_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="parent_hidden",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="parent_visibility",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="visibility",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                condition=models.Q(("kind", "annotation")),
                fields=["cable"],
                name="search_entry_notes",
            ),
        ),
        migrations.RunPython(fill_access, migrations.RunPython.noop),
    ]
