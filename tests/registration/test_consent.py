"""Consent is enforced, not only recorded (DESIGN.md 4.3, ADR 0010).

Through the services (intake, ``consent_record``) and the scoping selectors: what leerplicht
and the SWV can see follows the consent of the right parties at the pupil's age, at once.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Case
from cases.selectors import cases_visible_to
from cases.services import absence_report_submit
from registration.models import AbsenceReport, Consent
from registration.selectors import absence_reports_visible_to, pupils_visible_to
from registration.services import consent_record, pupil_consent_state
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import Capability, RoleCode

from ..factories.registration import PupilFactory, enrolled_pupil, report_input, years_ago
from ..factories.users import grant_capability

pytestmark = pytest.mark.usefixtures("frozen_clock")

LEERPLICHT = "share_with_leerplicht"
SWV = "share_with_swv"


@pytest.fixture
def zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


@pytest.fixture
def leerplicht(world, user_with_role):
    return user_with_role(RoleCode.LEERPLICHT)


@pytest.fixture
def consultant(world, user_with_role):
    return user_with_role(RoleCode.SWV_CONSULTANT)


def report(actor, org, pupil, **overrides):
    return absence_report_submit(
        actor=actor,
        reporting_organisation=org,
        data=report_input(pupil, **overrides),
        channel="form",
    )


def consent(actor, pupil, scope, party, status="given", stated_on=None):
    today = timezone.localdate()
    return consent_record(
        actor=actor,
        pupil=pupil,
        scope=scope,
        status=status,
        party=party,
        stated_on=stated_on or today,
        how="form",
    )


def sees_report(user, result) -> bool:
    return absence_reports_visible_to(user).filter(pk=result.report.pk).exists()


def sees_case(user, result) -> bool:
    return cases_visible_to(user).filter(pk=result.case.pk).exists()


def test_sickness_without_consent_stays_with_the_school_but_is_counted(
    world, zc, leerplicht, consultant
):
    pupil = enrolled_pupil(world.school)
    result = report(zc, world.school, pupil, kind="sickness")
    for outsider in (leerplicht, consultant):
        assert not sees_report(outsider, result)
        assert not sees_case(outsider, result)
    assert not pupils_visible_to(consultant).filter(pk=pupil.pk).exists()
    assert sees_report(zc, result) and sees_case(zc, result)
    # It is registered and counts, only without personal data beyond the school.
    assert AbsenceReport.objects.filter(kind="sickness").count() == 1
    assert Case.objects.open().count() == 1


@pytest.mark.parametrize(
    "kind", ["sickness", "medical_psychological", "authorised_other", "partial", "at_risk"]
)
def test_every_kind_outside_the_leerplichtwet_needs_consent(world, zc, leerplicht, kind):
    result = report(zc, world.school, enrolled_pupil(world.school), kind=kind)
    assert not sees_report(leerplicht, result) and not sees_case(leerplicht, result)


@pytest.mark.parametrize("kind", ["unauthorised", "suspension", "exemption"])
def test_lawful_kinds_are_shared_without_consent(world, zc, leerplicht, consultant, kind):
    result = report(zc, world.school, enrolled_pupil(world.school), kind=kind)
    for user in (leerplicht, consultant):
        assert sees_report(user, result) and sees_case(user, result)
    assert not Consent.objects.exists()


def test_absoluut_verzuim_is_shared_without_consent(world, leerplicht, user_with_role):
    pupil = PupilFactory(municipality=world.m1)
    result = report(leerplicht, world.bureau, pupil, kind="not_enrolled")
    assert result.report.shared_with_leerplicht and result.report.shared_with_swv
    school_user = user_with_role(RoleCode.ZORGCOORDINATOR)  # the pupil is not enrolled there
    assert sees_report(leerplicht, result) and not sees_report(school_user, result)


@pytest.mark.parametrize(
    ("age", "parties"),
    [
        (6, ["parents"]),
        (11, ["parents"]),
        (12, ["parents", "pupil"]),
        (15, ["parents", "pupil"]),
        (16, ["pupil"]),
        (17, ["pupil"]),
    ],
)
def test_consent_of_the_right_parties_opens_the_report(
    world, zc, leerplicht, consultant, age, parties
):
    pupil = enrolled_pupil(world.school, date_of_birth=years_ago(age, days=30))
    result = report(zc, world.school, pupil, kind="sickness")
    for party in parties[:-1]:
        consent(zc, pupil, LEERPLICHT, party)
        assert not sees_report(leerplicht, result)  # not yet: one party is missing
    consent(zc, pupil, LEERPLICHT, parties[-1])
    assert sees_report(leerplicht, result) and sees_case(leerplicht, result)
    # Each scope on its own: the SWV needs its own consent.
    assert not sees_report(consultant, result) and not sees_case(consultant, result)
    for party in parties:
        consent(zc, pupil, SWV, party)
    assert sees_report(consultant, result) and sees_case(consultant, result)


def test_at_13_the_parents_alone_are_not_enough(world, zc, leerplicht):
    pupil = enrolled_pupil(world.school, date_of_birth=years_ago(13, days=100))
    result = report(zc, world.school, pupil, kind="sickness")
    consent(zc, pupil, LEERPLICHT, "parents")
    assert pupil_consent_state(pupil)[LEERPLICHT].missing == ["pupil"]
    assert not sees_report(leerplicht, result) and not sees_case(leerplicht, result)
    assert not AbsenceReport.objects.get(pk=result.report.pk).shared_with_leerplicht


def test_from_16_the_parents_consent_does_not_count(world, zc, leerplicht):
    pupil = enrolled_pupil(world.school, date_of_birth=years_ago(16, days=10))
    result = report(zc, world.school, pupil, kind="sickness")
    consent(zc, pupil, LEERPLICHT, "parents")
    assert not sees_report(leerplicht, result)
    consent(zc, pupil, LEERPLICHT, "pupil")
    assert sees_report(leerplicht, result)


def test_refused_consent_shares_nothing(world, zc, leerplicht):
    pupil = enrolled_pupil(world.school)
    result = report(zc, world.school, pupil, kind="sickness")
    consent(zc, pupil, LEERPLICHT, "parents", status="refused")
    assert not sees_report(leerplicht, result) and not sees_case(leerplicht, result)


def test_consent_given_before_the_report_shares_it_at_intake(world, zc, leerplicht, today):
    pupil = enrolled_pupil(world.school)
    consent(zc, pupil, LEERPLICHT, "parents", stated_on=today - datetime.timedelta(days=3))
    result = report(zc, world.school, pupil, kind="sickness")
    assert result.report.shared_with_leerplicht and not result.report.shared_with_swv
    assert sees_report(leerplicht, result)


def test_withdrawing_consent_removes_access_at_once(world, zc, leerplicht, consultant):
    pupil = enrolled_pupil(world.school)
    result = report(zc, world.school, pupil, kind="sickness")
    consent(zc, pupil, LEERPLICHT, "parents")
    consent(zc, pupil, SWV, "parents")
    assert sees_report(leerplicht, result) and sees_case(leerplicht, result)
    assert sees_case(consultant, result)

    consent(zc, pupil, LEERPLICHT, "parents", status="withdrawn")
    assert not sees_report(leerplicht, result) and not sees_case(leerplicht, result)
    assert sees_case(consultant, result)  # the SWV's own consent still holds
    consent(zc, pupil, SWV, "parents", status="withdrawn")
    assert not sees_report(consultant, result) and not sees_case(consultant, result)
    # Given again: shared again.
    consent(zc, pupil, LEERPLICHT, "parents")
    assert sees_report(leerplicht, result)


def test_a_case_with_a_lawful_report_is_visible_but_not_its_sickness_report(world, zc, leerplicht):
    pupil = enrolled_pupil(world.school)
    sick = report(zc, world.school, pupil, kind="sickness")
    unauthorised = report(zc, world.school, pupil, kind="unauthorised")
    assert sick.case.pk == unauthorised.case.pk
    assert sees_case(leerplicht, sick)
    assert sees_report(leerplicht, unauthorised) and not sees_report(leerplicht, sick)


def test_an_override_shares_without_consent_and_a_withdrawal_does_not_undo_it(
    world, zc, leerplicht, consultant
):
    grant_capability(RoleCode.ZORGCOORDINATOR, Capability.OVERRIDE_CONSENT)
    pupil = enrolled_pupil(world.school)
    result = report(zc, world.school, pupil, kind="sickness", consent_override_reason="Meldcode")
    assert sees_report(consultant, result) and sees_case(consultant, result)
    consent(zc, pupil, LEERPLICHT, "parents", status="withdrawn")
    assert AbsenceReport.objects.get(pk=result.report.pk).shared_with_leerplicht


def test_consent_of_one_pupil_does_not_share_another_pupils_reports(world, zc, leerplicht):
    pupil, other = enrolled_pupil(world.school), enrolled_pupil(world.school)
    result = report(zc, world.school, other, kind="sickness")
    consent(zc, pupil, LEERPLICHT, "parents")
    assert not sees_report(leerplicht, result)


def test_every_sharing_change_is_audited(world, zc):
    pupil = enrolled_pupil(world.school)
    first = report(zc, world.school, pupil, kind="sickness").report
    second = report(zc, world.school, pupil, kind="medical_psychological").report
    lawful = report(zc, world.school, pupil, kind="unauthorised").report
    before = AuditLogEntry.objects.count()

    statement = consent(zc, pupil, LEERPLICHT, "parents")
    created = AuditLogEntry.objects.get(
        object_type="registration.consent", object_id=str(statement.pk)
    )
    assert created.action == "create" and created.actor == zc
    changes = AuditLogEntry.objects.filter(
        object_type="registration.absencereport", action="update"
    ).order_by("id")
    assert [c.object_id for c in changes] == [str(first.pk), str(second.pk)]  # not the lawful
    for entry in changes:
        assert entry.actor == zc
        assert entry.changes == {
            "fields": ["shared_with_leerplicht"],
            "before": {"shared_with_leerplicht": False},
            "after": {"shared_with_leerplicht": True},
        }
        assert "share_with_leerplicht given by parents" in entry.reason
    assert AuditLogEntry.objects.count() == before + 3
    assert lawful.pk not in {int(c.object_id) for c in changes}

    consent(zc, pupil, LEERPLICHT, "parents", status="withdrawn")
    withdrawn = changes.filter(reason__contains="withdrawn")
    assert withdrawn.count() == 2
    assert all(e.changes["after"] == {"shared_with_leerplicht": False} for e in withdrawn)


def test_a_statement_that_changes_nothing_writes_only_itself(world, zc):
    pupil = enrolled_pupil(world.school)
    report(zc, world.school, pupil, kind="sickness")
    consent(zc, pupil, LEERPLICHT, "parents", status="refused")
    assert not AuditLogEntry.objects.filter(
        object_type="registration.absencereport", action="update"
    ).exists()


def test_a_statement_dated_in_the_future_is_refused(world, zc, leerplicht, today):
    pupil = enrolled_pupil(world.school)
    result = report(zc, world.school, pupil, kind="sickness")
    with pytest.raises(ValidationError) as excinfo:
        consent(zc, pupil, LEERPLICHT, "parents", stated_on=today + datetime.timedelta(days=1))
    assert "stated_on" in excinfo.value.message_dict
    assert not Consent.objects.exists()
    assert not sees_report(leerplicht, result)


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (RoleCode.SWV_DIRECTOR, None),  # no personal data at all
        (RoleCode.POLICY, None),
        (RoleCode.FUNCTIONAL_ADMIN, None),
        (RoleCode.ZORGCOORDINATOR, "school2"),  # personal data, another school's pupil
        (RoleCode.SWV_CONSULTANT, None),  # no report of the pupil shared with the SWV
        (RoleCode.LEERPLICHT, None),  # nor with leerplicht
        (RoleCode.CARE_PARTNER, None),
    ],
)
def test_recording_consent_needs_the_actors_standing(world, user_with_role, role, where):
    """``consent_record`` checks its actor: without standing for the pupil (ADR 0014) it
    refuses and writes nothing, whatever the caller's page or API checked."""
    pupil = enrolled_pupil(world.school, bsn=None)
    actor = user_with_role(role, organisation=getattr(world, where) if where else None)
    audit_before = AuditLogEntry.objects.count()
    with pytest.raises(PermissionDenied):
        consent(actor, pupil, SWV, "parents")
    assert not Consent.objects.filter(pupil=pupil).exists()
    assert AuditLogEntry.objects.count() == audit_before


def test_the_pupils_own_school_may_record_consent(world, zc):
    pupil = enrolled_pupil(world.school, bsn=None)
    recorded = consent(zc, pupil, SWV, "parents")
    assert recorded.limited_to_organisation is None  # standing for the whole pupil
