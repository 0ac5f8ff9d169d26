"""The access-scoping layer of the core: what a user may see.

Every read of organisations, schools, users and the audit log goes through these selectors.
They filter on indexed organisation columns with subqueries, so each runs as one SQL query
(after the one query that reads the user's memberships), whatever the size of the region.
Later apps add ``pupils_visible_to`` and ``cases_visible_to`` on the same memberships. The
selectors whose query depends on nothing but the memberships keep it per user and memberships
(``kept_per_memberships``); those that read today's date in Python (``Membership.active``) do not.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from .access import (
    compiled_subquery,
    kept_per_memberships,
    memberships_of,
    organisation_ids_with,
    region_ids_with,
)
from .models import (
    AuditLogEntry,
    LeerplichtBureau,
    Membership,
    Organisation,
    OrganisationKind,
    Samenwerkingsverband,
    School,
    User,
)
from .roles import Capability


def _ids_by_kind(user: User) -> dict[str, set[int]]:
    ids: dict[str, set[int]] = {kind: set() for kind in OrganisationKind.values}
    for m in memberships_of(user):
        ids[m.kind].add(m.organisation_id)
    return ids


def served_municipalities(bureau_ids: set[int]) -> RawSQL | list[Any]:
    """The municipalities the leerplicht bureaus serve, as a compiled subquery for
    ``municipality_id__in=`` in a scope (``compiled_subquery``)."""
    return compiled_subquery(
        LeerplichtBureau.municipalities.through.objects.filter(
            leerplichtbureau_id__in=bureau_ids
        ).values("municipality_id")
    )


def _school_scope(ids: dict[str, set[int]]) -> Q:
    """Schools a user sees through their memberships (Q on School's own columns)."""
    q = Q(pk__in=ids[OrganisationKind.SCHOOL])
    if ids[OrganisationKind.SWV]:
        q |= Q(swv_id__in=ids[OrganisationKind.SWV])
    if ids[OrganisationKind.MUNICIPALITY]:
        q |= Q(municipality_id__in=ids[OrganisationKind.MUNICIPALITY])
    if ids[OrganisationKind.LEERPLICHT_BUREAU]:
        q |= Q(municipality_id__in=served_municipalities(ids[OrganisationKind.LEERPLICHT_BUREAU]))
    if ids[OrganisationKind.REGION]:
        q |= Q(region_id__in=ids[OrganisationKind.REGION])
    return q


@kept_per_memberships
def schools_visible_to(user: User) -> QuerySet[School]:
    ids = _ids_by_kind(user)
    if not any(ids.values()):
        return School.objects.none()
    return School.objects.filter(_school_scope(ids), is_active=True)


@kept_per_memberships
def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Own organisations and those the work touches.

    A school sees its SWV and municipality; an SWV its schools, their municipalities and its
    neighbouring SWVs; a municipality its schools and leerplicht bureaus; a leerplicht bureau
    the municipalities it serves, their schools and those schools' SWVs; a region (functional
    administrator) everything in it; a care organisation only itself.
    """
    ids = _ids_by_kind(user)
    own = set().union(*ids.values())
    if not own:
        return Organisation.objects.none()
    schools = School.objects.filter(_school_scope(ids))
    # Subqueries compiled once per kept scope (compiled_subquery).
    q = Q(pk__in=own) | Q(pk__in=compiled_subquery(schools.values("pk")))
    q |= Q(pk__in=compiled_subquery(schools.values("swv_id")))
    q |= Q(pk__in=compiled_subquery(schools.values("municipality_id")))
    if ids[OrganisationKind.SWV]:
        q |= Q(
            pk__in=compiled_subquery(
                Samenwerkingsverband.neighbours.through.objects.filter(
                    from_samenwerkingsverband_id__in=ids[OrganisationKind.SWV]
                ).values("to_samenwerkingsverband_id")
            )
        )
    if ids[OrganisationKind.LEERPLICHT_BUREAU]:
        q |= Q(pk__in=served_municipalities(ids[OrganisationKind.LEERPLICHT_BUREAU]))
    if ids[OrganisationKind.MUNICIPALITY]:
        q |= Q(
            pk__in=compiled_subquery(
                LeerplichtBureau.municipalities.through.objects.filter(
                    municipality_id__in=ids[OrganisationKind.MUNICIPALITY]
                ).values("leerplichtbureau_id")
            )
        )
    if ids[OrganisationKind.REGION]:
        q |= Q(region_id__in=ids[OrganisationKind.REGION])
    return Organisation.objects.filter(q, is_active=True)


def users_visible_to(user: User) -> QuerySet[User]:
    """Colleagues: people with an active membership in an organisation of the user.

    A functional administrator sees every user of the region, service accounts included.
    """
    colleague_orgs = {
        m.organisation_id
        for m in memberships_of(user)
        if f"core.{Capability.VIEW_COLLEAGUES}" in m.capabilities
    }
    admin_regions = region_ids_with(user, Capability.MANAGE_REGION)
    if not colleague_orgs and not admin_regions:
        return User.objects.none()
    in_scope = Membership.objects.active().filter(
        Q(organisation_id__in=colleague_orgs) | Q(organisation__region_id__in=admin_regions)
    )
    users = User.objects.filter(pk__in=in_scope.values("user_id"), is_active=True)
    if not admin_regions:
        users = users.filter(is_service_account=False)
    return users


def memberships_visible_to(user: User) -> QuerySet[Membership]:
    """Memberships in the organisations whose people the user may see."""
    colleague_orgs = {
        m.organisation_id
        for m in memberships_of(user)
        if f"core.{Capability.VIEW_COLLEAGUES}" in m.capabilities
    }
    admin_regions = region_ids_with(user, Capability.MANAGE_REGION)
    return Membership.objects.active().filter(
        Q(organisation_id__in=colleague_orgs) | Q(organisation__region_id__in=admin_regions)
    )


def audit_entries_visible_to(user: User) -> QuerySet[AuditLogEntry]:
    regions = region_ids_with(user, Capability.VIEW_AUDIT_LOG)
    if not regions:
        return AuditLogEntry.objects.none()
    return AuditLogEntry.objects.filter(region_id__in=regions)


def reporting_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations for which the user may submit absence reports."""
    ids = organisation_ids_with(user, Capability.SUBMIT_ABSENCE_REPORT)
    return Organisation.objects.filter(pk__in=ids, is_active=True).order_by("name", "id")
