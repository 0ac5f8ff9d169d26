"""Batch jobs send a long ``__in`` list as one array and plan for the values (PostgreSQL);
they find the same rows as Django's own ``IN``."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from tests.factories.cases import CaseFactory
from thuiszitters.batch import ARRAY_FROM, batch_statements

pytestmark = pytest.mark.django_db


def _sql_and_rows(queryset):
    with CaptureQueriesContext(connection) as queries:
        rows = sorted(queryset)
    return queries[-1]["sql"], rows


def _probe(case) -> None:
    """A query of its own shape, run more often than the prepare threshold."""
    for _ in range(4):
        list(Case.objects.filter(pk=case.pk, phase__startswith="probe").values_list("pk"))


def _probe_prepared() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"cases_case"."phase"::text LIKE%'],
        )
        return cursor.fetchone()[0]


def test_a_long_list_in_a_batch_finds_what_a_short_one_finds():
    cases = CaseFactory.create_batch(3)
    wanted = [c.pk for c in cases[:2]]
    # Padded with ids that do not exist and a None (never equal to anything).
    padded = [*wanted, None, *range(10**9, 10**9 + ARRAY_FROM)]
    pupils = [c.pupil for c in cases[:2]] + [None] * ARRAY_FROM
    phases = [cases[0].phase, *(f"no-such-phase-{i}" for i in range(ARRAY_FROM))]
    days = [datetime.date(2026, 1, 1) + datetime.timedelta(days=i) for i in range(ARRAY_FROM)]
    expected = sorted((pk,) for pk in wanted)

    outside_sql, outside = _sql_and_rows(Case.objects.filter(pk__in=padded).values_list("pk"))
    with batch_statements():
        inside_sql, inside = _sql_and_rows(Case.objects.filter(pk__in=padded).values_list("pk"))
        # Through a foreign key with model instances, on a text column, on dates.
        _sql, by_pupil = _sql_and_rows(Case.objects.filter(pupil__in=pupils).values_list("pk"))
        _sql, by_phase = _sql_and_rows(
            Case.objects.filter(pk__in=wanted, phase__in=phases).values_list("pk")
        )
        in_days = Case.objects.filter(clock_start__in=[*days, cases[2].clock_start])
        assert cases[2] in in_days
        assert not Case.objects.filter(pk__in=[None] * (ARRAY_FROM + 1)).exists()
        _probe(cases[0])
        prepared = _probe_prepared() if connection.vendor == "postgresql" else None
    assert outside == inside == by_pupil == expected
    assert by_phase == sorted((c.pk,) for c in cases[:2] if c.phase == cases[0].phase)
    assert " IN (" in outside_sql
    if connection.vendor == "postgresql":
        assert "= ANY(" in inside_sql and " IN (" not in inside_sql
        assert prepared == 0  # each planned for its values
        _probe(cases[0])  # after it, prepared again: the pages keep their plans
        assert _probe_prepared() == 1
