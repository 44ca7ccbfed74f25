"""The editors' review queue: imported records that wait for an editor."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cables.models import Cable


class DraftManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(status=Cable.Status.DRAFT)


class Draft(Cable):
    """A cable the importer could not fully place, as the review queue lists it.

    A proxy: the same row as the cable, published by setting its status.
    """

    objects = DraftManager()

    class Meta:
        proxy = True
        verbose_name = "draft to review"
        verbose_name_plural = "drafts to review"

    def gaps(self) -> list[str]:
        """What the importer could not place, then the reviewed fields it did not find."""
        missing = [
            f"no {name.replace('_', ' ')}"
            for name, how in self.provenance.items()
            if how == Cable.Found.MISSING and name in ("title", "date", "archive")
        ]
        return [*self.problems, *missing]


class Upload(models.Model):
    """A document an editor uploaded or pasted, kept between its preview and its import.

    The confirmation names it by a signed token instead of sending the whole
    text back, so a confirmation is as large as the token, whatever the file.
    Uploads older than a day are deleted when a new one is stored.
    """

    name = models.CharField(max_length=255)
    text = models.TextField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_uploads"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Clearing out uploads nobody confirmed.
            models.Index(fields=["created"], name="upload_created"),
        ]

    def __str__(self) -> str:
        return self.name
