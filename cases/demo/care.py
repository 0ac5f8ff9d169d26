"""A few cases for the demo jeugdarts: consent for care partners and the invitation."""

from django.utils import timezone

from registration.models import ConsentHow, ConsentParty, ConsentScope, ConsentStatus
from registration.rules import age_on, consent_parties_required
from registration.services import consent_record
from thuiszitters.demo import EMAIL_DOMAIN
from thuiszitters.models import OrganisationKind, User

from ..models import Case, CaseUserObjectPermission
from ..services import care_partner_invite
from ..workflow import Phase

CARE_DEMO_EMAIL = f"jeugdarts@{EMAIL_DOMAIN}"
CARE_DEMO_CASES = 3


def seed_care_partner_invitations(*, seed: int, pupils: int | None, result) -> None:
    """Give the demo jeugdarts a few cases to open: leerplicht records the consent for care
    partners and makes the invitation through the services (both audited), on open cases
    that the leerplicht bureau leads past the school phase. Runs once: skipped when the
    jeugdarts already holds an invitation."""
    jeugdarts = User.objects.filter(email=CARE_DEMO_EMAIL).first()
    leerplicht = User.objects.filter(email=f"leerplicht@{EMAIL_DOMAIN}").first()
    if jeugdarts is None or leerplicht is None:
        return
    if CaseUserObjectPermission.objects.filter(user=jeugdarts).exists():
        return
    today = timezone.localdate()
    candidates = (
        Case.objects.open()
        .filter(
            lead_organisation__kind=OrganisationKind.LEERPLICHT_BUREAU,
            case_reports__report__shared_with_leerplicht=True,
        )
        .exclude(phase=Phase.SCHOOL)
        .select_related("pupil")
        .order_by("pupil__bsn", "id")
        .distinct()[:CARE_DEMO_CASES]
    )
    for case in candidates:
        pupil = case.pupil
        for party in sorted(consent_parties_required(age_on(pupil.date_of_birth, today))):
            consent_record(
                actor=leerplicht,
                pupil=pupil,
                scope=ConsentScope.SHARE_WITH_CARE_PARTNERS,
                status=ConsentStatus.GIVEN,
                party=ConsentParty(party),
                stated_on=today,
                how=ConsentHow.CONVERSATION,
                note="Demo: toestemming om de jeugdarts te betrekken.",
            )
        care_partner_invite(case=case, user=jeugdarts, actor=leerplicht)
        result.created += 1
