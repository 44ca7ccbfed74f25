"""readingroom.spans: runs over overlapping spans, paragraph blocks, rendering."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from readingroom.spans import Span, blocks, paragraph_ranges, render_blocks, runs
from tests.factories import check_html


def covering(text_len, spans, a, b):
    """The spans (by identity) that contain [a, b) after clipping."""
    out = []
    for s in spans:
        start, end = max(0, min(s.start, text_len)), max(0, min(s.end, text_len))
        if start < end and start <= a and end >= b:
            out.append(id(s))
    return sorted(out)


def test_no_spans_is_one_run():
    (run,) = runs("Cde. Filippov!")
    assert (run.start, run.end, run.text, run.spans) == (0, 14, "Cde. Filippov!", ())


def test_empty_text_has_no_runs():
    assert runs("", [Span(0, 3, "x")]) == []


def test_overlapping_spans_split_into_runs():
    text = "Kim Il Sung and Peng Dehuai"
    a = Span(0, 11, "mention", "kim")
    b = Span(4, 20, "hit")
    result = runs(text, [a, b])
    assert [(r.text, [s.data for s in r.spans]) for r in result] == [
        ("Kim ", ["kim"]),
        ("Il Sung", ["kim", None]),
        (" and Peng", [None]),
        (" Dehuai", []),
    ]


def test_nested_spans_are_ordered_outermost_first():
    outer = Span(0, 10, "agenda_item")
    inner = Span(2, 5, "mention")
    (_, middle, _) = runs("0123456789", [inner, outer])
    assert middle.spans == (outer, inner)


def test_touching_spans_do_not_share_a_run():
    a, b = Span(0, 3, "x"), Span(3, 6, "y")
    assert [r.spans for r in runs("abcdef", [a, b])] == [(a,), (b,)]


def test_zero_length_and_inverted_spans_are_ignored():
    assert [r.spans for r in runs("abc", [Span(1, 1, "x"), Span(2, 1, "y")])] == [()]


def test_out_of_range_spans_are_clipped():
    s = Span(-5, 2, "x")
    t = Span(2, 99, "y")
    result = runs("abcd", [s, t])
    assert [(r.start, r.end, r.spans) for r in result] == [(0, 2, (s,)), (2, 4, (t,))]
    # The very span objects come back, not clipped copies.
    assert result[0].spans[0] is s


def test_equal_spans_are_both_kept():
    a, b = Span(0, 2, "m", "one"), Span(0, 2, "m", "two")
    (run, _) = runs("abcd", [a, b])
    assert [s.data for s in run.spans] == ["one", "two"]


def test_paragraphs_split_on_blank_lines_with_offsets():
    text = "First para\nsecond line\n\n  \nSecond para\n\nThird"
    assert [text[a:b] for a, b in paragraph_ranges(text)] == [
        "First para\nsecond line",
        "Second para",
        "Third",
    ]
    bl = blocks(text)
    assert [b.start for b in bl] == [0, 27, 40]


def test_span_across_paragraphs_appears_in_both_blocks():
    text = "one two\n\nthree four"
    s = Span(4, 14, "x")
    b1, b2 = blocks(text, [s])
    assert [r.text for r in b1.runs if r.spans] == ["two"]
    assert [r.text for r in b2.runs if r.spans] == ["three"]


class TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[int, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.paragraphs.append((int(dict(attrs)["data-start"]), ""))

    def handle_data(self, data):
        if self.paragraphs:
            start, text = self.paragraphs[-1]
            self.paragraphs[-1] = (start, text + data)


def element_for(span, first):
    if span.kind == "link":
        return "a", {"href": f"/p/{span.data}/", "id": f"l{span.data}" if first else None}
    return "span", {"class": span.kind}


def test_rendering_keeps_exact_text_and_offsets():
    text = 'To Cde. <Mao>\n"Kim" & Peng\n\nLi Kenong'
    spans = [Span(0, 12, "link", 1), Span(4, 20, "link", 2), Span(8, 30, "item")]
    html = render_blocks(text, spans, element_for)
    check_html(html)
    parser = TextOf()
    parser.feed(html)
    for start, content in parser.paragraphs:
        assert text[start : start + len(content)] == content
    assert "<br>" in html
    assert "&lt;Mao" in html and "&gt;" in html and "&amp; Peng" in html


def test_overlapping_links_never_nest():
    html = render_blocks("abcdefgh", [Span(0, 5, "link", 1), Span(2, 8, "link", 2)], element_for)
    check_html(html)  # no <a> inside <a>
    assert html.count('id="l1"') == 1 and html.count('id="l2"') == 1


def test_id_only_on_first_fragment_across_paragraphs():
    html = render_blocks("ab\n\ncd", [Span(0, 6, "link", 7)], element_for)
    check_html(html)
    assert html.count('id="l7"') == 1
    assert html.count('href="/p/7/"') == 2


# --- properties ---------------------------------------------------------------

texts = st.text(alphabet="ab \n", max_size=40)


@st.composite
def text_and_spans(draw):
    text = draw(texts)
    n = len(text)
    bound = st.integers(min_value=-3, max_value=n + 3)
    spans = draw(
        st.lists(
            st.builds(Span, bound, bound, st.sampled_from(["m", "item", "hit"]), st.integers()),
            max_size=8,
        )
    )
    return text, spans


@given(text_and_spans())
def test_runs_cover_the_text_exactly_in_order(case):
    text, spans = case
    result = runs(text, spans)
    assert "".join(r.text for r in result) == text
    pos = 0
    for r in result:
        assert r.start == pos and r.end > r.start and text[r.start : r.end] == r.text
        pos = r.end
    assert pos == len(text)


@given(text_and_spans())
def test_each_run_has_exactly_the_spans_containing_it(case):
    text, spans = case
    for r in runs(text, spans):
        assert sorted(id(s) for s in r.spans) == covering(len(text), spans, r.start, r.end)


@given(text_and_spans())
def test_adjacent_runs_differ(case):
    text, spans = case
    result = runs(text, spans)
    for a, b in zip(result, result[1:], strict=False):
        assert [id(s) for s in a.spans] != [id(s) for s in b.spans]


@given(text_and_spans())
def test_blocks_cover_every_non_blank_character(case):
    text, spans = case
    bl = blocks(text, spans)
    for b in bl:
        assert text[b.start : b.end] == b.text == "".join(r.text for r in b.runs)
        for r in b.runs:
            assert sorted(id(s) for s in r.spans) == covering(len(text), spans, r.start, r.end)
    # What lies between blocks is only whitespace holding a blank line.
    edges = [0] + [x for b in bl for x in (b.start, b.end)] + [len(text)]
    for a, z in zip(edges[::2], edges[1::2], strict=True):
        assert text[a:z].strip() == ""


@given(text_and_spans())
def test_rendered_html_is_well_nested_and_keeps_the_text(case):
    text, spans = case
    spans = [
        Span(s.start, s.end, "link" if s.kind == "m" else s.kind, i) for i, s in enumerate(spans)
    ]
    html = render_blocks(text, spans, element_for)
    check_html(html)
    parser = TextOf()
    parser.feed(html)
    for start, content in parser.paragraphs:
        assert text[start : start + len(content)] == content


# Corrected readings ----------------------------------------------------------


class _Fix:
    def __init__(self, replacement):
        self.replacement = replacement


def test_substitute_applies_replacements_and_moves_spans():
    from readingroom.spans import substitute

    text = "Cde. Nam II replied. Cde. Nam II asked."
    first, second = text.index("Nam II"), text.rindex("Nam II")
    fixes = [Span(first, first + 6, "fix", _Fix("Nam Il")), Span(9, 11, "fix", _Fix("XX"))]
    mention = Span(second, second + 6, "mention")
    tail = Span(text.index("asked"), len(text), "hl")
    new, spans = substitute(text, [mention, tail], fixes)
    assert new == "Cde. Nam Il replied. Cde. Nam II asked."  # the overlapping fix is skipped
    by_kind = {s.kind: s for s in spans}
    assert new[by_kind["mention"].start : by_kind["mention"].end] == "Nam II"
    assert new[by_kind["hl"].start : by_kind["hl"].end] == "asked."
    assert new[by_kind["correction"].start : by_kind["correction"].end] == "Nam Il"


def test_substitute_with_longer_and_shorter_readings():
    from readingroom.spans import substitute

    text = "CABLI N^{o} 21680 to Filippov"
    fixes = [Span(0, 5, "fix", _Fix("CABLE")), Span(6, 11, "fix", _Fix("Nº"))]
    whole = Span(0, len(text), "hl")
    inside = Span(7, 9, "hl2")  # inside a replaced range: grows to cover the replacement
    name = Span(text.index("Filippov"), len(text), "mention")
    new, spans = substitute(text, [whole, inside, name], fixes)
    assert new == "CABLE Nº 21680 to Filippov"
    got = {s.kind: new[s.start : s.end] for s in spans if s.kind != "correction"}
    assert got == {"hl": new, "hl2": "Nº", "mention": "Filippov"}
