"""Keep participant mentions in step with the texts and the names.

A passage's mentions are recomputed when its text is saved. When a
participant's name or an alias changes, the passages that contain that name,
or already mention that participant, are recomputed. Fixture loading
(``raw=True``) is skipped: ``load_seed`` recomputes once at the end.
"""

from functools import reduce
from operator import or_

from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cables.mentions import recompute_mentions
from cables.models import Alias, Cable, Participant, Passage


def _recompute_for(participant_id: int, names: list[str]) -> None:
    where = reduce(or_, (Q(text__icontains=n) for n in names if n), Q())
    where |= Q(mentions__participant_id=participant_id)
    recompute_mentions(Passage.objects.filter(where).distinct())


@receiver(post_save, sender=Passage)
def passage_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        recompute_mentions([instance])


@receiver(post_save, sender=Participant)
def participant_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _recompute_for(instance.pk, [instance.name])


@receiver(post_save, sender=Alias)
@receiver(post_delete, sender=Alias)
def alias_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _recompute_for(instance.participant_id, [instance.name])


# Search index (cables.search) -------------------------------------------------
# Re-indexed after the transaction commits, once per cable however many rows
# changed. Fixture loading (raw) is skipped: load_seed indexes at the end.


@receiver(post_save, sender=Cable)
@receiver(post_save, sender=Passage)
@receiver(post_delete, sender=Passage)
@receiver(post_save, sender="telegrams.Telegram")
def search_text_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cables import search

    if isinstance(instance, Cable):
        search.schedule(cables=[instance.pk])
    elif isinstance(instance, Passage):
        search.schedule(cables=[instance.cable_id])
    else:  # a telegram: its author's name is indexed with the cable
        search.schedule(cables=[instance.passage.cable_id])


@receiver(post_save, sender=Participant)
@receiver(post_save, sender=Alias)
@receiver(post_delete, sender=Alias)
def search_names_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cables import search

    pid = instance.pk if isinstance(instance, Participant) else instance.participant_id
    search.schedule(participants=[pid])


@receiver(post_save, sender="cables.Mention")
@receiver(post_delete, sender="cables.Mention")
@receiver(post_save, sender="telegrams.TelegramRecipient")
@receiver(post_delete, sender="telegrams.TelegramRecipient")
def search_people_changed(sender, instance, raw=False, **kwargs):
    """A mention decided or a recipient changed: the cable's people (a search facet) moved."""
    if raw:
        return
    from cables import search

    # A telegram's primary key is its passage's.
    passage = instance.passage_id if hasattr(instance, "passage_id") else instance.telegram_id
    cable = Passage.objects.filter(pk=passage).values_list("cable_id", flat=True).first()
    search.schedule(cables=[cable])


@receiver(post_save, sender="annotations.Annotation")
@receiver(post_delete, sender="annotations.Annotation")
def search_annotation_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from cables import search

    search.schedule(annotations=[instance.pk])
