"""Names in a query: a participant named by any of their names is searched under all of them.

A pseudonym such as "Filippov" or an OCR variant such as "Nam II" also
searches every other name of that participant; where the backend can tell
resemblance (PostgreSQL's trigrams), a misspelt name ("Stallin") is matched
to the closest name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cables.models import Alias, Participant
from readingroom.caching import versioned
from search.backends import backend
from search.backends.base import fetch
from search.query import Parsed, Term, tokens

MAX_ALTERNATIVES = 12  # names searched for one name typed


@dataclass(frozen=True)
class Expansion:
    """A name in the query that stands for a participant, searched under all their names."""

    typed: str
    participant: str
    slug: str
    fuzzy: bool = False


def expand_names(parsed: Parsed, *, version: int | None = None) -> list[Expansion]:
    """Widen every term that names a participant to all of that participant's names.

    Two queries (the data version, then — unless kept in the cache for that
    version — the names; none for an empty query): every name and alias of the
    participants one of whose names shares a word with the query (or, where
    the backend matches misspelt names, resembles a term). A term, or a run
    of single-word terms, equal to a whole name or alias is replaced by the
    alternatives; there, a term of four or more letters that names nobody is
    matched to the closest name at or above the backend's ``fuzzy_threshold``.
    """
    words = sorted({w for t in parsed.positive_terms() for w in t.words if len(w) >= 2})
    words += sorted({w for c in parsed.clauses for t in c.exclude for w in t.words})
    if not words:
        return []
    db = backend()
    fuzzy_terms = []
    if db.fuzzy_names:
        fuzzy_terms = sorted(
            {
                " ".join(t.words)
                for t in parsed.positive_terms()
                if sum(len(w) for w in t.words) >= 4 and len(t.alternatives) == 1
            }
        )[:8]
    participant, alias = Participant._meta.db_table, Alias._meta.db_table
    names = (
        f"SELECT id AS pid, name, 1 AS canonical FROM {participant} "
        f"UNION ALL SELECT participant_id, name, 0 FROM {alias}"
    )
    where = " OR ".join([db.name_contains] * len(words))
    params: list = [f"%{w}%" for w in words]
    sims = ""
    if fuzzy_terms:
        where += " OR " + " OR ".join([db.name_resembles] * len(fuzzy_terms))
        params += fuzzy_terms
        sims = "".join(f", {db.name_similarity}" for _ in fuzzy_terms)
    sql = (
        f"SELECT n.pid, n.name, n.canonical, p.slug{sims} "
        f"FROM ({names}) n JOIN {participant} p ON p.id = n.pid "
        f"WHERE n.pid IN (SELECT n.pid FROM ({names}) n WHERE {where}) "
        "ORDER BY n.pid, n.canonical DESC, n.name"
    )
    args = fuzzy_terms + params if fuzzy_terms else params
    # Names change rarely and the lookup reads every name for a misspelling (a
    # trigram scan the planner will not hand to the index at a few thousand
    # names): kept per data version.
    key = hashlib.blake2b(repr(args).encode(), digest_size=12).hexdigest()
    rows = versioned(  # names: the archive's
        f"search-names:{db.vendor}:{key}", lambda: fetch(sql, args), scopes=[], version=version
    )
    if not rows:
        return []
    people: dict[int, dict] = {}
    for pid, name, canonical, slug, *similarity in rows:
        person = people.setdefault(pid, {"names": [], "name": name, "slug": slug, "sims": {}})
        if canonical:
            person["name"] = name
        if tokens(name) and tokens(name) not in person["names"]:
            person["names"].append(tokens(name))
        for t, s in zip(fuzzy_terms, similarity, strict=True):
            person["sims"][t] = max(person["sims"].get(t, 0.0), s or 0.0)
    # Longest names first, so "Kim Il Sung" wins over a shorter alias inside it.
    by_name = sorted(
        ((n, pid) for pid, p in people.items() for n in p["names"]), key=lambda x: -len(x[0])
    )

    def alternatives_for(pid, typed_words):
        alts = [typed_words] + [n for n in people[pid]["names"] if n != typed_words]
        return tuple(alts[:MAX_ALTERNATIVES])

    expansions: list[Expansion] = []
    exact_words: set[tuple[str, ...]] = set()
    for clause in parsed.clauses:
        for group in ("include", "exclude"):
            terms = getattr(clause, group)
            for name, pid in by_name:
                i = 0
                while i < len(terms):
                    run = _name_run(terms, i, name, several=group == "include")
                    if run:
                        alts = alternatives_for(pid, name)
                        terms[i : i + run] = [Term(alts)]
                        exact_words.add(name)
                        typed = " ".join(name)
                        if len(alts) > 1 and all(e.typed != typed for e in expansions):
                            p = people[pid]
                            expansions.append(Expansion(typed, p["name"], p["slug"]))
                    i += 1
    if fuzzy_terms:
        threshold = db.fuzzy_threshold
        for clause in parsed.clauses:
            for i, t in enumerate(clause.include):
                typed = " ".join(t.words)
                if len(t.alternatives) > 1 or typed not in fuzzy_terms:
                    continue
                best = max(people.items(), key=lambda kv: kv[1]["sims"].get(typed, 0.0))
                pid, p = best
                score = p["sims"].get(typed, 0.0)
                # 1.0: the term is a whole word of a name (Kim of Kim Il Sung): not a misspelling.
                if threshold <= score < 1.0 and t.words not in exact_words:
                    clause.include[i] = Term(alternatives_for(pid, t.words))
                    expansions.append(Expansion(typed, p["name"], p["slug"], fuzzy=True))
    return expansions


def _name_run(terms: list[Term], i: int, name: tuple[str, ...], several: bool) -> int:
    """How many terms from ``terms[i]`` spell ``name`` (0: they do not).

    A term equal to the name, or (with ``several``) consecutive single-word
    terms that together are the name: ``Nam II`` typed as two words.
    """
    got, j = (), i
    while j < len(terms) and len(got) < len(name):
        if len(terms[j].alternatives) > 1 or (j > i and not several):
            return 0
        got += terms[j].words
        j += 1
    return j - i if got == name else 0
