"""Query budgets: the home page and every list run the same queries for 1 and 25 rows."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from thuiszitters.audit import audit_record
from thuiszitters.models import AuditAction
from thuiszitters.roles import RoleCode

from ..factories.organisations import SchoolFactory
from ..factories.users import SETUP, member

# Upper bound per page: session, user, memberships, the data, pagination count, a little slack.
BUDGET = 12


def _grow(world, n):
    """Add n schools, n colleagues and n audit entries in region A."""
    for _ in range(n):
        SchoolFactory(swv=world.swv, municipality=world.m1)
        member(world.swv, RoleCode.SWV_CONSULTANT)
    with transaction.atomic():
        for i in range(n):
            audit_record(
                actor=SETUP,
                action=AuditAction.UPDATE,
                object_type="x",
                object_id=i,
                organisation=world.swv,
            )


def _count(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx)


def _urls(world):
    return [
        reverse("home"),
        reverse("organisation_list"),
        reverse("organisation_detail", args=[world.swv.pk]),
        reverse("audit_log"),
        reverse("organisation-list"),
        reverse("school-list"),
        reverse("user-list"),
        reverse("membership-list"),
        reverse("auditlogentry-list"),
    ]


@pytest.mark.parametrize("index", range(9))
def test_query_count_does_not_grow_with_rows(world, user_with_role, login, index):
    admin = user_with_role(RoleCode.FUNCTIONAL_ADMIN)
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    url = _urls(world)[index]
    user = admin if "audit" in url else director
    _grow(world, 1)
    small = _count(login(user), url)
    _grow(world, 24)
    large = _count(login(user), url)
    assert small == large, f"{url}: {small} queries for 1 row, {large} for 25"
    assert large <= BUDGET, f"{url}: {large} queries"
