"""Care partners: invited per case, only under share_with_care_partners consent."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from guardian.models import UserObjectPermission

from cases.models import CaseEvent, CaseEventKind, CaseUserObjectPermission, Participant
from cases.selectors import cases_visible_to
from cases.services import care_partner_invite, case_consent_record
from cases.workflow import Phase
from registration.models import ConsentHow, ConsentParty, ConsentScope, ConsentStatus
from registration.services import consent_record
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give
from ..factories.organisations import CareOrganisationFactory
from ..factories.registration import enrolled_pupil, years_ago

CARE = ConsentScope.SHARE_WITH_CARE_PARTNERS
PARENTS, PUPIL = ConsentParty.PARENTS, ConsentParty.PUPIL


@pytest.fixture
def leerplicht(world, user_with_role):
    return user_with_role(RoleCode.LEERPLICHT)


@pytest.fixture
def jeugdarts(world, user_with_role):
    return user_with_role(RoleCode.CARE_PARTNER)


@pytest.fixture
def other_care(world, user_with_role):
    return user_with_role(RoleCode.CARE_PARTNER, organisation=CareOrganisationFactory())


def _case(world, years: int):
    pupil = enrolled_pupil(world.school, date_of_birth=years_ago(years, 40))
    return CaseFactory(phase=Phase.CASUSREGISSEUR, school=world.school, pupil=pupil)


def _statement(status, party):
    return {
        "scope": CARE,
        "status": status,
        "party": party,
        "stated_on": timezone.localdate(),
        "how": ConsentHow.PHONE,
    }


def test_a_10_year_old_needs_the_parents_consent(world, leerplicht, jeugdarts):
    case = _case(world, 10)
    with pytest.raises(ValidationError):
        care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    assert not CaseUserObjectPermission.objects.exists()
    consent_give(case.pupil, CARE, PARENTS)
    participant = care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    assert participant.organisation == world.care and participant.role == "jeugdarts"
    assert cases_visible_to(jeugdarts).filter(pk=case.pk).exists()


def test_a_13_year_old_needs_the_parents_and_the_pupil(world, leerplicht, jeugdarts):
    case = _case(world, 13)
    consent_give(case.pupil, CARE, PARENTS)
    with pytest.raises(ValidationError):
        care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    consent_give(case.pupil, CARE, PUPIL)
    care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    assert cases_visible_to(jeugdarts).filter(pk=case.pk).exists()


def test_the_grant_is_a_direct_foreign_key_row_seen_only_by_the_invited(
    world, leerplicht, jeugdarts, other_care
):
    case = _case(world, 10)
    consent_give(case.pupil, CARE, PARENTS)
    care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    grant = CaseUserObjectPermission.objects.get()
    assert (grant.user, grant.content_object, grant.permission.codename) == (
        jeugdarts,
        case,
        "view_case_as_care_partner",
    )
    assert not UserObjectPermission.objects.exists()
    assert list(cases_visible_to(jeugdarts)) == [case]
    assert not cases_visible_to(other_care).exists()
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.CARE_ACCESS_GRANTED)
    assert event.actor == leerplicht


def test_only_care_partners_can_be_invited(world, leerplicht, user_with_role):
    case = _case(world, 10)
    consent_give(case.pupil, CARE, PARENTS)
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    with pytest.raises(ValidationError):
        care_partner_invite(case=case, user=zc, actor=leerplicht)


def _invited(world, leerplicht, jeugdarts):
    case = _case(world, 10)
    consent_give(case.pupil, CARE, PARENTS)
    care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    return case


def test_withdrawing_on_the_case_page_hides_the_case_and_removes_the_grant(
    world, leerplicht, jeugdarts
):
    case = _invited(world, leerplicht, jeugdarts)
    case_consent_record(case=case, actor=leerplicht, **_statement(ConsentStatus.WITHDRAWN, PARENTS))
    assert not cases_visible_to(jeugdarts).exists()
    assert not CaseUserObjectPermission.objects.exists()
    participant = Participant.objects.get(case=case, user=jeugdarts)
    assert participant.removed_at is not None
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.CARE_ACCESS_REVOKED).count() == 1

    # Consent given again does not bring the access back: that needs a new invitation.
    case_consent_record(case=case, actor=leerplicht, **_statement(ConsentStatus.GIVEN, PARENTS))
    case.pupil.refresh_from_db()
    assert case.pupil.shared_with_care_partners
    assert not cases_visible_to(jeugdarts).exists()
    care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    assert cases_visible_to(jeugdarts).filter(pk=case.pk).exists()


def test_withdrawing_on_the_pupil_page_hides_the_case_at_once(world, leerplicht, jeugdarts):
    case = _invited(world, leerplicht, jeugdarts)
    consent_record(
        actor=leerplicht, pupil=case.pupil, **_statement(ConsentStatus.WITHDRAWN, PARENTS)
    )
    case.pupil.refresh_from_db()
    assert not case.pupil.shared_with_care_partners
    assert not cases_visible_to(jeugdarts).exists()
    # The grant row stays; the pupil's consent flag alone hides the case.
    assert CaseUserObjectPermission.objects.filter(user=jeugdarts).count() == 1


def test_a_refusal_by_the_13_year_old_hides_the_case(world, leerplicht, jeugdarts):
    case = _case(world, 13)
    consent_give(case.pupil, CARE, PARENTS, PUPIL)
    care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    case_consent_record(case=case, actor=leerplicht, **_statement(ConsentStatus.REFUSED, PUPIL))
    assert not cases_visible_to(jeugdarts).exists()
    assert not CaseUserObjectPermission.objects.exists()


def test_consent_given_again_on_the_pupil_page_needs_a_new_invitation(world, leerplicht, jeugdarts):
    case = _invited(world, leerplicht, jeugdarts)
    consent_record(
        actor=leerplicht, pupil=case.pupil, **_statement(ConsentStatus.WITHDRAWN, PARENTS)
    )
    consent_record(actor=leerplicht, pupil=case.pupil, **_statement(ConsentStatus.GIVEN, PARENTS))
    # The old invitation predates the consent now in force: it does not count any more.
    assert not cases_visible_to(jeugdarts).exists()
    care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
    assert cases_visible_to(jeugdarts).filter(pk=case.pk).exists()


def test_revoking_care_access_is_audited(world, leerplicht, jeugdarts):
    from thuiszitters.models import AuditLogEntry

    case = _invited(world, leerplicht, jeugdarts)
    case_consent_record(case=case, actor=leerplicht, **_statement(ConsentStatus.WITHDRAWN, PARENTS))
    assert AuditLogEntry.objects.filter(
        object_type="cases.caseuserobjectpermission", action="delete", actor=leerplicht
    ).exists()
    assert AuditLogEntry.objects.filter(
        object_type="cases.participant", action="update", actor=leerplicht
    ).exists()
