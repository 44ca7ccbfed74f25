"""The signed-in reader's two lookups on every request, without the ORM's query building.

A signed-in page costs the session row and the user row before anything else;
for a page answered from the page cache they were most of the request (about
0.3 ms each through the ORM, of which two thirds compiling the same two
queries every time). These do the same lookups with fixed SQL and the same
results: the session only while it has not expired, the user only if active.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    """Django's database sessions; loading one is a single fixed SELECT."""

    def _get_session_from_db(self):
        model = self.model
        using = router.db_for_read(model)
        connection = connections[using]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])


@functools.cache
def _user_select(using: str):
    """The SELECT of one user by primary key, its attribute names and value converters."""
    model = get_user_model()
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    columns = ", ".join(quote(f.column) for f in fields)
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"SELECT {columns} FROM {table} WHERE {key} = %s"
    converters = []
    for i, field in enumerate(fields):
        col = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
            converters.append((i, col, convert))
    return sql, [f.attname for f in fields], converters


class UserBackend(ModelBackend):
    """ModelBackend, with the per-request ``get_user`` as one fixed SELECT."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:  # a malformed id in a session is no user
            return None
        using = router.db_for_read(model)
        connection = connections[using]
        sql, attnames, converters = _user_select(using)
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for i, col, convert in converters:
            values[i] = convert(values[i], col, connection)
        user = model.from_db(using, attnames, values)
        return user if self.user_can_authenticate(user) else None
