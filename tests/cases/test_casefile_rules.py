"""Rules the case-file services enforce themselves, whatever page or API calls them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.services import case_details_update, case_lead_change, case_reopen, participant_add
from cases.workflow import Phase
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory


@pytest.fixture
def case(world):
    return CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school)


@pytest.fixture
def leerplicht(world, user_with_role):
    return user_with_role(RoleCode.LEERPLICHT)


def test_the_lead_goes_to_a_school_leerplicht_municipality_or_swv_of_the_region(
    world, case, leerplicht
):
    with pytest.raises(ValidationError) as excinfo:
        case_lead_change(case=case, organisation=world.care, actor=leerplicht, reason="x")
    assert "organisation" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        case_lead_change(case=case, organisation=world.far_swv, actor=leerplicht, reason="x")
    assert "regio van de casus" in excinfo.value.message_dict["organisation"][0]
    case_lead_change(case=case, organisation=world.swv, actor=leerplicht, reason="naar SWV")


def test_participants_are_professionals_of_the_region_care_partners_by_invitation(
    world, case, leerplicht, user_with_role
):
    stranger = user_with_role(RoleCode.SWV_DIRECTOR, organisation=world.far_swv)
    jeugdarts = user_with_role(RoleCode.CARE_PARTNER)
    for user in (stranger, jeugdarts):
        with pytest.raises(ValidationError) as excinfo:
            participant_add(case=case, actor=leerplicht, role="other", user=user)
        assert "user" in excinfo.value.message_dict
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    participant_add(case=case, actor=leerplicht, role="zorgcoordinator", user=zc)


def test_participants_with_an_account_are_colleagues_or_work_on_the_cases_organisations(
    world, case, leerplicht, user_with_role
):
    """The actor's colleagues and the professionals of the case's school, SWV, lead and
    leerplicht may be added; people of unrelated organisations of the same region not."""
    colleague = user_with_role(RoleCode.LEERPLICHT)  # same bureau as the actor
    consultant = user_with_role(RoleCode.SWV_CONSULTANT)  # the case's SWV
    other_school = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.vo_school)
    other_swv = user_with_role(RoleCode.SWV_CONSULTANT, organisation=world.swv_vo)
    director = user_with_role(RoleCode.SWV_DIRECTOR)  # the case's SWV, no personal data
    for user in (other_school, other_swv, director):
        with pytest.raises(ValidationError) as excinfo:
            participant_add(case=case, actor=leerplicht, role="other", user=user)
        assert "user" in excinfo.value.message_dict, user
    assert not case.participants.exists()
    for user in (colleague, consultant):
        participant_add(case=case, actor=leerplicht, role="other", user=user)
    assert set(case.participants.values_list("user_id", flat=True)) == {
        colleague.pk,
        consultant.pk,
    }
    # A colleague of the actor's own organisation, though that organisation is not the case's.
    vo_zc = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.vo_school)
    mine = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.vo_school)
    vo_case = CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.vo_school)
    participant_add(case=vo_case, actor=vo_zc, role="zorgcoordinator", user=mine)
    with pytest.raises(ValidationError):
        participant_add(case=vo_case, actor=vo_zc, role="other", user=consultant)


def test_a_waiting_list_date_needs_a_waiting_list(world, case, leerplicht):
    import datetime

    with pytest.raises(ValidationError) as excinfo:
        case_details_update(case=case, actor=leerplicht, waiting_since=datetime.date(2026, 1, 5))
    assert "waiting_since" in excinfo.value.message_dict


def test_reopening_needs_the_case_in_scope(world, user_with_role):
    closed = CaseFactory(phase=Phase.CLOSED, school=world.school)
    other_region = user_with_role(RoleCode.LEERPLICHT, organisation=world.m_b)
    with pytest.raises(PermissionDenied):
        case_reopen(case=closed, actor=other_region, reason="x")
