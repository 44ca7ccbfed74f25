"""Import a W3C Web Annotation collection (as exported by /cables/<slug>/annotations.jsonld).

Each annotation is placed on the passage of CABLE_SLUG whose position is the
``#p<position>`` fragment of its ``target.source`` — only the fragment counts,
so a collection exported from one cable can be imported into a copy of it at
another slug or on another site. The quote decides the placement (prefix,
suffix and position break ties between repeated words); an annotation whose
quote is not in its passage is reported and skipped, and so are its replies.

The whole file is checked before anything is written: a file that is not
JSON, has the wrong ``@context``, lacks a target or a quote, names an unknown
motivation, or replies to an annotation it does not contain stops the import
with one line on stderr and a non-zero exit status, and nothing is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations import services
from annotations.exports import ANNO_CONTEXT
from annotations.models import Annotation
from cables.models import Cable
from readingroom.anchoring import Selector, anchor

KINDS = {motivation: kind for kind, motivation in Annotation.MOTIVATIONS.items()}
FRAGMENT = re.compile(r"p(\d+)")


class Malformed(Exception):
    """The file does not hold a collection this command can read."""


@dataclass
class Item:
    """One annotation read from the file, checked but not yet written."""

    id: str
    index: int
    kind: str = Annotation.Kind.COMMENT
    body: str = ""
    tags: list[str] = field(default_factory=list)
    replacement: str = ""
    # A root targets a passage position with selectors; a reply targets another item.
    position: int | None = None
    selector: Selector | None = None
    reply_to: str | None = None


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise Malformed(f"{what} must be a string")
    return value


def _bodies(raw, where: str) -> list[dict]:
    if raw is None:
        return []
    bodies = raw if isinstance(raw, list) else [raw]
    for body in bodies:
        if not isinstance(body, dict) or body.get("type") != "TextualBody":
            raise Malformed(f"{where}: every body must be a TextualBody")
        _text(body.get("value"), f"{where}: a body's value")
    return bodies


def _selector(target: dict, where: str) -> Selector:
    selectors = target.get("selector")
    selectors = selectors if isinstance(selectors, list) else [selectors]
    quote = next(
        (s for s in selectors if isinstance(s, dict) and s.get("type") == "TextQuoteSelector"),
        None,
    )
    if quote is None or not isinstance(quote.get("exact"), str) or not quote["exact"].strip():
        raise Malformed(f"{where}: the target has no TextQuoteSelector with an exact quote")
    position = next(
        (s for s in selectors if isinstance(s, dict) and s.get("type") == "TextPositionSelector"),
        {},
    )
    start, end = position.get("start"), position.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end):
        start = end = None
    return Selector(
        exact=quote["exact"],
        prefix=_text(quote.get("prefix", ""), f"{where}: prefix"),
        suffix=_text(quote.get("suffix", ""), f"{where}: suffix"),
        start=start,
        end=end,
    )


def read_item(raw, index: int) -> Item:
    """Check one annotation of the collection and turn it into an :class:`Item`."""
    where = f"item {index + 1}"
    if not isinstance(raw, dict) or raw.get("type") != "Annotation":
        raise Malformed(f"{where} is not of type Annotation")
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        raise Malformed(f"{where} has no id")
    where = f"item {index + 1} ({raw['id']})"
    motivation = raw.get("motivation")
    if motivation != "replying" and motivation not in KINDS:
        raise Malformed(f"{where}: unknown motivation {motivation!r}")
    target = raw.get("target")
    if target is None:
        raise Malformed(f"{where} has no target")
    item = Item(id=raw["id"], index=index)
    bodies = _bodies(raw.get("body"), where)
    item.tags = [b["value"].strip() for b in bodies if b.get("purpose") == "tagging"]
    item.tags = [t for t in item.tags if t]
    rest = [b for b in bodies if b.get("purpose") != "tagging"]

    if motivation == "replying":
        if isinstance(target, dict):
            target = target.get("id")
        item.reply_to = _text(target, f"{where}: a reply's target")
        item.body = "\n\n".join(b["value"] for b in rest)
        return item

    item.kind = KINDS[motivation]
    if item.kind == Annotation.Kind.CORRECTION:
        # The replacement reading: the plain-text "editing" body (the note is Markdown).
        edits = [
            b for b in rest if b.get("purpose") == "editing" and b.get("format") != "text/markdown"
        ]
        item.replacement = edits[0]["value"] if edits else ""
        rest = [b for b in rest if b not in edits]
    item.body = "\n\n".join(b["value"] for b in rest)
    if not isinstance(target, dict):
        raise Malformed(f"{where}: the target must name a source and selectors")
    source = _text(target.get("source"), f"{where}: target.source")
    match = FRAGMENT.fullmatch(urlsplit(source).fragment)
    if match is None:
        raise Malformed(f"{where}: target.source {source!r} does not end in #p<position>")
    item.position = int(match.group(1))
    item.selector = _selector(target, where)
    return item


def read_collection(path: Path) -> list[Item]:
    """Every annotation of the collection in ``path``, checked. Raises :class:`Malformed`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise Malformed("not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise Malformed(f"not JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    if not isinstance(data, dict):
        raise Malformed("not a JSON object")
    context = data.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if ANNO_CONTEXT not in contexts:
        raise Malformed(f"@context must be {ANNO_CONTEXT!r}, not {context!r}")
    if data.get("type") != "AnnotationCollection":
        raise Malformed(f"type must be 'AnnotationCollection', not {data.get('type')!r}")
    page = data.get("first", data)
    raw_items = page.get("items") if isinstance(page, dict) else None
    if not isinstance(raw_items, list):
        raise Malformed("the collection has no list of items (first.items)")
    items = [read_item(raw, i) for i, raw in enumerate(raw_items)]
    ids = {}
    for item in items:
        if item.id in ids:
            raise Malformed(f"item {item.index + 1}: the id {item.id} is used twice")
        ids[item.id] = item
    for item in items:
        if item.reply_to is not None:
            parent = ids.get(item.reply_to)
            if parent is None:
                raise Malformed(
                    f"item {item.index + 1} ({item.id}) replies to {item.reply_to}, "
                    "which is not in the file"
                )
            if parent.reply_to is not None:
                # A reply to a reply joins the thread of its root.
                item.reply_to = parent.reply_to
    return items


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
            default=Annotation.Visibility.PUBLIC,
            help="Who may see the imported annotations (default: public).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would be imported; write nothing.",
        )

    def handle(self, *args, cable: str, file: Path, user: str, visibility: str, **options):
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

        passages = {p.position: p for p in target_cable.passages.all()}
        created: dict[str, Annotation] = {}
        skipped = replies = 0
        with transaction.atomic():
            for item in (i for i in items if i.reply_to is None):
                reason = self._place(item, passages)
                if isinstance(reason, str):
                    skipped += 1
                    self.stderr.write(f"Skipped item {item.index + 1} ({item.id}): {reason}")
                    continue
                passage, start, end = reason
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
                        visibility=visibility,
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
