"""The project's own bookkeeping: one row holding the data version.

``ContentVersion`` (a single row, id 1) counts committed changes to the
reading room's data. Database triggers bump it inside the writing transaction
(installed after every ``migrate`` by ``readingroom.caching.install_triggers``),
so every write path — forms, the admin, ``QuerySet.update()``, bulk inserts,
imports, raw SQL — moves it, and it moves atomically with the data. Pages use
it as a cheap validator for conditional requests (``readingroom.caching``).
"""

from django.db import models


class ContentVersion(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    counter = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="content_version_one_row")
        ]

    def __str__(self) -> str:
        return f"data version {self.counter}"
