"""One data version per scope instead of one for everything (issue 13).

The old triggers write to the table this migration removes, so they go first;
``install_triggers`` puts the new ones in place after the migrate (post_migrate).
"""

from django.db import migrations, models


def drop_old_triggers(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # CASCADE: every table's trigger that calls it.
            cursor.execute("DROP FUNCTION IF EXISTS readingroom_version_bump() CASCADE")
        elif conn.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'readingroom\\_version\\_%' ESCAPE '\\'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("readingroom", "0001_initial")]

    operations = [
        migrations.RunPython(drop_old_triggers, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="ContentVersion"),
        migrations.CreateModel(
            name="Version",
            fields=[
                ("scope", models.CharField(max_length=250, primary_key=True, serialize=False)),
                ("counter", models.BigIntegerField(default=0)),
            ],
        ),
    ]
