"""Generate (or remove) a reproducible synthetic archive for benchmarks.

    python manage.py generate_corpus --cables 100000 --seed 1
    python manage.py generate_corpus --remove

Everything it makes lives in its own collection ("Synthetic corpus", slug
``synthetic-corpus`` by default; any other slug must also start with
``synthetic-``) and is named after it: cables' slugs and record ids, the
participants' slugs, the agendas' slugs and the annotator's user name all
start with ``<collection slug>-``. ``--remove`` deletes exactly those rows.

The shape follows the seed cable (117409): a heading block, a cover note,
one to four forwarded telegrams of realistic length (each with author,
addressees, copies, time sent and reference), a closing and handling notes;
handling events; mentions of participants (found where the generator put the
names, exactly what ``cables.mentions.NameMatcher`` finds — a test checks
it); about one cable in 150 carries a side's agenda; public annotations by a
synthetic researcher, clustered on a minority of cables. Participants come
from a pool (about one per 40 cables) with Zipf-like popularity and aliases:
pseudonyms, short forms, spellings and OCR variants.

Rows are written with ``bulk_create`` in batches (no per-row signals);
mentions are written directly; the search index is refreshed per batch with
``search.indexer.index_cables``. All randomness comes from
``random.Random(seed)``: the same seed on an empty database gives the same
archive.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from datetime import time as dtime
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models.functions import Lower

from annotations.markdown import render_markdown
from annotations.models import Annotation, Link
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
from search.indexer import index_cables
from telegrams.models import Agenda, AgendaItem, Telegram, TelegramRecipient

DEFAULT_SLUG = "synthetic-corpus"
RESERVED_PREFIX = "synthetic-"

COMMON = (  # noqa: SIM905 (a word list reads better as text)
    "the of and to in on for with that by from as at this was be is are will our their "
    "which have has not his it all they we delegation side armistice talks meeting "
    "question agenda proposal comrade negotiations government military forces line troops "
    "report telegram position enemy command representatives session today statement point "
    "discussion agreement"
).split()
RARE = (  # noqa: SIM905 (a word list reads better as text)
    "demarcation prisoners repatriation ceasefire neutral zone kaesong panmunjom "
    "sovereignty withdrawal inspection commission reconnaissance supplies aviation "
    "artillery airfield harbour convoy bombardment guarantee ratification protocol "
    "memorandum dispatch cipher liaison plenipotentiary consultation adjournment "
    "concession ultimatum amendment truce observers escort checkpoint frontier "
    "hostilities reinforcement logistics communique credentials interpreter stenographer "
    "railway typhoon granary monsoon lighthouse quarantine reservoir zeppelin"
).split()
PHRASES = [
    "prisoners of war",
    "the demarcation line",
    "a neutral zone",
    "withdrawal of all foreign troops",
    "the 38th parallel",
    "cessation of hostilities",
    "the supervisory commission",
    "the next session",
]
SYLLABLES = (  # noqa: SIM905 (a word list reads better as text)
    "ar ba ven ko li ro sa te mi na do ra vo lu ke si zo ha gu pe tra mo le ki bo da fe "
    "go ju ma ni ot pa ri su ta vi ya ze"
).split()
CITIES = ["[BEIJING]", "[PYONGYANG]", "[MOSCOW]", "[KAESONG]", "[TOKYO]", "[WASHINGTON]"]
ARCHIVES = [("APRF", "Archive of the President of the Russian Federation")] * 4 + [
    ("AVPRF", "Archive of Foreign Policy of the Russian Federation"),
    ("NARA", "National Archives and Records Administration"),
    ("CFMA", "Chinese Foreign Ministry Archive"),
]
LANGUAGES = ["Russian"] * 5 + ["Chinese"] * 3 + ["Korean", "English"]
KINDS = [Annotation.Kind.COMMENT] * 6 + [
    Annotation.Kind.IDENTIFICATION,
    Annotation.Kind.IDENTIFICATION,
    Annotation.Kind.QUESTION,
]
ANNOTATION_BODIES = [
    "This is the *first* mention of the proposal in the cable traffic.",
    "Compare the wording in the Chinese original.",
    "Probably refers to the meeting of the previous day.",
    "Who drafted this? The style differs from the other telegrams.",
    "The date here conflicts with the handling notes.",
    "See also the **UN Command** record of the same session.",
    "OCR error in the published text?",
    "A key passage for the question of the demarcation line.",
]


class Pool:
    """Synthetic participants: names, aliases and Zipf-like popularity."""

    def __init__(self, rng: random.Random, size: int, taken: set[str]):
        self.rng = rng
        self.taken = taken
        self.people: list[dict] = []
        for n in range(size):
            office = n % 7 == 6
            name = self._unique(self._office if office else self._person)
            self.people.append({"n": n, "name": name, "office": office, "aliases": []})
        for person in self.people:
            if person["office"]:
                continue
            surname = person["name"].split()[-1]
            candidates = [
                (surname, Alias.Kind.SHORT),
                (self._word(2, 3).capitalize(), Alias.Kind.PSEUDONYM),
                (person["name"].replace("l", "I", 1), Alias.Kind.OCR),
                (person["name"].replace("o", "ou", 1), Alias.Kind.SPELLING),
            ]
            for alias, kind in candidates[: rng.randint(0, 4)]:
                if alias != person["name"] and alias.casefold() not in taken:
                    taken.add(alias.casefold())
                    person["aliases"].append((alias, kind))
        persons = [p for p in self.people if not p["office"]]
        self.persons = persons
        self.offices = [p for p in self.people if p["office"]] or persons
        self.person_weights = list(accumulate(1 / (i + 1) for i in range(len(persons))))

    def _word(self, lo: int, hi: int) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(lo, hi)))

    def _person(self) -> str:
        return f"{self._word(1, 2).capitalize()} {self._word(2, 3).capitalize()}"

    def _office(self) -> str:
        kind = self.rng.choice(["Ministry", "Directorate", "Staff", "Bureau", "Mission"])
        return f"{kind} of {self._word(2, 3).capitalize()}"

    def _unique(self, make) -> str:
        while True:
            name = make()
            if name.casefold() not in self.taken:
                self.taken.add(name.casefold())
                return name

    def person(self) -> dict:
        return self.rng.choices(self.persons, cum_weights=self.person_weights)[0]

    def surface(self, person: dict) -> str:
        """How the text names ``person``: usually the name, sometimes an alias."""
        if person["aliases"] and self.rng.random() < 0.25:
            return self.rng.choice(person["aliases"])[0]
        return person["name"]


class Writer:
    """Builds one passage's text while recording the mentions it places."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.mentions: list[tuple[int, int, int, str]] = []  # (person n, start, end, surface)

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def name(self, person: dict, surface: str) -> None:
        self.mentions.append((person["n"], self.length, self.length + len(surface), surface))
        self.add(surface)

    def text(self) -> str:
        return "".join(self.parts)


class Generator:
    def __init__(self, rng: random.Random, pool: Pool, annotations_per_cable: float):
        self.rng = rng
        self.pool = pool
        self.k = annotations_per_cable
        words = COMMON + RARE
        self.words = words
        self.word_weights = list(accumulate(1 / (i + 1) ** 0.9 for i in range(len(words))))
        self.sentences = [self._sentence() for _ in range(3000)]
        self.bodies = [(b, render_markdown(b)) for b in ANNOTATION_BODIES]

    def _sentence(self) -> list[str]:
        """A sentence as fragments; ``None`` marks where a name goes."""
        rng = self.rng
        n = rng.randint(6, 24)
        words = rng.choices(self.words, cum_weights=self.word_weights, k=n)
        if rng.random() < 0.25:
            words.insert(rng.randrange(len(words)), rng.choice(PHRASES))
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        if rng.random() < 0.3:
            cut = rng.choice([0, len(text) // 2])
            cut = text.find(" ", cut) + 1 if cut else 0
            return [text[:cut], None, " " + text[cut:] + "."]
        return [text + "."]

    def prose(self, w: Writer, sentences: int) -> None:
        rng = self.rng
        for i in range(sentences):
            if i:
                w.add("\n\n" if rng.random() < 0.2 else " ")
            for fragment in rng.choice(self.sentences):
                if fragment is None:
                    person = self.pool.person()
                    w.name(person, self.pool.surface(person))
                else:
                    w.add(fragment)

    def cable(self, i: int, prefix: str, start: date, sides: list) -> dict:
        rng, pool = self.rng, self.pool
        sender, recipient = pool.person(), pool.person()
        day = start + timedelta(days=rng.randrange(30 * 365))
        number = str(rng.randint(1000, 99999))
        archive, archive_name = rng.choice(ARCHIVES)
        topic = rng.choice(PHRASES + RARE)
        slug = f"{prefix}-{i:06d}"
        summary = Writer()
        self.prose(summary, rng.randint(1, 3))
        cable = Cable(
            title=f"Cable No. {number}, {sender['name']} to {recipient['name']} on {topic}",
            slug=slug,
            date=day,
            record_id=slug,
            archive=archive,
            archive_name=archive_name,
            summary=summary.text(),
            original_language=rng.choice(LANGUAGES),
            text_language="English",
            document_type="Cable",
            cable_number=number,
            origin=rng.choice(CITIES),
            received_as_written=f"{rng.randint(0, 23):02d}.{rng.randint(0, 59):02d} {day:%d.%m.%Y}",
            received_on=day,
            received_time=dtime(rng.randint(0, 23), rng.randint(0, 59)),
            series="Synthetic",
        )
        cable.sender_n, cable.recipient_n = sender["n"], recipient["n"]
        passages = []  # (kind, label, Writer, telegram dict or None)

        heading = Writer()
        heading.add(f"SECOND MAIN DIRECTORATE\nCIPHERED TELEGRAM No. {number}\n")
        heading.add(f"From {cable.origin} Received {cable.received_as_written}\nTO ")
        heading.name(recipient, pool.surface(recipient).upper())
        passages.append((Passage.Kind.HEADING, "", heading, None))

        cover = Writer()
        cover.add("Comrade ")
        cover.name(recipient, pool.surface(recipient))
        cover.add("! ")
        self.prose(cover, rng.randint(1, 4))
        passages.append((Passage.Kind.COVER_NOTE, "Cover note", cover, None))

        count = rng.choices([1, 2, 3, 4], weights=[30, 35, 20, 15])[0]
        agenda = None
        for t in range(1, count + 1):
            author = pool.person()
            w = Writer()
            self.prose(w, rng.choices([3, 6, 10, 16, 25], weights=[15, 30, 30, 15, 10])[0])
            items = []
            if agenda is None and rng.random() < 1 / (150 * count):
                w.add("\n\nThe draft agenda:")
                for number_ in range(1, rng.randint(3, 9) + 1):
                    w.add(f"\n{number_}. ")
                    s = w.length
                    self.prose(w, 1)
                    items.append((number_, s, w.length))
                agenda = t
            w.add("\n\n")
            w.name(author, author["name"].upper())
            sent = day - timedelta(days=rng.randint(0, 2))
            written = f"{rng.randint(0, 23):02d}{rng.randint(0, 59):02d} {sent.day} {sent:%B}"
            w.add(f"\n{written}")
            to = [pool.person() for _ in range(rng.randint(1, 2))]
            copies = [pool.person() for _ in range(rng.choices([0, 1, 2], [60, 30, 10])[0])]
            telegram = {
                "number": t,
                "author": author["n"],
                "to": to,
                "copies": copies,
                "sent_as_written": written,
                "sent_on": sent,
                "reference": f"brief report Nº {t}",
                "items": items,
                "side": rng.choice(sides) if sides else None,
            }
            passages.append((Passage.Kind.TELEGRAM, f"Telegram {t}", w, telegram))

        closing = Writer()
        closing.name(sender, sender["name"].upper())
        closing.add(f"\nNo. {rng.randint(1000, 9999)}\n{day.day} {day:%B}")
        passages.append((Passage.Kind.CLOSING, "", closing, None))
        handling = Writer()
        handling.add(f"Deciphered {day:%d.%m.%Y}. Printed 3 copies. Verified: ")
        office = rng.choice(pool.offices)
        handling.name(office, office["name"])
        passages.append((Passage.Kind.HANDLING, "", handling, None))
        cable.parts = passages
        cable.handling_rows = [
            (action, rng.choice(pool.offices)["n"])
            for action in (Handling.Action.RECEIVED, Handling.Action.DECIPHERED)
            + ((Handling.Action.PRINTED,) if rng.random() < 0.7 else ())
        ]
        # Annotations cluster: most cables have none, a fifth carry K/0.2 on average.
        cable.annotation_count = 0
        if self.k and rng.random() < 0.2:
            mean = self.k / 0.2
            cable.annotation_count = min(int(rng.expovariate(1 / mean) + 0.5), 200)
        return cable

    def annotation(self, passage: Passage) -> dict | None:
        text = passage.text
        if len(text) < 20:
            return None
        rng = self.rng
        start = text.find(" ", rng.randrange(len(text) - 10)) + 1
        if start <= 0:
            return None
        end = start
        for _ in range(rng.randint(1, 6)):
            nxt = text.find(" ", end + 1)
            if nxt == -1:
                break
            end = nxt
        if end <= start or not text[start:end].strip():
            return None
        body, html = rng.choice(self.bodies)
        return {
            "start": start,
            "end": end,
            "exact": text[start:end],
            "prefix": text[max(0, start - 32) : start],
            "suffix": text[end : end + 32],
            "body": body,
            "body_html": html,
            "kind": rng.choice(KINDS),
        }


class Command(BaseCommand):
    help = (
        "Generate a reproducible synthetic archive for benchmarks (its own collection, "
        "slugs prefixed 'synthetic-'), or remove it with --remove."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cables", type=int, default=1000, help="How many cables.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (reproducible).")
        parser.add_argument(
            "--collection",
            type=str,
            default=DEFAULT_SLUG,
            help=f"Slug of the synthetic collection (must start with '{RESERVED_PREFIX}').",
        )
        parser.add_argument(
            "--annotations-per-cable",
            type=float,
            default=0.3,
            help="Average public annotations per cable (clustered on a fifth of the cables).",
        )
        parser.add_argument("--batch", type=int, default=1000, help="Cables per transaction.")
        parser.add_argument("--remove", action="store_true", help="Delete the synthetic corpus.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be done; write nothing."
        )

    def handle(self, *args, **opts):
        slug = opts["collection"]
        if not slug.startswith(RESERVED_PREFIX) or slug != slug.lower() or " " in slug:
            raise CommandError(f"--collection must be a slug starting with '{RESERVED_PREFIX}'.")
        if opts["remove"]:
            return self.remove(slug, dry_run=opts["dry_run"])
        if opts["cables"] < 1 or opts["batch"] < 1:
            raise CommandError("--cables and --batch must be at least 1.")
        if opts["annotations_per_cable"] < 0:
            raise CommandError("--annotations-per-cable must not be negative.")
        if Collection.objects.filter(slug=slug).exists():
            raise CommandError(
                f"The collection '{slug}' exists already; remove it first "
                f"(generate_corpus --remove --collection {slug})."
            )
        if opts["dry_run"]:
            self.stdout.write(f"Would generate {opts['cables']} cables in '{slug}'.")
            return
        self.generate(slug, opts["cables"], opts["seed"], opts["annotations_per_cable"], opts)

    # Generation ---------------------------------------------------------------

    def generate(self, slug, total, seed, k, opts):
        started = time.perf_counter()
        rng = random.Random(seed)
        taken = {n.casefold() for n in Participant.objects.values_list(Lower("name"), flat=True)}
        taken |= {n.casefold() for n in Alias.objects.values_list(Lower("name"), flat=True)}
        pool = Pool(rng, max(30, min(5000, total // 40)), taken)
        sides = list(Side.objects.order_by("pk"))
        gen = Generator(rng, pool, k)
        index_seconds = 0.0

        with transaction.atomic():
            collection = Collection.objects.create(
                title="Synthetic corpus" if slug == DEFAULT_SLUG else f"Synthetic corpus ({slug})",
                slug=slug,
                description=f"Generated by generate_corpus (seed {seed}, {total} cables) "
                "for benchmarks. Not archival material.",
            )
            user = get_user_model().objects.create_user(
                f"{slug}-annotator", first_name="Synthetic", last_name="Researcher"
            )
            people = Participant.objects.bulk_create(
                [
                    Participant(
                        name=p["name"],
                        sort_name=p["name"].split()[-1] + ", " + p["name"]
                        if not p["office"]
                        else p["name"],
                        slug=f"{slug}-p{p['n']:05d}",
                        kind=Participant.Kind.OFFICE if p["office"] else Participant.Kind.PERSON,
                        side=rng.choice(sides) if sides else None,
                        role="Synthetic participant",
                    )
                    for p in pool.people
                ],
                batch_size=1000,
            )
            pid = {p["n"]: obj.pk for p, obj in zip(pool.people, people, strict=True)}
            Alias.objects.bulk_create(
                [
                    Alias(participant_id=pid[p["n"]], name=name, kind=kind)
                    for p in pool.people
                    for name, kind in p["aliases"]
                ],
                batch_size=1000,
            )

        start = date(1945, 1, 1)
        counts = dict.fromkeys(
            ["passages", "telegrams", "mentions", "handling", "agendas", "annotations"], 0
        )
        for first in range(1, total + 1, opts["batch"]):
            last = min(total, first + opts["batch"] - 1)
            cables = [gen.cable(i, slug, start, sides) for i in range(first, last + 1)]
            with transaction.atomic():
                self.write_batch(cables, collection, user, pid, gen, counts)
            t0 = time.perf_counter()
            index_cables([c.pk for c in cables])
            index_seconds += time.perf_counter() - t0
            if opts["verbosity"] >= 2:
                self.stdout.write(f"  {last} cables ({time.perf_counter() - started:.0f} s)")

        elapsed = time.perf_counter() - started
        indexed = f"search index refreshed in {index_seconds:.1f} s"
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {total} cables in '{slug}' in {elapsed:.1f} s "
                f"({total / elapsed:.0f} cables/s): {len(people)} participants, "
                + ", ".join(f"{v} {k}" for k, v in counts.items())
                + f"; {indexed}."
            )
        )

    def write_batch(self, cables, collection, user, pid, gen, counts):
        for c in cables:
            c.sender_id, c.recipient_id = pid[c.sender_n], pid[c.recipient_n]
        Cable.objects.bulk_create(cables, batch_size=1000)
        Cable.collections.through.objects.bulk_create(
            [Cable.collections.through(cable_id=c.pk, collection_id=collection.pk) for c in cables],
            batch_size=2000,
        )
        passages, extras = [], []
        for c in cables:
            for position, (kind, label, writer, telegram) in enumerate(c.parts, start=1):
                passages.append(
                    Passage(
                        cable_id=c.pk,
                        position=position,
                        kind=kind,
                        label=label,
                        text=writer.text(),
                        tail="\n\n" if position < len(c.parts) else "\n",
                    )
                )
                extras.append((c, writer, telegram))
        Passage.objects.bulk_create(passages, batch_size=1000)

        telegrams, recipients, mentions, items_for, annotations = [], [], [], [], []
        for passage, (c, writer, telegram) in zip(passages, extras, strict=True):
            mentions += [
                Mention(
                    passage_id=passage.pk,
                    participant_id=pid[n],
                    start=s,
                    end=e,
                    surface=surface,
                )
                for n, s, e, surface in writer.mentions
            ]
            if telegram is None:
                continue
            telegrams.append(
                Telegram(
                    passage_id=passage.pk,
                    number=telegram["number"],
                    author_id=pid[telegram["author"]],
                    sent_as_written=telegram["sent_as_written"],
                    sent_on=telegram["sent_on"],
                    reference=telegram["reference"],
                )
            )
            seen = set()
            for role, people in (
                (TelegramRecipient.Role.TO, telegram["to"]),
                (TelegramRecipient.Role.COPY, telegram["copies"]),
            ):
                for position, person in enumerate(people):
                    if (person["n"], role) in seen:
                        continue
                    seen.add((person["n"], role))
                    recipients.append(
                        TelegramRecipient(
                            telegram_id=passage.pk,
                            participant_id=pid[person["n"]],
                            role=role,
                            position=position,
                        )
                    )
            if telegram["items"]:
                items_for.append((c, passage, telegram))
        by_cable: dict[int, list[Passage]] = {}
        for passage in passages:
            by_cable.setdefault(passage.cable_id, []).append(passage)
        for c in cables:
            for _ in range(c.annotation_count):
                passage = gen.rng.choice(by_cable[c.pk])
                a = gen.annotation(passage)
                if a is not None:
                    annotations.append(
                        Annotation(
                            passage_id=passage.pk,
                            author=user,
                            visibility=Annotation.Visibility.PUBLIC,
                            **a,
                        )
                    )
        Telegram.objects.bulk_create(telegrams, batch_size=1000)
        TelegramRecipient.objects.bulk_create(recipients, batch_size=2000)
        Mention.objects.bulk_create(mentions, batch_size=2000)
        Handling.objects.bulk_create(
            [
                Handling(
                    cable_id=c.pk,
                    position=position,
                    action=action,
                    agent_id=pid[agent],
                    as_written=f"{action} {c.date:%d.%m.%Y}",
                    on=c.date,
                )
                for c in cables
                for position, (action, agent) in enumerate(c.handling_rows)
            ],
            batch_size=2000,
        )
        for c, passage, telegram in items_for:
            agenda = Agenda.objects.create(
                title=f"Draft agenda in {c.title}"[:300],
                slug=f"{c.slug}-agenda-{telegram['number']}",
                side=telegram["side"],
                telegram_id=passage.pk,
                date=c.date,
                meeting="Synthetic meeting",
            )
            AgendaItem.objects.bulk_create(
                [
                    AgendaItem(
                        agenda=agenda,
                        number=n,
                        text=passage.text[s:e],
                        passage_id=passage.pk,
                        start=s,
                        end=e,
                    )
                    for n, s, e in telegram["items"]
                ]
            )
        Annotation.objects.bulk_create(annotations, batch_size=1000)
        counts["passages"] += len(passages)
        counts["telegrams"] += len(telegrams)
        counts["mentions"] += len(mentions)
        counts["handling"] += sum(len(c.handling_rows) for c in cables)
        counts["agendas"] += len(items_for)
        counts["annotations"] += len(annotations)

    # Removal ------------------------------------------------------------------

    def remove(self, slug, *, dry_run: bool):
        started = time.perf_counter()
        prefix = f"{slug}-"
        collection = Collection.objects.filter(slug=slug).first()
        cables = Cable.objects.filter(slug__startswith=prefix)
        people = Participant.objects.filter(slug__startswith=prefix)
        user = get_user_model().objects.filter(username=f"{slug}-annotator").first()
        if collection is None and not cables.exists() and not people.exists() and user is None:
            self.stdout.write(f"There is no synthetic corpus '{slug}'; nothing to remove.")
            return
        # Researchers' own data pointing into the corpus is not ours to delete.
        foreign = Annotation.objects.filter(passage__cable__in=cables)
        if user is not None:
            foreign = foreign.exclude(author=user)
        links = Link.objects.filter(target_passage__cable__in=cables) | Link.objects.filter(
            target_cable__in=cables
        )
        if user is not None:
            links = links.exclude(annotation__author=user)
        if foreign.exists() or links.exists():
            raise CommandError(
                f"Not removed: {foreign.count()} annotations and {links.count()} links by other "
                "users point into the synthetic corpus; delete or move them first."
            )
        n_cables = cables.count()
        if dry_run:
            self.stdout.write(f"Would remove {n_cables} cables and {people.count()} participants.")
            return
        with transaction.atomic():
            n_annotations = 0
            if user is not None:
                n_annotations, _ = Annotation.objects.filter(author=user).delete()
            Agenda.objects.filter(slug__startswith=prefix).delete()
            ids = list(cables.values_list("pk", flat=True))
            for i in range(0, len(ids), 1000):
                # Only the primary keys are loaded; passages and what hangs on them
                # are deleted by the collector (including any search rows).
                Cable.objects.filter(pk__in=ids[i : i + 1000]).only("pk").delete()
            # Aliases without their post_delete signal (it re-scans every passage per name).
            aliases = Alias.objects.filter(participant__in=people)
            aliases._raw_delete(aliases.db)
            n_people, _ = people.delete()
            if collection is not None:
                collection.delete()
            if user is not None:
                user.delete()
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed the synthetic corpus '{slug}': {n_cables} cables, their passages, "
                f"telegrams, agendas and {n_annotations} annotation rows, and the participants "
                f"({time.perf_counter() - started:.1f} s)."
            )
        )
