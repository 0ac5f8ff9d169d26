"""Pupils, guardians and enrolments: creating them, and finding the pupil a report names."""

import datetime
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuiszitters.audit import audit_change, audit_record
from thuiszitters.models import (
    AuditAction,
    AuditOutcome,
    Municipality,
    Organisation,
    OrganisationKind,
    School,
    User,
)
from thuiszitters.system import Actor

from ..identity import bsn_normalise, fold, identity_matches
from ..models import (
    Consent,
    Enrolment,
    Guardian,
    Pupil,
)
from ..rules import age_on, birthday, consent_age_band, reportable_on

MIN_AGE, MAX_AGE = 4, 18  # from the 4th birthday to the day before the 18th
DEFAULT_ABSENCE_MAX_MONTHS_BACK = 24

# One answer whether the BSN is unused, belongs to a pupil outside the user's scope, or to a
# pupil with another surname or date of birth: the form tells nobody which BSNs are known.
IDENTITY_REFUSED = gettext_lazy(
    "Met deze combinatie van BSN, achternaam en geboortedatum kunnen wij geen leerling "
    "vastleggen. Controleer de drie gegevens; kloppen ze, neem dan contact op met leerplicht."
)


# --- pupils ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianInput:
    name: str
    relation: str
    phone: str = ""
    email: str = ""
    has_parental_authority: bool = True


def _unsaved_pupil(obj: Guardian | Enrolment | Consent) -> list[str]:
    """What ``full_clean`` leaves out for a row of a pupil not saved yet (the checks that
    write nothing): the pupil reference, which exists only once the pupil is saved."""
    return ["pupil"] if obj.pupil.pk is None else []


def pupil_new(
    *,
    given_names: str,
    surname: str,
    date_of_birth: datetime.date,
    municipality: Municipality,
    surname_prefix: str = "",
    bsn: str | None = None,
) -> Pupil:
    """A new pupil, checked and not saved: every rule of ``pupil_create`` (ValidationError)."""
    pupil = Pupil(
        given_names=given_names.strip(),
        surname_prefix=surname_prefix.strip(),
        surname=surname.strip(),
        date_of_birth=date_of_birth,
        municipality=municipality,
        bsn=bsn_normalise(bsn) or None,
    )
    pupil.full_clean()
    today = timezone.localdate()
    message = age_refusal(date_of_birth, today)
    if message:
        raise ValidationError({"date_of_birth": message})
    pupil.consent_age_band = consent_age_band(age_on(date_of_birth, today))
    return pupil


def age_refusal(date_of_birth: datetime.date, day: datetime.date) -> str:
    """Why a pupil born on ``date_of_birth`` is not reported here on ``day`` ("" if they
    are): before the 4th birthday, or from the 18th on (the RMC's then)."""
    if reportable_on(date_of_birth, day):
        return ""
    if day >= birthday(date_of_birth, MAX_AGE):
        return _(
            "Vanaf de 18e verjaardag meldt u niet hier: draag de leerling over aan het RMC "
            "(Regionale Meld- en Coördinatiefunctie)."
        )
    return _("Een leerling wordt gemeld vanaf de 4e verjaardag (nu %(age)s jaar).") % {
        "age": age_on(date_of_birth, day)
    }


@transaction.atomic
def pupil_create(
    *,
    actor: User,
    given_names: str,
    surname: str,
    date_of_birth: datetime.date,
    municipality: Municipality,
    surname_prefix: str = "",
    bsn: str | None = None,
    guardians: Sequence[GuardianInput] = (),
    recorded_by_organisation: Organisation | None = None,
) -> Pupil:
    pupil = pupil_new(
        given_names=given_names,
        surname=surname,
        date_of_birth=date_of_birth,
        municipality=municipality,
        surname_prefix=surname_prefix,
        bsn=bsn,
    )
    pupil.save()
    audit_change(actor=actor, obj=pupil, action=AuditAction.CREATE, organisation=municipality)
    for g in guardians:
        guardian_add(actor=actor, pupil=pupil, data=g, organisation=recorded_by_organisation)
    return pupil


def guardian_new(
    *, pupil: Pupil, data: GuardianInput, organisation: Organisation | None
) -> Guardian:
    """A guardian of ``pupil`` (saved or not yet), checked and not saved."""
    guardian = Guardian(pupil=pupil, recorded_by_organisation=organisation, **data.__dict__)
    guardian.full_clean(exclude=_unsaved_pupil(guardian))
    return guardian


def guardian_add(
    *, actor: User, pupil: Pupil, data: GuardianInput, organisation: Organisation | None
) -> Guardian:
    guardian = guardian_new(pupil=pupil, data=data, organisation=organisation)
    guardian.save()
    audit_change(actor=actor, obj=guardian, action=AuditAction.CREATE, organisation=organisation)
    return guardian


def _audit_in_both_regions(
    *, actor: Actor, obj: models.Model, organisation: Organisation, pupil: Pupil, **kw: Any
) -> None:
    """A change by an organisation of another region is audited in both regions, so the
    functional administrators of the pupil's own region see it too."""
    audit_change(actor=actor, obj=obj, organisation=organisation, **kw)
    if organisation.region_id != pupil.municipality.region_id:
        audit_change(actor=actor, obj=obj, organisation=pupil.municipality, **kw)


def enrolment_new(
    *, pupil: Pupil, school: School, start: datetime.date, end: datetime.date | None = None
) -> Enrolment:
    """An enrolment of ``pupil`` (saved or not yet), checked and not saved."""
    if start < birthday(pupil.date_of_birth, MIN_AGE):
        raise ValidationError(
            {"start": _("Een leerling wordt op zijn vroegst op de 4e verjaardag ingeschreven.")}
        )
    enrolment = Enrolment(pupil=pupil, school=school, start=start, end=end)
    enrolment.full_clean(exclude=_unsaved_pupil(enrolment))
    return enrolment


@transaction.atomic
def enrolment_create(
    *,
    actor: User,
    pupil: Pupil,
    school: School,
    start: datetime.date,
    end: datetime.date | None = None,
    matched_existing: bool = False,
    alert: bool = False,
) -> Enrolment:
    """Enrol a pupil. With ``alert`` the pupil's other school and leerplicht hear of it
    (a pupil of another region, or enrolled twice): ``escalation`` delivers the alert
    after the commit, and its sweep delivers any that a lost task left."""
    enrolment = enrolment_new(pupil=pupil, school=school, start=start, end=end)
    enrolment.matched_existing, enrolment.alert_pending = matched_existing, alert
    enrolment.save()
    if alert:
        # By name: registration does not import the app that notifies (DESIGN.md 5).
        transaction.on_commit(
            # No publish retries: a broker outage must not hold the request (issue 15).
            lambda: current_app.send_task("escalation.deliver_enrolment_alerts", retry=False),
            robust=True,
        )
    _audit_in_both_regions(
        actor=actor,
        obj=enrolment,
        action=AuditAction.CREATE,
        organisation=school,
        pupil=pupil,
        reason="enrolment of an already known pupil" if matched_existing else "",
    )
    return enrolment


def pupil_identify(
    *,
    actor: User,
    organisation: Organisation,
    bsn: str | None,
    surname: str,
    date_of_birth: datetime.date | None,
    surname_prefix: str = "",
) -> Pupil | None:
    """The known pupil a reporter means when adding a pupil with a BSN, or None for a pupil
    new to the system.

    A known BSN counts only together with that pupil's surname and date of birth
    (``registration.identity``); otherwise the answer is ``IDENTITY_REFUSED``, the same as
    for a BSN that a pupil registered meanwhile. The refusal is audited in the reporter's
    region and in the pupil's, and writes nothing else. Call it outside the transaction of
    the intake, so the audit row stays when the intake rolls back.
    """
    bsn = bsn_normalise(bsn)
    if not bsn:
        return None
    pupil = Pupil.objects.select_related("municipality").filter(bsn=bsn).first()
    if pupil is None:
        return None
    if identity_matches(
        pupil, surname=surname, surname_prefix=surname_prefix, date_of_birth=date_of_birth
    ):
        return pupil
    regions = [organisation]
    if pupil.municipality.region_id != organisation.region_id:
        regions.append(pupil.municipality)
    for where in regions:
        audit_record(
            actor=actor,
            action=AuditAction.READ,
            obj=pupil,
            organisation=where,
            outcome=AuditOutcome.DENIED,
            reason="identity match refused: BSN with another surname or date of birth",
        )
    raise ValidationError({"bsn": [IDENTITY_REFUSED]})


def _trusted_school_ids(pupil: Pupil, on: datetime.date) -> set[int]:
    return set(
        Enrolment.objects.current(on=on)
        .filter(pupil=pupil, matched_existing=False)
        .values_list("school_id", flat=True)
    )


def _school_of(organisation: Organisation) -> School | None:
    return organisation.school_detail if organisation.kind == OrganisationKind.SCHOOL else None


@contextmanager
def _bsn_refused(bsn: str | None) -> Iterator[None]:
    """A BSN registered meanwhile by someone else: the same answer as a mismatch."""
    try:
        yield
    except ValidationError as exc:
        if "bsn" in getattr(exc, "error_dict", {}) and bsn:
            raise ValidationError({"bsn": [IDENTITY_REFUSED]}) from exc
        raise


def _require_enrolled_from(enrolled_from: datetime.date | None) -> datetime.date:
    if enrolled_from is None:
        raise ValidationError(
            {"start": _("Geef aan sinds wanneer de leerling op uw school staat ingeschreven.")}
        )
    return enrolled_from


def pupil_register_check(
    *,
    organisation: Organisation,
    enrolled_from: datetime.date | None = None,
    guardians: Sequence[GuardianInput] = (),
    **pupil_fields: Any,
) -> tuple[Pupil, list[Enrolment]]:
    """The rules of ``pupil_register_for_report`` for a new pupil, in the same order and
    with the same errors, writing nothing: the unsaved pupil and, for a school, its
    unsaved enrolment there (by which ``absence_report_validate`` places the report)."""
    with _bsn_refused(pupil_fields.get("bsn")):
        pupil = pupil_new(**pupil_fields)
        for g in guardians:
            guardian_new(pupil=pupil, data=g, organisation=organisation)
    school = _school_of(organisation)
    if school is None:
        return pupil, []
    start = _require_enrolled_from(enrolled_from)
    return pupil, [enrolment_new(pupil=pupil, school=school, start=start)]


@transaction.atomic
def pupil_register_for_report(
    *,
    actor: User,
    organisation: Organisation,
    identified: Pupil | None,
    enrolled_from: datetime.date | None = None,
    guardians: Sequence[GuardianInput] = (),
    **pupil_fields: Any,
) -> Pupil:
    """A reporter adds the pupil of a new report: a new pupil, or the known one that
    ``pupil_identify`` matched. A school enrols the pupil from ``enrolled_from``.

    Enrolling a known pupil gives the school no sight of the pupil's earlier file: the
    enrolment is marked ``matched_existing`` (ADR 0014), and when the pupil lives in another
    region or is enrolled at another school as well, that school and leerplicht are told
    (``enrolment_alerts_pending``). The typed guardian is added as the school's own.
    """
    school = _school_of(organisation)
    if identified is None:
        with _bsn_refused(pupil_fields.get("bsn")), transaction.atomic():
            pupil = pupil_create(
                actor=actor,
                guardians=guardians,
                recorded_by_organisation=organisation,
                **pupil_fields,
            )
        matched = False
    else:
        pupil = (
            Pupil.objects.select_for_update().select_related("municipality").get(pk=identified.pk)
        )
        matched = True
        known = {
            fold(g.name) for g in pupil.guardians.filter(recorded_by_organisation=organisation)
        }
        for g in guardians:
            if fold(g.name) not in known:
                guardian_add(actor=actor, pupil=pupil, data=g, organisation=organisation)
    if school is not None:
        start = _require_enrolled_from(enrolled_from)
        current = Enrolment.objects.current(on=start).filter(pupil=pupil)
        if not current.filter(school=school).exists():
            others = current.exclude(school=school).exists()
            enrolment_create(
                actor=actor,
                pupil=pupil,
                school=school,
                start=start,
                matched_existing=matched,
                alert=matched and (others or school.region_id != pupil.municipality.region_id),
            )
    return pupil


def enrolment_alerts_pending() -> QuerySet[Enrolment]:
    """Enrolments of known pupils that the other school and leerplicht must hear about."""
    return Enrolment.objects.filter(alert_pending=True).select_related(
        "pupil__municipality", "school"
    )


# --- consent -----------------------------------------------------------------------------
