"""How a demo case takes each step of the route: through the escalation services, by the
person whose step it is (registered with ``cases.demo.register_route_step``).

The demo's stories take the timed steps on their week (4, 8, 9 or 12), which is never later
than the convenant's deadline (pausing for holidays only moves it on): a step before its
deadline is a step by hand, with a reason, so the demo records them as such. The week-4 step
is the school's (the reporter's); the convenant's casusregisseur then leads and takes the
rest. Arbitration needs the parents' consent to binding arbitration and a neighbouring SWV
in the convenant: without one (the demo's SWV VO), the parents refuse arbitration and the
case goes from the doorbraakteam to the OM.
"""

from django.utils import timezone

from cases.models import Case
from cases.services import case_consent_record
from cases.workflow import Phase
from registration.models import ConsentHow, ConsentParty, ConsentScope, ConsentStatus
from registration.rules import age_on, consent_parties_required
from thuiszitters.models import Membership
from thuiszitters.roles import Capability

from ..models import ArbitrationPanel, ArbitrationStatus, OmRoute, Step
from ..services.deadlines import deadlines_compute
from ..services.policy import current_version
from ..services.steps import (
    arbitration_conclude,
    arbitration_start,
    assessment_record,
    escalate_by_hand,
    om_refer,
)
from .convenants import DEMO_REGIONS

WEEK_4 = "Week 4: de school draagt de casus over aan de casusregisseur."
WEEK_8 = "Week 8: tijd voor de doorbraaktoets."
NO_OFFER = "Er is binnen vier weken geen passend aanbod in zicht; het doorbraakteam is nodig."
TO_ARBITRATION = "Het doorbraakteam vindt met school en ouders geen oplossing."
REPRESENTATIVE = "Mr. E. Verbeek, advocaat van de ouders"
TO_OM = "Geen bindende oplossing; de ouders werken niet mee aan een passende plek."
CONSENT_NOTE = "Besproken aan de keukentafel, met uitleg over bindende arbitrage."


def to_casusregisseur(*, case: Case, actor, when) -> bool:
    escalate_by_hand(case=case, step=Step.CASUSREGISSEUR, actor=actor, reason=WEEK_4)
    return True


def to_assessment(*, case: Case, actor, when) -> bool:
    escalate_by_hand(case=case, step=Step.DOORBRAAK_ASSESSMENT, actor=actor, reason=WEEK_8)
    return True


def to_doorbraakteam(*, case: Case, actor, when) -> bool:
    assessment_record(case=case, actor=actor, offer_within_four_weeks=False, explanation=NO_OFFER)
    return True


def to_arbitration(*, case: Case, actor, when) -> bool:
    version = current_version(case.swv_id)
    if version is None or version.neighbour_swv_id is None:
        return False
    neighbour = (
        Membership.objects.active()
        .filter(
            organisation_id=version.neighbour_swv_id,
            role__permissions__codename=Capability.SIT_ON_DOORBRAAKTEAM,
        )
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    own = version.doorbraakteam_coordinator
    if neighbour is None or own is None:
        return False
    _binding_arbitration(case, actor, ConsentStatus.GIVEN, when)
    arbitration_start(
        case=case,
        actor=actor,
        parents_representative=REPRESENTATIVE,
        own_member=own,
        neighbour_member=neighbour.user,
        reason=TO_ARBITRATION,
    )
    return True


def to_om(*, case: Case, actor, when) -> bool:
    day = timezone.localtime(when).date()
    if case.phase == Phase.ARBITRATION:
        panel = ArbitrationPanel.objects.get(case=case, route_round=case.route_round)
        arbitration_conclude(
            panel=panel, actor=actor, status=ArbitrationStatus.NO_RESULT, decided_on=day
        )
    else:
        _binding_arbitration(case, actor, ConsentStatus.REFUSED, when)
    om_refer(case=case, actor=actor, route=OmRoute.CIVIL, referred_on=day, reason=TO_OM)
    return True


def _binding_arbitration(case: Case, actor, status: str, when) -> None:
    """The parents' (and from 12 the pupil's) word on binding arbitration, recorded by the
    casusregisseur from the case page."""
    pupil = case.pupil
    day = timezone.localtime(when).date()
    # The services judge consent on today's age: a pupil who turned 12 since the story's day
    # needs their own word too.
    parties = consent_parties_required(age_on(pupil.date_of_birth, day)) | (
        consent_parties_required(age_on(pupil.date_of_birth, timezone.localdate()))
    )
    for party in sorted(parties):
        is_parents = party == ConsentParty.PARENTS
        case_consent_record(
            case=case,
            actor=actor,
            scope=ConsentScope.BINDING_ARBITRATION,
            status=status,
            party=party,
            stated_on=day,
            how=ConsentHow.CONVERSATION,
            guardian=pupil.guardians.order_by("pk").first() if is_parents else None,
            note=CONSENT_NOTE,
        )


ROUTE_STEPS = {
    Phase.CASUSREGISSEUR: to_casusregisseur,
    Phase.DOORBRAAK_ASSESSMENT: to_assessment,
    Phase.DOORBRAAKTEAM: to_doorbraakteam,
    Phase.ARBITRATION: to_arbitration,
    Phase.OM_REFERRAL: to_om,
}


def seed_demo_deadlines(*, seed: int, pupils: int | None, result) -> None:
    """Store the deadline of every open demo case that has none yet (those still with the
    school), so the case pages and the first sweep start from the convenant's dates."""
    ids = list(
        Case.objects.open()
        .filter(municipality__region__name__in=DEMO_REGIONS, deadline__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    deadlines_compute(ids)
