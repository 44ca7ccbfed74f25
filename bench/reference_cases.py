"""The hand-checked references of issue 16: the seed's and a test exchange's.

The exchange below is written for the bench, in the layouts and reference
forms of real cables (a Soviet General Staff cable's address line and
closing, a FRUS telegram's "Embtel"/"Deptel" shorthand, a headquarters'
message series); no sentence is taken from a real document. Its people are
the seed's, plus three offices. Every reference a reader would follow is
listed in :data:`TRUTH` with the record it names, or ``None`` for a record
this archive does not hold ("referenced, not in this archive"). The texts
also hold words that look like references and are not (a copy number in a
heading, "points 4 and 5", "B-29", "MIG-15", a meeting "at 1500 on 10 July",
the handling notes' numbers): each one found counts against precision.

``load_exchange()`` writes the exchange into the database (the seed must be
loaded first); ``bench/references.py`` measures against it, and
``bench/tests/test_references.py`` holds the targets.
"""

from __future__ import annotations

import datetime

SEED = "cable-21680-mao-to-filippov-1951-07-11"

OFFICES = [
    ("Department of State", "department-of-state"),
    ("Embassy in Moscow", "embassy-in-moscow"),
    ("Advance Headquarters, UN Command", "advance-hq-unc"),
]

# slug, title, date, sender slug, recipient slug, extra fields, passages [(kind, text)]
DOCUMENTS = [
    (
        "x-3950-mao-to-filippov-1951-08-02",
        "Cable No. 3950, Mao Zedong to Filippov",
        datetime.date(1951, 8, 2),
        "mao-zedong",
        "joseph-stalin",
        {"cable_number": "3950"},
        [
            ("heading", "GENERAL STAFF CABLE Nº 4630 Copy Nº 2"),
            (
                "body",
                "Cde. Filippov! In my telegram No. 3444 of 11 July I told you how the first "
                "meeting went. Since then the sides have met eleven times; points 4 and 5 of "
                "their agenda are still open, and the enemy's B-29 raids go on.",
            ),
            ("closing", "MAO ZEDONG Nº 3950 2 August"),
        ],
    ),
    (
        "x-4121-filippov-to-mao-1951-08-05",
        "Cable No. 4121, Filippov to Mao Zedong",
        datetime.date(1951, 8, 5),
        "joseph-stalin",
        "mao-zedong",
        {"cable_number": "4121"},
        [
            ("address", 'SERIES "G" to Cde. MAO ZEDONG'),
            (
                "body",
                "Cde. Mao Zedong! We have received your telegram of 2 August. The questions in "
                "your No. 3950 should be settled by the delegation itself. As our telegram of "
                "20 July said, there is no need to hurry. Your telegram No. 3444 was shown to "
                "the comrades.",
            ),
            ("closing", "FILIPPOV Nº 4121 5 August"),
        ],
    ),
    (
        "x-4180-mao-to-filippov-1951-08-09",
        "Cable No. 4180, Mao Zedong to Filippov",
        datetime.date(1951, 8, 9),
        "mao-zedong",
        "joseph-stalin",
        {
            "cable_number": "4180",
            "telegrams": {1: ("li-kenong", datetime.date(1951, 8, 8), "mao-zedong")},
        },
        [
            (
                "cover_note",
                "Cde. Filippov! In reply to your telegram of 5 August I can say that we agree. "
                "Your No. 4121 has been passed to Cde. Li Kenong. I send you for familiarization "
                "the telegram received from Comrade Li Kenong on 8 August.",
            ),
            (
                "telegram",
                '"To Cde. Mao Zedong. The meeting at 1500 on 8 August gave nothing new; the '
                "enemy again spoke of the line of contact. We answer as your telegram of "
                '7 August instructs. Li Kenong. 2100 8 August"',
            ),
            ("handling", "Deciphered by Vaganov 0210 10 August\n\nNº 1620"),
        ],
    ),
    (
        "x-mao-to-li-kenong-1951-08-07",
        "Telegram, Mao Zedong to Li Kenong",
        datetime.date(1951, 8, 7),
        "mao-zedong",
        "li-kenong",
        {"cable_number": "612"},
        [
            (
                "body",
                "To Cde. Li Kenong. Your brief report Nº 3 has been read. Keep to the line of "
                "our telegram of 30 July. The MIG-15 question is not for the delegation.",
            ),
        ],
    ),
    (
        "x-mao-to-li-kenong-1951-07-30",
        "Telegram, Mao Zedong to Li Kenong",
        datetime.date(1951, 7, 30),
        "mao-zedong",
        "li-kenong",
        {"cable_number": "588"},
        [
            (
                "body",
                "To Cde. Li Kenong. On your telegram of 28 July: do not give way on the "
                "38th parallel. Telegram of 10 July 1951 No. 3444 is known to the comrades. "
                "Your brief report Nº 1 of 10 July was read with care.",
            ),
        ],
    ),
    (
        "x-embtel-456-1951-09-10",
        "Telegram 456, the Embassy in Moscow to the Department of State",
        datetime.date(1951, 9, 10),
        "embassy-in-moscow",
        "department-of-state",
        {"cable_number": "456", "record_id": "frus1951v07p1/d498"},
        [
            ("heading", "Moscow, September 10, 1951—4 p.m. 456. Priority"),
            (
                "body",
                "Deptel 123. Embassy sees no sign of a change of line. Urtel 120 received and "
                "acted on; Mytel 440 gave the earlier reading. For the talks see HNC-048. "
                "Deptel 77 of August 2 is overtaken.",
            ),
        ],
    ),
    (
        "x-deptel-201-1951-09-12",
        "Telegram 201, the Department of State to the Embassy in Moscow",
        datetime.date(1951, 9, 12),
        "department-of-state",
        "embassy-in-moscow",
        {"cable_number": "201", "record_id": "frus1951v07p1/d500"},
        [
            ("heading", "Washington, September 12, 1951—7 p.m. 201"),
            (
                "body",
                "Embtel 456. Department agrees with the Embassy's reading. See Document 427 for "
                "the Commander's view, and frus1951v07p1#pg_636 for the text of the proposal. "
                "Deptel 123 stands; Embtel 455 is answered separately.",
            ),
            ("note", "Source: Department of State, Central Files. See also Document 9999."),
        ],
    ),
    (
        "x-hnc-048-1951-08-01",
        "Message HNC-048, Advance Headquarters to the Commander in Chief",
        datetime.date(1951, 8, 1),
        "advance-hq-unc",
        "matthew-b-ridgway",
        {"cable_number": "HNC-048", "record_id": "frus1951v07p1/d427", "page": "636"},
        [
            (
                "body",
                "Reference CX 56789. The delegation met at 1100; the other side again asked "
                "for the 38th parallel. Your message of 30 July is noted. HNC-051 follows.",
            ),
        ],
    ),
    (
        "x-filippov-to-mao-1951-09-20",
        "Cable No. 5002, Filippov to Mao Zedong",
        datetime.date(1951, 9, 20),
        "joseph-stalin",
        "mao-zedong",
        {"cable_number": "5002"},
        [
            (
                "body",
                "Cde. Mao Zedong! Your telegram of 8 September and your No. 4700 were received. "
                "Your telegram of 9 August answered the question of our telegram of 5 August. "
                "Copy No. 2 to Cde. Molotov. Your telegram of 25 September is filed.",
            ),
        ],
    ),
    (
        "x-mao-to-filippov-1951-12-30",
        "Cable No. 6100, Mao Zedong to Filippov",
        datetime.date(1951, 12, 30),
        "mao-zedong",
        "joseph-stalin",
        {"cable_number": "6100"},
        [
            (
                "body",
                "Cde. Filippov! I am sending you the texts of two telegrams of 28 December which "
                "I have received from Cde. PENG DEHUAI. Your telegram of 20 September (No. 5002) "
                "has been carried out. Our cable No. 4180 of 9 August described the prisoners' "
                "lists; the enemy's telegram of 31 December is not yet here.",
            ),
        ],
    ),
]

# (document slug, the reference's words as written, the record it names or None)
TRUTH = [
    # The seed: the cover note forwards the brief report of 1145 10 July; telegrams
    # 3 and 4 are its attachments.
    (
        SEED,
        "I am sending you the texts of four telegrams of 10 July which I have received "
        "from Cde. LI KENONG",
        f"telegram:{SEED}:1",
    ),
    (SEED, "brief report N $^{\\rm o}$ 1", f"telegram:{SEED}:1"),
    (SEED, "brief report N° 1", f"telegram:{SEED}:1"),
    ("x-3950-mao-to-filippov-1951-08-02", "my telegram No. 3444 of 11 July", f"cable:{SEED}"),
    (
        "x-4121-filippov-to-mao-1951-08-05",
        "your telegram of 2 August",
        "cable:x-3950-mao-to-filippov-1951-08-02",
    ),
    (
        "x-4121-filippov-to-mao-1951-08-05",
        "your No. 3950",
        "cable:x-3950-mao-to-filippov-1951-08-02",
    ),
    ("x-4121-filippov-to-mao-1951-08-05", "our telegram of 20 July", None),
    (
        "x-4180-mao-to-filippov-1951-08-09",
        "your telegram of 5 August",
        "cable:x-4121-filippov-to-mao-1951-08-05",
    ),
    (
        "x-4180-mao-to-filippov-1951-08-09",
        "Your No. 4121",
        "cable:x-4121-filippov-to-mao-1951-08-05",
    ),
    (
        "x-4180-mao-to-filippov-1951-08-09",
        "I send you for familiarization the telegram received from Comrade Li Kenong on 8 August",
        "telegram:x-4180-mao-to-filippov-1951-08-09:1",
    ),
    (
        "x-4180-mao-to-filippov-1951-08-09",
        "your telegram of 7 August",
        "cable:x-mao-to-li-kenong-1951-08-07",
    ),
    ("x-mao-to-li-kenong-1951-08-07", "Your brief report Nº 3", None),
    (
        "x-mao-to-li-kenong-1951-08-07",
        "our telegram of 30 July",
        "cable:x-mao-to-li-kenong-1951-07-30",
    ),
    ("x-mao-to-li-kenong-1951-07-30", "your telegram of 28 July", None),
    ("x-mao-to-li-kenong-1951-07-30", "Telegram of 10 July 1951 No. 3444", f"cable:{SEED}"),
    ("x-embtel-456-1951-09-10", "Deptel 123", None),
    ("x-embtel-456-1951-09-10", "Urtel 120", None),
    ("x-embtel-456-1951-09-10", "Mytel 440", None),
    ("x-embtel-456-1951-09-10", "HNC-048", "cable:x-hnc-048-1951-08-01"),
    ("x-deptel-201-1951-09-12", "Embtel 456", "cable:x-embtel-456-1951-09-10"),
    ("x-deptel-201-1951-09-12", "Document 427", "cable:x-hnc-048-1951-08-01"),
    ("x-deptel-201-1951-09-12", "frus1951v07p1#pg_636", "cable:x-hnc-048-1951-08-01"),
    ("x-deptel-201-1951-09-12", "Deptel 123", None),
    ("x-deptel-201-1951-09-12", "Document 9999", None),
    ("x-hnc-048-1951-08-01", "CX 56789", None),
    ("x-hnc-048-1951-08-01", "Your message of 30 July", None),
    ("x-filippov-to-mao-1951-09-20", "Your telegram of 8 September", None),
    ("x-filippov-to-mao-1951-09-20", "your No. 4700", None),
    (
        "x-filippov-to-mao-1951-09-20",
        "Your telegram of 9 August",
        "cable:x-4180-mao-to-filippov-1951-08-09",
    ),
    (
        "x-filippov-to-mao-1951-09-20",
        "our telegram of 5 August",
        "cable:x-4121-filippov-to-mao-1951-08-05",
    ),
    (
        "x-mao-to-filippov-1951-12-30",
        "I am sending you the texts of two telegrams of 28 December which I have received "
        "from Cde. PENG DEHUAI",
        None,
    ),
    (
        "x-mao-to-filippov-1951-12-30",
        "Your telegram of 20 September",
        "cable:x-filippov-to-mao-1951-09-20",
    ),
    ("x-mao-to-filippov-1951-12-30", "No. 5002", "cable:x-filippov-to-mao-1951-09-20"),
    (
        "x-mao-to-filippov-1951-12-30",
        "Our cable No. 4180 of 9 August",
        "cable:x-4180-mao-to-filippov-1951-08-09",
    ),
    ("x-mao-to-filippov-1951-12-30", "telegram of 31 December", None),
    ("x-hnc-048-1951-08-01", "HNC-051", None),
    ("x-4121-filippov-to-mao-1951-08-05", "Your telegram No. 3444", f"cable:{SEED}"),
    ("x-embtel-456-1951-09-10", "Deptel 77 of August 2", None),
    ("x-deptel-201-1951-09-12", "Embtel 455", None),
    ("x-filippov-to-mao-1951-09-20", "Your telegram of 25 September", None),
    ("x-mao-to-li-kenong-1951-07-30", "Your brief report Nº 1 of 10 July", f"telegram:{SEED}:1"),
]


def load_exchange(documents=None, offices=None) -> None:
    """Write the exchange (or ``documents``, with their ``offices``: the held-out list's,
    ``bench.reference_heldout``) into the database, after the seed (a few queries a
    document).

    Passages are saved one by one, so their references are found and resolved as an
    editor's or an import's would be; the telegram rows and page marks come after,
    and their saves resolve what waits for them.
    """
    from cables.models import Cable, Participant, Passage, SourceMark
    from telegrams.models import Telegram, TelegramRecipient

    for name, slug in OFFICES if offices is None else offices:
        Participant.objects.get_or_create(
            slug=slug, defaults={"name": name, "sort_name": name, "kind": "office"}
        )
    people = {p.slug: p for p in Participant.objects.all()}
    for slug, title, date, sender, recipient, extra, passages in (
        DOCUMENTS if documents is None else documents
    ):
        extra = dict(extra)
        telegrams = extra.pop("telegrams", {})
        page = extra.pop("page", None)
        cable = Cable.objects.create(
            slug=slug,
            title=title,
            date=date,
            sender=people[sender],
            recipient=people[recipient],
            **extra,
        )
        number = 0
        for position, (kind, text) in enumerate(passages):
            passage = Passage.objects.create(
                cable=cable, position=position, kind=kind, text=text, tail="\n\n"
            )
            if page is not None and position == 0:
                SourceMark.objects.create(
                    passage=passage, kind=SourceMark.Kind.PAGE, start=0, end=0, label=page
                )
            if kind == "telegram":
                number += 1
                author, sent_on, to = telegrams[number]
                telegram = Telegram(
                    passage=passage, number=number, author=people[author], sent_on=sent_on
                )
                telegram.save()
                TelegramRecipient.objects.create(
                    telegram=telegram, participant=people[to], role="to"
                )
                telegram.save()  # its addressee is who "your" names
        cable.save()  # resolves what waits for it


# The test documents in real layouts (tests/data/layouts/, written by earlier
# sessions for the importers, not for this bench): every reference in them, hand
# checked, with its record once all of them are imported. The slugs are the
# importer's, in the files' order.
LAYOUTS = "tests/data/layouts"
TRUTH_LAYOUTS = [
    (
        "cable-no-22417-mao-zedong-to-cde-filippov-stalin",
        "I forward for your information two reports",
        "telegram:cable-no-22417-mao-zedong-to-cde-filippov-stalin:1",
    ),
    (
        "ciphered-telegram-no-4571-filippov-stalin-to-krasovsky-for-cde-mao-zedong",
        "Your telegram of 28 July",
        "cable:cable-no-22417-mao-zedong-to-cde-filippov-stalin",
    ),
    ("ciphered-telegram-no-26318-roshchin-to-filippov-stalin", "my Nº 2811", None),
    (
        "ciphered-telegram-no-5523-filippov-stalin-to-krasovsky-for-mao-zedong",
        "your telegram of 26 December",
        None,
    ),
    (
        "ciphered-telegram-no-4260-filippov-stalin-to-krasovsky-for-cde-mao-zedong-2",
        "your telegram of 18 July",
        None,
    ),
    (
        "ciphered-telegram-no-26705-mao-zedong-to-cde-filippov-stalin-transmitting-telegram-from-peng-dehuai",
        "I send you for your information the telegram I received from Comrade",
        "telegram:ciphered-telegram-no-26705-mao-zedong-to-cde-filippov-stalin-transmitting-telegram-from-peng-dehuai:1",
    ),
    (
        "memorandum-of-a-conversation-department-of-state-washington-march-14-1956-34-pm",
        "Document 127",
        None,
    ),
    (
        "editorial-note",
        "Document 87",
        "cable:telegram-from-the-embassy-in-korea-to-the-department-of-state",
    ),
    (
        "the-bureau-of-alien-affairs-of-the-peking-military-control-commission-to-the-american-consulate-general-at-peiping",
        "despatch No. 214, December 10",
        None,
    ),
    ("the-ambassador-in-korea-muccio-to-the-secretary-of-state-2", "telegram C 69211", None),
    (
        "the-commander-in-chief-united-nations-command-ridgway-to-the-joint-chiefs-of-staff",
        "telegram CX 60447",
        None,
    ),
]


def load_layouts(base) -> None:
    """Import every document of tests/data/layouts (``import_cables``, quietly)."""
    import io

    from django.core.management import call_command

    files = sorted(
        p
        for p in (base / LAYOUTS).iterdir()
        if p.suffix in (".txt", ".xml") and "not-doc" not in p.name
    )
    for path in files:
        call_command("import_cables", str(path), stdout=io.StringIO(), stderr=io.StringIO())
