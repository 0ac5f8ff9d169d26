"""The preventive list ("Signalen", DESIGN.md 4.1): at-risk signals and cases the school
expects to become thuiszitters soon, within the user's scope, filtered, audited, and at a
query cost that does not grow with its rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.services import absence_report_submit
from cases.workflow import Phase
from tests.page_text import shows
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.registration import enrolled_pupil, report_input

pytestmark = pytest.mark.usefixtures("frozen_clock")

SIGNALS = reverse("caselists:signal_list")


@pytest.fixture
def zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


def submit(zc, school, kind="unauthorised", days=10, **extra):
    today = timezone.localdate()
    return absence_report_submit(
        actor=zc,
        reporting_organisation=school,
        data=report_input(
            enrolled_pupil(school, bsn=None),
            kind=kind,
            absence_started_on=today - datetime.timedelta(days=days),
            **extra,
        ),
        channel="form",
    ).case


def shown(response) -> dict[int, str]:
    """The listed cases and the kind of signal each row names."""
    assert response.status_code == 200
    return {c.pk: ("at_risk" if c.at_risk else "expected") for c in response.context["rows"]}


def test_the_list_shows_both_kinds_of_signal_and_nothing_else(world, zc, login):
    worry = submit(zc, world.school, kind="at_risk", days=3)
    expected = submit(zc, world.school, expects_thuiszitter_soon=True)
    submit(zc, world.school)  # absence, no signal
    later = CaseFactory(
        phase=Phase.CASUSREGISSEUR, school=world.school, expects_thuiszitter_soon=True
    )
    client = login(zc)
    response = client.get(SIGNALS)
    assert shown(response) == {worry.pk: "at_risk", expected.pk: "expected"}
    assert later.pk not in shown(response)  # past phase school: on the route already
    html = response.content.decode()
    assert shows(html, worry.pupil.full_name) and shows(html, world.school.name)
    assert "Dreigend verzuim, de klok loopt nog niet" in html
    assert shown(client.get(SIGNALS, {"signal": "at_risk"})) == {worry.pk: "at_risk"}
    assert shown(client.get(SIGNALS, {"signal": "expected"})) == {expected.pk: "expected"}
    entry = AuditLogEntry.objects.filter(actor=zc, action="read", object_type="cases.case").latest(
        "id"
    )
    assert entry.changes["ids"] == [str(expected.pk)]


def test_an_swv_sees_its_own_signals_and_not_another_swvs(world, user_with_role, login):
    ours = CaseFactory(school=world.school, at_risk=True, report__kind="at_risk")
    theirs = CaseFactory(school=world.other_school, at_risk=True, report__kind="at_risk")
    consultant = user_with_role(RoleCode.SWV_CONSULTANT)
    other = user_with_role(RoleCode.SWV_CONSULTANT, world.other_swv)
    assert shown(login(consultant).get(SIGNALS)) == {ours.pk: "at_risk"}
    response = login(other).get(SIGNALS)
    assert shown(response) == {theirs.pk: "at_risk"}
    assert not shows(response.content.decode(), ours.pupil.full_name)


def test_the_menu_offers_the_list_to_case_workers_only(world, user_with_role, login):
    for role, visible in (
        (RoleCode.ZORGCOORDINATOR, True),
        (RoleCode.LEERPLICHT, True),
        (RoleCode.SWV_CONSULTANT, True),
        (RoleCode.DOORBRAAKTEAM, False),
        (RoleCode.SWV_DIRECTOR, False),
    ):
        client = login(user_with_role(role))
        home = client.get(reverse("home")).content.decode()
        assert (SIGNALS in home) is visible, role
        assert client.get(SIGNALS).status_code == (200 if visible else 404), role


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(SIGNALS, params or {})
    assert response.status_code == 200
    return len(ctx)


def test_the_list_costs_the_same_for_1_and_25_signals(world, zc, login):
    client = login(zc)
    params = {"signal": "at_risk", "school": world.school.pk}
    submit(zc, world.school, kind="at_risk")
    one = _queries(client, params)
    for _ in range(24):
        submit(zc, world.school, kind="at_risk")
    many = _queries(client, params)
    assert len(client.get(SIGNALS, params).context["rows"]) == 25
    assert one == many
