"""The workflow services: the transition table, closing, reopening and the single lead."""

import datetime
import itertools
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import (
    AftercareCheckIn,
    Case,
    CaseEvent,
    CaseEventKind,
    LeadAssignment,
    MeetingKind,
)
from cases.services import (
    absence_report_submit,
    action_add,
    arrangement_record,
    case_close,
    case_details_update,
    case_journal_add,
    case_lead_change,
    case_reopen,
    case_transition,
    goal_add,
    meeting_record,
    participant_add,
)
from cases.workflow import (
    AFTERCARE_MONTHS,
    OFFER_REASONS,
    REOPEN_RESETS,
    REOPEN_WINDOW_MONTHS,
    TRANSITIONS,
    ClosureReason,
    Phase,
    is_escalation,
)
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode
from thuiszitters.system import SWEEP

from ..factories.cases import CaseFactory
from ..factories.registration import report_input

pytestmark = pytest.mark.usefixtures("frozen_clock")


ALL_PAIRS = list(itertools.product(Phase.values, Phase.values))


@pytest.fixture
def leerplicht(world, user_with_role):
    return user_with_role(RoleCode.LEERPLICHT)


@pytest.fixture
def zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


def _case(world, phase=Phase.SCHOOL, **kwargs):
    return CaseFactory(phase=phase, school=world.school, **kwargs)


def _audits(obj):
    return AuditLogEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action="update"
    )


# --- the transition table ---------------------------------------------------------------


@pytest.mark.parametrize(("from_phase", "to_phase"), ALL_PAIRS)
def test_every_pair_of_phases_follows_the_table(world, leerplicht, from_phase, to_phase):
    case = _case(world, from_phase)
    allowed = to_phase in TRANSITIONS[from_phase]
    if from_phase == Phase.CLOSED:
        # A closed case only reopens, by its own privileged service, into phase school.
        assert allowed == (to_phase == Phase.SCHOOL)
        with pytest.raises(ValidationError):
            case_transition(case=case, to_phase=to_phase, actor=leerplicht, reason="r")
        if allowed:
            assert case_reopen(case=case, actor=leerplicht, reason="r").phase == Phase.SCHOOL
    elif to_phase == Phase.CLOSED:
        # Closing is allowed from every open phase, through case_close (it needs a reason).
        assert allowed
        with pytest.raises(ValidationError):
            case_transition(case=case, to_phase=to_phase, actor=leerplicht, reason="r")
        closed = case_close(case=case, reason=ClosureReason.MOVED_AWAY, actor=leerplicht)
        assert closed.phase == Phase.CLOSED
    elif allowed:
        # Forward on the route is an escalation: refused by hand here, taken via escalation.
        via = "escalation" if is_escalation(from_phase, to_phase) else "person"
        if via == "escalation":
            with pytest.raises(ValidationError):
                case_transition(case=case, to_phase=to_phase, actor=leerplicht, reason="stap")
        moved = case_transition(
            case=case, to_phase=to_phase, actor=leerplicht, reason="stap", via=via
        )
        assert Case.objects.get(pk=case.pk).phase == moved.phase == to_phase
        event = CaseEvent.objects.get(case=case, kind=CaseEventKind.PHASE_CHANGED)
        assert event.data == {"from": from_phase, "to": to_phase, "via": via}
        assert event.actor == leerplicht and event.message == "stap"
        audit = _audits(case).get()
        assert audit.changes == {
            "fields": ["phase"],
            "before": {"phase": from_phase},
            "after": {"phase": to_phase},
        }
    else:
        with pytest.raises(ValidationError):
            case_transition(case=case, to_phase=to_phase, actor=leerplicht, reason="stap")
        assert Case.objects.get(pk=case.pk).phase == from_phase
        assert not CaseEvent.objects.filter(case=case, kind=CaseEventKind.PHASE_CHANGED).exists()


def test_a_person_must_give_a_reason_the_timer_need_not(world, leerplicht):
    case = _case(world)
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as excinfo:
            case_transition(
                case=case,
                to_phase=Phase.CASUSREGISSEUR,
                actor=leerplicht,
                reason=blank,
                via="escalation",
            )
        assert "reason" in excinfo.value.message_dict
    assert Case.objects.get(pk=case.pk).phase == Phase.SCHOOL
    case_transition(case=case, to_phase=Phase.CASUSREGISSEUR, actor=SWEEP, via="timer")
    assert Case.objects.get(pk=case.pk).phase == Phase.CASUSREGISSEUR


def test_a_user_outside_the_case_cannot_move_it(world, user_with_role):
    case = _case(world)
    other_zc = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.school2)
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    for actor in (other_zc, director):
        with pytest.raises(PermissionDenied):
            case_transition(
                case=case, to_phase=Phase.CASUSREGISSEUR, actor=actor, reason="r", via="escalation"
            )


# --- a closed case is read-only -----------------------------------------------------------

CHANGES = {
    "transition": lambda c, a: case_transition(
        case=c, to_phase=Phase.CASUSREGISSEUR, actor=a, reason="r", via="escalation"
    ),
    "close": lambda c, a: case_close(case=c, reason=ClosureReason.MOVED_AWAY, actor=a),
    "journal": lambda c, a: case_journal_add(case=c, actor=a, text="Gebeld met moeder."),
    "action": lambda c, a: action_add(
        case=c, actor=a, description="Bellen", due_on=timezone.localdate(), owner_user=a
    ),
    "goal": lambda c, a: goal_add(case=c, actor=a, description="Weer naar school"),
    "participant": lambda c, a: participant_add(case=c, actor=a, role="parent", name="Moeder"),
    "meeting": lambda c, a: meeting_record(
        case=c, actor=a, kind=MeetingKind.MDO, held_on=timezone.localdate(), decisions=["x"]
    ),
    "arrangement": lambda c, a: arrangement_record(
        case=c, actor=a, kind="variawet", start_on=timezone.localdate(), share_percent=40
    ),
    "details": lambda c, a: case_details_update(case=c, actor=a, situation_level="complex"),
    "lead": lambda c, a: case_lead_change(case=c, actor=a, organisation=c.school),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_closed_case_is_read_only_for_every_service(world, leerplicht, change):
    case = _case(world, Phase.CLOSED)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationError):
        CHANGES[change](case, leerplicht)
    assert CaseEvent.objects.filter(case=case).count() == events
    assert Case.objects.get(pk=case.pk).phase == Phase.CLOSED


# --- closing ------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ClosureReason.values)
def test_closing_with_each_reason(world, leerplicht, reason, today):
    world.region.region_detail.case_retention_months = 84
    world.region.region_detail.save()
    case = _case(world, Phase.DOORBRAAKTEAM)
    note = "Verhuisd naar het buitenland." if reason == ClosureReason.OTHER else ""
    closed = case_close(case=case, reason=reason, actor=leerplicht, note=note)
    closed.refresh_from_db()
    assert (closed.phase, closed.closed_reason, closed.closed_note) == ("closed", reason, note)
    assert timezone.localtime(closed.closed_at).date() == today
    assert closed.retention_until == today + relativedelta(months=84)
    due = sorted(closed.check_ins.values_list("due_on", flat=True))
    if reason in OFFER_REASONS:
        assert due == [today + relativedelta(months=m) for m in AFTERCARE_MONTHS]
        assert list(AFTERCARE_MONTHS) == [3, 6, 12]
    else:
        assert due == []
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.CLOSED)
    assert event.data == {"reason": reason, "from": "doorbraakteam", "to": "closed"}
    assert event.actor == leerplicht
    audit = _audits(case).get()
    assert audit.changes["before"]["phase"] == Phase.DOORBRAAKTEAM
    assert audit.changes["after"]["phase"] == Phase.CLOSED
    assert audit.changes["after"]["closed_reason"] == reason


def test_other_needs_a_note_and_an_unknown_reason_is_refused(world, leerplicht):
    case = _case(world)
    for reason, note in ((ClosureReason.OTHER, ""), (ClosureReason.OTHER, "  "), ("bored", "x")):
        with pytest.raises(ValidationError):
            case_close(case=case, reason=reason, actor=leerplicht, note=note)
    assert Case.objects.get(pk=case.pk).closed_at is None
    assert not AftercareCheckIn.objects.exists()


def test_offer_started_records_the_first_offer_date_once(world, leerplicht, today):
    started = today - datetime.timedelta(days=20)
    case = case_close(
        case=_case(world, Phase.CASUSREGISSEUR),
        reason=ClosureReason.OFFER_STARTED,
        actor=leerplicht,
        offer_started_on=started,
    )
    assert case.first_offer_started_on == started
    # Without a date the offer started today; an earlier recorded offer is kept.
    assert (
        case_close(
            case=_case(world), reason=ClosureReason.OFFER_STARTED, actor=leerplicht
        ).first_offer_started_on
        == today
    )
    earlier = _case(world, Phase.DOORBRAAKTEAM)
    arrangement_record(
        case=earlier, actor=leerplicht, kind="variawet", start_on=started, share_percent=60
    )
    closed = case_close(
        case=earlier, reason=ClosureReason.OFFER_STARTED, actor=leerplicht, offer_started_on=today
    )
    assert closed.first_offer_started_on == started
    # Back at school is an offer reason for aftercare but records no offer date.
    back = case_close(case=_case(world), reason=ClosureReason.BACK_AT_SCHOOL, actor=leerplicht)
    assert back.first_offer_started_on is None and back.check_ins.count() == 3


# --- reopening ----------------------------------------------------------------------------


def test_only_a_casusregisseur_may_reopen(world, zc, leerplicht):
    case = _case(world, Phase.CLOSED)
    with pytest.raises(PermissionDenied):
        case_reopen(case=case, actor=zc, reason="Weer thuis")
    assert Case.objects.get(pk=case.pk).phase == Phase.CLOSED
    reopened = case_reopen(case=case, actor=leerplicht, reason="Weer thuis")
    assert reopened.phase == Phase.SCHOOL and reopened.is_open
    with pytest.raises(ValidationError):
        case_reopen(case=reopened, actor=leerplicht, reason="nog eens")


def test_reopening_resets_exactly_the_listed_fields_and_cancels_pending_check_ins(
    world, leerplicht, today
):
    case = _case(world, Phase.CLOSED, closed_note="Start op de nieuwe school.")
    case_fields = [f.attname for f in Case._meta.concrete_fields]
    case.causes, case.situation_level, case.parents_wishes = ["bullying"], "complex", "Rust"
    case.save()
    done, _pending, _later = case.check_ins.order_by("due_on")
    done.done_on, done.outcome = today, "going_well"
    done.save()
    before = {name: getattr(Case.objects.get(pk=case.pk), name) for name in case_fields}

    reopened = case_reopen(case=case, actor=leerplicht, reason="Weer thuis")
    after = {name: getattr(Case.objects.get(pk=case.pk), name) for name in case_fields}

    changed = {name for name in case_fields if before[name] != after[name]}
    assert changed == {"phase", "route_round", *REOPEN_RESETS}
    assert reopened.closed_at is None and reopened.retention_until is None
    assert (after["closed_reason"], after["closed_note"]) == ("", "")
    assert after["first_offer_started_on"] is None
    assert after["causes"] == ["bullying"] and after["situation_level"] == "complex"
    states = dict(case.check_ins.values_list("pk", "cancelled"))
    assert states[done.pk] is False
    assert all(states[pk] for pk in states if pk != done.pk)
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.REOPENED)
    assert event.data == {"resets": list(REOPEN_RESETS), "from": "closed", "to": "school"}
    assert _audits(case).get().changes["after"]["phase"] == Phase.SCHOOL


WINDOW = relativedelta(months=REOPEN_WINDOW_MONTHS)


def _close_now(case, actor):
    return case_close(case=case, reason=ClosureReason.BACK_AT_SCHOOL, actor=actor)


def test_a_new_report_within_three_months_reopens_the_same_case(world, zc, leerplicht):
    start = timezone.now()
    case = _case(world, Phase.CASUSREGISSEUR)
    _close_now(case, leerplicht)
    with time_machine.travel(start + WINDOW - datetime.timedelta(days=1), tick=False):
        today = timezone.localdate()
        new_start = today - datetime.timedelta(days=3)
        result = absence_report_submit(
            actor=zc,
            reporting_organisation=world.school,
            data=report_input(case.pupil, absence_started_on=new_start),
            channel="form",
        )
        assert result.case.pk == case.pk and not result.case_created
        case.refresh_from_db()
        assert (case.phase, case.closed_at, case.clock_start) == (Phase.SCHOOL, None, new_start)
        assert case.check_ins.filter(cancelled=False, done_on__isnull=True).count() == 0
        assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.REOPENED).count() == 1
        assert Case.objects.filter(pupil=case.pupil).count() == 1


def test_a_new_report_after_three_months_opens_a_new_case(world, zc, leerplicht):
    start = timezone.now()
    case = _case(world, Phase.CASUSREGISSEUR)
    _close_now(case, leerplicht)
    with time_machine.travel(start + WINDOW + datetime.timedelta(days=1), tick=False):
        result = absence_report_submit(
            actor=zc,
            reporting_organisation=world.school,
            data=report_input(case.pupil),
            channel="form",
        )
    assert result.case_created and result.case.pk != case.pk
    case.refresh_from_db()
    assert case.phase == Phase.CLOSED
    assert Case.objects.filter(pupil=case.pupil).count() == 2
    assert Case.objects.open().get(pupil=case.pupil).pk == result.case.pk


# --- exactly one lead ---------------------------------------------------------------------


def test_after_several_handovers_exactly_one_lead_is_current(world, leerplicht, user_with_role):
    case = _case(world)
    casusregisseur = user_with_role(RoleCode.CASUSREGISSEUR)
    for organisation, user in (
        (world.bureau, leerplicht),
        (world.swv, casusregisseur),
        (world.bureau, None),
        (world.swv, casusregisseur),
    ):
        case = case_lead_change(
            case=case, organisation=organisation, user=user, actor=leerplicht, reason="over"
        )
    history = LeadAssignment.objects.filter(case=case)
    assert history.count() == 5
    current = history.get(ended_at__isnull=True)
    assert (current.organisation_id, current.user_id) == (world.swv.pk, casusregisseur.pk)
    assert (case.lead_organisation_id, case.lead_user_id) == (world.swv.pk, casusregisseur.pk)
    assert all(row.ended_at is not None for row in history.exclude(pk=current.pk))
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.LEAD_CHANGED).count() == 4
    last = _audits(case).order_by("-id").first()
    assert last.changes == {
        "fields": ["lead_organisation", "lead_user"],
        "before": {"lead_organisation": world.bureau.pk, "lead_user": None},
        "after": {"lead_organisation": world.swv.pk, "lead_user": casusregisseur.pk},
    }


def test_the_database_refuses_a_second_current_lead(world):
    case = _case(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadAssignment.objects.create(case=case, organisation=world.bureau)
    assert LeadAssignment.objects.filter(case=case, ended_at__isnull=True).count() == 1


def test_the_lead_goes_to_a_person_of_that_organisation(world, leerplicht, zc):
    case = _case(world)
    with pytest.raises(ValidationError):
        case_lead_change(case=case, organisation=world.bureau, user=zc, actor=leerplicht)
    assert LeadAssignment.objects.filter(case=case).count() == 1


def test_decimal_costs_are_not_needed_for_closing(world, leerplicht, today):
    """An arrangement without costs does not block closing (frictiebudget is optional)."""
    case = _case(world, Phase.DOORBRAAKTEAM)
    arrangement = arrangement_record(
        case=case, actor=leerplicht, kind="variawet", start_on=today, share_percent=60
    )
    assert arrangement.cost_total == Decimal(0)
    assert case_close(case=case, reason=ClosureReason.OFFER_STARTED, actor=leerplicht).closed_at
