"""The admin's import page: preview, then import on confirmation; errors write nothing."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cables.models import Cable
from tests.import_helpers import SOURCE, load_people

URL = reverse("admin:cables_cable_import")
TEXT = SOURCE.read_text(encoding="utf-8")


def test_the_changelist_links_to_the_import_page(client, users):
    client.force_login(users.editor)
    page = client.get(reverse("admin:cables_cable_changelist"))
    assert URL in page.content.decode()


def test_only_staff_who_may_add_cables_get_in(client, users, django_user_model):
    client.force_login(users.researcher)
    assert client.get(URL).status_code == 302  # not staff: to the admin login
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(viewer)
    assert client.get(URL).status_code == 403


def test_preview_then_import(client, users):
    load_people()
    client.force_login(users.editor)
    text = TEXT.replace("Deciphered by Vaganov", "Deciphered by Smirnov")
    preview = client.post(URL, {"text": text, "preview": "1"})
    body = preview.content.decode()
    assert "would create" in body and "Smirnov" in body and "Unknown names" in body
    assert Cable.objects.count() == 0
    done = client.post(URL, {"text": text, "name": "pasted text", "confirm": "1"})
    assert done.status_code == 302
    assert Cable.objects.get().record_id == "117409"


def test_an_uploaded_file_in_another_encoding_is_refused_and_nothing_written(client, users):
    client.force_login(users.editor)
    upload = SimpleUploadedFile("cable.txt", "Шифртелеграмма".encode("cp1251"))
    page = client.post(URL, {"file": upload, "confirm": "1"})
    assert "cable.txt:1: not UTF-8 text" in page.content.decode()
    assert Cable.objects.count() == 0


def test_a_malformed_document_shows_its_error_and_writes_nothing(client, users):
    client.force_login(users.editor)
    page = client.post(URL, {"text": "<TEI><text></TEI>", "confirm": "1"})
    assert "pasted text:1: the XML is not well-formed" in page.content.decode()
    assert "Nothing was written" in page.content.decode()
    assert Cable.objects.count() == 0
