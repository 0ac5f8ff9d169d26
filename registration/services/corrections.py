"""Corrections of a pupil's or a guardian's personal data (AVG article 16).

A correction is a deliberate act with a reason (the request's reference, or what was wrong).
The audit row names the fields changed, never their old or new values, so the log holds no
personal data. Who may correct: the privacy officer for pupils of their region, and the
school that registered the pupil (a current enrolment that did not match an already known
pupil, ADR 0014); a school corrects only the guardians it recorded itself.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuiszitters.access import region_ids_with
from thuiszitters.audit import audit_record
from thuiszitters.changes import cases_changed
from thuiszitters.models import AuditAction, Organisation, OrganisationKind, User
from thuiszitters.roles import Capability

from ..models import Enrolment, Guardian, Pupil
from ..selectors import personal_data_orgs, pupils_in_subject_access_scope

PUPIL_CORRECTABLE = (
    "given_names",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "bsn",
    "municipality",
    "startkwalificatie_on",
)
GUARDIAN_CORRECTABLE = ("name", "relation", "has_parental_authority", "phone", "email")
REASON_MAX_LENGTH = 500


def _reason_or_error(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Geef de reden van de correctie.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("De reden is te lang.")})
    return reason


def _correcting_organisation(
    actor: User, pupil: Pupil, *, recorded_by_id: int | None = None, guardian: bool = False
) -> Organisation:
    """The organisation in whose name ``actor`` corrects (the audit row's), or refused."""
    if pupils_in_subject_access_scope(actor).filter(pk=pupil.pk).exists():
        region_id = pupil.municipality.region_id
        regions = region_ids_with(actor, Capability.ANSWER_SUBJECT_ACCESS)
        # The pupil's own region when the officer holds it, else the region of a school.
        region = region_id if region_id in regions else min(regions)
        return Organisation.objects.get(pk=region)
    schools = personal_data_orgs(actor)[OrganisationKind.SCHOOL]
    if guardian:
        schools = schools & ({recorded_by_id} if recorded_by_id else set())
    school_id = (
        Enrolment.objects.current()
        .filter(pupil=pupil, school_id__in=schools, matched_existing=False)
        .values_list("school_id", flat=True)
        .first()
    )
    if school_id is None:
        raise PermissionDenied
    return Organisation.objects.get(pk=school_id)


def pupil_correctable_by(user: User, pupil: Pupil) -> bool:
    """Whether ``user`` may correct the pupil's identifying data (for showing the form)."""
    try:
        _correcting_organisation(user, pupil)
    except PermissionDenied:
        return False
    return True


def _apply(
    instance: Pupil | Guardian, fields: dict[str, Any], allowed: tuple[str, ...]
) -> list[str]:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError(
            _("Deze gegevens kunnen niet gecorrigeerd worden: %(fields)s.")
            % {"fields": ", ".join(unknown)}
        )
    changed = []
    for name, value in fields.items():
        field: Any = instance._meta.get_field(name)  # a concrete field of PUPIL/GUARDIAN_*
        current = getattr(instance, field.attname)
        new = value.pk if hasattr(value, "pk") else value
        if isinstance(new, str):
            new = new.strip()
        if name == "bsn" and new == "":
            new = None
        if current != new:
            setattr(instance, field.attname, new)
            changed.append(name)
    if not changed:
        raise ValidationError(_("Er is niets gewijzigd."))
    instance.full_clean()
    return sorted(changed)


@transaction.atomic
def pupil_correct(*, pupil: Pupil, actor: User, fields: dict[str, Any], reason: str) -> Pupil:
    """Correct the pupil's identifying data; audited with the names of the fields only."""
    reason = _reason_or_error(reason)
    organisation = _correcting_organisation(actor, pupil)
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    changed = _apply(pupil, fields, PUPIL_CORRECTABLE)
    pupil.save()
    # The date of birth decides the narrow definition and the age group of its cases, which
    # keep a copy of it and of the startkwalificatie date (ADR 0024).
    pupil.cases.all().pupil_dates_refresh()
    cases_changed(pupil.cases.only("swv_id", "municipality_id"))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=pupil,
        organisation=organisation,
        changes={"fields": changed, "correction": True},
        reason=reason,
    )
    return pupil


@transaction.atomic
def guardian_correct(
    *, guardian: Guardian, actor: User, fields: dict[str, Any], reason: str
) -> Guardian:
    """Correct a parent's or guardian's details; audited with the names of the fields only."""
    reason = _reason_or_error(reason)
    organisation = _correcting_organisation(
        actor,
        guardian.pupil,
        recorded_by_id=guardian.recorded_by_organisation_id,
        guardian=True,
    )
    guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
    changed = _apply(guardian, fields, GUARDIAN_CORRECTABLE)
    guardian.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=guardian,
        organisation=organisation,
        changes={"fields": changed, "correction": True},
        reason=reason,
    )
    return guardian
