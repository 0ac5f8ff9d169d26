"""The convenant: its current version per SWV, and new versions (append-only, audited)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuiszitters.access import has_capability, region_ids_with
from thuiszitters.audit import audit_change, snapshot
from thuiszitters.changes import organisations_changed
from thuiszitters.models import AuditAction, Samenwerkingsverband, User
from thuiszitters.roles import Capability
from thuiszitters.system import Actor, acting_user, is_system

from ..models import Casusregie, EscalationPolicy, PolicyVersion

LEAD_KINDS = frozenset({"school", "leerplicht_bureau", "municipality", "swv"})
VERSION_FIELDS = [
    "casusregisseur_weeks",
    "doorbraak_assessment_weeks",
    "doorbraakteam_weeks",
    "assessment_response_days",
    "om_referral_months",
    "warning_days",
    "count_mode",
    "casusregie",
    "casusregisseur_organisation",
    "doorbraakteam_coordinator",
    "neighbour_swv",
    "target_first_contact_days",
    "target_first_contact_percent",
    "target_goals_days",
    "target_goals_percent",
    "target_offer_months",
    "target_offer_percent",
    "target_first_conversation_days",
    "target_first_conversation_percent",
]


def current_versions(swv_ids: Iterable[int]) -> dict[int, PolicyVersion]:
    """The version in force per SWV id (SWVs without a convenant are missing: the defaults
    apply). One query."""
    versions: dict[int, PolicyVersion] = {}
    for version in (
        PolicyVersion.objects.filter(policy__swv_id__in=list(swv_ids))
        .select_related("policy", "neighbour_swv")
        .order_by("policy_id", "number")
    ):
        versions[version.policy.swv_id] = version
    return versions


def current_version(swv_id: int | None) -> PolicyVersion | None:
    if swv_id is None:
        return None
    return current_versions([swv_id]).get(swv_id)


def _validate(
    version: PolicyVersion, swv: Samenwerkingsverband, casusregisseurs: Sequence[User]
) -> None:
    errors: dict[str, str] = {}
    org = version.casusregisseur_organisation
    if version.casusregie == Casusregie.APPOINTED:
        if org is None:
            errors["casusregisseur_organisation"] = _(
                "Kies de organisatie van de aangewezen casusregisseurs."
            )
        elif org.kind not in LEAD_KINDS or org.region_id != swv.region_id:
            errors["casusregisseur_organisation"] = _(
                "Kies een samenwerkingsverband, gemeente, leerplichtbureau of school uit de regio."
            )
        else:
            for user in casusregisseurs:
                if not has_capability(user, Capability.LEAD_AS_CASUSREGISSEUR, org.pk):
                    errors["casusregisseurs"] = _("%(name)s voert geen casusregie bij %(org)s.") % {
                        "name": user.full_name or user.email,
                        "org": org.name,
                    }
    elif org is not None or casusregisseurs:
        errors["casusregie"] = _(
            "Zonder afspraak over casusregie wijst het systeem de leerplichtambtenaar aan; "
            "laat de casusregisseurs leeg."
        )
    coordinator = version.doorbraakteam_coordinator
    if coordinator is not None and not has_capability(
        coordinator, Capability.SIT_ON_DOORBRAAKTEAM, region_id=swv.region_id
    ):
        errors["doorbraakteam_coordinator"] = _("Kies een lid van het doorbraakteam in de regio.")
    neighbour = version.neighbour_swv
    if neighbour is not None and (
        neighbour.pk == swv.pk or not swv.neighbours.filter(pk=neighbour.pk).exists()
    ):
        errors["neighbour_swv"] = _("Kies een naburig samenwerkingsverband.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def policy_version_create(
    *,
    swv: Samenwerkingsverband,
    actor: Actor,
    reason: str = "",
    casusregisseurs: Iterable[User] = (),
    **settings: Any,
) -> PolicyVersion:
    """A new version of the SWV's convenant. It applies to every deadline not yet passed:
    those are recomputed in the same transaction. The system (demo) may, as ``DEMO``."""
    from .deadlines import deadlines_recompute

    if not is_system(actor) and swv.region_id not in region_ids_with(
        actor, Capability.MANAGE_REGION
    ):
        raise PermissionDenied(_("U beheert het convenant van dit samenwerkingsverband niet."))
    policy, _created = EscalationPolicy.objects.get_or_create(swv=swv)
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
    last = policy.versions.order_by("-number").first()
    if last is not None and not reason.strip():
        raise ValidationError({"reason": _("Geef de reden van de wijziging.")})
    casusregisseurs = list(casusregisseurs)
    version = PolicyVersion(
        policy=policy,
        number=(last.number + 1) if last else 1,
        created_by=acting_user(actor),
        reason=reason,
        **settings,
    )
    version.full_clean(exclude=["policy", "number", "created_by"])
    _validate(version, swv, casusregisseurs)
    version.save()
    version.casusregisseurs.set(casusregisseurs)
    organisations_changed([swv.pk])  # the convenant's targets
    after = snapshot(version, VERSION_FIELDS)
    after["casusregisseurs"] = sorted(u.pk for u in casusregisseurs)
    audit_change(
        actor=actor,
        obj=version,
        action=AuditAction.CREATE,
        after=after,
        reason=reason,
        organisation=swv,
    )
    deadlines_recompute(swv_ids=[swv.pk])
    return version


def version_settings(version: PolicyVersion | None) -> dict[str, Any]:
    """The settings of a version as keyword arguments for the next one (the form's start)."""
    if version is None:
        return {}
    return {name: getattr(version, name) for name in VERSION_FIELDS}
