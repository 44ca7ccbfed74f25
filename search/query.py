"""The search's query language: websearch syntax read into a parsed query.

Words (all must be found), ``"quoted phrases"``, ``-exclusions`` and ``OR``,
read the way PostgreSQL's ``websearch_to_tsquery`` reads them, English stop
words dropped as PostgreSQL drops them, so the same query finds the same
cables on both databases. Pure Python: each backend turns a :class:`Parsed`
query into its own syntax (``search.backends``), and the reading view marks
the same words (``search.highlight``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16

# PostgreSQL's English stop words (snowball): PostgreSQL drops them from a
# query; the parser drops them too, so SQLite gives the same results.
_STOP_WORDS = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can did do does doing don down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own s same she should so some such t than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> tuple[str, ...]:
    """The words of ``text``, lower-cased (letters and digits; everything else separates)."""
    return tuple(t.lower() for t in _TOKEN.findall(text))


@dataclass(frozen=True)
class Term:
    """One thing to find: a word or phrase, or (after name expansion) any of several.

    Each alternative is a tuple of words: one word, or a phrase.
    """

    alternatives: tuple[tuple[str, ...], ...]

    @property
    def words(self) -> tuple[str, ...]:
        return self.alternatives[0]


@dataclass
class Clause:
    """Terms that must all be found, and terms that must not be."""

    include: list[Term] = field(default_factory=list)
    exclude: list[Term] = field(default_factory=list)


@dataclass
class Parsed:
    """A query as clauses joined by OR; ``messages`` say what was left out and why."""

    text: str
    clauses: list[Clause] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def positive_terms(self) -> list[Term]:
        return [t for c in self.clauses for t in c.include]


_ITEM = re.compile(r'\s*(?:(-)(?=[^\s-]))?(?:"([^"]*)"?|([^\s"]+))')


def parse(text: str) -> Parsed:
    """Read websearch syntax: words (all must be found), ``"a phrase"``, ``-word`` or
    ``-"a phrase"`` (must not be found), and ``OR`` between alternatives.

    Like PostgreSQL's ``websearch_to_tsquery``: ``OR`` binds looser than the
    implicit AND (``a b OR c`` is ``(a AND b) OR c``), an unclosed quote runs
    to the end, punctuation separates words, stop words are dropped (a quoted
    phrase keeps them between its other words; one of them alone is dropped).
    Never raises.
    """
    parsed = Parsed(text=text)
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u201e", '"')
    items: list[tuple[bool, bool, str] | None] = []  # (negated, quoted, text); None = OR
    for m in _ITEM.finditer(text):
        negated, phrase, word = bool(m.group(1)), m.group(2), m.group(3)
        if word is not None and not negated and word.lower() == "or":
            items.append(None)
        elif phrase is not None:
            items.append((negated, True, phrase))
        elif word is not None:
            items.append((negated, False, word))
    clauses, current, count, dropped_stop, over = [], Clause(), 0, False, False
    for item in [*items, None]:
        if item is None:
            if current.include:
                clauses.append(current)
            elif current.exclude:
                parsed.messages.append(
                    "A part of the search only excludes words ("
                    + ", ".join("-" + " ".join(t.words) for t in current.exclude)
                    + "); add a word to look for."
                )
            current = Clause()
            continue
        negated, quoted, raw = item
        words = tokens(raw)
        if not words:
            continue
        # PostgreSQL drops stop words, also inside quotes: a phrase of them alone would
        # match nothing there and literally on SQLite, and as the only words of a
        # clause with an exclusion it would leave the exclusion alone.
        if all(w in STOP_WORDS for w in words):
            dropped_stop = True
            continue
        if count >= MAX_TERMS:
            over = True
            continue
        count += 1
        (current.exclude if negated else current.include).append(Term((words,)))
    if over:
        parsed.messages.append(f"Only the first {MAX_TERMS} words or phrases are searched.")
    parsed.clauses = clauses
    if not clauses and text.strip():
        if dropped_stop:
            parsed.messages.append(
                "Only very common words were given (such as “the” or “of”); they are not "
                "searched on their own."
            )
        elif not parsed.messages:
            parsed.messages.append(
                "There is nothing to search for: type a word or a name (letters or digits)."
            )
    return parsed
