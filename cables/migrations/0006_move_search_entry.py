# The search index moves to the ``search`` app. Only Django's record of the
# models changes: the table (cables_searchentry), its FTS5 table and triggers
# (SQLite) and its GIN indexes (PostgreSQL) stay as they are, with their rows.
# search 0001 takes the model over under the same table name.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0005_search_vector_by_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SearchEntry")],
            database_operations=[],
        ),
    ]
