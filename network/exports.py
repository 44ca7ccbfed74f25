"""The network as files: GEXF and GraphML (networkx's writers, for Gephi), and CSV.

Nodes are named by the people's identifiers (slugs) and carry ``label`` (the
name, which Gephi shows), ``side`` and ``url``; edges carry ``weight`` (the
records that went that way, which Gephi reads as the edge's weight),
``cables``, ``telegrams``, ``copies``, and the ``first`` and ``last`` days as
ISO dates (empty when undated), and ``url``, the list of the edge's records.
Model-free: the views pass the absolute address of each page.

networkx (and numpy with it) is imported only where a graph is built or drawn:
imported with the URLs it cost every app server 0.14 s at start and 24 MB per
worker, for a page few requests ask for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

from network.graph import Edge, Network
from readingroom.http import safe_cell

CSV_COLUMNS = [
    "from",
    "to",
    "weight",
    "first",
    "last",
    "cables",
    "telegrams",
    "copies",
    "from_id",
    "to_id",
    "records_url",
]
GEXF_TYPE = "application/gexf+xml; charset=utf-8"
GRAPHML_TYPE = "application/graphml+xml; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"


def _day(value) -> str:
    return value.isoformat() if value else ""


def to_graph(
    network: Network,
    person_url: Callable[[str], str],
    edge_url: Callable[[Edge], str],
) -> nx.DiGraph:
    import networkx as nx  # noqa: PLC0415 (lazily: see the module docstring)

    graph = nx.DiGraph(name="Who wrote to whom")
    for slug, node in network.nodes.items():
        graph.add_node(slug, label=node.name, side=node.side_name, url=person_url(slug))
    for e in network.edges:
        graph.add_edge(
            e.source,
            e.target,
            weight=e.weight,
            cables=e.cables,
            telegrams=e.telegrams,
            copies=e.copies,
            first=_day(e.first),
            last=_day(e.last),
            url=edge_url(e),
        )
    return graph


def gexf(graph: nx.DiGraph) -> bytes:
    import networkx as nx  # noqa: PLC0415 (lazily: see the module docstring)

    out = io.BytesIO()
    nx.write_gexf(graph, out, encoding="utf-8", prettyprint=True)
    return out.getvalue()


def graphml(graph: nx.DiGraph) -> bytes:
    import networkx as nx  # noqa: PLC0415 (lazily: see the module docstring)

    out = io.BytesIO()
    nx.write_graphml(graph, out, encoding="utf-8", prettyprint=True)
    return out.getvalue()


def table(network: Network, graph: nx.DiGraph) -> str:
    """from,to,weight,first,last (names), then the counts, the identifiers and the address;
    the heaviest edge first, as the page's table."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    labels = graph.nodes(data="label")
    for e in network.edges:
        source, target = e.source, e.target
        data = graph.edges[source, target]
        writer.writerow(
            [
                safe_cell(labels[source]),
                safe_cell(labels[target]),
                data["weight"],
                data["first"],
                data["last"],
                data["cables"],
                data["telegrams"],
                data["copies"],
                source,
                target,
                data["url"],
            ]
        )
    return out.getvalue()
