"""The case-file services: participants, plan, meetings, arrangements, details, journal."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import (
    Action,
    ActionStatus,
    Arrangement,
    CaseEvent,
    CaseEventKind,
    Decision,
    Meeting,
    MeetingKind,
)
from cases.services import (
    action_add,
    action_status_set,
    arrangement_record,
    case_details_update,
    case_journal_add,
    goal_add,
    meeting_record,
    participant_add,
    participant_remove,
)
from cases.workflow import Phase
from registration.models import ConsentScope
from thuiszitters.audit import audit_hash_matches
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def leerplicht(world, user_with_role):
    return user_with_role(RoleCode.LEERPLICHT)


@pytest.fixture
def case(world):
    return CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)


def _events(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind).order_by("id"))


def _audit(obj, action="update"):
    return AuditLogEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


# --- participants -------------------------------------------------------------------------


def test_participants_are_added_and_removed_with_journal_and_audit(
    world, case, leerplicht, user_with_role
):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    colleague = participant_add(
        case=case, actor=leerplicht, role="zorgcoordinator", user=zc, organisation=world.school
    )
    mother = participant_add(case=case, actor=leerplicht, role="parent", name="  Moeder Jansen ")
    assert mother.name == "Moeder Jansen" and mother.display_name == "Moeder Jansen"
    assert colleague.display_name == zc.full_name
    assert [e.message for e in _events(case, CaseEventKind.PARTICIPANT_ADDED)] == [
        zc.full_name,
        "Moeder Jansen",
    ]
    assert _audit(mother, "create").count() == 1
    with pytest.raises(ValidationError):
        participant_add(case=case, actor=leerplicht, role="parent", name=" ")

    participant_remove(participant=mother, actor=leerplicht)
    mother.refresh_from_db()
    assert mother.removed_at is not None
    assert _events(case, CaseEventKind.PARTICIPANT_REMOVED)[0].message == "Moeder Jansen"
    assert _audit(mother).get().changes["before"] == {"removed_at": None}


# --- goals and actions --------------------------------------------------------------------


def test_goal_and_action_of_the_plan(case, leerplicht, today):
    goal = goal_add(
        case=case,
        actor=leerplicht,
        description=" Binnen 6 weken 3 ochtenden per week op school ",
        measure="Aanwezigheid in Magister",
        target_date=today + datetime.timedelta(weeks=6),
    )
    assert goal.description == "Binnen 6 weken 3 ochtenden per week op school"
    assert _events(case, CaseEventKind.GOAL_ADDED)[0].message == goal.description
    action = action_add(
        case=case,
        actor=leerplicht,
        description="Gesprek met ouders plannen",
        due_on=today + datetime.timedelta(days=7),
        owner_user=leerplicht,
        goal=goal,
    )
    assert action.goal == goal and action.status == ActionStatus.OPEN
    event = _events(case, CaseEventKind.ACTION_ADDED)[0]
    assert event.data == {"due_on": action.due_on.isoformat()}
    assert _audit(action, "create").count() == 1


def test_an_action_needs_an_owner_and_a_goal_of_the_same_case(world, case, leerplicht, today):
    with pytest.raises(ValidationError) as excinfo:
        action_add(case=case, actor=leerplicht, description="Bellen", due_on=today)
    assert "owner_user" in excinfo.value.message_dict
    other = CaseFactory(school=world.school)
    foreign_goal = goal_add(case=other, actor=leerplicht, description="Ander doel")
    with pytest.raises(ValidationError):
        action_add(
            case=case,
            actor=leerplicht,
            description="Bellen",
            due_on=today,
            owner_organisation=world.bureau,
            goal=foreign_goal,
        )
    assert not Action.objects.filter(case=case).exists()
    by_org = action_add(
        case=case,
        actor=leerplicht,
        description="Bellen",
        due_on=today,
        owner_organisation=world.bureau,
    )
    assert by_org.owner_user is None


def test_action_status_changes_are_journalled_and_audited(case, leerplicht, today):
    action = action_add(
        case=case, actor=leerplicht, description="Bellen", due_on=today, owner_user=leerplicht
    )
    action_status_set(action=action, status=ActionStatus.DONE, actor=leerplicht)
    action.refresh_from_db()
    assert action.status == "done" and action.completed_at is not None
    action_status_set(action=action, status=ActionStatus.OPEN, actor=leerplicht)
    action.refresh_from_db()
    assert action.status == "open" and action.completed_at is None
    action_status_set(action=action, status=ActionStatus.CANCELLED, actor=leerplicht)
    assert [e.data["status"] for e in _events(case, CaseEventKind.ACTION_STATUS)] == [
        "done",
        "open",
        "cancelled",
    ]
    first = _audit(action).order_by("id").first()
    assert first.changes["before"] == {"status": "open", "completed_at": None}
    assert first.changes["after"]["status"] == "done"
    with pytest.raises(ValidationError):
        action_status_set(action=action, status="half", actor=leerplicht)


def test_the_owner_may_set_the_status_of_an_own_action_without_work_cases(
    world, case, leerplicht, user_with_role, today
):
    member = user_with_role(RoleCode.DOORBRAAKTEAM)  # no work_cases capability
    own = action_add(
        case=case, actor=leerplicht, description="Advies geven", due_on=today, owner_user=member
    )
    not_own = action_add(
        case=case, actor=leerplicht, description="Bellen", due_on=today, owner_user=leerplicht
    )
    action_status_set(action=own, status=ActionStatus.DONE, actor=member)
    assert Action.objects.get(pk=own.pk).status == ActionStatus.DONE
    with pytest.raises(PermissionDenied):
        action_status_set(action=not_own, status=ActionStatus.DONE, actor=member)
    assert Action.objects.get(pk=not_own.pk).status == ActionStatus.OPEN


# --- meetings -----------------------------------------------------------------------------


def test_a_meeting_records_decisions_in_the_journal_and_links_actions_to_them(
    world, case, leerplicht, today
):
    mother = participant_add(case=case, actor=leerplicht, role="parent", name="Moeder")
    meeting = meeting_record(
        case=case,
        actor=leerplicht,
        kind=MeetingKind.MDO,
        held_on=today - datetime.timedelta(days=1),
        notes="Besproken: rooster en begeleiding.",
        participants=[mother],
        parents_present=True,
        decisions=["Aangepast rooster van 3 ochtenden", "  ", "Aanmelding jeugdhulp"],
        confirmed_without_consent=True,
        actions=[
            {
                "description": "Rooster opstellen",
                "due_on": today + datetime.timedelta(days=7),
                "owner_organisation": world.school,
                "decision": 0,
            },
            {
                "description": "Verslag rondsturen",
                "due_on": today + datetime.timedelta(days=2),
                "owner_user": leerplicht,
            },
        ],
    )
    decisions = list(Decision.objects.filter(meeting=meeting).order_by("id"))
    assert [d.text for d in decisions] == [
        "Aangepast rooster van 3 ochtenden",
        "Aanmelding jeugdhulp",
    ]
    journal = _events(case, CaseEventKind.DECISION)
    assert [e.message for e in journal] == [d.text for d in decisions]
    assert all(e.data == {"meeting": meeting.pk} for e in journal)
    assert list(meeting.participants.all()) == [mother]
    roster = Action.objects.get(description="Rooster opstellen")
    assert roster.decision == decisions[0] and roster.case == case
    assert Action.objects.get(description="Verslag rondsturen").decision is None
    assert len(_events(case, CaseEventKind.MEETING_HELD)) == 1


def test_an_mdo_without_the_meeting_consent_needs_a_confirmation(case, leerplicht, today):
    with pytest.raises(ValidationError) as excinfo:
        meeting_record(case=case, actor=leerplicht, kind=MeetingKind.MDO, held_on=today)
    assert "geen toestemming" in excinfo.value.message_dict["confirmed_without_consent"][0]
    assert not Meeting.objects.exists()
    meeting = meeting_record(
        case=case,
        actor=leerplicht,
        kind=MeetingKind.MDO,
        held_on=today,
        confirmed_without_consent=True,
    )
    (event,) = _events(case, CaseEventKind.MEETING_HELD)
    assert "zonder toestemming" in event.message and event.data["without_consent"] is True
    assert meeting.kind == MeetingKind.MDO
    # Other meetings than the MDO ask for no confirmation.
    meeting_record(case=case, actor=leerplicht, kind=MeetingKind.ZAT, held_on=today)


def test_an_mdo_with_the_meeting_consent_records_without_a_warning(case, leerplicht, today):
    consent_give(case.pupil, ConsentScope.MEETING_PARTICIPATION, "parents", "pupil")
    meeting_record(case=case, actor=leerplicht, kind=MeetingKind.MDO, held_on=today)
    (event,) = _events(case, CaseEventKind.MEETING_HELD)
    assert event.message == "MDO" and "without_consent" not in event.data
    # Consent given today does not cover an MDO held before it.
    with pytest.raises(ValidationError) as excinfo:
        meeting_record(
            case=case,
            actor=leerplicht,
            kind=MeetingKind.MDO,
            held_on=today - datetime.timedelta(days=1),
        )
    assert "confirmed_without_consent" in excinfo.value.message_dict


def test_a_meeting_in_the_future_is_refused(case, leerplicht, today):
    with pytest.raises(ValidationError) as excinfo:
        meeting_record(
            case=case,
            actor=leerplicht,
            kind=MeetingKind.ZAT,
            held_on=today + datetime.timedelta(days=1),
        )
    assert "held_on" in excinfo.value.message_dict
    assert not Meeting.objects.exists()


def test_participants_of_another_case_are_refused(world, case, leerplicht, today):
    other = CaseFactory(school=world.school)
    stranger = participant_add(case=other, actor=leerplicht, role="parent", name="Vader")
    with pytest.raises(ValidationError) as excinfo:
        meeting_record(
            case=case,
            actor=leerplicht,
            kind=MeetingKind.THUISZITTERSTAFEL,
            held_on=today,
            participants=[stranger],
            decisions=["Besluit"],
        )
    assert "participants" in excinfo.value.message_dict
    # Nothing of the meeting stays behind.
    assert not Meeting.objects.exists() and not Decision.objects.exists()
    assert not _events(case, CaseEventKind.MEETING_HELD)


# --- arrangements -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "municipality_percent", "municipality", "swv"),
    [
        (Decimal("1000.00"), None, Decimal("500.00"), Decimal("500.00")),
        (Decimal("1000.00"), 70, Decimal("700.00"), Decimal("300.00")),
        (Decimal("333.33"), 70, Decimal("233.33"), Decimal("100.00")),
        (Decimal("100.01"), None, Decimal("50.00"), Decimal("50.01")),
        (Decimal("0.03"), 50, Decimal("0.02"), Decimal("0.01")),
        (Decimal("12345.67"), 30, Decimal("3703.70"), Decimal("8641.97")),
    ],
)
def test_arrangement_costs_split_to_the_cent(
    case, leerplicht, total, municipality_percent, municipality, swv, today
):
    extra = (
        {} if municipality_percent is None else {"municipality_share_percent": municipality_percent}
    )
    arrangement = arrangement_record(
        case=case,
        actor=leerplicht,
        kind="onderwijszorgarrangement",
        start_on=today + datetime.timedelta(days=14),
        share_percent=60,
        cost_total=total,
        **extra,
    )
    arrangement.refresh_from_db()
    assert arrangement.municipality_share_percent == (municipality_percent or 50)
    assert (arrangement.cost_municipality, arrangement.cost_swv) == (municipality, swv)
    assert arrangement.cost_municipality + arrangement.cost_swv == arrangement.cost_total
    event = _events(case, CaseEventKind.ARRANGEMENT_ADDED)[0]
    assert (event.data["cost_municipality"], event.data["cost_swv"]) == (
        str(municipality),
        str(swv),
    )


def test_a_negative_cost_or_a_share_above_100_is_refused(case, leerplicht, today):
    for bad in ({"cost_total": Decimal("-1")}, {"municipality_share_percent": 101}):
        with pytest.raises(ValidationError):
            arrangement_record(
                case=case,
                actor=leerplicht,
                kind="variawet",
                start_on=today,
                share_percent=50,
                **bad,
            )
    assert not Arrangement.objects.exists()


def test_only_the_first_suitable_started_offer_sets_first_offer_started_on(case, leerplicht, today):
    def record(start_on, suitable=True):
        arrangement_record(
            case=case,
            actor=leerplicht,
            kind="distance_education",
            start_on=start_on,
            share_percent=50,
            is_suitable_offer=suitable,
        )
        case.refresh_from_db()
        return case.first_offer_started_on

    assert record(today - datetime.timedelta(days=20), suitable=False) is None
    assert record(today + datetime.timedelta(days=5)) is None  # not started yet
    started = today - datetime.timedelta(days=10)
    assert record(started) == started
    assert record(today - datetime.timedelta(days=30)) == started  # the first one counts
    audit = _audit(case).get()
    assert audit.changes == {
        "fields": ["first_offer_started_on"],
        "before": {"first_offer_started_on": None},
        "after": {"first_offer_started_on": started.isoformat()},
    }


# --- details, ladder and journal ----------------------------------------------------------


def test_details_are_audited_with_before_and_after(case, leerplicht, today):
    case_details_update(
        case=case,
        actor=leerplicht,
        reason="Na het gesprek",
        daytime_activity="care",
        causes=["school_anxiety", "bullying", "bullying"],
        waiting_list_for="mental_health",
        waiting_since=today - datetime.timedelta(days=40),
    )
    case.refresh_from_db()
    assert case.causes == ["bullying", "school_anxiety"]
    audit = _audit(case).get()
    # Which details changed, and keyed hashes of the new values; never the values (ADR 0017).
    assert {"daytime_activity", "causes", "waiting_list_for", "waiting_since"} <= set(
        audit.changes["fields"]
    )
    assert audit_hash_matches("care", audit.changes["hashes"]["daytime_activity"])
    assert "care" not in str(audit.changes) and "bullying" not in str(audit.changes)
    assert audit.reason == ""  # free text stays in the journal, out of the audit log
    assert _events(case, CaseEventKind.DETAILS_CHANGED)[0].data["changed"]["waiting_list_for"] == (
        "mental_health"
    )
    # Leaving the waiting list clears its date; an unchanged save writes nothing.
    case_details_update(case=case, actor=leerplicht, waiting_list_for="")
    case.refresh_from_db()
    assert case.waiting_since is None
    case_details_update(case=case, actor=leerplicht, daytime_activity="care")
    assert _audit(case).count() == 2
    with pytest.raises(ValidationError):
        case_details_update(case=case, actor=leerplicht, causes=["aliens"])
    with pytest.raises(ValueError, match="phase"):
        case_details_update(case=case, actor=leerplicht, phase="closed")


def test_the_ladder_of_effectiveness_has_its_own_journal_kind(case, leerplicht):
    case_details_update(
        case=case, actor=leerplicht, situation_level="stagnating", lead_mode="forcing"
    )
    event = _events(case, CaseEventKind.LADDER_CHANGED)[0]
    assert event.data == {"changed": {"situation_level": "stagnating", "lead_mode": "forcing"}}
    with pytest.raises(ValidationError):
        case_details_update(case=case, actor=leerplicht, situation_level="fine")


def test_journal_notes_conversations_and_decisions(case, leerplicht):
    on = timezone.now() - datetime.timedelta(days=2)
    event = case_journal_add(
        case=case, actor=leerplicht, text=" Huisbezoek ", kind=CaseEventKind.CONVERSATION, on=on
    )
    assert (event.message, event.at, event.kind) == ("Huisbezoek", on, "conversation")
    assert _audit(event, "create").count() == 1
    for bad in ({"text": " "}, {"text": "x", "kind": CaseEventKind.CLOSED}):
        with pytest.raises(ValidationError):
            case_journal_add(case=case, actor=leerplicht, **bad)


def test_services_refuse_users_outside_the_case(world, case, user_with_role):
    outsider = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.school2)
    with pytest.raises(PermissionDenied):
        goal_add(case=case, actor=outsider, description="x")
    with pytest.raises(PermissionDenied):
        case_journal_add(case=case, actor=outsider, text="x")
