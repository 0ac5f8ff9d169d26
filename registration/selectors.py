"""The scoping layer for pupils and reports, and the reads that pages and lists need.

A membership with the capability ``view_personal_data`` gives sight by its kind of
organisation: a school sees its own pupils (enrolled there, or reported by it) and its own
reports; an SWV the reports of its schools that are shared with the SWV; leerplicht (a
bureau or a municipality) the pupils living in its municipalities and their reports that are
shared with leerplicht. Roles without that capability (directors, policy, functional
administrators) see no personal data. Per-case grants (care partners) come with cases.
"""

import datetime
from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from thuiszitters.access import memberships_of, organisation_ids_with
from thuiszitters.models import LeerplichtBureau, OrganisationKind
from thuiszitters.roles import Capability

from .models import AbsenceReport, EarlyWarningSettings, Enrolment, Pupil
from .rules import ReportFacts, SignalCode, Thresholds, early_warning_signals

_PERM = f"core.{Capability.VIEW_PERSONAL_DATA}"
BSN_LENGTH = 9
SEARCH_DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")


def parse_search_date(text: str) -> datetime.date | None:
    """A date of birth typed in a search box (31-12-2015 or 2015-12-31), else None."""
    for fmt in SEARCH_DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


def personal_data_orgs(user) -> dict[str, set[int]]:
    """Ids of the organisations, by kind, where the user may see personal data."""
    ids: dict[str, set[int]] = defaultdict(set)
    for m in memberships_of(user):
        if _PERM in m.capabilities:
            ids[m.kind].add(m.organisation_id)
    return ids


def leerplicht_municipality_q(ids: dict[str, set[int]]):
    """Municipalities whose leerplicht the user works for (ids or a subquery)."""
    served = LeerplichtBureau.municipalities.through.objects.filter(
        leerplichtbureau_id__in=ids[OrganisationKind.LEERPLICHT_BUREAU]
    ).values("municipality_id")
    return Q(municipality_id__in=served) | Q(municipality_id__in=ids[OrganisationKind.MUNICIPALITY])


def absence_reports_visible_to(user) -> QuerySet[AbsenceReport]:
    ids = personal_data_orgs(user)
    if not ids:
        return AbsenceReport.objects.none()
    q = Q(pk__in=[])
    schools = ids[OrganisationKind.SCHOOL]
    if schools:
        q |= Q(school_id__in=schools) | Q(reporting_organisation_id__in=schools)
    if ids[OrganisationKind.SWV]:
        q |= Q(swv_id__in=ids[OrganisationKind.SWV], shared_with_swv=True)
        q |= Q(reporting_organisation_id__in=ids[OrganisationKind.SWV])
    if ids[OrganisationKind.LEERPLICHT_BUREAU] or ids[OrganisationKind.MUNICIPALITY]:
        q |= leerplicht_municipality_q(ids) & Q(shared_with_leerplicht=True)
        q |= Q(
            reporting_organisation_id__in=ids[OrganisationKind.LEERPLICHT_BUREAU]
            | ids[OrganisationKind.MUNICIPALITY]
        )
    return AbsenceReport.objects.filter(q)


def pupils_visible_to(user) -> QuerySet[Pupil]:
    ids = personal_data_orgs(user)
    if not ids:
        return Pupil.objects.none()
    q = Q(pk__in=[])
    schools = ids[OrganisationKind.SCHOOL]
    if schools:
        q |= Q(pk__in=Enrolment.objects.filter(school_id__in=schools).values("pupil_id"))
    if ids[OrganisationKind.LEERPLICHT_BUREAU] or ids[OrganisationKind.MUNICIPALITY]:
        q |= leerplicht_municipality_q(ids)
    reports = absence_reports_visible_to(user)
    q |= Q(pk__in=reports.values("pupil_id"))
    return Pupil.objects.filter(q)


def pupil_seen_whole_by(user, pupil: Pupil) -> bool:
    """Whether the user sees the pupil's whole record on the pupil page, or only what their
    school brought itself (ADR 0014).

    A school that enrolled an already known pupil (``Enrolment.matched_existing``) sees its
    own enrolment, the guardians it recorded and its own reports; not the other schools, the
    guardians others recorded, or the exemptions, until it has other ground.
    """
    ids = personal_data_orgs(user)
    leerplicht = ids[OrganisationKind.LEERPLICHT_BUREAU] or ids[OrganisationKind.MUNICIPALITY]
    if leerplicht and Pupil.objects.filter(leerplicht_municipality_q(ids), pk=pupil.pk).exists():
        return True
    schools = ids[OrganisationKind.SCHOOL]
    if (
        schools
        and Enrolment.objects.filter(
            pupil=pupil, school_id__in=schools, matched_existing=False
        ).exists()
    ):
        return True
    if ids[OrganisationKind.SWV]:
        shared = AbsenceReport.objects.filter(
            pupil=pupil, swv_id__in=ids[OrganisationKind.SWV], shared_with_swv=True
        )
        if shared.exists():
            return True
    return False


def thresholds_for(region_id: int | None) -> Thresholds:
    settings = (
        EarlyWarningSettings.objects.filter(region_id=region_id).first() if region_id else None
    )
    return Thresholds.from_settings(settings)


def _facts(report: AbsenceReport) -> ReportFacts:
    return ReportFacts(
        kind=report.kind,
        reported_on=report.reported_on,
        absence_started_on=report.absence_started_on,
        absence_ended_on=report.absence_ended_on,
        hours_missed_last_4_weeks=report.hours_missed_last_4_weeks,
        striking_sickness=report.striking_sickness,
    )


def signals_for_pupils(
    pupils: list[Pupil],
    user,
    today: datetime.date | None = None,
    thresholds: Thresholds | None = None,
) -> dict[int, list[SignalCode]]:
    """Early-warning signals per pupil from the reports the user may see (one query)."""
    day = today or timezone.localdate()
    thresholds = thresholds or Thresholds()
    since = day - datetime.timedelta(days=max(thresholds.short_sickness_window_days, 120))
    reports = (
        absence_reports_visible_to(user)
        .filter(pupil_id__in=[p.pk for p in pupils])
        .filter(Q(absence_ended_on__isnull=True) | Q(absence_ended_on__gte=since))
    )
    by_pupil: dict[int, list[ReportFacts]] = defaultdict(list)
    for report in reports.only(
        "pupil_id",
        "kind",
        "reported_on",
        "absence_started_on",
        "absence_ended_on",
        "hours_missed_last_4_weeks",
        "striking_sickness",
    ):
        by_pupil[report.pupil_id].append(_facts(report))
    return {p.pk: early_warning_signals(by_pupil[p.pk], day, thresholds) for p in pupils}


def pupil_detail_queryset(user) -> QuerySet[Pupil]:
    """Pupils the user may open, with what the pupil page shows prefetched."""
    return (
        pupils_visible_to(user)
        .select_related("municipality")
        .prefetch_related(
            "guardians",
            "exemptions",
            Prefetch("enrolments", queryset=Enrolment.objects.select_related("school")),
        )
    )


# A service account (a school administration system) holds submit_absence_report but not
# view_personal_data, so the selectors above show it nothing. A reporter may still name the
# pupils its organisation reports on, and see the reports it made.


def pupils_reportable_by(*, user, organisation) -> QuerySet[Pupil]:
    """Pupils ``user`` may name in a report for ``organisation``.

    Those the user sees anyway, plus the pupils of the organisation: enrolled at the school,
    at a school of the SWV, or living in a municipality that leerplicht serves. The intake's
    validation then checks the enrolment on the report date.
    """
    q = Q(pk__in=pupils_visible_to(user).values("pk"))
    kind = organisation.kind
    if kind == OrganisationKind.SCHOOL:
        q |= Q(pk__in=Enrolment.objects.filter(school_id=organisation.pk).values("pupil_id"))
    elif kind == OrganisationKind.SWV:
        q |= Q(pk__in=Enrolment.objects.filter(school__swv_id=organisation.pk).values("pupil_id"))
    elif kind == OrganisationKind.LEERPLICHT_BUREAU:
        served = LeerplichtBureau.municipalities.through.objects.filter(
            leerplichtbureau_id=organisation.pk
        ).values("municipality_id")
        q |= Q(municipality_id__in=served)
    elif kind == OrganisationKind.MUNICIPALITY:
        q |= Q(municipality_id=organisation.pk)
    return Pupil.objects.filter(q)


def absence_reports_of_reporter(user) -> QuerySet[AbsenceReport]:
    """Reports the user may see, plus those made by organisations where the user reports."""
    own = AbsenceReport.objects.filter(
        reporting_organisation_id__in=organisation_ids_with(user, Capability.SUBMIT_ABSENCE_REPORT)
    )
    return absence_reports_visible_to(user) | own


def pupil_search(pupils, text: str):
    """Filter pupils on a BSN, a date of birth, or the words of a name."""
    text = text.strip()
    if not text:
        return pupils
    if text.isdigit() and len(text) == BSN_LENGTH:
        return pupils.filter(bsn=text)
    day = parse_search_date(text)
    if day is not None:
        return pupils.filter(date_of_birth=day)
    for word in text.split():
        pupils = pupils.filter(
            Q(given_names__icontains=word)
            | Q(surname__icontains=word)
            | Q(surname_prefix__iexact=word)
        )
    return pupils
