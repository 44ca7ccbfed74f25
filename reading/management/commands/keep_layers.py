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

It also renders each cable's page as an anonymous reader gets it at the
cable's address and keeps it beside the layers (``KeptLayers.page``): most
reads of an archive are those. ``--layers-only`` skips them. The page is
rendered by the reading view itself (``reading.views.cable_page``) on a request
made as a reader's would be (Django's ``RequestFactory``, as static-site
generators render views), without the page cache, so that a bulk run does
not fill a shared cache with pages nobody asked for;
``reading/tests/test_layers.py`` checks it is the page readers are served.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory
from django.urls import resolve
from django_htmx.middleware import HtmxDetails

from annotations.models import Annotation, Link
from cables.models import Cable
from reading import layers, views
from reading.models import KeptLayers
from readingroom.caching import cable_scope, read_versions, rendering_for_cache


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
            "--layers-only", action="store_true",
            help="Keep the layers, not the anonymous readers' pages.",
        )  # fmt: skip
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
            rendered += self.keep_batch(chunk, origins, options["all"], options["layers_only"])
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Kept the layers of {rendered:,} of {len(ids):,} published cables "
            f"for {', '.join(origins)} in {seconds:.1f} s."
        )

    def keep_batch(
        self, slugs: dict[int, str], origins: list[str], everything: bool, layers_only: bool
    ) -> int:
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
        annotated = set(
            Annotation.objects.filter(passage__cable_id__in=todo)
            .order_by()
            .values_list("passage__cable_id", flat=True)
            .distinct()
        )
        incoming: dict[int, list[int]] = {pk: [] for pk in todo}
        arriving = Link.objects.filter(target_passage__cable_id__in=todo)
        for cable_id, link_id in arriving.values_list("target_passage__cable_id", "pk"):
            incoming[cable_id].append(link_id)
        rows = []
        for cable in layers.readable_for_layers().filter(pk__in=todo):
            for o in origins:
                if (cable.pk, o) in wanted:
                    built = layers.build(o, cable, incoming[cable.pk], cable.pk in annotated)
                    rows.append((cable.pk, o, named[cable.pk], built))
        layers.keep(rows)
        if not layers_only:
            for pk, o, _, _ in rows:
                keep_anonymous_page(o, slugs[pk])
        return len(todo)


def keep_anonymous_page(origin_: str, slug: str) -> None:
    """Render the page an anonymous reader gets at the cable's address, at
    ``origin_``; the reading view keeps it (``reading.layers.keep_page``)."""
    parts = urlsplit(origin_)
    path = Cable(slug=slug).get_absolute_url()
    request = RequestFactory().get(path, HTTP_HOST=parts.netloc, secure=parts.scheme == "https")
    request.user = AnonymousUser()
    request.htmx = HtmxDetails(request)
    request.resolver_match = resolve(path)
    with rendering_for_cache(request):
        views.cable_page(request, slug)
