"""New accounts (issue 15): they confirm their address before publishing to everyone;
their public notes wait in the editors' queue until one is approved; readers flag
notes, once each, and editors mark flags reviewed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation, Flag, ModerationItem, ReviewEvent
from annotations.services import ALREADY_FLAGGED, CONFIRM_FIRST, OWN_FLAG
from readingroom.models import Registration
from tests.factories import admin_url, signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PASSWORD = "kaesong-armistice-1951"
MARK = "zzNEWCOMERzz"
PENDING = "Awaiting review"


def sign_up(client: Client, name: str = "newcomer"):
    response = client.post(
        reverse("signup"),
        {
            "username": name,
            "email": f"{name}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    return Registration.objects.get(user__username=name).user


def confirmation_link(outbox_mail) -> str:
    """The path of the one confirmation link in a mail."""
    [path] = re.findall(r"https?://[^/\s]+(/accounts/confirm/[^/\s]+/)", outbox_mail.body)
    return path


def write(client, passage, words, *, body=MARK, visibility="public", **extra):
    start = passage.text.index(words)
    data = {
        "passage": passage.pk,
        "start": start,
        "end": start + len(words),
        "exact": words,
        "body": body,
        "kind": "comment",
        "visibility": visibility,
        **extra,
    }
    return client.post(reverse("annotations:create"), data)


@pytest.fixture
def newcomer(db, seed):
    """An account made on the sign-up page that followed its confirmation link."""
    client = Client()
    user = sign_up(client)
    assert client.get(confirmation_link(mail.outbox[-1])).status_code == 200
    return user, client


# Confirming the address ------------------------------------------------------


def test_sign_up_mails_a_link_that_confirms_the_address(client, seed):
    user = sign_up(client)
    [message] = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert Registration.objects.get(user=user).email_confirmed is None
    response = client.get(confirmation_link(message))
    assert response.status_code == 200
    assert "Address confirmed" in response.content.decode()
    assert Registration.objects.get(user=user).email_confirmed is not None


def test_a_forged_or_stale_link_confirms_nothing(client, seed):
    user = sign_up(client)
    link = confirmation_link(mail.outbox[0])
    response = client.get(link[:-3] + "xx/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    # A link for the address the account had before it changed it.
    user.email = "elsewhere@example.org"
    user.save()
    assert client.get(link).status_code == 400
    assert Registration.objects.get(user=user).email_confirmed is None


def test_an_unconfirmed_account_may_write_for_itself_but_not_publish(seed, telegram1):
    client = Client()
    user = sign_up(client)
    response = write(client, telegram1, "Kaesong")
    assert response.status_code == 400
    assert CONFIRM_FIRST in response.content.decode()
    assert not Annotation.objects.filter(author=user).exists()
    assert write(client, telegram1, "Kaesong", visibility="private").status_code == 302
    # Nor may it make a private note public by editing it.
    note = Annotation.objects.get(author=user)
    response = client.post(
        reverse("annotations:edit", args=[note.pk]),
        {"body": note.body, "kind": "comment", "visibility": "public", "version": note.version},
    )
    assert response.status_code == 400 and CONFIRM_FIRST in response.content.decode()
    note.refresh_from_db()
    assert note.visibility == "private"


def test_a_new_link_can_be_asked_for_a_few_times(seed):
    client = Client()
    sign_up(client)
    for _ in range(2):
        response = client.post(reverse("confirmation"))
        assert response.status_code == 200 and "We sent a new link" in response.content.decode()
    response = client.post(reverse("confirmation"))  # the sign-up's mail counts too
    assert response.status_code == 429
    assert len(mail.outbox) == 3


# Pre-moderation ----------------------------------------------------------------


def reader_sees(client, cable) -> dict[str, bool]:
    """Where ``client`` finds the newcomer's note: reading view, list, search, export."""
    results = client.get(reverse("search:search"), {"q": MARK}).content.decode()
    return {
        "reading view": MARK in client.get(cable.get_absolute_url()).content.decode(),
        "annotations": MARK in client.get(reverse("annotations:list")).content.decode(),
        # The search box repeats the query: the note's own words are its snippet.
        "search": f'<mark class="hit">{MARK}</mark>' in results,
        "export": MARK
        in client.get(reverse("interchange:export_json", args=[cable.slug])).content.decode(),
    }


EVERYWHERE = {"reading view": True, "annotations": True, "search": True, "export": True}
NOWHERE = dict.fromkeys(EVERYWHERE, False)


def test_a_new_accounts_public_note_waits_for_an_editor(
    users, cable, telegram1, newcomer, django_capture_on_commit_callbacks
):
    user, author = newcomer
    with django_capture_on_commit_callbacks(execute=True):
        assert write(author, telegram1, "Kaesong").status_code == 302
    note = Annotation.objects.get(author=user)
    assert note.awaiting_review and note.visibility == "public"
    # Its author sees it at once, marked (first, so a page kept for them would show).
    page = author.get(cable.get_absolute_url()).content.decode()
    card = page.split(f'id="card-{note.pk}"')[1].split("</article>")[0]
    assert MARK in card and PENDING in card
    assert reader_sees(author, cable) == EVERYWHERE
    # Nobody else does, anywhere, until an editor approves it.
    assert reader_sees(Client(), cable) == NOWHERE
    assert reader_sees(signed_in(users.outsider), cable) == NOWHERE
    # Editors see it, marked, on the page and in the queue.
    assert PENDING in signed_in(users.editor).get(cable.get_absolute_url()).content.decode()
    queue = signed_in(users.admin).get(admin_url(ModerationItem, "changelist"))
    assert MARK not in queue.content.decode()  # the queue lists quotes, not bodies
    assert [n.pk for n in queue.context["cl"].result_list] == [note.pk]


# Committed writes: PostgreSQL moves versions at commit (a deferred trigger), and
# this test reads a page kept before the write.
@pytest.mark.django_db(transaction=True)
def test_approving_the_first_note_publishes_it_and_the_accounts_next(
    users, cable, telegram1, newcomer, django_capture_on_commit_callbacks
):
    user, author = newcomer
    with django_capture_on_commit_callbacks(execute=True):
        write(author, telegram1, "Kaesong")
    note = Annotation.objects.get(author=user)
    anonymous = Client()
    assert MARK not in anonymous.get(cable.get_absolute_url()).content.decode()  # now kept
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(users.admin).post(
            admin_url(ModerationItem, "changelist"),
            {"action": "approve", "_selected_action": [note.pk]},
        )
    assert response.status_code == 302
    note.refresh_from_db()
    assert not note.awaiting_review
    assert Registration.objects.get(user=user).approved is not None
    event = ReviewEvent.objects.get(annotation=note)
    assert (event.editor, event.field, event.before, event.after) == (
        users.admin,
        "awaiting_review",
        "yes",
        "no",
    )
    # The kept anonymous page moved with the approval: the note shows at once.
    assert reader_sees(anonymous, cable) == EVERYWHERE
    # The account's next public note is published without waiting.
    write(author, telegram1, "brief rest", body="zzSECONDzz")
    assert not Annotation.objects.get(body="zzSECONDzz").awaiting_review
    assert "zzSECONDzz" in anonymous.get(cable.get_absolute_url()).content.decode()


def test_an_editors_accounts_and_established_ones_publish_at_once(users, telegram1):
    write(signed_in(users.outsider), telegram1, "Kaesong", body="zzOLDHANDzz")
    assert not Annotation.objects.get(body="zzOLDHANDzz").awaiting_review


def test_a_new_accounts_private_and_group_notes_need_no_review(telegram1, newcomer):
    user, author = newcomer
    write(author, telegram1, "Kaesong", visibility="private")
    assert not Annotation.objects.get(author=user).awaiting_review


# Flags -------------------------------------------------------------------------


@pytest.fixture
def public_note(users, telegram1):
    write(signed_in(users.researcher), telegram1, "Kaesong", body="zzFLAGMEzz")
    return Annotation.objects.get(body="zzFLAGMEzz")


def test_a_reader_flags_a_note_once(users, cable, public_note):
    reader = signed_in(users.outsider)
    page = reader.get(cable.get_absolute_url()).content.decode()
    card = page.split(f'id="card-{public_note.pk}"')[1].split("</article>")[0]
    flag_url = reverse("annotations:flag", args=[public_note.pk])
    assert f'action="{flag_url}"' in card and ">Flag</button>" in card
    first = reader.post(flag_url, **HTMX)
    assert first.status_code == 200 and "the editors will look" in first.content.decode()
    again = reader.post(flag_url)
    assert again.status_code == 400
    assert ALREADY_FLAGGED in again.content.decode()
    assert Flag.objects.filter(annotation=public_note).count() == 1


def test_authors_do_not_flag_their_own_notes_and_anonymous_visitors_cannot(
    users, cable, public_note
):
    author = signed_in(users.researcher)
    page = author.get(cable.get_absolute_url()).content.decode()
    card = page.split(f'id="card-{public_note.pk}"')[1].split("</article>")[0]
    assert ">Flag</button>" not in card
    response = author.post(reverse("annotations:flag", args=[public_note.pk]))
    assert response.status_code == 400 and OWN_FLAG in response.content.decode()
    response = Client().post(reverse("annotations:flag", args=[public_note.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Flag.objects.exists()


def test_a_note_one_may_not_see_cannot_be_flagged(users, telegram1):
    write(signed_in(users.researcher), telegram1, "Kaesong", body="mine", visibility="private")
    note = Annotation.objects.get(body="mine")
    response = signed_in(users.outsider).post(reverse("annotations:flag", args=[note.pk]))
    assert response.status_code == 404 and not Flag.objects.exists()


def test_editors_see_flags_in_the_queue_and_mark_them_reviewed(users, public_note):
    signed_in(users.outsider).post(reverse("annotations:flag", args=[public_note.pk]))
    admin = signed_in(users.admin)
    queue_url = admin_url(ModerationItem, "changelist")
    queue = admin.get(queue_url)
    assert [n.pk for n in queue.context["cl"].result_list] == [public_note.pk]
    assert queue.context["cl"].result_list[0].open_flag_count == 1
    response = admin.post(
        queue_url, {"action": "mark_reviewed", "_selected_action": [public_note.pk]}
    )
    assert response.status_code == 302
    flag = Flag.objects.get()
    assert flag.reviewed_by == users.admin and flag.reviewed_at is not None
    assert list(admin.get(queue_url).context["cl"].result_list) == []
    # The note stays as it was, and its page lists the flag.
    public_note.refresh_from_db()
    assert not public_note.hidden
    page = admin.get(admin_url(Annotation, "change", public_note.pk)).content.decode()
    assert "readers&#x27; flags" in page.lower()
    assert "outsider" in page


def test_the_queue_is_for_editors_who_may_change_notes(users):
    assert signed_in(users.editor).get(admin_url(ModerationItem, "changelist")).status_code == 403


def test_an_editor_confirms_an_address_by_hand(users, seed, telegram1):
    client = Client()
    user = sign_up(client)
    registration = Registration.objects.get(user=user)
    response = signed_in(users.admin).post(
        admin_url(Registration, "changelist"),
        {"action": "confirm", "_selected_action": [registration.pk]},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.email_confirmed is not None
    assert write(client, telegram1, "Kaesong").status_code == 302
    assert Annotation.objects.get(author=user).awaiting_review  # confirmed, not yet approved


def test_an_editor_approves_a_waiting_note_from_the_margin(
    users, cable, telegram1, newcomer, django_capture_on_commit_callbacks
):
    user, author = newcomer
    write(author, telegram1, "Kaesong")
    note = Annotation.objects.get(author=user)
    editor = signed_in(users.editor)
    page = editor.get(cable.get_absolute_url()).content.decode()
    card = page.split(f'id="card-{note.pk}"')[1].split("</article>")[0]
    approve_url = reverse("annotations:approve", args=[note.pk])
    assert f'action="{approve_url}"' in card
    # Not a reader's to press.
    assert signed_in(users.outsider).post(approve_url).status_code == 404
    assert author.post(approve_url).status_code == 403
    response = editor.post(approve_url, **HTMX)
    assert response.status_code == 200
    assert PENDING not in response.content.decode() and MARK in response.content.decode()
    note.refresh_from_db()
    assert not note.awaiting_review
    assert note.review_events.get().editor == users.editor
    again = editor.post(approve_url)
    assert again.status_code == 400 and "not awaiting review" in again.content.decode()


def test_a_view_only_editor_cannot_approve(users, telegram1, newcomer):
    from django.contrib.auth.models import Permission

    user, author = newcomer
    write(author, telegram1, "Kaesong")
    note = Annotation.objects.get(author=user)
    users.editor.user_permissions.add(Permission.objects.get(codename="view_annotation"))
    response = signed_in(users.editor).post(
        admin_url(Annotation, "changelist"), {"action": "approve", "_selected_action": [note.pk]}
    )
    assert response.status_code in (200, 302)
    note.refresh_from_db()
    assert note.awaiting_review and not ReviewEvent.objects.exists()


def test_flagging_and_approving_need_the_csrf_token(users, public_note):
    for user, name in ((users.outsider, "annotations:flag"), (users.editor, "annotations:approve")):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        assert client.post(reverse(name, args=[public_note.pk])).status_code == 403
    assert not Flag.objects.exists()
