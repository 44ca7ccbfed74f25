"""Rebuild the full-text search index from the cables, passages, names and annotations."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cables.models import Cable
from search.indexer import index_cables, rebuild_index
from search.models import SearchEntry


class Command(BaseCommand):
    help = (
        "Rebuild the search index (search.indexer): one entry per cable, passage and annotation. "
        "On SQLite the FTS5 table and its triggers are reinstalled first. Run it after "
        "migrating a database that already holds cables, or after writing rows without "
        "signals (raw SQL, loaddata). With --cable, only those cables are re-indexed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cable",
            action="append",
            default=[],
            metavar="SLUG",
            help="Re-index only this cable (repeatable).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Cables per transaction (default 500).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be indexed and change nothing.",
        )

    def handle(self, *args, cable: list[str], batch_size: int, dry_run: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be a positive number.")
        cables = Cable.objects.all()
        if cable:
            cables = cables.filter(slug__in=cable)
            missing = sorted(set(cable) - set(cables.values_list("slug", flat=True)))
            if missing:
                raise CommandError(f"No cable has the slug {', '.join(missing)}.")
        count = cables.count()
        if dry_run:
            self.stdout.write(
                f"Would index {count} cable(s) on {connection.vendor} "
                f"({SearchEntry.objects.count()} entries now); nothing changed."
            )
            return
        started = time.monotonic()
        if connection.vendor == "postgresql":
            from search.backends.postgres import install_rum

            # Where the server gained the rum package after migrating (search 0002).
            install_rum()
        if cable:
            written = index_cables(cables, batch_size=batch_size)
        else:
            written = rebuild_index(batch_size=batch_size)
        seconds = time.monotonic() - started
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {count} cable(s): {written} entries in {seconds:.1f} s "
                f"({connection.vendor})."
            )
        )
