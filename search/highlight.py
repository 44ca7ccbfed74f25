"""Marking the terms found: snippets of the results, and search hits in a cable.

The search page shows, per hit, up to a few snippets cut by the database
(``ts_headline`` or ``snippet()``, the terms between ``HIT_OPEN`` and
``HIT_CLOSE``) and the title with the terms marked. A link to a cable carries
the terms (``?hl=``): the reading view marks them in its passages and its
"Find in this cable" box lists the passages holding them
(:func:`find_in_rows`), matching in Python, with no query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from annotations.models import Annotation
from cables.models import Cable, Passage
from readingroom.spans import Span
from search.backends.base import HIT_CLOSE, HIT_OPEN, CompiledQuery, fetch, table
from search.models import SearchEntry
from search.query import MAX_QUERY_LENGTH, Parsed, parse

if TYPE_CHECKING:
    from search.services import Candidate

MAX_MARKS = 300  # search-hit spans marked in one cable


def highlight_query(parsed: Parsed) -> str:
    """The terms to mark in a cable (``?hl=``): every alternative of every wanted term."""
    seen, out = set(), []
    for t in parsed.positive_terms():
        for words in t.alternatives:
            if words not in seen:
                seen.add(words)
                out.append(words[0] if len(words) == 1 else '"' + " ".join(words) + '"')
    return " ".join(out)[:MAX_QUERY_LENGTH]


# --- snippets of the results -------------------------------------------------


@dataclass
class Snippet:
    kind: str  # cable, passage, annotation
    label: str
    html: SafeString
    url: str


def fetch_snippets(query: CompiledQuery, rows: tuple[str, list]) -> list[tuple]:
    """A highlighted snippet for each of these rows, with what labels it.

    ``rows`` is the SQL (and its parameters) of the rows to cut, whose first
    column is the entry's id. Each row's columns, then the snippet, the
    passage's position, label and kind, the annotation's kind, its author's
    username, first and last name; in one query.
    """
    passage, annotation = table(Passage), table(Annotation)
    user = table(get_user_model())
    snip = query.snippets()
    where = f"WHERE {snip.where}" if snip.where else ""
    sql = (
        f"SELECT m.*, {snip.column}, p.position, p.label, p.kind, a.kind, u.username, "
        f"u.first_name, u.last_name FROM {snip.source} "
        f"JOIN ({rows[0]}) m ON m.id = e.id "
        f"LEFT JOIN {passage} p ON p.id = e.passage_id "
        f"LEFT JOIN {annotation} a ON a.id = e.annotation_id "
        f"LEFT JOIN {user} u ON u.id = a.author_id {where}"
    )
    return fetch(sql, [*snip.column_params, *rows[1], *snip.where_params])


def render_snippet(text: str | None) -> SafeString:
    """A snippet or headline as HTML: the text escaped, the terms in ``<mark class="hit">``."""
    text = " ".join((text or "").split())
    html = str(escape(text))
    html = re.sub(f"{HIT_CLOSE}(\\s+){HIT_OPEN}", r"\1", html)  # one mark for "Nam II"
    html = html.replace(HIT_OPEN, '<mark class="hit">').replace(HIT_CLOSE, "</mark>")
    if html.count('<mark class="hit">') != html.count("</mark>"):  # never unbalanced markup
        html = str(escape(text.replace(HIT_OPEN, "").replace(HIT_CLOSE, "")))
    html = re.sub(
        f"{FIX_OPEN}([^{FIX_MID}]*){FIX_MID}([^{FIX_CLOSE}]*){FIX_CLOSE}",
        r'<ins class="correction" tabindex="0" data-published="\2" '
        r'title="As published: \2">\1</ins>',
        html,
    )
    return mark_safe(html)


def mark_terms(text: str, pattern: re.Pattern | None) -> SafeString:
    """``text`` escaped, with the terms of ``pattern`` in ``<mark class="hit">`` (no queries)."""
    if pattern is None:
        return escape(text)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [escape(text[pos : m.start()]), '<mark class="hit">', escape(m.group()), "</mark>"]
        pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(str(x) for x in out))


def cable_url(cable: Cable, hl: str, fragment: str = "", **extra) -> str:
    """A link to the cable that marks the terms ``hl`` (at a passage: ``fragment``)."""
    params = {"hl": hl, **extra}
    return cable.get_absolute_url() + "?" + urlencode(params) + (f"#{fragment}" if fragment else "")


# Private-use marks for a corrected stretch inside a snippet's text, until it is
# rendered: FIX_OPEN replacement FIX_MID published FIX_CLOSE.
FIX_OPEN, FIX_MID, FIX_CLOSE = "\ue000", "\ue001", "\ue002"


def corrections_in(user, cable_ids) -> dict[tuple[int, int], list[tuple[str, str]]]:
    """(exact, replacement) of the accepted corrections ``user`` may see in the
    passages of these cables, by (cable id, passage position) (one query)."""
    found: dict[tuple[int, int], list[tuple[str, str]]] = {}
    rows = (
        Annotation.objects.visible_to(user)
        .filter(
            passage__cable__in=list(cable_ids),
            kind=Annotation.Kind.CORRECTION,
            correction_status=Annotation.Correction.ACCEPTED,
            parent__isnull=True,
        )
        .exclude(anchor_status=Annotation.Anchor.ORPHANED)
        .exclude(exact="")
        .values_list("passage__cable_id", "passage__position", "exact", "replacement")
    )
    for cable_id, position, exact, replacement in rows:
        found.setdefault((cable_id, position), []).append((exact, replacement))
    return found


def correct_snippet(text: str, fixes: list[tuple[str, str]]) -> str:
    """A passage snippet's text (with its hit marks) with accepted corrections applied
    where their published words stand whole in it: each becomes a corrected stretch
    (its hit marks go: the corrected words are not what the index matched)."""
    for exact, replacement in fixes:
        marks = f"[{HIT_OPEN}{HIT_CLOSE}]*"
        pattern = marks.join(re.escape(ch) for ch in exact)
        text = re.sub(
            pattern,
            lambda m, r=replacement, e=exact: f"{FIX_OPEN}{r}{FIX_MID}{e}{FIX_CLOSE}",
            text,
        )
    return text


def snippet(cable: Cable, candidate: Candidate, row, hl: str, fixes=None, extra=None) -> Snippet:
    """One of a hit's snippets from its row and the snippet's columns of
    :func:`fetch_snippets` (text, position, labels): HTML, label, link. With
    ``fixes`` (the corrected reading, :func:`corrections_in`) a passage's snippet
    shows its accepted corrections; ``extra`` goes into the links."""
    kind, annotation_id = candidate.kind, candidate.annotation_id
    (text, position, label, passage_kind, annotation_kind, username, first, last) = row
    extra = extra or {}
    if kind == SearchEntry.Kind.CABLE:
        html = record_snippet(cable, term_pattern(hl))
        return Snippet(kind, "Catalogue record", html, cable_url(cable, hl, **extra))
    if fixes and kind == SearchEntry.Kind.PASSAGE:
        text = correct_snippet(text or "", fixes.get((cable.pk, position), []))
    html = render_snippet(text)
    passage_label = label or dict(Passage.Kind.choices).get(passage_kind, "Passage")
    if kind == SearchEntry.Kind.ANNOTATION:
        who = " ".join(x for x in (first, last) if x) or username or "a reader"
        what = dict(Annotation.Kind.choices).get(annotation_kind, "Annotation")
        if position is None:  # a note on the whole document (search.indexer)
            where, fragment = "On the whole document", f"card-{annotation_id}"
        else:
            where, fragment = passage_label, f"p{position}"
        return Snippet(
            kind,
            f"{what} by {who} · {where}",
            html,
            cable_url(cable, hl, fragment, annotation=annotation_id, **extra),
        )
    return Snippet(kind, passage_label, html, cable_url(cable, hl, f"p{position}", **extra))


RECORD_SNIPPET_PARTS = 2  # readable fields a catalogue-record snippet shows at most


def record_fields(cable: Cable) -> list[str]:
    """The readable fields of a catalogue record, as a reader would say them (no
    query: sender and recipient are joined). The index's own text joins every
    name and alias and the record id, which reads as noise in a snippet."""
    people = []
    if cable.sender_id:
        people.append(f"From {cable.sender.name}")
    if cable.recipient_id:
        people.append(f"to {cable.recipient.name}")
    where = ", ".join(x for x in (cable.archive_name or cable.archive, cable.signature) if x)
    numbers = []
    if cable.cable_number:
        numbers.append(f"No. {cable.cable_number}")
    if cable.record_id:
        numbers.append(f"record {cable.record_id}")
    kind = " ".join(x for x in (cable.document_type, ", ".join(numbers)) if x)
    fields = [
        cable.summary,
        " ".join(people),
        where,
        kind,
        ", ".join(x for x in (cable.origin, cable.series) if x),
        cable.original_language,
    ]
    return [f for f in fields if f]


def _around(text: str, pattern: re.Pattern | None, width: int = 200) -> str:
    """``text``, or about ``width`` characters of it around its first match, cut at
    word edges with an ellipsis."""
    if len(text) <= width:
        return text
    m = pattern.search(text) if pattern is not None else None
    start = max(0, (m.start() if m else 0) - width // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = text.rfind(" ", start, start + width)
    end = end if end > start else start + width
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def record_snippet(cable: Cable, pattern: re.Pattern | None) -> SafeString:
    """A catalogue record's snippet: the readable fields that hold the terms (at most
    ``RECORD_SNIPPET_PARTS``), marked; the summary when none does (no query)."""
    fields = record_fields(cable)
    found = [f for f in fields if pattern is not None and pattern.search(f)]
    shown = [_around(f, pattern) for f in found[:RECORD_SNIPPET_PARTS]] or [
        _around(f, None) for f in fields[:1]
    ]
    return mark_safe(" · ".join(str(mark_terms(f, pattern)) for f in shown))


# --- marking terms in a text (the reading view's ?hl= and "Find in this cable") ----

_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")


def _word_pattern(word: str, last: bool) -> str:
    if len(word) >= 4 and not word.isdigit():
        stem = _SUFFIX.sub("", word)
        if len(stem) >= 3:
            return re.escape(stem) + r"[^\W_]*" if last else re.escape(word)
    return re.escape(word) + r"(?![^\W_])" if last else re.escape(word)


def term_pattern(hl: str) -> re.Pattern | None:
    """A case-insensitive pattern for the wanted words and phrases of ``hl`` (or ``None``).

    A word matches at the start of a word, with simple English endings
    (``agenda`` marks "agendas"); a phrase's words may be separated by any
    spaces or punctuation. No database query.
    """
    parsed = parse(hl[:MAX_QUERY_LENGTH])
    alternatives = {a for t in parsed.positive_terms() for a in t.alternatives}
    if not alternatives:
        return None
    parts = []
    for words in sorted(alternatives, key=lambda a: (-sum(map(len, a)), a)):
        parts.append(
            r"[\W_]+".join(_word_pattern(w, i == len(words) - 1) for i, w in enumerate(words))
        )
    return re.compile(r"(?<![^\W_])(?:" + "|".join(parts) + ")", re.IGNORECASE)


@dataclass
class Find:
    """What "Find in this cable" found: the terms, the count, the passages with hits."""

    query: str = ""
    total: int = 0
    passages: list[tuple[Passage, int]] = field(default_factory=list)
    capped: bool = False
    message: str = ""


def find_in_rows(rows, hl: str) -> Find:
    """Mark the terms of ``hl`` in the reading view's rows (search-hit spans; no queries).

    Appends ``Span(start, end, "hit", n)`` to each row's ``highlights`` (at
    most ``MAX_MARKS`` in all) and returns the count and the passages holding
    matches, for the find box's links.
    """
    hl = " ".join(hl.split())
    find = Find(query=hl[:MAX_QUERY_LENGTH])
    if not hl:
        return find
    if len(hl) > MAX_QUERY_LENGTH:
        find.message = f"Only the first {MAX_QUERY_LENGTH} characters are looked for."
    pattern = term_pattern(find.query)
    if pattern is None:
        find.message = "There is nothing to find: type a word (letters or digits)."
        return find
    n = 0
    for row in rows:
        count = 0
        for m in pattern.finditer(row.passage.text):
            if n >= MAX_MARKS:
                find.capped = True
                break
            n += 1
            count += 1
            row.highlights.append(Span(m.start(), m.end(), "hit", n))
        if count:
            find.passages.append((row.passage, count))
    find.total = n
    return find
