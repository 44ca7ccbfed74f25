"""Keep the search index in step with the archive, the telegrams and the annotations.

Re-indexed after the transaction commits, once per cable however many rows
changed. Fixture loading (raw) is skipped: ``load_seed`` indexes at the end.
"""

from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from annotations.models import Annotation
from annotations.services import annotations_changed
from cables.models import Alias, Cable, Mention, Participant, Passage
from search.indexer import schedule
from telegrams.models import Telegram, TelegramRecipient


@receiver(post_save, sender=Cable)
@receiver(post_save, sender=Passage)
@receiver(post_delete, sender=Passage)
@receiver(post_save, sender=Telegram)
def search_text_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if isinstance(instance, Cable):
        schedule(cables=[instance.pk])
    elif isinstance(instance, Passage):
        schedule(cables=[instance.cable_id])
    else:  # a telegram: its author's name is indexed with the cable
        schedule(cables=[instance.passage.cable_id])


@receiver(post_save, sender=Participant)
@receiver(post_save, sender=Alias)
@receiver(post_delete, sender=Alias)
def search_names_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    pid = instance.pk if isinstance(instance, Participant) else instance.participant_id
    schedule(participants=[pid])


@receiver(post_save, sender=Mention)
@receiver(post_delete, sender=Mention)
@receiver(post_save, sender=TelegramRecipient)
@receiver(post_delete, sender=TelegramRecipient)
def search_people_changed(sender, instance, raw=False, **kwargs):
    """A mention decided or a recipient changed: the cable's people (a search facet) moved."""
    if raw:
        return
    # A telegram's primary key is its passage's.
    passage = instance.passage_id if hasattr(instance, "passage_id") else instance.telegram_id
    cable = Passage.objects.filter(pk=passage).values_list("cable_id", flat=True).first()
    schedule(cables=[cable])


@receiver(post_save, sender=Annotation)
@receiver(post_delete, sender=Annotation)
def search_annotation_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    schedule(annotations=[instance.pk])


@receiver(annotations_changed)
def search_annotations_updated(sender, ids, **kwargs):
    """Annotations changed by an UPDATE (edited, deleted, hidden): their entries carry
    who may see them (search.access), so they are written again."""
    schedule(annotations=ids)


@receiver(connection_created)
def search_path_on_connect(sender, connection, **kwargs):
    """On PostgreSQL, whether the search ranks through RUM, asked once per database
    (search.backends.postgres.has_rum), here rather than in a search's queries."""
    if connection.vendor == "postgresql":
        from search.backends import postgres

        if connection.settings_dict["NAME"] not in postgres._RUM:
            postgres.detect_rum(connection)


@receiver(post_migrate)
def search_path_after_migrate(sender, using, **kwargs):
    """A migration may have installed the rum extension (search 0002): ask again."""
    if connections[using].vendor == "postgresql" and sender.label == "search":
        from search.backends import postgres

        postgres.detect_rum(connections[using])
