"""Re-anchor annotations and keep a revision whenever a passage's text changes.

Whoever changes the text may set ``passage.changed_by`` (the admin does) so
that the revision names them. Fixture loading (``raw``) is left alone.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from annotations.services import record_text_change
from cables.models import Passage


@receiver(pre_save, sender=Passage)
def remember_old_text(sender, instance, raw=False, **kwargs):
    instance._text_before = None
    if not raw and instance.pk:
        instance._text_before = (
            Passage.objects.filter(pk=instance.pk).values_list("text", flat=True).first()
        )


@receiver(post_save, sender=Passage)
def text_changed(sender, instance, created=False, raw=False, **kwargs):
    before = getattr(instance, "_text_before", None)
    if raw or created or before is None or before == instance.text:
        return
    record_text_change(instance, before, getattr(instance, "changed_by", None))
