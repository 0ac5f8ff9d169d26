"""An at-risk signal starts no clock (DESIGN.md 4.1): however old, it is never counted as a
child at home, neither on the thuiszitterslijst nor in the "three months" figures."""

import re

import pytest
from django.urls import reverse

from cases.models import Case
from reports.selectors import past_three_months_q
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_an_old_signal_is_no_thuiszitter_and_not_three_months_at_home(
    world, user_with_role, login, today
):
    at_home = CaseFactory(school=world.school, phase="casusregisseur", age_days=130)
    signal = CaseFactory(school=world.school, at_risk=True, report__kind="at_risk", age_days=130)
    assert set(Case.objects.filter(past_three_months_q(today)).values_list("pk", flat=True)) == {
        at_home.pk
    }
    response = login(user_with_role(RoleCode.SWV_CONSULTANT)).get(reverse("reportlists:list"))
    listed = {int(pk) for pk in re.findall(rb'data-case="(\d+)"', response.content)}
    assert listed == {at_home.pk}
    assert signal.pupil.surname.encode() not in response.content
