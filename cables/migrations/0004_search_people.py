# The search's person and side facets count SearchEntry.people (the ids of
# everyone taking part in or mentioned in a cable, on its catalogue row) instead
# of joining passages, telegrams, recipients and mentions for every search.
# PostgreSQL also gets trigram indexes on names and aliases, so looking up the
# names in a query (and misspelt names) no longer reads every name.

from collections import defaultdict
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


def fill_people(apps, schema_editor):
    """Fill ``people`` on existing catalogue rows (new rows get it from the indexer)."""
    SearchEntry = apps.get_model("cables", "SearchEntry")
    Cable = apps.get_model("cables", "Cable")
    Telegram = apps.get_model("telegrams", "Telegram")
    Recipient = apps.get_model("telegrams", "TelegramRecipient")
    Mention = apps.get_model("cables", "Mention")
    if not SearchEntry.objects.filter(kind="cable").exists():
        return
    people = defaultdict(set)
    for cable, sender, recipient in Cable.objects.values_list("pk", "sender_id", "recipient_id"):
        people[cable].update(p for p in (sender, recipient) if p)
    for cable, author in Telegram.objects.exclude(author=None).values_list(
        "passage__cable_id", "author_id"
    ):
        people[cable].add(author)
    for cable, person in Recipient.objects.values_list(
        "telegram__passage__cable_id", "participant_id"
    ):
        people[cable].add(person)
    for cable, person in Mention.objects.exclude(status="rejected").values_list(
        "passage__cable_id", "participant_id"
    ):
        people[cable].add(person)
    rows = list(SearchEntry.objects.filter(kind="cable").only("pk", "cable_id"))
    for row in rows:
        row.people = " ".join(str(p) for p in sorted(people.get(row.cable_id, ())))
    SearchEntry.objects.bulk_update(rows, ["people"], batch_size=2000)


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
        ("telegrams", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="people",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(sqlite_fts_again, migrations.RunPython.noop),
        migrations.RunPython(fill_people, migrations.RunPython.noop),
        migrations.RunPython(trigram_forwards, trigram_backwards),
    ]
