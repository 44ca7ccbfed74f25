"""The admin's import page: preview, then import the stored upload on confirmation.

The preview shows what will be written (fields with how each was found,
passages, telegram headers, people matched and not); the confirmation sends
only a signed token naming the stored upload. Bad input, a forged or stale
token, or someone else's token writes nothing.
"""

from __future__ import annotations

import re

from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cables.models import Cable
from interchange.admin import TOKEN_SALT
from interchange.models import Draft, Upload
from tests.factories import admin_url
from tests.import_helpers import SOURCE, load_people

URL = reverse("admin:cables_cable_import")
TEXT = SOURCE.read_text(encoding="utf-8")


def _token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_the_changelist_links_to_the_import_page_and_the_review_queue(client, users):
    client.force_login(users.editor)
    page = client.get(reverse("admin:cables_cable_changelist")).content.decode()
    assert URL in page
    assert reverse("admin:interchange_draft_changelist") in page


def test_only_staff_who_may_add_cables_get_in(client, users, django_user_model):
    client.force_login(users.researcher)
    assert client.get(URL).status_code == 302  # not staff: to the admin login
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(viewer)
    assert client.get(URL).status_code == 403


def test_the_preview_shows_what_will_be_written_and_writes_nothing(client, users):
    load_people()
    client.force_login(users.editor)
    text = TEXT.replace("Deciphered by Vaganov", "Deciphered by Smirnov")
    body = client.post(URL, {"text": text, "preview": "1"}).content.decode()
    assert "would create" in body
    # Fields and how each was found.
    assert "11 July 1951" in body and "117409" in body
    assert "Parsed: read where the layout puts it" in body
    # Passages, a telegram header, the people matched and the one nobody answers to.
    assert "Forwarded telegram: Telegram 2" in body or "Forwarded telegram" in body
    assert "From Li Kenong" in body or "From LI KENONG" in body
    assert "Smirnov" in body and "proposed as a new participant (not created)" in body
    assert Cable.objects.count() == 0
    assert Upload.objects.count() == 1


def test_confirming_imports_the_stored_upload_by_its_token(client, users):
    load_people()
    client.force_login(users.editor)
    preview = client.post(URL, {"text": TEXT, "preview": "1"}).content.decode()
    token = _token(preview)
    assert len(token) < 200  # the document is not posted again
    done = client.post(URL, {"token": token, "confirm": "1"})
    assert done.status_code == 302
    assert Cable.objects.get().record_id == "117409"
    assert not Upload.objects.exists()
    # The same token again: the upload is gone, nothing more is written.
    again = client.post(URL, {"token": token, "confirm": "1"})
    assert again.status_code == 400
    assert Cable.objects.count() == 1


def test_a_large_upload_is_confirmed_without_posting_it_again(client, users):
    load_people()
    client.force_login(users.editor)
    padding = "\n\n" + "The delegations met again and talked at length. " * 70_000  # ~3.4 MB
    upload = SimpleUploadedFile("long.txt", (TEXT + padding).encode())
    preview = client.post(URL, {"file": upload, "preview": "1"}).content.decode()
    assert "would create" in preview
    done = client.post(URL, {"token": _token(preview), "confirm": "1"})
    assert done.status_code == 302
    assert len(Cable.objects.get().text()) > 3_000_000


def test_a_forged_or_foreign_token_writes_nothing(client, users):
    load_people()
    client.force_login(users.editor)
    preview = client.post(URL, {"text": TEXT, "preview": "1"}).content.decode()
    upload = Upload.objects.get()
    forged = client.post(URL, {"token": _token(preview) + "x", "confirm": "1"})
    assert forged.status_code == 400
    assert "expired or is not yours" in forged.content.decode()
    client.force_login(users.admin)  # another editor's token
    foreign = client.post(URL, {"token": _token(preview), "confirm": "1"})
    assert foreign.status_code == 400
    unsigned = signing.dumps({"upload": upload.pk}, salt="elsewhere")
    assert client.post(URL, {"token": unsigned, "confirm": "1"}).status_code == 400
    assert Cable.objects.count() == 0


def test_a_stale_token_writes_nothing(client, users, monkeypatch):
    load_people()
    client.force_login(users.editor)
    preview = client.post(URL, {"text": TEXT, "preview": "1"}).content.decode()
    monkeypatch.setattr("interchange.admin.TOKEN_MAX_AGE", -1)
    assert client.post(URL, {"token": _token(preview), "confirm": "1"}).status_code == 400
    assert Cable.objects.count() == 0
    assert TOKEN_SALT == "interchange.import"


def test_a_pasted_page_with_windows_line_ends_imports(client, users):
    load_people()
    client.force_login(users.editor)
    crlf = TEXT.replace("\n", "\r\n")
    preview = client.post(URL, {"text": crlf, "preview": "1"}).content.decode()
    assert "would create" in preview, preview[:2000]
    client.post(URL, {"token": _token(preview), "confirm": "1"})
    assert Cable.objects.get().text() == TEXT[TEXT.index("SECOND MAIN") :]


def test_an_uploaded_file_in_another_encoding_is_refused_and_nothing_written(client, users):
    client.force_login(users.editor)
    upload = SimpleUploadedFile("cable.txt", "Шифртелеграмма".encode("cp1251"))
    page = client.post(URL, {"file": upload, "preview": "1"})
    assert "cable.txt:1: not UTF-8 text" in page.content.decode()
    assert Cable.objects.count() == 0 and not Upload.objects.exists()


def test_a_malformed_document_shows_its_error_and_writes_nothing(client, users):
    client.force_login(users.editor)
    page = client.post(URL, {"text": "<TEI><text></TEI>", "preview": "1"})
    assert "pasted text:1: the XML is not well-formed" in page.content.decode()
    assert "Nothing was written" in page.content.decode()
    assert Cable.objects.count() == 0 and not Upload.objects.exists()


# The review queue --------------------------------------------------------------------


def _draft():
    return Cable.objects.create(
        title="Telegram with no date found",
        slug="telegram-no-date",
        status=Cable.Status.DRAFT,
        problems=["no date found"],
        provenance={"title": "inferred", "date": "missing", "archive": "missing"},
        source_text="Telegram\n\nTo Cde. Filippov. We have met the other side.",
    )


def test_the_queue_lists_drafts_with_what_to_check(client, users):
    draft = _draft()
    Cable.objects.create(title="A published one", slug="published", date="1951-07-11")
    client.force_login(users.editor)
    page = client.get(admin_url(Draft, "changelist")).content.decode()
    assert "Telegram with no date found" in page and "A published one" not in page
    assert "no date found; no date; no archive" in page
    change = client.get(admin_url(Draft, "change", draft.pk)).content.decode()
    assert "We have met the other side." in change  # the source text beside the record
    assert "Inferred: worked out from elsewhere in the text" in change


def test_publishing_a_draft_takes_one_step(client, users):
    draft = _draft()
    client.force_login(users.editor)
    response = client.post(
        admin_url(Draft, "changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert Cable.objects.get(pk=draft.pk).status == Cable.Status.PUBLISHED
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_readers_cannot_reach_the_queue(client, users):
    _draft()
    client.force_login(users.researcher)
    assert client.get(admin_url(Draft, "changelist")).status_code == 302
