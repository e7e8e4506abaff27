"""Bulk writes for jobs, where the ORM's own way costs more than the work itself: `rows_insert`
(for `bulk_create`) and `rows_update` (for `bulk_update`)."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def rows_insert(
    *,
    model: type[models.Model],
    rows: Sequence[models.Model],
    conflict_target: Sequence[str] = (),
) -> set[Any]:
    """INSERT unsaved `rows` of `model`, as `bulk_create` would; the primary keys inserted.

    Each row inserted ends as if saved by the ORM (`pre_save` run, so `auto_now_add` is set;
    its pk set; `_state.adding` False). With `conflict_target` (field names), a row clashing
    with an existing one on that unique key is skipped (ON CONFLICT DO NOTHING), left unsaved
    and not returned; without it, a clash raises IntegrityError, as `bulk_create` does.
    Primary keys are either set by the caller (UUIDs) or all left to the database (auto ids,
    which cannot be matched back to rows when some may be skipped, so then no conflict_target).

    On PostgreSQL the rows go as one JSON parameter through `json_populate_recordset`: psycopg2
    adapts every parameter in Python and a long VALUES list is slow to plan, which for a job's
    batch took longer than the insert itself. Elsewhere (SQLite) a VALUES list, split to stay
    within the database's limit on parameters.
    """
    if not rows:
        return set()
    meta = model._meta
    pk: Any = meta.pk
    auto_pk = pk.db_returning
    if auto_pk and conflict_target:
        raise ValueError("Rows with database-made ids cannot be matched when some are skipped.")
    if auto_pk and any(row.pk is not None for row in rows):
        raise ValueError("Leave every id to the database, or set them all.")
    fields: list[Any] = [f for f in meta.concrete_fields if not (auto_pk and f.primary_key)]
    for row in rows:
        # As `bulk_create` does: refuse an unsaved related row, take a related row's new pk.
        row._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
    values = [[f.pre_save(row, add=True) for f in fields] for row in rows]

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    tail = f"RETURNING {quote(pk.column)}"
    if conflict_target:
        targets: list[Any] = [meta.get_field(name) for name in conflict_target]
        target = ", ".join(quote(f.column) for f in targets)
        tail = f"ON CONFLICT ({target}) DO NOTHING {tail}"
    statements: list[tuple[str, list[Any]]] = []
    if connection.vendor == "postgresql":
        # Values are str, int, bool, None, UUID, dates and aware datetimes: `str` writes the
        # last three in forms PostgreSQL reads, so no field needs its own conversion.
        names = [f.column for f in fields]
        payload = json.dumps([dict(zip(names, row, strict=True)) for row in values], default=str)
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608 - our own names
            f"FROM json_populate_recordset(NULL::{table}, %s) {tail}"
        )
        statements.append((sql, [payload]))
    else:
        placeholders = f"({', '.join(['%s'] * len(fields))})"
        size = connection.ops.bulk_batch_size(fields, rows)
        for start in range(0, len(rows), size):
            chunk = values[start : start + size]
            sql = (
                f"INSERT INTO {table} ({columns}) "  # noqa: S608 - our own names
                f"VALUES {', '.join([placeholders] * len(chunk))} {tail}"
            )
            params = [
                f.get_db_prep_save(value, connection)
                for row in chunk
                for f, value in zip(fields, row, strict=True)
            ]
            statements.append((sql, params))
    returned: list[Any] = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            returned.extend(pk.to_python(value) for (value,) in cursor.fetchall())
    if auto_pk:
        # RETURNING gives the rows in the order inserted, as `bulk_create` relies on too.
        for row, value in zip(rows, returned, strict=True):
            row.pk = value
    inserted = set(returned)
    for row in rows:
        if row.pk in inserted:
            row._state.adding, row._state.db = False, connection.alias
    return inserted


def rows_update(
    *, model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]
) -> int:
    """UPDATE saved `rows` of `model`, each with its own values of `fields`, as `bulk_update`
    would (no `pre_save`, so `auto_now` is not touched); the number of rows updated.

    On PostgreSQL one UPDATE ... FROM the rows as one JSON parameter: `bulk_update` writes a
    CASE with a branch per row for each field, whose thousands of parameters and per-row
    search cost more than the update itself. Elsewhere (SQLite) `bulk_update`.
    """
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_update(rows, fields)
    meta = model._meta
    pk: Any = meta.pk
    targets: list[Any] = [meta.get_field(name) for name in fields]
    columns = [pk.column] + [f.column for f in targets]
    attnames = [pk.attname] + [f.attname for f in targets]
    payload = json.dumps(
        [{c: getattr(row, a) for c, a in zip(columns, attnames, strict=True)} for row in rows],
        default=str,
    )
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    assignments = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns[1:])
    sql = (
        f"UPDATE {table} AS t SET {assignments} "  # noqa: S608 - our own names
        f"FROM json_populate_recordset(NULL::{table}, %s) AS v "
        f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [payload])
        return cursor.rowcount
