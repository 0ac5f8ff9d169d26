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
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from thuiszitters.access import (
    compiled_subquery,
    kept_per_memberships,
    memberships_of,
    organisation_ids_with,
    region_ids_with,
)
from thuiszitters.models import LeerplichtBureau, Organisation, OrganisationKind, User
from thuiszitters.roles import Capability
from thuiszitters.selectors import served_municipalities

from .identity import bsn_normalise, identity_matches, surname_key
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


def personal_data_orgs(user: User) -> dict[str, set[int]]:
    """Ids of the organisations, by kind, where the user may see personal data."""
    ids: dict[str, set[int]] = defaultdict(set)
    for m in memberships_of(user):
        if _PERM in m.capabilities:
            ids[m.kind].add(m.organisation_id)
    return ids


def leerplicht_municipality_q(ids: dict[str, set[int]]) -> Q:
    """Municipalities whose leerplicht the user works for (ids or a subquery)."""
    served = served_municipalities(ids[OrganisationKind.LEERPLICHT_BUREAU])
    return Q(municipality_id__in=served) | Q(municipality_id__in=ids[OrganisationKind.MUNICIPALITY])


@kept_per_memberships
def absence_reports_visible_to(user: User) -> QuerySet[AbsenceReport]:
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


@kept_per_memberships
def pupils_visible_to(user: User) -> QuerySet[Pupil]:
    ids = personal_data_orgs(user)
    if not ids:
        return Pupil.objects.none()
    # The grounds by id (enrolled at one of the user's schools, a report they may see) as one
    # UNION: PostgreSQL then looks up those pupils by primary key. ORed as two ``IN``
    # subqueries it read every pupil of the region for a school's list (issue 14).
    by_id: QuerySet[Any] = absence_reports_visible_to(user).values("pupil_id").order_by()
    schools = ids[OrganisationKind.SCHOOL]
    if schools:
        enrolled = Enrolment.objects.filter(school_id__in=schools).values("pupil_id").order_by()
        by_id = enrolled.union(by_id)
    q = Q(pk__in=compiled_subquery(by_id))
    if ids[OrganisationKind.LEERPLICHT_BUREAU] or ids[OrganisationKind.MUNICIPALITY]:
        q |= leerplicht_municipality_q(ids)
    return Pupil.objects.filter(q)


def pupil_seen_whole_by(user: User, pupil: Pupil) -> bool:
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
    user: User,
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


def pupil_detail_queryset(user: User) -> QuerySet[Pupil]:
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


def pupils_reportable_by(*, user: User, organisation: Organisation) -> QuerySet[Pupil]:
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


def _not_found() -> ValidationError:
    # One message whether the pupil does not exist or lives outside the reporter's scope.
    return ValidationError(
        {
            "pupil": [
                _(
                    "Geen leerling van uw organisatie gevonden met deze gegevens. Controleer "
                    "het BSN, of de voornamen, achternaam en geboortedatum."
                )
            ]
        }
    )


def pupil_find(
    *,
    user: User,
    organisation: Organisation,
    bsn: str = "",
    given_names: str = "",
    surname: str = "",
    date_of_birth: datetime.date | None = None,
) -> Pupil:
    """The pupil a report names, within the reporter's scope: by BSN together with the
    surname and date of birth, or else by given names, surname and date of birth.

    Whatever does not match (an unused BSN, one outside the scope, or a BSN with another
    child's name or birthday) gets the same answer, so the API and the CSV import tell
    nobody whether a BSN is known.
    """
    scope = pupils_reportable_by(user=user, organisation=organisation)
    if not (surname and date_of_birth and (bsn or given_names)):
        raise ValidationError(
            {
                "pupil": [
                    _(
                        "Geef het BSN met de achternaam en geboortedatum, of de voornamen, "
                        "achternaam en geboortedatum van de leerling."
                    )
                ]
            }
        )
    if bsn:
        pupil = scope.filter(bsn=bsn_normalise(bsn)).first()
        if pupil is None or not identity_matches(
            pupil, surname=surname, date_of_birth=date_of_birth
        ):
            raise _not_found()
        return pupil
    matches = list(
        scope.annotate(_full_surname=Concat("surname_prefix", Value(" "), "surname"))
        .filter(Q(surname__iexact=surname) | Q(_full_surname__iexact=surname))
        .filter(given_names__iexact=given_names, date_of_birth=date_of_birth)[:2]
    )
    if not matches:
        raise _not_found()
    if len(matches) > 1:
        raise ValidationError(
            {"pupil": [_("Meerdere leerlingen passen bij deze gegevens; geef het BSN op.")]}
        )
    return matches[0]


def absence_reports_of_reporter(user: User) -> QuerySet[AbsenceReport]:
    """Reports the user may see, plus those made by organisations where the user reports."""
    own = AbsenceReport.objects.filter(
        reporting_organisation_id__in=organisation_ids_with(user, Capability.SUBMIT_ABSENCE_REPORT)
    )
    return absence_reports_visible_to(user) | own


def pupil_search(pupils: QuerySet[Pupil], text: str) -> QuerySet[Pupil]:
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


def pupils_in_subject_access_scope(user: User) -> QuerySet[Pupil]:
    """Pupils the user may export or correct as privacy officer: those living in, or ever
    enrolled at a school of, a region where the user holds ``answer_subject_access``."""
    regions = region_ids_with(user, Capability.ANSWER_SUBJECT_ACCESS)
    if not regions:
        return Pupil.objects.none()
    enrolled = Enrolment.objects.filter(school__region_id__in=regions).values("pupil_id")
    return Pupil.objects.filter(Q(municipality__region_id__in=regions) | Q(pk__in=enrolled))


def pupils_for_subject_access(
    user: User,
    *,
    bsn: str = "",
    surname: str = "",
    date_of_birth: datetime.date | None = None,
) -> QuerySet[Pupil]:
    """The privacy officer's search: a BSN, or a surname (without tussenvoegsel, any case
    and accents) with a date of birth. Anything less finds nobody, so the search cannot
    list the region."""
    pupils = pupils_in_subject_access_scope(user)
    bsn = bsn_normalise(bsn)
    if bsn:
        return pupils.filter(bsn=bsn)
    if surname.strip() and date_of_birth is not None:
        candidates = pupils.filter(date_of_birth=date_of_birth)
        wanted = surname_key(surname)
        ids = [p.pk for p in candidates if surname_key(p.surname) == wanted]
        return pupils.filter(pk__in=ids)
    return Pupil.objects.none()
