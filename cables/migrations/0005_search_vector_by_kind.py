# The search asks for two tiers of candidates: catalogue records (kind = 'cable')
# and everything else (passages, annotations), each with its own limit. With one
# GIN index over all rows, PostgreSQL built the full bitmap of a common word's
# rows twice, once per tier (17 ms each at 100,000 cables for a phrase). One
# partial index per tier: the catalogue tier now reads an index of catalogue
# records alone. PostgreSQL only, as the index it replaces (migration 0003).

import django.contrib.postgres.indexes
from django.db import migrations
from django.db.models import Q

OLD = django.contrib.postgres.indexes.GinIndex(fields=["vector"], name="search_entry_vector")
NEW = [
    django.contrib.postgres.indexes.GinIndex(
        condition=Q(kind="cable"), fields=["vector"], name="search_vector_catalogue"
    ),
    django.contrib.postgres.indexes.GinIndex(
        condition=~Q(kind="cable"), fields=["vector"], name="search_vector_text"
    ),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("cables", "SearchEntry")
        for index in NEW:
            schema_editor.add_index(model, index)
        schema_editor.remove_index(model, OLD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        model = apps.get_model("cables", "SearchEntry")
        schema_editor.add_index(model, OLD)
        for index in NEW:
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    dependencies = [
        ("cables", "0004_search_people"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="searchentry", name="search_entry_vector"),
                *(migrations.AddIndex(model_name="searchentry", index=index) for index in NEW),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
