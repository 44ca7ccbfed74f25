"""Invalidation follows the data (issue 13): a write moves the versions of what it
changed, and only those.

A note on cable A moves A's reading view (and every page showing A's notes: a
split view with A, the search), never cable B's kept page or ETag; an editorial
change to what many pages show (a person, a cable's title) moves the archive,
which every page reads. No one version row is written by every writing
transaction: eight writers on eight cables hold their transactions open at once
without waiting for a lock (PostgreSQL). These tests commit for real
(``transactional_db``): on PostgreSQL the triggers run at commit.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.core.cache import caches
from django.db import connection, connections, transaction
from django.test import Client, override_settings
from django.urls import reverse

from annotations.models import Annotation, Link
from cables.models import Cable, Participant, Passage
from readingroom import caching
from readingroom.caching import (
    ARCHIVE,
    NOTES,
    RECORDS,
    SHARDS,
    VERSION_TABLE,
    cable_scope,
    read_versions,
)

pytestmark = pytest.mark.django_db(transaction=True)


def make_cable(slug: str, words: str = "Kaesong talks resume") -> Cable:
    cable = Cable.objects.create(
        title=f"Cable {slug}", slug=slug, status=Cable.Status.PUBLISHED, record_id=slug
    )
    for position in range(2):
        Passage.objects.create(
            cable=cable, position=position, text=f"{words}, passage {position} of {slug}."
        )
    return cable


def annotate(
    passage: Passage, author, *, body="A new reading note", visibility="public", **kw
) -> Annotation:
    return Annotation.objects.create(
        passage=passage,
        author=author,
        exact=passage.text[:10],
        start=0,
        end=10,
        body=body,
        visibility=visibility,
        **kw,
    )


@pytest.fixture
def a(transactional_db):
    return make_cable("cable-a")


@pytest.fixture
def b(transactional_db):
    return make_cable("cable-b")


TOKENS = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+"')


def without_tokens(body: bytes) -> str:
    """A body without its CSRF tokens (masked afresh for every response)."""
    return TOKENS.sub("", body.decode())


def kept(client: Client, url: str, django_assert_num_queries) -> tuple[str, bytes]:
    """The page's ETag and body, once rendered and once more from the page cache."""
    first = client.get(url)
    assert first.status_code == 200, url
    with django_assert_num_queries(1):  # the versions: answered from the page cache
        again = client.get(url)
    assert again["ETag"] == first["ETag"]
    return first["ETag"], without_tokens(again.content)


def still_kept(client: Client, url: str, etag: str, body: str, django_assert_num_queries):
    """The page's ETag still validates, and its kept body is still served (no render)."""
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304, url
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response["ETag"] == etag and without_tokens(response.content) == body, url


def moved(client: Client, url: str, etag: str) -> str:
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200, url
    assert response["ETag"] != etag, url
    return response.content.decode()


def compare_url(x: Cable, y: Cable) -> str:
    return reverse("reading:compare") + f"?a=cable:{x.slug}&b=cable:{y.slug}"


# A note on A leaves B alone -------------------------------------------------------


def test_every_kind_of_note_on_a_leaves_bs_pages_kept_and_moves_as(
    client, a, b, users, django_assert_num_queries
):
    c = make_cable("cable-c")
    b_pages = [b.get_absolute_url(), compare_url(b, c), reverse("cables:catalogue")]
    b_pages += [reverse("cables:participants")]
    a_page = a.get_absolute_url()
    passage = a.passages.first()
    note = None

    def create():
        nonlocal note
        note = annotate(passage, users.researcher, body="Written on A", visibility="public")
        return "Written on A"

    def edit():
        note.body = "Rewritten on A"
        note.save()
        return "Rewritten on A"

    def reply():
        annotate(passage, users.editor, body="A reply on A", parent=note, visibility="public")
        return "A reply on A"

    def hide():
        Annotation.objects.filter(pk=note.pk).update(hidden=True)  # no model signal
        return ""

    def delete():
        Annotation.objects.filter(parent=note).delete()
        Annotation.objects.filter(pk=note.pk).delete()
        return ""

    for write in (create, edit, reply, hide, delete):
        kept_b = {url: kept(client, url, django_assert_num_queries) for url in b_pages}
        a_etag = client.get(a_page)["ETag"]
        a_b = client.get(compare_url(a, b))["ETag"]
        shown = write()
        html = moved(client, a_page, a_etag)
        assert shown in html, write.__name__
        moved(client, compare_url(a, b), a_b)  # a split view with A moves too
        for url, (etag, body) in kept_b.items():
            still_kept(client, url, etag, body, django_assert_num_queries)


def test_a_link_moves_both_of_its_ends_and_nothing_else(
    client, a, b, users, django_assert_num_queries
):
    """A link from B to A shows on A ("Linked here"): writing it on B moves A too,
    and so do its edits (its note shows at both ends); a third cable stays kept."""
    c = make_cable("cable-c")
    kept_c = kept(client, c.get_absolute_url(), django_assert_num_queries)
    etags = {x.slug: client.get(x.get_absolute_url())["ETag"] for x in (a, b)}
    source = annotate(b.passages.first(), users.researcher, body="See A", visibility="public")
    source.kind = Annotation.Kind.LINK
    source.save()
    target = a.passages.last()
    Link.objects.create(
        annotation=source,
        target_passage=target,
        target_exact=target.text[:12],
        target_start=0,
        target_end=12,
    )
    assert "Linked here" in moved(client, a.get_absolute_url(), etags["cable-a"])
    moved(client, b.get_absolute_url(), etags["cable-b"])
    still_kept(client, c.get_absolute_url(), *kept_c, django_assert_num_queries)

    # Editing the link's note (a row of B's) moves A, where it shows as well.
    a_etag = client.get(a.get_absolute_url())["ETag"]
    source.body = "See A, the second paragraph"
    source.save()
    assert "the second paragraph" in moved(client, a.get_absolute_url(), a_etag)
    still_kept(client, c.get_absolute_url(), *kept_c, django_assert_num_queries)


def test_a_private_note_moves_only_its_cable(client, a, b, users, django_assert_num_queries):
    kept_b = kept(client, b.get_absolute_url(), django_assert_num_queries)
    scopes = [cable_scope(a.slug), cable_scope(b.slug), RECORDS, NOTES]
    before = read_versions(scopes)
    annotate(a.passages.first(), users.outsider, visibility="private", body="Secret musing")
    after = read_versions(scopes)
    assert after[cable_scope(a.slug)] > before[cable_scope(a.slug)]
    assert after[NOTES] > before[NOTES]
    for scope in (cable_scope(b.slug), ARCHIVE, RECORDS):
        assert after[scope] == before[scope], scope
    still_kept(client, b.get_absolute_url(), *kept_b, django_assert_num_queries)
    assert "Secret musing" not in client.get(a.get_absolute_url()).content.decode()


# Pages over the whole archive --------------------------------------------------------


def test_a_new_note_is_found_by_the_search_at_once(client, a, b, users):
    url = reverse("search:search") + "?q=quintessential"
    first = client.get(url)
    assert a.title not in first.content.decode()
    annotate(a.passages.first(), users.researcher, body="A quintessential remark")
    html = moved(client, url, first["ETag"])
    assert a.title in html


def test_the_catalogue_follows_the_records_not_the_notes(
    client, a, b, users, django_assert_num_queries
):
    url = reverse("cables:catalogue")
    etag, body = kept(client, url, django_assert_num_queries)
    annotate(a.passages.first(), users.researcher, body="Notes are not catalogued")
    still_kept(client, url, etag, body, django_assert_num_queries)

    Cable.objects.filter(pk=b.pk).update(title="A retitled cable")  # a bulk update
    assert "A retitled cable" in moved(client, url, etag)
    etag = client.get(url)["ETag"]
    make_cable("cable-new")
    assert "Cable cable-new" in moved(client, url, etag)


def test_a_cables_new_title_moves_the_pages_of_cables_linking_to_it(client, a, b, users):
    """A link card names the cable at its other end: a retitled cable moves the
    archive, which every page reads."""
    source = annotate(a.passages.first(), users.researcher, kind=Annotation.Kind.LINK)
    Link.objects.create(annotation=source, target_cable=b)
    etag = client.get(a.get_absolute_url())["ETag"]
    b.title = "The far end, retitled"
    b.save()
    assert "The far end, retitled" in moved(client, a.get_absolute_url(), etag)


def test_the_people_index_and_a_persons_page_follow_what_they_show(
    client, seed, users, django_assert_num_queries
):
    cable = Cable.objects.get(record_id="117409")
    people = reverse("cables:participants")
    stalin = Participant.objects.get(slug="joseph-stalin")
    person = reverse("reading:participant", args=[stalin.slug])
    index_etag, index_body = kept(client, people, django_assert_num_queries)
    person_etag, person_body = kept(client, person, django_assert_num_queries)

    annotate(cable.passages.first(), users.researcher, body="A note names nobody new")
    still_kept(client, people, index_etag, index_body, django_assert_num_queries)
    still_kept(client, person, person_etag, person_body, django_assert_num_queries)

    # A mention found in a new cable: the person's page lists it; the index does not change.
    new = make_cable("cable-about-stalin", words="Filippov replied to Mao")
    assert new.title in moved(client, person, person_etag)
    still_kept(client, people, index_etag, index_body, django_assert_num_queries)

    Participant.objects.filter(pk=stalin.pk).update(name="Iosif Stalin")
    assert "Iosif Stalin" in moved(client, people, index_etag)


def test_versioned_values_follow_their_scopes(a, users):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    def count(scopes):
        return caching.versioned("figure", compute, scopes=scopes)

    assert count([]) == count([]) == 1  # the archive's: kept
    annotate(a.passages.first(), users.researcher)
    assert count([]) == 1  # a note does not move the archive
    assert count([RECORDS]) == 2 and count([RECORDS]) == 2
    Passage.objects.filter(pk=a.passages.first().pk).update(label="Moved")
    assert count([RECORDS]) == 3
    Participant.objects.create(name="Someone new", sort_name="New, Someone", slug="someone-new")
    assert count([]) == 4


def test_the_chronology_counts_again_after_a_record_changes_only(client, a, users):
    url = reverse("reading:chronology")
    Cable.objects.filter(pk=a.pk).update(date="1951-07-10")
    assert "10 July 1951" in client.get(url).content.decode()
    annotate(a.passages.first(), users.researcher)  # nothing the chronology shows
    assert "10 July 1951" in client.get(url).content.decode()
    Cable.objects.filter(pk=a.pk).update(date="1951-08-02")
    html = client.get(url).content.decode()
    assert "2 August 1951" in html and "10 July 1951" not in html


# Every write path, every table ------------------------------------------------------


def test_bulk_inserts_and_raw_sql_move_the_cables_they_touch(client, a, b, users):
    etags = {x.slug: client.get(x.get_absolute_url())["ETag"] for x in (a, b)}
    Annotation.objects.bulk_create(
        [
            Annotation(
                passage=a.passages.first(),
                author=users.researcher,
                exact="x",
                start=0,
                end=1,
                body="Bulk-created",
                body_html="<p>Bulk-created</p>",  # bulk_create() skips save()
                visibility="public",
            )
        ]
    )
    assert "Bulk-created" in moved(client, a.get_absolute_url(), etags["cable-a"])
    with connection.cursor() as cursor:
        table = Passage._meta.db_table
        cursor.execute(
            f"UPDATE {table} SET text = %s WHERE id = %s",
            ["Rewritten by raw SQL.", b.passages.first().pk],
        )
    assert "Rewritten by raw SQL." in moved(client, b.get_absolute_url(), etags["cable-b"])


def test_every_watched_table_has_a_rule_and_a_trigger(db):
    """A new table must be given a rule on purpose (without one it moves the
    archive, every page: never stale, but every kept page goes)."""
    tables = [table for table, _ in caching.watched_tables()]
    assert sorted(tables) == sorted(caching.RULES)
    assert caching.install_triggers() == len(tables)


def test_a_deleted_cable_moves_its_own_pages(client, a, users):
    etag = client.get(a.get_absolute_url())["ETag"]
    versions = read_versions([cable_scope(a.slug)])
    Cable.objects.filter(pk=a.pk).delete()
    assert read_versions([cable_scope(a.slug)])[cable_scope(a.slug)] > versions[cable_scope(a.slug)]
    assert client.get(a.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 404


# No hot row -----------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_eight_writers_on_eight_cables_never_wait_for_one_another(transactional_db, users):
    """Eight transactions, each writing a note on its own cable, all open at once and
    each holding every version row it bumps (``SET CONSTRAINTS ALL IMMEDIATE`` fires
    the deferred triggers now): any lock wait fails at ``lock_timeout`` instead of
    hanging. With one version row for everything the second writer would wait."""
    writers = 8
    assert writers < SHARDS
    cables = [make_cable(f"cable-writer-{n}") for n in range(writers)]
    scopes = [cable_scope(c.slug) for c in cables] + [NOTES]
    before = read_versions(scopes)
    passages = [c.passages.first() for c in cables]
    written, holding = threading.Barrier(writers), threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(passage: Passage) -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
                annotate(passage, users.researcher, body=f"Concurrent note on {passage.pk}")
                written.wait(timeout=20)  # eight transactions open at once
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # bump now, hold the rows
                holding.wait(timeout=20)  # eight transactions holding their versions
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
            written.abort()
            holding.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(p,)) for p in passages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Annotation.objects.filter(body__startswith="Concurrent note").count() == writers
    after = read_versions(scopes)
    for c in cables:
        assert after[cable_scope(c.slug)] == before[cable_scope(c.slug)] + 1
    # Each counted once per transaction (indexing the note for search, on commit, is another).
    assert after[NOTES] >= before[NOTES] + writers
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {VERSION_TABLE} WHERE scope = %s", [ARCHIVE]
        )  # the archive row is there, and no write above moved it
        assert cursor.fetchone() == (1,)
    assert after[ARCHIVE] == before[ARCHIVE]


# Several app servers sharing Redis ---------------------------------------------------


def _redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS).ping()
    except redis.RedisError:
        return False


REDIS = "redis://127.0.0.1:6379/12"
SHARED = {
    alias: {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS,
        "KEY_PREFIX": f"rr-test-{alias}",
    }
    for alias in ("default", "pages")
}


@pytest.mark.skipif(not _redis_available(), reason="no Redis at 127.0.0.1:6379 (database 12)")
def test_app_servers_sharing_redis_serve_nothing_stale(a, b, users, django_assert_num_queries):
    """Two app servers (their own processes: nothing but the database and Redis in
    common). One keeps A's and B's pages; a note written through the other moves
    A's for both, while B's kept page still serves both."""
    with override_settings(CACHES=SHARED):
        for alias in ("default", "pages"):
            caches[alias].clear()
        try:
            one, two = Client(), Client()
            kept_b = kept(one, b.get_absolute_url(), django_assert_num_queries)
            a_etag = one.get(a.get_absolute_url())["ETag"]
            caching.local_values.clear()  # the second server has none of the first's
            with django_assert_num_queries(1):  # the other server finds B in Redis
                assert without_tokens(two.get(b.get_absolute_url()).content) == kept_b[1]
            annotate(a.passages.first(), users.researcher, body="Written through server two")
            for server in (one, two):
                assert "Written through server two" in moved(server, a.get_absolute_url(), a_etag)
                still_kept(server, b.get_absolute_url(), *kept_b, django_assert_num_queries)
        finally:
            for alias in ("default", "pages"):
                caches[alias].clear()


def test_while_migrating_every_write_moves_every_page(client, a, b, users):
    """From pre_migrate to post_migrate the triggers read no other table (a migration
    may be altering it) and every write moves the archive: coarser, never stale."""
    etag = client.get(b.get_absolute_url())["ETag"]
    caching.install_migrating_triggers()
    try:
        before = read_versions()
        annotate(a.passages.first(), users.researcher, body="Written during a migrate")
        assert read_versions()[ARCHIVE] > before[ARCHIVE]
        assert client.get(b.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 200
    finally:
        caching.install_triggers()
    etag = client.get(b.get_absolute_url())["ETag"]
    annotate(a.passages.first(), users.researcher, body="Written after it")
    assert client.get(b.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers' flags are PostgreSQL's"
)
def test_a_transaction_moves_each_scope_once_whatever_it_writes(transactional_db):
    """A transaction that touches many cables moves each cable's version once, however
    often it writes to it, and keeps its list of scopes moved in a fixed set of
    settings (``FLAG_BUCKETS``), not one setting per scope: PostgreSQL 15 sorts
    every setting name a session has used again for each new one, which made a
    long import slow down as the archive grew. Slugs that begin other slugs
    (x-1, x-10, x-100) are told apart."""
    scopes = [cable_scope(f"x-{n}") for n in range(1, 601)]
    with transaction.atomic(), connection.cursor() as cursor:
        for _ in range(2):
            for scope in scopes:
                cursor.execute(f"SELECT {caching.TRIGGER}_bump(%s)", [scope])
        cursor.execute(
            "SELECT count(*), coalesce(sum(array_length(string_to_array(trim(both E'\\n' "
            f"FROM s), E'\\n'), 1)), 0) FROM (SELECT current_setting('{caching.TRIGGER}.b' || n, "
            f"true) AS s FROM generate_series(0, {caching.FLAG_BUCKETS - 1}) n) t WHERE s <> ''"
        )
        buckets, listed = cursor.fetchone()
    assert listed == len(scopes)  # every scope moved is listed, in the fixed settings
    assert 1 < buckets <= caching.FLAG_BUCKETS
    first = read_versions(scopes)
    with transaction.atomic(), connection.cursor() as cursor:
        for scope in scopes[:3] * 3:
            cursor.execute(f"SELECT {caching.TRIGGER}_bump(%s)", [scope])
    second = read_versions(scopes)
    moved = [s for s in scopes if second[s] != first[s]]
    assert moved == scopes[:3]
    assert all(second[s] == first[s] + 1 for s in moved)
