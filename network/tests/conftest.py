"""What the network's tests share: the seed's graph as the seed loads it, and a few
records written here to stretch it (a later cable, a draft, a translation)."""

from __future__ import annotations

import datetime as dt

import pytest

from cables.models import Cable, Participant, Passage
from telegrams.models import Telegram, TelegramRecipient

# Who wrote to whom in the seed (../shared/corpus/wilson/117409.txt as load_seed
# holds it): the cable, Mao ("Mao Dong") to Stalin ("Cde. Filippov"), 11 July 1951;
# the four telegrams it forwards, Li Kenong to Mao, copies to Kim Il Sung and Peng
# Dehuai, all of 10 July 1951 (telegram 4 says only "10 July 1951").
# (from, to): (cables, telegrams, of them copies, first, last)
JULY_10, JULY_11 = dt.date(1951, 7, 10), dt.date(1951, 7, 11)
SEED_EDGES = {
    ("li-kenong", "kim-il-sung"): (0, 4, 4, JULY_10, JULY_10),
    ("li-kenong", "mao-zedong"): (0, 4, 0, JULY_10, JULY_10),
    ("li-kenong", "peng-dehuai"): (0, 4, 4, JULY_10, JULY_10),
    ("mao-zedong", "joseph-stalin"): (1, 0, 0, JULY_11, JULY_11),
}
SEED_PEOPLE = {"joseph-stalin", "kim-il-sung", "li-kenong", "mao-zedong", "peng-dehuai"}


def as_table(network) -> dict:
    return {
        (e.source, e.target): (e.cables, e.telegrams, e.copies, e.first, e.last)
        for e in network.edges
    }


def cable(slug, sender, recipient, date, **extra) -> Cable:
    people = {p.slug: p for p in Participant.objects.filter(slug__in=[sender, recipient])}
    return Cable.objects.create(
        title=f"Test cable {slug}",
        slug=slug,
        date=date,
        sender=people.get(sender),
        recipient=people.get(recipient),
        **extra,
    )


def telegram(in_cable, number, author, to=(), copies=(), sent_on=None) -> Telegram:
    passage = Passage.objects.create(
        cable=in_cable,
        position=number,
        kind=Passage.Kind.TELEGRAM,
        text=f"Telegram {number} of a test cable.",
        label=f"Telegram {number}",
    )
    t = Telegram.objects.create(
        passage=passage,
        number=number,
        author=Participant.objects.get(slug=author),
        sent_on=sent_on,
    )
    for role, slugs in ((TelegramRecipient.Role.TO, to), (TelegramRecipient.Role.COPY, copies)):
        for position, slug in enumerate(slugs):
            TelegramRecipient.objects.create(
                telegram=t,
                participant=Participant.objects.get(slug=slug),
                role=role,
                position=position,
            )
    return t


@pytest.fixture
def later(seed):
    """A cable of August 1951, Stalin to Mao, forwarding one telegram of Peng Dehuai's
    to Mao (undated itself: it takes the cable's day)."""
    c = cable("later", "joseph-stalin", "mao-zedong", dt.date(1951, 8, 2))
    telegram(c, 1, "peng-dehuai", to=["mao-zedong"])
    return c


@pytest.fixture
def draft(seed):
    """A draft, Nam Il to Ridgway, with a telegram of Kim's to Nam Il: no reader sees it."""
    c = cable(
        "draft-network",
        "nam-il",
        "matthew-b-ridgway",
        dt.date(1951, 7, 12),
        status=Cable.Status.DRAFT,
    )
    telegram(c, 1, "kim-il-sung", to=["nam-il"], sent_on=dt.date(1951, 7, 12))
    return c
