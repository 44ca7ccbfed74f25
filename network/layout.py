"""The drawing of a :class:`network.graph.Network`: where each person and each edge go.

Model-free and deterministic. networkx lays the graph out
(``forceatlas2_layout``, Gephi's ForceAtlas2, with a fixed seed over the people
in slug order, so the same data always gives the same drawing; "dissuade hubs"
on, which sends the most connected people outwards instead of piling everyone
on them, as Fruchterman–Reingold's spring layout did on the synthetic archive);
each connected part on its own, the parts packed side by side. This module
only scales the positions into the SVG's box and works out the shapes:

* a node's radius grows with the square root of the records its person sent
  or received (its weighted degree), so its area is proportional to them;
* an edge's width with the square root of its weight; it ends at the rim of
  its target, where its arrowhead is, and bends when the reverse edge exists
  too, so the two never lie on top of each other; a person writing to
  themselves gets a loop;
* the heaviest edges (``BADGES``) carry their count at their middle (the middle
  of the curve), a target to click as well;
* each name goes below its person, or above, right or left, wherever the
  person's edges leave the most room.

Only the ``MAX_DRAWN`` people with the most records are drawn (the person a
page is about always among them), and the ``MAX_EDGES`` heaviest links among
them, with the people at their ends; the table beside the drawing lists every
edge.

networkx (and numpy with it) is imported only where a graph is built or drawn:
imported with the URLs it cost every app server 0.14 s at start and 24 MB per
worker, for a page few requests ask for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

from network.graph import Edge, Network, Node

SEED = 1951
WIDTH, HEIGHT = 960, 640
MARGIN = 70  # room for the labels at the sides
MAX_DRAWN = 40
MAX_EDGES = 100  # the heaviest links among them; more is a tangle nobody can read
MIN_RADIUS, MAX_RADIUS = 7.0, 26.0
MIN_WIDTH, MAX_WIDTH = 1.2, 7.0
ARROW = 11.0  # the arrowhead's length, in the SVG's units
FONT = 15  # the labels' size, in the SVG's units
LABEL_CHARS = 30  # longer names are cut (the node's title has the whole name)
MAJOR = 12  # people whose names a phone shows too (the others' are in their titles)
BADGES = 24  # edges whose count is written on them, at most
BEND = 0.18  # a reciprocal edge's bend, as a share of its length
# The sides' colours (by the side's place in lists), dark enough for 3:1 against the
# paper and for white text; people of no side are grey.
SIDE_COLOURS = ["#a3341f", "#1f5a99", "#4e6b1f", "#6d3f8c", "#8a5a00"]
NO_SIDE = "#66615a"


@dataclass
class DrawnNode:
    node: Node
    x: float
    y: float
    r: float
    degree: int
    colour: str
    label: str
    sent: int
    received: int
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "middle"  # the label's text-anchor
    baseline: str = "hanging"  # and dominant-baseline
    major: bool = False  # among the MAJOR most connected: labelled on a phone too

    @property
    def slug(self) -> str:
        return self.node.slug


@dataclass
class DrawnEdge:
    edge: Edge
    path: str
    width: float
    label_x: float
    label_y: float
    source_name: str
    target_name: str
    badge: bool  # the count is written at the middle


@dataclass
class Drawing:
    nodes: list[DrawnNode]
    edges: list[DrawnEdge]
    sides: list[tuple[str, str]]  # (name, colour) of the sides drawn, for the legend
    hidden_people: int  # people in the network but not drawn
    hidden_edges: int  # and links
    width: int = WIDTH
    height: int = HEIGHT


def drawn_people(network: Network, person: str = "", limit: int = MAX_DRAWN) -> list[str]:
    """The slugs of the people to draw: the most records first, then by name."""
    degree = network.degree()
    ranked = sorted(network.nodes, key=lambda s: (-degree[s], network.name(s).casefold(), s))
    chosen = ranked[:limit]
    if person and person in network.nodes and person not in chosen:
        chosen[-1:] = [person]
    return sorted(chosen)


def drawn_edges(network: Network, people: list[str], limit: int = MAX_EDGES) -> list[Edge]:
    """The heaviest ``limit`` edges among ``people`` (the network's order: heaviest first)."""
    chosen = set(people)
    return [e for e in network.edges if e.source in chosen and e.target in chosen][:limit]


def positions(people: list[str], edges: list[Edge]) -> dict[str, tuple[float, float]]:
    """Where each of ``people`` (slugs) goes, in a box about 3:2.

    Each connected part is laid out by networkx's ForceAtlas2 on its own
    (seeded; nodes and edges added in slug order, which the layout depends on),
    and the parts are packed in columns, the largest first, each in a square as
    large as the square root of its people: laid out together, unconnected parts
    fly apart and squeeze everything else into a corner.
    """
    import networkx as nx  # noqa: PLC0415 (lazily: see the module docstring)

    graph = nx.Graph()
    graph.add_nodes_from(people)
    for e in sorted(edges, key=lambda e: (e.source, e.target)):
        if e.source == e.target:
            continue
        # Strongly connected people closer, but not crushed together.
        w = 1 + math.log(e.weight)
        if graph.has_edge(e.source, e.target):
            graph[e.source][e.target]["weight"] += w
        else:
            graph.add_edge(e.source, e.target, weight=w)
    parts = sorted(
        (sorted(part) for part in nx.connected_components(graph)), key=lambda p: (-len(p), p)
    )
    placed: dict[str, tuple[float, float]] = {}
    # The largest part in a square on the left; the others in columns to its right, each
    # column as tall as that square (or taller, when the others are many).
    height = max(math.sqrt(len(parts[0])), math.sqrt(len(people) / 1.5))
    x = y = column_width = 0.0
    for part in parts:
        side = math.sqrt(len(part))
        if y > 0 and y + side > height + 1e-9:
            x, y, column_width = x + column_width, 0.0, 0.0
        for slug, (px, py) in _part_layout(graph, part).items():
            # [-1, 1] into the part's square, with a tenth of it to spare around.
            placed[slug] = (x + side * (0.5 + 0.4 * px), y + side * (0.5 + 0.4 * py))
        y += side
        column_width = max(column_width, side)
    return placed


def _part_layout(graph: nx.Graph, part: list[str]) -> dict[str, tuple[float, float]]:
    """One connected part's layout, filling [-1, 1] on its longer axis."""
    if len(part) == 1:
        return {part[0]: (0.0, 0.0)}
    if len(part) == 2:
        return {part[0]: (-1.0, 0.0), part[1]: (1.0, 0.0)}
    import networkx as nx  # noqa: PLC0415 (lazily: see the module docstring)

    sub = nx.Graph()
    sub.add_nodes_from(part)
    sub.add_edges_from(sorted((a, b, d) for a, b, d in graph.subgraph(part).edges(data=True)))
    placed = nx.forceatlas2_layout(
        sub, max_iter=300, seed=SEED, weight="weight", distributed_action=True
    )
    xs = [float(p[0]) for p in placed.values()]
    ys = [float(p[1]) for p in placed.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {
        slug: ((float(p[0]) - cx) / half, (float(p[1]) - cy) / half) for slug, p in placed.items()
    }


def _scale(value: float, low: float, high: float, lo: float, hi: float) -> float:
    if high <= low:
        return (lo + hi) / 2
    return lo + (value - low) / (high - low) * (hi - lo)


def _size(value: int, top: int, small: float, large: float) -> float:
    return small + (large - small) * math.sqrt(value / top) if top else small


def draw(network: Network, person: str = "", limit: int = MAX_DRAWN) -> Drawing:
    people = drawn_people(network, person, limit)
    drawn = drawn_edges(network, people)
    # Nobody without a drawn link (their links too light to draw): the table has them.
    linked = {slug for e in drawn for slug in (e.source, e.target)} | {person}
    people = [slug for slug in people if slug in linked]
    placed = positions(people, drawn)
    degree = network.degree()
    sent, received = network.flows()
    top_degree = max((degree[s] for s in people), default=0)
    xs = [x for x, _ in placed.values()] or [0.0]
    ys = [y for _, y in placed.values()] or [0.0]
    sides = sorted(
        {(n.side_position, n.side_name, n.side) for n in network.nodes.values() if n.side}
    )
    colour_of = {slug: SIDE_COLOURS[i % len(SIDE_COLOURS)] for i, (_, _, slug) in enumerate(sides)}
    nodes: dict[str, DrawnNode] = {}
    for slug in people:
        x, y = placed[slug]
        node = network.nodes[slug]
        r = _size(degree[slug], top_degree, MIN_RADIUS, MAX_RADIUS)
        cx = _scale(x, min(xs), max(xs), MARGIN + 40, WIDTH - MARGIN - 40)
        cy = _scale(y, min(ys), max(ys), MARGIN, HEIGHT - MARGIN)
        nodes[slug] = DrawnNode(
            node=node,
            x=round(cx, 1),
            y=round(cy, 1),
            r=round(r, 1),
            degree=degree[slug],
            colour=colour_of.get(node.side, NO_SIDE),
            label=short_label(node.name),
            sent=sent[slug],
            received=received[slug],
        )
    for n in nodes.values():
        _place_label(
            n,
            [
                nodes[e.target if e.source == n.slug else e.source]
                for e in drawn
                if n.slug in (e.source, e.target) and e.source != e.target
            ],
        )
    for rank, n in enumerate(sorted(nodes.values(), key=lambda n: -n.degree)):
        n.major = rank < MAJOR
    top_weight = max((e.weight for e in drawn), default=0)
    # Many links: thinner ones, so that they do not bury the people.
    widest = MAX_WIDTH if len(drawn) <= 30 else MAX_WIDTH * 0.7
    pairs = {(e.source, e.target) for e in drawn}
    # Counts on every edge while they stay legible, else on the heaviest.
    badged = {
        (e.source, e.target)
        for e in sorted(drawn, key=lambda e: -e.weight)[:BADGES]
        if len(drawn) <= BADGES or e.weight > 1
    }
    edges = []
    # The lightest first, so the heaviest lie on top.
    for e in sorted(drawn, key=lambda e: (e.weight, e.source, e.target)):
        a, b = nodes[e.source], nodes[e.target]
        width = round(_size(e.weight, top_weight, MIN_WIDTH, widest), 1)
        if a is b:
            path, (lx, ly) = _loop(a)
        else:
            path, (lx, ly) = _arc(a, b, bent=(e.target, e.source) in pairs)
        edges.append(
            DrawnEdge(
                edge=e,
                path=path,
                width=width,
                label_x=round(lx, 1),
                label_y=round(ly, 1),
                source_name=a.node.name,
                target_name=b.node.name,
                badge=(e.source, e.target) in badged,
            )
        )
    used = {n.node.side for n in nodes.values()}
    legend = [(name, colour_of[slug]) for _, name, slug in sides if slug in used]
    if any(not n.node.side for n in nodes.values()):
        legend.append(("No side recorded", NO_SIDE))
    return Drawing(
        nodes=sorted(nodes.values(), key=lambda n: n.r),  # small ones on top of big ones
        edges=edges,
        sides=legend,
        hidden_people=len(network.nodes) - len(nodes),
        hidden_edges=len(network.edges) - len(drawn),
    )


def short_label(name: str) -> str:
    if len(name) <= LABEL_CHARS:
        return name
    return name[: LABEL_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


# Where a label may go, as (angle from the node in degrees, y down), most preferred first.
LABEL_PLACES = [90, 270, 0, 180]


def _place_label(n: DrawnNode, neighbours: list[DrawnNode]) -> None:
    """Below the node, unless its edges leave that way: then above, right or left,
    whichever leaves the widest angle to the nearest edge. Kept inside the box."""
    angles = [math.degrees(math.atan2(m.y - n.y, m.x - n.x)) % 360 for m in neighbours]

    def clearance(place: int) -> float:
        return min((min(abs(place - a), 360 - abs(place - a)) for a in angles), default=180)

    # A place is good enough with 75 degrees to spare (a label is wide); else the best one.
    place = next((p for p in LABEL_PLACES if clearance(p) >= 75), None)
    if place is None:
        place = max(LABEL_PLACES, key=clearance)
    width = 0.55 * FONT * len(n.label)  # estimated at 0.55 em a letter
    # The baseline is chosen so that a larger font (a phone's) grows away from the node.
    if place == 90:
        n.label_x, n.label_y, n.anchor, n.baseline = n.x, n.y + n.r + 3, "middle", "hanging"
    elif place == 270:
        n.label_x, n.label_y, n.anchor, n.baseline = n.x, n.y - n.r - 5, "middle", "auto"
    elif place == 0:
        n.label_x, n.label_y, n.anchor, n.baseline = n.x + n.r + 5, n.y, "start", "central"
    else:
        n.label_x, n.label_y, n.anchor, n.baseline = n.x - n.r - 5, n.y, "end", "central"
    # Inside the box: a label under or over the node that would leave it starts or ends
    # at the box's edge; one beside the node that would leave it goes to the other side.
    if n.anchor == "middle":
        if n.x - width / 2 < 4:
            n.label_x, n.anchor = 4, "start"
        elif n.x + width / 2 > WIDTH - 4:
            n.label_x, n.anchor = WIDTH - 4, "end"
    elif n.anchor == "start" and n.label_x + width > WIDTH - 4:
        n.label_x, n.anchor = n.x - n.r - 5, "end"
    elif n.anchor == "end" and n.label_x - width < 4:
        n.label_x, n.anchor = n.x + n.r + 5, "start"
    n.label_x, n.label_y = round(n.label_x, 1), round(n.label_y, 1)


def _arc(a: DrawnNode, b: DrawnNode, *, bent: bool) -> tuple[str, tuple[float, float]]:
    """A line (or, for one of a reciprocal pair, a curve) from ``a``'s rim to ``b``'s."""
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    if bent:
        # The normal to the right of a→b: the reverse edge bends the other way.
        nx_, ny_ = dy / length, -dx / length
        cx = (a.x + b.x) / 2 + nx_ * BEND * length
        cy = (a.y + b.y) / 2 + ny_ * BEND * length
    else:
        cx, cy = (a.x + b.x) / 2, (a.y + b.y) / 2
    sx, sy = _towards(a, cx, cy, a.r + 2)
    ex, ey = _towards(b, cx, cy, b.r + 3)
    mid = (0.25 * sx + 0.5 * cx + 0.25 * ex, 0.25 * sy + 0.5 * cy + 0.25 * ey)
    if bent:
        return f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}", mid
    return f"M{sx:.1f},{sy:.1f} L{ex:.1f},{ey:.1f}", mid


def _towards(n: DrawnNode, x: float, y: float, distance: float) -> tuple[float, float]:
    dx, dy = x - n.x, y - n.y
    length = math.hypot(dx, dy) or 1.0
    return n.x + dx / length * distance, n.y + dy / length * distance


def _loop(n: DrawnNode) -> tuple[str, tuple[float, float]]:
    """A loop above the node, for letters a person sent to themselves."""
    r = n.r
    sx, sy = n.x - r * 0.6, n.y - r * 0.8
    ex, ey = n.x + r * 0.6, n.y - r * 0.8 - 2
    h = r + 34
    path = (
        f"M{sx:.1f},{sy:.1f} C{n.x - r - 18:.1f},{n.y - h:.1f} "
        f"{n.x + r + 18:.1f},{n.y - h:.1f} {ex:.1f},{ey:.1f}"
    )
    return path, (n.x, n.y - 0.75 * h - 0.25 * r * 0.8)
