"""Re-anchor annotations and keep a revision whenever a passage's text changes; and
answer the agenda comparison's corrected reading (``telegrams.signals``).

Whoever changes the text may set ``passage.changed_by`` (the admin does) so
that the revision names them. Fixture loading (``raw``) is left alone.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from annotations.models import Annotation
from annotations.services import record_text_change
from cables.models import Passage
from readingroom.spans import Span, excerpt_runs, runs_html
from telegrams.signals import agenda_items_shown


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


@receiver(agenda_items_shown)
def correct_agenda_items(sender, items, user, **kwargs):
    """The corrected reading of the agenda comparison: an item's text is a stretch of
    its telegram, so the accepted corrections ``user`` may see there apply to it,
    marked with the published form (one query; none without items)."""
    passages = {item.passage_id for item in items if item.passage_id and item.text}
    if not passages:
        return
    fixes: dict[int, list[Span]] = {}
    for fix in (
        Annotation.objects.visible_to(user)
        .filter(
            passage__in=passages,
            kind=Annotation.Kind.CORRECTION,
            correction_status=Annotation.Correction.ACCEPTED,
            parent__isnull=True,
            start__isnull=False,
        )
        .exclude(anchor_status=Annotation.Anchor.ORPHANED)
        .only("passage_id", "start", "end", "replacement")
    ):
        fixes.setdefault(fix.passage_id, []).append(Span(fix.start, fix.end, "fix", fix))
    for item in items:
        found = fixes.get(item.passage_id)
        if not found:
            continue
        text = item.passage.text
        # The item's text is its stretch of the telegram without its number ("7. ").
        at = text.find(item.text, item.start or 0, item.end) if item.start is not None else -1
        runs = excerpt_runs(text, item.text, found, at if at >= 0 else None)
        if any(published is not None for _, published in runs):
            item.corrected_html = runs_html(runs)
