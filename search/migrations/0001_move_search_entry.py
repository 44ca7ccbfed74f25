# The search index, taken over from the ``cables`` app (cables 0006) without
# touching the database: the model keeps its table, cables_searchentry, with
# its rows, its FTS5 table and triggers (SQLite) and its GIN indexes
# (PostgreSQL, made by cables 0003 and 0005).
#
# Then two data steps: the admin's content type (and so its permissions) moves
# with the model, and ``people`` is filled on catalogue rows written before
# that column existed (this step stood in cables 0004 before; see there).

from collections import defaultdict

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="search", model="searchentry").exists():
        ContentType.objects.filter(app_label="cables", model="searchentry").update(
            app_label="search"
        )


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="search", model="searchentry").update(
        app_label="cables"
    )


def fill_people(apps, schema_editor):
    """Fill ``people`` on existing catalogue rows (new rows get it from the indexer)."""
    SearchEntry = apps.get_model("search", "SearchEntry")
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


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cables", "0006_move_search_entry"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("telegrams", "0002_correspondence_status_proposed_by"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
                    ('people', models.TextField(blank=True, default='')),
                    ('cable', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cables.cable')),
                    ('passage', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cables.passage')),
                ],
                options={
                    'verbose_name_plural': 'search entries',
                    'db_table': 'cables_searchentry',
                    'indexes': [models.Index(fields=['annotation_id'], name='search_entry_annotation'), models.Index(condition=models.Q(('kind', 'cable')), fields=['cable'], name='search_entry_catalogue')],
                },
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, content_type_back),
        migrations.RunPython(fill_people, migrations.RunPython.noop),
    ]
