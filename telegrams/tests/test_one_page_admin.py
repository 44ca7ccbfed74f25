"""A cable, its passages and their telegram headers entered on one admin page (issue 14).

The cable's change page nests, in each passage, its telegram header, and in
the header its addressees and copies. Positions come from the order of the
rows (the page numbers them by where the editor dragged them), never typed:
these tests post positions the way the page's script leaves them after a drag
(out of order, with gaps) and check what is written.
"""

import datetime

import pytest

from cables.models import Cable, Participant, Passage
from telegrams.models import Telegram, TelegramRecipient
from tests.factories import admin_url, form_data

pytestmark = pytest.mark.django_db

ADD = "passages-{}-telegram-0-recipients"  # the addressees of passage n's telegram
COPIES = "passages-{}-telegram-0-recipients-2"  # and its copies


@pytest.fixture
def cast(db):
    return {
        slug: Participant.objects.create(name=name, sort_name=name, slug=slug)
        for slug, name in [
            ("mao", "Mao Zedong"),
            ("stalin", "Joseph Stalin"),
            ("li", "Li Kenong"),
            ("kim", "Kim Il Sung"),
            ("peng", "Peng Dehuai"),
        ]
    }


@pytest.fixture
def editor_client(client, users):
    client.force_login(users.admin)
    return client


def management(prefix: str, total: int, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def one_page(cast, **changes) -> dict:
    """The add page as an editor fills it: a cover note and a telegram, dragged so that
    the telegram comes first; the telegram has two addressees and a copy."""
    data = {
        "status": "published",
        "title": "Cable 99 from Mao to Filippov",
        "slug": "cable-99",
        "date": "1951-07-11",
        "sender": str(cast["mao"].pk),
        "recipient": str(cast["stalin"].pk),
        **management("passages", 2),
        # Row 0 was typed first but dragged below row 1: the page left it at 7, row 1 at 3.
        "passages-0-kind": "cover_note",
        "passages-0-text": "To Filippov.",
        "passages-0-tail": "\n",
        "passages-0-position": "7",
        "passages-1-kind": "telegram",
        "passages-1-label": "Telegram 1",
        "passages-1-text": "The talks open at Kaesong tomorrow.",
        "passages-1-tail": "\n",
        "passages-1-position": "3",
        **management("passages-0-telegram", 0),
        **management("passages-1-telegram", 1),
        "passages-1-telegram-0-number": "1",
        "passages-1-telegram-0-author": str(cast["li"].pk),
        "passages-1-telegram-0-sent_as_written": "1145 10 July",
        "passages-1-telegram-0-sent_on": "1951-07-10",
        "passages-1-telegram-0-sent_time": "11:45",
        "passages-1-telegram-0-reference": "attachment Nº 1 to brief report Nº 1",
        **management(ADD.format(1), 2),
        # Kim was dragged above Mao.
        f"{ADD.format(1)}-0-participant": str(cast["mao"].pk),
        f"{ADD.format(1)}-0-position": "1",
        f"{ADD.format(1)}-1-participant": str(cast["kim"].pk),
        f"{ADD.format(1)}-1-position": "0",
        **management(COPIES.format(1), 1),
        f"{COPIES.format(1)}-0-participant": str(cast["peng"].pk),
        f"{COPIES.format(1)}-0-position": "4",
        **management("handling", 0),
    }
    data.update(changes)
    return data


def test_the_cable_page_nests_telegram_headers_and_their_recipients(editor_client, cast):
    page = editor_client.get(admin_url(Cable, "add")).content.decode()
    for name in (
        "passages-empty-telegram-__prefix__-number",
        "passages-empty-telegram-__prefix__-author",
        "passages-empty-telegram-__prefix__-attachment_of",
        "passages-empty-telegram-empty-recipients-__prefix__-participant",
        "passages-empty-telegram-empty-recipients-2-__prefix__-participant",
    ):
        assert f'name="{name}"' in page, name
    # Positions are hidden, set by the order of the rows; people are autocomplete fields.
    assert 'type="hidden" name="passages-__prefix__-position"' in page
    assert 'type="hidden" name="passages-empty-telegram-empty-recipients-__prefix__-position"' in (
        page
    )
    assert page.count("admin-autocomplete") >= 5


def test_one_post_writes_the_cable_its_passages_telegram_and_recipients(editor_client, cast):
    response = editor_client.post(admin_url(Cable, "add"), one_page(cast))
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"]
    ]
    cable = Cable.objects.get(slug="cable-99")
    assert [(p.position, p.kind, p.text) for p in cable.passages.order_by("position")] == [
        (0, "telegram", "The talks open at Kaesong tomorrow."),
        (1, "cover_note", "To Filippov."),
    ]
    telegram = Telegram.objects.get(passage__cable=cable)
    assert telegram.passage.position == 0
    assert (telegram.number, telegram.author, telegram.sent_as_written) == (
        1,
        cast["li"],
        "1145 10 July",
    )
    assert telegram.sent_on == datetime.date(1951, 7, 10)
    assert telegram.sent_time == datetime.time(11, 45)
    assert telegram.reference == "attachment Nº 1 to brief report Nº 1"
    rows = TelegramRecipient.objects.filter(telegram=telegram).order_by("role", "position")
    assert [(r.role, r.position, r.participant.slug) for r in rows] == [
        ("copy", 0, "peng"),
        ("to", 0, "kim"),
        ("to", 1, "mao"),
    ]
    assert [p.slug for p in telegram.addressees] == ["kim", "mao"]
    assert [p.slug for p in telegram.copies_to] == ["peng"]


def nothing_written():
    return (
        not Cable.objects.exists()
        and not Passage.objects.exists()
        and not Telegram.objects.exists()
        and not TelegramRecipient.objects.exists()
    )


def test_a_telegram_header_on_a_passage_that_is_no_telegram_is_refused(editor_client, cast):
    response = editor_client.post(
        admin_url(Cable, "add"), one_page(cast, **{"passages-1-kind": "body"})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please correct the error" in page
    assert "A telegram header belongs to a passage of the kind “Forwarded telegram”" in page
    assert nothing_written()


def test_a_telegram_header_without_its_number_is_refused(editor_client, cast):
    data = one_page(cast)
    del data["passages-1-telegram-0-number"]
    response = editor_client.post(admin_url(Cable, "add"), data)
    assert response.status_code == 200
    assert "Please correct the error" in response.content.decode()
    telegram_form = response.context["inline_admin_formsets"][0].formset.forms[1]
    assert telegram_form.nested_formsets[0].errors == [{"number": ["This field is required."]}]
    assert nothing_written()


def test_the_same_addressee_twice_is_refused(editor_client, cast):
    data = one_page(cast, **{f"{ADD.format(1)}-1-participant": str(cast["mao"].pk)})
    response = editor_client.post(admin_url(Cable, "add"), data)
    assert response.status_code == 200
    assert "Mao Zedong is named twice as addressee." in response.content.decode()
    assert nothing_written()


def test_dragging_passages_past_each_other_on_a_saved_cable_swaps_them(editor_client, cast):
    """Positions are unique in a cable: two passages trading places must not collide."""
    editor_client.post(admin_url(Cable, "add"), one_page(cast))
    cable = Cable.objects.get(slug="cable-99")
    telegram_passage, cover = cable.passages.order_by("position")
    telegram = telegram_passage.telegram
    kim, mao = TelegramRecipient.objects.filter(telegram=telegram, role="to").order_by("position")
    data = one_page(
        cast,
        **management("passages", 2, initial=2),
        **{
            "passages-0-id": str(cover.pk),
            "passages-0-cable": str(cable.pk),
            "passages-0-position": "0",  # dragged back to the top
            "passages-1-id": str(telegram_passage.pk),
            "passages-1-cable": str(cable.pk),
            "passages-1-position": "1",
            **management("passages-1-telegram", 1, initial=1),
            "passages-1-telegram-0-passage": str(telegram_passage.pk),
            **management(ADD.format(1), 2, initial=2),
            f"{ADD.format(1)}-0-id": str(mao.pk),
            f"{ADD.format(1)}-0-telegram": str(telegram.pk),
            f"{ADD.format(1)}-0-position": "0",  # and Mao above Kim again
            f"{ADD.format(1)}-1-id": str(kim.pk),
            f"{ADD.format(1)}-1-telegram": str(telegram.pk),
            f"{ADD.format(1)}-1-position": "1",
            **management(COPIES.format(1), 1, initial=1),
            f"{COPIES.format(1)}-0-id": str(
                TelegramRecipient.objects.get(telegram=telegram, role="copy").pk
            ),
            f"{COPIES.format(1)}-0-telegram": str(telegram.pk),
            f"{COPIES.format(1)}-0-position": "0",
        },
    )
    response = editor_client.post(admin_url(Cable, "change", cable.pk), data)
    assert response.status_code == 302
    assert [p.kind for p in cable.passages.order_by("position")] == ["cover_note", "telegram"]
    assert list(cable.passages.order_by("position").values_list("position", flat=True)) == [0, 1]
    assert [p.slug for p in Telegram.objects.get(pk=telegram.pk).addressees] == ["mao", "kim"]


def test_saving_the_seed_cable_page_unchanged_keeps_every_position(editor_client, seed):
    cable = Cable.objects.get(record_id="117409")

    def positions():
        return (
            list(cable.passages.values_list("pk", "position").order_by("pk")),
            list(cable.handling.values_list("pk", "position").order_by("pk")),
            list(
                TelegramRecipient.objects.filter(telegram__passage__cable=cable)
                .values_list("pk", "role", "position")
                .order_by("pk")
            ),
        )

    before = positions()
    url = admin_url(Cable, "change", cable.pk)
    assert editor_client.post(url, form_data(editor_client.get(url))).status_code == 302
    assert positions() == before
    assert [p.name for p in Telegram.objects.get(passage__cable=cable, number=1).copies_to] == [
        "Kim Il Sung",
        "Peng Dehuai",
    ]


# The numbers readers know (issue 14) ---------------------------------------------------
#
# A passage's position is its address in the reading view (#p<position>: permalinks,
# search hits, W3C targets, TEI ids); the seed and the importers number from 0. The
# page keeps the numbers a cable's rows hold, whatever they are, instead of numbering
# them from 0 again on every save.


@pytest.fixture
def from_one(db):
    """A cable whose passages were numbered from 1 by hand (on the passage page)."""
    cable = Cable.objects.create(
        title="Numbered from one", slug="from-one", date=datetime.date(1951, 7, 12)
    )
    for n, text in enumerate(["First words.", "Second words.", "Third words."], 1):
        Passage.objects.create(cable=cable, position=n, text=text, tail="\n\n")
    return cable


def numbering(cable) -> list[tuple[str, int]]:
    return list(cable.passages.order_by("position").values_list("text", "position"))


def row_of(data: dict, text: str) -> str:
    """The form prefix (``passages-<i>``) of the row holding ``text``."""
    return next(
        k.removesuffix("-text") for k, v in data.items() if v == text and k.endswith("-text")
    )


def test_an_unchanged_save_keeps_a_cable_numbered_from_one(editor_client, from_one):
    url = admin_url(Cable, "change", from_one.pk)
    before = numbering(from_one)
    # nested-admin's script renumbers the hidden positions 0, 1, 2 by the rows' order.
    data = form_data(editor_client.get(url))
    for i in range(3):
        data[f"passages-{i}-position"] = str(i)
    assert editor_client.post(url, data).status_code == 302
    assert numbering(from_one) == before == [
        ("First words.", 1), ("Second words.", 2), ("Third words.", 3),
    ]  # fmt: skip
    # So the reading view's addresses stay: #p2 is still the second passage.
    page = editor_client.get(from_one.get_absolute_url()).content.decode()
    assert page.index('id="p2"') < page.index("Second words.") < page.index('id="p3"')


def add_row(data: dict, text: str, order: list[str]) -> dict:
    """``data`` with a new passage holding ``text``, the rows in ``order`` (their texts)
    numbered 0, 1, 2… as nested-admin's script leaves the hidden positions."""
    i = int(data["passages-TOTAL_FORMS"])
    data = {
        **data,
        "passages-TOTAL_FORMS": str(i + 1),
        f"passages-{i}-kind": "body",
        f"passages-{i}-text": text,
        f"passages-{i}-tail": "\n",
        **management(f"passages-{i}-telegram", 0),
    }
    for n, words in enumerate(order):
        data[f"{row_of(data, words)}-position"] = str(n)
    return data


def test_a_deleted_passage_leaves_the_others_numbers(editor_client, from_one):
    url = admin_url(Cable, "change", from_one.pk)
    data = form_data(editor_client.get(url))
    data[f"{row_of(data, 'Second words.')}-DELETE"] = "on"
    assert editor_client.post(url, data).status_code == 302
    assert numbering(from_one) == [("First words.", 1), ("Third words.", 3)]


def test_a_new_passage_takes_a_free_number_and_moves_no_other(editor_client, from_one):
    url = admin_url(Cable, "change", from_one.pk)
    data = form_data(editor_client.get(url))
    data[f"{row_of(data, 'Second words.')}-DELETE"] = "on"
    editor_client.post(url, data)
    # At the end: after the last.
    data = add_row(
        form_data(editor_client.get(url)),
        "Last words.",
        ["First words.", "Third words.", "Last words."],
    )
    assert editor_client.post(url, data).status_code == 302
    assert numbering(from_one) == [("First words.", 1), ("Third words.", 3), ("Last words.", 4)]
    # Between the first and the third: the free number there.
    data = add_row(
        form_data(editor_client.get(url)),
        "Middle words.",
        ["First words.", "Middle words.", "Third words.", "Last words."],
    )
    assert editor_client.post(url, data).status_code == 302
    assert numbering(from_one) == [
        ("First words.", 1), ("Middle words.", 2), ("Third words.", 3), ("Last words.", 4),
    ]  # fmt: skip
    # Between two with no number free: the rows below move down one.
    data = add_row(
        form_data(editor_client.get(url)),
        "Squeezed words.",
        ["First words.", "Middle words.", "Squeezed words.", "Third words.", "Last words."],
    )
    assert editor_client.post(url, data).status_code == 302
    assert numbering(from_one) == [
        ("First words.", 1), ("Middle words.", 2), ("Squeezed words.", 3),
        ("Third words.", 4), ("Last words.", 5),
    ]  # fmt: skip
    # At the top of a cable numbered from 1: 0, and nothing else moves.
    data = add_row(
        form_data(editor_client.get(url)),
        "Heading.",
        ["Heading.", "First words.", "Middle words.", "Squeezed words.", "Third words.",
         "Last words."],
    )  # fmt: skip
    assert editor_client.post(url, data).status_code == 302
    assert numbering(from_one)[:2] == [("Heading.", 0), ("First words.", 1)]


def test_passages_dragged_past_each_other_trade_their_numbers(editor_client, from_one):
    url = admin_url(Cable, "change", from_one.pk)
    data = form_data(editor_client.get(url))
    first, second = row_of(data, "First words."), row_of(data, "Second words.")
    data[f"{first}-position"], data[f"{second}-position"] = "1", "0"  # as the drag leaves them
    assert editor_client.post(url, data).status_code == 302
    assert numbering(from_one) == [("Second words.", 1), ("First words.", 2), ("Third words.", 3)]


def test_a_new_cable_is_numbered_from_zero_as_an_import_is(editor_client, cast):
    editor_client.post(admin_url(Cable, "add"), one_page(cast))
    cable = Cable.objects.get(slug="cable-99")
    assert list(cable.passages.order_by("position").values_list("position", flat=True)) == [0, 1]
