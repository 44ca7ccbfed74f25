"""Annotations as W3C Web Annotations (JSON-LD), and back.

The JSON-LD export follows the W3C Web Annotation Data Model: an
``AnnotationCollection`` whose ``first`` is one ``AnnotationPage`` holding
every item (a cable carries at most a few hundred annotations). Each body is a
``TextualBody``: the Markdown note with ``purpose`` = the motivation (for a
correction, whose motivation is ``editing``, the note is ``commenting`` and
the replacement reading is the ``editing`` body, in ``text/plain``), then one
``tagging`` body per tag. ``interchange.management.commands.import_annotations``
reads the same shape back.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from annotations.margin import LINK_TARGETS
from annotations.models import Annotation
from cables.models import Cable
from readingroom.anchoring import Selector
from readingroom.http import display_name

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSONLD_CONTENT_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'


def cable_annotations(request: HttpRequest, slug: str) -> tuple[Cable, list[Annotation]]:
    """The cable (404 if unknown) and the annotations on it that the user may see.

    Runs three queries: the cable; the annotations with author, group and
    passage; their tags. Roots come in reading order (passage, then position),
    each followed by its replies, oldest first. Replies whose root is not
    visible are dropped.
    """
    cable = get_object_or_404(Cable.objects.published(), slug=slug)
    rows = list(
        Annotation.objects.visible_to(request.user)
        .filter(passage__cable=cable)
        .select_related("author", "group", "passage", *LINK_TARGETS)
        .prefetch_related("tags")
        .order_by("passage__position", "start", "created", "pk")
    )
    for a in rows:
        a.passage.cable = cable  # passage URLs without a query each
    # Notes on the whole document first, then the passages' in reading order.
    roots = sorted(
        (a for a in rows if a.parent_id is None), key=lambda a: not a.on_document
    )  # sorted() is stable: the order within each stays
    replies = defaultdict(list)
    for a in rows:
        if a.parent_id is not None:
            replies[a.parent_id].append(a)
    ordered = []
    for root in roots:
        root.thread = sorted(replies.get(root.pk, ()), key=lambda r: (r.created, r.pk))
        ordered.append(root)
        ordered.extend(root.thread)
    return cable, ordered


def to_web_annotation(request: HttpRequest, a: Annotation) -> dict:
    """One annotation in the W3C Web Annotation Data Model (no queries: uses prefetches)."""
    item = {
        "id": request.build_absolute_uri(a.get_absolute_url()),
        "type": "Annotation",
        "motivation": "replying" if a.parent_id else a.motivation,
        "created": a.created.isoformat(),
        "modified": a.updated.isoformat(),
        "creator": {
            "type": "Person",
            "name": display_name(a.author),
            "nickname": a.author.get_username(),
        },
    }
    # Who may see it (a Reading Room term beside the W3C ones; other readers of the
    # format ignore it): import_annotations keeps it, so a re-import of one's own
    # export does not publish one's private notes.
    item["visibility"] = a.visibility
    if a.visibility == Annotation.Visibility.GROUP and a.group_id:
        item["group"] = a.group.slug
    correction = a.parent_id is None and a.kind == Annotation.Kind.CORRECTION
    link = a.parent_id is None and a.kind == Annotation.Kind.LINK
    body = []
    if link:
        body += link_bodies(request, a.link)
    if a.body:
        purpose = item["motivation"]
        if correction or link:
            purpose = "commenting"
        body.append(
            {"type": "TextualBody", "value": a.body, "format": "text/markdown", "purpose": purpose}
        )
    if correction and a.replacement:
        body.append(
            {
                "type": "TextualBody",
                "value": a.replacement,
                "format": "text/plain",
                "purpose": "editing",
            }
        )
    for tag in a.tags.all():
        body.append({"type": "TextualBody", "value": tag.name, "purpose": "tagging"})
    if body:
        item["body"] = body
    if a.parent_id:
        item["target"] = request.build_absolute_uri(Annotation(pk=a.parent_id).get_absolute_url())
    elif a.on_document:
        # A note on the whole document (a "page note"): the cable itself, no selector.
        item["target"] = request.build_absolute_uri(a.passage.cable.get_absolute_url())
    else:
        item["target"] = {
            "source": request.build_absolute_uri(a.passage.get_absolute_url()),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": a.exact,
                    "prefix": a.prefix,
                    "suffix": a.suffix,
                },
                {"type": "TextPositionSelector", "start": a.start, "end": a.end},
            ],
        }
    return item


def link_bodies(request: HttpRequest, link) -> list[dict]:
    """A link's other end, as the body of a ``linking`` annotation, and its relation.

    A text end is a ``SpecificResource`` with the same two selectors as a
    target; a person, cable or agenda item is its page's address.
    """
    end: dict = {
        "type": "SpecificResource",
        "purpose": "linking",
        "source": request.build_absolute_uri(link.target_url),
    }
    if link.target_passage_id and link.target_exact:
        end["selector"] = [
            {
                "type": "TextQuoteSelector",
                "exact": link.target_exact,
                "prefix": link.target_prefix,
                "suffix": link.target_suffix,
            },
            {"type": "TextPositionSelector", "start": link.target_start, "end": link.target_end},
        ]
    relation = {"type": "TextualBody", "value": link.relation, "purpose": "classifying"}
    return [end, relation]


def reference_annotation(request: HttpRequest, ref) -> dict:
    """A reference to another message (issue 16) as a ``linking`` Web Annotation: the
    target is its words in the citing passage, the body the record it resolves to
    (a ``SpecificResource``) and its relation, or a note that the archive lacks it.
    Who found it: the reading room (status ``found``) or an editor. No query (uses
    ``select_related``)."""
    passage = ref.passage
    text = passage.text
    body: list[dict] = []
    if ref.target_cable_id and ref.target_cable.status == "published":
        path = ref.target_cable.get_absolute_url()
        if ref.target_telegram_id:
            path += f"#p{ref.target_telegram.passage.position}"
        body.append(
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": request.build_absolute_uri(path),
            }
        )
    else:
        body.append(
            {
                "type": "TextualBody",
                "value": "Referenced, not in this archive",
                "purpose": "describing",
            }
        )
    body.append({"type": "TextualBody", "value": ref.relation, "purpose": "classifying"})
    return {
        "id": request.build_absolute_uri(
            f"{passage.get_absolute_url().split('#')[0]}#ref-{ref.pk}"
        ),
        "type": "Annotation",
        "motivation": "linking",
        "creator": {
            "type": "Software" if ref.status == "found" else "Person",
            "name": "Reading Room" if ref.status == "found" else "An editor of the Reading Room",
        },
        "status": ref.status,
        "body": body,
        "target": {
            "source": request.build_absolute_uri(passage.get_absolute_url()),
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": ref.surface,
                    "prefix": text[max(0, ref.start - 32) : ref.start],
                    "suffix": text[ref.end : ref.end + 32],
                },
                {"type": "TextPositionSelector", "start": ref.start, "end": ref.end},
            ],
        },
    }


# Reading a collection back ---------------------------------------------------


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
    # A root targets a passage position with selectors, or (``document``) the whole
    # cable with none; a reply targets another item.
    document: bool = False
    position: int | None = None
    selector: Selector | None = None
    reply_to: str | None = None
    # Who may see it, as the file says ("visibility", and "group": the group's slug);
    # None when the file does not say.
    visibility: str | None = None
    group: str = ""


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise Malformed(f"{what} must be a string")
    if "\x00" in value:
        # The site's forms refuse it, and PostgreSQL cannot store it in a text column.
        raise Malformed(f"{what} contains a NUL character")
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
    _text(quote["exact"], f"{where}: the quote")
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
    visibility = raw.get("visibility")
    if visibility is not None:
        if visibility not in Annotation.Visibility.values:
            known = ", ".join(Annotation.Visibility.values)
            raise Malformed(f"{where}: visibility must be one of {known}, not {visibility!r}")
        item.visibility = visibility
        if visibility == Annotation.Visibility.GROUP:
            item.group = _text(raw.get("group", ""), f"{where}: group")
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
    if isinstance(target, str):
        # The whole document: the cable's address, no selector (a "page note").
        _text(target, f"{where}: target")
        if item.kind in (Annotation.Kind.CORRECTION, Annotation.Kind.LINK):
            raise Malformed(f"{where}: a {motivation} annotation needs a selector in its target")
        if not item.body.strip():
            raise Malformed(f"{where}: a note on the whole document needs a body")
        item.document = True
        return item
    if not isinstance(target, dict):
        raise Malformed(f"{where}: the target must name a source and selectors")
    source = _text(target.get("source"), f"{where}: target.source")
    match = FRAGMENT.fullmatch(urlsplit(source).fragment)
    if match is None:
        raise Malformed(f"{where}: target.source {source!r} does not end in #p<position>")
    item.position = int(match.group(1))
    item.selector = _selector(target, where)
    return item


# A larger collection is refused before it is read (the admin's uploads stop at
# 20 MB too); JSON nested deeper than Python's parser goes is refused as it is read.
MAX_COLLECTION_BYTES = 20 * 1024 * 1024


def read_collection(path: Path) -> list[Item]:
    """Every annotation of the collection in ``path``, checked. Raises :class:`Malformed`."""
    size = path.stat().st_size
    if size > MAX_COLLECTION_BYTES:
        raise Malformed(
            f"{size:,} bytes, more than the {MAX_COLLECTION_BYTES:,} a collection may have "
            "(import it in parts)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise Malformed("not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise Malformed(f"not JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except RecursionError:
        raise Malformed(
            "JSON nested too deeply to read (a collection is a few levels deep)"
        ) from None
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
