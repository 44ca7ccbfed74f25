# The search draws two tiers of candidates, each up to a limit: catalogue
# records (kind = 'cable') and everything else (passages, annotations). One GIN
# index over all rows made PostgreSQL build the whole bitmap of a common word's
# rows before the first candidate, and twice, once per tier: 17-20 ms for a
# phrase at 100,000 cables, however small the limit.
#
# So each tier gets SHARDS partial GIN indexes, one per remainder of cable_id,
# and the search asks the shards one after another (UNION ALL under a LIMIT):
# PostgreSQL stops at the first shards that fill the limit, having built those
# shards' bitmaps only. A rare word still reads every shard, each small. The
# candidates of a broad search are then a spread of the archive (every
# SHARDS-th cable) rather than its first rows. The search's SQL must repeat
# these predicates exactly (cables.search.SHARDS, _Query._match).
#
# PostgreSQL only, like the index they replace (migration 0003); they are not in
# the model's state (Django cannot express the remainder in an index condition
# it compares), as the trigram indexes of 0004 are not.

import django.contrib.postgres.indexes
from django.db import migrations, models

SHARDS = 8
OLD = django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="search_entry_vector")
TIERS = {"catalogue": "kind = 'cable'", "text": "kind <> 'cable'"}


def shard_indexes():
    for tier, kind in TIERS.items():
        for shard in range(SHARDS):
            yield (
                f"search_vector_{tier}_{shard}",
                f"{kind} AND cable_id % {SHARDS} = {shard}",
            )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, where in shard_indexes():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON cables_searchentry "
                f"USING gin (vector) WHERE {where}",
                None,  # no parameters: the % in the predicate is SQL's
            )
        schema_editor.remove_index(apps.get_model("cables", "SearchEntry"), OLD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("cables", "SearchEntry"), OLD)
        for name, _ in shard_indexes():
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0004_search_people"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="searchentry", name="search_entry_vector"),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
        # Both databases: a cable's catalogue row in one probe (the search joins it
        # to every candidate for the people it counts).
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                condition=models.Q(kind="cable"), fields=["cable"], name="search_entry_catalogue"
            ),
        ),
    ]
