"""Which aggregates a user may see: an SWV, a municipality or the region (DESIGN.md 4.4).

A scope is an organisation whose cases are counted on the case's indexed organisation
columns (``swv_id``, ``municipality_id``, ``swv__region_id``). Aggregates need the
``view_aggregates`` capability there; for a leerplicht bureau it covers the municipalities it
serves. Personal data (the thuiszitterslijst, reconciliation, drill-down) needs
``view_personal_data`` in the same organisation as well.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from cases.models import Case
from thuiszitters.access import memberships_of
from thuiszitters.models import LeerplichtBureau, Organisation, OrganisationKind
from thuiszitters.roles import Capability

from .models import ScopeKind

_AGGREGATES = f"core.{Capability.VIEW_AGGREGATES}"
_PERSONAL = f"core.{Capability.VIEW_PERSONAL_DATA}"


@dataclass(frozen=True)
class Scope:
    kind: str  # ScopeKind
    organisation_id: int
    name: str
    region_id: int | None
    personal_data: bool = False  # the user may also see who (lists, drill-down)
    sector: str = ""  # an SWV's sector (po/vo)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.organisation_id}"

    @property
    def kind_label(self) -> str:
        return str(ScopeKind(self.kind).label)

    def case_q(self, prefix: str = "") -> Q:
        columns: dict[str, str] = {
            ScopeKind.SWV: "swv_id",
            ScopeKind.MUNICIPALITY: "municipality_id",
            ScopeKind.REGION: "municipality__region_id",
        }
        column = columns[self.kind]
        return Q(**{f"{prefix}{column}": self.organisation_id})

    def cases(self) -> QuerySet[Case]:
        return Case.objects.filter(self.case_q())


SCOPE_ORGANISATION_KINDS: dict[str, ScopeKind] = {
    OrganisationKind.SWV: ScopeKind.SWV,
    OrganisationKind.MUNICIPALITY: ScopeKind.MUNICIPALITY,
    OrganisationKind.REGION: ScopeKind.REGION,
}


def scope_of_organisation(organisation: Organisation) -> Scope:
    """The aggregate scope of an SWV, municipality or region, without a user (for the
    worker and the beat task; the user's own scopes come from ``report_scopes_for``)."""
    kind = SCOPE_ORGANISATION_KINDS[OrganisationKind(organisation.kind)]
    region_id = organisation.pk if kind == ScopeKind.REGION else organisation.region_id
    return Scope(
        kind=kind, organisation_id=organisation.pk, name=organisation.name, region_id=region_id
    )


def report_scopes_for(user) -> list[Scope]:
    """Every scope the user may see aggregates of, in a stable order (2-3 queries)."""
    memberships = [m for m in memberships_of(user) if _AGGREGATES in m.capabilities]
    if not memberships:
        return []
    personal = {m.organisation_id for m in memberships if _PERSONAL in m.capabilities}
    direct = {m.organisation_id for m in memberships if m.kind in SCOPE_ORGANISATION_KINDS}
    bureaus = [
        m.organisation_id for m in memberships if m.kind == OrganisationKind.LEERPLICHT_BUREAU
    ]
    served: dict[int, bool] = {}
    if bureaus:
        for municipality_id, bureau_id in LeerplichtBureau.municipalities.through.objects.filter(
            leerplichtbureau_id__in=bureaus
        ).values_list("municipality_id", "leerplichtbureau_id"):
            served[municipality_id] = served.get(municipality_id, False) or bureau_id in personal
    orgs = Organisation.objects.filter(pk__in=direct | set(served)).select_related("swv_detail")
    scopes = []
    for org in orgs:
        sector = org.swv_detail.sector if org.kind == OrganisationKind.SWV else ""
        scopes.append(
            Scope(
                kind=SCOPE_ORGANISATION_KINDS[org.kind],
                organisation_id=org.pk,
                name=org.name,
                region_id=org.region_id if org.kind != OrganisationKind.REGION else org.pk,
                personal_data=org.pk in personal or served.get(org.pk, False),
                sector=sector,
            )
        )
    order: dict[str, int] = {ScopeKind.SWV: 0, ScopeKind.MUNICIPALITY: 1, ScopeKind.REGION: 2}
    scopes.sort(key=lambda s: (order[s.kind], s.name, s.organisation_id))
    return scopes


def scope_for(user, key: str | None, scopes: list[Scope] | None = None) -> Scope:
    """The scope ``key`` ("swv-12") if the user may see it, else the first one; 404 when the
    user has none or names one outside their reach (missing and forbidden look the same).
    ``scopes``: the candidates (default ``report_scopes_for(user)``)."""
    scopes = report_scopes_for(user) if scopes is None else scopes
    if not scopes:
        raise Http404
    if not key:
        return scopes[0]
    for scope in scopes:
        if scope.key == key:
            return scope
    raise Http404
