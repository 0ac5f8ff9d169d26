"""The validation and writing of an absence report (the intake in ``cases`` calls these)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from thuiszitters.access import has_capability
from thuiszitters.models import (
    AuditAction,
    Organisation,
    OrganisationKind,
    School,
    User,
)
from thuiszitters.roles import Capability

from ..models import (
    AbsenceKind,
    AbsenceReport,
    EarlyWarningSettings,
    Enrolment,
    Pupil,
)
from ..rules import birthday
from .consent import _report_sharing, pupil_consent_state
from .pupils import (
    DEFAULT_ABSENCE_MAX_MONTHS_BACK,
    MIN_AGE,
    _audit_in_both_regions,
    age_refusal,
)


@dataclass(frozen=True)
class ReportInput:
    """A report as every channel delivers it, before validation."""

    pupil: Pupil
    kind: str
    absence_started_on: datetime.date
    parents_informed_on: datetime.date | None
    parents_informed_how: str
    reported_on: datetime.date | None = None
    absence_ended_on: datetime.date | None = None
    hours_missed_last_4_weeks: Decimal | None = None
    share_followed_percent: int | None = None
    striking_sickness: bool = False
    expects_thuiszitter_soon: bool = False
    reason: str = ""
    consent_override_reason: str = ""
    client_key: str | None = None


# What a reporter fills in about the absence, in the order forms and the API present it.
REPORT_FIELDS = (
    "kind",
    "reported_on",
    "absence_started_on",
    "absence_ended_on",
    "hours_missed_last_4_weeks",
    "share_followed_percent",
    "striking_sickness",
    "expects_thuiszitter_soon",
    "reason",
    "parents_informed_on",
    "parents_informed_how",
)


@dataclass(frozen=True)
class ReportPlacement:
    """Where a valid report belongs: the school of enrolment, its SWV, the municipality."""

    school: School | None
    swv_id: int | None
    municipality_id: int


def absence_max_months_back(region_id: int | None) -> int:
    months = (
        EarlyWarningSettings.objects.filter(region_id=region_id)
        .values_list("absence_max_months_back", flat=True)
        .first()
        if region_id
        else None
    )
    return months or DEFAULT_ABSENCE_MAX_MONTHS_BACK


def absence_start_errors(pupil: Pupil, day: datetime.date) -> list[str]:
    """Why ``day`` cannot be the first day of a real absence of ``pupil`` (or the start of a
    case's clock, by any channel): before the 4th birthday, or further back than the
    region allows (24 months by default)."""
    errors = []
    if day < birthday(pupil.date_of_birth, MIN_AGE):
        errors.append(_("De eerste verzuimdag ligt vóór de 4e verjaardag van de leerling."))
    months = absence_max_months_back(pupil.municipality.region_id)
    if day < timezone.localdate() - relativedelta(months=months):
        errors.append(
            _("De eerste verzuimdag ligt meer dan %(months)s maanden terug; controleer de datum.")
            % {"months": months}
        )
    return errors


def _enrolments_on(
    pupil: Pupil, day: datetime.date, unsaved: Sequence[Enrolment]
) -> list[Enrolment]:
    """The pupil's enrolments current on ``day``, latest start first; for a pupil not saved
    yet (the intake's check) those in ``unsaved``."""
    if pupil.pk is None:
        current = [e for e in unsaved if e.start <= day and (e.end is None or e.end >= day)]
        return sorted(current, key=lambda e: e.start, reverse=True)
    return list(
        Enrolment.objects.current(on=day)
        .filter(pupil=pupil)
        .select_related("school")
        .order_by("-start")
    )


def absence_report_date_errors(
    *,
    reported_on: datetime.date | None,
    absence_started_on: datetime.date | None,
    absence_ended_on: datetime.date | None,
    parents_informed_on: datetime.date | None,
) -> dict[str, list[str]]:
    """The rules between a report's dates, each checked when the dates it needs are known.

    ``absence_report_validate`` applies them; a form applies them too while other fields are
    still wrong, so the user gets every error in one round. A missing report date is today.
    """
    today = timezone.localdate()
    reported = reported_on or today
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if reported > today:
        error("reported_on", _("De meldingsdatum ligt in de toekomst."))
    if absence_started_on is not None:
        if absence_started_on > today:
            error("absence_started_on", _("De eerste verzuimdag ligt in de toekomst."))
        elif absence_started_on > reported:
            error("absence_started_on", _("De eerste verzuimdag ligt na de meldingsdatum."))
    if absence_ended_on is not None:
        if absence_started_on is not None and absence_ended_on < absence_started_on:
            error("absence_ended_on", _("De laatste verzuimdag ligt voor de eerste."))
        if absence_ended_on > today:
            error("absence_ended_on", _("De laatste verzuimdag ligt in de toekomst."))
    if parents_informed_on is not None:
        if parents_informed_on > reported:
            error(
                "parents_informed_on",
                _("De ouders worden geïnformeerd vóór de melding, niet erna."),
            )
        elif absence_started_on is not None and absence_started_on > parents_informed_on:
            error(
                "parents_informed_on",
                _("De ouders zijn geïnformeerd over dit verzuim: niet vóór de eerste verzuimdag."),
            )
    return errors


def absence_report_validate(
    *,
    data: ReportInput,
    reporting_organisation: Organisation,
    actor: User,
    new_enrolments: Sequence[Enrolment] = (),
) -> ReportPlacement:
    """Every rule of a report, with field-level messages; returns where the report belongs.

    Reads, never writes: ``data.pupil`` may be a new pupil not saved yet, enrolled as
    ``new_enrolments`` say (``pupil_register_check``).
    """
    today = timezone.localdate()
    reported_on = data.reported_on or today
    errors = absence_report_date_errors(
        reported_on=data.reported_on,
        absence_started_on=data.absence_started_on,
        absence_ended_on=data.absence_ended_on,
        parents_informed_on=data.parents_informed_on,
    )

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if data.kind not in AbsenceKind.values:
        error("kind", _("Kies een soort verzuim uit de lijst."))
    if data.parents_informed_on is None:
        error(
            "parents_informed_on",
            _("Geef aan wanneer de ouders zijn geïnformeerd; dat moet vóór de melding."),
        )
    if not data.parents_informed_how:
        error("parents_informed_how", _("Geef aan hoe de ouders zijn geïnformeerd."))
    hours = data.hours_missed_last_4_weeks
    if hours is not None and not Decimal(0) <= hours <= Decimal(160):
        error("hours_missed_last_4_weeks", _("Het aantal uren ligt tussen 0 en 160 (4 weken)."))
    percent = data.share_followed_percent
    if percent is not None and not 0 <= percent <= 100:
        error("share_followed_percent", _("Het percentage ligt tussen 0 en 100."))
    # The 4th birthday on the report date; the 18th today: a report made from then on,
    # back-dated or not, belongs to the RMC.
    age_message = age_refusal(data.pupil.date_of_birth, reported_on) or age_refusal(
        data.pupil.date_of_birth, today
    )
    if age_message:
        error("pupil", age_message)
    for message in absence_start_errors(data.pupil, data.absence_started_on):
        error("absence_started_on", message)
    if data.consent_override_reason and not has_capability(
        actor, Capability.OVERRIDE_CONSENT, organisation_id=reporting_organisation.pk
    ):
        error("consent_override_reason", _("Uw rol mag ontbrekende toestemming niet overrulen."))

    placement = None
    kind = reporting_organisation.kind
    if data.kind == AbsenceKind.NOT_ENROLLED:
        # Absoluut verzuim: leerplicht or the SWV, for a pupil without a current enrolment.
        if kind not in (
            OrganisationKind.LEERPLICHT_BUREAU,
            OrganisationKind.MUNICIPALITY,
            OrganisationKind.SWV,
        ):
            error(
                "kind",
                _(
                    "Absoluut verzuim (niet ingeschreven) meldt leerplicht of het "
                    "samenwerkingsverband, niet de school."
                ),
            )
        elif _enrolments_on(data.pupil, reported_on, new_enrolments):
            error("kind", _("Deze leerling staat ingeschreven; kies een andere soort verzuim."))
        else:
            swv_id = reporting_organisation.pk if kind == OrganisationKind.SWV else None
            placement = ReportPlacement(None, swv_id, data.pupil.municipality_id)
    elif kind != OrganisationKind.SCHOOL:
        # Every other kind comes from the school, which knows the pupil and informed the
        # parents; a report by leerplicht or the SWV would open a file they cannot see.
        error(
            "kind",
            _(
                "Dit verzuim meldt de school waar de leerling staat ingeschreven; leerplicht "
                "en het samenwerkingsverband melden alleen absoluut verzuim."
            ),
        )
    else:
        own = next(
            (
                e
                for e in _enrolments_on(data.pupil, data.absence_started_on, new_enrolments)
                if e.school_id == reporting_organisation.pk
            ),
            None,
        )
        if own is None:
            error(
                "pupil",
                _("Deze leerling stond op de eerste verzuimdag niet ingeschreven op uw school."),
            )
        else:
            placement = ReportPlacement(own.school, own.school.swv_id, data.pupil.municipality_id)

    if errors or placement is None:  # no placement only together with an error
        raise ValidationError(errors)
    return placement


def absence_report_create(
    *,
    data: ReportInput,
    placement: ReportPlacement,
    reporting_organisation: Organisation,
    actor: User,
    channel: str,
) -> AbsenceReport:
    """Write a validated report with its sharing; the caller holds the transaction."""
    if data.parents_informed_on is None:
        raise ValueError("Validate the report first (absence_report_validate refuses this).")
    report = AbsenceReport(
        pupil=data.pupil,
        kind=data.kind,
        reporting_organisation=reporting_organisation,
        reported_by=actor,
        reported_on=data.reported_on or timezone.localdate(),
        absence_started_on=data.absence_started_on,
        absence_ended_on=data.absence_ended_on,
        hours_missed_last_4_weeks=data.hours_missed_last_4_weeks,
        share_followed_percent=data.share_followed_percent,
        striking_sickness=data.striking_sickness,
        expects_thuiszitter_soon=data.expects_thuiszitter_soon,
        reason=data.reason,
        parents_informed_on=data.parents_informed_on,
        parents_informed_how=data.parents_informed_how,
        school=placement.school,
        swv_id=placement.swv_id,
        municipality_id=placement.municipality_id,
        consent_override_reason=data.consent_override_reason,
        channel=channel,
        client_key=data.client_key or None,
    )
    report.shared_with_leerplicht, report.shared_with_swv = _report_sharing(
        report, pupil_consent_state(data.pupil, organisation_id=reporting_organisation.pk)
    )
    report.full_clean(validate_unique=False, validate_constraints=False)
    report.save()
    _audit_in_both_regions(
        actor=actor,
        obj=report,
        action=AuditAction.CREATE,
        organisation=reporting_organisation,
        pupil=data.pupil,
        reason=data.consent_override_reason,
    )
    return report
