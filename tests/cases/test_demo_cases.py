"""The demo case files of ``seed_demo``: every phase, consistent with the clock and the rules."""

import datetime
from collections import Counter

import pytest
from dateutil.relativedelta import relativedelta
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from cases.demo import PHASE_MIN_WEEKS, lead_history_complete
from cases.models import (
    Action,
    AftercareCheckIn,
    Arrangement,
    Case,
    CaseEvent,
    Decision,
    LeadAssignment,
    Meeting,
    Participant,
)
from cases.selectors import cases_visible_to, due_check_ins, my_actions, my_cases
from cases.workflow import OFFER_REASONS, ClosureReason, Phase
from escalation.models import Escalation, Step, Trigger
from escalation.services.sweep import escalation_sweep
from registration.models import AbsenceReport
from tests.factories.demo import demo_fixture
from thuiszitters.models import Samenwerkingsverband, User

PUPILS = 150


seeded_module, seeded = demo_fixture(seed=2026, pupils=PUPILS)


def _user(local):
    return User.objects.get(email=f"{local}@demo.test")


def test_every_phase_is_present(seeded):
    assert set(Case.objects.values_list("phase", flat=True)) == set(Phase.values)
    swv_po = Samenwerkingsverband.objects.get(code="PO 99-01")
    # The SWV PO director's dashboard (aggregates) and consultant (case files) see every phase.
    assert set(Case.objects.filter(swv=swv_po).values_list("phase", flat=True)) == set(Phase.values)
    consultant = _user("consulent.po")
    assert set(cases_visible_to(consultant).values_list("phase", flat=True)) == set(Phase.values)


def test_exactly_one_current_lead_per_case_matching_the_case(seeded):
    cases = Case.objects.annotate(
        current=Count("lead_history", filter=Q(lead_history__ended_at__isnull=True))
    )
    assert cases.exists()
    assert set(cases.values_list("current", flat=True)) == {1}
    for lead in LeadAssignment.objects.filter(ended_at__isnull=True).select_related("case"):
        assert (lead.organisation_id, lead.user_id) == (
            lead.case.lead_organisation_id,
            lead.case.lead_user_id,
        )
        assert lead.started_at >= lead.case.opened_at
    for lead in LeadAssignment.objects.filter(ended_at__isnull=False):
        assert lead.started_at <= lead.ended_at


def test_phases_are_consistent_with_the_age_of_the_clock(seeded, today):
    bureau_or_regisseur = {
        _user("leerplicht").memberships.get().organisation_id,
        _user("casusregisseur").memberships.get().organisation_id,
    }
    for case in Case.objects.open().prefetch_related("case_reports__report"):
        weeks = (today - case.clock_start).days / 7
        assert weeks >= PHASE_MIN_WEEKS[case.phase], (case.phase, weeks)
        if case.phase == Phase.SCHOOL and weeks >= 4:
            # Still with the school only when the pupil is no longer missing.
            reports = [link.report for link in case.case_reports.all()]
            assert all(
                r.absence_ended_on or r.kind in {"at_risk", "exemption", "authorised_other"}
                for r in reports
            )
        if case.phase != Phase.SCHOOL:
            assert case.lead_organisation_id in bureau_or_regisseur
            steps = list(
                CaseEvent.objects.filter(case=case, kind="phase_changed").values_list(
                    "data__to", flat=True
                )
            )
            assert steps[-1] == case.phase and steps[0] == Phase.CASUSREGISSEUR


def test_closed_cases_have_reason_retention_and_aftercare(seeded, today):
    closed = Case.objects.filter(phase=Phase.CLOSED).select_related("municipality__region")
    assert closed.exists()
    reasons = Counter()
    for case in closed:
        closed_on = timezone.localtime(case.closed_at).date()
        assert case.opened_at < case.closed_at and closed_on <= today
        assert case.closed_reason in ClosureReason.values
        reasons[case.closed_reason] += 1
        if case.closed_reason == ClosureReason.OTHER:
            assert case.closed_note
        months = case.municipality.region.case_retention_months
        assert case.retention_until == closed_on + relativedelta(months=months)
        due = sorted(case.check_ins.values_list("due_on", flat=True))
        if case.closed_reason in OFFER_REASONS:
            assert due == [closed_on + relativedelta(months=m) for m in (3, 6, 12)]
        else:
            assert due == []
        if case.closed_reason == ClosureReason.OFFER_STARTED:
            assert case.first_offer_started_on is not None
            assert case.arrangements.filter(start_on=case.first_offer_started_on).exists()
        assert not case.actions.filter(status="open").exists()
    assert reasons[ClosureReason.OFFER_STARTED] > 0
    # Some check-ins are done, some are due now.
    assert AftercareCheckIn.objects.filter(done_on__isnull=False).exists()
    assert AftercareCheckIn.objects.filter(done_on__isnull=True, due_on__lte=today).exists()
    assert not AftercareCheckIn.objects.filter(done_on__gt=today).exists()


def test_case_files_are_realistic(seeded, today):
    escalated = Case.objects.exclude(phase=Phase.SCHOOL)
    assert Meeting.objects.values("kind").distinct().count() >= 4
    assert {"mdo", "zat", "thuiszitterstafel", "doorbraakteam"} <= set(
        Meeting.objects.values_list("kind", flat=True)
    )
    assert not Meeting.objects.filter(held_on__gt=today).exists()
    assert Decision.objects.exists()
    assert Action.objects.filter(decision__isnull=False).exists()
    assert Action.objects.filter(status="open", due_on__lt=today).exists()
    assert not CaseEvent.objects.filter(at__gt=timezone.now()).exists()
    for arrangement in Arrangement.objects.all():
        arrangement.full_clean()
        assert arrangement.cost_municipality + arrangement.cost_swv == arrangement.cost_total
    assert Arrangement.objects.exclude(municipality_share_percent=50).exists()
    assert Participant.objects.filter(role="parent").exists()
    for case in escalated.exclude(phase=Phase.CLOSED):
        assert case.situation_level and case.lead_mode and case.causes
        assert case.goals.exists() and case.meetings.exists()
        case.full_clean()
    assert escalated.exclude(waiting_list_for="").exists()
    for action in Action.objects.all()[:200]:
        action.full_clean()


def test_demo_leads_have_work_on_their_lists(seeded):
    for local in ("leerplicht", "casusregisseur"):
        user = _user(local)
        mine = my_cases(user)
        assert mine.count() >= 3
        assert len(set(mine.values_list("phase", flat=True))) >= 3
        overdue = [a for a in my_actions(user) if a.is_overdue]
        assert len(overdue) >= 3
    assert due_check_ins(_user("leerplicht")).exists()


def test_cases_seeded_without_lead_history_get_one(seeded):
    region_cases = Case.objects.filter(pupil__bsn__gte="900000000")
    # As seeded before the lead history existed (the audited manager refuses bulk deletes).
    LeadAssignment._base_manager.filter(case__in=region_cases[:5]).delete()
    missing = region_cases.filter(lead_history__isnull=True).count()
    assert missing == 5
    from thuiszitters.models import Region

    assert lead_history_complete(Region.objects.get(name="Regio Lingemond")) == 5
    assert not region_cases.filter(lead_history__isnull=True).exists()
    assert AbsenceReport.objects.exists()


def test_the_sweep_hands_week_4_cases_to_the_demo_casusregisseur_on_mijn_werk(seeded, today, login):
    regisseur = _user("casusregisseur")
    swv_po = Samenwerkingsverband.objects.get(code="PO 99-01")
    with_school = set(
        Case.objects.open().filter(swv=swv_po, phase=Phase.SCHOOL).values_list("pk", flat=True)
    )
    # Weeks later (past any holiday pause), the young cases of the SWV PO reach week 4.
    escalation_sweep(as_of=today + datetime.timedelta(weeks=10))
    handed = set(
        Escalation.objects.filter(
            step=Step.CASUSREGISSEUR, trigger=Trigger.TIMER, case__swv=swv_po
        ).values_list("case_id", flat=True)
    )
    assert handed and handed <= with_school
    leads = set(Case.objects.filter(pk__in=handed).values_list("lead_user_id", flat=True))
    assert leads == {regisseur.pk}
    page = login(regisseur).get(reverse("caselists:my_work"))
    assert page.status_code == 200
    html = page.content.decode()
    for pk in handed:
        assert reverse("cases:case_detail", args=[pk]) in html


@pytest.mark.parametrize(
    "local",
    [
        "zorgcoordinator.po",
        "zorgcoordinator.vo",
        "leerplicht",
        "casusregisseur",
        "consulent.po",
        "doorbraakteam",
        "jeugdarts",
    ],
)
def test_every_demo_login_who_works_cases_finds_work_on_mijn_werk(seeded, login, local):
    page = login(_user(local)).get(reverse("caselists:my_work"))
    assert page.status_code == 200
    work = [page.context[name] for name in ("awaiting_consent", "cases", "actions", "check_ins")]
    assert any(work), local
