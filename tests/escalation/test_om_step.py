"""The timed OM step (seed 002 6.11, DESIGN.md 4.2): at the latest ``om_referral_months``
calendar months after the doorbraakteam began, without a suitable offer, the case goes to the
OM assessment; arbitration in session does not stop that clock."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cases.models import ArrangementKind, Case, CaseEvent
from cases.selectors import cases_visible_to
from cases.services import arrangement_record
from cases.workflow import Phase
from escalation.models import (
    ArbitrationPanel,
    ArbitrationStatus,
    CaseDeadline,
    Escalation,
    Notification,
    NotificationKind,
    OmReferral,
    OmRoute,
    Step,
    Trigger,
)
from escalation.route import Policy, RouteState, next_deadline, om_due
from escalation.services.policy import policy_version_create
from escalation.services.steps import arbitration_start, om_refer
from escalation.services.sweep import escalation_sweep
from registration.models import ConsentParty, ConsentScope
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give
from ..factories.users import SETUP, member

D = datetime.date
START = D(2026, 1, 5)  # a Monday; the clock start
TEAM_ON = D(2026, 3, 9)  # day 63: no answer to the assessment brings the doorbraakteam
OM_ON = D(2026, 6, 9)  # three calendar months later
HTMX = {"HTTP_HX_REQUEST": "true"}


def at(day: datetime.date, hour: int = 8):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour)), tick=False)


def phase_of(case) -> str:
    return Case.objects.get(pk=case.pk).phase


def om_notified(kind: str) -> set[int]:
    return set(
        Notification.objects.filter(kind=kind, step=Step.OM_REFERRAL).values_list(
            "user_id", flat=True
        )
    )


# --- the date, as pure functions --------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "months", "due"),
    [
        (D(2026, 3, 9), 3, D(2026, 6, 9)),
        (D(2026, 1, 31), 3, D(2026, 4, 30)),  # month end: the last day of the shorter month
        (D(2025, 11, 30), 3, D(2026, 2, 28)),
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # a leap year
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2026, 3, 9), 1, D(2026, 4, 9)),
    ],
)
def test_the_om_date_counts_calendar_months(since, months, due):
    assert om_due(since, Policy(om_referral_months=months)) == due


@pytest.mark.parametrize("phase", [Phase.DOORBRAAKTEAM, Phase.ARBITRATION])
def test_the_om_is_next_at_the_doorbraakteam_and_in_arbitration(phase):
    done = frozenset({Step.CASUSREGISSEUR, Step.DOORBRAAK_ASSESSMENT, Step.DOORBRAAKTEAM})
    state = RouteState(phase=phase, clock_start=START, done=done, doorbraakteam_since=TEAM_ON)
    deadline = next_deadline(state, Policy(warning_days=5))
    assert (deadline.step, deadline.due_on, deadline.warn_on) == (
        Step.OM_REFERRAL,
        OM_ON,
        OM_ON - datetime.timedelta(days=5),
    )
    # Holidays do not pause the months, even when the convenant pauses the weeks.
    paused = Policy(pause_holidays=True)
    summer = ((D(2026, 4, 1), D(2026, 5, 31)),)
    assert next_deadline(state, paused, summer).due_on == OM_ON
    # A started offer, or the OM step already taken this round: nothing timed.
    assert next_deadline(RouteState(**{**state.__dict__, "offer_started": True}), paused) is None
    taken = RouteState(**{**state.__dict__, "done": done | {Step.OM_REFERRAL}})
    assert next_deadline(taken, paused) is None


def test_no_om_clock_before_the_doorbraakteam_or_after_moving_back():
    done = frozenset({Step.CASUSREGISSEUR, Step.DOORBRAAK_ASSESSMENT, Step.DOORBRAAKTEAM})
    back = RouteState(
        phase=Phase.CASUSREGISSEUR, clock_start=START, done=done, doorbraakteam_since=TEAM_ON
    )
    assert next_deadline(back, Policy()) is None
    ahead = RouteState(phase=Phase.DOORBRAAK_ASSESSMENT, clock_start=START)
    assert next_deadline(ahead, Policy()).step == Step.DOORBRAAKTEAM


def test_without_a_recorded_start_the_om_counts_from_week_12():
    state = RouteState(phase=Phase.DOORBRAAKTEAM, clock_start=START)
    assert next_deadline(state, Policy()).due_on == D(2026, 6, 30)  # 30 March + 3 months


# --- through time --------------------------------------------------------------------------


@pytest.fixture
def people(world):
    with at(START):
        return {
            # No casusregie agreed: the first leerplicht officer becomes the casusregisseur.
            "lead": member(world.bureau, RoleCode.LEERPLICHT, full_name="Lotte Leerplicht"),
            "coordinator": member(world.swv, RoleCode.DOORBRAAKTEAM, full_name="Cor Coördinator"),
            "neighbour": member(world.other_swv, RoleCode.DOORBRAAKTEAM, full_name="Bram Buur"),
        }


@pytest.fixture
def convenant(world, people):
    with at(START):
        return policy_version_create(
            swv=world.swv,
            actor=SETUP,
            doorbraakteam_coordinator=people["coordinator"],
            neighbour_swv=world.other_swv,
        )


@pytest.fixture
def team_case(world, people, convenant):
    """A case the timer brought to the doorbraakteam on TEAM_ON (no assessment answer)."""
    with at(START + datetime.timedelta(days=2)):
        case = CaseFactory(school=world.school, clock_start=START, age_days=0)
    for day in (28, 56, 63):
        with at(START + datetime.timedelta(days=day)):
            escalation_sweep()
    assert phase_of(case) == Phase.DOORBRAAKTEAM
    # A colleague of the lead: leerplicht decides on the OM with the casusregisseur.
    with at(TEAM_ON):
        people["colleague"] = member(world.bureau, RoleCode.LEERPLICHT)
    return case


def test_the_sweep_takes_the_om_step_on_its_day_once(team_case, people):
    deadline = CaseDeadline.objects.get(case=team_case)
    assert (deadline.step, deadline.due_on) == (Step.OM_REFERRAL, OM_ON)
    lead = Case.objects.get(pk=team_case.pk).lead_user
    assert lead == people["lead"]
    with at(OM_ON - datetime.timedelta(days=8)):
        escalation_sweep()
    assert not om_notified(NotificationKind.DEADLINE_WARNING)
    with at(OM_ON - datetime.timedelta(days=7)):
        escalation_sweep()
    assert om_notified(NotificationKind.DEADLINE_WARNING) == {
        lead.pk,
        people["coordinator"].pk,
        people["colleague"].pk,
    }
    with at(OM_ON - datetime.timedelta(days=1)):
        assert escalation_sweep().total == 0
    assert phase_of(team_case) == Phase.DOORBRAAKTEAM
    with at(OM_ON):
        result = escalation_sweep()
        assert escalation_sweep().total == 0
    assert dict(result.escalated) == {Step.OM_REFERRAL: 1}
    assert phase_of(team_case) == Phase.OM_REFERRAL
    (om,) = Escalation.objects.filter(case=team_case, step=Step.OM_REFERRAL)
    assert (om.trigger, om.due_on, om.happened_on, om.actor) == (
        Trigger.TIMER,
        OM_ON,
        OM_ON,
        None,
    )
    assert "Openbaar Ministerie" in om.reason and "doorbraakteam" in om.reason
    assert om_notified(NotificationKind.DEADLINE_PASSED) == {
        lead.pk,
        people["coordinator"].pk,
        people["colleague"].pk,
    }
    moved = CaseEvent.objects.filter(case=team_case, data__to=Phase.OM_REFERRAL).get()
    assert "Openbaar Ministerie" in moved.message
    assert CaseDeadline.objects.get(case=team_case).step == ""

    # The casusregisseur then records the referral; the step is not taken twice.
    with at(OM_ON + datetime.timedelta(days=3)):
        referral = om_refer(
            case=Case.objects.get(pk=team_case.pk),
            actor=lead,
            route=OmRoute.CIVIL,
            referred_on=OM_ON + datetime.timedelta(days=2),
            reason="Geen aanbod, ouders werken niet mee",
        )
    assert referral.route_round == 1
    assert Escalation.objects.filter(case=team_case, step=Step.OM_REFERRAL).count() == 1
    assert phase_of(team_case) == Phase.OM_REFERRAL


def test_arbitration_in_session_does_not_stop_the_om_clock(world, team_case, people):
    with at(TEAM_ON + datetime.timedelta(days=14)):
        consent_give(team_case.pupil, ConsentScope.BINDING_ARBITRATION, ConsentParty.PARENTS)
        own = member(world.swv, RoleCode.DOORBRAAKTEAM, full_name="Eva Eigenteam")
        panel = arbitration_start(
            case=Case.objects.get(pk=team_case.pk),
            actor=people["lead"],
            parents_representative="Mr. J. de Wit",
            own_member=own,
            neighbour_member=people["neighbour"],
            reason="Geen overeenstemming over de plek",
        )
    assert phase_of(team_case) == Phase.ARBITRATION
    deadline = CaseDeadline.objects.get(case=team_case)
    assert (deadline.step, deadline.due_on) == (Step.OM_REFERRAL, OM_ON)
    neighbour_sees = cases_visible_to(people["neighbour"]).filter(pk=team_case.pk)
    assert neighbour_sees.exists()
    with at(OM_ON - datetime.timedelta(days=1)):
        assert escalation_sweep().total == 0
    with at(OM_ON):
        assert escalation_sweep().total == 1
    assert phase_of(team_case) == Phase.OM_REFERRAL
    om = Escalation.objects.get(case=team_case, step=Step.OM_REFERRAL)
    assert (om.trigger, om.due_on) == (Trigger.TIMER, OM_ON)
    # Without an outcome by then the panel ends, and with it the neighbour's access.
    panel = ArbitrationPanel.objects.get(pk=panel.pk)
    assert panel.status == ArbitrationStatus.NO_RESULT and panel.ended_at is not None
    assert not neighbour_sees.exists()
    with at(OM_ON + datetime.timedelta(days=1)):
        om_refer(
            case=Case.objects.get(pk=team_case.pk),
            actor=people["lead"],
            route=OmRoute.CRIMINAL,
            referred_on=OM_ON + datetime.timedelta(days=1),
            reason="Arbitrage zonder uitkomst",
        )
    assert OmReferral.objects.get(case=team_case).arbitration == panel


def test_a_started_offer_stops_the_om_clock(team_case, people):
    offer_on = TEAM_ON + datetime.timedelta(days=30)
    with at(offer_on):
        arrangement_record(
            case=Case.objects.get(pk=team_case.pk),
            actor=people["lead"],
            kind=ArrangementKind.SPECIAL_EDUCATION,
            start_on=offer_on,
            share_percent=100,
            description="Plaatsing op De Brug",
        )
    # The stored row predates the offer: neither a warning nor the step follows from it.
    with at(OM_ON - datetime.timedelta(days=7)):
        escalation_sweep()
    assert not om_notified(NotificationKind.DEADLINE_WARNING)
    with at(OM_ON):
        assert escalation_sweep().total == 0
    assert phase_of(team_case) == Phase.DOORBRAAKTEAM
    assert CaseDeadline.objects.get(case=team_case).step == ""
    assert not Escalation.objects.filter(case=team_case, step=Step.OM_REFERRAL).exists()


def test_a_convenant_change_moves_the_om_deadline_not_yet_passed(world, team_case):
    with at(TEAM_ON + datetime.timedelta(days=10)):
        policy_version_create(
            swv=world.swv, actor=SETUP, om_referral_months=2, reason="Sneller naar het OM"
        )
    two_months = D(2026, 5, 9)
    assert CaseDeadline.objects.get(case=team_case).due_on == two_months
    with at(two_months - datetime.timedelta(days=1)):
        assert escalation_sweep().total == 0
    with at(two_months):
        assert escalation_sweep().total == 1
    assert Escalation.objects.get(case=team_case, step=Step.OM_REFERRAL).due_on == two_months


def test_the_route_section_shows_the_om_deadline(team_case, people, login):
    url = reverse("escalation:case_route", args=[team_case.pk])
    with at(TEAM_ON + datetime.timedelta(days=1)):
        body = login(people["lead"]).get(url, **HTMX).content.decode()
    assert "Openbaar Ministerie, uiterlijk 09-06-2026" in body
    assert 'data-step="om_referral" data-state="next"' in body
    assert "OM 3 maanden na de start van het doorbraakteam" in body


def test_after_the_timer_the_lead_records_the_referral_on_the_page(team_case, people, login):
    with at(OM_ON):
        escalation_sweep()
    client = login(people["lead"])
    section = reverse("escalation:case_route", args=[team_case.pk])
    action = reverse("escalation:om_referral", args=[team_case.pk])
    day = OM_ON + datetime.timedelta(days=1)
    with at(day):
        body = client.get(section, **HTMX).content.decode()
        assert action in body and "Leg de beslissing over de doorverwijzing vast" in body
        response = client.post(
            action,
            {"om-route": "civil", "om-referred_on": day.isoformat(), "om-reason": "Geen aanbod"},
            **HTMX,
        )
        assert response.status_code == 200
        body = client.get(section, **HTMX).content.decode()
    assert OmReferral.objects.get(case=team_case).referred_on == day
    assert 'data-testid="om-referral"' in body and action not in body
