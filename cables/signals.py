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
from cables.models import Alias, Participant, Passage


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
