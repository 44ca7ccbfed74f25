"""Writing the search index: one ``SearchEntry`` per cable, passage and annotation.

The unit of matching is one entry — a passage, a cable's catalogue record, or
an annotation — so all the words of a query must stand in the same passage
(as a reader would quote it). The text is grouped by weight (``text_a`` to
``text_d``, see ``SearchEntry``); each backend completes the index its own way
(PostgreSQL computes the vectors, SQLite's triggers feed FTS5). A catalogue
row also carries ``people``, the ids of everyone taking part in or mentioned
in the cable, so the person and side facets count one column instead of
joining four tables per search.

The index is kept in step by ``search.signals`` through :func:`schedule`:
changes are indexed after the transaction commits, once per cable.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet, Value

from annotations.models import Annotation
from cables.models import Alias, Cable, Mention, Participant, Passage
from search.backends import backend
from search.models import SearchEntry
from telegrams.models import Telegram, TelegramRecipient


def _join(*parts) -> str:
    return " · ".join(p for p in parts if p)


def _ids(cables_or_ids) -> list[int]:
    if isinstance(cables_or_ids, QuerySet):
        return list(cables_or_ids.order_by().values_list("pk", flat=True))
    if isinstance(cables_or_ids, int | Cable):
        cables_or_ids = [cables_or_ids]
    return sorted({c.pk if isinstance(c, Cable) else int(c) for c in cables_or_ids})


def index_cables(cables_or_ids: Iterable[Cable | int] | QuerySet, *, batch_size: int = 500) -> int:
    """(Re)build the search entries of these cables; returns the number of entries written.

    Accepts cables, ids or a queryset. Works in batches of ``batch_size``
    cables, each in one transaction and a fixed number of queries, whatever
    the number of passages and annotations: delete the batch's entries, read
    cables, passages, telegrams, annotations and the names of the people
    concerned (5 queries), insert the entries in bulk, and let the backend
    complete them (PostgreSQL: their vectors, in one UPDATE). Ids of cables
    that no longer exist only lose their entries.
    """
    ids = _ids(cables_or_ids)
    written = 0
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            written += _index_batch(ids[start : start + batch_size])
    return written


def _index_batch(ids: list[int]) -> int:
    SearchEntry.objects.filter(cable_id__in=ids).delete()
    # Drafts are not searchable: their entries go, and none are written until an
    # editor publishes them (saving the cable schedules it again).
    cables = list(
        Cable.objects.published()
        .filter(pk__in=ids)
        .values_list(
            "pk",
            "title",
            "summary",
            "citation",
            "record_id",
            "archive",
            "archive_name",
            "origin",
            "original_language",
            "cable_number",
            "document_type",
            "series",
            "sender_id",
            "recipient_id",
        )
    )
    if not cables:
        return 0
    ids = [c[0] for c in cables]
    passages = list(
        Passage.objects.filter(cable_id__in=ids)
        .order_by()
        .values_list("pk", "cable_id", "label", "text")
    )
    telegrams = {
        passage_id: (author_id, subject, reference)
        for passage_id, author_id, subject, reference in Telegram.objects.filter(
            passage__cable_id__in=ids
        )
        .order_by()
        .values_list("passage_id", "author_id", "subject", "reference")
    }
    authors = defaultdict(set)
    passage_cable = {pk: cable_id for pk, cable_id, _, _ in passages}
    for passage_id, (author_id, _, _) in telegrams.items():
        if author_id:
            authors[passage_cable[passage_id]].add(author_id)
    people = {c[12] for c in cables if c[12]} | {c[13] for c in cables if c[13]}
    people |= {a for s in authors.values() for a in s}
    # Everyone taking part or mentioned, for the person and side facets (SearchEntry.people).
    taking_part = defaultdict(set)
    for cable_id, pid in (
        TelegramRecipient.objects.filter(telegram__passage__cable_id__in=ids)
        .order_by()
        .values_list("telegram__passage__cable_id", "participant_id")
        .union(
            Mention.objects.shown()
            .filter(passage__cable_id__in=ids)
            .order_by()
            .values_list("passage__cable_id", "participant_id")
        )
    ):
        taking_part[cable_id].add(pid)
    names: dict[int, list[str]] = defaultdict(list)  # canonical name first, then aliases
    canonical: dict[int, str] = {}
    if people:
        rows = (
            Participant.objects.filter(pk__in=people)
            .order_by()
            .annotate(canonical=Value(1))
            .values_list("pk", "name", "canonical")
            .union(
                Alias.objects.filter(participant_id__in=people)
                .order_by()
                .annotate(canonical=Value(0))
                .values_list("participant_id", "name", "canonical"),
                all=True,
            )
        )
        for pid, name, is_canonical in rows:
            if is_canonical:
                canonical[pid] = name
            else:
                names[pid].append(name)
        for pid, name in canonical.items():
            names[pid].insert(0, name)
    entries = []
    for (pk, title, summary, citation, record_id, archive, archive_name, origin, language,
         number, doc_type, series, sender_id, recipient_id) in cables:  # fmt: skip
        who = [sender_id, recipient_id, *sorted(authors.get(pk, ()))]
        everyone = {p for p in who if p} | taking_part.get(pk, set())
        seen, named = set(), []
        for pid in who:
            if pid and pid not in seen:
                seen.add(pid)
                named += names.get(pid, [])
        entries.append(
            SearchEntry(
                cable_id=pk,
                kind=SearchEntry.Kind.CABLE,
                text_a=title,
                text_b="\n".join(x for x in (summary, citation, record_id, *named) if x),
                text_d=_join(archive, archive_name, origin, language, number, doc_type, series),
                people=" ".join(str(p) for p in sorted(everyone)),
            )
        )
    for pk, cable_id, label, text in passages:
        author_id, subject, reference = telegrams.get(pk, (None, "", ""))
        entries.append(
            SearchEntry(
                cable_id=cable_id,
                passage_id=pk,
                kind=SearchEntry.Kind.PASSAGE,
                text_c=text,
                text_d=_join(label, subject, reference, canonical.get(author_id, "")),
            )
        )
    entries += _annotation_entries(
        Annotation.objects.filter(passage__cable_id__in=ids, deleted_at__isnull=True)
    )
    SearchEntry.objects.bulk_create(entries, batch_size=1000)
    backend().entries_written("cable_id", ids)
    return len(entries)


def _annotation_entries(annotations: QuerySet) -> list[SearchEntry]:
    """The entries of these annotations, with who may see them (``search.access``).

    ``annotations`` must leave out deleted ones; a reply to a deleted note is left
    out here (nobody may see it), and so are the notes of unpublished cables
    (the callers read published cables only, or filter on it).
    """
    rows = (
        annotations.filter(Q(parent__isnull=True) | Q(parent__deleted_at__isnull=True))
        .order_by()
        .values_list(
            "pk", "passage_id", "passage__cable_id", "body", "exact",
            "visibility", "hidden", "author_id", "group_id",
            "parent__visibility", "parent__hidden", "parent__author_id", "parent__group_id",
            "awaiting_review", "parent__awaiting_review", "on_document",
        )
    )  # fmt: skip
    return [
        SearchEntry(
            cable_id=cable_id,
            # A note on the whole document belongs to no passage: its hit opens the
            # cable at the document notes (search.highlight.snippet).
            passage_id=None if on_document else passage_id,
            annotation_id=pk,
            kind=SearchEntry.Kind.ANNOTATION,
            text_c=body,
            text_d=exact,
            visibility=visibility,
            # Withheld from other readers: hidden by an editor, or awaiting review.
            hidden=hidden or awaiting,
            author_id=author_id,
            group_id=group_id,
            parent_visibility=parent_visibility or "",
            parent_hidden=bool(parent_hidden or parent_awaiting),
            parent_author_id=parent_author_id,
            parent_group_id=parent_group_id,
        )
        for (pk, passage_id, cable_id, body, exact, visibility, hidden, author_id, group_id,
             parent_visibility, parent_hidden, parent_author_id, parent_group_id,
             awaiting, parent_awaiting, on_document) in rows
    ]  # fmt: skip


def index_annotations(ids: Iterable[int]) -> int:
    """(Re)build the entries of these annotations and of their replies, whose entries
    carry who may see the note they answer (deleted ones lose theirs); 3–5 queries."""
    ids = set(ids)
    if not ids:
        return 0
    with transaction.atomic():
        ids |= set(Annotation.objects.filter(parent_id__in=ids).values_list("pk", flat=True))
        ids = sorted(ids)
        SearchEntry.objects.filter(annotation_id__in=ids).delete()
        entries = _annotation_entries(
            Annotation.objects.filter(
                pk__in=ids,
                deleted_at__isnull=True,
                passage__cable__status=Cable.Status.PUBLISHED,
            )
        )
        SearchEntry.objects.bulk_create(entries)
        if entries:
            backend().entries_written("annotation_id", ids)
    return len(entries)


def rebuild_index(*, batch_size: int = 500) -> int:
    """Empty the index and index every cable (on SQLite, reinstall the FTS5 table first)."""
    with transaction.atomic():
        backend().empty_index()
    return index_cables(Cable.objects.all(), batch_size=batch_size)


# --- keeping the index in step (used by search.signals) -------------------------

_pending = threading.local()


def schedule(*, cables=(), annotations=(), participants=()) -> None:
    """Re-index after the current transaction commits (at once outside a transaction).

    Changes are collected per thread and indexed together by the first
    commit callback, so saving a cable and its twenty passages re-indexes
    the cable once.
    """
    state = getattr(_pending, "state", None)
    if state is None:
        state = _pending.state = {"cables": set(), "annotations": set(), "participants": set()}
    state["cables"].update(c for c in cables if c)
    state["annotations"].update(a for a in annotations if a)
    state["participants"].update(p for p in participants if p)
    transaction.on_commit(flush)


def flush() -> None:
    """Index what :func:`schedule` collected (a no-op when nothing is pending)."""
    state = getattr(_pending, "state", None)
    _pending.state = None
    if not state:
        return
    cables = set(state["cables"])
    if state["participants"]:
        people = state["participants"]
        cables |= set(
            Cable.objects.filter(Q(sender__in=people) | Q(recipient__in=people)).values_list(
                "pk", flat=True
            )
        )
        # Their names are indexed where they write; their ids where they take part.
        cables |= set(
            Passage.objects.filter(
                Q(telegram__author__in=people)
                | Q(telegram__recipients__participant__in=people)
                | Q(mentions__participant__in=people)
            ).values_list("cable_id", flat=True)
        )
    if cables:
        index_cables(cables)
    annotations = state["annotations"]
    if annotations:
        index_annotations(annotations)
