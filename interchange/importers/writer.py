"""Write one parsed document: one transaction, all or nothing, never a duplicate.

A document is the same cable as one already stored when its record id (or,
without one, its source address) is the same. Re-importing it updates that
cable in place: passages are matched by position and saved one by one, so
``annotations.signals`` keeps a revision and re-anchors every annotation on a
changed text. Passages the new text no longer has hand their annotations to
the last passage (re-anchored there, orphaned if their words are gone) before
they go: no annotation is ever deleted.

Names are resolved by canonical name or alias, case-insensitively and with
whitespace folded — what ``Participant.objects.resolve`` answers, read once
into a dict so that a thousand documents do not cost a query per name.
Unknown names are not created: they are returned as proposals for the editor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.text import slugify

from cables.mentions import NameMatcher
from cables.models import (
    Alias,
    Cable,
    Collection,
    Handling,
    Mention,
    Participant,
    Passage,
    SourceMark,
)
from interchange.importers.parsed import PARSED, ParsedDocument

if TYPE_CHECKING:
    from telegrams.resolution import ReferenceBatch

CABLE_FIELDS = {f.name for f in Cable._meta.concrete_fields} - {"id", "slug", "sender", "recipient"}


class Names:
    """Participants by every name and alias (two queries, once per import run)."""

    def __init__(self):
        self.by_key: dict[str, int] = {}
        self.name_of: dict[int, str] = {}
        for name, pk in Participant.objects.values_list("name", "pk"):
            self.by_key.setdefault(self.key(name), pk)
            self.name_of[pk] = name
        for name, pk in Alias.objects.values_list("name", "participant_id"):
            self.by_key.setdefault(self.key(name), pk)

    @staticmethod
    def key(name: str) -> str:
        return " ".join(name.split()).casefold()

    def resolve(self, name: str) -> int | None:
        return self.by_key.get(self.key(name)) if name else None


@dataclass
class Result:
    cable: Cable
    created: bool
    passages_created: int = 0
    passages_updated: int = 0
    passages_removed: int = 0
    telegrams: int = 0
    handling: int = 0
    agendas: list[str] = field(default_factory=list)
    marks: int = 0
    annotations_moved: int = 0
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (name, role)

    @property
    def preview(self) -> str:
        return self.summary(dry_run=True)

    def summary(self, dry_run: bool = False) -> str:
        verb = (
            ("would create" if dry_run else "created")
            if self.created
            else ("would update" if dry_run else "updated")
        )
        parts = [
            f"{self.passages_created} passages new",
            f"{self.passages_updated} changed",
        ]
        if self.passages_removed:
            parts.append(f"{self.passages_removed} removed")
        parts += [f"{self.telegrams} telegrams", f"{self.handling} handling notes"]
        if self.marks:
            parts.append(f"{self.marks} notes/pages/glosses")
        if self.agendas:
            parts.append(f"{len(self.agendas)} agenda candidates")
        return f"{verb} {self.cable.title!r} ({', '.join(parts)})"


def find_existing(fields: dict, source_text: str = "") -> Cable | None:
    """The stored cable this document is: the same record id (and text language),
    else the same source address, else (a copy naming neither, such as a page copied from FRUS or a
    PDF's text) a record with neither that has the same title, date and language,
    else, untitled, one imported from the very same text."""
    if fields.get("record_id"):
        same = Cable.objects.filter(record_id=fields["record_id"])
        if fields.get("text_language"):
            # A record published in two languages is two texts with one record id.
            same = same.filter(text_language__in=[fields["text_language"], ""])
        return same.order_by("-text_language", "pk").first()
    if fields.get("source_url"):
        return Cable.objects.filter(source_url=fields["source_url"]).first()
    if fields.get("title"):
        return Cable.objects.filter(
            record_id="",
            source_url="",
            title=fields["title"],
            date=fields.get("date"),
            text_language=fields.get("text_language", ""),
        ).first()
    if source_text:
        return Cable.objects.filter(record_id="", source_url="", source_text=source_text).first()
    return None


def _unique_slug(title: str) -> str:
    base = slugify(title)[:190] or "cable"
    slug, n = base, 1
    while Cable.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def write(
    doc: ParsedDocument,
    *,
    names: Names | None = None,
    collection: Collection | None = None,
    matcher: NameMatcher | None = None,
    dry_run: bool = False,
) -> Result:
    """Write ``doc`` in one transaction (rolled back when ``dry_run``); see the module docstring."""
    from telegrams.resolution import ReferenceBatch, gathering

    names = names or Names()
    with transaction.atomic():
        with gathering():  # the saves below leave their references to the flush
            result, held = _write(doc, names, collection, matcher)
        if dry_run:
            transaction.set_rollback(True)
        else:
            batch = ReferenceBatch(matcher)
            batch.add(result.cable, held, fresh=result.created)
            batch.flush()
    return result


def write_all(
    docs: list[ParsedDocument],
    *,
    names: Names | None = None,
    collection: Collection | None = None,
    matcher: NameMatcher | None = None,
    dry_run: bool = False,
    each=None,
    references: ReferenceBatch | None = None,
) -> list[Result]:
    """Write the documents of one file in one transaction, linking translations.

    A page that holds a text in two languages gives two documents; the
    translation is linked to its original (``Cable.translation_of``).
    ``each``, if given, is called after each document (a volume's progress).

    References (issue 16) are found and resolved once for all the documents, at the
    end: in ``references`` when the caller gathers several files' (the import command,
    which flushes it before its transaction ends), else here. A dry run finds none:
    they would be rolled back with the rest.
    """
    from telegrams.resolution import ReferenceBatch, gathering

    names = names or Names()
    batch = references if references is not None else ReferenceBatch(matcher)
    with transaction.atomic():
        results, written = [], []
        with gathering():  # the saves below leave their references to the batch
            for doc in docs:
                result, held = _write(doc, names, collection, matcher)
                results.append(result)
                written.append((result, held))
                if each is not None:
                    each()
            for doc, result in zip(docs, results, strict=True):
                if doc.translation_of is not None:
                    original = results[doc.translation_of].cable
                    if result.cable.translation_of_id != original.pk:
                        result.cable.translation_of = original
                        result.cable.save(update_fields=["translation_of"])
        if dry_run:
            transaction.set_rollback(True)
        else:
            # Only once every document of the file is written: a file that fails is
            # rolled back whole, and hands nothing to the caller's batch.
            for result, held in written:
                batch.add(result.cable, held, fresh=result.created)
            if references is None:
                batch.flush()
    return results


def _write(doc, names: Names, collection, matcher) -> tuple[Result, list]:
    """Write one document; return what was done, and its passages as written (for the
    references, found by the caller once for the whole import)."""
    from telegrams.models import Agenda, AgendaItem, Telegram, TelegramRecipient
    from telegrams.references import Held

    unknown = [(n, role) for n, role in doc.names() if names.resolve(n) is None]
    fields = {k: v for k, v in doc.fields.items() if k in CABLE_FIELDS and v is not None}
    fields["sender_id"] = names.resolve(doc.sender)
    fields["recipient_id"] = names.resolve(doc.recipient)
    if not fields.get("title"):
        # Only a draft lacks a title (a parser reports it as a problem); the
        # catalogue needs one to list it.
        fields["title"] = "Untitled document"
    fields["provenance"] = doc.provenance()
    fields["problems"] = list(doc.problems)
    fields["source_text"] = doc.source_text
    cable = find_existing(doc.fields, doc.source_text)
    created = cable is None
    if created:
        # What the importer could not place waits for an editor; a record already
        # published keeps being shown when a new copy of it is imported.
        fields["status"] = Cable.Status.DRAFT if doc.problems else Cable.Status.PUBLISHED
        cable = Cable(slug=_unique_slug(doc.title or "untitled document"), **fields)
    else:
        # What the parser only worked out, or did not find, never replaces what the
        # stored record holds: an editor may have put it right in review.
        kept = {
            name
            for name, how in fields["provenance"].items()
            if how != PARSED and getattr(cable, name) not in (None, "")
        }
        for name, value in fields.items():
            if name not in kept:
                setattr(cable, name, value)
    # The slug is unique by construction; checking it again would cost a query.
    cable.full_clean(
        exclude=["sender", "recipient", "collections", "related"], validate_unique=False
    )
    cable.save()
    if collection is not None:
        cable.collections.add(collection)
    result = Result(cable, created, unknown=unknown)

    # Passages: new ones in bulk (their mentions found below, once); changed ones saved
    # one by one so that annotations are re-anchored by the signals.
    old = {p.position: p for p in cable.passages.all()} if not created else {}
    new_rows, saved = [], []
    for position, parsed in enumerate(doc.passages):
        passage = old.pop(position, None)
        values = {"kind": parsed.kind, "label": parsed.label, "text": parsed.text}
        values["tail"] = parsed.tail
        if passage is None:
            new_rows.append(Passage(cable=cable, position=position, **values))
            continue
        if any(getattr(passage, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(passage, k, v)
            passage.save()  # re-anchors annotations (annotations.signals), recomputes mentions
            result.passages_updated += 1
        saved.append(passage)
    Passage.objects.bulk_create(new_rows)
    result.passages_created = len(new_rows)
    if new_rows:
        # New passages have no mentions yet, editors' or found: one insert for all of them.
        matcher = matcher or NameMatcher.from_database()
        Mention.objects.bulk_create(
            Mention(
                passage=p,
                participant_id=f.participant_id,
                start=f.start,
                end=f.end,
                surface=f.surface,
            )
            for p in new_rows
            for f in matcher.find(p.text)
        )
    if old:
        result.annotations_moved = _retire(cable, list(old.values()), len(doc.passages) - 1)
        result.passages_removed = len(old)
    passages = sorted(saved + new_rows, key=lambda p: p.position)

    # Telegrams: one per telegram passage; recipients rewritten.
    # A telegram's primary key is its passage's, so all are known before any is written.
    by_number: dict[int, Telegram] = {}
    telegram_rows = []
    for passage, parsed in zip(passages, doc.passages, strict=True):
        t = parsed.telegram
        if t is None:
            continue
        telegram = Telegram(
            passage=passage,
            number=t.number,
            author_id=names.resolve(t.author),
            sent_as_written=t.sent.as_written if t.sent else "",
            sent_on=t.sent.date if t.sent else None,
            sent_time=t.sent.time if t.sent else None,
            reference=t.reference,
            attachment_of=by_number.get(t.attachment_of),
        )
        by_number[t.number] = telegram
        telegram_rows.append((telegram, t, passage))
    if created:
        Telegram.objects.bulk_create([row[0] for row in telegram_rows])
    else:
        for telegram, _, _ in telegram_rows:
            telegram.save()  # an UPDATE, or an INSERT for a passage that was not a telegram
        TelegramRecipient.objects.filter(telegram__passage__cable=cable).delete()
    recipients = []
    for telegram, t, _ in telegram_rows:
        for role, people in ((TelegramRecipient.Role.TO, t.addressees), ("copy", t.copies)):
            seen = set()
            for position, name in enumerate(people):
                pk = names.resolve(name)
                if pk is not None and pk not in seen:
                    seen.add(pk)
                    recipients.append(
                        TelegramRecipient(
                            telegram=telegram, participant_id=pk, role=role, position=position
                        )
                    )
    TelegramRecipient.objects.bulk_create(recipients)
    if not created:
        Telegram.objects.filter(passage__cable=cable).exclude(
            passage__in=[p for _, _, p in telegram_rows]
        ).delete()
    result.telegrams = len(telegram_rows)

    # Agenda candidates: a numbered list in a telegram no agenda is taken from yet.
    taken = (
        set()
        if created
        else set(
            Agenda.objects.filter(telegram__passage__cable=cable).values_list("telegram", flat=True)
        )
    )
    for telegram, t, passage in telegram_rows:
        if telegram.pk in taken:
            continue
        for k, items in enumerate(t.lists, start=1):
            slug = f"{cable.slug[:90]}-t{t.number}-list{k}"
            agenda = Agenda.objects.create(
                title=f"Numbered list in telegram {t.number} of {cable.title}"[:300],
                slug=slug[:120],
                telegram=telegram,
                date=t.sent.date if t.sent else None,
                note="Agenda candidate found by the importer: check it and set its side.",
            )
            AgendaItem.objects.bulk_create(
                AgendaItem(
                    agenda=agenda,
                    number=item.number,
                    text=item.text,
                    passage=passage,
                    start=item.start,
                    end=item.end,
                )
                for item in items
            )
            result.agendas.append(agenda.title)

    # Handling notes and source marks are source data: replaced.
    if not created:
        cable.handling.all().delete()
        SourceMark.objects.filter(passage__cable=cable).delete()
    Handling.objects.bulk_create(
        Handling(
            cable=cable,
            position=position,
            action=h.action,
            agent_id=names.resolve(h.agent),
            as_written=h.as_written[:200],
            on=h.on,
            at=h.at,
        )
        for position, h in enumerate(doc.handling)
    )
    result.handling = len(doc.handling)
    marks = [
        SourceMark(
            passage=passage,
            kind=m.kind,
            start=m.start,
            end=m.end,
            label=m.label[:40],
            target=m.target[:120],
            expansion=m.expansion[:300],
            note=passages[m.note_index] if m.note_index is not None else None,
        )
        for passage, parsed in zip(passages, doc.passages, strict=True)
        for m in parsed.marks
    ]
    if marks:
        SourceMark.objects.bulk_create(marks)
    result.marks = len(marks)
    # References (issue 16): the passages in bulk had no signal, and "your" and "our"
    # name the telegrams' authors and addressees, written just above. They are found
    # by the caller (write_all), from what is held here: nothing is read back.
    addressees: dict[int, list[int]] = {}
    for r in recipients:
        if r.role == TelegramRecipient.Role.TO:
            addressees.setdefault(r.telegram.pk, []).append(r.participant_id)
    telegram_of = {p.pk: telegram for telegram, _, p in telegram_rows}
    sender = names.name_of.get(cable.sender_id, "") if cable.sender_id else ""
    held = []
    for p in passages:
        telegram = telegram_of.get(p.pk)
        to = tuple(addressees.get(telegram.pk, ())) if telegram is not None else ()
        held.append(Held(p, telegram, to, "department" in sender.lower()))
    return result, held


def _retire(cable: Cable, gone: list[Passage], last_position: int) -> int:
    """Move the annotations of passages the new text lacks to its last passage; drop them."""
    from annotations.models import Annotation
    from annotations.services import reanchor

    moved = Annotation.objects.filter(passage__in=gone).count()
    if moved:
        last = cable.passages.get(position=last_position)
        Annotation.objects.filter(passage__in=gone).update(passage=last)
        reanchor(last)
    Passage.objects.filter(pk__in=[p.pk for p in gone]).delete()
    return moved
