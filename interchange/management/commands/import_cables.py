"""Import documents: Wilson Center text (any layout), FRUS TEI and pages, Reading Room JSON.

Over thousands of files: a progress bar (on a terminal), a summary at the end
(created, updated, drafts to review with their gaps, refused with reasons)
and, with ``--report FILE.csv``, one row per document or refused file.
Re-running is idempotent: the same record id or FRUS id updates in place.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from tqdm import tqdm

from cables.mentions import NameMatcher
from cables.models import Cable, Collection
from interchange import exchange
from interchange.importers import ImportFailure, check_size, decode, parse
from interchange.importers.writer import Names, write_all
from telegrams.resolution import ReferenceBatch

BATCH = 100
VOLUME = 20  # a file of at least this many documents shows its own progress


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
    """Hand a Reading Room JSON export to ``interchange.exchange.restore``."""
    extra = {"fallback_user": fallback_user} if fallback_user is not None else {}
    try:
        return exchange.restore(data, collection=collection, dry_run=dry_run, **extra)
    except exchange.RestoreError as error:
        raise ImportFailure(f"cannot restore this export: {error}", 1) from None


REPORT_COLUMNS = ["file", "line", "outcome", "title", "date", "record_id", "address", "notes"]


@dataclass
class Tally:
    """What an import run did, for the summary and the report."""

    created: int = 0
    updated: int = 0
    restored: int = 0
    drafts: list[tuple[str, str, list[str]]] = field(default_factory=list)  # file, title, gaps
    refused: list[str] = field(default_factory=list)  # file:line: reason
    rows: list[dict] = field(default_factory=list)

    def add(self, path: Path, result) -> None:
        cable = result.cable
        if result.created:
            self.created += 1
        else:
            self.updated += 1
        gaps = list(cable.problems) + [
            f"{name} missing" for name, how in cable.provenance.items() if how == "missing"
        ]
        if cable.status == Cable.Status.DRAFT:
            self.drafts.append((str(path), cable.title, gaps))
        outcome = ("created" if result.created else "updated") + (
            ", draft" if cable.status == Cable.Status.DRAFT else ""
        )
        self.rows.append(
            {
                "file": str(path),
                "line": "",
                "outcome": outcome,
                "title": cable.title,
                "date": cable.date.isoformat() if cable.date else cable.date_as_written,
                "record_id": cable.record_id,
                "address": cable.get_absolute_url(),
                "notes": "; ".join(gaps),
            }
        )

    def refuse(self, path: Path, failure: ImportFailure) -> str:
        where = failure.located(str(path))
        self.refused.append(where)
        self.rows.append(
            {
                "file": str(path),
                "line": failure.line or 1,
                "outcome": "refused",
                "title": "",
                "date": "",
                "record_id": "",
                "address": "",
                "notes": failure.reason,
            }
        )
        return where


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
        parser.add_argument(
            "--report",
            type=str,
            default=None,
            metavar="FILE.csv",
            help="Write one row per document (created, updated, draft) or refused file.",
        )

    def handle(
        self,
        *args,
        paths: list[str],
        dry_run: bool,
        collection: str | None,
        fallback_user: str | None = None,
        report: str | None = None,
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
        tally = Tally()
        unknown: dict[str, list[str]] = {}
        prefix = "Would " if dry_run else ""
        files = files_in(paths)
        if not files:
            raise CommandError("No files to import.")
        # On a terminal only (tqdm turns itself off when stderr is not one).
        progress = tqdm(total=len(files), unit="file", disable=None, file=sys.stderr)
        # Files are committed BATCH at a time (one commit per document would cost a
        # disk sync each); each file is a savepoint of its own, all or nothing. The
        # references of a batch's documents are found and resolved together, once,
        # before it commits (issue 16): a few queries a batch, not a few a document.
        for first in range(0, len(files), BATCH):
            with transaction.atomic():
                references = ReferenceBatch(matcher)
                for path in files[first : first + BATCH]:
                    progress.update()
                    try:
                        with transaction.atomic():
                            results = self._one(path, target, names, matcher, dry_run, references)
                    except ImportFailure as failure:
                        self.stderr.write(tally.refuse(path, failure))
                        continue
                    for result in results:
                        if isinstance(result, str):
                            tally.restored += 1
                            self.stdout.write(f"{path}: {prefix}{result}")
                            continue
                        tally.add(path, result)
                        self.stdout.write(f"{path}: {result.summary(dry_run)}")
                        for name, role in result.unknown:
                            unknown.setdefault(name, []).append(f"{role} in {path.name}")
                references.flush()
        progress.close()
        for name, roles in unknown.items():
            self.stdout.write(
                f"Unknown name {name!r} ({'; '.join(roles[:3])}): proposed new participant; "
                "add it (or an alias) in the admin and import again."
            )
        self._summary(tally, dry_run)
        if report:
            with open(report, "w", newline="", encoding="utf-8") as out:
                writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS)
                writer.writeheader()
                writer.writerows(tally.rows)
            self.stdout.write(f"Report: {report} ({len(tally.rows)} rows).")
        if tally.refused:
            raise CommandError(
                f"{len(tally.refused)} of {len(files)} files failed; nothing of them was written."
            )

    def _summary(self, tally: Tally, dry_run: bool) -> None:
        would = "would be " if dry_run else ""
        imported = tally.created + tally.updated + tally.restored
        self.stdout.write(
            f"{imported} documents {would}imported: {tally.created} new, {tally.updated} "
            f"updated, {tally.restored} restored from exports; {len(tally.drafts)} drafts to "
            f"review; {len(tally.refused)} files failed."
        )
        for path, title, gaps in tally.drafts:
            self.stdout.write(f"Draft to review: {path}: {title!r}: {'; '.join(gaps)}")
        for where in tally.refused:
            self.stdout.write(f"Refused: {where}")

    def _one(self, path: Path, target, names, matcher, dry_run, references=None):
        if not path.is_file():
            raise ImportFailure("no such file", 0)
        check_size(path)
        parsed = parse(decode(path.read_bytes()))
        if parsed.data is not None:
            cables = restore_json(
                parsed.data, collection=target, dry_run=dry_run, fallback_user=self.fallback_user
            )
            return [f"restore {len(cables)} cables from a {parsed.format} export"]
        # A volume of many documents gets a bar of its own (on a terminal).
        inner = tqdm(
            total=len(parsed.documents),
            unit="doc",
            desc=path.name[:30],
            leave=False,
            disable=True if len(parsed.documents) < VOLUME else None,
            file=sys.stderr,
        )
        try:
            return write_all(
                parsed.documents,
                names=names,
                collection=target,
                matcher=matcher,
                dry_run=dry_run,
                each=inner.update,
                references=references,
            )
        except (ValidationError, DatabaseError) as error:
            reason = "; ".join(getattr(error, "messages", [str(error)]))
            raise ImportFailure(f"cannot store it: {reason}", 1) from None
        finally:
            inner.close()
