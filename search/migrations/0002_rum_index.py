# PostgreSQL ranks the search's matches inside its index (issue 13): the RUM
# extension's index keeps each word's positions and weights, so
# `ORDER BY vector <=> query LIMIT n` scores every match from the index alone
# and hands back the best first; a plain GIN index can only find matches, and
# ts_rank over every match of a common word reads every matching row.
#
# Two partial indexes, one per tier of the ranking (search.services._Query.ranking):
# catalogue records, then passages and annotations. The search's SQL repeats
# their predicates (search.backends.postgres.PostgresQuery.ranked). The sharded
# GIN indexes of cables 0005 stay: the count reads matches in index order
# through them and stops at its ceiling.
#
# The extension is a package of the database server (Debian: postgresql-15-rum).
# `make test` and `make bench` install it where they can; docker-compose's db
# image has it (deploy/db/Dockerfile). Where the server lacks it (a developer's
# own server), this migration makes nothing and the search takes its other path:
# every match scored with ts_rank_cd and sorted, as exact and slower
# (search.backends.postgres); `manage.py check` then names the package to install,
# and `manage.py rebuild_search_index` makes the extension and these indexes once
# it is installed.
#
# PostgreSQL only, like the indexes of 0003-0005 (not in the model's state).

from django.db import migrations

INDEXES = {
    "search_rum_catalogue": "kind = 'cable'",
    "search_rum_text": "kind <> 'cable'",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        available = cursor.fetchone()
    if not available:
        return  # the search ranks without RUM; `manage.py check` says what to install
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    for name, where in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON cables_searchentry "
            f"USING rum (vector rum_tsvector_ops) WHERE {where}"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_move_search_entry"),
        ("cables", "0007_drafts_and_provenance"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
