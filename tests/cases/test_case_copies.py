"""The case's copies of facts kept elsewhere (ADR 0019, ADR 0024): the services keep them,
and ``case_copies_refresh`` finds and repairs a copy that a change past them left behind."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Case, CaseEvent
from cases.services import absence_report_submit, case_copies_refresh
from cases.services.casefile import case_journal_add, goal_add, meeting_record
from registration.models import Pupil
from registration.services.corrections import pupil_correct
from thuiszitters.roles import RoleCode

from ..factories.registration import enrolled_pupil, report_input

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _opened(world, user_with_role, **pupil):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    child = enrolled_pupil(world.school, **pupil)
    result = absence_report_submit(
        actor=zc, reporting_organisation=world.school, data=report_input(child), channel="form"
    )
    return result.case


def _dates(case):
    case = Case.objects.get(pk=case.pk)
    return case.pupil_born_on, case.pupil_startkwalificatie_on


def test_the_intake_copies_the_pupils_dates_and_a_correction_keeps_them(world, user_with_role):
    case = _opened(world, user_with_role, date_of_birth=datetime.date(2010, 5, 4))
    assert _dates(case) == (datetime.date(2010, 5, 4), None)
    pupil_correct(
        pupil=case.pupil,
        actor=user_with_role(RoleCode.PRIVACY_OFFICER),
        fields={
            "date_of_birth": datetime.date(2010, 4, 5),
            "startkwalificatie_on": datetime.date(2026, 7, 1),
        },
        reason="Geboortedatum omgedraaid; diploma ontvangen",
    )
    assert _dates(case) == (datetime.date(2010, 4, 5), datetime.date(2026, 7, 1))
    assert case_copies_refresh(check=True) == {"sharing": 0, "pupil_dates": 0, "first_dates": 0}


def test_a_change_past_the_services_is_found_and_repaired(world, user_with_role, capsys):
    case = _opened(world, user_with_role, date_of_birth=datetime.date(2010, 5, 4))
    other = _opened(world, user_with_role, date_of_birth=datetime.date(2011, 1, 1))
    # A database edit (the audited manager refuses bulk updates; a console would not).
    Pupil._base_manager.filter(pk=case.pupil_id).update(
        startkwalificatie_on=datetime.date(2026, 7, 1)
    )
    with pytest.raises(CommandError):
        call_command("case_copies_refresh", "--check")
    assert "pupil_dates: 1 case(s) differ" in capsys.readouterr().out
    assert _dates(case) == (datetime.date(2010, 5, 4), None)  # --check changes nothing
    call_command("case_copies_refresh")
    assert "pupil_dates: 1 case(s) repaired" in capsys.readouterr().out
    assert _dates(case) == (datetime.date(2010, 5, 4), datetime.date(2026, 7, 1))
    assert _dates(other) == (datetime.date(2011, 1, 1), None)
    call_command("case_copies_refresh", "--check")
    assert "pupil_dates: 0 case(s) differ" in capsys.readouterr().out


def _firsts(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.first_contact_at,
        case.first_meeting_on,
        case.first_parents_meeting_on,
        case.first_goal_at,
    )


def test_the_journal_keeps_the_first_contact_meeting_and_goal(world, user_with_role, now, today):
    """Each service that writes a contact, a meeting or a goal keeps the case's first dates
    (ADR 0025), including a conversation recorded afterwards with an earlier moment."""
    case = _opened(world, user_with_role)
    worker = user_with_role(RoleCode.ZORGCOORDINATOR)
    assert _firsts(case) == (None, None, None, None)
    case_journal_add(case=case, actor=worker, text="Genoteerd", kind="note")
    assert _firsts(case) == (None, None, None, None)  # a note is no contact

    earlier = now - datetime.timedelta(days=3)
    meeting_record(
        case=case,
        actor=worker,
        kind="zat",
        held_on=today - datetime.timedelta(days=2),
        parents_present=False,
    )
    held = CaseEvent.objects.get(case=case, kind="meeting_held").at
    assert _firsts(case) == (held, today - datetime.timedelta(days=2), None, None)
    case_journal_add(case=case, actor=worker, text="Gebeld", kind="conversation", on=earlier)
    assert _firsts(case)[0] == earlier
    meeting_record(
        case=case,
        actor=worker,
        kind="zat",
        held_on=today - datetime.timedelta(days=5),
        parents_present=True,
    )
    goal = goal_add(case=case, actor=worker, description="Weer naar school")
    assert _firsts(case) == (
        earlier,
        today - datetime.timedelta(days=5),
        today - datetime.timedelta(days=5),
        goal.created_at,
    )
    assert case_copies_refresh(check=True) == {"sharing": 0, "pupil_dates": 0, "first_dates": 0}
