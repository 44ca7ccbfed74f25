"""``import_cables``: detection, dry run, re-import in place, and bad input refused cleanly."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.models import Annotation
from cables.models import Cable, Collection, Passage
from tests.import_helpers import DATA, SOURCE, load_people

TEXT = SOURCE.read_text(encoding="utf-8")


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_cables", *map(str, args), stdout=out, stderr=err)
        failed = None
    except CommandError as error:
        failed = str(error)
    return out.getvalue(), err.getvalue(), failed


@pytest.fixture
def people(db):
    load_people()


def test_dry_run_prints_what_would_be_created_and_writes_nothing(people):
    out, err, failed = run(SOURCE, "--dry-run")
    assert failed is None, err
    assert "would create 'Cable No. 21680" in out
    assert "10 passages new" in out and "4 telegrams" in out and "2 agenda candidates" in out
    assert Cable.objects.count() == 0


def test_imports_into_a_collection(people):
    Collection.objects.create(title="Kaesong", slug="kaesong")
    out, err, failed = run(SOURCE, "--collection", "kaesong")
    assert failed is None, err
    assert Cable.objects.get().collections.get().slug == "kaesong"


def test_unknown_names_are_reported_not_created(people, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(TEXT.replace("Deciphered by Vaganov", "Deciphered by Smirnov"), "utf-8")
    participants = Cable.objects.none().model._meta.apps.get_model("cables", "Participant")
    before = participants.objects.count()
    out, err, failed = run(path)
    assert failed is None
    assert "Unknown name 'Smirnov' (deciphered the cable" in out
    assert participants.objects.count() == before


def test_reimport_updates_in_place_and_keeps_annotations_reanchored(seed, users, tmp_path):
    passage = Passage.objects.get(cable__record_id="117409", label="Telegram 4")
    start = (
        passage.text.index("Admiral") if "Admiral" in passage.text else passage.text.index("Joy")
    )
    annotation = Annotation.objects.create(
        passage=passage,
        author=users.researcher,
        exact="Joy",
        prefix=passage.text[start - 20 : start],
        suffix=passage.text[start + 3 : start + 23],
        start=start,
        end=start + 3,
        body="Vice Admiral C. Turner Joy",
    )
    count = Annotation.objects.count()
    corrected = TEXT.replace(
        "An abbreviated text of the first statement",
        "[Editor: text checked] An abbreviated text of the first statement",
    )
    path = tmp_path / "117409.txt"
    path.write_text(corrected, encoding="utf-8")
    out, err, failed = run(path)
    assert failed is None, err
    assert "updated 'Cable No. 21680" in out and "1 changed" in out
    assert Cable.objects.count() == 1
    annotation.refresh_from_db()
    assert Annotation.objects.count() == count
    text = annotation.passage.text
    assert text[annotation.start : annotation.end] == "Joy"
    assert annotation.anchor_status == Annotation.Anchor.MOVED
    assert annotation.start == start + len("[Editor: text checked] ")
    # Once more, unchanged: nothing to update, still one cable.
    out, _, _ = run(path)
    assert "0 changed" in out and Cable.objects.count() == 1


def test_a_folder_imports_every_file_and_a_bad_one_fails_alone(people, tmp_path):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "broken.xml").write_text("<TEI><text></TEI>", encoding="utf-8")
    out, err, failed = run(tmp_path)
    assert failed == "1 of 2 files failed; nothing of them was written."
    assert err.strip().startswith(f"{tmp_path / 'broken.xml'}:1: the XML is not well-formed")
    assert len(err.strip().splitlines()) == 1
    assert Cable.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("garbage.bin", bytes(range(256)) * 40, "binary data"),
        (
            "latin1.txt",
            TEXT.replace("Nº", "No").encode("utf-8").replace(b"Filippov!", b"Filippov\xe9!"),
            "not UTF-8",
        ),
        ("cp1251.txt", "Шифртелеграмма № 21680".encode("cp1251"), "not UTF-8"),
        (
            "broken.xml",
            (DATA / "frus_volume.xml").read_text().replace("</p>", "", 1),
            "not well-formed",
        ),
        ("bad.json", '{"format": "readingroom-collection",', "not valid JSON"),
        ("other.json", '{"format": "zotero"}', "not a Reading Room export"),
        ("prose.txt", "Just some notes.\n", "not a format this importer knows"),
    ],
)
def test_malformed_input_is_one_clear_line_and_writes_nothing(
    people, tmp_path, name, content, reason
):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    out, err, failed = run(path)
    assert failed
    [line] = err.strip().splitlines()
    assert line.startswith(f"{path}:") and reason in line, line
    assert Cable.objects.count() == 0 and Passage.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("truncated.txt", TEXT[: TEXT.index("Original Language")], "no 'Original Language:'"),
        ("cut.txt", TEXT[: TEXT.index("- 3. The withdrawal")], "looks truncated"),
    ],
)
def test_a_copy_cut_off_partway_comes_in_for_review(people, tmp_path, name, content, problem):
    """What is there is imported and the record is marked incomplete, never refused."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out, err, failed = run(path)
    assert failed is None, err
    cable = Cable.objects.get()
    assert cable.title == "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    assert cable.complete is False
    assert cable.status == Cable.Status.DRAFT
    assert any(problem in p for p in cable.problems), cable.problems
    assert f"Draft to review: {path}" in out


def test_encoding_errors_name_their_line(people, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(TEXT.encode("utf-8").replace(b"Filippov!", b"Filippov\xe9!"))
    _, err, _ = run(path)
    line = TEXT[: TEXT.index("Filippov!")].count("\n") + 1
    assert err.startswith(f"{path}:{line}: not UTF-8 text: byte 0xe9")


def test_a_file_over_50_mb_is_refused_before_it_is_read(people, tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse: 50 MB + 1 byte without writing them
        fh.seek(50 * 1024 * 1024)
        fh.write(b"x")
    monkeypatch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read the file"))
    _, err, failed = run(path)
    assert failed and "the limit is 50 MB" in err


def test_reading_room_json_goes_to_exchange_restore(people, tmp_path, monkeypatch):
    exchange = pytest.importorskip(
        "interchange.exchange", reason="interchange.exchange (the export side) is not written yet"
    )
    seen = {}

    def restore(data, *, collection=None, dry_run=False):
        seen.update(data=data, dry_run=dry_run)
        return []

    monkeypatch.setattr(exchange, "restore", restore)
    path = tmp_path / "collection.json"
    path.write_text(json.dumps({"format": "readingroom-collection", "cables": []}), "utf-8")
    out, err, failed = run(path, "--dry-run")
    assert failed is None, err
    assert seen == {"data": {"format": "readingroom-collection", "cables": []}, "dry_run": True}
    assert "restore 0 cables from a readingroom-collection export" in out


def test_a_collection_export_restores_through_import_cables_without_duplicates(seed, tmp_path):
    pytest.importorskip(
        "interchange.exchange", reason="interchange.exchange (the export side) is not written"
    )
    path = tmp_path / "collection.json"
    call_command("export_collection", "korean-war-armistice-talks", "--output", str(path))
    annotations = Annotation.objects.count()
    out, err, failed = run(path, "--fallback-user", "reading-room-editors")
    assert failed is None, err
    assert "restore 1 cables from a readingroom-collection export" in out
    assert Cable.objects.count() == 1 and Annotation.objects.count() == annotations


def test_a_reimport_with_fewer_passages_moves_their_annotations_instead_of_deleting(
    seed, users, tmp_path
):
    handling = Passage.objects.get(cable__record_id="117409", label="Handling notes")
    start = handling.text.index("Vaganov")
    Annotation.objects.create(
        passage=handling,
        author=users.researcher,
        exact="Vaganov",
        prefix=handling.text[:start],
        suffix=handling.text[start + 7 : start + 27],
        start=start,
        end=start + 7,
        body="The cipher clerk",
    )
    count = Annotation.objects.count()
    path = tmp_path / "117409.txt"
    path.write_text(TEXT[: TEXT.index("Deciphered by")].rstrip(), encoding="utf-8")
    out, err, failed = run(path)
    assert failed is None, err
    assert "1 removed" in out
    assert Annotation.objects.count() == count
    moved = Annotation.objects.get(body="The cipher clerk")
    assert moved.passage.label == "Closing"
    assert moved.anchor_status == Annotation.Anchor.ORPHANED


# A folder of many documents: summary and report ---------------------------------------


def _folder(tmp_path):
    """The seed's export, a document with no date anywhere (a draft), and an empty file."""
    tmp_path.mkdir()
    (tmp_path / "good.txt").write_text(TEXT, "utf-8")
    undated = TEXT.replace("July 11, 1951", "").replace("11 July 1951", "").replace("1951", "")
    undated = undated.replace("/document/117409", "/document/117410")
    (tmp_path / "undated.txt").write_text(undated, "utf-8")
    (tmp_path / "empty.txt").write_text("", "utf-8")
    return tmp_path


def test_a_folder_ends_with_a_summary_and_writes_a_report(people, tmp_path):
    import csv

    folder = _folder(tmp_path / "in")
    report = tmp_path / "report.csv"
    out, err, failed = run(folder, "--report", report)
    assert failed == "1 of 3 files failed; nothing of them was written."
    assert f"{folder / 'empty.txt'}:1: the file is empty" in err
    assert "2 documents imported: 2 new, 0 updated, 0 restored from exports;" in out
    assert "1 drafts to review; 1 files failed." in out
    assert f"Refused: {folder / 'empty.txt'}:1: the file is empty" in out
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["file"].rsplit("/", 1)[1], r["outcome"]) for r in rows] == [
        ("empty.txt", "refused"),
        ("good.txt", "created"),
        ("undated.txt", "created, draft"),
    ]
    assert rows[1]["title"] == "Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]"
    assert rows[1]["date"] == "1951-07-11" and rows[1]["record_id"] == "117409"
    assert rows[0]["notes"] == "the file is empty"
    assert "date missing" in rows[2]["notes"]
    drafts = Cable.objects.filter(status=Cable.Status.DRAFT)
    assert [c.record_id for c in drafts] == ["117410"]


def test_running_again_updates_in_place(people, tmp_path):
    folder = _folder(tmp_path / "in")
    run(folder)
    out, err, failed = run(folder)
    assert "2 documents imported: 0 new, 2 updated" in out
    assert Cable.objects.count() == 2


def test_a_volume_reports_progress_document_by_document(people):
    from interchange.importers import parse
    from interchange.importers.writer import write_all

    documents = parse((DATA / "frus_volume.xml").read_text(encoding="utf-8")).documents
    assert len(documents) > 1
    done = []
    write_all(documents, each=lambda: done.append(Cable.objects.count()))
    # Called once after each document is written, in order.
    assert done == list(range(1, len(documents) + 1))


def test_importing_again_keeps_what_an_editor_put_right(people, tmp_path):
    folder = _folder(tmp_path / "in")
    run(folder)
    draft = Cable.objects.get(status=Cable.Status.DRAFT)
    assert draft.date is None
    import datetime

    draft.date = datetime.date(1951, 7, 11)
    draft.status = Cable.Status.PUBLISHED
    draft.save()
    run(folder)
    draft.refresh_from_db()
    # The date the copy does not give stays the editor's; the record stays published.
    assert draft.date == datetime.date(1951, 7, 11)
    assert draft.status == Cable.Status.PUBLISHED
