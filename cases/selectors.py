"""Which cases a user may see: on the case's indexed organisation columns, and for
leerplicht and the SWV only where a report in the case is shared with them (consent)."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from registration.selectors import leerplicht_municipality_q, personal_data_orgs
from thuiszitters.access import memberships_of
from thuiszitters.models import OrganisationKind

from .models import (
    Action,
    ActionStatus,
    AftercareCheckIn,
    Case,
    CaseReport,
    CaseUserObjectPermission,
    Participant,
)


def cases_visible_to(user) -> QuerySet[Case]:
    ids = personal_data_orgs(user)
    if not ids:
        care = _care_partner_q(user)
        return (
            Case.objects.filter(care)
            if care is not None and user.is_authenticated
            else Case.objects.none()
        )
    reports = CaseReport.objects.filter(case_id=OuterRef("pk"))
    q = Q(pk__in=[])
    schools = ids[OrganisationKind.SCHOOL]
    if schools:
        q |= Q(school_id__in=schools) | Q(lead_organisation_id__in=schools)
    if ids[OrganisationKind.SWV]:
        q |= Q(swv_id__in=ids[OrganisationKind.SWV]) & Exists(
            reports.filter(report__shared_with_swv=True)
        )
        q |= Q(lead_organisation_id__in=ids[OrganisationKind.SWV])
    if ids[OrganisationKind.LEERPLICHT_BUREAU] or ids[OrganisationKind.MUNICIPALITY]:
        q |= leerplicht_municipality_q(ids) & Exists(
            reports.filter(report__shared_with_leerplicht=True)
        )
        q |= Q(
            lead_organisation_id__in=ids[OrganisationKind.LEERPLICHT_BUREAU]
            | ids[OrganisationKind.MUNICIPALITY]
        )
    care = _care_partner_q(user)
    if care is not None:
        q |= care
    return Case.objects.filter(q)


def _care_partner_q(user) -> Q | None:
    """Cases a care partner was invited to, while the consent for care partners stands.

    The grant is a row of the direct foreign-key permission table (never guardian's generic
    tables); the consent is the pupil's indexed flag, so a withdrawal hides the case at once.
    """
    if not user.is_authenticated:
        return None
    granted = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="view_case_as_care_partner"
    ).values("content_object_id")
    return Q(pk__in=granted, pupil__shared_with_care_partners=True)


def my_cases(user) -> QuerySet[Case]:
    """Open cases the user leads or takes part in."""
    participating = Participant.objects.filter(user_id=user.pk, removed_at__isnull=True).values(
        "case_id"
    )
    return cases_visible_to(user).open().filter(Q(lead_user_id=user.pk) | Q(pk__in=participating))


def my_actions(user) -> QuerySet[Action]:
    """Open actions owned by the user, or by an organisation of theirs without a person, on
    cases the user may see; overdue first."""
    orgs = [m.organisation_id for m in memberships_of(user)]
    return (
        Action.objects.filter(
            Q(owner_user_id=user.pk) | Q(owner_user__isnull=True, owner_organisation_id__in=orgs),
            status=ActionStatus.OPEN,
            case__in=cases_visible_to(user),
        )
        .select_related("case__pupil", "owner_organisation", "owner_user")
        .order_by("due_on", "id")
    )


def due_check_ins(user, on=None) -> QuerySet[AftercareCheckIn]:
    """Aftercare check-ins that are due, on closed cases the user led or may work on."""
    day = on or timezone.localdate()
    return (
        AftercareCheckIn.objects.filter(
            due_on__lte=day,
            done_on__isnull=True,
            cancelled=False,
            case__in=cases_visible_to(user),
        )
        .select_related("case__pupil")
        .order_by("due_on", "id")
    )
