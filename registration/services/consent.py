"""Consent: who may record it, the statements, and the sharing of reports that follows."""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from thuiszitters.audit import AuditBatch, audit_change, audited_update, snapshot
from thuiszitters.models import (
    AuditAction,
    Organisation,
    OrganisationKind,
    User,
)
from thuiszitters.precompiled import precompiled
from thuiszitters.system import Actor, is_system

from ..models import (
    LAWFUL_KINDS,
    AbsenceReport,
    Consent,
    ConsentScope,
    Guardian,
    Pupil,
)
from ..rules import (
    CONSENT_AGE_BANDS,
    ScopeConsent,
    age_on,
    born_by,
    consent_age_band,
    consent_state,
)
from .pupils import _trusted_school_ids, _unsaved_pupil


class ConsentStanding(StrEnum):
    """How far a consent statement recorded by someone reaches (ADR 0014)."""

    PUPIL = "pupil"  # every report of the pupil, and the pupil's flags
    OWN_REPORTS = "own_reports"  # only the reports the recorder's organisation filed


def pupil_consent_state(
    pupil: Pupil, on: datetime.date | None = None, organisation_id: int | None = None
) -> dict[str, ScopeConsent]:
    """Per scope: whose consent is needed at the pupil's age, what holds, what is missing.

    Statements that count for the whole pupil, and with ``organisation_id`` also those that
    count only for that organisation's reports.
    """
    day = on or timezone.localdate()
    return consent_state(
        age_on(pupil.date_of_birth, day),
        ConsentScope.values,
        _statements(day, pupil.pk)
        if organisation_id is None
        else _statements(day, pupil.pk, organisation_id),
    )


@precompiled
def _statements(
    day: datetime.date, pupil_id: int, organisation_id: int | None = None
) -> "QuerySet[Consent, tuple[str, str, str]]":
    """The pupil's statements up to ``day`` in their order, compiled once a day (ADR 0028):
    every case page and every report's sharing reads them."""
    limited = Q(limited_to_organisation__isnull=True)
    if organisation_id is not None:
        limited |= Q(limited_to_organisation_id=organisation_id)
    return (
        Consent.objects.filter(limited, pupil_id=pupil_id, stated_on__lte=day)
        .order_by("stated_on", "id")
        .values_list("scope", "party", "status")
    )


def _report_sharing(report: AbsenceReport, state: dict[str, ScopeConsent]) -> tuple[bool, bool]:
    if report.kind in LAWFUL_KINDS or report.consent_override_reason:
        return True, True
    return (
        state[ConsentScope.SHARE_WITH_LEERPLICHT].effective,
        state[ConsentScope.SHARE_WITH_SWV].effective,
    )


def report_sharing_refresh(*, pupil: Pupil, actor: Actor, reason: str = "") -> int:
    """Bring every report's sharing (and the pupil's flags for care partners and binding
    arbitration) in line with the pupil's consent now; returns the number of changed rows.

    Called after each consent statement, so a withdrawal removes access at once. A report
    counts the statements for the whole pupil and those limited to its reporter's reports.
    """
    state = pupil_consent_state(pupil)
    changed = 0
    care = state[ConsentScope.SHARE_WITH_CARE_PARTNERS].effective
    if pupil.shared_with_care_partners != care:
        fields = ["shared_with_care_partners", "care_consent_since"]
        before = snapshot(pupil, fields)
        pupil.shared_with_care_partners = care
        pupil.care_consent_since = timezone.now() if care else None
        pupil.save(update_fields=fields)
        audit_change(
            actor=actor, obj=pupil, before=before, after=snapshot(pupil, fields), reason=reason
        )
        changed += 1
    arbitration = state[ConsentScope.BINDING_ARBITRATION].effective
    if pupil.binding_arbitration_agreed != arbitration:
        before = snapshot(pupil, ["binding_arbitration_agreed"])
        pupil.binding_arbitration_agreed = arbitration
        pupil.save(update_fields=["binding_arbitration_agreed"])
        audit_change(
            actor=actor,
            obj=pupil,
            before=before,
            after=snapshot(pupil, ["binding_arbitration_agreed"]),
            reason=reason,
        )
        changed += 1
    limited_orgs = set(
        pupil.consents.filter(limited_to_organisation__isnull=False).values_list(
            "limited_to_organisation_id", flat=True
        )
    )
    states = {org: pupil_consent_state(pupil, organisation_id=org) for org in limited_orgs}
    changed_before_reports = changed
    for report in pupil.absence_reports.select_for_update().order_by("id"):
        leerplicht, swv = _report_sharing(
            report, states.get(report.reporting_organisation_id, state)
        )
        if (report.shared_with_leerplicht, report.shared_with_swv) == (leerplicht, swv):
            continue
        fields = ["shared_with_leerplicht", "shared_with_swv"]
        before = snapshot(report, fields)
        report.shared_with_leerplicht, report.shared_with_swv = leerplicht, swv
        report.save(update_fields=fields)
        audit_change(
            actor=actor, obj=report, before=before, after=snapshot(report, fields), reason=reason
        )
        changed += 1
    if changed > changed_before_reports:
        # The pupil's cases keep a copy of their reports' sharing for the scoping (ADR 0019),
        # reached through the relation: registration does not import cases.
        pupil.cases.all().sharing_refresh()
    return changed


def consent_standing(actor: User, pupil: Pupil) -> ConsentStanding | None:
    """Whether ``actor`` may record consent for the whole pupil, from registration's data:
    working for a school where the pupil is enrolled now (not only through matching a known
    pupil), or for leerplicht or an SWV that a report of the pupil is shared with. The case
    services add the case's lead (``cases.services.case_consent_record``)."""
    from ..selectors import personal_data_orgs

    ids = personal_data_orgs(actor)
    if ids[OrganisationKind.SCHOOL] & _trusted_school_ids(pupil, timezone.localdate()):
        return ConsentStanding.PUPIL
    shared = Q(pk__in=[])
    if ids[OrganisationKind.SWV]:
        shared |= Q(swv_id__in=ids[OrganisationKind.SWV], shared_with_swv=True)
    if ids[OrganisationKind.LEERPLICHT_BUREAU] or ids[OrganisationKind.MUNICIPALITY]:
        from ..selectors import leerplicht_municipality_q

        shared |= leerplicht_municipality_q(ids) & Q(shared_with_leerplicht=True)
    if pupil.absence_reports.filter(shared).exists():
        return ConsentStanding.PUPIL
    return None


def consent_new(
    *,
    actor: User,
    pupil: Pupil,
    scope: str,
    status: str,
    party: str,
    stated_on: datetime.date,
    how: str,
    guardian: Guardian | None = None,
    note: str = "",
    limited_to: Organisation | None = None,
) -> Consent:
    """A statement of consent by ``actor`` for ``pupil`` (saved or not yet), checked and not
    saved; who may record it is ``consent_record``'s question."""
    if guardian is not None and guardian.pupil_id != pupil.pk:
        raise ValidationError({"guardian": _("Deze ouder hoort niet bij deze leerling.")})
    consent = Consent(
        pupil=pupil,
        scope=scope,
        status=status,
        party=party,
        stated_on=stated_on,
        how=how,
        guardian=guardian,
        recorded_by=actor,
        limited_to_organisation=limited_to,
        note=note,
    )
    consent.full_clean(exclude=_unsaved_pupil(consent))
    return consent


@transaction.atomic
def consent_record(
    *,
    actor: User,
    pupil: Pupil,
    scope: str,
    status: str,
    party: str,
    stated_on: datetime.date,
    how: str,
    guardian: Guardian | None = None,
    note: str = "",
    standing: ConsentStanding | None = None,
    organisation: Organisation | None = None,
) -> Consent:
    """Record a statement of consent (given, refused or withdrawn) and apply it at once.

    Only someone with standing may (``consent_standing``, or what a higher service vouches
    for: the case's lead, a reporting school for its new report). A statement with standing
    ``OWN_REPORTS`` counts only for the reports that ``organisation`` filed, so nobody widens
    the sharing of another organisation's reports by recording consent (ADR 0014).
    """
    standing = standing or consent_standing(actor, pupil)
    if standing is None:
        raise PermissionDenied(_("U mag voor deze leerling geen toestemming vastleggen."))
    if standing == ConsentStanding.OWN_REPORTS and organisation is None:
        raise ValueError("a statement for own reports names the organisation")
    consent = consent_new(
        actor=actor,
        pupil=pupil,
        scope=scope,
        status=status,
        party=party,
        stated_on=stated_on,
        how=how,
        guardian=guardian,
        note=note,
        limited_to=organisation if standing == ConsentStanding.OWN_REPORTS else None,
    )
    Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
    consent.save()
    # The note is free text about the family: the consent row keeps it, the audit log not.
    audit_change(actor=actor, obj=consent, action=AuditAction.CREATE)
    report_sharing_refresh(pupil=pupil, actor=actor, reason=f"consent {scope} {status} by {party}")
    return consent


# --- reports -----------------------------------------------------------------------------


# --- birthdays ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentAgeChange:
    """A pupil whose birthday moved them to another consent band (whose consent counts)."""

    pupil_id: int
    from_band: int
    to_band: int
    sharing_changed: bool


@transaction.atomic
def consent_birthdays_refresh(*, today: datetime.date, actor: Actor) -> list[ConsentAgeChange]:
    """Recompute the sharing of every pupil whose 12th or 16th birthday (or a corrected date
    of birth) moved them to another consent band since the last run (ADR 0010); the
    sweep's work, so only the system may. Each pupil once: the band the flags were computed
    for is stored (``Pupil.consent_age_band``); a missed day is caught up the next.

    Cheap at any number of pupils: per band a date_of_birth range (indexed with the band)
    finds the few who moved on. A pupil
    without a band yet (written in bulk) gets today's, silently: nothing moved for them.
    The caller holds the transaction, so the journal and notifications go with it.
    """
    if not is_system(actor):
        raise PermissionDenied(_("Alleen het systeem herberekent toestemming op leeftijd."))
    by_12, by_16 = born_by(today, 12), born_by(today, 16)
    band_q = {
        16: Q(date_of_birth__lte=by_16),
        12: Q(date_of_birth__gt=by_16, date_of_birth__lte=by_12),
        0: Q(date_of_birth__gt=by_12),
    }
    _bands_fill(today, actor)
    changes = []
    for band, q in band_q.items():
        others = [b for b in CONSENT_AGE_BANDS if b != band]
        moved = (
            Pupil.objects.select_for_update(skip_locked=True)
            .filter(q, consent_age_band__in=others)
            .order_by("pk")
        )
        for pupil in moved:
            reason = f"consent age {band}"
            changed = report_sharing_refresh(pupil=pupil, actor=actor, reason=reason)
            before = audited_update(pupil, actor=actor, reason=reason, consent_age_band=band)
            changes.append(
                ConsentAgeChange(pupil.pk, before["consent_age_band"], band, changed > 0)
            )
    return changes


def _bands_fill(today: datetime.date, actor: Actor) -> None:
    rows = Pupil.objects.filter(consent_age_band__isnull=True).values_list(
        "pk", "date_of_birth", "municipality__region_id"
    )
    by_band: dict[int, list[tuple[int, int | None]]] = {}
    for pk, date_of_birth, region_id in rows.iterator():
        band = consent_age_band(age_on(date_of_birth, today))
        by_band.setdefault(band, []).append((pk, region_id))
    for band, pupils in by_band.items():
        for start in range(0, len(pupils), 5000):
            chunk = pupils[start : start + 5000]
            entries = AuditBatch(
                action=AuditAction.UPDATE,
                object_type="registration.pupil",
                reason="consent age band first known",
                actor=actor,
            )
            for pk, region in chunk:
                entries.add(
                    object_id=pk,
                    region_id=region,
                    changes={
                        "before": {"consent_age_band": None},
                        "after": {"consent_age_band": band},
                    },
                )
            Pupil.objects.filter(pk__in=[pk for pk, _region in chunk]).update_audited(
                entries, consent_age_band=band
            )
