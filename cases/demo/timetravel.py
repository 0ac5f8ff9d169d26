"""Time travel for the demo's stories.

The demo's cases run through the real services, which stamp what they write with the
present (``timezone.now()``, ``localdate()``). The stories happened in the past, and the
services have no date parameter for most of it (a case opened 150 days ago, a lead handed
over in week 4). So ``happening_at`` runs a block of service calls and then moves every
timestamp that the block wrote in the pupil's file to the story's moment.

This is the one place where the demo writes past the services: an ``UPDATE`` per table, in
plain SQL as it runs after every step (the audited managers refuse bulk updates, rightly,
everywhere else; a queryset ``update()`` per table tripled the time of the demo). It changes
nothing but dates. The audit log keeps the real time: it records when the demo was written,
and is append-only.
"""

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from registration.models import Pupil
from thuiszitters.models import AuditLogEntry

from ..models import AftercareCheckIn, Case
from ..workflow import AFTERCARE_MONTHS
from .days import latest_moment


@cache
def _statements() -> list[tuple[str, str, int]]:
    """One UPDATE per table with date-time columns in a pupil's file (the pupil, every model
    with a foreign key to the pupil, every model with one to the case), with the number of
    its table and the number of its columns. Plain SQL: built once, as the demo runs it after
    every step."""
    quote = connection.ops.quote_name
    cases = (
        f"SELECT {_column(Case, 'id')} FROM {quote(Case._meta.db_table)} "  # noqa: S608
        f"WHERE {_column(Case, 'pupil')} = %s"
    )
    found = []
    for model in apps.get_models():
        stamps = [
            quote(f.column)
            for f in model._meta.concrete_fields
            if isinstance(f, models.DateTimeField)
        ]
        if not stamps or model is AuditLogEntry:
            continue
        where: str | None
        if model is Pupil:
            where = f"{quote(model._meta.pk.column)} = %s"
        else:
            where = _pupil_condition(model, cases)
            if where is None:
                continue
        moved = " OR ".join(f"{c} >= %s" for c in stamps)
        sets = ", ".join(f"{c} = CASE WHEN {c} >= %s THEN %s ELSE {c} END" for c in stamps)
        table = quote(model._meta.db_table)
        # Names from the models' metadata, quoted; every value is a parameter.
        sql = f"UPDATE {table} SET {sets} WHERE ({moved}) AND {where}"  # noqa: S608
        found.append((model._meta.db_table, sql, len(stamps)))
    return found


def _pupil_condition(model, cases: str) -> str | None:
    quote = connection.ops.quote_name
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey) and f.related_model is Pupil:
            return f"{quote(f.column)} = %s"
        if isinstance(f, models.ForeignKey) and f.related_model is Case:
            return f"{quote(f.column)} IN ({cases})"
    return None


@contextmanager
def happening_at(pupil_id: int, when: datetime.datetime) -> Iterator[datetime.datetime]:
    """Run the block's service calls as if at ``when`` (at the latest yesterday at five)."""
    when = min(when, latest_moment(timezone.localdate()))
    start = timezone.now()
    written: set[str] = set()
    with connection.execute_wrapper(_WrittenTables(written)):
        yield when
    since = connection.ops.adapt_datetimefield_value(start)
    moment = connection.ops.adapt_datetimefield_value(when)
    with connection.cursor() as cursor:
        cursor.execute(_closed_since(), [pupil_id, since])
        closed = [pk for (pk,) in cursor.fetchall()]
        for table, sql, columns in _statements():
            # Only the tables the block wrote to: the others have nothing stamped since.
            if table in written:
                cursor.execute(sql, [since, moment] * columns + [since] * columns + [pupil_id])
    for case_id in closed:
        _closing_dates_restate(case_id, timezone.localtime(when).date())


class _WrittenTables:
    """An execute wrapper that notes the tables a block inserts into or updates."""

    _WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE)\s+"?([^\s"(]+)', re.IGNORECASE)

    def __init__(self, written: set[str]) -> None:
        self.written = written

    def __call__(self, execute, sql, params, many, context):
        if found := self._WRITE.match(sql):
            self.written.add(found.group(1))
        return execute(sql, params, many, context)


@cache
def _closed_since() -> str:
    """The pupil's cases that the block closed."""
    quote = connection.ops.quote_name
    return (
        f"SELECT {_column(Case, 'id')} FROM {quote(Case._meta.db_table)} "  # noqa: S608
        f"WHERE {_column(Case, 'pupil')} = %s AND {_column(Case, 'closed_at')} >= %s"
    )


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 - a concrete field, by its name
    return connection.ops.quote_name(field.column)


def _closing_dates_restate(case_id: int, closed_on: datetime.date) -> None:
    """``case_close`` counts the retention and the aftercare check-ins from today; the
    story's case closed on ``closed_on``."""
    case = Case._base_manager.select_related("municipality__region").get(pk=case_id)
    region = case.municipality.region
    months = region.case_retention_months if region is not None else 60
    Case._base_manager.filter(pk=case_id).update(
        retention_until=closed_on + relativedelta(months=months)
    )
    pending = AftercareCheckIn._base_manager.filter(case_id=case_id, done_on__isnull=True)
    for pk, months_on in zip(
        pending.order_by("due_on", "pk").values_list("pk", flat=True),
        AFTERCARE_MONTHS,
        strict=False,
    ):
        AftercareCheckIn._base_manager.filter(pk=pk).update(
            due_on=closed_on + relativedelta(months=months_on)
        )
