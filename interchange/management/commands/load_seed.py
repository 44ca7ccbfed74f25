"""Load the seed collection (cable 117409 and everything it holds)."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations.models import Annotation
from cables.mentions import recompute_mentions
from cables.models import Cable, Passage
from readingroom.anchoring import Selector
from telegrams.resolution import recompute_references, resolve_waiting

SEED = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
CORRECTIONS = Path(settings.BASE_DIR) / "fixtures" / "seed_corrections.json"
EDITORS = "reading-room-editors"
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
            recompute_references(Passage.objects.filter(cable=cable), whole=True)
            resolve_waiting(cable)
            fixes = self._corrections(cable)
            call_command("rebuild_search_index", cable=[cable.slug], verbosity=0)  # loaded raw
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the seed collection: {cable.title} "
                f"({count} mentions, {fixes} accepted corrections)."
            )
        )

    def _corrections(self, cable) -> int:
        """The editors' accepted corrections of the seed's OCR errors, as public annotations."""
        User = get_user_model()
        editors, created = User.objects.get_or_create(
            username=EDITORS,
            defaults={"first_name": "Reading Room", "last_name": "editors", "is_active": False},
        )
        if created:
            editors.set_unusable_password()
            editors.save(update_fields=["password"])
        passages = {p.label: p for p in cable.passages.all()}
        made = 0
        for fix in json.loads(CORRECTIONS.read_text(encoding="utf-8")):
            passage = passages[fix["passage"]]
            sel = Selector.from_range(passage.text, fix["start"], fix["end"])
            if sel.exact != fix["exact"]:
                raise CommandError(f"Seed correction {fix['exact']!r} does not match its passage.")
            _, new = Annotation.objects.get_or_create(
                passage=passage,
                author=editors,
                kind=Annotation.Kind.CORRECTION,
                start=sel.start,
                end=sel.end,
                defaults={
                    "exact": sel.exact,
                    "prefix": sel.prefix,
                    "suffix": sel.suffix,
                    "replacement": fix["replacement"],
                    "body": fix["note"],
                    "visibility": Annotation.Visibility.PUBLIC,
                    "correction_status": Annotation.Correction.ACCEPTED,
                    "reviewed_by": editors,
                },
            )
            made += new
        return made

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
