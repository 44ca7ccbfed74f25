"""The facet filters of a search, and the facets counted over its results.

:class:`Filters` reads the filters from GET parameters; :func:`filtered_cables`
is the subquery of the cables they allow. The facets count the matching
cables the search's count read (all of them up to its ceiling, a sample past
it): year, origin, archive and language from the cables' own columns
(:func:`column_facets`, no query), people and sides from their catalogue rows'
``SearchEntry.people`` and the in-process map of everyone's names and sides
(:func:`people_facets`), collections, annotations, tags and the references'
"cites" and "cited by" in one query (:func:`facet_rows`). An annotation counts
only when the reader may see it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from itertools import chain
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import F, QuerySet

from annotations.models import Annotation, Tag
from cables.models import Cable, Collection, Participant, Passage, Side
from readingroom.caching import versioned
from search.backends import backend
from search.backends.base import fetch, table
from search.models import SearchEntry
from telegrams.models import Reference

if TYPE_CHECKING:
    from search.services import Matched, Results

FACET_SIZE = 12


@dataclass(frozen=True)
class Filters:
    """The facet filters, read from GET parameters (``from_params`` reports bad values)."""

    year: int | None = None
    participant: str = ""
    side: str = ""
    origin: str = ""
    archive: str = ""
    language: str = ""
    collection: str = ""
    annotated: str = ""  # "yes" or "no"
    tag: str = ""
    cites: str = ""  # a cable's slug: the cables whose references resolve to it (issue 16)
    cited_by: str = ""  # a cable's slug: the cables its references resolve to

    NAMES = (
        "year",
        "participant",
        "side",
        "origin",
        "archive",
        "language",
        "collection",
        "annotated",
        "tag",
        "cites",
        "cited_by",
    )
    SLUGS = ("participant", "side", "collection", "tag", "cites", "cited_by")

    @classmethod
    def from_params(cls, params) -> tuple[Filters, list[str]]:
        values, errors = {}, []
        year = params.get("year", "").strip()
        if year:
            if year.isdigit() and 1 <= int(year) <= 9999:
                values["year"] = int(year)
            else:
                errors.append(f"“{year[:40]}” is not a year; a year is written like 1951.")
        for name in cls.SLUGS:
            value = params.get(name, "").strip()
            if value:
                if re.fullmatch(r"[-a-zA-Z0-9_]{1,200}", value):
                    values[name] = value
                else:
                    errors.append(f"“{value[:40]}” is not a valid {FACET_LABELS[name].lower()}.")
        for name in ("origin", "archive", "language"):
            value = params.get(name, "").strip()
            if value:
                if len(value) <= 200:
                    values[name] = value
                else:
                    errors.append(f"The {FACET_LABELS[name].lower()} given is too long.")
        annotated = params.get("annotated", "").strip()
        if annotated:
            if annotated in ("yes", "no"):
                values["annotated"] = annotated
            else:
                errors.append("“Has annotations” is either yes or no.")
        return cls(**values), errors

    def items(self) -> list[tuple[str, str]]:
        return [
            (n, str(getattr(self, n))) for n in self.NAMES if getattr(self, n) not in ("", None)
        ]

    def __bool__(self) -> bool:
        return bool(self.items())


FACET_LABELS = {
    "year": "Year",
    "participant": "Participant",
    "side": "Side",
    "origin": "Origin",
    "archive": "Archive",
    "language": "Original language",
    "collection": "Collection",
    "annotated": "Annotations",
    "tag": "Annotation tag",
    "cites": "Cites",
    "cited_by": "Cited by",
}
ANNOTATED_LABELS = {"yes": "Has annotations", "no": "No annotations"}


def filtered_cables(filters: Filters, user) -> QuerySet:
    """The cables the filters allow (a queryset used as a subquery; runs no query)."""
    cables = Cable.objects.order_by()
    if filters.year:
        cables = cables.filter(date__year=filters.year)
    for name in ("origin", "archive"):
        if getattr(filters, name):
            cables = cables.filter(**{name: getattr(filters, name)})
    if filters.language:
        cables = cables.filter(original_language=filters.language)
    if filters.collection:
        cables = cables.filter(collections__slug=filters.collection)
    if filters.participant:
        cables = cables.taking_part(slug=filters.participant)
    if filters.side:
        cables = cables.taking_part(side__slug=filters.side)
    visible = Annotation.objects.visible_to(user).order_by()
    if filters.annotated == "yes":
        cables = cables.filter(pk__in=visible.values("passage__cable_id"))
    elif filters.annotated == "no":
        cables = cables.exclude(pk__in=visible.values("passage__cable_id"))
    if filters.tag:
        cables = cables.filter(
            pk__in=visible.filter(tags__slug=filters.tag).values("passage__cable_id")
        )
    # A record's references to its own telegrams (a cover note forwarding them) are
    # not citations of it.
    references = Reference.objects.shown().order_by().exclude(passage__cable=F("target_cable"))
    if filters.cites:
        cables = cables.filter(
            pk__in=references.filter(target_cable__slug=filters.cites).values("passage__cable_id")
        )
    if filters.cited_by:
        cables = cables.filter(
            pk__in=references.filter(
                passage__cable__slug=filters.cited_by, target_cable__isnull=False
            ).values("target_cable_id")
        )
    return cables.values("pk")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool
    url: str


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]


@dataclass
class Chosen:
    name: str
    value: str
    label: str
    value_label: str
    remove_url: str


def facet_rows(cable_ids: list[int], visible: tuple[str, list]) -> list[tuple]:
    """(facet, value, label, count) rows for the collection, annotated, tag, cites and
    cited-by facets over these cables (one query), counting the annotations whose index rows the
    reader may see (``visible``: the condition on the rows ``e`` of
    ``search.access.entry_condition``, and its parameters), read from the cables'
    annotation rows alone; the other facets come from the matching cables' rows
    (:func:`column_facets`, :func:`people_facets`)."""
    matched, params = backend().id_select(cable_ids)
    ctes = f"WITH sr_matched(cable_id) AS ({matched})"
    tag = table(Tag)
    reference, passage, cable = table(Reference), table(Passage), table(Cable)
    rejected, published = Reference.Status.REJECTED.value, Cable.Status.PUBLISHED.value
    through = Cable.collections.through
    collection_link = connection.ops.quote_name(through._meta.db_table)
    tag_link = connection.ops.quote_name(Annotation.tags.through._meta.db_table)
    matched = "JOIN sr_matched m ON m.cable_id = "
    ctes += (
        ",\nsr_noted(cable_id, annotation_id) AS ("
        f"SELECT e.cable_id, e.annotation_id FROM {table(SearchEntry)} e "
        f"{matched}e.cable_id WHERE e.kind = 'annotation' AND {visible[0]})"
    )
    params += list(visible[1])

    def top(sql):
        return f"SELECT * FROM ({sql} ORDER BY 4 DESC, 3 LIMIT {FACET_SIZE}) AS f"

    branches = [
        top(
            f"SELECT 'collection', col.slug, col.title, COUNT(*) FROM {collection_link} cc "
            f"JOIN {table(Collection)} col ON col.id = cc.collection_id "
            f"{matched}cc.cable_id GROUP BY col.slug, col.title"
        ),
        "SELECT 'annotated', 'yes', '', COUNT(DISTINCT cable_id) FROM sr_noted",
        top(
            f"SELECT 'tag', t.slug, t.name, COUNT(DISTINCT x.cable_id) FROM sr_noted x "
            f"JOIN {tag_link} at ON at.annotation_id = x.annotation_id "
            f"JOIN {tag} t ON t.id = at.tag_id GROUP BY t.slug, t.name"
        ),
        # References (issue 16), as the cites/cited_by filters read them: shown (not
        # rejected), to or from a published record, a cable's own telegrams left out.
        # "Cites": the records the most matches cite, each counting the matches that do.
        top(
            f"SELECT 'cites', t.slug, t.title, COUNT(DISTINCT p.cable_id) FROM {reference} r "
            f"JOIN {passage} p ON p.id = r.passage_id {matched}p.cable_id "
            f"JOIN {cable} t ON t.id = r.target_cable_id "
            f"WHERE r.status <> '{rejected}' AND t.status = '{published}' "
            "AND t.id <> p.cable_id GROUP BY t.slug, t.title"
        ),
        # "Cited by": the records citing the most matches, each counting the matches cited.
        top(
            "SELECT 'cited_by', c.slug, c.title, COUNT(DISTINCT r.target_cable_id) "
            f"FROM {reference} r {matched}r.target_cable_id "
            f"JOIN {passage} p ON p.id = r.passage_id JOIN {cable} c ON c.id = p.cable_id "
            f"WHERE r.status <> '{rejected}' AND c.status = '{published}' "
            "AND c.id <> r.target_cable_id GROUP BY c.slug, c.title"
        ),
    ]
    sql = ctes + "\n" + "\nUNION ALL ".join(branches)
    return fetch(sql, params)


def column_facets(cables: list[Matched]) -> list[tuple]:
    """The year, origin, archive and language facets' (facet, value, label, count)
    rows: every year, the top few of the rest, counted from the matching
    cables' own columns (no query)."""
    years = Counter(int(str(c.date)[:4]) for c in cables if c.date)  # SQLite: text
    facets = [("year", str(year), "", n) for year, n in years.items()]
    for name in ("origin", "archive", "language"):
        counts = Counter(getattr(c, name) for c in cables if getattr(c, name))
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
        facets += [(name, value, value, n) for value, n in ranked]
    return facets


def people_facets(cables: list[Matched], version: int | None) -> list[tuple]:
    """The person and side facets' (facet, value, label, count) rows, the top few of each.

    Counted from the matching cables' ``SearchEntry.people`` (each id once per
    cable, as the indexer writes them); names and sides come from
    :func:`people_labels` (no query while kept).
    """
    people_of = [c.people.split() for c in cables]
    cables_of = Counter(chain.from_iterable(people_of))
    if not cables_of:
        return []
    names, side_of = versioned(  # people and sides: the archive's
        "search-people", people_labels, scopes=[], version=version, local=True
    )
    people = sorted(_most_cables(cables_of, names), key=lambda r: (-r[3], r[2]))[:FACET_SIZE]
    sides = Counter(chain.from_iterable(set(map(side_of.get, pids)) for pids in people_of))
    sides.pop(None, None)
    ranked_sides = sorted(
        (("side", slug, name, n) for (slug, name), n in sides.items()),
        key=lambda r: (-r[3], r[2]),
    )[:FACET_SIZE]
    return people + ranked_sides


def _most_cables(cables_of: Counter, names: dict) -> list[tuple]:
    """The ("participant", slug, name, count) rows of the people in the most cables:
    the first ``FACET_SIZE`` known ones by count, with everyone tied with the last
    (the caller orders ties by name). Read in ``most_common``'s order, which is
    sorted in C: a common word's thousand cables name some 2,500 people, and
    building a row for each of them cost more than the facet's query (issue 13)."""
    rows: list[tuple] = []
    for pid, n in cables_of.most_common():
        if len(rows) >= FACET_SIZE and n < rows[-1][3]:
            break
        if pid in names:
            rows.append(("participant", *names[pid], n))
    return rows


def people_labels() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """Every participant's id (as ``SearchEntry.people`` writes it) → (slug, name), and
    → their side's (slug, name) for those on a side (one query; kept per data
    version by the caller)."""
    rows = Participant.objects.values_list("pk", "slug", "name", "side__slug", "side__name")
    names, sides = {}, {}
    for pk, slug, name, side_slug, side_name in rows:
        names[str(pk)] = (slug, name)
        if side_slug:
            sides[str(pk)] = (side_slug, side_name)
    return names, sides


def check_filters(filters: Filters, messages: list[str], visible: tuple[str, list]):
    """Drop filters naming nobody and nothing (with a message); the chosen values' labels.

    A tag counts as existing only when a note the reader may see carries it
    (``visible``: the condition on the index rows ``e`` of
    ``search.access.entry_condition``, and its parameters, as in
    :func:`facet_rows`): a tag only on private, group or hidden notes is, to
    anyone who may not see them, the same as a tag nobody made.

    One query, only when a participant, side, collection, tag or cited record is chosen.
    """
    labels: dict[tuple[str, str], str] = {}
    if filters.annotated:
        labels[("annotated", filters.annotated)] = ANNOTATED_LABELS[filters.annotated]
    chosen = [(name, getattr(filters, name)) for name in Filters.SLUGS if getattr(filters, name)]
    if not chosen:
        return filters, labels
    sources = {
        "participant": (Participant, "name"),
        "side": (Side, "name"),
        "collection": (Collection, "title"),
        "tag": (Tag, "name"),
        "cites": (Cable, "title"),
        "cited_by": (Cable, "title"),
    }
    branches, params = [], []
    tag_link = connection.ops.quote_name(Annotation.tags.through._meta.db_table)
    for name, value in chosen:
        model, label = sources[name]
        sql = f"SELECT '{name}', t.slug, t.{label} FROM {table(model)} t WHERE t.slug = %s"
        params.append(value)
        if name == "tag":
            sql += (
                f" AND EXISTS (SELECT 1 FROM {tag_link} at JOIN {table(SearchEntry)} e "
                "ON e.annotation_id = at.annotation_id "
                f"WHERE at.tag_id = t.id AND e.kind = 'annotation' AND {visible[0]})"
            )
            params += list(visible[1])
        if model is Cable:
            sql += " AND t.status = 'published'"
        branches.append(sql)
    found = {(n, s): label for n, s, label in fetch(" UNION ALL ".join(branches), params)}
    labels.update(found)
    dropped = {}
    for name, value in chosen:
        if (name, value) not in found:
            dropped[name] = ""
            messages.append(
                {
                    "participant": f"Nobody in the reading room has the identifier “{value}”.",
                    "side": f"There is no side called “{value}”.",
                    "collection": f"There is no collection called “{value}”.",
                    "tag": f"No annotation tag is called “{value}”.",
                    "cites": f"No record has the address “{value}”.",
                    "cited_by": f"No record has the address “{value}”.",
                }[name]
                + " That filter is left out."
            )
    return (replace(filters, **dropped) if dropped else filters), labels


def build_facets(results: Results, rows, labels, counted: int) -> list[Facet]:
    """The facets to show from the (facet, value, label, count) rows over ``counted``
    matching cables, each value with the address that chooses it (or, chosen, removes
    it)."""
    grouped: dict[str, list] = defaultdict(list)
    for facet, value, label, n in rows:
        if facet != "total" and value not in (None, "") and n:
            grouped[facet].append((str(value), label or str(value), int(n)))
    yes = sum(n for _, _, n in grouped.pop("annotated", []))
    if counted:
        grouped["annotated"] = [
            (v, ANNOTATED_LABELS[v], n) for v, n in (("yes", yes), ("no", counted - yes)) if n
        ]
    facets = []
    for name in Filters.NAMES:
        values = grouped.get(name, [])
        if name == "year":
            values.sort(key=lambda v: v[0])
        elif name != "annotated":
            values.sort(key=lambda v: (-v[2], v[1].lower()))
        chosen = dict(results.filters.items()).get(name)
        if chosen and all(v[0] != chosen for v in values):
            # The chosen value always shows (it may have fallen outside the top few).
            values.insert(0, (chosen, labels.get((name, chosen), chosen), counted))
        facet_values = [
            FacetValue(
                value,
                label,
                n,
                value == chosen,
                results.url(**{name: None if value == chosen else value}),
            )
            for value, label, n in values
        ]
        if facet_values:
            facets.append(Facet(name, FACET_LABELS[name], facet_values))
    return facets
