"""Re-anchoring a quote after the text around it (or in it) changes."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from readingroom.anchoring import Selector, Status, anchor

TEXT = (
    'Cde. Nam II replied there was no need for this. Cde. Deng Hua added, "All three '
    'of our proposals touch on military issues relating to Korea." Cde. Nam II asked again.'
)


def test_unchanged_text_keeps_the_position():
    sel = Selector.from_range(TEXT, 5, 11)
    assert sel.exact == "Nam II"
    assert anchor(TEXT, sel).status == Status.ANCHORED
    assert (anchor(TEXT, sel).start, anchor(TEXT, sel).end) == (5, 11)


def test_insertion_before_moves_the_quote():
    sel = Selector.from_range(TEXT, TEXT.index("Deng Hua"), TEXT.index("Deng Hua") + 8)
    edited = "[Editorial heading] " + TEXT
    found = anchor(edited, sel)
    assert found.status == Status.MOVED
    assert edited[found.start : found.end] == "Deng Hua"


def test_repeated_quote_is_told_apart_by_its_context():
    second = TEXT.rindex("Nam II")
    sel = Selector.from_range(TEXT, second, second + 6)
    edited = TEXT.replace("Cde. Deng Hua added", "Deng Hua then added at length")
    found = anchor(edited, sel)
    assert found.start == edited.rindex("Nam II")


def test_corrected_quote_is_found_by_fuzzy_matching():
    start = TEXT.index("no need for this")
    sel = Selector.from_range(TEXT, start, start + len("no need for this"))
    edited = TEXT.replace("no need for this", "no need for that")
    found = anchor(edited, sel)
    assert found.status == Status.MOVED
    assert edited[found.start : found.end] == "no need for that"


def test_ocr_correction_inside_a_longer_quote():
    quote = "Cde. Nam II replied there was no need"
    sel = Selector.from_range(TEXT, 0, len(quote))
    edited = TEXT.replace("Nam II", "Nam Il")
    found = anchor(edited, sel)
    assert edited[found.start : found.end] == "Cde. Nam Il replied there was no need"


def test_deleted_quote_is_orphaned():
    start = TEXT.index("military issues relating to Korea")
    sel = Selector.from_range(TEXT, start, start + len("military issues relating to Korea"))
    edited = TEXT[:start] + TEXT[start + len(sel.exact) :]
    assert anchor(edited, sel) is None


def test_quote_changed_beyond_a_quarter_is_orphaned():
    sel = Selector(exact="Deng Hua", start=52, end=60)
    assert anchor(TEXT.replace("Deng Hua", "Peng Dehuai"), sel) is None


def test_empty_quote_is_never_placed():
    assert anchor(TEXT, Selector(exact="", start=0, end=0)) is None


words = st.text(alphabet="abcdefghij klmnop", min_size=0, max_size=80)


@settings(max_examples=200, deadline=None)
@given(
    before=words,
    quote=st.text(alphabet="QRSTUVWXYZ qrstuvwxyz", min_size=4, max_size=40),
    after=words,
    insert_before=words,
    insert_after=words,
    cut_before=st.integers(min_value=0, max_value=40),
    cut_after=st.integers(min_value=0, max_value=40),
)
def test_edits_away_from_the_quote_keep_it_anchored(
    before, quote, after, insert_before, insert_after, cut_before, cut_after
):
    """Random edits before and after a quote: it is found again at its new place."""
    assume(quote.strip())
    text = before + quote + after
    sel = Selector.from_range(text, len(before), len(before) + len(quote))
    # Edit the text away from the quote: delete and insert on both sides.
    new_before = insert_before + before[: max(0, len(before) - cut_before)]
    new_after = after[cut_after:] + insert_after
    edited = new_before + quote + new_after
    assume(edited.count(quote) == 1)
    found = anchor(edited, sel)
    assert found is not None
    assert (found.start, found.end) == (len(new_before), len(new_before) + len(quote))
    expected = Status.ANCHORED if len(new_before) == len(before) else Status.MOVED
    assert found.status == expected


@settings(max_examples=200, deadline=None)
@given(
    before=words,
    quote=st.text(alphabet="QRSTUVWXYZ", min_size=12, max_size=40),
    after=words,
    at=st.integers(min_value=0, max_value=39),
    char=st.sampled_from("0123456789"),
)
def test_one_changed_character_in_the_quote_is_tolerated(before, quote, after, at, char):
    at = at % len(quote)
    text = before + quote + after
    sel = Selector.from_range(text, len(before), len(before) + len(quote))
    changed = quote[:at] + char + quote[at + 1 :]
    edited = before + changed + after
    found = anchor(edited, sel)
    assert found is not None
    # The match covers the changed quote, give or take the changed character at an edge.
    assert abs(found.start - len(before)) <= 1
    assert abs(found.end - (len(before) + len(quote))) <= 1
