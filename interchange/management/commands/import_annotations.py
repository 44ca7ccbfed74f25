"""Import a W3C Web Annotation collection (as exported by /cables/<slug>/annotations.jsonld).

A note on the whole document (its target the cable's address, with no
selector) becomes a document note of CABLE_SLUG. Each other annotation is
placed on the passage of CABLE_SLUG whose position is the
``#p<position>`` fragment of its ``target.source`` — only the fragment counts,
so a collection exported from one cable can be imported into a copy of it at
another slug or on another site. The quote decides the placement (prefix,
suffix and position break ties between repeated words); an annotation whose
quote is not in its passage is reported and skipped, and so are its replies.

Each note keeps who may see it as the file says (the export writes
``visibility``, and ``group`` for a group's note): re-importing one's own
export publishes nothing that was private. ``--visibility`` gives every note
the one visibility instead; a file with a note that does not say, imported
without ``--visibility``, is refused (there is no silent default). A group's
note goes to the author's group of that slug, or, when the author is in no
such group, stays private (reported).

The whole file is checked before anything is written: a file that is not
JSON, is nested too deeply or larger than 20 MB, has the wrong ``@context``,
lacks a target or a quote, names an unknown motivation or visibility, or
replies to an annotation it does not contain stops the import with one line
on stderr and a non-zero exit status, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations import services
from annotations.models import Annotation
from cables.models import Cable
from interchange.exporters.web_annotation import Item, Malformed, read_collection
from readingroom.anchoring import anchor


class Command(BaseCommand):
    help = (
        "Import annotations from a W3C Web Annotation collection (JSON-LD, as the "
        "annotations.jsonld export writes it) into the cable CABLE_SLUG, as USERNAME. "
        "Passages are matched by the #p<position> fragment of each target's source; a quote "
        "not found in its passage is reported and skipped. All or nothing on a malformed file."
    )

    def add_arguments(self, parser):
        parser.add_argument("cable", metavar="CABLE_SLUG", help="The cable to annotate.")
        parser.add_argument("file", metavar="FILE", type=Path, help="The .jsonld collection.")
        parser.add_argument(
            "--user", required=True, metavar="USERNAME", help="Author of the new annotations."
        )
        parser.add_argument(
            "--visibility",
            choices=[Annotation.Visibility.PUBLIC, Annotation.Visibility.PRIVATE],
            default=None,
            help=(
                "Who may see every imported annotation. Without it each keeps the "
                "visibility the file gives it, and a note the file says nothing of stops "
                "the import."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would be imported; write nothing.",
        )

    def handle(self, *args, cable: str, file: Path, user: str, visibility: str | None, **options):
        dry_run = options["dry_run"]
        try:
            target_cable = Cable.objects.get(slug=cable)
        except Cable.DoesNotExist:
            raise CommandError(f"There is no cable with the slug {cable!r}.") from None
        try:
            author = get_user_model()._default_manager.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {user!r}.") from None
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        try:
            items = read_collection(file)
        except Malformed as e:
            raise CommandError(f"{file}: {e}.") from None

        if visibility is None:
            unsaid = next((i for i in items if i.reply_to is None and i.visibility is None), None)
            if unsaid is not None:
                raise CommandError(
                    f"{file}: item {unsaid.index + 1} ({unsaid.id}) does not say who may see "
                    "it; give --visibility public or --visibility private."
                )
        groups = {g.slug: g for g in author.research_groups.all()}

        passages = {p.position: p for p in target_cable.passages.all()}
        created: dict[str, Annotation] = {}
        skipped = replies = 0
        with transaction.atomic():
            for item in (i for i in items if i.reply_to is None and i.document):
                seen_by, group = self._visibility(item, visibility, groups, author)
                try:
                    created[item.id] = services.create_document_note(
                        user=author,
                        cable=target_cable,
                        body=item.body,
                        kind=item.kind,
                        tags=item.tags,
                        visibility=seen_by,
                        group=group,
                    )
                except ValidationError as e:
                    skipped += 1
                    self.stderr.write(
                        f"Skipped item {item.index + 1} ({item.id}): {' '.join(e.messages)}"
                    )
            for item in (i for i in items if i.reply_to is None and not i.document):
                reason = self._place(item, passages)
                if isinstance(reason, str):
                    skipped += 1
                    self.stderr.write(f"Skipped item {item.index + 1} ({item.id}): {reason}")
                    continue
                passage, start, end = reason
                seen_by, group = self._visibility(item, visibility, groups, author)
                try:
                    created[item.id] = services.create_annotation(
                        user=author,
                        passage=passage,
                        start=start,
                        end=end,
                        exact=item.selector.exact,
                        body=item.body,
                        kind=item.kind,
                        tags=item.tags,
                        visibility=seen_by,
                        group=group,
                        replacement=item.replacement,
                    )
                except ValidationError as e:
                    skipped += 1
                    self.stderr.write(
                        f"Skipped item {item.index + 1} ({item.id}): {' '.join(e.messages)}"
                    )
            for item in (i for i in items if i.reply_to is not None):
                parent = created.get(item.reply_to)
                if parent is None:
                    skipped += 1
                    self.stderr.write(
                        f"Skipped item {item.index + 1} ({item.id}): "
                        "it replies to an annotation that was skipped."
                    )
                    continue
                services.reply(user=author, parent=parent, body=item.body)
                replies += 1
            if dry_run:
                transaction.set_rollback(True)

        roots = len(created)
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {roots} annotation{'s' * (roots != 1)} and {replies} "
            f"repl{'y' if replies == 1 else 'ies'} into {target_cable.slug} as {author}"
            f"{f'; skipped {skipped}' if skipped else ''}."
        )

    def _visibility(self, item: Item, visibility, groups: dict, author):
        """Who may see the item, and its group: the file's, or ``--visibility``."""
        seen_by, group = visibility or item.visibility, None
        if seen_by == Annotation.Visibility.GROUP:
            group = groups.get(item.group)
            if group is None:
                seen_by = Annotation.Visibility.PRIVATE
                self.stderr.write(
                    f"Item {item.index + 1} ({item.id}): {author} is in no group "
                    f"“{item.group}”; imported as private."
                )
        return seen_by, group

    @staticmethod
    def _place(item: Item, passages: dict):
        """``(passage, start, end)`` of the item's quote, or the reason it cannot be placed."""
        passage = passages.get(item.position)
        if passage is None:
            return f"the cable has no passage p{item.position}."
        found = anchor(passage.text, item.selector)
        exact = item.selector.exact
        if found is None or passage.text[found.start : found.end] != exact:
            return f"the quote “{exact[:60]}” is not in passage p{item.position}."
        return passage, found.start, found.end
