# The search's person and side facets count SearchEntry.people (the ids of
# everyone taking part in or mentioned in a cable, on its catalogue row) instead
# of joining passages, telegrams, recipients and mentions for every search.
# PostgreSQL also gets trigram indexes on names and aliases, so looking up the
# names in a query (and misspelt names) no longer reads every name.
#
# Filling ``people`` on catalogue rows written before this column existed needs
# the telegrams' recipients. That step first stood here, which made the archive
# app's migrations depend on telegrams'; it now runs in search 0001 (databases
# that had already applied this migration lose nothing: it refills the same
# values).

from importlib import import_module

from django.db import migrations, models

# SQLite remakes cables_searchentry to add the column, which drops the triggers
# that keep the FTS5 table in step: they are installed again, and the FTS5
# index rebuilt from the rows (the statements as migration 0003 froze them).
FTS = import_module("cables.migrations.0003_search_entry")

TRIGRAM_INDEXES = [
    ("cables_participant_name_trgm", "cables_participant"),
    ("cables_alias_name_trgm", "cables_alias"),
]


def sqlite_fts_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in FTS.SQLITE_DROP + FTS.SQLITE_FTS:
            schema_editor.execute(sql)
        schema_editor.execute("INSERT INTO cables_search_fts(cables_search_fts) VALUES ('rebuild')")


def trigram_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table in TRIGRAM_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (name gin_trgm_ops)"
            )


def trigram_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _ in TRIGRAM_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("cables", "0003_search_entry"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="people",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(sqlite_fts_again, migrations.RunPython.noop),
        migrations.RunPython(trigram_forwards, trigram_backwards),
    ]
