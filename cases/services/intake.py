"""The intake: one service behind the form, the API and the CSV upload.

A valid report opens a case in phase ``school`` with the reporter holding the lead, or joins
the pupil's open case. One open case per pupil holds under concurrency: the pupil's row is
locked for the decision and a partial unique index refuses a second open case.

The form adds a new pupil and the consent given now to the report (``intake_submit``), and
checks the same as the user types without writing anything (``intake_check``).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registration.models import AbsenceKind, AbsenceReport, ConsentStatus, Enrolment, Pupil
from registration.services import (
    ConsentStanding,
    GuardianInput,
    ReportInput,
    ReportPlacement,
    absence_report_create,
    absence_report_validate,
    consent_new,
    consent_record,
    consent_standing,
    pupil_identify,
    pupil_register_check,
    pupil_register_for_report,
)
from thuiszitters.access import has_capability
from thuiszitters.audit import audit_change, audited_update, snapshot
from thuiszitters.models import AuditAction, Municipality, Organisation, User
from thuiszitters.roles import Capability

from ..models import Case, CaseEvent, CaseEventKind, CaseReport
from ..texts import CASE_OPENED, CLOCK_STARTED, REOPENED_BY_REPORT, REPORT_JOINED
from ..workflow import Phase, reopen_window_start
from .casefile import lead_history_start
from .common import journal
from .sharing import case_sharing_refresh
from .workflow import CaseScope, case_reopen, check_ins_cancel_pending


@dataclass(frozen=True)
class IntakeResult:
    report: AbsenceReport
    case: Case
    case_created: bool
    duplicate: bool  # the client key was seen before: nothing new was written


class IdempotencyConflict(ValidationError):
    """A client key that came back with another report than the one it was first used for.

    Answering with the first report would tell the reporter that the second one is in; the
    API answers 409, the CSV import rejects the row. Nothing is written.
    """

    def __init__(self, client_key: str):
        self.client_key = client_key
        super().__init__(
            {
                "client_key": [
                    _(
                        "Het kenmerk %(key)s hoort al bij een andere melding van uw organisatie. "
                        "Geef een nieuwe melding een nieuw kenmerk."
                    )
                    % {"key": client_key}
                ]
            }
        )


def _said(report: AbsenceReport | ReportInput) -> tuple[object, ...]:
    """What the reporter said; the rest of a stored report (placement, sharing) is derived."""
    pupil_id = report.pupil_id if isinstance(report, AbsenceReport) else report.pupil.pk
    return (
        pupil_id,
        report.kind,
        report.absence_started_on,
        report.absence_ended_on,
        report.hours_missed_last_4_weeks,
        report.share_followed_percent,
        report.striking_sickness,
        report.expects_thuiszitter_soon,
        report.parents_informed_on,
        report.parents_informed_how,
        " ".join((report.reason or "").split()),
        " ".join((report.consent_override_reason or "").split()),
    )


def absence_report_same(first: AbsenceReport | ReportInput, again: ReportInput) -> bool:
    """Whether ``again`` repeats ``first`` (a retry), rather than being another report.

    A report date left out (today by default) matches any, so that a retry on a later day
    is still a retry.
    """
    dates_agree = (
        again.reported_on is None
        or first.reported_on is None
        or again.reported_on == first.reported_on
    )
    return dates_agree and _said(first) == _said(again)


def _existing(reporting_organisation: Organisation, data: ReportInput) -> AbsenceReport | None:
    """The report made earlier with this client key; IdempotencyConflict if it differs."""
    if not data.client_key:
        return None
    seen = (
        AbsenceReport.objects.select_related("case_link__case")
        .filter(reporting_organisation=reporting_organisation, client_key=data.client_key)
        .first()
    )
    if seen is not None and not absence_report_same(seen, data):
        raise IdempotencyConflict(data.client_key)
    return seen


def _require_reporter(actor: User, reporting_organisation: Organisation) -> None:
    if not has_capability(
        actor, Capability.SUBMIT_ABSENCE_REPORT, organisation_id=reporting_organisation.pk
    ):
        raise PermissionDenied(_("U mag voor deze organisatie geen verzuim melden."))


def absence_report_submit(
    *,
    actor: User,
    reporting_organisation: Organisation,
    data: ReportInput,
    channel: str,
) -> IntakeResult:
    """Validate and write a report and put it in the pupil's case (opening one if needed).

    Idempotent on ``data.client_key`` per reporting organisation: a retried delivery returns
    the first result; the key with another report raises IdempotencyConflict.
    """
    _require_reporter(actor, reporting_organisation)
    seen = _existing(reporting_organisation, data)
    if seen is not None:
        return IntakeResult(seen, seen.case_link.case, case_created=False, duplicate=True)
    placement = absence_report_validate(
        data=data, reporting_organisation=reporting_organisation, actor=actor
    )
    try:
        with transaction.atomic():
            return _write(actor, reporting_organisation, data, placement, channel)
    except IntegrityError:
        # A concurrent delivery with the same client key won the race: answer as a retry.
        seen = _existing(reporting_organisation, data)
        if seen is None:
            raise
        return IntakeResult(seen, seen.case_link.case, case_created=False, duplicate=True)


def _signal_only(case: Case, actor: User) -> None:
    """A case reopened on a worry alone is a signal again: its clock waits for absence."""
    audited_update(case, actor=actor, reason="reopened on an at-risk report", at_risk=True)


def _clock_starts(case: Case, actor: User, start: datetime.date, report: AbsenceReport) -> None:
    """The first absence in a signal-only case: the clock starts at its first day."""
    before = audited_update(
        case,
        actor=actor,
        reason="absence reported in an at-risk case",
        at_risk=False,
        clock_start=start,
    )
    journal(
        case,
        actor,
        CaseEventKind.CLOCK_STARTED,
        CLOCK_STARTED(day=start),
        report=report.pk,
        **{"from": before["clock_start"], "to": start.isoformat()},
    )


def _new_case_scope(
    actor: User, reporting_organisation: Organisation, placement: ReportPlacement
) -> CaseScope:
    """Where a case this report opens sits, and who leads it: the reporter (a person, not a
    service account) for the reporting organisation."""
    return CaseScope(
        school=placement.school,
        swv_id=placement.swv_id,
        municipality_id=placement.municipality_id,
        lead_organisation=reporting_organisation,
        lead_user=actor if not actor.is_service_account else None,
    )


def _write(
    actor: User,
    reporting_organisation: Organisation,
    data: ReportInput,
    placement: ReportPlacement,
    channel: str,
) -> IntakeResult:
    # Serialise intakes of one pupil: the second waits here and then finds the open case.
    Pupil.objects.select_for_update().filter(pk=data.pupil.pk).first()
    report = absence_report_create(
        data=data,
        placement=placement,
        reporting_organisation=reporting_organisation,
        actor=actor,
        channel=channel,
    )
    case = Case.objects.select_for_update().open().filter(pupil=data.pupil).first()
    reopened = False
    scope = _new_case_scope(actor, reporting_organisation, placement)
    if case is None:
        recent = (
            Case.objects.filter(
                pupil=data.pupil,
                closed_at__date__gte=reopen_window_start(timezone.localdate()),
            )
            .order_by("-closed_at")
            .first()
        )
        if recent is not None:
            case = case_reopen(
                case=recent,
                actor=actor,
                by_system=True,
                clock_start=data.absence_started_on,
                reason=REOPENED_BY_REPORT(),
                scope=scope,
            )
            reopened = True
    created = case is None
    if case is None:
        case = Case(
            pupil=data.pupil,
            pupil_born_on=data.pupil.date_of_birth,
            pupil_startkwalificatie_on=data.pupil.startkwalificatie_on,
            phase=Phase.SCHOOL,
            clock_start=data.absence_started_on,
            **scope.columns(),
            expects_thuiszitter_soon=data.expects_thuiszitter_soon,
            # A worry without absence: on the preventive list, no clock (DESIGN.md 4.1).
            at_risk=data.kind == AbsenceKind.AT_RISK,
        )
        case.save()
        lead_history_start(case)
        # The aftercare of an earlier case ends: this case follows the pupil now.
        check_ins_cancel_pending(data.pupil.pk)
        audit_change(
            actor=actor, obj=case, action=AuditAction.CREATE, organisation=reporting_organisation
        )
        journal(
            case,
            actor,
            CaseEventKind.OPENED,
            CASE_OPENED(org=reporting_organisation.name),
            report=report.pk,
            channel=channel,
        )
    else:
        signal = data.kind == AbsenceKind.AT_RISK
        if reopened and signal and not case.at_risk:
            _signal_only(case, actor)
        elif case.at_risk and not signal:
            _clock_starts(case, actor, data.absence_started_on, report)
        elif not signal and data.absence_started_on < case.clock_start:
            # The clock starts at the first day of the continuous absence.
            before = snapshot(case, ["clock_start"])
            case.clock_start = data.absence_started_on
            case.save(update_fields=["clock_start"])
            audit_change(
                actor=actor,
                obj=case,
                before=before,
                after=snapshot(case, ["clock_start"]),
                reason="earlier absence start reported",
            )
            CaseEvent.objects.create(
                case=case,
                actor=actor,
                kind=CaseEventKind.CLOCK_MOVED,
                data={"from": before["clock_start"], "to": case.clock_start.isoformat()},
            )
        if data.expects_thuiszitter_soon and not case.expects_thuiszitter_soon:
            case.expects_thuiszitter_soon = True
            case.save(update_fields=["expects_thuiszitter_soon"])
        journal(
            case,
            actor,
            CaseEventKind.REPORT_JOINED,
            REPORT_JOINED(org=reporting_organisation.name),
            report=report.pk,
            channel=channel,
        )
    CaseReport.objects.create(case=case, report=report)
    case_sharing_refresh(case_ids=[case.pk])
    return IntakeResult(report, case, case_created=created, duplicate=False)


# --- the intake form: a new pupil and the consent given now, with the report -------------


@dataclass(frozen=True)
class NewPupil:
    """A pupil the reporter adds with the report; a school says since when it enrols them."""

    given_names: str
    surname: str
    date_of_birth: datetime.date | None
    municipality: Municipality | None
    surname_prefix: str = ""
    bsn: str | None = None
    enrolled_from: datetime.date | None = None
    guardians: tuple[GuardianInput, ...] = ()

    def pupil_fields(self) -> dict[str, Any]:
        return {
            "given_names": self.given_names,
            "surname_prefix": self.surname_prefix,
            "surname": self.surname,
            "date_of_birth": self.date_of_birth,
            "municipality": self.municipality,
        }


@dataclass(frozen=True)
class ConsentNow:
    """Consent given for ``scopes``, recorded with the report."""

    scopes: tuple[str, ...]
    party: str
    stated_on: datetime.date | None
    how: str

    def statements(self) -> list[dict[str, Any]]:
        """The keyword arguments of one statement per scope."""
        return [
            {
                "scope": scope,
                "status": ConsentStatus.GIVEN,
                "party": self.party,
                "stated_on": self.stated_on,
                "how": self.how,
                "note": _("Vastgelegd bij de verzuimmelding."),
            }
            for scope in self.scopes
        ]


@dataclass(frozen=True)
class IntakeInput:
    """What the intake form delivers: the found ``pupil`` or a ``new_pupil``, the consent
    given now, and the report (``ReportInput``'s fields but the pupil)."""

    reporting_organisation: Organisation
    pupil: Pupil | None
    new_pupil: NewPupil | None
    consent: ConsentNow
    report: dict[str, Any]


def intake_submit(*, actor: User, data: IntakeInput) -> IntakeResult:
    """The intake form: the pupil (found, new, or the known one a new pupil's BSN matches),
    the consent given now and the report, in one transaction: a refused report leaves no
    pupil and no consent behind."""
    reporting_organisation = data.reporting_organisation
    pupil, new_pupil = data.pupil, data.new_pupil
    identified = None
    if new_pupil is not None:
        # Outside the transaction: a refused match is audited even though nothing is saved.
        identified = pupil_identify(
            actor=actor,
            organisation=reporting_organisation,
            bsn=new_pupil.bsn,
            surname=new_pupil.surname,
            surname_prefix=new_pupil.surname_prefix,
            date_of_birth=new_pupil.date_of_birth,
        )
    with transaction.atomic():
        if new_pupil is not None:
            pupil = pupil_register_for_report(
                actor=actor,
                organisation=reporting_organisation,
                identified=identified,
                enrolled_from=new_pupil.enrolled_from,
                guardians=new_pupil.guardians,
                bsn=new_pupil.bsn or None,
                **new_pupil.pupil_fields(),
            )
        if pupil is None:
            raise ValueError("the found pupil or a new one")
        # The reporting school records consent for its new report; it reaches the pupil's
        # other reports only when the reporter has standing for the whole pupil.
        standing = consent_standing(actor, pupil) or ConsentStanding.OWN_REPORTS
        for statement in data.consent.statements():
            consent_record(
                actor=actor,
                pupil=pupil,
                standing=standing,
                organisation=reporting_organisation,
                **statement,
            )
        return absence_report_submit(
            actor=actor,
            reporting_organisation=reporting_organisation,
            data=ReportInput(pupil=pupil, **data.report),
            channel="form",
        )


def intake_check(*, actor: User, data: IntakeInput) -> dict[str, list[str]]:
    """The errors ``intake_submit`` would raise for this input, in the same order, without
    writing or locking anything (the form's check as the user types): empty when the
    report would go in. The BSN is left out, so the answer is the same for any BSN and no
    refused match is audited; the submit checks it."""
    reporting_organisation = data.reporting_organisation
    pupil, new_pupil = data.pupil, data.new_pupil
    enrolments: list[Enrolment] = []
    try:
        if new_pupil is not None:
            pupil, enrolments = pupil_register_check(
                organisation=reporting_organisation,
                enrolled_from=new_pupil.enrolled_from,
                guardians=new_pupil.guardians,
                **new_pupil.pupil_fields(),
            )
        if pupil is None:
            raise ValueError("the found pupil or a new one")
        for statement in data.consent.statements():
            consent_new(actor=actor, pupil=pupil, **statement)
        _require_reporter(actor, reporting_organisation)
        absence_report_validate(
            data=ReportInput(pupil=pupil, **data.report),
            reporting_organisation=reporting_organisation,
            actor=actor,
            new_enrolments=enrolments,
        )
    except ValidationError as exc:
        return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    return {}


__all__ = [
    "ConsentNow",
    "IdempotencyConflict",
    "IntakeInput",
    "IntakeResult",
    "NewPupil",
    "ValidationError",
    "absence_report_same",
    "absence_report_submit",
    "intake_check",
    "intake_submit",
]
