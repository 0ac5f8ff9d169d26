"""Who becomes casusregisseur of a case at week 4 (DESIGN.md 4.2, seeds 002 section 6.7).

The convenant names the organisation (and possibly the people) that SWV and municipality
appointed; without an agreement the leerplicht officers of the pupil's municipality are the
casusregisseurs. Among the candidates the one with the fewest open cases gets the case; with
no candidate person the organisation holds the lead until it names someone.
"""

from collections import Counter, defaultdict
from collections.abc import Collection
from typing import TYPE_CHECKING

from django.db.models import Count

from cases.models import Case
from thuiszitters.models import LeerplichtBureau, Membership
from thuiszitters.roles import Capability

from ..models import Casusregie
from .notify import appointed_casusregisseurs

if TYPE_CHECKING:
    from .deadlines import RouteFacts


def _leerplicht_organisations(municipality_ids: Collection[int]) -> dict[int, int]:
    """Municipality id -> the leerplicht bureau that serves it (else the municipality)."""
    served: dict[int, int] = {}
    for bureau_id, municipality_id in (
        LeerplichtBureau.municipalities.through.objects.filter(
            municipality_id__in=list(municipality_ids), leerplichtbureau__is_active=True
        )
        .order_by("leerplichtbureau_id")
        .values_list("leerplichtbureau_id", "municipality_id")
    ):
        served.setdefault(municipality_id, bureau_id)
    return {m: served.get(m, m) for m in municipality_ids}


def appoint(
    facts: "RouteFacts", case_ids: list[int], appointed: dict[int, set[int]] | None = None
) -> dict[int, tuple[int, int | None]]:
    """Case id -> (organisation id, user id or None) of its casusregisseur, for a batch.
    ``appointed``: the convenants' named casusregisseurs, when the caller read them already."""
    versions = {pk: facts.version(pk) for pk in case_ids}
    if appointed is None:
        appointed = appointed_casusregisseurs({v.pk for v in versions.values() if v is not None})
    leerplicht = _leerplicht_organisations({facts.cases[pk]["municipality_id"] for pk in case_ids})
    organisation: dict[int, int] = {}
    for pk in case_ids:
        version = versions[pk]
        if (
            version is not None
            and version.casusregie == Casusregie.APPOINTED
            and version.casusregisseur_organisation_id
        ):
            organisation[pk] = version.casusregisseur_organisation_id
        else:
            organisation[pk] = leerplicht[facts.cases[pk]["municipality_id"]]
    members: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in (
        Membership.objects.active()
        .filter(
            organisation_id__in=set(organisation.values()),
            role__permissions__codename=Capability.LEAD_AS_CASUSREGISSEUR,
        )
        .order_by("user_id")
        .values_list("organisation_id", "user_id")
        .distinct()
    ):
        members[org_id].append(user_id)
    candidates: dict[int, list[int]] = {}
    for pk in case_ids:
        version = versions[pk]
        named = appointed.get(version.pk, set()) if version is not None else set()
        org_members = members.get(organisation[pk], [])
        candidates[pk] = sorted(u for u in org_members if not named or u in named)
    everyone = {u for c in candidates.values() for u in c}
    load = Counter(
        dict(
            Case.objects.open()
            .filter(lead_user_id__in=everyone)
            .order_by()
            .values_list("lead_user_id")
            .annotate(n=Count("id"))
            .values_list("lead_user_id", "n")
        )
    )
    result: dict[int, tuple[int, int | None]] = {}
    for pk in case_ids:
        chosen = min(candidates[pk], key=lambda u: (load[u], u)) if candidates[pk] else None
        if chosen is not None:
            load[chosen] += 1
        result[pk] = (organisation[pk], chosen)
    return result
