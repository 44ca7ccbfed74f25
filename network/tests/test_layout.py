"""The drawing (``network.layout``): the same data gives the same drawing; sizes follow
degree and weight; arrows end at their targets' rims; labels stay inside the box."""

from __future__ import annotations

import math

import pytest

from network.graph import Edge, Network, Node
from network.layout import HEIGHT, MAX_DRAWN, WIDTH, draw, short_label


def star(n: int = 5, *, extra=()) -> Network:
    nodes = {"hub": Node("hub", "The Hub", side="a", side_name="Side A", side_position=1)}
    edges = []
    for i in range(n):
        slug = f"p{i:03d}"
        nodes[slug] = Node(slug, f"Person {i:03d}")
        edges.append(Edge("hub", slug, telegrams=i + 1))
    for source, target, weight in extra:
        edges.append(Edge(source, target, cables=weight))
    edges.sort(key=lambda e: -e.weight)
    return Network(nodes=nodes, edges=edges)


def test_the_same_data_gives_the_same_drawing():
    first, second = draw(star()), draw(star())
    assert [(n.slug, n.x, n.y) for n in first.nodes] == [(n.slug, n.x, n.y) for n in second.nodes]
    assert [e.path for e in first.edges] == [e.path for e in second.edges]


def test_sizes_grow_with_degree_and_weight():
    drawing = draw(star())
    radius = {n.slug: n.r for n in drawing.nodes}
    assert radius["hub"] == max(radius.values())
    assert radius["p000"] < radius["p001"] < radius["p004"] < radius["hub"]
    width = {e.edge.target: e.width for e in drawing.edges}
    assert width["p000"] < width["p002"] < width["p004"]
    # The heaviest edges are drawn last, so they lie on top.
    assert drawing.edges[-1].edge.target == "p004"


def test_edges_end_at_the_rim_of_their_target():
    drawing = draw(star())
    at = {n.slug: n for n in drawing.nodes}
    for e in drawing.edges:
        end = e.path.split()[-1].lstrip("L")
        x, y = map(float, end.split(","))
        target = at[e.edge.target]
        assert math.hypot(x - target.x, y - target.y) == pytest.approx(target.r + 3, abs=0.3)


def test_reciprocal_edges_bend_apart_and_a_self_letter_loops():
    drawing = draw(star(2, extra=[("p000", "hub", 2), ("hub", "hub", 1)]))
    paths = {(e.edge.source, e.edge.target): e.path for e in drawing.edges}
    assert " Q" in paths["hub", "p000"] and " Q" in paths["p000", "hub"]
    assert " L" in paths["hub", "p001"]  # no reverse: straight
    assert " C" in paths["hub", "hub"]


def test_everything_inside_the_box():
    drawing = draw(star(30))
    for n in drawing.nodes:
        assert n.r <= n.x <= WIDTH - n.r and n.r <= n.y <= HEIGHT - n.r
        assert 0 <= n.label_x <= WIDTH and 0 <= n.label_y <= HEIGHT
        assert n.anchor in {"start", "middle", "end"}


def test_only_the_most_connected_are_drawn():
    network = star(MAX_DRAWN + 10)
    drawing = draw(network)
    assert len(drawing.nodes) == MAX_DRAWN
    assert drawing.hidden_people == 11
    drawn = {n.slug for n in drawing.nodes}
    assert "hub" in drawn and "p000" not in drawn and f"p{MAX_DRAWN + 9:03d}" in drawn
    assert all(e.edge.target in drawn for e in drawing.edges)
    # The person a page is about is always drawn.
    assert "p000" in {n.slug for n in draw(network, person="p000").nodes}


def test_legend_and_colours():
    drawing = draw(star())
    assert drawing.sides == [("Side A", "#a3341f"), ("No side recorded", "#66615a")]
    assert {n.colour for n in drawing.nodes if n.slug != "hub"} == {"#66615a"}


def test_long_names_are_cut_at_a_word():
    name = "Second Main Directorate of the General Staff of the Soviet Army"
    assert short_label(name) == "Second Main Directorate of…"
    assert short_label("Mao Zedong") == "Mao Zedong"


def test_unconnected_parts_are_packed_not_squeezed():
    # A big star and a pair nobody else writes to: laid out together, the pair would fly
    # off and squeeze the star into a corner.
    network = star(12)
    network.nodes["x"] = Node("x", "Ex")
    network.nodes["y"] = Node("y", "Why")
    network.edges.append(Edge("x", "y", cables=1))
    drawing = draw(network)
    big = [n for n in drawing.nodes if n.slug not in {"x", "y"}]
    assert max(n.x for n in big) - min(n.x for n in big) > WIDTH / 3
    assert max(n.y for n in big) - min(n.y for n in big) > HEIGHT / 2
    assert {n.slug for n in drawing.nodes} >= {"x", "y"}


def test_only_the_heaviest_links_and_nobody_without_one():
    from network.layout import MAX_EDGES

    network = star(30)
    people = sorted(set(network.nodes) - {"hub"})
    for i, a in enumerate(people):  # everyone writes once to everyone after them
        for b in people[i + 1 :]:
            network.edges.append(Edge(a, b, cables=1))
    network.edges.sort(key=lambda e: -e.weight)
    drawing = draw(network)
    assert len(drawing.edges) == MAX_EDGES
    assert drawing.hidden_edges == len(network.edges) - MAX_EDGES
    # The hub's own links are the heaviest: all drawn.
    assert sum(1 for e in drawing.edges if e.edge.source == "hub") == 30
    ends = {s for e in drawing.edges for s in (e.edge.source, e.edge.target)}
    assert {n.slug for n in drawing.nodes} == ends
