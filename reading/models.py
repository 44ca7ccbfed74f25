"""What the reading pages keep in the database: each cable's fixed layers."""

from __future__ import annotations

from django.db import models


class KeptLayers(models.Model):
    """A cable's fixed layers (``reading.layers.CableLayers``) as last rendered for
    one origin, so that a cable no one has read since the last change is served
    without rendering them, by any process, after any restart, with or without
    a shared cache.

    ``token`` names the release and the versions they were rendered at; a row
    whose token is not the current one is never read, and the next render for
    that cable and origin replaces it (one row per cable and origin). The
    payload is the layers pickled and compressed, written only by this app,
    as Django's database cache keeps its values.

    ``page`` is the whole page an anonymous reader gets at the cable's address
    (no query, no htmx), compressed, with the CSRF placeholder where each
    response puts its requester's token; empty until a page or
    ``keep_layers`` renders it. It is named by the same token, and writing new
    layers empties it. Most reads of an archive are such pages of cables
    nobody has read since their last change, and serving them kept was what
    took reading across the archive to the target (``bench/results.md``,
    issue 13), as a wiki keeps each article's rendering by revision.
    """

    # The constraint's index (cable, origin) serves lookups by cable.
    cable = models.ForeignKey(
        "cables.Cable", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    origin = models.CharField(max_length=255, help_text="Scheme and host the absolute links name.")
    token = models.CharField(max_length=64)
    payload = models.BinaryField()
    page = models.BinaryField(default=b"", blank=True)
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "kept layers"
        verbose_name_plural = "kept layers"
        constraints = [
            models.UniqueConstraint(fields=["cable", "origin"], name="reading_layers_per_origin")
        ]

    def __str__(self) -> str:
        return f"{self.cable_id} at {self.origin}"
