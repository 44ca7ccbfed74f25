"""Import documents: Wilson Center text (export or copied page), FRUS TEI, Reading Room JSON."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from cables.mentions import NameMatcher
from cables.models import Collection
from interchange.importers import ImportFailure, check_size, decode, parse
from interchange.importers.writer import Names, write

BATCH = 100


def files_in(paths: list[str]) -> list[Path]:
    """The files named, and every file under the folders named (sorted; hidden ones skipped)."""
    found = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.parts)
            )
        else:
            found.append(path)
    return found


def restore_json(data: dict, *, collection, dry_run: bool, fallback_user=None):
    """Hand a Reading Room JSON export to ``interchange.exchange.restore`` (written alongside)."""
    try:
        from interchange import exchange
    except ImportError:
        raise ImportFailure(
            "this is a Reading Room JSON export, but restoring exports is not installed "
            "(interchange.exchange is missing)",
            1,
        ) from None
    extra = {"fallback_user": fallback_user} if fallback_user is not None else {}
    try:
        return exchange.restore(data, collection=collection, dry_run=dry_run, **extra)
    except getattr(exchange, "RestoreError", ()) as error:
        raise ImportFailure(f"cannot restore this export: {error}", 1) from None


class Command(BaseCommand):
    help = (
        "Import cables from Wilson Center text exports or copied pages, FRUS TEI (a volume or "
        "one document) and Reading Room JSON exports. The format is detected from the content. "
        "Each document is written in one transaction; re-importing one updates it in place. "
        "Names are matched to participants; unknown names are listed, not created."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=str, help="Files or folders.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be written; write nothing."
        )
        parser.add_argument(
            "--collection", type=str, default=None, help="Slug of a collection to add them to."
        )
        parser.add_argument(
            "--fallback-user",
            type=str,
            default=None,
            metavar="USERNAME",
            help="Restoring a JSON export: the author of annotations whose author has no "
            "account here.",
        )

    def handle(
        self,
        *args,
        paths: list[str],
        dry_run: bool,
        collection: str | None,
        fallback_user: str | None = None,
        **options,
    ):
        self.fallback_user = None
        if fallback_user:
            from django.contrib.auth import get_user_model

            self.fallback_user = get_user_model().objects.filter(username=fallback_user).first()
            if self.fallback_user is None:
                raise CommandError(f"No user {fallback_user!r}.")
        target = None
        if collection:
            target = Collection.objects.filter(slug=collection).first()
            if target is None:
                raise CommandError(f"No collection with the slug {collection!r}.")
        names, matcher = Names(), NameMatcher.from_database()
        failed = imported = 0
        unknown: dict[str, list[str]] = {}
        prefix = "Would " if dry_run else ""
        files = files_in(paths)
        if not files:
            raise CommandError("No files to import.")
        # Files are committed BATCH at a time (one commit, not one per document, is what
        # makes a thousand documents take seconds); each file is a savepoint of its own.
        for first in range(0, len(files), BATCH):
            with transaction.atomic():
                for path in files[first : first + BATCH]:
                    try:
                        with transaction.atomic():  # the file is all or nothing
                            results = self._one(path, target, names, matcher, dry_run)
                    except ImportFailure as failure:
                        failed += 1
                        self.stderr.write(failure.located(str(path)))
                        continue
                    for result in results:
                        imported += 1
                        if isinstance(result, str):
                            self.stdout.write(f"{path}: {prefix}{result}")
                            continue
                        self.stdout.write(f"{path}: {result.summary(dry_run)}")
                        for name, role in result.unknown:
                            unknown.setdefault(name, []).append(f"{role} in {path.name}")
        for name, roles in unknown.items():
            self.stdout.write(
                f"Unknown name {name!r} ({'; '.join(roles[:3])}): proposed new participant; "
                "add it (or an alias) in the admin and import again."
            )
        verb = "would be imported" if dry_run else "imported"
        self.stdout.write(f"{imported} documents {verb}; {failed} files failed.")
        if failed:
            raise CommandError(
                f"{failed} of {len(files)} files failed; nothing of them was written."
            )

    def _one(self, path: Path, target, names, matcher, dry_run):
        if not path.is_file():
            raise ImportFailure("no such file", 0)
        check_size(path)
        parsed = parse(decode(path.read_bytes()))
        if parsed.data is not None:
            cables = restore_json(
                parsed.data, collection=target, dry_run=dry_run, fallback_user=self.fallback_user
            )
            return [f"restore {len(cables)} cables from a {parsed.format} export"]
        results = []
        for doc in parsed.documents:
            try:
                results.append(
                    write(doc, names=names, collection=target, matcher=matcher, dry_run=dry_run)
                )
            except (ValidationError, DatabaseError) as error:
                reason = "; ".join(getattr(error, "messages", [str(error)]))
                raise ImportFailure(f"cannot store {doc.title!r}: {reason}", doc.line) from None
        return results
