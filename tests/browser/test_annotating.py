"""Annotating the seed cable (117409) in a real browser, as a historian would.

A researcher selects words in Li Kenong's first telegram with the mouse or the
keyboard, writes a note in the margin, and sees the highlight and the card;
highlights and cards light each other up; replies, edits (with a lost race),
deletes and filters happen in place; the corrected reading shows the editors'
accepted corrections and offers no annotating; and who sees what holds in the
browser too.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation
from annotations.services import create_annotation, update_annotation
from cables.models import Passage

SLUG = "cable-21680-mao-to-filippov-1951-07-11"
CABLE = f"/cables/{SLUG}/"
WORDS = "five American representatives"  # plain text in telegram 1's first paragraph

# The first and last characters of `words` in the plain text of `selector`:
# their viewport rectangles, so the mouse can drag from one to the other. The
# words must lie in one text node directly inside a paragraph (not in a link
# or a highlight), so that the drag starts on plain text.
WORDS_JS = """([selector, words]) => {
    const root = document.querySelector(selector);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(words);
        if (at < 0) continue;
        const rect = (i) => {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const r = range.getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
        };
        return {
            plain: node.parentElement.matches("p[data-start]"),
            first: rect(at),
            last: rect(at + words.length - 1),
        };
    }
    return null;
}"""

SELECTION_JS = "() => window.getSelection().toString()"
TO_TOP_JS = "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 24)"

# Select the first character of `words` (in plain text of `selector`).
SELECT_FIRST_CHAR_JS = """([selector, words]) => {
    const root = document.querySelector(selector);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(words);
        if (at >= 0) {
            window.getSelection().setBaseAndExtent(node, at, node, at + 1);
            return;
        }
    }
}"""


@pytest.fixture
def cable_url(live_server, transactional_db, seed):
    return f"{live_server.url}{CABLE}"


@pytest.fixture
def telegram1(seed):
    return Passage.objects.get(cable__slug=SLUG, label="Telegram 1")


def note(user, passage, words, **kw):
    """An annotation made on the server, as if written earlier."""
    start = passage.text.index(words)
    return create_annotation(
        user=user, passage=passage, start=start, end=start + len(words), exact=words,
        body=kw.pop("body", "A note."), **kw,
    )  # fmt: skip


def word_edges(page, selector, words):
    """Where the mouse should press and release to select exactly ``words``."""
    page.locator(selector).get_by_text(words).first.scroll_into_view_if_needed()
    return word_edges_now(page, selector, words)


def word_edges_now(page, selector, words):
    """Like ``word_edges``, without scrolling first."""
    edges = page.evaluate(WORDS_JS, [selector, words])
    assert edges is not None, f"{words!r} not found in {selector}"
    assert edges["plain"], f"{words!r} is not plain text"
    first, last = edges["first"], edges["last"]
    start = (first["left"] + 1, (first["top"] + first["bottom"]) / 2)
    end = (last["right"] - 1, (last["top"] + last["bottom"]) / 2)
    return start, end


def drag_select(page, selector, words):
    """Select ``words`` by pressing the mouse on the first letter and dragging to the last."""
    (x0, y0), (x1, y1) = word_edges(page, selector, words)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()
    assert page.evaluate(SELECTION_JS) == words


def mark_window(page):
    """Set a marker on ``window``: it survives in-place swaps, not a page load."""
    page.evaluate("window.__noReload = 'still here'")


def not_reloaded(page):
    return page.evaluate("window.__noReload") == "still here"


# Writing ---------------------------------------------------------------------


def test_researcher_selects_words_with_the_mouse_and_annotates_them(
    page, live_server, cable_url, users, telegram1, screenshot_dir
):
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{live_server.url}/accounts/login/?next={CABLE}")
    page.get_by_label("Username").fill("researcher")
    page.get_by_label("Password").fill(users.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(cable_url)
    expect(page.locator(".reading-hint")).to_contain_text("Select words in the text")

    annotate = page.get_by_role("button", name="Annotate")
    expect(annotate).to_have_count(0)  # nothing offered before a selection
    page.locator(f"#row-{telegram1.pk}").evaluate(TO_TOP_JS)
    drag_select(page, "#p4 .passage__text", WORDS)
    expect(annotate).to_be_visible()
    annotate.click()

    form = page.locator(f"#compose-{telegram1.pk} form.compose")
    expect(form).to_be_visible()
    expect(form.locator(".compose__title")).to_have_text("New annotation on Telegram 1")
    expect(form.locator(".note__quote")).to_have_text(WORDS)
    body = form.get_by_label("Annotation")
    expect(body).to_be_focused()
    page.keyboard.type("Who were the **five**? Compare *FRUS* 1951, vol. VII.")
    form.get_by_label("Kind").select_option("question")
    form.get_by_label("Tags").click()
    page.keyboard.type("Delegations, Kaesong")
    form.get_by_label("Everyone").check()
    expect(annotate).to_be_hidden()
    page.screenshot(path=str(screenshot_dir / "annotating.png"))

    mark_window(page)
    form.get_by_role("button", name="Save").click()

    highlight = page.locator("#p4 mark.hl--question")
    expect(highlight).to_have_text(WORDS)
    saved = Annotation.objects.get(author=users.researcher)
    expect(highlight).to_have_id(f"a{saved.pk}")
    expect(form).to_have_count(0)
    assert not_reloaded(page)
    card = page.locator(f"#compose-{telegram1.pk} ~ article#card-{saved.pk}")
    expect(card).to_have_class(re.compile(r"\bnote--question\b"))
    expect(card.locator(".note__kind")).to_have_text("Question")
    expect(card.locator(".note__author")).to_have_text("Rosa")
    expect(card.locator(".note__visibility")).to_have_text("Everyone")
    expect(card.locator(".note__quote")).to_have_text(WORDS)
    assert card.locator(".note__body").inner_html().strip() == (
        "<p>Who were the <strong>five</strong>? Compare <em>FRUS</em> 1951, vol. VII.</p>"
    )
    expect(card.locator(".note__tags li")).to_have_text(["Delegations", "Kaesong"])

    # The row keeps exactly the words selected, at offsets into the passage text.
    assert saved.passage == telegram1
    assert saved.exact == WORDS
    assert telegram1.text[saved.start : saved.end] == WORDS
    assert (saved.kind, saved.visibility) == ("question", "public")
    assert sorted(t.name for t in saved.tags.all()) == ["Delegations", "Kaesong"]

    page.locator("#p4").evaluate(TO_TOP_JS)
    highlight.hover()
    expect(card).to_have_class(re.compile(r"\bis-active\b"))
    page.screenshot(path=str(screenshot_dir / "annotation-margin.png"))


def test_keyboard_selection_and_the_a_shortcut(page, cable_url, users, telegram1, login):
    words = "48 support personnel"
    login(page, users.researcher)
    page.goto(cable_url)
    # Headless Chromium has no caret browsing: a click leaves a collapsed
    # caret that Shift+ArrowRight does not extend in read-only text. So the
    # selection starts on the first character (set by script), and the real
    # keyboard extends it character by character; the real Shift keyup is
    # what makes the page offer "Annotate".
    page.locator("#p4 .passage__text").get_by_text(words).scroll_into_view_if_needed()
    page.evaluate(SELECT_FIRST_CHAR_JS, ["#p4 .passage__text", words])
    assert page.evaluate(SELECTION_JS) == words[0]
    for _ in words[1:]:
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate(SELECTION_JS) == words
    expect(page.get_by_role("button", name="Annotate")).to_be_visible()

    page.keyboard.press("a")

    form = page.locator(f"#compose-{telegram1.pk} form.compose")
    expect(form.locator(".note__quote")).to_have_text(words)
    expect(form.get_by_label("Annotation")).to_be_focused()
    expect(page.get_by_role("button", name="Annotate")).to_be_hidden()
    page.keyboard.type("The support staff outnumber the delegates ten to one.")
    save = form.get_by_role("button", name="Save")
    for _ in range(8):
        page.keyboard.press("Tab")
        if save.evaluate("el => el === document.activeElement"):
            break
    expect(save).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#p4 mark.hl--comment")).to_have_text(words)
    saved = Annotation.objects.get(author=users.researcher)
    expect(page.locator(f"mark.hl#a{saved.pk}")).to_have_text(words)
    expect(page.locator(f"#card-{saved.pk} .note__body")).to_have_text(
        "The support staff outnumber the delegates ten to one."
    )
    assert (saved.exact, saved.kind, saved.visibility) == (words, "comment", "private")
    assert telegram1.text[saved.start : saved.end] == words


def test_annotate_button_goes_away_once_the_form_opens(page, cable_url, users, telegram1, login):
    login(page, users.researcher)
    page.goto(cable_url)
    drag_select(page, "#p4 .passage__text", WORDS)
    annotate = page.get_by_role("button", name="Annotate")
    annotate.click()
    expect(page.locator(f"#compose-{telegram1.pk}").get_by_label("Annotation")).to_be_focused()
    expect(annotate).to_be_hidden(timeout=1000)


def test_cancel_leaves_nothing_in_the_margin(page, cable_url, users, telegram1, login):
    login(page, users.researcher)
    page.goto(cable_url)
    drag_select(page, "#p4 .passage__text", WORDS)
    expect(page.get_by_role("button", name="Annotate")).to_be_visible()
    page.keyboard.press("a")
    slot = page.locator(f"#compose-{telegram1.pk}")
    expect(slot.get_by_label("Annotation")).to_be_focused()
    slot.get_by_role("button", name="Cancel").click()
    expect(slot.get_by_label("Annotation")).to_have_count(0)
    expect(slot.locator("*")).to_have_count(0, timeout=1000)
    assert Annotation.objects.filter(author=users.researcher).count() == 0


def test_the_selected_words_stay_in_view_when_the_form_opens(page, cable_url, users, login):
    words = "that the representatives"  # near the end of telegram 4, a long one
    telegram4 = Passage.objects.get(cable__slug=SLUG, label="Telegram 4")
    assert telegram4.text.index(words) > 1800
    login(page, users.researcher)
    page.goto(cable_url)
    drag_select(page, "#p7 .passage__text", words)
    expect(page.get_by_role("button", name="Annotate")).to_be_visible()
    page.keyboard.press("a")
    expect(page.locator(f"#compose-{telegram4.pk}").get_by_label("Annotation")).to_be_focused()
    page.wait_for_timeout(200)  # let the focus scroll settle
    (_, top), (_, bottom) = word_edges_now(page, "#p7 .passage__text", words)
    assert top >= 0 and bottom <= page.viewport_size["height"], "the words scrolled out of view"


# Highlights and cards ---------------------------------------------------------


def test_highlight_and_card_light_each_other_up(page, cable_url, users, telegram1, login):
    words = "did not reply but showed the text of the draft agenda"
    saved = note(users.researcher, telegram1, words, body="Joy's agenda.", visibility="public")
    login(page, users.researcher)
    page.emulate_media(reduced_motion="reduce")
    page.goto(cable_url)
    highlight = page.locator(f"mark#a{saved.pk}")
    card = page.locator(f"article#card-{saved.pk}")
    active = re.compile(r"\bis-active\b")

    highlight.hover()
    expect(card).to_have_class(active)
    page.mouse.move(5, 5)
    expect(card).not_to_have_class(active)

    card.locator(".note__body").hover()
    expect(highlight).to_have_class(active)
    page.mouse.move(5, 5)
    expect(highlight).not_to_have_class(active)
    card.locator(".note__date").focus()  # the permalink, inside the card
    expect(highlight).to_have_class(active)
    card.locator(".note__date").blur()
    expect(highlight).not_to_have_class(active)

    # On a narrower screen the notes follow the passage: the card is far below
    # its words, and its quote takes the reader up to them.
    page.set_viewport_size({"width": 1000, "height": 700})
    card.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY)")
    expect(highlight).not_to_be_in_viewport()
    card.locator(".note__quote a").click()
    expect(highlight).to_be_in_viewport()
    expect(highlight).to_have_class(re.compile(r"\bis-focus\b"))
    expect(page).to_have_url(f"{cable_url}#a{saved.pk}")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Keyboard: from the "Nam II" just before, Tab reaches the highlight's key.
    page.mouse.move(5, 5)
    page.locator("#p4 p[data-start='1382'] a.mention").focus()
    key = highlight.locator("a.hl-key")
    for _ in range(3):
        page.keyboard.press("Tab")
        if key.evaluate("el => el === document.activeElement"):
            break
    expect(key).to_be_focused()
    expect(key).to_have_attribute("aria-label", "Comment by Rosa")
    expect(card).to_have_class(active)


def test_reply_appears_under_the_card_without_a_reload(page, cable_url, users, telegram1, login):
    saved = note(
        users.researcher, telegram1, "Kaesong", body="Which building?", visibility="public"
    )
    login(page, users.editor)
    page.goto(cable_url)
    mark_window(page)
    card = page.locator(f"article#card-{saved.pk}")

    card.get_by_text("Reply", exact=True).click()
    expect(card.get_by_label("Your reply")).to_be_focused()  # the form came, ready to type
    card.get_by_role("button", name="Cancel").click()
    expect(card.locator("textarea")).to_have_count(0)
    card.get_by_text("Reply", exact=True).click()
    card.get_by_label("Your reply").fill("The Naebongjang house, per Joy's memoir.")
    card.get_by_role("button", name="Post reply").click()

    reply = card.locator(".reply")
    expect(reply.locator(".reply__body")).to_have_text("The Naebongjang house, per Joy's memoir.")
    expect(reply.locator(".note__author")).to_have_text("Edith")
    assert not_reloaded(page)
    answer = Annotation.objects.get(parent=saved)
    assert (answer.author, answer.body) == (
        users.editor,
        "The Naebongjang house, per Joy's memoir.",
    )


def test_edit_in_place(page, cable_url, users, telegram1, login):
    saved = note(users.researcher, telegram1, "helicopters", body="Bell H-13s?")
    login(page, users.researcher)
    page.goto(cable_url)
    mark_window(page)
    page.locator(f"article#card-{saved.pk}").get_by_role("link", name="Edit").click()

    form = page.locator(f"form#card-{saved.pk}")
    expect(form.locator(".compose__title")).to_have_text("Edit annotation")
    expect(form.locator(".note__quote")).to_have_text("helicopters")
    expect(page.locator(f"article#card-{saved.pk}")).to_have_count(0)  # the form replaced it
    body = form.get_by_label("Annotation")
    expect(body).to_have_value("Bell H-13s?")
    body.fill("Sikorsky H-5s, according to the UN Command.")
    form.get_by_role("button", name="Save").click()

    card = page.locator(f"article#card-{saved.pk}")
    expect(card.locator(".note__body")).to_have_text("Sikorsky H-5s, according to the UN Command.")
    expect(page.locator(f"mark#a{saved.pk}")).to_have_text("helicopters")
    assert not_reloaded(page)
    saved.refresh_from_db()
    assert (saved.body, saved.version) == ("Sikorsky H-5s, according to the UN Command.", 2)


def test_two_tabs_edit_the_same_annotation_and_the_second_is_told(
    browser, page, cable_url, users, telegram1, login
):
    saved = note(users.researcher, telegram1, "helicopters", body="Bell H-13s?")
    other = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        first, second = page, other.new_page()
        forms = []
        for tab in (first, second):
            login(tab, users.researcher)
            tab.goto(cable_url)
            tab.locator(f"article#card-{saved.pk}").get_by_role("link", name="Edit").click()
            forms.append(tab.locator(f"form#card-{saved.pk}"))
            expect(forms[-1].get_by_label("Annotation")).to_have_value("Bell H-13s?")

        forms[0].get_by_label("Annotation").fill("First tab.")
        forms[0].get_by_role("button", name="Save").click()
        expect(first.locator(f"article#card-{saved.pk} .note__body")).to_have_text("First tab.")

        forms[1].get_by_label("Annotation").fill("Second tab.")
        forms[1].get_by_role("button", name="Save").click()
        form = second.locator(f"form#card-{saved.pk}")
        alert = form.get_by_role("alert")
        expect(alert).to_contain_text("Someone else saved this annotation")
        expect(alert.locator("blockquote.conflict")).to_have_text("First tab.")
        expect(form.get_by_label("Annotation")).to_have_value("Second tab.")  # mine is kept
        saved.refresh_from_db()
        assert (saved.body, saved.version) == ("First tab.", 2)
    finally:
        other.close()


def test_a_lost_race_keeps_the_passage_on_the_page(page, cable_url, users, telegram1, login):
    saved = note(users.researcher, telegram1, "helicopters", body="Bell H-13s?")
    login(page, users.researcher)
    page.goto(cable_url)
    page.locator(f"article#card-{saved.pk}").get_by_role("link", name="Edit").click()
    form = page.locator(f"form#card-{saved.pk}")
    form.get_by_label("Annotation").fill("Second tab.")
    update_annotation(saved, version=1, body="First tab.")  # saved meanwhile elsewhere

    form.get_by_role("button", name="Save").click()

    expect(form.get_by_role("alert")).to_contain_text("Someone else saved this annotation")
    expect(page.locator("#p4 .passage__text")).to_contain_text(
        "in helicopters and motor", timeout=1000
    )
    expect(page.locator(f"#row-{telegram1.pk} .margin form#card-{saved.pk}")).to_be_visible(
        timeout=1000
    )


def test_delete_asks_in_place_then_removes_card_and_highlight(
    page, cable_url, users, telegram1, login
):
    saved = note(users.researcher, telegram1, "motor vehicles", body="Jeeps.")
    login(page, users.researcher)
    page.goto(cable_url)
    card = page.locator(f"article#card-{saved.pk}")
    highlight = page.locator(f"mark#a{saved.pk}")
    expect(highlight).to_have_text("motor vehicles")

    card.get_by_role("link", name="Delete").click()
    confirm = page.locator(f"form#card-{saved.pk}")
    expect(confirm.locator(".compose__title")).to_have_text("Delete this annotation?")
    saved.refresh_from_db()
    assert saved.deleted_at is None  # asking changes nothing
    confirm.get_by_role("button", name="Delete").click()

    expect(page.locator(f"#card-{saved.pk}")).to_have_count(0)
    expect(highlight).to_have_count(0)
    expect(page.locator("#p4 .passage__text")).to_contain_text("in helicopters and motor vehicles.")
    saved.refresh_from_db()
    assert saved.deleted_at is not None


# Reading tools ---------------------------------------------------------------


def test_filter_by_kind_swaps_the_text_in_place(page, cable_url, users, telegram1, login):
    question = note(users.researcher, telegram1, "0912", kind="question", visibility="public")
    login(page, users.researcher)
    page.goto(cable_url)
    cards = page.locator("section.text article.note")
    expect(cards).to_have_count(12)  # 11 editors' corrections and the question
    mark_window(page)

    page.locator(".note-filter summary").click()
    page.locator(".note-filter").get_by_label("Question").check()

    expect(page).to_have_url(re.compile(r"[?&]kind=question\b"))
    expect(cards).to_have_count(1)
    expect(cards).to_have_id(f"card-{question.pk}")
    expect(page.locator(".note-filter summary")).to_have_text("Annotations: 1 of 12 shown")
    expect(page.locator("mark.hl")).to_have_count(1)
    assert not_reloaded(page)

    page.locator(".note-filter").get_by_role("link", name="Clear").click()
    expect(page).not_to_have_url(re.compile(r"kind="))
    expect(cards).to_have_count(12)


def test_corrected_reading_shows_accepted_corrections(page, cable_url, users, login):
    login(page, users.researcher)
    page.goto(cable_url)
    heading = page.locator("section.text .passage--heading")
    expect(heading).to_contain_text("CABLI Nº 21680")
    switch = page.get_by_role("navigation", name="Reading")

    switch.get_by_role("link", name="Corrected").click()

    expect(page).to_have_url(re.compile(r"\?reading=corrected"))
    expect(switch.locator("[aria-current]")).to_have_text("Corrected")
    expect(heading).to_contain_text("CABLE Nº 21680")
    fix = heading.locator("ins.correction")
    expect(fix).to_have_text("CABLE")
    expect(fix).to_have_attribute("title", "As published: CABLI")
    # Annotating happens on the text as published only.
    drag_select(page, "#p4 .passage__text", WORDS)
    page.wait_for_timeout(100)
    expect(page.get_by_role("button", name="Annotate")).to_have_count(0)
    page.keyboard.press("a")
    expect(page.locator("form.compose")).to_have_count(0)

    switch.get_by_role("link", name="As published").click()
    expect(heading).to_contain_text("CABLI Nº 21680")
    expect(heading.locator("ins.correction")).to_have_count(0)


# Who sees what ----------------------------------------------------------------


def test_anonymous_and_outsider_see_only_what_they_may(
    browser, page, cable_url, users, telegram1, login
):
    public = note(users.researcher, telegram1, "Kaesong", body="PUBLIC-NOTE", visibility="public")
    private = note(users.researcher, telegram1, "helicopters", body="PRIVATE-NOTE")

    page.goto(cable_url)
    expect(page.locator(f"article#card-{public.pk} .note__body")).to_have_text("PUBLIC-NOTE")
    expect(page.locator(f"mark#a{public.pk}")).to_have_text("Kaesong")
    expect(page.locator(".reading-hint")).to_have_text("Sign in to annotate.")
    sign_in = page.locator(".reading-hint").get_by_role("link", name="Sign in")
    expect(sign_in).to_have_attribute("href", f"/accounts/login/?next={CABLE}")
    assert "PRIVATE-NOTE" not in page.content()
    drag_select(page, "#p4 .passage__text", WORDS)
    page.wait_for_timeout(100)
    expect(page.get_by_role("button", name="Annotate")).to_have_count(0)
    expect(page.locator(f"article#card-{public.pk}").get_by_text("Reply")).to_have_count(0)

    login(page, users.outsider)
    page.reload()
    expect(page.locator(".site-account")).to_contain_text("Signed in as Otto")
    expect(page.locator(f"article#card-{public.pk}")).to_be_visible()
    html = page.content()
    assert "PRIVATE-NOTE" not in html
    assert f'id="a{private.pk}"' not in html and f'id="card-{private.pk}"' not in html
    # Not anyone's to edit but the author's.
    expect(
        page.locator(f"article#card-{public.pk}").get_by_role("link", name="Edit")
    ).to_have_count(0)


def test_editor_hides_a_public_annotation(browser, page, cable_url, users, telegram1, login):
    public = note(users.researcher, telegram1, "Kaesong", body="PUBLIC-NOTE", visibility="public")
    login(page, users.editor)
    page.goto(cable_url)
    card = page.locator(f"article#card-{public.pk}")
    card.get_by_role("button", name="Hide").click()

    expect(card).to_have_class(re.compile(r"\bis-hidden\b"))
    expect(card.locator(".note__flag")).to_have_text("Hidden from readers by an editor.")
    expect(card.get_by_role("button", name="Unhide")).to_be_visible()
    public.refresh_from_db()
    assert public.hidden

    anonymous = browser.new_context()
    try:
        reader = anonymous.new_page()
        reader.goto(cable_url)
        expect(reader.locator("section.text article.note")).to_have_count(11)
        assert "PUBLIC-NOTE" not in reader.content()
        expect(reader.locator(f"mark#a{public.pk}")).to_have_count(0)
    finally:
        anonymous.close()


def test_link_two_telegrams_of_one_cable_from_the_reading_view(
    page, cable_url, users, telegram1, login
):
    from annotations.models import Link

    source, target = "48 support personnel", "proposed by the American representatives"
    login(page, users.researcher)
    page.goto(cable_url)
    page.locator(f"#row-{telegram1.pk}").evaluate(TO_TOP_JS)
    drag_select(page, "#p4 .passage__text", source)
    expect(page.get_by_role("button", name="Link…")).to_be_visible()
    page.keyboard.press("l")  # the L shortcut, as in the split view
    expect(page.locator("#link-banner")).to_contain_text(f"Linking from “{source}”")

    page.locator("#p6").evaluate(TO_TOP_JS)
    drag_select(page, "#p6 .passage__text", target)
    page.get_by_role("button", name="Link here").click()
    form = page.locator("#link-form")
    expect(form).to_contain_text(source)
    expect(form).to_contain_text(target)
    form.get_by_label("Relation").select_option("related")
    form.get_by_label("Everyone").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Save link").click()

    link = Link.objects.select_related("annotation").get()
    assert (link.annotation.exact, link.target_exact) == (source, target)
    assert link.target_passage.label == "Telegram 3"
    expect(page.locator(f"mark#a{link.pk}")).to_have_text(source)
    expect(page.locator(f"mark#l{link.pk}")).to_have_text(target)
