"""``precompiled`` (ADR 0028): a queryset of a fixed shape compiles once per process and then
answers for any ids as Django's own query would; anything derived from it is a plain query.
``precompiled_rows`` reads the same as records, as Django's ``values_list`` would."""

import datetime
from typing import NamedTuple
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import F
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from thuiszitters.models import Organisation
from thuiszitters.precompiled import precompiled, precompiled_rows

from ..factories.organisations import MunicipalityFactory, RegionFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def plain(region_id):
    return (
        Organisation.objects.filter(region_id=region_id, is_active=True)
        .select_related("region")
        .order_by("-name", "id")
    )


@pytest.fixture
def regions():
    north, south = RegionFactory(name="Noord"), RegionFactory(name="Zuid")
    for region in (north, south):
        MunicipalityFactory(region=region)
        SchoolFactory(swv__region=region, name=f"School in {region.name}")
    SchoolFactory(swv__region=north, name="Gesloten school", is_active=False)
    return north, south


def rows(queryset):
    return [(o.pk, o.name, o.region.name) for o in queryset]


def test_it_answers_as_the_plain_query_for_each_id(regions):
    kept = precompiled(plain)
    for region in (*regions, regions[0]):
        with CaptureQueriesContext(connection) as queries:
            got = rows(kept(region.pk))  # the region with its rows: one query
        assert got == rows(plain(region.pk))
        assert got and len(queries) == 1
    assert list(kept(0)) == []


def test_it_compiles_once_and_then_only_puts_in_the_ids(regions):
    kept = precompiled(plain)
    list(kept(regions[0].pk))
    expected = rows(plain(regions[1].pk))
    with mock.patch.object(
        SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
    ) as compiling:
        got = rows(kept(regions[1].pk))
        assert rows(kept(regions[1].pk).filter(kind="school"))  # derived: compiled
    assert got == expected
    assert compiling.call_count == 1


def test_derived_querysets_are_plain_queries(regions):
    kept = precompiled(plain)
    north = regions[0].pk
    assert rows(kept(north).filter(kind="school")) == rows(plain(north).filter(kind="school"))
    assert rows(kept(north).order_by("id")) == rows(plain(north).order_by("id"))
    assert rows(kept(north)[:1]) == rows(plain(north)[:1])
    assert kept(north).count() == plain(north).count() > 1
    assert kept(north).first() == plain(north).first()
    assert kept(north).exists() and not kept(0).exists()
    assert list(kept(north).values_list("name", flat=True)) == list(
        plain(north).values_list("name", flat=True)
    )


def test_ids_in_several_places(regions):
    @precompiled
    def either(region_id, other_id):
        return Organisation.objects.filter(region_id__in=[region_id, other_id]).order_by("id")

    north, south = (r.pk for r in regions)
    assert [o.pk for o in either(north, south)] == [
        o.pk for o in Organisation.objects.filter(region_id__in=[north, south]).order_by("id")
    ]
    assert [o.pk for o in either(south, south)] == [
        o.pk for o in Organisation.objects.filter(region_id=south).order_by("id")
    ]


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda region_id: Organisation.objects.all(), id="drops the id"),
        pytest.param(lambda n: Organisation.objects.all()[: -n % 7 + 1], id="id in the SQL text"),
        pytest.param(
            lambda region_id: (
                Organisation.objects.filter(region_id=region_id)
                if region_id < -1_500_000_000
                else Organisation.objects.filter(pk=region_id)
            ),
            id="shape follows the value",
        ),
    ],
)
def test_a_builder_whose_sql_does_not_hold_its_ids_is_refused(regions, build):
    with pytest.raises(ImproperlyConfigured):
        list(precompiled(build)(regions[0].pk))


def test_other_arguments_keep_a_shape_each(regions):
    @precompiled
    def of_kind(kind, region_id):
        return Organisation.objects.filter(kind=kind, region_id=region_id).order_by("id")

    north = regions[0].pk
    for kind in ("school", "municipality", "school"):
        assert [o.pk for o in of_kind(kind, north)] == [
            o.pk for o in Organisation.objects.filter(kind=kind, region_id=north).order_by("id")
        ]
    assert list(of_kind("school", north).filter(name__startswith="Gesloten")) == list(
        Organisation.objects.filter(region_id=north, name__startswith="Gesloten")
    )


def test_a_query_that_can_match_nothing(regions):
    @precompiled
    def none_of(region_id):
        return Organisation.objects.filter(region_id=region_id, pk__in=[])

    assert list(none_of(regions[0].pk)) == []
    assert none_of(regions[0].pk).count() == 0


class OrganisationRow(NamedTuple):
    id: int
    name: str
    is_active: bool
    created_at: datetime.datetime
    region_name: str


def _organisation_rows(region_id):
    return (
        Organisation.objects.filter(region_id=region_id)
        .annotate(region_name=F("region__name"))
        .values_list(*OrganisationRow._fields)
        .order_by("-name", "id")
    )


def test_rows_answer_as_djangos_values_list_for_each_id(regions):
    kept = precompiled_rows(OrganisationRow)(_organisation_rows)
    for region in (*regions, regions[0]):
        with CaptureQueriesContext(connection) as queries:
            got = kept(region.pk)  # one query, counted as any other
        expected = list(_organisation_rows(region.pk))
        assert got == expected and len(queries) == 1
        assert all(type(row) is OrganisationRow for row in got)
        # As Django converts them on this database (SQLite stores booleans and times as
        # numbers and text).
        assert [tuple(map(type, row)) for row in got] == [tuple(map(type, r)) for r in expected]
    assert kept(0) == []


def test_rows_of_a_query_that_matches_nothing_need_no_query(regions):
    @precompiled_rows(OrganisationRow)
    def none_of(region_id):
        return _organisation_rows(region_id).filter(pk__in=[])

    with CaptureQueriesContext(connection) as queries:
        assert none_of(regions[0].pk) == []
    assert len(queries) == 0


@pytest.mark.parametrize(
    "columns",
    [
        pytest.param(("id", "name", "is_active", "region_name", "created_at"), id="order"),
        pytest.param(("id", "name", "is_active", "created_at"), id="one missing"),
    ],
)
def test_rows_whose_columns_are_not_the_records_fields_are_refused(regions, columns):
    @precompiled_rows(OrganisationRow)
    def other(region_id):
        return (
            Organisation.objects.filter(region_id=region_id)
            .annotate(region_name=F("region__name"))
            .values_list(*columns)
        )

    with pytest.raises(ImproperlyConfigured, match="OrganisationRow"):
        other(regions[0].pk)
