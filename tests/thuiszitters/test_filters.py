"""``thuiszitters.filters``: the organisation list and the audit log filter the same rows on
the page as in the API, and a day range includes both its days (in local time)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import reverse

from thuiszitters.audit import audit_record
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

pytestmark = pytest.mark.usefixtures("frozen_clock")

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def page_ids(response) -> set[int]:
    assert response.status_code == 200
    return {row.pk for row in response.context["page"].object_list}


def api_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def admin_client(world, user_with_role, login):
    return login(user_with_role(RoleCode.FUNCTIONAL_ADMIN))


def _entry(world, object_id: str, actor_email: str = "") -> None:
    with transaction.atomic():
        audit_record(
            actor=AnonymousUser(),
            action=AuditAction.UPDATE,
            object_type="filtertest",
            object_id=object_id,
            organisation=world.swv,
            actor_email=actor_email,
        )


@pytest.fixture
def around_march_first(world):
    """Entries just before, on (early and late, local time) and just after 1 March 2026."""
    moments = {
        "before": datetime.datetime(2026, 2, 28, 23, 59, tzinfo=AMSTERDAM),
        "early": datetime.datetime(2026, 3, 1, 0, 30, tzinfo=AMSTERDAM),  # 28 Feb in UTC
        "late": datetime.datetime(2026, 3, 1, 23, 30, tzinfo=AMSTERDAM),
        "after": datetime.datetime(2026, 3, 2, 0, 0, tzinfo=AMSTERDAM),
    }
    for name, moment in moments.items():
        with time_machine.travel(moment, tick=False):
            _entry(world, name)
    return {e.object_id: e.pk for e in AuditLogEntry.objects.filter(object_type="filtertest")}


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        ("2026-03-01", "2026-03-01", {"early", "late"}),
        ("", "2026-03-01", {"before", "early", "late"}),
        ("2026-03-01", "", {"early", "late", "after"}),
        ("2026-03-02", "2026-03-02", {"after"}),
    ],
)
def test_audit_log_page_and_api_agree_and_include_both_days(
    admin_client, around_march_first, since, until, expected
):
    params = {"object_type": "filtertest", "since": since, "until": until}
    want = {around_march_first[name] for name in expected}
    assert page_ids(admin_client.get(reverse("audit_log"), params)) == want
    assert api_ids(admin_client.get(reverse("auditlogentry-list"), params)) == want


def test_audit_log_page_and_api_share_the_e_mail_filter(world, admin_client):
    _entry(world, "found", actor_email="zoek.mij@example.test")
    _entry(world, "other", actor_email="iemand@example.test")
    params = {"actor_email": "ZOEK.MIJ", "object_type": "filtertest"}
    want = {AuditLogEntry.objects.get(object_type="filtertest", object_id="found").pk}
    assert page_ids(admin_client.get(reverse("audit_log"), params)) == want
    assert api_ids(admin_client.get(reverse("auditlogentry-list"), params)) == want


def test_a_reversed_day_range_is_refused_by_page_and_api(admin_client, around_march_first):
    params = {"since": "2026-03-02", "until": "2026-03-01"}
    page = admin_client.get(reverse("audit_log"), params)
    assert "until" in page.context["form"].errors and page_ids(page) == set()
    api = admin_client.get(reverse("auditlogentry-list"), params)
    assert api.status_code == 400 and "until" in api.json()["fields"]


def test_the_audit_log_page_leaves_out_the_apis_id_filters(admin_client):
    form = admin_client.get(reverse("audit_log")).context["form"]
    assert "actor_email" in form.fields and "actor" not in form.fields
    assert "organisation" not in form.fields


@pytest.mark.parametrize("kind", ["school", "swv", ""])
def test_organisation_page_and_api_agree(admin_client, kind):
    params = {"kind": kind, "limit": 200}
    rows = page_ids(admin_client.get(reverse("organisation_list"), params))
    assert rows
    assert api_ids(admin_client.get(reverse("organisation-list"), params)) == rows


def test_an_unknown_kind_is_an_error_on_page_and_api(admin_client):
    page = admin_client.get(reverse("organisation_list"), {"kind": "bogus"})
    assert page.context["form"].errors and page_ids(page) == set()
    assert admin_client.get(reverse("organisation-list"), {"kind": "bogus"}).status_code == 400
