"""The search index: one row per searchable entry, written by ``search.indexer``."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from cables.models import Cable, Passage


class SearchEntry(models.Model):
    """One searchable document of the full-text index (``search.services``).

    One row per cable for its catalogue fields, one per passage, and one per
    annotation (its body and quote). The text is grouped by weight:
    ``text_a`` (title) and ``text_b`` (summary, citation, record id, the
    names and aliases of sender, recipient and telegram authors) weigh most,
    ``text_c`` (a passage's text, an annotation's body) and ``text_d``
    (labels, archive fields, quoted words) least. PostgreSQL keeps a weighted
    ``tsvector`` in ``vector`` (GIN index); SQLite indexes the same four
    columns in the FTS5 table ``cables_search_fts`` (migration 0003), kept in
    step by triggers. Rows are written only by ``search.indexer.index_cables``.

    Annotation rows carry the annotation id but no foreign key (the apps
    depend one way: annotations -> cables), and what the visibility rule
    (``Annotation.objects.visible_to``) needs, as a search engine keeps the
    access fields on its documents: the note's ``visibility``, ``hidden``,
    ``author_id`` and ``group_id``, and for a reply the same of the note it
    answers (``parent_*``, empty on a note that answers none). A deleted note,
    a reply to a deleted note and the notes of an unpublished cable have no
    row. So a search checks who may see a row on the row itself
    (``search.access``), with the reader's groups read once; the indexer
    writes these columns and ``search.signals`` keeps them current.
    """

    class Kind(models.TextChoices):
        CABLE = "cable", "Catalogue record"
        PASSAGE = "passage", "Passage"
        ANNOTATION = "annotation", "Annotation"

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="+")
    passage = models.ForeignKey(
        Passage, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    annotation_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind)
    text_a = models.TextField(blank=True)
    text_b = models.TextField(blank=True)
    text_c = models.TextField(blank=True)
    text_d = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)
    # Catalogue rows only: the ids of everyone taking part in or mentioned in the
    # cable, space-separated — what the search's person and side facets count.
    people = models.TextField(blank=True, default="")
    # Annotation rows only: who may see them (see the docstring and search.access).
    visibility = models.CharField(max_length=8, blank=True, default="")
    hidden = models.BooleanField(default=False)
    author_id = models.BigIntegerField(null=True, blank=True)
    group_id = models.BigIntegerField(null=True, blank=True)
    parent_visibility = models.CharField(max_length=8, blank=True, default="")
    parent_hidden = models.BooleanField(default=False)
    parent_author_id = models.BigIntegerField(null=True, blank=True)
    parent_group_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when this model lived in ``cables``
        # (moved by migrations cables 0006 and search 0001, state only).
        db_table = "cables_searchentry"
        verbose_name_plural = "search entries"
        indexes = [
            models.Index(fields=["annotation_id"], name="search_entry_annotation"),
            # A cable's catalogue row (its people, for the search's facets) in one probe.
            models.Index(
                fields=["cable"], condition=Q(kind="cable"), name="search_entry_catalogue"
            ),
            # A cable's annotation rows (the search's annotation and tag facets).
            models.Index(
                fields=["cable"], condition=Q(kind="annotation"), name="search_entry_notes"
            ),
            # PostgreSQL's GIN indexes on ``vector`` are partial, per tier of
            # search candidates and per shard of cable ids, made by migration
            # cables 0005 outside the model state (see search.backends.postgres.SHARDS).
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of cable {self.cable_id}"
