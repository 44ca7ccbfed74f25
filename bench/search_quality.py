"""How good and how fast the search is, against the configured database (issue 13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/readingroom_bench .venv/bin/python \\
        bench/search_quality.py [--runs 20]

For each query of the bench's 20-query mix (``QUERIES`` in bench/run.py), as
an anonymous reader:

- recall@10: how many of the page's first 10 cables are among the first 10 of
  the exact ranking, computed here by brute force: every matching row's score
  computed by the engine's scoring function one row at a time, not through an
  index's order (PostgreSQL: RUM's ``<=>``, of the words' query for a phrase
  (``search.backends.postgres.words_tsquery``), or ``ts_rank_cd`` without RUM;
  SQLite: ``bm25()``), sorted here in Python, each cable placed by its best row, in the
  tiers and with the ties of ``search.services._Query.ranking``;
- whether the page's first 10 are exactly those, in that order;
- the exact count (brute force) against the count the page shows;
- the search service's latency over ``--runs`` runs, one client, nothing kept
  between runs but the names of the query (as on the bench's fresh searches).

Prints a markdown table.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readingroom.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.db import connection  # noqa: E402

from bench.run import QUERIES  # noqa: E402
from cables.models import Cable  # noqa: E402
from readingroom.caching import data_version  # noqa: E402
from search import services  # noqa: E402
from search.backends.base import fetch  # noqa: E402
from search.facets import Filters  # noqa: E402
from search.names import expand_names  # noqa: E402
from search.query import parse  # noqa: E402

K = 10


def exact(query: str, user) -> tuple[list[int], int]:
    """The first K cables of the exact ranking and the exact number of matching cables,
    by brute force: every match scored row by row, sorted here."""
    parsed = parse(query)
    expand_names(parsed, version=data_version())
    q = services._Query(parsed, user, Filters())
    where, params = q._where("1 = 1")
    ctes, with_params = q._with()
    ctes = services._with_clause(ctes)
    # No ORDER BY: every matching row is scored by the engine's function one row at a
    # time (PostgreSQL: RUM's <=>, that is rum_ts_distance, or ts_rank_cd without RUM;
    # SQLite: bm25()), never read in an index's order.
    sql, all_params = q.compiled.scored("e.cable_id, e.kind", where, params)
    rows = fetch(ctes + sql, with_params + all_params)
    best: dict[int, tuple[int, float]] = {}
    for cable_id, kind, rank in rows:
        key = (1 if kind == "cable" else 2, rank)
        if cable_id not in best or key < best[cable_id]:
            best[cable_id] = key
    # A cable whose catalogue record matches is in the first tier, whatever its text.
    cables = {c.pk: c for c in Cable.objects.filter(pk__in=best).only("date", "title")}

    def order(cable_id):
        tier, rank = best[cable_id]
        c = cables[cable_id]
        return (tier, rank, c.date is None, c.date or datetime.date.min, c.title, cable_id)

    return sorted(best, key=order)[:K], len(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="Timed runs per query.")
    args = parser.parse_args()
    user = AnonymousUser()
    version = data_version()
    print(f"{Cable.objects.count():,} cables on {connection.vendor}; {args.runs} runs a query.\n")
    print("| query | recall@10 | first 10 in order | exact count | shown | p50 ms | p95 ms |")
    print("| --- | ---: | :---: | ---: | ---: | ---: | ---: |")
    recalls, all_times, same = [], [], 0
    for query in QUERIES:
        results = services.search(query, user, version=version)
        shown = [hit.cable.pk for hit in results.hits[:K]]
        top, total = exact(query, user)
        recall = len(set(shown) & set(top)) / len(top) if top else 1.0
        recalls.append(recall)
        same += shown == top
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            services.search(query, user, version=version)
            times.append((time.perf_counter() - started) * 1000)
        all_times += times
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(
            f"| `{query}` | {recall:.2f} | {'yes' if shown == top else 'NO'} | {total:,} | "
            f"{results.count_label} | {statistics.median(times):.1f} | {p95:.1f} |"
        )
    p95 = statistics.quantiles(all_times, n=20)[-1]
    print(
        f"| **the mix** | **{statistics.mean(recalls):.3f}** | {same}/{len(QUERIES)} | | | "
        f"**{statistics.median(all_times):.1f}** | **{p95:.1f}** |"
    )


if __name__ == "__main__":
    main()
