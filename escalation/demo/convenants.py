"""The demo regions' sample school holidays and their SWVs' convenants.

- ``seed_sample_holidays``: SAMPLE holidays for the current and the next school year of the
  zone of each demo region, marked as sample data (``source="sample"``) on every page. They
  are plausible, not official; a real region imports the official calendar (docs/convenant.md).
- ``seed_demo_convenants``: the SWV PO of "Regio Lingemond" gets a convenant whose clock
  pauses during the school holidays, with its neighbouring SWV for arbitration and the demo
  doorbraakteam member as coordinator; the other demo SWVs get the defaults (version 1,
  calendar weeks). An SWV with a demo casusregisseur appoints them (so the sweep hands
  them the cases at week 4); elsewhere nobody is agreed and the leerplicht officer of the
  pupil's municipality leads.

Both go through the services, audited, by the region's demo functional administrator (the
system where a region has none), and are idempotent: a sample holiday is added only where
the calendar has none, and an SWV that has a convenant is left alone, so a second run writes
nothing (a convenant of an earlier seed only gets the appointment of its casusregisseurs,
once). The dates follow today's school year, not the seed.
"""

from typing import Any

from django.utils import timezone

from thuiszitters.demo import EMAIL_DOMAIN
from thuiszitters.models import Membership, Region, Samenwerkingsverband, User
from thuiszitters.roles import Capability, RoleCode
from thuiszitters.system import DEMO, Actor

from ..models import Casusregie, CountMode, EscalationPolicy
from ..services.holidays import holidays_sample_add
from ..services.policy import current_version, policy_version_create, version_settings

DEMO_REGIONS = ("Regio Lingemond", "Regio Waaldelta")
DEMO_SWV_PO = "PO 99-01"
DOORBRAAKTEAM_EMAIL = f"doorbraakteam@{EMAIL_DOMAIN}"


def _member(capability: str, **where):
    """The first demo user who holds ``capability`` in a membership ``where``, or None."""
    membership = (
        Membership.objects.active()
        .filter(
            user__email__endswith=f"@{EMAIL_DOMAIN}",
            role__permissions__codename=capability,
            **where,
        )
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    return membership.user if membership else None


def _casusregisseurs(swv: Samenwerkingsverband) -> dict[str, Any]:
    """The convenant's appointment of the SWV's own demo casusregisseurs, if it has any."""
    users = list(
        User.objects.filter(
            email__endswith=f"@{EMAIL_DOMAIN}",
            pk__in=Membership.objects.active()
            .filter(
                organisation_id=swv.pk,
                role__name=RoleCode.CASUSREGISSEUR,
                role__permissions__codename=Capability.LEAD_AS_CASUSREGISSEUR,
            )
            .values("user_id"),
        ).order_by("email")
    )
    if not users:
        return {}
    return {
        "casusregie": Casusregie.APPOINTED,
        "casusregisseur_organisation": swv,
        "casusregisseurs": users,
    }


def _administrator(region_id: int | None) -> Actor:
    """Who keeps the region's calendar and convenants; the system without one."""
    return _member(Capability.MANAGE_REGION, organisation_id=region_id) or DEMO


def seed_sample_holidays(*, seed: int, pupils: int | None, result) -> None:
    """Sample holidays of the current and the next school year for each demo region."""
    today = timezone.localdate()
    for region in Region.objects.filter(name__in=DEMO_REGIONS).order_by("name"):
        added = holidays_sample_add(region=region, today=today, actor=_administrator(region.pk))
        result.created += len(added)


def _appoint_in_earlier_seed(swv: Samenwerkingsverband, result) -> None:
    """A demo convenant seeded before the demo appointed its casusregisseurs (version 1
    without them) gets version 2 that does; a version made since is left alone."""
    version = current_version(swv.pk)
    appointment = _casusregisseurs(swv)
    if (
        not appointment
        or version is None
        or version.number != 1
        or version.casusregie == Casusregie.APPOINTED
    ):
        return
    policy_version_create(
        swv=swv,
        actor=_administrator(swv.region_id),
        reason="Demo: de casusregisseur van het samenwerkingsverband is aangewezen.",
        **(version_settings(version) | appointment),
    )
    result.created += 1


def seed_demo_convenants(*, seed: int, pupils: int | None, result) -> None:
    """A convenant (version 1) for every demo SWV that has none."""
    swvs = Samenwerkingsverband.objects.filter(region__name__in=DEMO_REGIONS).order_by("code")
    with_policy = set(
        EscalationPolicy.objects.filter(swv__in=swvs).values_list("swv_id", flat=True)
    )
    for swv in swvs:
        if swv.pk in with_policy:
            _appoint_in_earlier_seed(swv, result)
            continue
        actor = _administrator(swv.region_id)
        if swv.code == DEMO_SWV_PO:
            policy_version_create(
                swv=swv,
                actor=actor,
                reason="Demo: convenant van Regio Lingemond (voorbeeld).",
                count_mode=CountMode.PAUSE_HOLIDAYS,
                neighbour_swv=swv.neighbours.order_by("code").first(),
                doorbraakteam_coordinator=_member(
                    Capability.SIT_ON_DOORBRAAKTEAM,
                    user__email=DOORBRAAKTEAM_EMAIL,
                    organisation__region_id=swv.region_id,
                ),
                **_casusregisseurs(swv),
            )
        else:
            policy_version_create(
                swv=swv,
                actor=actor,
                reason="Demo: de standaardafspraken (kalenderweken).",
                **_casusregisseurs(swv),
            )
        result.created += 1
