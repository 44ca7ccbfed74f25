"""Search (/search/, ``search.services``) and "Find in this cable" (``search.highlight``).

One module for both databases: CI runs the suite on SQLite (FTS5) and again on
PostgreSQL (tsvector) with DATABASE_URL. The query language and what each
backend makes of it are plain Python, tested without a database. Everything
else is one shared class, ``TestSearchBehaviour``, that runs against whichever
database the run uses and asserts the same results for the same queries on
the seed collection. Only what is PostgreSQL's alone (trigram matching of
misspelt names, the RUM and sharded GIN indexes) is in ``TestPostgres``, skipped on
SQLite with the reason.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import DataError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotations.models import Annotation, Tag
from cables.models import Cable, Collection, Mention, Participant, Passage
from search import highlight, services
from search.backends import backend, postgres
from search.backends.postgres import to_tsquery
from search.backends.sqlite import to_fts5
from search.indexer import index_annotations, index_cables
from search.models import SearchEntry
from search.query import MAX_TERMS, Term, parse, tokens
from search.services import Filters, search

SEED_SLUG = "cable-21680-mao-to-filippov-1951-07-11"
MALFORMED = ['"', '""', "-", "OR", "OR OR", "*", "(((", "a AND", "^", "'", "\\", "%", "_", "--x",
             'x -"', "\x00", "NEAR(", "🙂", "the of", "日本語"]  # fmt: skip


def slugs(results) -> list[str]:
    return [hit.cable.slug for hit in results.hits]


def make_cable(slug, title, text="", *, date=dt.date(1952, 3, 1), index=True, **fields):
    cable = Cable.objects.create(slug=slug, title=title, date=date, **fields)
    if text:
        Passage.objects.create(cable=cable, position=0, kind=Passage.Kind.BODY, text=text)
    if index:
        index_cables([cable])
    return cable


def seed_passage(label="Telegram 1") -> Passage:
    return Passage.objects.get(cable__slug=SEED_SLUG, label=label)


@pytest.fixture
def anon():
    return AnonymousUser()


# --- the query language (search.query; no database) ------------------------------


class TestParser:
    """Websearch syntax read into clauses of terms, as ``websearch_to_tsquery`` reads it."""

    @staticmethod
    def clauses(text):
        return [
            ([t.words for t in c.include], [t.words for t in c.exclude])
            for c in parse(text).clauses
        ]

    def test_words_are_letters_and_digits_lower_cased(self):
        assert tokens("Nam-Il's 38th parallel!") == ("nam", "il", "s", "38th", "parallel")

    def test_or_binds_looser_than_the_implicit_and(self):
        assert self.clauses("armistice zone OR Kaesong") == [
            ([("armistice",), ("zone",)], []),
            ([("kaesong",)], []),
        ]
        assert self.clauses("armistice or Kaesong") == [
            ([("armistice",)], []),
            ([("kaesong",)], []),
        ]

    def test_phrases_and_exclusions(self):
        assert self.clauses('"buffer zone" -prisoners -"demarcation line"') == [
            ([("buffer", "zone")], [("prisoners",), ("demarcation", "line")])
        ]
        # An unclosed quote runs to the end; typographic quotes are quotes.
        assert self.clauses('truce "buffer zone') == [([("truce",), ("buffer", "zone")], [])]
        assert self.clauses("\u201cbuffer zone\u201d") == [([("buffer", "zone")], [])]
        assert parse("Kaesong").clauses[0].include == [Term((("kaesong",),))]

    def test_stop_words_are_dropped_outside_quotes_only(self):
        assert self.clauses("the buffer of zone") == [([("buffer",), ("zone",)], [])]
        assert self.clauses('"the zone"') == [([("the", "zone")], [])]
        parsed = parse("the of")
        assert not parsed and "Only very common words" in parsed.messages[0]

    def test_a_phrase_of_stop_words_alone_is_dropped_too(self):
        """PostgreSQL finds nothing for it (SQLite would match it literally), and beside
        an exclusion it would have left the exclusion alone: nearly every row."""
        parsed = parse('"of the"')
        assert not parsed and "Only very common words" in parsed.messages[0]
        assert self.clauses('"of the" zone') == [([("zone",)], [])]
        parsed = parse('"of the" -wombat')
        assert not parsed and "only excludes words (-wombat)" in parsed.messages[0]

    def test_nothing_to_search_is_explained(self):
        parsed = parse("!!! ---")
        assert not parsed and "nothing to search for" in parsed.messages[0]
        assert not parse("   ") and parse("   ").messages == []

    def test_only_the_first_terms_are_searched(self):
        parsed = parse(" ".join(f"word{i}" for i in range(MAX_TERMS + 4)))
        assert len(parsed.positive_terms()) == MAX_TERMS
        assert parsed.messages == [f"Only the first {MAX_TERMS} words or phrases are searched."]

    @pytest.mark.parametrize("q", MALFORMED)
    def test_malformed_queries_never_raise(self, q):
        parse(q)

    def test_a_query_that_only_excludes_is_explained(self):
        parsed = parse("-prisoners")
        assert not parsed
        assert "only excludes" in parsed.messages[0]


# --- what each backend makes of a parsed query (no database) -----------------------


class TestBackendSyntax:
    """Every word is quoted in FTS5 syntax; PostgreSQL gets websearch_to_tsquery pieces."""

    def test_websearch_syntax_becomes_quoted_fts5(self):
        parsed = parse('armistice "buffer zone" -prisoners OR Kaesong')
        assert (
            to_fts5(parsed) == '(("armistice" AND "buffer zone") NOT ("prisoners")) OR ("kaesong")'
        )

    def test_websearch_syntax_becomes_websearch_to_tsquery_pieces(self):
        sql, params = to_tsquery(parse('armistice "buffer zone" -prisoners'))
        assert sql.count("websearch_to_tsquery") == 3 and "!!" in sql and "&&" in sql
        assert params == ["armistice", '"buffer zone"', "prisoners"]

    @pytest.mark.parametrize(
        "query, expected",
        [
            ("NEAR(a b) col:x ^y a*", '("near a" AND "b" AND "col x" AND "y")'),
            ('"unclosed phrase', '("unclosed phrase")'),
            # "no" alone is a stop word, dropped in quotes too (as PostgreSQL does).
            ('say "he said ""no"""', '("say" AND "he said")'),
            ("AND NOT", '("and" AND "not")'),  # stop words outside quotes: dropped...
        ],
    )
    def test_anything_else_is_escaped(self, query, expected):
        parsed = parse(query)
        if query == "AND NOT":  # ...so nothing is left, with a message
            assert not parsed and parsed.messages
            return
        assert to_fts5(parsed) == expected


# --- marking terms (search.highlight; no database) --------------------------------


class TestMarks:
    def test_hl_marks_are_capped(self):
        class Row:
            def __init__(self, text):
                self.passage = Passage(text=text, position=0)
                self.highlights = []

        rows = [Row("spam " * 400)]
        found = highlight.find_in_rows(rows, "spam")
        assert found.total == highlight.MAX_MARKS and found.capped
        assert len(rows[0].highlights) == highlight.MAX_MARKS


# --- the shared behaviour, on whichever database the run uses ------------------------


@pytest.mark.django_db
class TestSearchBehaviour:
    """The same queries give the same cables, counts, facets and snippets on SQLite and
    PostgreSQL, in the same number of queries."""

    def test_the_backend_is_the_databases(self):
        assert backend().vendor == connection.vendor

    def test_words_must_all_be_found_in_one_passage(self, seed, anon):
        assert slugs(search("Kaesong helicopters", anon)) == [SEED_SLUG]
        assert slugs(search("armistice zebra", anon)) == []
        # The unit is a passage (or the catalogue record): words in different
        # telegrams do not make a hit together.
        assert slugs(search("helicopters prisoners", anon)) == []

    def test_stemmed_words_match(self, seed, anon):
        assert slugs(search("agendas", anon)) == [SEED_SLUG]

    def test_quoted_phrases_keep_their_order(self, seed, anon):
        found = search('"buffer zone"', anon)
        assert slugs(found) == [SEED_SLUG]
        assert slugs(search('"zone buffer"', anon)) == []
        marked = " ".join(s.html for s in found.hits[0].snippets)
        assert re.search(
            r'<mark class="hit">buffer(</mark> <mark class="hit">| )zone</mark>', marked
        )

    def test_exclusions_leave_out(self, seed, anon):
        # "helicopters" stands in one passage only, which also says "Kaesong".
        assert slugs(search("helicopters -Kaesong", anon)) == []
        assert slugs(search("helicopters -zebra", anon)) == [SEED_SLUG]
        assert slugs(search('helicopters -"zone buffer"', anon)) == [SEED_SLUG]

    def test_or_finds_either(self, seed, anon):
        assert slugs(search("zebra OR helicopters", anon)) == [SEED_SLUG]
        assert slugs(search("zebra or giraffe", anon)) == []

    def test_a_pseudonym_finds_the_person_and_their_cables(self, seed, anon):
        stalin = Participant.objects.get(name="Joseph Stalin")
        other = make_cable(
            "to-stalin", "A report on the harvest", "The harvest was good.", recipient=stalin
        )
        found = search("Filippov", anon)
        assert set(slugs(found)) == {SEED_SLUG, other.slug}
        assert [(e.typed, e.participant) for e in found.expansions] == [
            ("filippov", "Joseph Stalin")
        ]
        # A passage naming him under another name is found too, and its terms marked.
        assert "stalin" in found.hl

    def test_an_ocr_variant_finds_the_person(self, seed, anon):
        for query in ("Nam II", "Nam Il", '"Nam Il"'):
            found = search(query, anon)
            assert slugs(found) == [SEED_SLUG], query
            assert [e.participant for e in found.expansions] == ["Nam Il"]
        snippets = " ".join(s.html for s in search("Nam Il", anon).hits[0].snippets)
        assert re.search(
            r'<mark class="hit">Nam( </mark><mark class="hit">| )II</mark>', snippets
        ) or ('<mark class="hit">Nam</mark> <mark class="hit">II</mark>' in snippets)

    def test_a_title_hit_ranks_above_a_body_hit(self, db, anon):
        body = make_cable("body", "A note", "The quokka was seen at dawn near the river.")
        title = make_cable("title", "The quokka question", "Nothing else here.")
        assert slugs(search("quokka", anon)) == [title.slug, body.slug]
        # By date: earliest first, whatever the rank.
        body.date = dt.date(1950, 1, 1)
        body.save()
        assert slugs(search("quokka", anon, sort="date")) == [body.slug, title.slug]
        assert slugs(search("quokka", anon, sort="-date")) == [title.slug, body.slug]

    # The filters reach the queries as the ids of the cables they allow when those are
    # few (search.services.FILTERED_IDS), else as their own subquery: the same results.
    @pytest.mark.parametrize("filtered_ids", [services.FILTERED_IDS, 0], ids=["ids", "subquery"])
    def test_facets_count_the_current_results_and_combine(
        self, seed, anon, monkeypatch, filtered_ids
    ):
        monkeypatch.setattr(services, "FILTERED_IDS", filtered_ids)
        moscow = Collection.objects.create(title="Moscow files", slug="moscow-files")
        other = make_cable(
            "moscow",
            "Armistice notes from Moscow",
            "On the armistice.",
            origin="[MOSCOW]",
            archive="AVPRF",
            original_language="Russian",
            index=False,
        )
        other.collections.add(moscow)
        index_cables([other])
        found = search("armistice", anon)
        assert found.total == 2
        facets = {f.name: {v.value: v.count for v in f.values} for f in found.facets}
        assert facets["year"] == {"1951": 1, "1952": 1}
        assert facets["origin"] == {"[BEIJING]": 1, "[MOSCOW]": 1}
        assert facets["archive"] == {"APRF": 1, "AVPRF": 1}
        assert facets["language"] == {"Russian": 2}
        assert facets["collection"]["moscow-files"] == 1
        assert facets["participant"]["nam-il"] == 1
        assert facets["side"]["communist-side"] == 1
        assert facets["annotated"] == {"yes": 1, "no": 1}  # the seed's public corrections
        assert "tag" not in facets  # the seed's corrections have no tags

        one = search("armistice", anon, filters=Filters(year=1952))
        assert slugs(one) == ["moscow"]
        assert {f.name: {v.value: v.count for v in f.values} for f in one.facets}["year"] == {
            "1952": 1
        }
        assert slugs(search("armistice", anon, filters=Filters(participant="nam-il"))) == [
            SEED_SLUG
        ]
        assert slugs(search("armistice", anon, filters=Filters(side="communist-side"))) == [
            SEED_SLUG
        ]
        assert slugs(search("armistice", anon, filters=Filters(annotated="no"))) == ["moscow"]
        both = Filters(language="Russian", collection="moscow-files", origin="[MOSCOW]")
        assert slugs(search("armistice", anon, filters=both)) == ["moscow"]
        assert slugs(search("armistice", anon, filters=Filters(year=1951, archive="AVPRF"))) == []

    def test_private_annotations_are_found_by_their_author_alone(
        self, seed, users, anon, django_capture_on_commit_callbacks
    ):
        passage = seed_passage()
        secret = Tag.objects.create(name="Xylophone plan", slug="xylophone-plan")
        note = Annotation.objects.create(
            passage=passage,
            author=users.researcher,
            exact="Kaesong",
            start=passage.text.index("Kaesong"),
            end=passage.text.index("Kaesong") + 7,
            body="My xylophone theory about the meeting.",
            visibility=Annotation.Visibility.PRIVATE,
        )
        note.tags.add(secret)
        index_cables([passage.cable_id])
        mine = search("xylophone", users.researcher)
        assert slugs(mine) == [SEED_SLUG]
        snippet = mine.hits[0].snippets[0]
        assert snippet.kind == "annotation" and '<mark class="hit">xylophone</mark>' in snippet.html
        mine_facets = {f.name: {v.value: v.count for v in f.values} for f in mine.facets}
        assert mine_facets["tag"] == {"xylophone-plan": 1}
        for reader in (anon, users.outsider, users.editor):
            found = search("xylophone", reader)
            assert found.total == 0 and found.hits == [], reader
            # Not counted either: the tag facet of a wider search does not show it.
            wider = search("Kaesong", reader)
            tags = [f for f in wider.facets if f.name == "tag"]
            assert all(v.value != "xylophone-plan" for f in tags for v in f.values)
            assert "xylophone" not in " ".join(s.html for h in wider.hits for s in h.snippets)
            # Nor chosen: a tag on no note they may see is left out like a tag nobody made
            # (issue 15), so the results are those without it, not none.
            tagged = search("Kaesong", reader, filters=Filters(tag="xylophone-plan"))
            assert tagged.chosen == [] and tagged.total == wider.total
            assert "No annotation tag is called “xylophone-plan”" in tagged.messages[0]
        # Once public, everyone finds it (its entry is written again once the
        # change commits: who may see it is kept on the entry).
        with django_capture_on_commit_callbacks(execute=True):
            note.visibility = Annotation.Visibility.PUBLIC
            note.save()
        assert slugs(search("xylophone", users.outsider)) == [SEED_SLUG]

    def test_results_are_paginated_by_twenty(self, db, anon):
        for i in range(23):
            make_cable(
                f"wombat-{i:02d}",
                f"Wombat report {i:02d}",
                date=dt.date(1952, 1, 1 + i),
                index=False,
            )
        index_cables(Cable.objects.all())
        first = search("wombat", anon)
        assert first.total == 23 and len(first.hits) == 20 and first.pages == 2
        second = search("wombat", anon, page=2)
        assert len(second.hits) == 3
        assert not set(slugs(first)) & set(slugs(second))
        assert search("wombat", anon, page=99).page == 2  # past the end: the last page

    # The page.

    def test_search_page_shows_ranked_hits_with_links_to_the_passage(self, client, seed):
        response = client.get("/search/", {"q": '"buffer zone"'})
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 cable found" in html
        assert f'href="/cables/{SEED_SLUG}/?hl=%22buffer+zone%22#p5"' in html
        assert 'class="facet"' in html
        assert '<input id="search-q" type="search" name="q" value="&quot;buffer zone&quot;"' in html
        assert (
            'hx-trigger="input changed delay:300ms, search"' in html
            and 'hx-push-url="true"' in html
        )

    def test_a_result_title_opens_the_cable_at_its_best_match(self, client, seed):
        """Issue 14: the title led to the top of the cable, not to the match."""
        html = client.get("/search/", {"q": '"buffer zone"'}).content.decode()
        title = re.search(r'<h3 class="search-hit__title"><a href="([^"]+)"', html).group(1)
        assert title == f"/cables/{SEED_SLUG}/?hl=%22buffer+zone%22#p5"

    def test_a_catalogue_record_snippet_reads_as_the_record_not_the_index(self, client, seed):
        """Issue 14: "Filippov" showed the index's raw text ("…/document/117409 117409
        Mao Zedong Mao Dong Mao Mao Tse-tung Joseph Stalin Filippov…")."""
        html = client.get("/search/", {"q": "Filippov"}).content.decode()
        record = re.search(
            r'Catalogue record</a> <span class="search-snippet__text">(.*?)</span></li>', html, re.S
        )
        assert record, "the catalogue record matched"
        text = record.group(1)
        assert 'From Mao Zedong to <mark class="hit">Joseph Stalin</mark>' in text
        for noise in ("/document/117409", "117409 Mao", "Mao Dong Mao", "Tse-tung"):
            assert noise not in text

    def test_the_corrected_reading_applies_corrections_in_snippets(self, client, seed):
        """Issue 14: snippets kept "principLi" whatever the reading chosen."""
        published = client.get("/search/", {"q": "principLi"}).content.decode()
        snippets = re.findall(r'<span class="search-snippet__text">(.*?)</span></li>', published)
        assert any("principLi" in s for s in snippets)
        assert not any("principle" in s for s in snippets)
        corrected = client.get("/search/", {"q": "principLi", "reading": "corrected"})
        corrected = corrected.content.decode()
        assert (
            '<ins class="correction" tabindex="0" data-published="principLi" '
            'title="As published: principLi">principle</ins>'
        ) in corrected
        # The links open the cable in the same reading, and the choice is kept.
        assert f"/cables/{SEED_SLUG}/?hl=" in corrected and "reading=corrected#p6" in corrected
        assert '<option value="corrected" selected>Corrected</option>' in corrected
        bad = client.get("/search/", {"q": "Kaesong", "reading": "sideways"})
        assert bad.status_code == 400
        assert "A reading is “published” or “corrected”" in bad.content.decode()

    def test_htmx_request_gets_only_the_results_fragment(self, client, seed):
        response = client.get(
            "/search/", {"q": "Kaesong"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html and 'id="search-q"' not in html
        assert "1 cable found" in html
        assert "HX-Request" in response["Vary"]

    def test_the_header_box_searches(self, client, seed):
        html = client.get("/cables/").content.decode()
        assert re.search(r'<form class="site-search"[^>]*action="/search/"', html)

    @pytest.mark.parametrize(
        "params, message",
        [
            ({"q": "x" * 201}, "the limit is 200"),
            ({"q": "Kaesong", "year": "nineteen"}, "is not a year"),
            ({"q": "Kaesong", "participant": "nobody-at-all"}, "Nobody in the reading room"),
            ({"q": "Kaesong", "collection": "<script>"}, "is not a valid collection"),
            ({"q": "Kaesong", "annotated": "maybe"}, "either yes or no"),
            ({"q": "Kaesong", "sort": "random"}, "sorted by relevance or by date"),
            ({"q": "Kaesong", "page": "two"}, "is not a page number"),
        ],
    )
    def test_bad_input_gets_a_clear_message(self, client, seed, params, message):
        response = client.get("/search/", params)
        assert response.status_code == 400
        assert message in response.content.decode()
        htmx = client.get(
            "/search/", params, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
        )
        assert htmx.status_code == 422 and message in htmx.content.decode()

    @pytest.mark.parametrize("q", MALFORMED)
    def test_malformed_queries_never_fail(self, client, seed, q):
        response = client.get("/search/", {"q": q})
        assert response.status_code == 200

    # What a search costs, and what it is drawn from.

    def test_search_query_count_does_not_grow_with_results(self, client, assert_search_queries):
        for i in range(25):
            make_cable(
                f"numbat-{i:02d}", f"Numbat report {i:02d}", "A numbat passage.", index=False
            )
        make_cable("rare", "The okapi", "An okapi passage.", index=False)
        index_cables(Cable.objects.all())
        # 1 the data version, 2 the names in the query (kept per version), 3 and 4 the
        # count (the matching cables, with what the facets count: the catalogue's
        # best, then the texts'), 5 the facets' other counts, 6 the ranking (the
        # page's cables, best first), 7 the page's cables with sender and recipient,
        # 8 their rows and snippets. (+1 for the people counted in the person and
        # side facets; none here.) With a full page of catalogue records (25
        # numbats, 20 a page) the count's draw holds the page: no ranking.
        for q, queries in (("okapi", 8), ("numbat", 7)):
            with assert_search_queries(queries):
                response = client.get("/search/", {"q": q})
            assert response.status_code == 200
            with assert_search_queries(7):  # names from the cache, the page by date
                client.get("/search/", {"q": q, "sort": "date"})
        # A chosen participant, side, collection or tag: one more, for its label.
        with assert_search_queries(7):
            client.get("/search/", {"q": "numbat", "collection": "none-such"})  # names kept

    def test_the_people_of_a_cable_found_in_its_text_alone_are_counted(self, seed, anon):
        """A cable whose catalogue record does not match still counts its people in
        the person and side facets: the count reads them from its catalogue row."""
        nam_il = Participant.objects.get(slug="nam-il")
        found_in_title = make_cable("titled", "The wombat question", "Nothing here.")
        in_text = make_cable("text", "A note", "A wombat crossed the line.", sender=nam_il)
        found = search("wombat", anon)
        assert sorted(slugs(found)) == sorted([found_in_title.slug, in_text.slug])
        facets = {f.name: {v.value: v.count for v in f.values} for f in found.facets}
        assert facets["participant"] == {"nam-il": 1}
        assert facets["side"] == {nam_il.side.slug: 1}

    def test_the_person_facet_keeps_everyone_tied_with_the_last(self):
        """The person facet's top is read in count order and stops past the ties of
        its last place, so it equals sorting everyone by (count, name)."""
        from collections import Counter

        from search.facets import FACET_SIZE, _most_cables

        names = {str(i): (f"p{i}", f"Name {i:03d}") for i in range(200)}
        # Ties of ten, counted in reverse order of name (most_common keeps the order
        # of counting within a tie), and a person deleted since the index was written.
        counts = Counter({"unknown": 99})
        for i in reversed(range(200)):
            counts[str(i)] = 50 - i // 10
        rows = sorted(_most_cables(counts, names), key=lambda r: (-r[3], r[2]))[:FACET_SIZE]
        every = sorted(
            (("participant", *names[p], n) for p, n in counts.items() if p in names),
            key=lambda r: (-r[3], r[2]),
        )[:FACET_SIZE]
        assert rows == every and len(rows) == FACET_SIZE

    def test_people_facets_cost_one_query_however_many_people(
        self, seed, anon, assert_search_queries
    ):
        with assert_search_queries(9):  # the eight above, and everyone's names and sides
            found = search("armistice", anon)
        assert len({v.value for f in found.facets if f.name == "participant" for v in f.values}) > 5
        with assert_search_queries(7):  # names in the query, names and sides: both kept
            again = search("armistice", anon)
        assert again.facets == found.facets

    @pytest.mark.django_db(transaction=True)
    def test_a_repeated_search_comes_from_the_page_cache_and_never_crosses_readers(
        self, client, seed, users, assert_search_queries
    ):
        url = "/search/?q=Kaesong"
        first = client.get(url)
        with assert_search_queries(1):  # the data version alone
            second = client.get(url)
        assert second.status_code == 200 and second["ETag"] == first["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

        telegram = Cable.objects.get(record_id="117409").passages.get(label="Telegram 1")
        start = telegram.text.index("Kaesong")
        Annotation.objects.create(
            passage=telegram, author=users.researcher, exact="Kaesong", start=start,
            end=start + 7, body="Kaesong wombat private", visibility="private",
        )  # fmt: skip
        index_annotations(Annotation.objects.values_list("pk", flat=True))
        wombat = "/search/?q=wombat"
        author = Client()
        author.force_login(users.researcher)

        def text(response):
            return re.sub(r"<[^>]+>", "", response.content.decode())

        assert "Kaesong wombat private" in text(author.get(wombat))
        assert "Kaesong wombat private" in text(author.get(wombat))  # kept
        assert "Kaesong wombat private" not in text(client.get(wombat))
        changed = client.get(url)
        assert changed["ETag"] != first["ETag"]  # the write moved the version

    # The ranking is over every match; counts are exact up to a ceiling.

    def test_the_best_match_comes_first_wherever_the_index_keeps_it(self, db, anon):
        """The best matches are inserted last, behind many weaker ones: the ranking
        still puts them first (catalogue records, then text, each by score)."""
        for i in range(40):
            make_cable(f"weak-{i:02d}", f"Report {i:02d}", f"A numbat was seen. Entry {i}.")
        once = make_cable("once", "A note", "Nothing here but one numbat.")
        many = make_cable("many", "A note", "Numbat, numbat and numbat: numbat numbat.")
        titled = make_cable("titled", "The numbat question", "Nothing else here.")
        found = search("numbat", anon)
        assert slugs(found)[:2] == [titled.slug, many.slug]
        assert found.total == 43 and not found.capped
        # Tied with 40 others, "once" (dated like them) goes by title: "A note" first.
        assert slugs(found)[2] == once.slug
        page_2 = search("numbat", anon, page=2)
        assert len(page_2.hits) == 20 and set(slugs(page_2)).isdisjoint(slugs(found))

    def test_ties_past_what_was_drawn_are_drawn_again(self, db, anon, monkeypatch):
        """Equal scores go to the earlier date, then the title, whatever was drawn first."""
        for i in range(25):
            make_cable(f"tie-{i:02d}", f"Report {24 - i:02d}", "A numbat passage.",
                       date=dt.date(1952, 1, 1 + i % 3))  # fmt: skip
        monkeypatch.setattr(services, "SLACK", 0)
        monkeypatch.setattr(services, "FIRST_DRAW", 1)
        found = search("numbat", anon)
        expected = sorted(Cable.objects.all(), key=lambda c: (c.date, c.title))[:20]
        assert slugs(found) == [c.slug for c in expected]

    def test_counts_are_exact_and_facets_count_every_match(self, client, db, anon, monkeypatch):
        for i in range(30):
            make_cable(f"numbat-{i:02d}", f"Numbat report {i:02d}", "A numbat passage.",
                       date=dt.date(1950 + i % 3, 1, 1))  # fmt: skip
        # The count reads matching rows a few at a time until it has them all.
        monkeypatch.setattr(services, "COUNT_ROWS", 4)
        found = search("numbat", anon)
        assert found.total == 30 and not found.capped
        years = {v.value: v.count for f in found.facets if f.name == "year" for v in f.values}
        assert years == {"1950": 10, "1951": 10, "1952": 10}
        html = client.get("/search/", {"q": "numbat"}).content.decode()
        assert "30 cables found" in html and "More than" not in html

    def test_past_the_ceiling_the_count_and_the_facets_say_so(self, client, db, anon, monkeypatch):
        for i in range(12):
            make_cable(f"numbat-{i:02d}", f"Report {i:02d}", f"A numbat passage {i}.")
        best = make_cable("best", "Numbat and numbat", "Numbat, numbat.")
        monkeypatch.setattr(services, "COUNT_CEILING", 5)
        monkeypatch.setattr(services, "COUNT_ROWS", 5)
        found = search("numbat", anon)
        assert found.capped and found.total == 5 and found.count_label == "5+"
        assert slugs(found)[0] == best.slug and len(found.hits) == 13  # ranked past the count
        counted = sum(v.count for f in found.facets if f.name == "year" for v in f.values)
        assert counted == found.sampled == 5
        html = client.get("/search/", {"q": "numbat"}).content.decode()
        assert "5+ cables found" in html
        assert "the facets count only 5 of them (a sample, not all:" in html
        assert "ranked over every match, best first" in html

    def test_past_the_ceiling_one_draw_counts_and_ranks_the_catalogue(
        self, db, anon, monkeypatch, assert_search_queries
    ):
        """When the catalogue tier alone fills the count, the count drew its best rows
        as the ranking does, and the ranking places the page from them: no second
        scan, the same page."""
        for i in range(12):
            make_cable(
                f"numbat-{i:02d}", f"Numbat report {i:02d}", "Filler.",
                summary=" ".join(["numbat"] * (i % 4) + ["filler"] * i),
            )  # fmt: skip
        monkeypatch.setattr(services, "COUNT_CEILING", 5)
        monkeypatch.setattr(services, "FIRST_DRAW", 1)
        monkeypatch.setattr(services, "SLACK", 1)
        q = services._Query(parse("numbat"), anon, Filters())
        matched, complete = q.count()
        assert not complete and len(matched) == 5 and len(q.drawn_first) == 6
        with assert_search_queries(0):
            page = q.ranking(3)
        fresh = services._Query(parse("numbat"), anon, Filters())
        assert fresh.drawn_first is None
        assert [r.cable_id for r in page] == [r.cable_id for r in fresh.ranking(3)]
        with assert_search_queries(
            7
        ):  # as test_people_facets_..., less the texts' count and the ranking
            found = search("numbat", anon)
        assert found.capped and [h.cable.pk for h in found.hits][:3] == [r.cable_id for r in page]

    @pytest.mark.django_db(transaction=True)
    def test_the_person_facet_follows_an_editors_decision_on_a_mention(self, seed, anon):
        """Rejecting the only mention of someone removes them from the facet (re-indexed
        on save)."""
        joy = Participant.objects.get(slug="c-turner-joy")

        def people():
            found = search("Kaesong", anon)
            return {v.value for f in found.facets if f.name == "participant" for v in f.values}

        assert "c-turner-joy" in people()
        for mention in Mention.objects.filter(participant=joy):
            mention.status = Mention.Status.REJECTED
            mention.save()
        assert "c-turner-joy" not in people()

    # "Find in this cable" and ?hl=.

    def test_reading_view_marks_hl_terms_without_more_queries(self, client, seed):
        url = f"/cables/{SEED_SLUG}/"
        plain = client.get(url).content.decode()  # (keeps the cable's fixed layers)
        with CaptureQueriesContext(connection) as plain_queries:
            client.get(url, {"reading": "published"})  # the same page at another address
        with CaptureQueriesContext(connection) as hl_queries:
            response = client.get(url, {"hl": 'Kaesong "buffer zone"'})
        # The same queries as the plain reading view (pinned in reading/tests/test_cable.py).
        assert len(hl_queries.captured_queries) == len(plain_queries.captured_queries)
        html = response.content.decode()
        assert '<mark class="hit">Kaesong</mark>' in html
        assert '<mark class="hit">buffer zone</mark>' in html
        count = html.count('<mark class="hit">')
        assert re.search(rf"<strong>{count} matches</strong> in \d passages", html)
        assert 'href="#p5" class="find-in-cable__passage"' in html
        assert (
            'id="find-hl" type="search" name="hl" value="Kaesong &quot;buffer zone&quot;"' in html
        )
        assert 'class="hit"' not in plain and 'id="find-hl"' in plain

    def test_find_in_cable_reports_no_matches(self, client, seed):
        html = client.get(f"/cables/{SEED_SLUG}/", {"hl": "zebra"}).content.decode()
        assert "No matches for “zebra” in this cable." in html

    # Keeping the index in step.

    def test_saving_and_deleting_keeps_the_index_in_step(self, django_capture_on_commit_callbacks):
        anon = AnonymousUser()
        with django_capture_on_commit_callbacks(execute=True):
            cable = Cable.objects.create(
                slug="fresh", title="Fresh cable", date=dt.date(1953, 1, 1)
            )
            passage = Passage.objects.create(
                cable=cable, position=0, text="A capybara at the gate."
            )
        assert slugs(search("capybara", anon)) == ["fresh"]
        with django_capture_on_commit_callbacks(execute=True):
            passage.text = "A tapir at the gate."
            passage.save()
        assert slugs(search("capybara", anon)) == [] and slugs(search("tapir", anon)) == ["fresh"]
        with django_capture_on_commit_callbacks(execute=True):
            cable.title = "Renamed cable"
            cable.save()
        assert slugs(search("renamed", anon)) == ["fresh"]
        with django_capture_on_commit_callbacks(execute=True):
            passage.delete()
        assert slugs(search("tapir", anon)) == []
        with django_capture_on_commit_callbacks(execute=True):
            cable.delete()
        assert not SearchEntry.objects.filter(cable_id=cable.pk).exists()
        assert slugs(search("renamed", anon)) == []

    def test_index_cables_runs_a_fixed_number_of_queries(self, django_assert_max_num_queries):
        cables = [make_cable(f"c{i}", f"Cable {i}", "Text " * 50, index=False) for i in range(12)]
        with django_assert_max_num_queries(12) as few:
            index_cables(cables[:2])
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert index_cables(cables) == 24  # a row per cable and per passage

    def test_rebuild_search_index_command(self, seed, capsys):
        SearchEntry.objects.all().delete()
        call_command("rebuild_search_index", "--dry-run")
        assert "Would index 1 cable(s)" in capsys.readouterr().out
        assert not SearchEntry.objects.exists()
        call_command("rebuild_search_index")
        assert "Indexed 1 cable(s)" in capsys.readouterr().out
        assert slugs(search("Kaesong", AnonymousUser())) == [SEED_SLUG]


# --- PostgreSQL's own -----------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's own: trigram similarity (pg_trgm) for misspelt names, and the "
    "RUM and sharded GIN indexes (SQLite has FTS5).",
)
@pytest.mark.django_db
class TestPostgres:
    def test_a_misspelt_name_finds_the_closest_person(self, seed, anon):
        found = search("Stallin", anon)
        assert slugs(found) == [SEED_SLUG]
        assert [(e.participant, e.fuzzy) for e in found.expansions] == [("Joseph Stalin", True)]
        # The names' trigram indexes answer `<%` at the threshold the search means.
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('pg_trgm.word_similarity_threshold')")
            assert float(cursor.fetchone()[0]) == postgres.FUZZY_THRESHOLD

    def test_the_count_reads_the_shards_and_the_ranking_reads_the_rum_indexes(self, seed, anon):
        """Each shard of the count's SQL reads an index (its predicates repeat the
        indexes'); each tier of the ranking is ordered by its RUM index (search 0002),
        not sorted after."""
        q = services._Query(parse("Kaesong"), anon, Filters())
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            # On a table this small the planner would rather read the catalogue tier
            # through the btree index of a cable's catalogue row (search_entry_catalogue)
            # and filter each row; it is set aside for this test (its transaction
            # restores it) so that the plans show which index each part can use.
            cursor.execute("DROP INDEX search_entry_catalogue")
            for kind in ("e.kind = 'cable'", "e.kind <> 'cable'"):
                sql, params = q.compiled.match("e.cable_id", *q._where(kind), 10)
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "Seq Scan on cables_searchentry" not in plan, plan
                assert plan.count(" on cables_searchentry e") >= postgres.SHARDS, plan
            # A table this small is cheaper to sort than to read in index order; the
            # plans show what the RUM indexes can do (at scale the planner picks them).
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            for tier, kind in (("catalogue", "e.kind = 'cable'"), ("text", "e.kind <> 'cable'")):
                sql, params = q._tier(10, kind)
                cursor.execute("EXPLAIN " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert f"Index Scan using search_rum_{tier}" in plan, plan
                assert "Order By: (vector <=>" in plan and "Sort" not in plan, plan

    def test_the_ranked_draws_alone_are_planned_without_bitmap_scans(self, seed, anon, monkeypatch):
        """PostgreSQL expects too few matches for words that go together and would
        fetch and sort them all rather than read RUM's order (search.backends.postgres
        .index_ordered): each ranked draw runs in a block of its own with bitmap
        scans off; the count's text tier, read through GIN indexes (bitmap scans
        only), runs outside any block."""
        with CaptureQueriesContext(connection) as context:
            search("Kaesong", anon)
        inside, draws, shards = False, 0, 0
        for sql in (q["sql"] for q in context.captured_queries):
            if "set_config('enable_bitmapscan', 'off', true)" in sql:
                assert not inside
                inside = True
            elif sql.startswith("ROLLBACK TO SAVEPOINT"):
                inside = False
            elif "ORDER BY e.vector <=>" in sql:
                assert inside, sql
                draws += 1
            elif f"% {postgres.SHARDS} = 0" in sql:
                assert not inside, sql
                shards += 1
        assert draws == 2 and shards == 1 and not inside  # the count's draw, the ranking's
        # With filters, whose own SQL wants bitmap scans (a date range), there is no block;
        # the few cables a year allows have their text rows read by cable, not by shard.
        with CaptureQueriesContext(connection) as context:
            found = search("Kaesong", anon, filters=Filters(year=1951))
        assert slugs(found) == [SEED_SLUG]
        assert not [q for q in context.captured_queries if "set_config" in q["sql"]]
        assert not [q for q in context.captured_queries if f"% {postgres.SHARDS} = 0" in q["sql"]]
        monkeypatch.setattr(services, "FILTERED_IDS", 0)  # too many: the shards, as unfiltered
        with CaptureQueriesContext(connection) as context:
            assert slugs(search("Kaesong", anon, filters=Filters(year=1951))) == [SEED_SLUG]
        assert [q for q in context.captured_queries if f"% {postgres.SHARDS} = 0" in q["sql"]]

    def test_an_index_ordered_block_leaves_nothing_behind(self, db):
        def bitmap():
            return services.fetch("SELECT current_setting('enable_bitmapscan')", [])[0][0]

        with backend().index_ordered():
            assert bitmap() == "off"
        assert bitmap() == "on"
        with pytest.raises(DataError), backend().index_ordered():
            assert bitmap() == "off"
            services.fetch("SELECT 1 / 0", [])
        assert bitmap() == "on"  # the test's own transaction goes on
        assert Cable.objects.count() == 0

    @pytest.mark.django_db(transaction=True)
    def test_an_index_ordered_block_outside_a_transaction_is_one_of_its_own(self):
        with backend().index_ordered():
            assert connection.in_atomic_block
            setting = services.fetch("SELECT current_setting('enable_bitmapscan')", [])
        assert setting == [("off",)]
        assert not connection.in_atomic_block and connection.get_autocommit()
        assert services.fetch("SELECT current_setting('enable_bitmapscan')", []) == [("on",)]

    def test_without_rum_the_ranking_is_still_exact_and_check_names_the_package(
        self, db, anon, monkeypatch
    ):
        """A server without the rum package (forced here): every match is scored with
        ts_rank_cd and sorted, best first, the same order the scores give one row at a
        time; ``manage.py check`` warns and names the package."""
        monkeypatch.setitem(postgres._RUM, connection.settings_dict["NAME"], False)
        for i in range(30):
            make_cable(f"weak-{i:02d}", f"Report {i:02d}", f"A numbat was seen. Entry {i}.")
        many = make_cable("many", "A note", "Numbat, numbat and numbat: numbat numbat.")
        titled = make_cable("titled", "The numbat numbat question", "Nothing else here.")
        q = services._Query(parse("numbat"), anon, Filters())
        sql, params = q._tier(10, "e.kind = 'cable'")
        assert "ts_rank_cd" in sql and "<=>" not in sql
        found = search("numbat", anon)
        assert found.total == 32
        assert slugs(found)[:2] == [titled.slug, many.slug]
        rows = services.fetch(
            "SELECT c.slug, ts_rank_cd(e.vector, websearch_to_tsquery('english', 'numbat')) "
            "FROM cables_searchentry e JOIN cables_cable c ON c.id = e.cable_id "
            "WHERE e.kind = 'cable' AND e.vector @@ websearch_to_tsquery('english', 'numbat')",
            [],
        )
        best = max(rows, key=lambda r: r[1])
        assert best[0] == titled.slug
        assert found.hits[0].score == pytest.approx(best[1])
        from search.checks import rum_installed

        (warning,) = rum_installed()
        assert warning.id == "search.W001" and "rebuild_search_index" in warning.hint
        monkeypatch.setattr(postgres, "rum_available", lambda: False)
        (warning,) = rum_installed()
        assert f"postgresql-{postgres.server_major()}-rum" in warning.hint

    def test_a_phrase_is_ranked_by_its_words_in_the_rum_index_order(self, db, anon):
        """RUM hands a phrase's matches back in no order of the phrase's own score, but
        in the order of its words' score (measured at 100,000 cables): a query with a
        phrase finds the phrase and is ranked by the query with the phrase's words all
        required and the exclusions left out, which the index answers best first."""
        assert postgres.has_phrase(parse('"prisoners of war"'))
        assert postgres.has_phrase(parse("north-east"))
        assert not postgres.has_phrase(parse("armistice Kaesong"))
        for i in range(12):
            # Catalogue records matching the phrase, each scoring differently.
            make_cable(
                f"p-{i:02d}", f"Report {i:02d} on prisoners of war", "Filler.",
                summary=" ".join(["Prisoners of war."] * (i % 5) + ["Filler."] * i),
            )  # fmt: skip
        # The words, not the phrase: found only by the ranking's query, never shown.
        make_cable("apart", "War and prisoners", "The war took prisoners; war, prisoners.")
        make_cable("excluded", "Prisoners of war at Kaesong", "Prisoners of war, Kaesong.")
        best = make_cable("best", "Prisoners of war", "Prisoners of war, prisoners of war.")
        query = '"prisoners of war" -Kaesong OR "war or peace"'
        q = services._Query(parse(query), anon, Filters())
        # "or" inside a phrase is a word, not an operator, in the ranking's query too.
        assert q.compiled.ranked_by[1] == ["prisoners of war", "war or peace"]
        catalogue = "e.kind = 'cable'"
        sql, params = q._tier(50, catalogue)
        # Every match scored one row at a time by the same rank, in no index's order.
        every, every_params = q.compiled.scored("e.cable_id", *q._where(catalogue))
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("DROP INDEX search_entry_catalogue")  # as in the test above
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute(sql, params)
            drawn = cursor.fetchall()
            cursor.execute(every, every_params)
            scored = cursor.fetchall()
        assert "Index Scan using search_rum_catalogue" in plan, plan
        assert "Order By: (vector <=>" in plan and "Sort" not in plan, plan
        # The index hands the rows back in the rank's order, all of them: the ranks
        # drawn are the sorted ranks of every match, and they differ.
        assert len(drawn) == len(scored) == 13
        assert [rank for _, rank in drawn] == sorted(rank for _, rank in scored)
        assert sorted(drawn) == sorted(scored) and len({rank for _, rank in drawn}) > 3
        found = search(query, anon)
        assert "apart" not in slugs(found) and "excluded" not in slugs(found)
        assert best.slug in slugs(found)
        by_rank = sorted(scored, key=lambda r: (r[1], Cable.objects.get(pk=r[0]).title))
        assert slugs(found) == [Cable.objects.get(pk=c).slug for c, _ in by_rank]
