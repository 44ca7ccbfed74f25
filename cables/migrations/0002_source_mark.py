# Generated for the importers (cables.importers): footnote calls, page breaks and glosses
# kept from imported editions, and a FRUS telegram's precedence.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cables', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='cable',
            name='precedence',
            field=models.CharField(blank=True, help_text='e.g. Priority, Niact (FRUS telegrams).', max_length=40),
        ),
        migrations.AddIndex(
            model_name='cable',
            index=models.Index(fields=['record_id'], name='cable_record_id'),
        ),
        migrations.AddIndex(
            model_name='cable',
            index=models.Index(fields=['source_url'], name='cable_source_url'),
        ),
        migrations.CreateModel(
            name='SourceMark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('note', 'Footnote call'), ('page', 'Page break'), ('abbr', 'Abbreviation')], max_length=4)),
                ('start', models.PositiveIntegerField()),
                ('end', models.PositiveIntegerField()),
                ('label', models.CharField(blank=True, help_text='Note number or page number.', max_length=40)),
                ('target', models.CharField(blank=True, help_text="The source's id, e.g. d427fn2.", max_length=120)),
                ('expansion', models.CharField(blank=True, help_text="An abbreviation's gloss.", max_length=300)),
                ('note', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='calls', to='cables.passage')),
                ('passage', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='marks', to='cables.passage')),
            ],
            options={
                'ordering': ['passage', 'start', 'kind'],
                'constraints': [models.CheckConstraint(condition=models.Q(('start__lte', models.F('end'))), name='source_mark_span')],
            },
        ),
    ]
