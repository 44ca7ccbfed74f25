"""Realistic test data for the page tests, built in code (no fixture file).

``build_archive(n)`` makes a small reading room modelled on cable 117409: a
cable whose text is a heading, a cover note, ``n`` forwarded telegrams (the
first a brief report, the others its attachments), and handling notes;
participants with aliases and mentions; two sides' agendas of ``n`` items
each with correspondences; a second, older cable in another collection. The
page tests measure query counts with ``n=2`` and ``n=10``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse

from cables.models import (
    Alias,
    Cable,
    Collection,
    Handling,
    Mention,
    Participant,
    Passage,
    Side,
)
from telegrams.models import Agenda, AgendaItem, Correspondence, Telegram, TelegramRecipient


@dataclass
class Archive:
    cable: Cable
    older: Cable
    telegrams: list[Telegram]
    people: dict[str, Participant]
    sides: dict[str, Side]
    collections: dict[str, Collection]
    left: Agenda
    right: Agenda
    other: Agenda
    passages: list[Passage] = field(default_factory=list)


def person(name, slug, side=None, role="", aliases=(), **extra) -> Participant:
    p = Participant.objects.create(
        name=name, sort_name=extra.pop("sort_name", name), slug=slug, side=side, role=role, **extra
    )
    for alias, kind in aliases:
        Alias.objects.create(participant=p, name=alias, kind=kind)
    return p


def mention(passage: Passage, participant: Participant, surface: str, *, nth: int = 0, **kw):
    """A mention of ``surface`` (its ``nth`` occurrence) in ``passage``.

    Name matching (``cables.mentions``, run when a passage is saved) may have
    found it already; then it is updated, not duplicated.
    """
    start = -1
    for _ in range(nth + 1):
        start = passage.text.index(surface, start + 1)
    found, _ = Mention.objects.update_or_create(
        passage=passage,
        participant=participant,
        start=start,
        end=start + len(surface),
        defaults={"surface": surface, **kw},
    )
    return found


def agenda_text(items: list[str]) -> str:
    return "\n".join(f"- {i}. {text}" for i, text in enumerate(items, 1))


def build_archive(n: int = 2) -> Archive:
    """The test reading room with ``n`` telegrams, ``n`` items per agenda, ``n`` extras."""
    assert n >= 2
    communist = Side.objects.create(
        name="Communist side", short_name="KPA/CPV", slug="communist", position=1
    )
    un = Side.objects.create(name="UN Command", short_name="UNC", slug="un", position=2)
    korea = Collection.objects.create(
        title="Korean War armistice talks", slug="korean-war", description="Kaesong, 1951."
    )
    early = Collection.objects.create(title="Early Cold War", slug="early-cold-war")

    people = {
        "mao": person(
            "Mao Zedong",
            "mao-zedong",
            communist,
            "Chairman of the CPC Central Committee",
            [("Mao Dong", Alias.Kind.SPELLING), ("MAO ZEDONG", Alias.Kind.SHORT)],
        ),
        "stalin": person(
            "Joseph Stalin",
            "joseph-stalin",
            None,
            "Chairman of the USSR Council of Ministers",
            [("Filippov", Alias.Kind.PSEUDONYM)],
            sort_name="Stalin, Joseph",
            note="Signed and was addressed as “Filippov” in cipher traffic.",
        ),
        "li": person(
            "Li Kenong",
            "li-kenong",
            communist,
            "Head of the Chinese negotiating team (behind the scenes)",
            [("Le Kenong", Alias.Kind.OCR)],
        ),
        "kim": person(
            "Kim Il Sung", "kim-il-sung", communist, "", [("Kim II Sung", Alias.Kind.OCR)]
        ),
        "peng": person("Peng Dehuai", "peng-dehuai", communist, "Commander, CPV"),
        "joy": person("C. Turner Joy", "c-turner-joy", un, "Head of the UN delegation"),
        "vaganov": person("Vaganov", "vaganov", None, "Cipher clerk"),
    }
    for i in range(n):  # participants who only appear in the extra telegrams
        people[f"extra{i}"] = person(
            f"Officer {i:02d}",
            f"officer-{i:02d}",
            communist,
            aliases=[(f"Off. {i:02d}", Alias.Kind.SHORT), (f"Offr {i:02d}", Alias.Kind.OCR)],
        )

    cable = Cable.objects.create(
        title="Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]",
        slug="cable-21680",
        date=dt.date(1951, 7, 11),
        record_id="117409",
        source_url="https://digitalarchive.wilsoncenter.org/document/117409",
        citation='"Cable No. 21680, Mao Dong to Cde. Filippov [Stalin]", July 11, 1951, APRF.',
        archive="APRF",
        summary="Mao sends Stalin four telegrams about the armistice negotiations.",
        credits="Leon Levy Foundation",
        original_language="Russian",
        text_language="English",
        contents_label="Translation - English",
        cable_number="21680",
        origin="[BEIJING]",
        received_as_written="1750 11 July 1951",
        received_on=dt.date(1951, 7, 11),
        received_time=dt.time(17, 50),
        series="G",
        incoming_number="532/2343/shs",
        copy_number="2",
        stamp="SUBJECT TO RETURN to the IV Unit",
        sender=people["mao"],
        recipient=people["stalin"],
    )
    cable.collections.add(korea)
    older = Cable.objects.create(
        title="An older cable from Kim",
        slug="older-cable",
        date=dt.date(1950, 6, 1),
        record_id="100001",
        summary="A cable about something else entirely.",
        sender=people["kim"],
        recipient=people["stalin"],
    )
    older.collections.add(early)
    cable.related.add(older)

    passages = []

    def add_passage(kind, text, label=""):
        p = Passage.objects.create(
            cable=cable, position=len(passages), kind=kind, text=text, label=label, tail="\n\n"
        )
        passages.append(p)
        return p

    add_passage(Passage.Kind.HEADING, "SECOND MAIN DIRECTORATE\n\nCABLI Nº 21680")
    cover = add_passage(
        Passage.Kind.COVER_NOTE,
        "Cde. Filippov!\n\nI am sending you the texts of telegrams from Cde. LI KENONG.",
    )
    mention(cover, people["stalin"], "Filippov")
    mention(cover, people["li"], "LI KENONG")
    # A rejected mention never shows.
    mention(cover, people["mao"], "texts", status=Mention.Status.REJECTED)

    left_texts = [f"Communist point {i} on the buffer zone" for i in range(1, n + 1)]
    right_texts = [f"UN point {i} on prisoners" for i in range(1, n + 1)]
    telegrams = []
    for k in range(1, n + 1):
        extra = people[f"extra{k - 1}"]
        body = (
            '"To Cde. Mao Zedong. Copies to Cdes. Kim II Sung and Peng Dehuai.\n\n'
            f"Report {k}: we met Off. {k - 1:02d} and Joy at Kaesong.\n\n"
        )
        if k == 1:
            body += agenda_text(right_texts) + "\n\n"
        if k == 2:
            body += agenda_text(left_texts) + "\n\n"
        body += 'Li Kenong. 1145 10 July"'
        p = add_passage(Passage.Kind.TELEGRAM, body, label=f"Telegram {k}")
        t = Telegram.objects.create(
            passage=p,
            number=k,
            author=people["li"],
            sent_as_written="1145 10 July",
            sent_on=dt.date(1951, 7, 10),
            sent_time=dt.time(11, 45),
            reference="brief report Nº 1"
            if k == 1
            else f"attachment Nº {k - 1} to brief report Nº 1",
            attachment_of=telegrams[0] if telegrams else None,
            subject=f"Subject of telegram {k}",
        )
        TelegramRecipient.objects.create(telegram=t, participant=people["mao"], role="to")
        TelegramRecipient.objects.create(
            telegram=t, participant=people["kim"], role="copy", position=0
        )
        TelegramRecipient.objects.create(
            telegram=t, participant=people["peng"], role="copy", position=1
        )
        TelegramRecipient.objects.create(telegram=t, participant=extra, role="copy", position=2)
        mention(p, people["mao"], "Mao Zedong")
        mention(p, people["kim"], "Kim II Sung")
        mention(p, people["peng"], "Peng Dehuai")
        mention(p, extra, f"Off. {k - 1:02d}")
        mention(p, people["joy"], "Joy")
        mention(p, people["li"], "Li Kenong")
        telegrams.append(t)

    handling = add_passage(Passage.Kind.HANDLING, "Deciphered by Vaganov 1850 11 July")
    mention(handling, people["vaganov"], "Vaganov")
    Handling.objects.create(
        cable=cable,
        action=Handling.Action.DECIPHERED,
        agent=people["vaganov"],
        as_written="1850 11 July",
        on=dt.date(1951, 7, 11),
        at=dt.time(18, 50),
    )
    passages[-1].tail = ""
    passages[-1].save()

    def items_for(agenda, passage, texts):
        items = []
        for i, text in enumerate(texts, 1):
            line = f"{i}. {text}"
            start = passage.text.index(line)
            items.append(
                AgendaItem.objects.create(
                    agenda=agenda,
                    number=i,
                    text=text,
                    passage=passage,
                    start=start,
                    end=start + len(line),
                    note="Dropped by the UN side." if i == len(texts) else "",
                )
            )
        return items

    left = Agenda.objects.create(
        title="Communist draft agenda",
        slug="communist-draft",
        side=communist,
        telegram=telegrams[1],
        meeting="Kaesong, 10 July 1951",
        date=dt.date(1951, 7, 10),
    )
    right = Agenda.objects.create(
        title="UN draft agenda",
        slug="un-draft",
        side=un,
        telegram=telegrams[0],
        date=dt.date(1951, 7, 10),
    )
    other = Agenda.objects.create(
        title="Adopted agenda", slug="adopted", side=None, date=dt.date(1951, 7, 26)
    )
    left_items = items_for(left, telegrams[1].passage, left_texts)
    right_items = items_for(right, telegrams[0].passage, right_texts)
    other_item = AgendaItem.objects.create(agenda=other, number=1, text="Adoption of agenda")
    # Items 1..n-1 correspond one to one; the last left item has no counterpart;
    # the last right item is "related" to the first left item (a group of three).
    for a, b in zip(left_items[:-1], right_items[:-1], strict=True):
        Correspondence.objects.create(
            left=a, right=b, relation="same", note=f"Both name point {a.number}."
        )
    Correspondence.objects.create(
        left=right_items[-1], right=left_items[0], relation="related", note="Stored right-to-left."
    )
    # Neither item in the two compared agendas' pair: ignored on that page.
    Correspondence.objects.create(
        left=other_item, right=left_items[0], relation="partial", note="Adopted later."
    )

    for p in passages:
        p.refresh_from_db()
    return Archive(
        cable=cable,
        older=older,
        telegrams=telegrams,
        people=people,
        sides={"communist": communist, "un": un},
        collections={"korea": korea, "early": early},
        left=left,
        right=right,
        other=other,
        passages=passages,
    )


# --- HTML checks ------------------------------------------------------------

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


def check_html(html: str) -> None:
    """Fail if elements are not properly nested, a link is inside a link, or an id repeats."""
    from html.parser import HTMLParser

    class Checker(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack: list[str] = []
            self.ids: set[str] = set()

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if "id" in attrs:
                assert attrs["id"] not in self.ids, f"duplicate id {attrs['id']!r}"
                self.ids.add(attrs["id"])
            if tag in VOID:
                return
            assert not (tag == "a" and "a" in self.stack), "a link inside a link"
            self.stack.append(tag)

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)
            if tag not in VOID:
                self.stack.pop()

        def handle_endtag(self, tag):
            if tag in VOID:
                return
            assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
            self.stack.pop()

    checker = Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"


# Shared by the tests of several apps ---------------------------------------


def signed_in(user):
    """A test client signed in as ``user`` (without the sign-in form, which
    django-axes guards)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The POST data a browser would send back for an admin change page, as rendered."""
    context = response.context
    forms = [context["adminform"].form]

    def add(formset):  # with the formsets nested in its forms (django-nested-admin)
        forms.extend([formset.management_form, *formset.forms])
        for form in formset.forms:
            for nested in getattr(form, "nested_formsets", ()):
                add(nested)

    for inline in context["inline_admin_formsets"]:
        add(inline.formset)
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            elif value is True:
                data[bound.html_name] = "on"
            else:
                formatted = bound.field.widget.format_value(value)
                data[bound.html_name] = "" if formatted is None else formatted
    return data


def annotate_all(archive, users, n):
    """``n`` public annotations, spread over the passages, with a tag each."""
    from tests.annotation_cases import annotate

    for i in range(n):
        passage = archive.passages[i % len(archive.passages)]
        annotate(
            users.outsider,
            passage,
            passage.text[:4],
            body=f"note {i}",
            visibility="public",
            tags=[f"tag{i}"],
        )
