"""Per-cable exports (W3C JSON-LD, CSV, Markdown) and the import_annotations command."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from annotations import services
from annotations.models import Annotation
from cables.models import Cable, Passage
from interchange.management.commands.import_annotations import Command as ImportCommand
from readingroom.tests.test_sessions import session_row
from tests.annotation_cases import (
    SEED_ROOTS,
    SEED_SLUG,
    VIEWERS,
    VISIBLE,
    annotate,
    assert_only_visible,
    build_scene,
    client_for,
    marker,
)

pytestmark = pytest.mark.django_db

ANNO = "http://www.w3.org/ns/anno.jsonld"
FORMATS = ["jsonld", "csv", "md"]


def export_url(slug: str, fmt: str) -> str:
    name = {"jsonld": "jsonld", "csv": "csv", "md": "markdown"}[fmt]
    return reverse(f"interchange:annotations_{name}", args=[slug])


def items(response) -> list[dict]:
    return json.loads(response.content)["first"]["items"]


@pytest.fixture
def scene(seed, users):
    return build_scene(users)


def test_url_names():
    assert export_url("x", "jsonld") == "/cables/x/annotations.jsonld"
    assert export_url("x", "csv") == "/cables/x/annotations.csv"
    assert export_url("x", "md") == "/cables/x/annotations.md"


# Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("viewer", VIEWERS)
def test_exports_hold_exactly_what_the_viewer_may_see(client, scene, viewer, fmt):
    response = client_for(client, scene, viewer).get(export_url(SEED_SLUG, fmt))
    assert response.status_code == 200
    text = response.content.decode()
    assert_only_visible(text, viewer)
    expected = SEED_ROOTS + len(VISIBLE[viewer])  # roots and replies
    if fmt == "jsonld":
        data = json.loads(text)
        assert data["total"] == expected == len(data["first"]["items"])
    elif fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == expected


def test_private_annotation_is_in_no_export_but_its_authors(client, scene):
    private_id = f"http://testserver/annotations/{scene.notes['private'].pk}/"
    for viewer in ["anonymous", "outsider", "editor", "admin", "member", "other"]:
        client.logout()
        client_for(client, scene, viewer)
        for fmt in FORMATS:
            text = client.get(export_url(SEED_SLUG, fmt)).content.decode()
            assert private_id not in text, (viewer, fmt)
            assert "four telegrams" not in text, (viewer, fmt)  # its quote
    client.logout()
    client_for(client, scene, "researcher")
    for fmt in FORMATS:
        assert private_id in client.get(export_url(SEED_SLUG, fmt)).content.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_cable_is_404(client, db, fmt):
    assert client.get(export_url("no-such-cable", fmt)).status_code == 404


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("jsonld", 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'),
        ("csv", "text/csv; charset=utf-8"),
        ("md", "text/markdown; charset=utf-8"),
    ],
)
def test_exports_are_attachments_named_after_the_cable(client, seed, fmt, content_type):
    response = client.get(export_url(SEED_SLUG, fmt))
    assert response["Content-Type"] == content_type
    assert (
        response["Content-Disposition"] == f'attachment; filename="{SEED_SLUG}-annotations.{fmt}"'
    )


def test_exports_refuse_post(client, seed):
    assert client.post(export_url(SEED_SLUG, "jsonld")).status_code == 405


# The W3C shape --------------------------------------------------------------------------


def test_jsonld_is_a_w3c_annotation_collection(client, scene):
    response = client.get(export_url(SEED_SLUG, "jsonld"))
    data = json.loads(response.content)
    assert data["@context"] == ANNO
    assert data["type"] == "AnnotationCollection"
    assert data["id"] == f"http://testserver/cables/{SEED_SLUG}/annotations.jsonld"
    assert data["label"].startswith("Annotations on “Cable No. 21680")
    assert data["first"]["type"] == "AnnotationPage"
    assert data["first"]["startIndex"] == 0

    by_id = {i["id"]: i for i in data["first"]["items"]}
    public = by_id[f"http://testserver/annotations/{scene.notes['public'].pk}/"]
    assert public["type"] == "Annotation"
    assert public["motivation"] == "identifying"
    assert public["creator"] == {"type": "Person", "name": "Otto", "nickname": "outsider"}
    assert public["created"].startswith(str(scene.notes["public"].created.year))
    assert "T" in public["created"] and "modified" in public
    assert public["body"] == [
        {
            "type": "TextualBody",
            "value": f"**Kaesong**, the old capital. {marker('public')}",
            "format": "text/markdown",
            "purpose": "identifying",
        },
        {"type": "TextualBody", "value": "Kaesong talks", "purpose": "tagging"},
        {"type": "TextualBody", "value": "places", "purpose": "tagging"},
    ]
    note = scene.notes["public"]
    assert public["target"] == {
        "source": f"http://testserver/cables/{SEED_SLUG}/#p4",
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": "Kaesong",
                "prefix": note.prefix,
                "suffix": note.suffix,
            },
            {"type": "TextPositionSelector", "start": note.start, "end": note.end},
        ],
    }
    reply = by_id[f"http://testserver/annotations/{scene.notes['public-reply'].pk}/"]
    assert reply["motivation"] == "replying"
    assert reply["target"] == public["id"]
    assert reply["body"][0]["purpose"] == "replying"

    # A seed correction: the note comments, the replacement reading is the "editing" body.
    heading = next(i for i in by_id.values() if i["target"] != public["id"] and "CABLI" in str(i))
    assert heading["motivation"] == "editing"
    assert heading["creator"]["nickname"] == "reading-room-editors"
    assert heading["body"] == [
        {
            "type": "TextualBody",
            "value": "OCR: the final E of CABLE read as LI.",
            "format": "text/markdown",
            "purpose": "commenting",
        },
        {"type": "TextualBody", "value": "CABLE", "format": "text/plain", "purpose": "editing"},
    ]
    assert heading["target"]["source"].endswith("#p0")


def test_csv_has_one_row_per_annotation_and_defuses_formulas(client, seed, users):
    passage = Cable.objects.get(slug=SEED_SLUG).passages.get(position=4)
    note = annotate(
        users.outsider,
        passage,
        "Kaesong",
        body='=HYPERLINK("http://evil.example")',
        visibility=Annotation.Visibility.PUBLIC,
        tags=["b", "a"],
    )
    services.reply(user=users.researcher, parent=note, body="- 2+3 a Markdown list, or a sum")
    rows = list(csv.DictReader(io.StringIO(client.get(export_url(SEED_SLUG, "csv")).text)))
    assert list(rows[0]) == [
        "id",
        "reply_to",
        "passage",
        "start",
        "end",
        "exact",
        "kind",
        "tags",
        "visibility",
        "author",
        "created",
        "body",
        "replacement",
        "url",
    ]
    row = next(r for r in rows if r["id"] == str(note.pk))
    assert row["body"] == '\'=HYPERLINK("http://evil.example")'
    assert row["passage"] == "Telegram 1"
    assert (row["start"], row["end"]) == (str(note.start), str(note.end))
    assert row["exact"] == "Kaesong"
    assert row["kind"] == "comment" and row["visibility"] == "public"
    assert row["tags"] == "a; b" and row["author"] == "outsider"
    assert row["url"] == f"http://testserver/annotations/{note.pk}/"
    reply = next(r for r in rows if r["reply_to"] == str(note.pk))
    # Quoted like = + @ (issue 15): a spreadsheet reads "- 2+3" as a formula.
    assert reply["kind"] == "reply" and reply["body"] == "'- 2+3 a Markdown list, or a sum"
    assert rows.index(reply) == rows.index(row) + 1  # replies follow their root


def test_markdown_groups_notes_by_passage(client, scene):
    client.force_login(scene.viewers["researcher"])
    text = client.get(export_url(SEED_SLUG, "md")).content.decode()
    assert text.startswith("# Annotations on Cable No. 21680")
    # Passages in reading order, each once.
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## Heading", "## Cover note", "## Telegram 1"]
    assert len(headings) == len(set(headings))
    assert "> four telegrams" in text
    assert "#telegrams" in text
    assert "shared with Kaesong team" in text
    assert f"[permalink](http://testserver/annotations/{scene.notes['private'].pk}/)" in text
    assert f"<http://testserver/cables/{SEED_SLUG}/#p3>" in text
    assert "Correction: “CABLI” → “CABLE”" in text
    assert "- Reply by Rosa" in text


# Query counts ---------------------------------------------------------------------------


def add_annotations(n: int, users) -> None:
    passage = Cable.objects.get(slug=SEED_SLUG).passages.get(position=4)
    for i in range(n):
        note = annotate(
            users.researcher if i % 2 else users.outsider,
            passage,
            "Kaesong",
            body=f"Note {i}",
            visibility=Annotation.Visibility.PUBLIC if i % 3 else Annotation.Visibility.PRIVATE,
            tags=[f"t{i % 4}", "all"],
        )
        services.reply(user=users.editor, parent=note, body=f"Reply {i}")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("n", [3, 30])
def test_export_query_count_is_fixed(client, seed, users, django_assert_num_queries, fmt, n):
    add_annotations(n, users)
    # 1. the cable
    # 2. the annotations the visitor may see, with author, group and passage
    # 3. their tags
    with django_assert_num_queries(3):
        assert client.get(export_url(SEED_SLUG, fmt)).status_code == 200
    client.force_login(users.researcher)
    # + the user, and the session row (none where sessions come from the shared cache)
    with django_assert_num_queries(4 + session_row()):
        assert client.get(export_url(SEED_SLUG, fmt)).status_code == 200


# Import -----------------------------------------------------------------------------------


def copy_cable(cable: Cable, slug: str) -> Cable:
    """A new cable with the same passages (text, tail, label, kind) at another slug."""
    copy = Cable.objects.create(title=f"{cable.title} (copy)", slug=slug, date=cable.date)
    for p in cable.passages.all():
        Passage.objects.create(
            cable=copy, position=p.position, kind=p.kind, label=p.label, text=p.text, tail=p.tail
        )
    return copy


def normalise(collection: dict) -> list[dict]:
    """The comparable content of an exported collection: every field but ids and dates."""
    items = collection["first"]["items"]
    roots = [i for i in items if i["motivation"] != "replying"]
    out = []
    for root in roots:
        selectors = {s["type"]: s for s in root["target"]["selector"]}
        bodies = root.get("body", [])
        out.append(
            {
                "passage": root["target"]["source"].rsplit("#", 1)[1],
                "exact": selectors["TextQuoteSelector"]["exact"],
                "prefix": selectors["TextQuoteSelector"]["prefix"],
                "suffix": selectors["TextQuoteSelector"]["suffix"],
                "start": selectors["TextPositionSelector"]["start"],
                "end": selectors["TextPositionSelector"]["end"],
                "kind": root["motivation"],
                "body": [b["value"] for b in bodies if b["purpose"] not in ("tagging", "editing")],
                "replacement": [b["value"] for b in bodies if b["purpose"] == "editing"],
                "tags": sorted(b["value"] for b in bodies if b["purpose"] == "tagging"),
                "replies": [
                    [b["value"] for b in r.get("body", [])]
                    for r in items
                    if r["motivation"] == "replying" and r["target"] == root["id"]
                ],
            }
        )
    return sorted(out, key=lambda d: (int(d["passage"][1:]), d["start"], d["exact"], d["body"]))


def test_round_trip_into_a_copy_of_the_cable(client, scene, users, tmp_path):
    extra = annotate(
        users.researcher,
        scene.cable.passages.get(position=7),
        "Joy",
        body="Admiral C. Turner Joy.\n\n- head of the UN delegation",
        kind=Annotation.Kind.IDENTIFICATION,
        visibility=Annotation.Visibility.PUBLIC,
        tags=["people", "UN side"],
    )
    services.reply(user=users.outsider, parent=extra, body="See also *FRUS* 1951.")
    services.reply(user=users.researcher, parent=extra, body="Thanks.")
    client.force_login(users.researcher)
    exported = client.get(export_url(SEED_SLUG, "jsonld"))
    original = json.loads(exported.content)
    path = tmp_path / "export.jsonld"
    path.write_bytes(exported.content)

    copy = copy_cable(scene.cable, "cable-21680-copy")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_annotations", copy.slug, str(path), "--user", "editor", stdout=out, stderr=err
    )
    items = original["first"]["items"]
    # Each note keeps its own visibility (issue 15); the editor is in none of the
    # researcher's groups, so a group's note comes in private, and says so.
    in_group = [i for i in items if i["visibility"] == "group" and i["motivation"] != "replying"]
    assert in_group, "the scene has a group note"
    assert err.getvalue().splitlines() == [
        f"Item {items.index(i) + 1} ({i['id']}): editor is in no group “{i['group']}”; "
        "imported as private."
        for i in in_group
    ]
    roots = sum(1 for i in items if i["motivation"] != "replying")
    replies = original["total"] - roots
    assert out.getvalue().strip() == (
        f"Imported {roots} annotations and {replies} replies into {copy.slug} as editor."
    )
    imported = Annotation.objects.filter(passage__cable=copy)
    assert imported.count() == original["total"]
    expected = sorted(
        "private" if i["visibility"] == "group" else i["visibility"]
        for i in items
        if i["motivation"] != "replying"
    )
    assert sorted(imported.roots().values_list("visibility", flat=True)) == expected
    assert "private" in expected and "public" in expected
    assert set(imported.values_list("author__username", flat=True)) == {"editor"}

    client.force_login(users.editor)  # the author of the copies, the private ones too
    again = json.loads(client.get(export_url(copy.slug, "jsonld")).content)
    assert again["total"] == original["total"]
    assert normalise(again) == normalise(original)
    assert all(f"/cables/{copy.slug}/#p" in i["target"]["source"] for i in again["first"]["items"]
               if i["motivation"] != "replying")  # fmt: skip


def test_import_private_and_dry_run(seed, users, client, tmp_path):
    path = tmp_path / "seed.jsonld"
    path.write_bytes(client.get(export_url(SEED_SLUG, "jsonld")).content)
    copy = copy_cable(Cable.objects.get(slug=SEED_SLUG), "copy")

    out = io.StringIO()
    call_command(
        "import_annotations", "copy", str(path), "--user", "researcher", "--dry-run", stdout=out
    )
    assert out.getvalue().startswith(f"Would import {SEED_ROOTS} annotations")
    assert not Annotation.objects.filter(passage__cable=copy).exists()

    call_command(
        "import_annotations",
        "copy",
        str(path),
        "--user",
        "researcher",
        "--visibility",
        "private",
        stdout=io.StringIO(),
    )
    imported = Annotation.objects.filter(passage__cable=copy)
    assert imported.count() == SEED_ROOTS
    assert set(imported.values_list("visibility", flat=True)) == {"private"}
    assert set(imported.values_list("kind", flat=True)) == {"correction"}
    assert "CABLE" in imported.values_list("replacement", flat=True)


def test_import_reports_and_skips_a_quote_not_in_the_passage(seed, users, client, tmp_path):
    data = client.get(export_url(SEED_SLUG, "jsonld")).json()
    data["first"]["items"][0]["target"]["selector"][0]["exact"] = "Not in the text at all"
    path = tmp_path / "changed.jsonld"
    path.write_text(json.dumps(data))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_annotations", SEED_SLUG, str(path), "--user", "researcher",
                 stdout=out, stderr=err)  # fmt: skip
    assert "Skipped item 1" in err.getvalue()
    assert "“Not in the text at all” is not in passage p0" in err.getvalue()
    assert f"Imported {SEED_ROOTS - 1} annotations" in out.getvalue()
    assert "skipped 1" in out.getvalue()


def collection(*items) -> dict:
    return {
        "@context": ANNO,
        "type": "AnnotationCollection",
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": list(items)},
    }


GOOD = {
    "id": "http://elsewhere.example/annotations/1/",
    "type": "Annotation",
    "motivation": "commenting",
    "visibility": "public",
    "body": [{"type": "TextualBody", "value": "Fine.", "purpose": "commenting"}],
    "target": {
        "source": "http://elsewhere.example/cables/x/#p3",
        "selector": [{"type": "TextQuoteSelector", "exact": "four telegrams"}],
    },
}


def without(d: dict, key: str) -> dict:
    return {k: v for k, v in d.items() if k != key}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("this is not json {", "not JSON"),
        (json.dumps([GOOD]), "not a JSON object"),
        (json.dumps({**collection(GOOD), "@context": "http://schema.org"}), "@context must be"),
        (json.dumps({**collection(GOOD), "type": "AnnotationPage"}), "type must be"),
        (json.dumps({"@context": ANNO, "type": "AnnotationCollection"}), "no list of items"),
        (json.dumps(collection(GOOD, without(GOOD, "target"))), "item 2 (http://elsewhere"),
        (json.dumps(collection(without(GOOD, "target"))), "has no target"),
        (json.dumps(collection(without(GOOD, "id"))), "item 1 has no id"),
        (json.dumps(collection({**GOOD, "motivation": "shouting"})), "unknown motivation"),
        (
            json.dumps(collection({**GOOD, "target": {"source": "http://x/cables/y/"}})),
            "does not end in #p<position>",
        ),
        (
            json.dumps(collection({**GOOD, "target": {**GOOD["target"], "selector": []}})),
            "no TextQuoteSelector",
        ),
        (
            json.dumps(
                collection(
                    GOOD,
                    {
                        "id": "r1",
                        "type": "Annotation",
                        "motivation": "replying",
                        "target": "http://nowhere/annotations/9/",
                    },
                )
            ),
            "which is not in the file",
        ),
        (json.dumps(collection(GOOD, GOOD)), "is used twice"),
        (json.dumps(collection({**GOOD, "body": [{"value": 3}]})), "TextualBody"),
    ],
)
def test_malformed_file_writes_nothing_and_names_file_and_reason(
    seed, users, tmp_path, content, reason
):
    path = tmp_path / "bad.jsonld"
    path.write_text(content)
    before = Annotation.objects.count()
    with pytest.raises(CommandError) as e:
        call_command("import_annotations", SEED_SLUG, str(path), "--user", "researcher")
    message = str(e.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message
    assert Annotation.objects.count() == before


def test_bad_input_from_the_command_line_exits_non_zero_with_one_line(
    seed, users, tmp_path, capsys, monkeypatch
):
    from django.db import connections

    # run_from_argv closes the connections when done; the test's transaction needs them.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    path = tmp_path / "bad.jsonld"
    path.write_text("{not json")
    with pytest.raises(SystemExit) as e:
        ImportCommand().run_from_argv(
            ["manage.py", "import_annotations", SEED_SLUG, str(path), "--user", "researcher"]
        )
    assert e.value.code != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(path) in err and "not JSON" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-cable", "FILE", "--user", "researcher"], "no cable with the slug"),
        ([SEED_SLUG, "FILE", "--user", "nobody"], "There is no user 'nobody'"),
        ([SEED_SLUG, "missing.jsonld", "--user", "researcher"], "no such file"),
    ],
)
def test_import_refuses_unknown_cable_user_or_file(seed, users, tmp_path, args, message):
    path = tmp_path / "ok.jsonld"
    path.write_text(json.dumps(collection(GOOD)))
    args = [str(path) if a == "FILE" else a for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("import_annotations", *args)


def test_import_of_a_reply_to_a_skipped_annotation_is_skipped_too(seed, users, tmp_path):
    missing = {
        **GOOD,
        "target": {**GOOD["target"], "selector": [{"type": "TextQuoteSelector", "exact": "zzz"}]},
    }
    reply = {
        "id": "r1",
        "type": "Annotation",
        "motivation": "replying",
        "body": [{"type": "TextualBody", "value": "Yes.", "purpose": "replying"}],
        "target": GOOD["id"],
    }
    path = tmp_path / "f.jsonld"
    path.write_text(json.dumps(collection(missing, reply)))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_annotations", SEED_SLUG, str(path), "--user", "researcher",
                 stdout=out, stderr=err)  # fmt: skip
    assert "Skipped item 2 (r1): it replies to an annotation that was skipped." in err.getvalue()
    assert out.getvalue().startswith("Imported 0 annotations and 0 replies")
