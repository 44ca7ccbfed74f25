"""Store the references found in passages and resolve each to a record (issue 16).

A reference names a message by number, date, sender and recipient. Resolving
it draws the published records that could be that message (cables by their
numbers, record id or date; telegrams by their date, author or the name they
give themselves, "brief report Nº 1") and scores each: a number that matches
counts most, then the date, the sender and the recipient; a record dated after
the citing text, or sent by someone else, counts against. The best candidate
at or above :data:`THRESHOLD` is the target, and the reason says what matched,
for the editors in the admin. A reference nothing matches points at a
:class:`~telegrams.models.MissingRecord`, "referenced, not in this archive",
shared by every reference to the same message; :func:`resolve_waiting` tries
those again when a record arrives, so an import fills the want-list's gaps.

Editors' decisions stick as for mentions: recomputing replaces the found
references only; confirmed and added ones keep their span (moved with their
words when the text changes) and are resolved again; rejected ones are never
found again.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Q

from cables.models import Cable, Participant, Passage, SourceMark
from readingroom.anchoring import Selector, anchor
from telegrams.models import MissingRecord, Reference, Telegram, TelegramRecipient
from telegrams.references import (
    SPEAKING,
    Found,
    Held,
    detect,
    passages_for_references,
    speaker_of,
)

THRESHOLD = 0.45


@dataclass
class Candidate:
    """A record a reference could name, with what it says of itself."""

    cable: Cable
    telegram: Telegram | None
    numbers: dict[str, str]  # number -> which number it is ("its cable number")
    date: object
    sender: int | None
    recipients: tuple[int, ...]
    sent_time: object = None
    top_level: bool = True


def _norm_number(value: str) -> str:
    return value.strip().lstrip("0") or value.strip()


_REPORT_NO = re.compile(r"(?P<what>[a-z ]*report)\s*(?:No\.?|N\s?[º°o]\.?)\s*(?P<n>\d+)", re.I)


def _cable_candidate(cable: Cable) -> Candidate:
    numbers = {}
    for name, label in (
        ("cable_number", "its cable number"),
        ("sender_number", "its sender's number"),
        ("record_id", "its record id"),
    ):
        value = getattr(cable, name)
        if value:
            numbers[_norm_number(value)] = label
    recipients = (cable.recipient_id,) if cable.recipient_id else ()
    return Candidate(cable, None, numbers, cable.date, cable.sender_id, recipients)


def _telegram_candidate(telegram: Telegram, recipients: tuple[int, ...] | None = None) -> Candidate:
    """``recipients``: the addressees ("to") when the caller holds them (the writer's
    telegrams, just written), else read from the prefetched recipients."""
    numbers = {}
    named = _REPORT_NO.search(telegram.reference or "")
    if named and not telegram.reference.lower().startswith("attachment"):
        numbers[_norm_number(named.group("n"))] = f"it names itself {telegram.reference}"
    if recipients is None:
        recipients = tuple(r.participant_id for r in telegram.recipients.all() if r.role == "to")
    return Candidate(
        telegram.passage.cable,
        telegram,
        numbers,
        telegram.sent_on,
        telegram.author_id,
        recipients,
        telegram.sent_time,
        telegram.attachment_of_id is None,
    )


def _asked(queries: dict | None, key, ask) -> list:
    """``ask()``, once per ``key`` within one pass (``queries``, or every time when None)."""
    if queries is None:
        return ask()
    if key not in queries:
        queries[key] = ask()
    return queries[key]


def candidates(
    ref: Reference, citing: Passage, siblings=None, queries: dict | None = None
) -> list[Candidate]:
    """The published records ``ref`` could name (2–3 queries; none for a forwarding
    or an attachment when ``siblings``, the candidates of the citing cable's telegrams
    by cable id, are given). ``queries`` keeps the answers of one pass over many
    references, where nothing is written between them: references that ask the same
    (a number, a date, a sender) ask the database once."""
    cable = citing.cable
    own = None  # the citing cable's telegrams, when the caller has them all
    if siblings is not None and cable.status == Cable.Status.PUBLISHED:
        own = siblings.get(cable.pk)
    number = _norm_number(ref.number) if ref.number else ""
    # Querysets are made when asked for: one whose answer ``queries`` holds costs nothing.

    def cables():
        return Cable.objects.published().select_related("sender")

    def telegrams():
        # Ordered by their own columns: the models' orderings name relations (a telegram
        # by its cable, a recipient by its telegram), which would join and sort every cable.
        return (
            Telegram.objects.filter(passage__cable__status=Cable.Status.PUBLISHED)
            .select_related("passage__cable")
            .prefetch_related(
                Prefetch(
                    "recipients",
                    queryset=TelegramRecipient.objects.order_by("telegram_id", "role", "position"),
                )
            )
            .order_by("passage__cable_id", "number")
        )

    found: list[Candidate] = []
    if ref.kind == Reference.Kind.FRUS:
        volume = ref.series or cable.record_id.split("/")[0]
        if number.startswith("pg_"):
            marks = SourceMark.objects.filter(
                kind=SourceMark.Kind.PAGE,
                label=number[3:],
                passage__cable__record_id__startswith=f"{volume}/",
                passage__cable__status=Cable.Status.PUBLISHED,
            ).select_related("passage__cable")
            for mark in marks[:5]:
                c = _cable_candidate(mark.passage.cable)
                c.numbers[number] = f"page {number[3:]} of {volume} is in it"
                found.append(c)
        elif number:
            for c in cables().filter(record_id=f"{volume}/d{number}"):
                candidate = _cable_candidate(c)
                candidate.numbers[number] = f"it is document {number} of {volume}"
                found.append(candidate)
        return found
    if ref.kind == Reference.Kind.ATTACHMENT or (ref.series and "report" in ref.series):
        # The report an attachment belongs to: in the same cable, else by the same author.
        def reports():
            return (
                telegrams()
                .filter(reference__icontains="report")
                .exclude(reference__istartswith="attachment")
            )

        if own is not None:
            here = [
                c
                for c in own
                if "report" in c.telegram.reference.lower()
                and not c.telegram.reference.lower().startswith("attachment")
            ]
        else:
            here = [_telegram_candidate(t) for t in reports().filter(passage__cable=cable)[:50]]
        if here or not ref.sender_id:
            return here
        return [_telegram_candidate(t) for t in reports().filter(author_id=ref.sender_id)[:50]]
    where = Q()
    if number:
        where |= Q(cable_number=number) | Q(sender_number=number) | Q(record_id=number)
        where |= Q(cable_number=ref.number) | Q(sender_number=ref.number)
    if ref.date:
        where |= Q(date=ref.date)
    if where:
        found += _asked(
            queries,
            ("cables", number, ref.number, ref.date),
            lambda: [_cable_candidate(c) for c in cables().filter(where)[:50]],
        )
    if ref.kind == Reference.Kind.FORWARDING:
        # What a cover note forwards is the telegrams that follow it, when it has any.
        if own is not None:
            found += own
        else:
            found += [_telegram_candidate(t) for t in telegrams().filter(passage__cable=cable)]
        if found or not ref.date:
            return found
    if ref.date:

        def dated():
            those = telegrams().filter(sent_on=ref.date)
            if ref.sender_id:
                those = those.filter(author_id=ref.sender_id)
            return [_telegram_candidate(t) for t in those[:50]]

        found += _asked(queries, ("dated", ref.date, ref.sender_id), dated)
    return found


_LOADED = object()  # the citing passage's telegram: read from the passage (loaded)


def score(
    ref: Reference, citing: Passage, c: Candidate, own_telegram=_LOADED
) -> tuple[float, list[str]] | None:
    """How well ``c`` answers ``ref``, and why; None when it cannot be the record.
    ``own_telegram``: the citing passage's telegram (or None) when the caller holds it."""
    if own_telegram is _LOADED:
        own_telegram = getattr(citing, "telegram", None)
    if c.telegram is not None and own_telegram is not None and c.telegram.pk == own_telegram.pk:
        return None
    same_cable = c.cable.pk == citing.cable_id
    inside = ref.kind in (Reference.Kind.FORWARDING, Reference.Kind.ATTACHMENT)
    if same_cable and c.telegram is None:
        return None  # a cable does not cite itself
    if same_cable and not inside and c.telegram is not None:
        return None  # "your telegram of" is not a telegram forwarded in the same cable
    total, why = 0.0, []
    number = _norm_number(ref.number) if ref.number else ""
    if number:
        if number in c.numbers:
            total += 0.5
            why.append(f"number {ref.number}: {c.numbers[number]}")
        elif c.numbers:
            total -= 0.4
        else:
            total -= 0.1
    citing_date = citing.cable.date
    if ref.kind != Reference.Kind.FRUS and c.date and citing_date and c.date > citing_date:
        return None  # cited before it was written (an edition's note may look ahead)
    if ref.date:
        if c.date == ref.date:
            total += 0.3
            why.append(f"date {ref.date:%-d %B %Y}")
        elif c.date is not None:
            if not number:
                return None
            if abs((c.date - ref.date).days) <= 1:
                why.append("dated a day apart (sent and received)")
            else:
                total -= 0.2
    if ref.kind == Reference.Kind.FORWARDING and ref.sender_id and c.sender != ref.sender_id:
        return None  # what one forwards "from Cde. Peng Dehuai" is Peng Dehuai's
    if ref.sender_id:
        if c.sender == ref.sender_id:
            total += 0.15
            why.append("sender")
        elif c.sender is not None:
            total -= 0.3
    if ref.recipient_id:
        if ref.recipient_id in c.recipients:
            total += 0.1
            why.append("recipient")
        elif c.recipients:
            total -= 0.1
    if inside and same_cable:
        total += 0.35 if ref.kind == Reference.Kind.FORWARDING else 0.1
        why.append("in the same cable")
    if ref.kind == Reference.Kind.FORWARDING and c.top_level:
        total += 0.05
    return min(total, 1.0), why


def resolve(
    ref: Reference,
    citing: Passage,
    names: dict[int, str],
    memo=None,
    siblings=None,
    own_telegram=_LOADED,
    queries: dict | None = None,
    entries: dict | None = None,
) -> None:
    """Set ``ref``'s target, score and reason, or its want-list entry (not saved).

    ``memo`` (a dict) keeps the candidates of references that share them (the
    attachments of one report, in one cable) across the calls of one recompute;
    ``queries`` the answers of the candidates' queries and ``entries`` the want-list
    entries, across one pass (see :func:`candidates`)."""
    key = None
    if memo is not None and ref.kind == Reference.Kind.ATTACHMENT:
        key = (ref.kind, citing.cable_id, ref.sender_id)
    if key is not None and key in memo:
        drawn = memo[key]
    else:
        drawn = candidates(ref, citing, siblings, queries)
        if key is not None:
            memo[key] = drawn
    scored, seen = [], set()
    for c in drawn:
        identity = (c.cable.pk, c.telegram.pk if c.telegram is not None else None)
        if identity in seen:
            continue
        seen.add(identity)
        result = score(ref, citing, c, own_telegram)
        if result is not None:
            scored.append((result[0], result[1], c))
    if len(scored) == 1 and scored[0][0] > 0:
        total, why, c = scored[0]
        scored[0] = (total + 0.15, [*why, "the only candidate"], c)
    scored.sort(
        key=lambda s: (
            -s[0],
            not s[2].top_level,
            str(s[2].sent_time or ""),
            s[2].telegram.number if s[2].telegram else 0,
        )
    )
    if scored and scored[0][0] >= THRESHOLD - 1e-9:  # sums of tenths: 0.3 + 0.15
        total, why, c = scored[0]
        ties = sum(1 for s in scored[1:] if s[0] >= total - 0.001)
        if ties:
            why.append(f"{ties} more as good (the first by time and number)")
        ref.target_telegram, ref.target_cable = c.telegram, c.cable
        ref.score = round(min(total, 1.0), 2)
        ref.reason = "; ".join(why)[:500]
        ref.missing = None
        return
    ref.target_telegram = ref.target_cable = None
    ref.score = round(scored[0][0], 2) if scored else None
    best = f" (best candidate {scored[0][2].cable}, {scored[0][0]:.2f})" if scored else ""
    ref.reason = ("No record of the archive matches" + best)[:500]
    ref.missing = _missing_for(ref, names, entries)


def _label(ref: Reference, names: dict[int, str]) -> str:
    what = {
        Reference.Kind.FRUS: "FRUS",
        Reference.Kind.FORWARDING: "Telegrams forwarded",
    }.get(ref.kind, "Message")
    parts = [ref.series or what]
    if ref.number:
        parts.append(f"No. {ref.number}" if not ref.series else ref.number)
    if ref.date:
        parts.append(f"of {ref.date:%-d %B %Y}")
    who = [names.get(ref.sender_id, ""), names.get(ref.recipient_id, "")]
    if any(who):
        parts.append(f"({who[0] or '?'} to {who[1] or '?'})")
    return " ".join(parts)[:300]


def _missing_for(ref: Reference, names: dict[int, str], entries=None) -> MissingRecord:
    key = "|".join(
        str(v or "")
        for v in (ref.kind, ref.series, ref.number, ref.date, ref.sender_id, ref.recipient_id)
    )
    if entries is not None and key in entries:
        return entries[key]
    entry, _ = MissingRecord.objects.get_or_create(
        key=key,
        defaults={
            "label": _label(ref, names),
            "number": ref.number,
            "series": ref.series,
            "date": ref.date,
            "sender_id": ref.sender_id,
            "recipient_id": ref.recipient_id,
        },
    )
    if entries is not None:
        entries[key] = entry
    return entry


def _from_found(passage: Passage, f: Found) -> Reference:
    return Reference(
        passage=passage,
        start=f.start,
        end=f.end,
        surface=f.surface[:300],
        kind=f.kind,
        relation=f.relation,
        sender_id=f.sender,
        recipient_id=f.recipient,
        date=f.date,
        year_inferred=f.year_inferred,
        number=f.number,
        series=f.series,
        count=f.count,
    )


def _follow_the_words(text: str, kept: list[Reference]) -> list[Reference]:
    """Editors' references after a text change: each moves with its words; one whose
    words are gone is deleted."""
    result = []
    for r in kept:
        if text[r.start : r.end] != r.surface:
            found = anchor(text, Selector(exact=r.surface, start=r.start, end=r.end))
            if found is None or text[found.start : found.end] != r.surface:
                r.delete()
                continue
            r.start, r.end = found.start, found.end
            r.save(update_fields=["start", "end"])
        result.append(r)
    return result


def name_resolver(matcher=None):
    """A function from a name as written to a participant id (names read once, unless
    the caller has a ``cables.mentions.NameMatcher`` already)."""
    from cables.mentions import NameMatcher

    matcher = matcher or NameMatcher.from_database()

    def resolve_name(name: str) -> int | None:
        hits = matcher.find(name)
        return hits[0].participant_id if hits else None

    return resolve_name


class _Names(dict):
    """Participant names by id, read once when first asked for (a want-list label)."""

    def __missing__(self, key):
        if not getattr(self, "_read", False):
            self._read = True
            self.update(Participant.objects.values_list("pk", "name"))
            if key in self:
                return self[key]
        return ""

    def get(self, key, default=""):
        return self[key] if key is not None else default


@transaction.atomic(savepoint=False)  # inside an import or a save: no savepoint of its own
def recompute_references(passages: Iterable[Passage], matcher=None, whole=False) -> int:
    """Find, parse and resolve the references of ``passages`` again; return how many are
    shown now. Editors' references are kept (and resolved again when they have no
    target). Four queries for the passages and what they hold (none more for a
    passage without references), then a few per reference: a write path, never a
    page's. Names are read only when a forwarding phrase names someone. ``whole``:
    the passages are every passage of their cables (an import, the seed), so a
    cover note's forwarding and an attachment find their telegrams among them."""
    passages = list(passages_for_references(passages))
    held = []
    for p in passages:
        telegram = getattr(p, "telegram", None)
        addressees = ()
        if telegram is not None:
            addressees = tuple(
                r.participant_id for r in telegram.recipients.all() if r.role == "to"
            )
        cable = p.cable
        department = bool(cable.sender_id) and "department" in str(cable.sender).lower()
        held.append(Held(p, telegram, addressees, department))
    return recompute_held(held, matcher, whole=whole)


@transaction.atomic(savepoint=False)
def recompute_held(
    held: list[Held], matcher=None, whole=True, fresh: frozenset | set = frozenset()
) -> int:
    """:func:`recompute_references` for passages their writer holds (:class:`Held`:
    nothing is read back). ``fresh``: the ids of the cables whose passages are all new,
    so hold no reference yet (no query for them). Within one call, references that ask
    the same question of the archive ask it once, and every new reference is written in
    one insert: an import's batch of documents costs a few queries, not a few a
    document."""
    if not held:
        return 0
    resolver = None

    def resolve_name(name: str) -> int | None:
        nonlocal resolver
        if resolver is None:
            resolver = name_resolver(matcher)
        return resolver(name)

    names = _Names()
    memo: dict = {}
    queries: dict = {}
    entries: dict = {}
    siblings = None
    if whole:
        siblings = {}
        for h in held:
            siblings.setdefault(h.passage.cable_id, [])
            if h.telegram is not None:
                h.telegram.passage = h.passage
                siblings[h.passage.cable_id].append(
                    _telegram_candidate(h.telegram, tuple(h.addressees))
                )
    existing: dict[int, list[Reference]] = {}
    stored = [h.passage for h in held if h.passage.cable_id not in fresh]
    if stored:
        for ref in Reference.objects.filter(passage__in=stored).order_by("passage_id", "start"):
            existing.setdefault(ref.passage_id, []).append(ref)
    found_ids = [
        r.pk for refs in existing.values() for r in refs if r.status == Reference.Status.FOUND
    ]
    had_missing = any(r.missing_id for refs in existing.values() for r in refs)
    if found_ids:
        Reference.objects.filter(pk__in=found_ids).delete()
    total = 0
    new: list[Reference] = []
    for h in held:
        passage = h.passage
        kept = _follow_the_words(
            passage.text,
            [r for r in existing.get(passage.pk, []) if r.status != Reference.Status.FOUND],
        )
        taken = {(r.start, r.end) for r in kept}
        mine = []
        if passage.kind in SPEAKING:
            for f in detect(passage.text, speaker_of(passage, h), resolve_name):
                if any(f.start < r.end and r.start < f.end for r in kept):
                    continue  # an editor's decision covers these words
                if (f.start, f.end) not in taken:
                    mine.append(_from_found(passage, f))
        # An editor's reference keeps the target it has (theirs, or resolved before);
        # one without a target is tried again.
        waiting = [r for r in kept if r.status != Reference.Status.REJECTED and not r.target]
        for ref in mine + waiting:
            resolve(ref, passage, names, memo, siblings, h.telegram, queries, entries)
        for ref in waiting:
            ref.save()
        new += mine
        total += len(mine) + sum(1 for r in kept if r.status != Reference.Status.REJECTED)
    if new:
        Reference.objects.bulk_create(new)
    if had_missing:
        MissingRecord.objects.filter(references__isnull=True).delete()
    return total


_gathering: contextvars.ContextVar[bool] = contextvars.ContextVar("gathering", default=False)


@contextmanager
def gathering():
    """While a writer gathers its documents into a :class:`ReferenceBatch`: the saves it
    makes (a cable, a changed passage, a telegram) leave the references to the batch's
    flush instead of finding them one save at a time (``telegrams.signals``)."""
    token = _gathering.set(True)
    try:
        yield
    finally:
        _gathering.reset(token)


def is_gathering() -> bool:
    return _gathering.get()


class ReferenceBatch:
    """The references of the documents one import writes, found and resolved together.

    The writer :meth:`add` s each document it has written (its passages as it holds
    them); :meth:`flush`, still inside the import's transaction, first tries again the
    want-list's references the new records could answer, then finds and resolves the
    new passages' references in one pass (:func:`recompute_held`). A reference to a
    document later in the same batch resolves to it directly, as it would have once
    that document arrived."""

    def __init__(self, matcher=None):
        self.matcher = matcher
        self.held: list[Held] = []
        self.cables: list[Cable] = []
        self.fresh: set[int] = set()

    def add(self, cable: Cable, held: list[Held], fresh: bool) -> None:
        self.cables.append(cable)
        self.held += held
        if fresh:
            self.fresh.add(cable.pk)

    def flush(self) -> int:
        if not self.cables:
            return 0
        with transaction.atomic(savepoint=False):
            resolve_waiting(self.cables)
            shown = recompute_held(self.held, self.matcher, whole=True, fresh=self.fresh)
        self.held, self.cables, self.fresh = [], [], set()
        return shown


@transaction.atomic(savepoint=False)  # inside an import or a save: no savepoint of its own
def resolve_waiting(cable: Cable | Iterable[Cable]) -> int:
    """Try again the unresolved references a newly saved ``cable`` (or the cables of one
    import's batch) could answer (by its numbers, record id or dates); return how many
    now resolve. One query when the want-list is empty, four when nothing on it
    matches, whatever the number of cables."""
    if not Reference.objects.filter(missing__isnull=False).exists():
        return 0  # an empty want-list: nothing waits for any record
    cables = [cable] if isinstance(cable, Cable) else list(cable)
    numbers, dates = set(), set()
    for c in cables:
        numbers |= {_norm_number(v) for v in (c.cable_number, c.sender_number, c.record_id) if v}
        if "/d" in c.record_id:
            numbers.add(c.record_id.rsplit("/d", 1)[1])
        if c.date:
            dates.add(c.date)
    numbers |= {
        f"pg_{label}"
        for label in SourceMark.objects.filter(
            passage__cable__in=cables, kind=SourceMark.Kind.PAGE
        ).values_list("label", flat=True)
    }
    reports = False  # a telegram naming itself a report answers waiting attachments
    forwarded = False  # a telegram answers its own cover note's forwarding
    for sent_on, named in Telegram.objects.filter(passage__cable__in=cables).values_list(
        "sent_on", "reference"
    ):
        forwarded = True
        if sent_on is not None:
            dates.add(sent_on)
        reports = reports or bool(_REPORT_NO.search(named or ""))
    could = Q(number__in=numbers) | Q(date__in=dates)
    if reports:
        could |= Q(kind=Reference.Kind.ATTACHMENT)
    if forwarded:
        # "I am forwarding the telegram of comrade X": no date or number to match it by,
        # but the telegrams written after the cover note are what it forwards.
        could |= Q(kind=Reference.Kind.FORWARDING, passage__cable__in=cables)
    waiting = list(
        Reference.objects.shown()
        .filter(missing__isnull=False)
        .filter(could)
        .select_related("passage__cable__sender", "passage__telegram")
    )
    if not waiting:
        return 0
    names = dict(Participant.objects.values_list("pk", "name"))
    resolved = 0
    for ref in waiting:
        resolve(ref, ref.passage, names)
        if ref.missing_id is None:
            resolved += 1
            ref.save()
    MissingRecord.objects.filter(references__isnull=True).delete()
    return resolved


@transaction.atomic(savepoint=False)  # inside an import or a save: no savepoint of its own
def resolve_orphans() -> int:
    """Resolve again the references whose record was deleted (their target set to
    null, and no want-list entry yet); return how many there were. One query when
    there are none."""
    orphans = list(
        Reference.objects.shown()
        .filter(target_cable__isnull=True, target_telegram__isnull=True, missing__isnull=True)
        .select_related("passage__cable__sender", "passage__telegram")
    )
    if not orphans:
        return 0
    names = dict(Participant.objects.values_list("pk", "name"))
    for ref in orphans:
        resolve(ref, ref.passage, names)
        ref.save()
    return len(orphans)
