"""Load the seed collection (cable 117409 and everything it holds)."""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cables.mentions import recompute_mentions
from cables.models import Cable, Passage

SEED = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
SEED_RECORD_ID = "117409"


class Command(BaseCommand):
    help = (
        "Load the seed collection from fixtures/seed.json and find the participants named in "
        "its text. Does nothing when the seed cable is already there, so editors' corrections "
        "are kept; --force reloads it over them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Reload the seed even if it is present, overwriting edits to its rows.",
        )

    def handle(self, *args, force: bool = False, **options):
        present = Cable.objects.filter(record_id=SEED_RECORD_ID).exists()
        if present and not force:
            self.stdout.write("Seed collection already loaded; nothing to do.")
            return
        if not present:
            self._refuse_collisions()
        with transaction.atomic():
            call_command("loaddata", str(SEED), verbosity=0)
            cable = Cable.objects.get(record_id=SEED_RECORD_ID)
            count = recompute_mentions(Passage.objects.filter(cable=cable))
        self.stdout.write(
            self.style.SUCCESS(f"Loaded the seed collection: {cable.title} ({count} mentions).")
        )

    def _refuse_collisions(self):
        """Stop if other rows hold the seed's primary keys (loaddata would overwrite them)."""
        with SEED.open(encoding="utf-8") as fh:
            for obj in serializers.deserialize("json", fh, ignorenonexistent=True):
                model = type(obj.object)
                if model._default_manager.filter(pk=obj.object.pk).exists():
                    raise CommandError(
                        f"Cannot load the seed: {model._meta.label} {obj.object.pk} already exists "
                        "and is not part of the seed. Load the seed into an empty database."
                    )
