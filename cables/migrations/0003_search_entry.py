# The full-text search index (cables.search): one SearchEntry per cable,
# passage and annotation. PostgreSQL: a weighted tsvector column with a GIN
# index, and pg_trgm for misspelt names. SQLite: an FTS5 table over the same
# four weighted columns, kept in step with the rows by triggers. Each database
# gets only its own parts; the migration state is the same on both.
#
# Run `python manage.py rebuild_search_index` after migrating a database that
# already holds cables.

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

GIN = django.contrib.postgres.indexes.GinIndex(fields=['vector'], name='search_entry_vector')

# Keep in step with cables.search.SQLITE_FTS (rebuild_search_index reinstalls it).
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS cables_search_fts USING fts5(
        text_a, text_b, text_c, text_d,
        content='cables_searchentry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
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
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cables_search_fts_ai",
    "DROP TRIGGER IF EXISTS cables_search_fts_ad",
    "DROP TRIGGER IF EXISTS cables_search_fts_au",
    "DROP TABLE IF EXISTS cables_search_fts",
]


def sqlite_fts_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == 'sqlite':
        for sql in SQLITE_FTS:
            schema_editor.execute(sql)


def sqlite_fts_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == 'sqlite':
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


def gin_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == 'postgresql':
        schema_editor.add_index(apps.get_model('cables', 'SearchEntry'), GIN)


def gin_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == 'postgresql':
        schema_editor.remove_index(apps.get_model('cables', 'SearchEntry'), GIN)


class Migration(migrations.Migration):

    dependencies = [
        ('cables', '0002_source_mark'),
    ]

    operations = [
        TrigramExtension(),  # PostgreSQL only (a no-op elsewhere)
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('annotation_id', models.BigIntegerField(blank=True, null=True)),
                ('kind', models.CharField(choices=[('cable', 'Catalogue record'), ('passage', 'Passage'), ('annotation', 'Annotation')], max_length=10)),
                ('text_a', models.TextField(blank=True)),
                ('text_b', models.TextField(blank=True)),
                ('text_c', models.TextField(blank=True)),
                ('text_d', models.TextField(blank=True)),
                ('vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('cable', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cables.cable')),
                ('passage', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cables.passage')),
            ],
            options={
                'verbose_name_plural': 'search entries',
                'indexes': [models.Index(fields=['annotation_id'], name='search_entry_annotation')],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name='searchentry', index=GIN)],
            database_operations=[migrations.RunPython(gin_forwards, gin_backwards)],
        ),
        migrations.RunPython(sqlite_fts_forwards, sqlite_fts_backwards),
    ]
