"""Time the network page's two costs on this database: reading the graph and laying
it out (``manage.py time_network``; the figures in bench/results.md)."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from network import graph, layout
from network.graph import Range


def _timed(fn, repeat: int):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - started) * 1000)
    return value, min(times), statistics.median(times)


class Command(BaseCommand):
    help = "Time reading the correspondence graph and laying it out, for a date range."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="First day, e.g. 1951-07-10.")
        parser.add_argument("--to", dest="end", help="Last day, e.g. 1951-07-11.")
        parser.add_argument("--person", default="", help="A person's identifier (slug).")
        parser.add_argument("--repeat", type=int, default=7)

    def handle(self, *args, start=None, end=None, person="", repeat=7, **options):
        try:
            span = Range(
                start=dt.date.fromisoformat(start) if start else None,
                end=dt.date.fromisoformat(end) if end else None,
            )
        except ValueError as error:
            raise CommandError(
                f"--from and --to take dates such as 1951-07-10 ({error})."
            ) from None
        with CaptureQueriesContext(connection) as queries:
            graph.read(span)
        network, best, median = _timed(lambda: graph.read(span), repeat)
        network = network.limited(person=person)
        self.stdout.write(
            f"{connection.vendor}: graph {len(network.nodes)} people, {len(network.edges)} "
            f"links, {network.records} records; read in {len(queries)} queries, "
            f"best {best:.1f} ms, median {median:.1f} ms"
        )
        started = time.perf_counter()
        layout.draw(network, person)
        first = (time.perf_counter() - started) * 1000
        drawing, best, median = _timed(lambda: layout.draw(network, person), repeat)
        self.stdout.write(
            f"layout: {len(drawing.nodes)} people and {len(drawing.edges)} links drawn; "
            f"first in this process {first:.0f} ms, then best {best:.1f} ms, "
            f"median {median:.1f} ms"
        )
