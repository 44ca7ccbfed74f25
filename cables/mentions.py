"""Find participants named in passages, by canonical name and alias.

Matching is case-insensitive ("LI KENONG"), tolerates any run of whitespace
between the words of a name, and stops at word boundaries, so "Joy" does not
match inside "enjoy" while "Joy's" still yields "Joy". At any position the
longest name wins ("Mao Zedong" before "Mao").

Editors' decisions survive recomputation: mentions an editor confirmed, added
or rejected move with their words when the text changes (and go only when the
words do); a rejected span is never found again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from cables.models import Alias, Mention, Participant, Passage
from readingroom.anchoring import Selector, anchor


@dataclass(frozen=True)
class Found:
    participant_id: int
    start: int
    end: int
    surface: str


class NameMatcher:
    """A compiled matcher over every participant name and alias."""

    def __init__(self, names: Iterable[tuple[str, int]]):
        by_key: dict[str, int] = {}
        for name, participant_id in names:
            key = " ".join(name.split()).casefold()
            if key:
                by_key.setdefault(key, participant_id)
        self._ids = by_key
        if not by_key:
            self._regex = None
            return
        ordered = sorted(by_key, key=len, reverse=True)
        words = (r"\s+".join(re.escape(w) for w in key.split(" ")) for key in ordered)
        self._regex = re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)

    @classmethod
    def from_database(cls) -> NameMatcher:
        """Build from every participant and alias (two queries)."""
        names = list(Participant.objects.values_list("name", "pk"))
        names += list(Alias.objects.values_list("name", "participant_id"))
        return cls(names)

    def find(self, text: str) -> list[Found]:
        if self._regex is None:
            return []
        found = []
        for match in self._regex.finditer(text):
            key = " ".join(match.group().split()).casefold()
            found.append(Found(self._ids[key], match.start(), match.end(), match.group()))
        return found


def _follow_the_words(text: str, kept: dict) -> dict:
    """Editors' mentions after a text change: each moves with its words (the
    occurrence nearest its old place); one whose words are gone is deleted."""
    result = {}
    for m in kept.values():
        if text[m.start : m.end] != m.surface:
            found = anchor(text, Selector(exact=m.surface, start=m.start, end=m.end))
            if found is None or text[found.start : found.end] != m.surface:
                m.delete()
                continue
            m.start, m.end = found.start, found.end
            m.save(update_fields=["start", "end"])
        result[(m.participant_id, m.start, m.end)] = m
    return result


@transaction.atomic
def recompute_mentions(passages: Iterable[Passage], matcher: NameMatcher | None = None) -> int:
    """Replace the automatically found mentions of ``passages``; return how many exist now.

    Runs a few queries per passage; editors' mentions (confirmed, added,
    rejected) are kept as they are.
    """
    matcher = matcher or NameMatcher.from_database()
    total = 0
    for passage in passages:
        kept = {
            (m.participant_id, m.start, m.end): m
            for m in passage.mentions.exclude(status=Mention.Status.FOUND)
        }
        kept = _follow_the_words(passage.text, kept)
        passage.mentions.filter(status=Mention.Status.FOUND).delete()
        new = [
            Mention(
                passage=passage,
                participant_id=f.participant_id,
                start=f.start,
                end=f.end,
                surface=f.surface,
            )
            for f in matcher.find(passage.text)
            if (f.participant_id, f.start, f.end) not in kept
        ]
        Mention.objects.bulk_create(new)
        total += len(new) + sum(1 for m in kept.values() if m.status != Mention.Status.REJECTED)
    return total
