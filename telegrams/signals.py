"""Keep references in step with the texts and the records (issue 16).

A passage's references are found again when its text is saved, and a
telegram's when its row is (its author and addressees are who "our" and
"your" name). A published cable, or a telegram, arriving or saved resolves
the references waiting for it on the want-list. Fixture loading (``raw``) is
skipped: ``load_seed`` recomputes once at the end. So are the saves the
importer's writer makes while it gathers documents (``resolution.gathering``):
its batch finds and resolves their references once, at the end of the import's
batch of files. A deleted record's references go back to being resolved (to
another record, or onto the want-list).

It also defines the signal this app sends for the apps above it.
``agenda_items_shown``: the agenda comparison is about to show ``items`` (agenda
items with their passages loaded) to ``user`` in the corrected reading. The
accepted corrections of a text are annotations, which this app may not read
(the apps depend one way), so the annotations app answers: a receiver sets
``item.corrected_html`` on the items whose text a correction changes.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from cables.models import Cable, Passage
from telegrams.models import Telegram
from telegrams.resolution import (
    is_gathering,
    recompute_references,
    resolve_orphans,
    resolve_waiting,
)

agenda_items_shown = Signal()


@receiver(post_save, sender=Passage)
def passage_saved(sender, instance, raw=False, **kwargs):
    if not raw and not is_gathering():
        recompute_references([instance])


@receiver(post_save, sender=Telegram)
def telegram_saved(sender, instance, raw=False, **kwargs):
    if not raw and not is_gathering():
        recompute_references([instance.passage_id])
        resolve_waiting(instance.passage.cable)


@receiver(post_save, sender=Cable)
def cable_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.status == Cable.Status.PUBLISHED and not is_gathering():
        resolve_waiting(instance)


@receiver(post_delete, sender=Cable)
@receiver(post_delete, sender=Telegram)
def record_deleted(sender, instance, **kwargs):
    resolve_orphans()
