"""The search's tag filter and facet see only the tags on notes the reader may see (issue 15).

A tag carried only by a private, group or hidden note must look, to a reader who
may not see that note, exactly like a tag nobody ever made: no label in the
chosen filters, the same "no annotation tag is called…" message, no facet.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from annotations.models import Annotation, ResearchGroup, Tag
from cables.models import Passage
from search.indexer import index_cables
from search.services import Filters, search

SEED_SLUG = "cable-21680-mao-to-filippov-1951-07-11"


def note_with_tag(author, slug: str, **fields) -> Annotation:
    passage = Passage.objects.get(cable__slug=SEED_SLUG, label="Telegram 1")
    start = passage.text.index("Kaesong")
    note = Annotation.objects.create(
        passage=passage,
        author=author,
        exact="Kaesong",
        start=start,
        end=start + len("Kaesong"),
        body="A note about the meeting place.",
        **fields,
    )
    note.tags.add(Tag.objects.create(name=f"Secret {slug}", slug=slug))
    index_cables([passage.cable_id])
    return note


@pytest.fixture
def hidden_tags(seed, users):
    """One tag on a private note, one on a group note, one on a hidden public note."""
    team = ResearchGroup.objects.create(name="Team", slug="team")
    team.members.add(users.researcher)
    note_with_tag(users.researcher, "private-plan", visibility=Annotation.Visibility.PRIVATE)
    note_with_tag(
        users.researcher, "group-plan", visibility=Annotation.Visibility.GROUP, group=team
    )
    note_with_tag(
        users.researcher, "hidden-plan", visibility=Annotation.Visibility.PUBLIC, hidden=True
    )
    return ["private-plan", "group-plan", "hidden-plan"]


def seen(results, slug: str):
    """What a reader can tell of the tag ``slug`` from a search's results."""
    facet_values = [v.value for f in results.facets if f.name == "tag" for v in f.values]
    messages = [m.replace(slug, "SLUG") for m in results.messages]
    chosen = [(c.name, c.value_label.replace(slug, "SLUG")) for c in results.chosen]
    return {
        "messages": messages,
        "chosen": chosen,
        "facet": slug in facet_values,
        "total": results.total,
        "bad_input": results.bad_input,
    }


def test_a_tag_the_reader_may_not_see_is_like_no_tag(hidden_tags, users):
    for reader in (AnonymousUser(), users.outsider):
        for slug in hidden_tags:
            unseen = seen(search("Kaesong", reader, filters=Filters(tag=slug)), slug)
            missing = seen(search("Kaesong", reader, filters=Filters(tag="no-such")), "no-such")
            assert unseen == missing, (reader, slug)
            assert unseen["chosen"] == []
            assert unseen["messages"] == [
                "No annotation tag is called “SLUG”. That filter is left out."
            ]
            assert not seen(search("Kaesong", reader), slug)["facet"]


def test_a_tag_the_reader_may_see_is_chosen_by_its_name(hidden_tags, users):
    for slug in ("private-plan", "group-plan", "hidden-plan"):
        results = search("Kaesong", users.researcher, filters=Filters(tag=slug))
        assert results.messages == []
        assert [(c.name, c.value_label) for c in results.chosen] == [("tag", f"Secret {slug}")]
        assert results.total == 1
    # An editor sees hidden notes, so the hidden note's tag; not the private or group ones.
    hidden = search("Kaesong", users.editor, filters=Filters(tag="hidden-plan"))
    assert [c.value_label for c in hidden.chosen] == ["Secret hidden-plan"]
    private = search("Kaesong", users.editor, filters=Filters(tag="private-plan"))
    assert private.chosen == [] and "No annotation tag" in private.messages[0]


def page(client, tag: str) -> str:
    html = client.get("/search/", {"q": "Kaesong", "tag": tag}).content.decode()
    return re.sub(r'"X-CSRFToken": "\w+"', "TOKEN", html)  # a fresh mask per response


def test_the_search_page_shows_a_hidden_tag_like_a_missing_one(hidden_tags, client):
    for slug in hidden_tags:
        unseen, missing = page(client, slug), page(client, "no-such")
        assert f"Secret {slug}" not in unseen
        assert unseen.replace(slug, "SLUG") == missing.replace("no-such", "SLUG")
