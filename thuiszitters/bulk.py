"""Many new rows in one statement per chunk, for the batch services (the sweep, ADR 0012).

``bulk_create`` builds a model instance's worth of prepared values and a placeholder per
value: for the sweep's 350,000 rows a day of escalations that was most of its time (issue
15). On PostgreSQL this sends one array per column instead, ``INSERT ... SELECT * FROM
unnest(...)``, with the same conflict handling; elsewhere (SQLite) it is ``bulk_create``.
``insert_columns`` takes the values column by column, without a model instance per row
(the sweep's journal, audit and notification rows: 150,000 instances were a fifth of its
time); the rows get no primary keys back, the callers do not need them.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models

CHUNK = 10_000


def insert_columns(
    model: type[models.Model],
    columns: Mapping[str, Sequence[Any] | Any],
    rows: int,
    *,
    ignore_conflicts: bool = False,
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> int:
    """Insert ``rows`` rows of ``model`` given per field (by attname): a sequence of
    ``rows`` values, or one value for every row. Fields not given take their default.
    JSON fields take Python values. With ``ignore_conflicts`` rows that break a unique
    constraint are skipped; with ``unique_fields`` and ``update_fields`` they update the row
    they conflict with."""
    if not rows:
        return 0
    unknown = set(columns) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model._meta.label} has no fields {sorted(unknown)}")
    fields = [f for f in model._meta.concrete_fields if not getattr(f, "db_returning", False)]
    values = []
    for f in fields:
        given = columns.get(f.attname, _DEFAULT)
        if given is _DEFAULT:
            given = f.get_default()
        if isinstance(given, list | tuple):
            if len(given) != rows:
                raise ValueError(f"{f.attname}: {len(given)} values for {rows} rows")
            values.append(list(given))
        else:
            values.append([given] * rows)
    if connection.vendor != "postgresql":
        objs = [
            model(**{f.attname: column[i] for f, column in zip(fields, values, strict=True)})
            for i in range(rows)
        ]
        model._default_manager.bulk_create(
            objs,
            batch_size=2000,
            ignore_conflicts=ignore_conflicts,
            update_conflicts=bool(update_fields),
            unique_fields=unique_fields or None,
            update_fields=update_fields or None,
        )
        return rows
    values = [
        [None if v is None else json.dumps(v, cls=f.encoder) for v in column]
        if isinstance(f, models.JSONField)
        else column
        for f, column in zip(fields, values, strict=True)
    ]
    _execute(
        model,
        fields,
        values,
        rows,
        ignore_conflicts=ignore_conflicts,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )
    return rows


_DEFAULT = object()


def _execute(
    model: type[models.Model],
    fields: list[models.Field],
    columns: list[list],
    rows: int,
    *,
    ignore_conflicts: bool = False,
    unique_fields: Sequence[str] = (),
    update_fields: Sequence[str] = (),
) -> None:
    quote = connection.ops.quote_name
    # Names and types come from the model's definition, values travel as parameters.
    table, names = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    sql = f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})"  # noqa: S608
    if update_fields:
        targets = [_column_name(model, name) for name in unique_fields]
        sets = [_column_name(model, name) for name in update_fields]
        sql += f" ON CONFLICT ({', '.join(quote(c) for c in targets)}) DO UPDATE SET " + ", ".join(
            f"{quote(c)} = EXCLUDED.{quote(c)}" for c in sets
        )
    elif ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        for start in range(0, rows, CHUNK):
            cursor.execute(sql, [_array(column[start : start + CHUNK]) for column in columns])


def _array(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal (``'{1,NULL,"a b"}'``): one string the server parses in
    one go. A Python list would become ``ARRAY[...]`` with an expression per element, which
    took the server three times as long to parse as to insert. A column holds one type:
    its first value decides how all are written."""
    sample = next((v for v in values if v is not None), None)
    if sample is None:
        items = ["NULL"] * len(values)
    elif isinstance(sample, bool):
        items = ["NULL" if v is None else ("t" if v else "f") for v in values]
    elif isinstance(sample, int):
        items = ["NULL" if v is None else str(v) for v in values]
    elif hasattr(sample, "isoformat"):  # dates and times need no escaping
        items = ["NULL" if v is None else f'"{v.isoformat()}"' for v in values]
    else:
        items = ["NULL" if v is None else _quoted(str(v)) for v in values]
    return "{" + ",".join(items) + "}"


def _quoted(text: str) -> str:
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _column_name(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column  # noqa: S101 - a programming error
    return field.column
