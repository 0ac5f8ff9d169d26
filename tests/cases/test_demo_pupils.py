"""The demo pupils of ``seed_demo``: consistent with the rules, deterministic, idempotent."""

import datetime
from collections import Counter, defaultdict

from cases.demo import BSN_FIRST
from cases.models import Case, CaseReport
from cases.selectors import cases_visible_to
from cases.services import case_copies_refresh
from registration.bsn import bsn_is_valid
from registration.models import (
    LAWFUL_KINDS,
    AbsenceKind,
    AbsenceReport,
    Consent,
    ConsentScope,
    Enrolment,
    Pupil,
)
from registration.rules import age_on, consent_parties_required
from registration.selectors import absence_reports_visible_to
from registration.services import ReportInput, absence_report_validate, pupil_consent_state
from tests.factories.demo import demo_fixture
from thuiszitters.models import OrganisationKind, SchoolSector, User

PUPILS = 120
PO_SECTORS = {SchoolSector.PO, SchoolSector.SBO, SchoolSector.SO}


seeded_module, seeded = demo_fixture(seed=2026, pupils=PUPILS)


def test_every_absence_kind_is_reported(seeded):
    kinds = set(AbsenceReport.objects.values_list("kind", flat=True))
    assert kinds == set(AbsenceKind.values)
    counts = Counter(AbsenceReport.objects.values_list("kind", flat=True))
    others = [n for k, n in counts.items() if k not in {"unauthorised", "sickness"}]
    assert counts["sickness"] > max(others) and counts["unauthorised"] >= max(others)


def test_pupils_have_valid_bsns_ages_for_their_school_and_guardians(seeded, today):
    enrolment_of = {e.pupil_id: e for e in Enrolment.objects.select_related("school")}
    pupils = list(Pupil.objects.prefetch_related("guardians"))
    assert len(pupils) == PUPILS
    for pupil in pupils:
        assert bsn_is_valid(pupil.bsn) and pupil.bsn >= BSN_FIRST
        age = age_on(pupil.date_of_birth, today)
        assert 4 <= age <= 18
        enrolment = enrolment_of.get(pupil.pk)
        if enrolment is not None:
            assert enrolment.start <= today and enrolment.end is None
            assert (4 <= age <= 12) if enrolment.school.sector in PO_SECTORS else (12 <= age <= 18)
        assert 1 <= len(pupil.guardians.all()) <= 2
        pupil.full_clean()
        for guardian in pupil.guardians.all():
            guardian.full_clean()
    # The residence is mostly the municipality of the school.
    same = sum(
        enrolment_of[p.pk].school.municipality_id == p.municipality_id
        for p in pupils
        if p.pk in enrolment_of
    )
    assert same > 0.7 * len(enrolment_of)


def test_reports_pass_the_intake_rules(seeded, today):
    """Each demo report is one the intake would have accepted on its reporting day."""
    reports = AbsenceReport.objects.select_related(
        "pupil", "reporting_organisation", "reported_by", "school"
    )
    for report in reports:
        assert report.parents_informed_on < report.reported_on <= today
        assert report.absence_started_on <= report.reported_on
        assert report.absence_ended_on is None or (
            report.absence_started_on <= report.absence_ended_on <= today
        )
        assert report.reported_on >= today - datetime.timedelta(days=200)
        if report.hours_missed_last_4_weeks is not None:
            assert 0 <= report.hours_missed_last_4_weeks <= 160
        if report.share_followed_percent is not None:
            assert 0 <= report.share_followed_percent <= 100
        report.full_clean()
        data = ReportInput(
            pupil=report.pupil,
            kind=report.kind,
            reported_on=report.reported_on,
            absence_started_on=report.absence_started_on,
            absence_ended_on=report.absence_ended_on,
            parents_informed_on=report.parents_informed_on,
            parents_informed_how=report.parents_informed_how,
            hours_missed_last_4_weeks=report.hours_missed_last_4_weeks,
            share_followed_percent=report.share_followed_percent,
        )
        placement = absence_report_validate(
            data=data,
            reporting_organisation=report.reporting_organisation,
            actor=report.reported_by,
        )
        assert (placement.school, placement.swv_id, placement.municipality_id) == (
            report.school,
            report.swv_id,
            report.municipality_id,
        )


def test_not_enrolled_is_reported_by_leerplicht_for_pupils_without_enrolment(seeded):
    reports = AbsenceReport.objects.filter(kind=AbsenceKind.NOT_ENROLLED)
    assert reports.exists()
    for report in reports.select_related("reporting_organisation"):
        assert report.reporting_organisation.kind == OrganisationKind.LEERPLICHT_BUREAU
        assert not Enrolment.objects.filter(pupil_id=report.pupil_id).exists()
        case = report.case_link.case
        assert (case.school_id, case.swv_id) == (None, None)
    # Every pupil without an enrolment is one of them.
    unenrolled = Pupil.objects.exclude(enrolments__isnull=False)
    assert set(unenrolled.values_list("pk", flat=True)) == set(
        reports.values_list("pupil_id", flat=True)
    )


def test_one_open_case_per_reported_pupil_with_its_reports(seeded):
    reports_of = defaultdict(list)
    for report in AbsenceReport.objects.order_by("reported_on", "id"):
        reports_of[report.pupil_id].append(report)
    # One case per reported pupil; later phases and closed cases: tests/cases/test_demo_cases.py.
    cases = list(Case.objects.all())
    assert sorted(c.pupil_id for c in cases) == sorted(reports_of)
    assert CaseReport.objects.count() == AbsenceReport.objects.count()
    for case in cases:
        own = reports_of[case.pupil_id]
        assert case.clock_start == min(r.absence_started_on for r in own)
        first_lead = case.lead_history.order_by("started_at", "id").first()
        assert first_lead.organisation_id == own[0].reporting_organisation_id
        assert first_lead.user_id == own[0].reported_by_id
        if case.phase == "school":
            assert case.lead_organisation_id == own[0].reporting_organisation_id
            assert case.lead_user_id == own[0].reported_by_id
        assert (case.school_id, case.swv_id, case.municipality_id) == (
            own[0].school_id,
            own[0].swv_id,
            own[0].municipality_id,
        )
        assert set(case.case_reports.values_list("report_id", flat=True)) == {r.pk for r in own}
        assert case.events.filter(kind="opened").count() == 1
        assert case.events.filter(kind="report_joined").count() == len(own) - 1


def test_sharing_flags_follow_the_consent_rules(seeded, today):
    seen = Counter()
    for pupil in Pupil.objects.filter(absence_reports__isnull=False).distinct():
        state = pupil_consent_state(pupil)
        required = consent_parties_required(age_on(pupil.date_of_birth, today))
        for consent in pupil.consents.all():
            assert consent.party in required
            assert consent.stated_on <= today
            consent.full_clean()
        for report in pupil.absence_reports.all():
            if report.kind in LAWFUL_KINDS:
                expected = (True, True)
            else:
                expected = (
                    state[ConsentScope.SHARE_WITH_LEERPLICHT].effective,
                    state[ConsentScope.SHARE_WITH_SWV].effective,
                )
                seen[expected] += 1
            assert (report.shared_with_leerplicht, report.shared_with_swv) == expected
    # Every consent situation occurs: shared with both, with leerplicht only, with neither.
    assert {(True, True), (True, False), (False, False)} <= set(seen)
    statuses = set(Consent.objects.values_list("status", flat=True))
    assert statuses == {"given", "refused", "withdrawn"}


def test_demo_zorgcoordinators_see_a_full_case_list(seeded):
    for local in ("zorgcoordinator.po", "zorgcoordinator.vo"):
        zc = User.objects.get(email=f"{local}@demo.test")
        reports = absence_reports_visible_to(zc)
        minimum = 10 if local.endswith("po") else 6
        assert reports.values("pupil").distinct().count() >= minimum
        assert len(set(reports.values_list("kind", flat=True))) >= 5
        assert cases_visible_to(zc).count() >= minimum
    leerplicht = User.objects.get(email="leerplicht@demo.test")
    assert cases_visible_to(leerplicht).exists()
    # A sickness report without consent stays with the school.
    hidden = AbsenceReport.objects.filter(shared_with_leerplicht=False)
    assert hidden.exists()
    assert not absence_reports_visible_to(leerplicht).filter(pk__in=hidden).exists()


def test_reporting_schools_get_one_zorgcoordinator_each(seeded):
    schools = set(
        AbsenceReport.objects.filter(school__isnull=False).values_list("school_id", flat=True)
    )
    for school_id in schools:
        reporters = set(
            AbsenceReport.objects.filter(school_id=school_id).values_list("reported_by", flat=True)
        )
        assert len(reporters) == 1
        user = User.objects.get(pk=reporters.pop())
        assert user.memberships.filter(
            organisation_id=school_id, role__name="zorgcoordinator"
        ).exists()


def test_the_demo_jeugdarts_is_invited_to_cases_under_consent(seeded):

    jeugdarts = User.objects.get(email="jeugdarts@demo.test")
    visible = list(cases_visible_to(jeugdarts).select_related("pupil"))
    assert len(visible) == 3
    assert all(case.pupil.shared_with_care_partners for case in visible)


def test_the_cases_copies_agree_with_their_sources(seeded):
    """The demo writes through the services, which keep the copies (ADR 0019, 0024)."""
    assert Case.objects.count() > 0
    assert case_copies_refresh(check=True) == {"sharing": 0, "pupil_dates": 0, "first_dates": 0}
