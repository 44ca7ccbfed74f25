"""A held-out list of references (issue 16), written after the detector was built.

:mod:`bench.reference_cases` holds the lists the detector was built against.
These documents are new and were not shown to the detector before it was
measured on them: a Soviet/Chinese exchange of ciphered telegrams over the
prisoner-of-war talks of early 1952 (the address line "Cde. Filippov!", "my
telegram No. … of …", "I am forwarding the telegram of comrade …", a cover
note and the telegram it forwards, a report naming itself "Report No. 12"),
and a State Department exchange in the FRUS manner ("Reurtel", "Urtel",
"Contel", "Deptel 598, February 27", "Embtel 1370, February 25", "Secto"/"Tosec",
"your 345, March 3", "CINCUNC HNC-1022", "C 50215", an editorial note's
"Document 123" and "See footnote … to Document 125"). No sentence is taken from a
real document; the people are the seed's and the bench's offices. Words that
look like references and are not are there too (a heading's own number, "Copy
No. 3", "item 4", "at 1100", a Central Files number, "repeated to Tokyo as
telegram 1402", which is this text's own number there).

Load with ``bench.reference_cases.load_exchange(DOCUMENTS, OFFICES)`` after the
seed (and not the bench's exchange: what these texts cite from it is not in
this archive); measure with ``bench.references.measure(TRUTH)``.
"""

from __future__ import annotations

import datetime

OFFICES = [
    ("Department of State", "department-of-state"),
    ("Embassy in Moscow", "embassy-in-moscow"),
    ("Advance Headquarters, UN Command", "advance-hq-unc"),
    ("United States Delegation", "us-delegation"),
]

H1 = "x-h-5310-mao-to-filippov-1952-02-14"
H2 = "x-h-5207-mao-to-filippov-1952-02-02"
H3 = "x-h-1590-filippov-to-mao-1952-01-28"
H4 = "x-h-1702-filippov-to-mao-1952-02-16"
H5 = "x-h-deptel-612-1952-03-04"
H6 = "x-h-embtel-1385-1952-03-02"
H7 = "x-h-secto-12-1952-03-10"
H8 = "x-h-hnc-1022-1952-03-08"
H9 = "x-h-editorial-note-1952-03-15"
H10 = "x-h-5580-mao-to-filippov-1952-03-20"
H11 = "x-h-640-mao-to-li-kenong-1952-03-22"

# slug, title, date, sender slug, recipient slug, extra fields, passages [(kind, text)]
DOCUMENTS = [
    (
        H3,
        "Cable No. 1590, Filippov to Mao Zedong",
        datetime.date(1952, 1, 28),
        "joseph-stalin",
        "mao-zedong",
        {"cable_number": "1590"},
        [
            ("heading", "CIPHERED TELEGRAM No. 1590 Copy No. 3"),
            (
                "body",
                "Cde. Mao Zedong! We have received your No. 4988. We agree with your proposal "
                "on the exchange of lists and see no reason to hurry the talks on item 4.",
            ),
            ("closing", "FILIPPOV No. 1590 28.I.52"),
        ],
    ),
    (
        H2,
        "Cable No. 5207, Mao Zedong to Filippov",
        datetime.date(1952, 2, 2),
        "mao-zedong",
        "joseph-stalin",
        {"cable_number": "5207"},
        [
            ("heading", "CIPHERED TELEGRAM No. 5207 Copy No. 1"),
            (
                "body",
                "Cde. Filippov! The lists of prisoners were exchanged on 18 December and "
                "checked at 1100 the next day. Your telegram of 28 January has been passed to "
                "Cde. Li Kenong for guidance.",
            ),
            ("closing", "MAO ZEDONG No. 5207 2.II.52"),
        ],
    ),
    (
        H1,
        "Cable No. 5310, Mao Zedong to Filippov",
        datetime.date(1952, 2, 14),
        "mao-zedong",
        "joseph-stalin",
        {
            "cable_number": "5310",
            "telegrams": {1: ("peng-dehuai", datetime.date(1952, 2, 12), "mao-zedong")},
        },
        [
            ("heading", "CIPHERED TELEGRAM No. 5310 Copy No. 2"),
            (
                "cover_note",
                "Cde. Filippov! In my telegram No. 5207 of 2 February I reported on the "
                "exchange of lists. I am forwarding the telegram of comrade Peng Dehuai of 12 "
                "February. Please give your instructions.",
            ),
            (
                "telegram",
                '"To Chairman Mao. The enemy has again put forward voluntary repatriation; our '
                'delegates refused to discuss it. Peng Dehuai. 12 February"',
            ),
            ("closing", "MAO ZEDONG No. 5310 14.II.52"),
        ],
    ),
    (
        H4,
        "Cable No. 1702, Filippov to Mao Zedong",
        datetime.date(1952, 2, 16),
        "joseph-stalin",
        "mao-zedong",
        {"cable_number": "1702"},
        [
            ("address", 'SERIES "G" to Cde. MAO ZEDONG'),
            (
                "body",
                "Cde. Mao Zedong! Your telegram No. 5310 received. We have already answered "
                "your telegram of 2 February in our No. 1660. Copy No. 2 to Cde. Molotov.",
            ),
            ("closing", "FILIPPOV No. 1702 16.II.52"),
        ],
    ),
    (
        H6,
        "Telegram 1385, the Embassy in Moscow to the Department of State",
        datetime.date(1952, 3, 2),
        "embassy-in-moscow",
        "department-of-state",
        {"cable_number": "1385", "record_id": "frus1952-54v15p1/d118"},
        [
            ("heading", "Moscow, March 2, 1952—3 p.m. 1385."),
            (
                "body",
                "Urtel 598. Embassy has had no further word from the Foreign Ministry. Embtel "
                "1370, February 25, gave the earlier reading, which still holds.",
            ),
            ("note", "Source: Department of State, Central Files, 795.00/3-252. Secret."),
        ],
    ),
    (
        H5,
        "Telegram 612, the Department of State to the Embassy in Moscow",
        datetime.date(1952, 3, 4),
        "department-of-state",
        "embassy-in-moscow",
        {"cable_number": "612", "record_id": "frus1952-54v15p1/d120"},
        [
            ("heading", "Washington, March 4, 1952—6 p.m. 612."),
            (
                "body",
                "Reurtel 1385. Department concurs in the Embassy's view. Contel 88 repeated to "
                "Tokyo. See also Deptel 598, February 27.",
            ),
            (
                "note",
                "Source: Department of State, Central Files, 795.00/3-452. Secret. Repeated to "
                "Tokyo as telegram 1402.",
            ),
        ],
    ),
    (
        H8,
        "Message HNC-1022, Advance Headquarters to the Commander in Chief",
        datetime.date(1952, 3, 8),
        "advance-hq-unc",
        "matthew-b-ridgway",
        {"cable_number": "HNC-1022", "record_id": "frus1952-54v15p1/d123"},
        [
            (
                "body",
                "Reference C 50215. Staff officers met at 1100 and again at 1400; no progress "
                "on item 4. Your C 50298 of 6 March is being carried out.",
            ),
        ],
    ),
    (
        H7,
        "Telegram Secto 12, the United States Delegation to the Department of State",
        datetime.date(1952, 3, 10),
        "us-delegation",
        "department-of-state",
        {"cable_number": "Secto 12", "record_id": "frus1952-54v15p1/d125"},
        [
            ("heading", "Paris, March 10, 1952—midnight. Secto 12."),
            (
                "body",
                "Tosec 9 received. For the Secretary's talk see Deptel 612 and the telegram "
                "from CINCUNC HNC-1022. Your 345, March 3, is answered by this message.",
            ),
        ],
    ),
    (
        H9,
        "Editorial Note",
        datetime.date(1952, 3, 15),
        "department-of-state",
        "embassy-in-moscow",
        {"record_id": "frus1952-54v15p1/d130"},
        [
            (
                "body",
                "The negotiators' report of March 8 is printed as Document 123. For the "
                "Department's instruction see Document 120, and see footnote 3 to Document "
                "125 for the Secretary's part.",
            ),
            ("note", "See footnote 2, Document 118."),
        ],
    ),
    (
        H10,
        "Cable No. 5580, Mao Zedong to Filippov",
        datetime.date(1952, 3, 20),
        "mao-zedong",
        "joseph-stalin",
        {
            "cable_number": "5580",
            "telegrams": {1: ("li-kenong", datetime.date(1952, 3, 19), "mao-zedong")},
        },
        [
            (
                "cover_note",
                "Cde. Filippov! I am sending you for your information the telegram of Cde. Li "
                "Kenong of 19 March. It answers your telegram of 16 February.",
            ),
            (
                "telegram",
                '"To Cde. Mao Zedong. Report No. 12. The enemy has put forward its draft on '
                "item 3 again. Our telegram of 9 March is still valid. Li Kenong. 2300 19 "
                'March"',
            ),
            ("handling", "Deciphered by Vaganov 0130 21 March\n\nNo. 1877"),
        ],
    ),
    (
        H11,
        "Telegram, Mao Zedong to Li Kenong",
        datetime.date(1952, 3, 22),
        "mao-zedong",
        "li-kenong",
        {"cable_number": "640"},
        [
            (
                "body",
                "To Cde. Li Kenong. Your Report No. 12 has been received. In reply to your "
                "telegram of 19 March: keep to the instructions of my telegram of 14 March. "
                "Repeat your telegram No. 88 of 17 March.",
            ),
        ],
    ),
]

# (document slug, the reference's words as written, the record it names or None)
TRUTH = [
    (H3, "your No. 4988", None),
    (H2, "Your telegram of 28 January", f"cable:{H3}"),
    (H1, "my telegram No. 5207 of 2 February", f"cable:{H2}"),
    (H1, "I am forwarding the telegram of comrade Peng Dehuai of 12", f"telegram:{H1}:1"),
    (H4, "Your telegram No. 5310", f"cable:{H1}"),
    (H4, "your telegram of 2 February", f"cable:{H2}"),
    (H4, "our No. 1660", None),
    (H6, "Urtel 598", None),
    (H6, "Embtel 1370, February 25", None),
    (H5, "Reurtel 1385", f"cable:{H6}"),
    (H5, "Contel 88", None),
    (H5, "Deptel 598, February 27", None),
    (H8, "C 50215", None),
    (H8, "C 50298 of 6 March", None),
    (H7, "Tosec 9", None),
    (H7, "Deptel 612", f"cable:{H5}"),
    (H7, "HNC-1022", f"cable:{H8}"),
    (H7, "Your 345, March 3", None),
    (H9, "Document 123", f"cable:{H8}"),
    (H9, "Document 120", f"cable:{H5}"),
    (H9, "Document 125", f"cable:{H7}"),
    (H9, "Document 118", f"cable:{H6}"),
    (H10, "I am sending you for your information the telegram", f"telegram:{H10}:1"),
    (H10, "your telegram of 16 February", f"cable:{H4}"),
    (H10, "Our telegram of 9 March", None),
    (H11, "Your Report No. 12", f"telegram:{H10}:1"),
    (H11, "your telegram of 19 March", f"telegram:{H10}:1"),
    (H11, "my telegram of 14 March", None),
    (H11, "your telegram No. 88 of 17 March", None),
]
