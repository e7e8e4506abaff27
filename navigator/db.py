"""Bulk writes for jobs, where the ORM's own way costs more than the work itself: `rows_insert`
(for `bulk_create`; `rows_insert_together` for several models in one statement),
`rows_update` (for `bulk_update`), `AnyOf` (for `__in` over a batch's hundreds of ids), and
`row_address` with `rows_at` (a batch's locked rows updated where they lie, without looking each
key up again)."""

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import F, QuerySet
from django.db.models.expressions import Expression, RawSQL
from django.db.models.lookups import In

# The annotation `row_address` adds: the row's physical address (PostgreSQL's `ctid`).
ROW_ADDRESS = "row_address"


class AnyOf(In):
    """`field IN (...)` over a batch's ids, as `filter(AnyOf(F("item_id"), ids))`.

    On PostgreSQL `field = ANY(%s::type[])` with the values as one parameter, written as an
    array's text: `__in` sends one literal per value, which psycopg2 adapts one by one and the
    server parses one by one; for a batch of 500 ids that was twice the time of the lookup
    itself (5.7 ms against 2.6 for a batch's open tasks). The same rows either way; elsewhere
    (SQLite) it is `__in`.
    """

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        db_type = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
        # As `__in`: None is left out (NULL equals nothing); no values, no rows.
        values = (
            field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs if v is not None
        )
        return f"{lhs} = ANY(%s::{db_type}[])", [*lhs_params, _array_text(map(str, values))]


def _array_text(texts: Iterable[str | None]) -> str:
    """A PostgreSQL array's text form, `{"a","b",NULL}`: each element quoted so any text reads
    back as itself; None is NULL."""
    return "{" + ",".join("NULL" if t is None else _array_element(t) for t in texts) + "}"


def _array_element(text: str) -> str:
    """One element of a PostgreSQL array's text form, quoted so any text reads back as itself."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _columns_source(
    fields: Sequence[Any], values: Sequence[Sequence[Any]]
) -> tuple[str, list[str]]:
    """Rows as a FROM source on PostgreSQL, `unnest(%s::type[], ...) AS v(column, ...)`, and its
    parameters: each column's values as one array, written in the array's text form.

    The server reads each array with its type's own input function: for a batch of 500 chase
    tasks 0.25 ms, where the same rows as one JSON document through `json_populate_recordset`
    took 1.4 ms, as long as writing them (each row's keys matched to columns one by one).
    Values are str, int, bool, None, UUID, dates and aware datetimes, whose `str` PostgreSQL
    reads, and a JSON field's values, written as JSON text."""
    quote = connection.ops.quote_name
    types: list[str] = [f.db_type(connection) for f in fields]
    parameters = []
    for n, db_type in enumerate(types):
        write = (lambda v: json.dumps(v, default=str)) if db_type == "jsonb" else str
        parameters.append(_array_text(None if row[n] is None else write(row[n]) for row in values))
    arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
    columns = ", ".join(quote(f.column) for f in fields)
    return f"unnest({arrays}) AS v({columns})", parameters


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

    On PostgreSQL the rows go as one array parameter per column (`_columns_source`): psycopg2
    adapts every parameter in Python and a long VALUES list is slow to plan, which for a job's
    batch took longer than the insert itself. Elsewhere (SQLite) a VALUES list, split to stay
    within the database's limit on parameters.
    """
    [inserted] = rows_insert_together(tables=[(model, rows)], conflict_target=conflict_target)
    return inserted


def rows_insert_together(
    *,
    tables: Sequence[tuple[type[models.Model], Sequence[models.Model]]],
    conflict_target: Sequence[str] = (),
) -> list[set[Any]]:
    """`rows_insert` for the rows of several models at once (a job's batch writing its
    tasks, records and audit entries); the primary keys inserted, per model, in order.

    On PostgreSQL one statement, an INSERT per model in a WITH: each statement is a round
    trip that waits its turn on a busy machine, and the rows' foreign keys to each other are
    checked at commit (Django makes them DEFERRABLE INITIALLY DEFERRED). Elsewhere (SQLite)
    `rows_insert`'s statements, model by model, in the order given.
    """
    prepared = [_Insert(model, rows, conflict_target) for model, rows in tables]
    writing = [p for p in prepared if p.rows]
    if connection.vendor == "postgresql" and len(writing) == 1:
        [one] = writing
        with connection.cursor() as cursor:
            cursor.execute(*one.postgresql())
            one.returned.extend(one.pk.to_python(value) for (value,) in cursor.fetchall())
    elif connection.vendor == "postgresql" and writing:
        statements = [p.postgresql() for p in writing]
        parts = [f"w{n} AS ({sql})" for n, (sql, _) in enumerate(statements)]
        tags = " UNION ALL ".join(
            f"SELECT {n}, {p.pk_column}::text FROM w{n}"  # noqa: S608 - our own names
            for n, p in enumerate(writing)
        )
        parameters = [value for _, values in statements for value in values]
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(parts)} {tags}", parameters)
            for n, value in cursor.fetchall():
                writing[n].returned.append(writing[n].pk.to_python(value))
    else:
        for p in writing:
            with connection.cursor() as cursor:
                for sql, params in p.values_statements():
                    cursor.execute(sql, params)
                    p.returned.extend(p.pk.to_python(value) for (value,) in cursor.fetchall())
    return [p.done() for p in prepared]


class _Insert:
    """One model's rows for `rows_insert_together`: checked, with their values and SQL."""

    def __init__(
        self,
        model: type[models.Model],
        rows: Sequence[models.Model],
        conflict_target: Sequence[str],
    ) -> None:
        meta = model._meta
        self.model, self.rows = model, rows
        self.pk: Any = meta.pk
        self.auto_pk = self.pk.db_returning
        if self.auto_pk and conflict_target:
            raise ValueError("Rows with database-made ids cannot be matched when some are skipped.")
        if self.auto_pk and any(row.pk is not None for row in rows):
            raise ValueError("Leave every id to the database, or set them all.")
        self.fields: list[Any] = [
            f for f in meta.concrete_fields if not (self.auto_pk and f.primary_key)
        ]
        for row in rows:
            # As `bulk_create` does: refuse an unsaved related row, take a related row's new pk.
            row._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
        self.values = [[f.pre_save(row, add=True) for f in self.fields] for row in rows]
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        self.columns = ", ".join(quote(f.column) for f in self.fields)
        self.pk_column = quote(str(self.pk.column))
        self.tail = f"RETURNING {self.pk_column}"
        if conflict_target:
            targets: list[Any] = [meta.get_field(name) for name in conflict_target]
            target = ", ".join(quote(f.column) for f in targets)
            self.tail = f"ON CONFLICT ({target}) DO NOTHING {self.tail}"
        self.returned: list[Any] = []

    def postgresql(self) -> tuple[str, list[str]]:
        """The INSERT on PostgreSQL, from the rows' columns as arrays (`_columns_source`), and
        its parameters."""
        source, parameters = _columns_source(self.fields, self.values)
        sql = (
            f"INSERT INTO {self.table} ({self.columns}) SELECT {self.columns} "  # noqa: S608
            f"FROM {source} {self.tail}"
        )
        return sql, parameters

    def values_statements(self) -> list[tuple[str, list[Any]]]:
        placeholders = f"({', '.join(['%s'] * len(self.fields))})"
        size = connection.ops.bulk_batch_size(self.fields, self.rows)
        statements = []
        for start in range(0, len(self.rows), size):
            chunk = self.values[start : start + size]
            sql = (
                f"INSERT INTO {self.table} ({self.columns}) "  # noqa: S608 - our own names
                f"VALUES {', '.join([placeholders] * len(chunk))} {self.tail}"
            )
            params = [
                f.get_db_prep_save(value, connection)
                for row in chunk
                for f, value in zip(self.fields, row, strict=True)
            ]
            statements.append((sql, params))
        return statements

    def done(self) -> set[Any]:
        """Mark the rows inserted as saved; their primary keys."""
        if self.auto_pk:
            # RETURNING gives the rows in the order inserted, as `bulk_create` relies on too.
            for row, value in zip(self.rows, self.returned, strict=True):
                row.pk = value
        inserted = set(self.returned)
        for row in self.rows:
            if row.pk in inserted:
                row._state.adding, row._state.db = False, connection.alias
        return inserted


def rows_update(
    *, model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]
) -> int:
    """UPDATE saved `rows` of `model`, each with its own values of `fields`, as `bulk_update`
    would (no `pre_save`, so `auto_now` is not touched); the number of rows updated.

    On PostgreSQL one UPDATE ... FROM the rows as arrays (`_columns_source`): `bulk_update` writes a
    CASE with a branch per row for each field, whose thousands of parameters and per-row
    search cost more than the update itself. Elsewhere (SQLite) `bulk_update`.
    """
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_update(rows, fields)
    meta = model._meta
    pk: Any = meta.pk
    targets: list[Any] = [pk, *(meta.get_field(name) for name in fields)]
    source, parameters = _columns_source(
        targets, [[getattr(row, f.attname) for f in targets] for row in rows]
    )
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in targets[1:])
    sql = (
        f"UPDATE {table} AS t SET {assignments} FROM {source} "  # noqa: S608 - our own names
        f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.rowcount


def row_address(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset` with each row's physical address, PostgreSQL's `ctid`, as `row_address`,
    for `rows_at` to update those rows by (elsewhere, `queryset` as it is).

    An address is good only while nothing else can move the row: read it in a query that
    locks the rows (`select_for_update`) and update them in the same transaction. The table
    is named, not aliased, so the query must not join it twice."""
    if connection.vendor != "postgresql":
        return queryset
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    return queryset.annotate(
        **{ROW_ADDRESS: RawSQL(f"{table}.ctid::text", (), output_field=models.TextField())}  # noqa: S611 - our own name
    )


def rows_at(*, model: type[models.Model], rows: Sequence[models.Model]) -> QuerySet[Any]:
    """The saved `rows` of `model` as a queryset to `update()`: by the addresses `row_address`
    read (one visit to each row's page, `ctid = ANY(...)`, where by key each row costs a
    descent of the primary key's index first), or by primary key when a row has none.

    A row updated since its address was read has moved, and is not found there: the caller
    compares the count `update()` returns with `len(rows)`."""
    addresses: list[str | None] = [getattr(row, ROW_ADDRESS, None) for row in rows]
    manager = model._default_manager
    if connection.vendor != "postgresql" or None in addresses:
        return manager.filter(AnyOf(F("pk"), [row.pk for row in rows]))
    return manager.filter(_AtAddress(model, [a for a in addresses if a is not None]))


class _AtAddress(Expression):
    """WHERE the row's `ctid` is one of `addresses` (a TID scan: no index read)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, model: type[models.Model], addresses: Sequence[str]) -> None:
        super().__init__()
        self.model, self.addresses = model, list(addresses)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str, ...]]:
        table = connection.ops.quote_name(self.model._meta.db_table)
        return f"{table}.ctid = ANY(%s::tid[])", (_array_text(self.addresses),)
