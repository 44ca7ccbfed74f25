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

from django.conf import settings
from django.db import models


class Version(models.Model):
    scope = models.CharField(max_length=250, primary_key=True)
    counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope} at version {self.counter}"


class Registration(models.Model):
    """An account made on the sign-up page: its e-mail confirmation and its pre-moderation.

    Accounts without one (made by an editor in the admin, or before sign-up
    was moderated) are established: they publish at once. A self-registered
    account must confirm its address before it publishes to everyone, and its
    public notes wait for an editor until one of them is approved (issue 15).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registration"
    )
    created = models.DateTimeField(auto_now_add=True)
    email_confirmed = models.DateTimeField(
        null=True, blank=True, help_text="When the account followed the link sent to its address."
    )
    approved = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an editor approved its first public note; from then on its notes "
        "are published without waiting.",
    )

    def __str__(self) -> str:
        return f"Registration of {self.user}"
