"""People in the text: mentions found by name and alias, and editors' decisions.

Pinned on the seed (cable 117409): its OCR variants ("Nam II", "Kim II Sung"),
upper-case forms ("LI KENONG", "MAO ZEDONG") and a title ("Commander-in-Chief
of the UN forces") all resolve to the right person. Editors reject a wrong
match and add a missed one; both decisions survive recomputation, whether a
passage's text or a participant's alias changes (``cables.signals``).
"""

from __future__ import annotations

import pytest

from cables.mentions import NameMatcher, recompute_mentions
from cables.models import Alias, Mention, Participant, Passage

pytestmark = pytest.mark.django_db

FOUND, ADDED, REJECTED, CONFIRMED = (
    Mention.Status.FOUND,
    Mention.Status.ADDED,
    Mention.Status.REJECTED,
    Mention.Status.CONFIRMED,
)


def passage(label: str) -> Passage:
    return Passage.objects.get(cable__record_id="117409", label=label)


def found_in(label: str) -> list[tuple[str, str]]:
    """(surface, participant slug) of the shown mentions of a seed passage, in order."""
    return [
        (m.surface, m.participant.slug)
        for m in Mention.objects.shown()
        .filter(passage=passage(label))
        .select_related("participant")
    ]


# --- finding ------------------------------------------------------------------


def test_seed_mentions_resolve_ocr_variants_upper_case_and_titles(seed):
    assert found_in("Cover note") == [("Filippov", "joseph-stalin"), ("LI KENONG", "li-kenong")]
    assert found_in("Address") == [("FILIPPOV", "joseph-stalin")]
    assert found_in("Closing") == [("MAO ZEDONG", "mao-zedong")]
    telegram1 = found_in("Telegram 1")
    assert telegram1[:3] == [
        ("MAO ZEDONG", "mao-zedong"),
        ("KIM IL SUNG", "kim-il-sung"),
        ("PENG DEHUAI", "peng-dehuai"),
    ]
    assert telegram1.count(("Nam II", "nam-il")) == 3  # OCR: capital I for lower-case l
    assert telegram1.count(("Deng Hua", "deng-hua")) == 3
    for label in ("Telegram 3", "Telegram 4"):
        assert ("Kim II Sung", "kim-il-sung") in found_in(label)
    assert ("Kim Il Sung", "kim-il-sung") in found_in("Telegram 2")
    assert found_in("Telegram 4") == [
        ("Mao Zedong", "mao-zedong"),
        ("Kim II Sung", "kim-il-sung"),
        ("Peng Dehuai", "peng-dehuai"),
        ("Joy", "c-turner-joy"),
        ("Commander-in-Chief of the UN forces", "matthew-b-ridgway"),
        ("Li Kenong", "li-kenong"),
    ]
    assert found_in("Handling notes") == [
        ("Vaganov", "vaganov"),
        ("Chesnokova", "chesnokova"),
        ("RUDAKOV", "rudakov"),
    ]


def test_every_seed_mention_spans_its_surface(seed):
    mentions = list(Mention.objects.select_related("passage"))
    assert len(mentions) == 35
    for m in mentions:
        assert m.passage.text[m.start : m.end] == m.surface
        assert m.status == FOUND


def test_possessive_is_found_without_its_ending(seed):
    t4 = passage("Telegram 4")
    t4.text = t4.text.replace("the first statement of Joy,", "Joy's first statement,")
    t4.save()  # cables.signals recomputes the passage's mentions
    joy = Mention.objects.get(passage=t4, participant__slug="c-turner-joy")
    assert joy.surface == "Joy"
    assert t4.text[joy.end : joy.end + 2] == "'s"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Admiral Joy's statement", ["Joy"]),
        ("Admiral Joy’s statement", ["Joy"]),  # typographic apostrophe
        ("JOY said", ["JOY"]),
        ("we enjoy it; Joyful; joyous", []),  # word boundaries
        ("Cde. Li\nKenong", ["Li\nKenong"]),  # a line break inside a name
        ("Mao Zedong and Mao", ["Mao Zedong", "Mao"]),  # the longest name wins
    ],
)
def test_matcher_case_possessives_boundaries_and_whitespace(text, expected):
    matcher = NameMatcher([("C. Turner Joy", 1), ("Joy", 1), ("Li Kenong", 2), ("Mao", 3),
                           ("Mao Zedong", 3)])  # fmt: skip
    assert [f.surface for f in matcher.find(text)] == expected


# --- editors' decisions -------------------------------------------------------

# Telegram 4 with a word that is not the admiral: "joy", lower case, as a noun.
JOY_THE_NOUN = ("Everyone undoubtedly knows this.", "Everyone undoubtedly knows this, to our joy.")
# A same-length OCR correction before that word: no offset after it moves.
OCR_FIX = ("peopLi", "people")
HEAD_OF_DELEGATION = "the head of the delegation of the UN forces headquarters"


def joy_mentions(p: Passage):
    return {
        (m.surface, m.status)
        for m in Mention.objects.filter(passage=p, participant__slug="c-turner-joy")
    }


@pytest.fixture
def telegram4(seed):
    """Telegram 4 after an editor's work: the noun "joy" (a wrong match) rejected,
    and "the head of the delegation …" (a missed one) added as Joy."""
    t4 = passage("Telegram 4")
    t4.text = t4.text.replace(*JOY_THE_NOUN)
    t4.save()
    assert joy_mentions(t4) == {("Joy", FOUND), ("joy", FOUND)}
    Mention.objects.filter(passage=t4, surface="joy").update(status=REJECTED)
    start = t4.text.index(HEAD_OF_DELEGATION)
    Mention.objects.create(
        passage=t4,
        participant=Participant.objects.get(slug="c-turner-joy"),
        start=start,
        end=start + len(HEAD_OF_DELEGATION),
        surface=HEAD_OF_DELEGATION,
        status=ADDED,
    )
    return t4


EDITED = {("Joy", FOUND), ("joy", REJECTED), (HEAD_OF_DELEGATION, ADDED)}


def test_decisions_survive_recompute(telegram4):
    recompute_mentions([telegram4])
    recompute_mentions(Passage.objects.all())
    assert joy_mentions(telegram4) == EDITED


def test_decisions_survive_a_text_change(telegram4):
    telegram4.text = telegram4.text.replace(*OCR_FIX)
    telegram4.text += " [Ends.]"  # and after every span
    telegram4.save()
    assert joy_mentions(telegram4) == EDITED
    # The rejected word is never found again, so it never shows.
    shown = Mention.objects.shown().filter(passage=telegram4, participant__slug="c-turner-joy")
    assert sorted(m.surface for m in shown) == sorted(["Joy", HEAD_OF_DELEGATION])


def test_decisions_survive_a_text_change_that_moves_them(telegram4):
    telegram4.text = "[Translation.] " + telegram4.text
    telegram4.save()
    assert joy_mentions(telegram4) == EDITED


def test_decisions_survive_an_alias_change(telegram4):
    joy = Participant.objects.get(slug="c-turner-joy")
    alias = Alias.objects.create(participant=joy, name="Admiral Joy", kind=Alias.Kind.TITLE)
    assert joy_mentions(telegram4) == EDITED
    alias.name = "Vice Admiral Joy"
    alias.save()
    assert joy_mentions(telegram4) == EDITED
    # Dropping the short form "Joy" drops what it found, not what editors decided.
    Alias.objects.filter(participant=joy, name="Joy").delete()
    assert joy_mentions(telegram4) == {("joy", REJECTED), (HEAD_OF_DELEGATION, ADDED)}
    Alias.objects.create(participant=joy, name="Joy", kind=Alias.Kind.SHORT)
    assert joy_mentions(telegram4) == EDITED


def test_a_confirmed_mention_stays_confirmed_and_is_not_duplicated(seed):
    t1 = passage("Telegram 1")
    first = Mention.objects.filter(passage=t1, surface="Nam II").first()
    first.status = CONFIRMED
    first.save()
    t1.save()
    nam = Mention.objects.filter(passage=t1, participant__slug="nam-il")
    assert nam.count() == 3
    assert nam.get(start=first.start).status == CONFIRMED


def test_an_alias_change_finds_new_mentions_and_drops_old_ones(seed):
    ridgway = Participant.objects.get(slug="matthew-b-ridgway")
    title = Alias.objects.get(participant=ridgway, kind=Alias.Kind.TITLE)
    title.delete()
    assert ("Commander-in-Chief of the UN forces", "matthew-b-ridgway") not in found_in(
        "Telegram 4"
    )
    Alias.objects.create(participant=ridgway, name="Commander-in-Chief", kind=Alias.Kind.TITLE)
    assert ("Commander-in-Chief", "matthew-b-ridgway") in found_in("Telegram 4")
