"""An import finds and resolves its documents' references once per batch of files
(``telegrams.resolution.ReferenceBatch``): the queries the references cost do not
grow with the number of documents, and the results are those of one at a time."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cables.mentions import NameMatcher
from interchange.importers import decode, parse
from interchange.importers.writer import Names, write_all
from telegrams.models import MissingRecord, Reference
from telegrams.resolution import ReferenceBatch
from tests.import_helpers import load_people, wilson_document, write_wilson_documents


@pytest.fixture
def people(db):
    load_people()


def _flush_queries(count: int) -> tuple[int, int]:
    """(queries of the batch's flush, references stored) for ``count`` documents."""
    # As the import command does: the names read once, for the whole run.
    names, batch = Names(), ReferenceBatch(NameMatcher.from_database())
    for n in range(count):
        docs = parse(decode(wilson_document(n).encode())).documents
        write_all(docs, names=names, references=batch)
    assert Reference.objects.count() == 0  # nothing is found before the flush
    with CaptureQueriesContext(connection) as queries:
        batch.flush()
    return len(queries), Reference.objects.count()


@pytest.mark.parametrize("count", [1, 3, 8])
def test_a_batchs_references_cost_the_same_queries_for_any_number_of_documents(people, count):
    queries, stored = _flush_queries(count)
    # The want-list's check and the references' one insert, whatever the count (the
    # candidates come from the documents' own telegrams, held by the writer).
    assert queries == 2
    assert stored == 3 * count  # each: a forwarding and two attachments of report Nº 1


def _import_queries(tmp_path, first: int, count: int) -> int:
    folder = tmp_path / f"from{first}"
    folder.mkdir()
    for n in range(first, first + count):
        (folder / f"doc{n:04d}.txt").write_text(wilson_document(n), encoding="utf-8")
    with CaptureQueriesContext(connection) as queries:
        call_command("import_cables", str(folder), stdout=StringIO(), stderr=StringIO())
    return len(queries)


def test_an_import_of_n_documents_takes_a_fixed_number_of_queries_each(people, tmp_path):
    two = _import_queries(tmp_path, 0, 2)
    six = _import_queries(tmp_path, 10, 6)
    # Per document: the importer's own writes and look-ups, nothing for its references.
    assert (six - two) % 4 == 0
    assert (six - two) // 4 == 16
    assert Reference.objects.count() == 3 * 8
    assert not Reference.objects.filter(target_telegram__isnull=True).exists()


def test_a_reference_to_a_document_later_in_the_batch_resolves_to_it(people, tmp_path):
    # The second document answers the first's "your telegram No. …": in one batch the
    # reference resolves directly, as it would have once the second one arrived.
    first = wilson_document(1).replace(
        "Please familiarize yourself with them:",
        "Please familiarize yourself with them. See our telegram No. 30002.",
    )
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(first, encoding="utf-8")
    (folder / "b.txt").write_text(wilson_document(2), encoding="utf-8")
    call_command("import_cables", str(folder), stdout=StringIO(), stderr=StringIO())
    ref = Reference.objects.get(number="30002")
    assert ref.target_cable.record_id.endswith("900002") or "900002" in (
        ref.target_cable.source_url
    )
    assert MissingRecord.objects.count() == 0


def test_the_want_list_resolves_itself_when_a_later_import_brings_the_record(people, tmp_path):
    first = wilson_document(1).replace(
        "Please familiarize yourself with them:",
        "Please familiarize yourself with them. See our telegram No. 30002.",
    )
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text(first, encoding="utf-8")
    call_command("import_cables", str(one), stdout=StringIO(), stderr=StringIO())
    ref = Reference.objects.get(number="30002")
    assert ref.missing is not None and ref.target_cable is None
    two = tmp_path / "two"
    two.mkdir()
    (two / "b.txt").write_text(wilson_document(2), encoding="utf-8")
    call_command("import_cables", str(two), stdout=StringIO(), stderr=StringIO())
    ref.refresh_from_db()
    assert ref.missing is None and ref.target_cable is not None
    assert MissingRecord.objects.count() == 0


def test_an_editors_decision_survives_a_reimport(people, tmp_path):
    folder = tmp_path / "docs"
    write_wilson_documents(folder, 1)
    call_command("import_cables", str(folder), stdout=StringIO(), stderr=StringIO())
    forwarding = Reference.objects.get(kind=Reference.Kind.FORWARDING)
    forwarding.status = Reference.Status.REJECTED
    forwarding.save()
    confirmed = Reference.objects.filter(kind=Reference.Kind.ATTACHMENT).first()
    confirmed.status = Reference.Status.CONFIRMED
    confirmed.save()
    (folder / "doc0000.txt").write_text(
        wilson_document(0).replace("We did not stop him.", "We did not interrupt him."),
        encoding="utf-8",
    )
    call_command("import_cables", str(folder), stdout=StringIO(), stderr=StringIO())
    forwarding.refresh_from_db()
    confirmed.refresh_from_db()
    assert forwarding.status == Reference.Status.REJECTED
    assert confirmed.status == Reference.Status.CONFIRMED
    assert Reference.objects.filter(kind=Reference.Kind.FORWARDING).count() == 1
    assert Reference.objects.count() == 3
