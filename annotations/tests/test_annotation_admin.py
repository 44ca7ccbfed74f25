"""Editors correct a passage's text in the admin: annotations follow, the change is recorded."""

import re

import pytest
from django.urls import reverse

from annotations.models import Annotation, PassageRevision, ResearchGroup, Tag
from annotations.services import create_annotation
from cables.models import Cable, Passage
from tests.factories import admin_url, form_data

pytestmark = pytest.mark.django_db


def annotate(user, passage, words):
    start = passage.text.index(words)
    return create_annotation(
        user=user, passage=passage, start=start, end=start + len(words), exact=words, body="n"
    )


def test_correcting_text_in_the_admin_records_a_revision_and_reanchors(client, users, telegram1):
    note = annotate(users.researcher, telegram1, "Cde. Nam II replied there was no need")
    doomed = annotate(users.researcher, telegram1, "helicopters and motor vehicles")
    client.force_login(users.admin)
    url = admin_url(Passage, "change", telegram1.pk)
    data = form_data(client.get(url))
    before = telegram1.text
    data["text"] = (
        before.replace("Cde. Nam II replied", "Cde. Nam Il replied")
        .replace(" in helicopters and motor vehicles", "")
        .replace("\n", "\r\n")  # as a browser sends a textarea
    )
    response = client.post(url, data)
    assert response.status_code == 302
    telegram1.refresh_from_db()
    note.refresh_from_db()
    doomed.refresh_from_db()
    assert telegram1.text[note.start : note.end] == "Cde. Nam Il replied there was no need"
    assert doomed.anchor_status == "orphaned"
    revision = PassageRevision.objects.get(passage=telegram1)
    assert revision.editor == users.admin
    assert revision.before == before
    assert revision.orphaned == 1
    # Editors see the revision on the passage page.
    page = client.get(url).content.decode()
    assert "text revisions" in page.lower()
    assert "Nam Il replied" in page


def test_editing_text_through_the_cable_page_names_the_editor(client, users, telegram1):
    client.force_login(users.admin)
    cable = telegram1.cable
    url = admin_url(Cable, "change", cable.pk)
    data = form_data(client.get(url))
    [prefix] = [
        k[: -len("-id")]
        for k, v in data.items()
        # a passage's own row (not a recipient nested in its telegram header)
        if re.fullmatch(r"passages-\d+-id", k) and v == str(telegram1.pk)
    ]
    data[f"{prefix}-text"] = telegram1.text.replace("0912", "09.12")
    response = client.post(url, data)
    assert response.status_code == 302
    assert PassageRevision.objects.get(passage=telegram1).editor == users.admin


def test_unchanged_text_records_nothing(client, users, telegram1):
    client.force_login(users.admin)
    url = admin_url(Passage, "change", telegram1.pk)
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert not PassageRevision.objects.exists()


@pytest.mark.parametrize("model", [Annotation, ResearchGroup, Tag, PassageRevision])
def test_annotation_admin_pages(client, users, telegram1, model):
    note = annotate(users.researcher, telegram1, "Kaesong")
    note.tags.set(Tag.for_names(["Place"]))
    ResearchGroup.objects.create(name="Team", slug="team")
    telegram1.text = telegram1.text.replace("0912", "09.12")
    telegram1.save()
    client.force_login(users.admin)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    obj = model.objects.first()
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_revisions_cannot_be_added_or_changed(client, users, telegram1):
    client.force_login(users.admin)
    assert client.get(admin_url(PassageRevision, "add")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 200
