"""Which cases a user may see: on the case's indexed organisation columns, and for
leerplicht and the SWV only where a report in the case is shared with them (consent)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from registration.selectors import leerplicht_municipality_q, personal_data_orgs
from thuiszitters.models import OrganisationKind

from .models import Case, CaseReport


def cases_visible_to(user) -> QuerySet[Case]:
    ids = personal_data_orgs(user)
    if not ids:
        return Case.objects.none()
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
    return Case.objects.filter(q)
