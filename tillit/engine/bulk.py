"""Storing what the engine computed, fast: plain executemany, no model instances.

A year of a large municipality stores close to a million rows of quality evidence (continuity
observations, recipient months, deadline items) and as many statement lines; `bulk_create`
spends most of its time making model objects. Values go through each field's own database
preparation, so dates, decimals and JSON are stored exactly as the ORM would store them, on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

_BATCH = 5000


def insert_rows(model: type[models.Model], names: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert `rows` (values in the order of `names`, foreign keys as ids); return how many."""
    # the connection itself, not django.db.connection: every attribute read through that proxy
    # costs a thread-local look-up, and preparing values reads several per value
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    # Only dates, decimals and JSON need preparing (the others pass through as they are). A
    # Decimal is its own prepared value (DecimalField.to_python gives Decimal(value) and every
    # backend's adapt_decimalfield_value returns it as it is); a date is prepared once per
    # distinct date (a run stores a handful).
    prepared = [n for n, field in enumerate(fields)
                if isinstance(field, (models.DateField, models.DecimalField, models.JSONField))]
    dates: dict[tuple[int, Any], Any] = {}
    count, batch = 0, []
    with connection.cursor() as cursor:
        for row in rows:
            values = list(row)
            for n in prepared:
                value = values[n]
                if value is None or (type(value) is Decimal and value.is_finite()):
                    continue
                if type(value) is datetime.date:
                    if (n, value) not in dates:
                        dates[(n, value)] = fields[n].get_db_prep_save(value, connection)
                    values[n] = dates[(n, value)]
                else:
                    values[n] = fields[n].get_db_prep_save(value, connection)
            batch.append(values)
            if len(batch) >= _BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
