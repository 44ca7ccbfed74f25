"""Render and keep every published cable's fixed layers (``reading.layers``).

    python manage.py keep_layers --origin https://readingroom.example.org
    python manage.py keep_layers --origin http://127.0.0.1:8000 --all

A reading view renders its cable's layers the first time anyone reads it after
a change, and keeps them in the database. Run this after a large import or a
deployment (a new release renders everything anew), so that no reader pays for
the first rendering: it renders only the cables whose kept layers are missing
or stale for that origin (``--all``: every one), in batches that read each
batch's cables in the same dozen queries. ``--origin`` is the scheme and host
readers use, as the app sees them (the citations' absolute links name it);
give it once per public address. ``--part 1/2`` and ``--part 2/2``, run at
once, share the cables between two processes (by id), for a machine with cores
to spare.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from annotations.models import Link
from cables.models import Cable
from reading import layers
from reading.models import KeptLayers
from readingroom.caching import cable_scope, read_versions


def origin(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise CommandError(
            f"--origin must be a scheme and host such as https://readingroom.example.org, "
            f"not {value!r}"
        )
    return f"{parts.scheme}://{parts.netloc}"


def part(value: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        k = n = 0
    if not 1 <= k <= n:
        raise CommandError(f"--part must be K/N with 1 ≤ K ≤ N, such as 1/2, not {value!r}")
    return k, n


class Command(BaseCommand):
    help = "Render and keep the fixed layers of every published cable (missing or stale ones)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--origin", action="append", required=True, type=str,
            help="Scheme and host readers use (repeat for each public address).",
        )  # fmt: skip
        parser.add_argument("--all", action="store_true", help="Render every cable again.")
        parser.add_argument("--batch", type=int, default=200, help="Cables per batch.")
        parser.add_argument(
            "--part", default="1/1", type=part,
            help="K/N: only the cables whose id is K modulo N (run N processes at once).",
        )  # fmt: skip

    def handle(self, *args, **options):
        origins = [origin(o) for o in options["origin"]]
        batch = max(1, options["batch"])
        k, n = options["part"]
        ids = [
            (pk, slug)
            for pk, slug in Cable.objects.published().order_by("pk").values_list("pk", "slug")
            if pk % n == k - 1
        ]
        started, rendered = time.perf_counter(), 0
        for start in range(0, len(ids), batch):
            chunk = dict(ids[start : start + batch])
            rendered += self.keep_batch(chunk, origins, options["all"])
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Kept the layers of {rendered:,} of {len(ids):,} published cables "
            f"for {', '.join(origins)} in {seconds:.1f} s."
        )

    def keep_batch(self, slugs: dict[int, str], origins: list[str], everything: bool) -> int:
        # The versions first, then the data (as a page reads them): a write in
        # between leaves rows named by the older versions, which no page reads.
        versions = read_versions([cable_scope(s) for s in slugs.values()])
        if versions is None:
            raise CommandError("This database has no version triggers: nothing can be kept.")
        named = {pk: layers.digest(versions.token_of([cable_scope(s)])) for pk, s in slugs.items()}
        wanted = {(pk, o) for pk in slugs for o in origins}
        if not everything:
            current = KeptLayers.objects.filter(cable_id__in=slugs, origin__in=origins)
            wanted -= {
                (pk, o)
                for pk, o, token in current.values_list("cable_id", "origin", "token")
                if token == named[pk]
            }
        todo = {pk for pk, _ in wanted}
        if not todo:
            return 0
        incoming: dict[int, list[int]] = {pk: [] for pk in todo}
        arriving = Link.objects.filter(target_passage__cable_id__in=todo)
        for cable_id, link_id in arriving.values_list("target_passage__cable_id", "pk"):
            incoming[cable_id].append(link_id)
        rows = []
        for cable in layers.readable_for_layers().filter(pk__in=todo):
            for o in origins:
                if (cable.pk, o) in wanted:
                    built = layers.build(o, cable, incoming[cable.pk])
                    rows.append((cable.pk, o, named[cable.pk], built))
        layers.keep(rows)
        return len(todo)
