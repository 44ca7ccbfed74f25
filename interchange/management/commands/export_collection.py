"""Write a collection, with everything in its cables, as a readingroom-collection JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from cables.models import Collection
from interchange import exchange


class Command(BaseCommand):
    help = (
        "Export every cable of the collection SLUG, with its passages, telegrams, agendas, "
        "participants and the annotations USERNAME may see (public ones only without --user), "
        "as a readingroom-collection JSON document. `import_cables` (interchange.exchange.restore) "
        "reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="The collection's slug.")
        parser.add_argument(
            "--output", "-o", type=Path, metavar="FILE", help="Write here (default: stdout)."
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Include the annotations this user may see (default: public ones only).",
        )
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000",
            metavar="URL",
            help="Site address for the annotations' and cables' URLs (default: %(default)s).",
        )

    def handle(self, *args, slug: str, output: Path | None, user: str | None, **options):
        collection = Collection.objects.filter(slug=slug).first()
        if collection is None:
            raise CommandError(f"There is no collection with the slug {slug!r}.")
        reader = AnonymousUser()
        if user:
            User = get_user_model()
            reader = User._default_manager.filter(username=user).first()
            if reader is None:
                raise CommandError(f"There is no user {user!r}.")
        document = exchange.export_collection(
            collection, reader, exchange.Site(options["base_url"])
        )
        text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise CommandError(f"{output}: cannot write ({e.strerror}).") from None
        n = len(document["cables"])
        self.stderr.write(f"Wrote {n} cable{'s' * (n != 1)} of {collection.slug} to {output}.")
