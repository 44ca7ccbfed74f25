"""Who may see a search entry, decided on the entry's own columns (issue 13).

The one visibility rule is ``Annotation.objects.visible_to``: a note is seen
when it is not deleted, on a published cable, and public (and not hidden,
unless the reader is an editor), or the reader's own, or shared with a group
the reader belongs to (and not hidden either); a note awaiting review counts
as hidden (the indexer writes ``hidden`` for both); a reply is seen only by
those who may see the note it answers as well. The indexer copies what the
rule reads onto each annotation's ``SearchEntry`` (``visibility``, ``hidden``,
``author_id``, ``group_id`` and the same of the parent, ``parent_*``) and
writes no entry for a deleted note, a reply to a deleted note or a note of an
unpublished cable, so the rest of the rule is a condition on the row
(:func:`entry_condition`), as a search engine filters documents on their
access fields. The reader's groups live outside the entries: they are read
once per search (:class:`Reader`).

A test (search/tests/test_access.py) checks that the rows this condition lets
through are those of ``visible_to`` for an anonymous reader, a researcher, a
group member and an editor.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotations.models import Annotation, ResearchGroup

PUBLIC = Annotation.Visibility.PUBLIC.value
GROUP = Annotation.Visibility.GROUP.value


@dataclass(frozen=True)
class Reader:
    """What the rule needs to know of a reader: who, editor or not, and their groups."""

    user_id: int | None
    staff: bool
    groups: tuple[int, ...]

    @classmethod
    def of(cls, user) -> Reader:
        """The reader ``user`` (one query for a signed-in user: their groups)."""
        if not user.is_authenticated:
            return cls(None, False, ())
        groups = ResearchGroup.members.through.objects.filter(user_id=user.pk).values_list(
            "researchgroup_id", flat=True
        )
        return cls(user.pk, bool(user.is_staff), tuple(sorted(groups)))


def _note(reader: Reader, prefix: str) -> tuple[str, list]:
    """The rule for one note whose columns are ``e.<prefix>visibility`` and so on."""
    column = f"e.{prefix}"
    # Withheld (hidden, or awaiting review) in every branch but the author's (issue 15).
    shown = "" if reader.staff else f"NOT {column}hidden AND "
    public = f"({shown}{column}visibility = '{PUBLIC}')"
    if reader.user_id is None:
        return public, []
    terms, params = [public, f"{column}author_id = %s"], [reader.user_id]
    if reader.groups:
        marks = ", ".join(["%s"] * len(reader.groups))
        terms.append(f"({shown}{column}visibility = '{GROUP}' AND {column}group_id IN ({marks}))")
        params += list(reader.groups)
    return "(" + " OR ".join(terms) + ")", params


def entry_condition(reader: Reader) -> tuple[str, list]:
    """A condition on the entries ``e`` that keeps the rows ``reader`` may see: every
    row of a cable's own text, and the annotation rows the rule lets them see; and its
    parameters."""
    own, own_params = _note(reader, "")
    parent, parent_params = _note(reader, "parent_")
    sql = f"(e.annotation_id IS NULL OR ({own} AND (e.parent_visibility = '' OR {parent})))"
    return sql, own_params + parent_params
