"""Annotation rules that hold whatever writes them: selectors, groups, locking, re-anchoring."""

import pytest
from django.core.exceptions import ValidationError

from annotations.markdown import render_markdown
from annotations.models import Annotation, PassageRevision, ResearchGroup, Tag
from annotations.services import (
    EditConflict,
    create_annotation,
    reply,
    update_annotation,
)

pytestmark = pytest.mark.django_db


def _annotate(user, passage, words, **kw):
    start = passage.text.index(words)
    return create_annotation(
        user=user, passage=passage, start=start, end=start + len(words), exact=words,
        body=kw.pop("body", "A note."), **kw,
    )  # fmt: skip


def test_selection_is_stored_as_quote_and_position(users, telegram1):
    a = _annotate(users.researcher, telegram1, "arrived at the city of Kaesong at 0912")
    assert a.exact == "arrived at the city of Kaesong at 0912"
    assert telegram1.text[a.start : a.end] == a.exact
    assert telegram1.text[a.start - len(a.prefix) : a.start] == a.prefix
    assert len(a.prefix) == 32 and len(a.suffix) == 32
    assert a.anchor_status == "anchored"
    assert a.visibility == "private"


def test_offsets_slightly_off_are_corrected_by_the_quote(users, telegram1):
    words = "Kaesong"
    start = telegram1.text.index(words)
    a = create_annotation(
        user=users.researcher, passage=telegram1, start=start + 2, end=start + 9,
        exact=words, body="x",
    )  # fmt: skip
    assert (a.start, a.end) == (start, start + 7)


def test_selection_not_in_the_passage_is_refused(users, telegram1):
    with pytest.raises(ValidationError, match="no longer match"):
        create_annotation(
            user=users.researcher, passage=telegram1, start=0, end=12,
            exact="Not in the text at all", body="x",
        )  # fmt: skip
    assert not Annotation.objects.filter(author=users.researcher).exists()


def test_group_visibility_needs_membership(users, telegram1):
    team = ResearchGroup.objects.create(name="Kaesong team", slug="kaesong")
    with pytest.raises(ValidationError, match="belong to"):
        _annotate(users.outsider, telegram1, "Kaesong", visibility="group", group=team)
    team.members.add(users.researcher)
    a = _annotate(users.researcher, telegram1, "Kaesong", visibility="group", group=team)
    assert a.group == team


def test_tags_are_reused(users, telegram1):
    a = _annotate(users.researcher, telegram1, "Kaesong", tags=["Place", "Kaesong talks"])
    b = _annotate(users.editor, telegram1, "helicopters", tags=["place"])
    assert Tag.objects.count() == 2
    assert set(a.tags.all()) >= set(b.tags.all())


def test_reply_shares_the_thread_visibility(users, telegram1):
    root = _annotate(users.researcher, telegram1, "Kaesong", visibility="public")
    r = reply(user=users.editor, parent=root, body="Agreed.")
    assert (r.passage, r.visibility, r.parent) == (telegram1, "public", root)
    assert r.exact == "" and r.start is None


def test_second_save_of_the_same_version_is_refused(users, telegram1):
    a = _annotate(users.researcher, telegram1, "Kaesong", body="First.")
    update_annotation(a, version=1, body="Second.")
    with pytest.raises(EditConflict) as conflict:
        update_annotation(Annotation.objects.get(pk=a.pk), version=1, body="Overwrite?")
    assert conflict.value.current.body == "Second."
    a.refresh_from_db()
    assert (a.body, a.version) == ("Second.", 2)


def test_markdown_is_rendered_and_sanitised():
    html = render_markdown(
        "**bold** <script>alert(1)</script> [bad](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> <a href="https://example.org" onclick="x()">ok</a>'
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html
    assert 'href="https://example.org"' in html


def test_body_html_is_kept_in_step(users, telegram1):
    a = _annotate(users.researcher, telegram1, "Kaesong", body="*one*")
    assert a.body_html == "<p><em>one</em></p>"
    a = update_annotation(a, version=a.version, body="**two**")
    assert a.body_html == "<p><strong>two</strong></p>"


def test_correcting_the_text_reanchors_and_records_a_revision(users, telegram1):
    kaesong = _annotate(users.researcher, telegram1, "arrived at the city of Kaesong")
    nam = _annotate(users.researcher, telegram1, "Cde. Nam II replied there was no need")
    doomed = _annotate(users.researcher, telegram1, "in helicopters and motor vehicles")
    before = telegram1.text
    telegram1.text = "[Editor's note.] " + before.replace(
        "Nam II replied", "Nam Il replied"
    ).replace(" in helicopters and motor vehicles", "")
    telegram1.changed_by = users.editor
    telegram1.save()
    kaesong.refresh_from_db()
    nam.refresh_from_db()
    doomed.refresh_from_db()
    assert telegram1.text[kaesong.start : kaesong.end] == "arrived at the city of Kaesong"
    assert kaesong.anchor_status == "moved"
    assert telegram1.text[nam.start : nam.end] == "Cde. Nam Il replied there was no need"
    assert doomed.anchor_status == "orphaned"
    assert Annotation.objects.filter(pk=doomed.pk).exists()  # kept, never deleted
    revision = PassageRevision.objects.get(passage=telegram1)
    assert (revision.before, revision.after, revision.editor) == (
        before,
        telegram1.text,
        users.editor,
    )
    assert (revision.reanchored, revision.orphaned) >= (2, 1)


def test_accepted_seed_corrections(seed):
    fixes = Annotation.objects.filter(kind="correction", correction_status="accepted")
    assert sorted(fixes.values_list("exact", flat=True)) == sorted(
        ["CABLI", "Nam II", "Nam II", "Nam II", "Kim II Sung", "Kim II Sung", "principLi",
         "peopLi", "N $^{\\rm o}$", "N $^{\\rm o}$", "N^{o}"]
    )  # fmt: skip
    for fix in fixes.select_related("passage"):
        assert fix.passage.text[fix.start : fix.end] == fix.exact
        assert fix.visibility == "public" and fix.replacement


def test_a_long_far_quote_is_shortened_at_a_word_edge():
    from annotations.models import _shortened

    quote = "Withdrawal of all foreign armed forces from Korea, passing through the territory of"
    short = _shortened(quote)
    assert short == "Withdrawal of all foreign armed forces from Korea, passing…"
    assert len(short) <= 61 and short.endswith("…")
    assert _shortened("Nam Il") == "Nam Il"


def test_the_margin_shows_a_reply_only_to_those_who_may_see_its_root(users, cable, telegram1):
    """``margin.visible_annotations`` leaves the reply rule out of its query
    (``visible_to(threads=False)``) and applies it itself: a reply marked public
    under a private or hidden root (as the admin could leave it) stays unseen by
    a reader who may not see the root, exactly as ``visible_to`` has it."""
    from annotations.margin import visible_annotations

    private = _annotate(users.researcher, telegram1, "Kaesong", visibility="private")
    hidden = _annotate(users.researcher, telegram1, "helicopters", visibility="public")
    shown = _annotate(users.researcher, telegram1, "arrived", visibility="public")
    replies = [
        reply(user=users.researcher, parent=root, body="More.") for root in (private, hidden, shown)
    ]
    Annotation.objects.filter(pk__in=[r.pk for r in replies]).update(visibility="public")
    Annotation.objects.filter(pk=hidden.pk).update(hidden=True)

    for viewer in (users.outsider, users.researcher, users.editor):
        margin = {a.pk for a in visible_annotations(viewer, cable)}
        rule = set(
            Annotation.objects.visible_to(viewer)
            .filter(passage__cable=cable)
            .values_list("pk", flat=True)
        )
        assert margin == rule
    assert {a.pk for a in visible_annotations(users.outsider, cable)} >= {shown.pk, replies[2].pk}
    assert not {private.pk, hidden.pk, replies[0].pk, replies[1].pk} & {
        a.pk for a in visible_annotations(users.outsider, cable)
    }
