"""The demo regions' sample school holidays and their SWVs' convenants.

- ``seed_sample_holidays``: SAMPLE holidays for the current and the next school year of the
  zone of each demo region, marked as sample data (``source="sample"``) on every page. They
  are plausible, not official; a real region imports the official calendar (docs/convenant.md).
- ``seed_demo_convenants``: the SWV PO of "Regio Lingemond" gets a convenant whose clock
  pauses during the school holidays, without agreed casusregisseurs (so the leerplicht
  officer of the pupil's municipality leads), with its neighbouring SWV for arbitration and
  the demo doorbraakteam member as coordinator; the other demo SWVs get the defaults
  (version 1, calendar weeks).

Both go through the services, audited, by the region's demo functional administrator (the
system where a region has none), and are idempotent: a sample holiday is added only where
the calendar has none, and an SWV that has a convenant is left alone, so a second run writes
nothing. The dates follow today's school year, not the seed.
"""

from django.utils import timezone

from thuiszitters.demo import EMAIL_DOMAIN
from thuiszitters.models import Membership, Region, Samenwerkingsverband
from thuiszitters.roles import Capability
from thuiszitters.system import DEMO, Actor

from ..models import Casusregie, CountMode, EscalationPolicy
from ..services.holidays import holidays_sample_add
from ..services.policy import policy_version_create

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


def _administrator(region_id: int | None) -> Actor:
    """Who keeps the region's calendar and convenants; the system without one."""
    return _member(Capability.MANAGE_REGION, organisation_id=region_id) or DEMO


def seed_sample_holidays(*, seed: int, pupils: int | None, result) -> None:
    """Sample holidays of the current and the next school year for each demo region."""
    today = timezone.localdate()
    for region in Region.objects.filter(name__in=DEMO_REGIONS).order_by("name"):
        added = holidays_sample_add(region=region, today=today, actor=_administrator(region.pk))
        result.created += len(added)


def seed_demo_convenants(*, seed: int, pupils: int | None, result) -> None:
    """A convenant (version 1) for every demo SWV that has none."""
    swvs = Samenwerkingsverband.objects.filter(region__name__in=DEMO_REGIONS).order_by("code")
    with_policy = set(
        EscalationPolicy.objects.filter(swv__in=swvs).values_list("swv_id", flat=True)
    )
    for swv in swvs:
        if swv.pk in with_policy:
            continue
        actor = _administrator(swv.region_id)
        if swv.code == DEMO_SWV_PO:
            policy_version_create(
                swv=swv,
                actor=actor,
                reason="Demo: convenant van Regio Lingemond (voorbeeld).",
                count_mode=CountMode.PAUSE_HOLIDAYS,
                casusregie=Casusregie.NONE_AGREED,
                neighbour_swv=swv.neighbours.order_by("code").first(),
                doorbraakteam_coordinator=_member(
                    Capability.SIT_ON_DOORBRAAKTEAM,
                    user__email=DOORBRAAKTEAM_EMAIL,
                    organisation__region_id=swv.region_id,
                ),
            )
        else:
            policy_version_create(
                swv=swv, actor=actor, reason="Demo: de standaardafspraken (kalenderweken)."
            )
        result.created += 1
