"""The project's own bookkeeping: the data versions.

``Version`` rows count committed changes to the reading room's data, one row
per *scope*: ``archive`` (the entities every page may show: people, sides,
collections, agendas, users' names), ``cable:<slug>`` (one cable's records and
the notes on it), and the shards of the two aggregates ``records.<n>`` and
``notes.<n>`` (any cable's records; anyone's notes), which pages that list the
whole archive read as sums. Database triggers bump them inside the writing
transaction (installed after every ``migrate`` by
``readingroom.caching.install_triggers``), so every write path — forms, the
admin, ``QuerySet.update()``, bulk inserts, imports, raw SQL — moves them, and
they move atomically with the data. Pages use them as cheap validators for
conditional requests and as the keys of the page cache (``readingroom.caching``).
"""

from django.db import models


class Version(models.Model):
    scope = models.CharField(max_length=250, primary_key=True)
    counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope} at version {self.counter}"
