"""Work lists: my actions, my cases, and the aftercare check-ins that are due."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.selectors import due_check_ins, my_actions, my_cases
from cases.services import (
    action_add,
    action_status_set,
    case_close,
    check_in_record,
    participant_add,
)
from cases.workflow import ClosureReason, Phase
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.users import SETUP

pytestmark = pytest.mark.usefixtures("frozen_clock")


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def leerplicht(world, user_with_role):
    return user_with_role(RoleCode.LEERPLICHT)


@pytest.fixture
def colleague(world, user_with_role):
    return user_with_role(RoleCode.LEERPLICHT)


def test_my_actions_own_and_own_organisation_overdue_first(world, leerplicht, colleague):
    case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    foreign = CaseFactory(school=world.other_school)  # outside the bureau's municipalities

    def add(description, due, the_case=case, **owner):
        return action_add(case=the_case, actor=SETUP, description=description, due_on=due, **owner)

    later = add("Later", days(10), owner_user=leerplicht)
    overdue = add("Te laat", days(-5), owner_user=leerplicht)
    today = add("Vandaag", days(0), owner_organisation=world.bureau)
    very_late = add("Veel te laat", days(-20), owner_organisation=world.bureau)
    add("Van een collega", days(-30), owner_user=colleague)
    add("Collega namens bureau", days(-30), owner_user=colleague, owner_organisation=world.bureau)
    add("Van de school", days(-30), owner_organisation=world.school)
    add("Op een vreemde casus", days(-40), the_case=foreign, owner_user=leerplicht)
    done = add("Al gedaan", days(-50), owner_user=leerplicht)
    action_status_set(action=done, status="done", actor=leerplicht)

    mine = list(my_actions(leerplicht))
    assert mine == [very_late, overdue, today, later]
    assert [a.is_overdue for a in mine] == [True, True, False, False]
    assert [a.description for a in my_actions(colleague)] == [
        "Van een collega",
        "Collega namens bureau",
        "Veel te laat",
        "Vandaag",
    ]


def test_my_cases_led_or_taken_part_in_open_and_visible(world, leerplicht, user_with_role):
    led = CaseFactory(
        phase=Phase.DOORBRAAKTEAM,
        school=world.school,
        lead_organisation=world.bureau,
        lead_user=leerplicht,
    )
    taking_part = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)
    participant_add(case=taking_part, actor=SETUP, role="leerplicht", user=leerplicht)
    CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)  # visible, not mine
    closed = CaseFactory(
        phase=Phase.CLOSED,
        school=world.school,
        lead_organisation=world.bureau,
        lead_user=leerplicht,
    )
    foreign = CaseFactory(school=world.other_school, lead_user=leerplicht)
    mine = set(my_cases(leerplicht))
    assert mine == {led, taking_part}
    assert closed not in mine and foreign not in mine


def test_check_ins_are_due_on_their_day_and_not_before(world, leerplicht):
    start = timezone.now()
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    case_close(case=case, reason=ClosureReason.OFFER_STARTED, actor=leerplicht)
    three, six, twelve = case.check_ins.order_by("due_on")
    assert not due_check_ins(leerplicht).exists()
    with time_machine.travel(start + relativedelta(months=3) - datetime.timedelta(days=1)):
        assert not due_check_ins(leerplicht).exists()
    with time_machine.travel(start + relativedelta(months=3), tick=False):
        assert list(due_check_ins(leerplicht)) == [three]
    with time_machine.travel(start + relativedelta(months=6, days=1), tick=False):
        assert list(due_check_ins(leerplicht)) == [three, six]
        check_in_record(check_in=three, actor=leerplicht, outcome="going_well", note="Gaat goed")
        assert list(due_check_ins(leerplicht)) == [six]
        with pytest.raises(ValidationError):
            check_in_record(check_in=three, actor=leerplicht, outcome="concerns")
    # Someone outside the case sees none of them.
    other = CaseFactory(school=world.other_school)
    assert not due_check_ins(leerplicht).filter(case=other).exists()
    assert twelve.due_on == timezone.localtime(case.closed_at).date() + relativedelta(months=12)


def test_missing_again_at_a_check_in_reopens_the_case_and_cancels_the_rest(world, leerplicht):
    start = timezone.now()
    case = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    case_close(case=case, reason=ClosureReason.BACK_AT_SCHOOL, actor=leerplicht)
    three, six, twelve = case.check_ins.order_by("due_on")
    with time_machine.travel(start + relativedelta(months=3, days=2), tick=False):
        check_in_record(check_in=three, actor=leerplicht, outcome="missing_again")
        case.refresh_from_db()
        assert case.is_open and case.phase == Phase.SCHOOL
        assert case.clock_start == timezone.localdate()
        six.refresh_from_db()
        twelve.refresh_from_db()
        assert six.cancelled and twelve.cancelled
    with time_machine.travel(start + relativedelta(months=13), tick=False):
        assert not due_check_ins(leerplicht).exists()
        with pytest.raises(ValidationError):
            check_in_record(check_in=six, actor=leerplicht, outcome="going_well")


def test_a_check_in_needs_a_known_outcome(world, leerplicht):
    case = CaseFactory(phase=Phase.CLOSED, school=world.school)
    check_in = case.check_ins.first()
    with pytest.raises(ValidationError):
        check_in_record(check_in=check_in, actor=leerplicht, outcome="fine")
