"""import_annotations keeps who may see each note, and refuses what it cannot read (issue 15).

Re-importing one's own export used to publish one's private notes (the command
defaulted to ``--visibility public``). Now each note keeps the visibility the
file gives it, or ``--visibility`` says one for all; a file that does not say is
refused. JSON nested deeper than Python's parser goes, or a file over the size
limit, is refused in one line, with nothing written.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import Annotation
from cables.models import Cable
from interchange.exporters import web_annotation
from interchange.importers import ImportFailure, parse
from interchange.tests.test_annotation_export import (
    ANNO,
    GOOD,
    collection,
    copy_cable,
    export_url,
    without,
)
from tests.annotation_cases import SEED_SLUG, build_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(seed, users):
    return build_scene(users)


def export_as(client, user, tmp_path):
    client.force_login(user)
    path = tmp_path / "mine.jsonld"
    path.write_bytes(client.get(export_url(SEED_SLUG, "jsonld")).content)
    return path, json.loads(path.read_text())["first"]["items"]


def import_file(path, user="researcher", *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_annotations", "copy", str(path), "--user", user, *args,
                 stdout=out, stderr=err)  # fmt: skip
    return out.getvalue(), err.getvalue()


def test_reimporting_ones_own_export_keeps_private_notes_private(client, scene, users, tmp_path):
    path, items = export_as(client, users.researcher, tmp_path)
    copy = copy_cable(Cable.objects.get(slug=SEED_SLUG), "copy")
    said = {i["id"]: (i["visibility"], i.get("group", "")) for i in items}
    assert {"private", "group", "public"} <= {v for v, _ in said.values()}

    out, err = import_file(path)
    assert err == "" and out.startswith("Imported ")
    imported = Annotation.objects.filter(passage__cable=copy).select_related("group")
    by_visibility = sorted((a.visibility, a.group.slug if a.group else "") for a in imported)
    assert by_visibility == sorted(said.values())
    # The private note is seen by its author alone: nobody else finds it on the copy.
    private = imported.get(body=scene.notes["private"].body)
    assert private.visibility == "private"
    assert not Annotation.objects.visible_to(users.outsider).filter(pk=private.pk).exists()
    assert imported.get(body=scene.notes["group"].body).group == scene.group


def test_visibility_given_on_the_command_line_applies_to_every_note(client, scene, users, tmp_path):
    path, _ = export_as(client, users.researcher, tmp_path)
    copy = copy_cable(Cable.objects.get(slug=SEED_SLUG), "copy")
    import_file(path, "researcher", "--visibility", "private")
    assert set(
        Annotation.objects.filter(passage__cable=copy).values_list("visibility", flat=True)
    ) == {"private"}


def test_a_file_that_does_not_say_who_may_see_a_note_needs_visibility(seed, users, tmp_path):
    copy = copy_cable(Cable.objects.get(slug=SEED_SLUG), "copy")
    path = tmp_path / "elsewhere.jsonld"
    path.write_text(json.dumps(collection(without(GOOD, "visibility"))))
    with pytest.raises(CommandError) as refused:
        import_file(path)
    message = str(refused.value)
    assert "\n" not in message
    assert "does not say who may see it; give --visibility public or --visibility private" in (
        message
    )
    assert not Annotation.objects.filter(passage__cable=copy).exists()
    out, _ = import_file(path, "researcher", "--visibility", "public")
    assert out.startswith("Imported 1 annotation")
    assert Annotation.objects.get(passage__cable=copy).visibility == "public"


def test_an_unknown_visibility_is_refused(seed, users, tmp_path):
    copy_cable(Cable.objects.get(slug=SEED_SLUG), "copy")
    path = tmp_path / "odd.jsonld"
    path.write_text(json.dumps(collection({**GOOD, "visibility": "everyone"})))
    with pytest.raises(
        CommandError, match="visibility must be one of private, group, public, not .everyone."
    ):
        import_file(path)


def deep(depth: int) -> str:
    nested = "[" * depth + "]" * depth
    return (
        json.dumps({"@context": ANNO, "type": "AnnotationCollection"})[:-1] + f', "x": {nested}}}'
    )


def test_deeply_nested_json_is_refused_in_one_line(seed, users, tmp_path):
    copy = copy_cable(Cable.objects.get(slug=SEED_SLUG), "copy")
    path = tmp_path / "deep.jsonld"
    path.write_text(deep(200_000))
    with pytest.raises(CommandError) as refused:
        import_file(path)
    assert str(refused.value) == f"{path}: JSON nested too deeply to read " + (
        "(a collection is a few levels deep)."
    )
    assert not Annotation.objects.filter(passage__cable=copy).exists()


def test_a_huge_file_is_refused_before_it_is_read(seed, users, tmp_path, monkeypatch):
    copy_cable(Cable.objects.get(slug=SEED_SLUG), "copy")
    monkeypatch.setattr(web_annotation, "MAX_COLLECTION_BYTES", 1024)
    path = tmp_path / "huge.jsonld"
    path.write_text(json.dumps(collection(*[{**GOOD, "id": f"n{i}"} for i in range(50)])))
    with pytest.raises(CommandError, match=r"bytes, more than the 1,024 a collection may have"):
        import_file(path)


def test_the_document_importers_refuse_deep_json_in_one_line():
    with pytest.raises(ImportFailure) as refused:
        parse('{"format": "readingroom-cable", "x": ' + "[" * 200_000 + "]" * 200_000 + "}")
    assert refused.value.located("deep.json") == (
        "deep.json:1: JSON nested too deeply to read (an export is a few levels deep)"
    )
