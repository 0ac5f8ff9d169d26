"""Access is earned, never taken: the attacks an outside tester ran, each reproduced and now
gaining nothing (ADR 0014, DESIGN.md 4.3)."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseReport
from cases.selectors import cases_in_restricted_view, cases_visible_to
from cases.services import absence_report_submit
from escalation.models import Notification, NotificationKind
from escalation.services.notify import enrolment_alerts_deliver
from escalation.services.sweep import escalation_sweep
from registration.bsn import bsn_is_valid
from registration.models import AbsenceReport, Consent, EarlyWarningSettings, Enrolment, Pupil
from registration.selectors import absence_reports_visible_to
from tests.page_text import shows
from thuiszitters.models import AuditLogEntry, AuditOutcome
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create

from ..factories.registration import (
    EnrolmentFactory,
    GuardianFactory,
    PupilFactory,
    report_input,
    years_ago,
)
from ..factories.registration import enrolled_pupil as _enrolled_pupil
from ..factories.users import SETUP

pytestmark = pytest.mark.usefixtures("frozen_clock")
DAY = datetime.timedelta(days=1)
_numbers = itertools.count(1)


def enrolled_pupil(school, **kwargs):
    while "bsn" not in kwargs:
        candidate = str(400000000 + next(_numbers))
        if bsn_is_valid(candidate):
            kwargs["bsn"] = candidate
    return _enrolled_pupil(school, **kwargs)


def unused_bsn() -> str:
    while True:
        candidate = str(500000000 + next(_numbers))
        if bsn_is_valid(candidate) and not Pupil.objects.filter(bsn=candidate).exists():
            return candidate


def rows() -> dict[str, int]:
    """What a write could leave behind."""
    return {
        "pupils": Pupil.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "consents": Consent.objects.count(),
        "reports": AbsenceReport.objects.count(),
        "links": CaseReport.objects.count(),
    }


def intake_data(organisation, **overrides):
    today = timezone.localdate()
    data = {
        "reporting_organisation": organisation.pk,
        "new_pupil": "True",
        "given_names": "Verzonnen",
        "surname": "Naam",
        "date_of_birth": years_ago(10).isoformat(),
        "municipality": organisation.municipality_id,
        "enrolled_from": years_ago(20).isoformat(),  # before the pupil's birth
        "guardian_name": "Iemand",
        "guardian_relation": "parent",
        "kind": "unauthorised",
        "reported_on": today.isoformat(),
        "absence_started_on": (today - 10 * DAY).isoformat(),
        "parents_informed_on": (today - 2 * DAY).isoformat(),
        "parents_informed_how": "phone",
        "consent_share_with_leerplicht": "on",
        "consent_share_with_swv": "on",
        "consent_party": "parents",
        "consent_how": "conversation",
        "consent_stated_on": today.isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def victim(world, user_with_role):
    """A region-A pupil with guardians, an open case and a sickness report shared with no one."""
    pupil = enrolled_pupil(world.school, surname="Slachtoffer")
    GuardianFactory(pupil=pupil, phone="0611111111", email="ouder@example.org")
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    result = absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(pupil, kind="sickness", reason="Geheime ziekte"),
        channel="form",
    )
    return result


@pytest.fixture
def far_zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.far_school)


# --- 1. takeover by BSN ----------------------------------------------------------------------


def test_takeover_by_bsn_alone_is_refused_and_writes_nothing(world, victim, far_zc, login):
    client = login(far_zc)
    pupil = victim.report.pupil
    before = rows()
    response = client.post(reverse("cases:intake"), intake_data(world.far_school, bsn=pupil.bsn))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Met deze combinatie van BSN, achternaam en geboortedatum" in body
    assert rows() == before
    assert client.get(reverse("registration:pupil_detail", args=[pupil.pk])).status_code == 404
    assert client.get(f"/api/v1/pupils/{pupil.pk}/").status_code == 404
    assert client.get(reverse("cases:case_detail", args=[victim.case.pk])).status_code == 404
    report = AbsenceReport.objects.get(pk=victim.report.pk)
    assert not report.shared_with_leerplicht and not report.shared_with_swv
    # The refused match is audited in both regions: the pupil's administrator sees it too.
    refused = AuditLogEntry.objects.filter(
        object_type="registration.pupil", object_id=str(pupil.pk), outcome=AuditOutcome.DENIED
    )
    assert set(refused.values_list("region_id", flat=True)) == {world.region.pk, world.region_b.pk}


def test_an_enrolment_date_before_the_4th_birthday_is_refused(world, user_with_role, login):
    client = login(user_with_role(RoleCode.ZORGCOORDINATOR))
    before = rows()
    data = intake_data(world.school, bsn=unused_bsn(), surname="Nieuw")
    response = client.post(reverse("cases:intake"), data)
    assert "op zijn vroegst op de 4e verjaardag" in response.content.decode()
    assert rows() == before


def test_a_full_match_enrols_but_shows_the_school_only_its_own(world, victim, far_zc, login, today):
    client = login(far_zc)
    pupil = victim.report.pupil
    data = intake_data(
        world.far_school,
        bsn=pupil.bsn,
        given_names="Anders",
        surname=pupil.surname.upper(),  # spelling differs: the matcher is tolerant
        date_of_birth=pupil.date_of_birth.isoformat(),
        enrolled_from=(today - 20 * DAY).isoformat(),
        guardian_name="Nieuwe Ouder",
        guardian_phone="0622222222",
    )
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    enrolment = Enrolment.objects.get(pupil=pupil, school=world.far_school)
    assert enrolment.matched_existing and enrolment.alert_pending
    # The earlier sickness report stays shared with nobody: the new school's consent counts
    # for its own report only.
    old = AbsenceReport.objects.get(pk=victim.report.pk)
    assert not old.shared_with_leerplicht and not old.shared_with_swv
    new = AbsenceReport.objects.get(pupil=pupil, reporting_organisation=world.far_school)
    assert new.shared_with_leerplicht and new.shared_with_swv
    assert not absence_reports_visible_to(far_zc).filter(pk=old.pk).exists()

    page = client.get(reverse("registration:pupil_detail", args=[pupil.pk])).content.decode()
    assert "0611111111" not in page and "ouder@example.org" not in page
    assert world.school.name not in page and "Geheime ziekte" not in page
    assert "0622222222" in page  # what the school recorded itself
    case_page = client.get(reverse("cases:case_detail", args=[victim.case.pk]))
    assert case_page.status_code == 200
    text = case_page.content.decode()
    assert 'data-testid="restricted-view"' in text
    assert "Geheime ziekte" not in text and world.school.name not in text

    # The pupil's school and leerplicht hear of it; the audit is in both regions.
    leerplicht_user = user_with_role_of(world, RoleCode.LEERPLICHT)
    assert enrolment_alerts_deliver() >= 2
    told = set(
        Notification.objects.filter(kind=NotificationKind.ENROLMENT_MATCH).values_list(
            "user_id", flat=True
        )
    )
    assert leerplicht_user.pk in told
    assert victim.report.reported_by_id in told
    assert not Enrolment.objects.get(pk=enrolment.pk).alert_pending
    assert enrolment_alerts_deliver() == 0
    for obj in (enrolment, new):
        regions = set(
            AuditLogEntry.objects.filter(
                object_type=obj._meta.label_lower, object_id=str(obj.pk)
            ).values_list("region_id", flat=True)
        )
        assert regions == {world.region.pk, world.region_b.pk}


def user_with_role_of(world, role):
    from ..factories.users import member

    return member(world.home_of(role), role)


# --- 2. the BSN oracle ------------------------------------------------------------------------


def _normalise(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html).replace("\n", "")


def test_the_live_check_answers_the_same_for_an_unknown_and_a_known_bsn(
    world, victim, far_zc, login
):
    client = login(far_zc)
    url = reverse("cases:intake_validate")
    known = client.post(url, intake_data(world.far_school, bsn=victim.report.pupil.bsn))
    unknown = client.post(url, intake_data(world.far_school, bsn=victim.report.pupil.bsn))
    fresh = unused_bsn()
    unknown = client.post(url, intake_data(world.far_school, bsn=fresh))
    known_body = _normalise(known.content.decode()).replace(victim.report.pupil.bsn, "BSN")
    unknown_body = _normalise(unknown.content.decode()).replace(fresh, "BSN")
    assert known.status_code == unknown.status_code == 200
    assert known_body == unknown_body
    assert "eenzelfde BSN" not in known_body


def test_the_api_answers_the_same_for_an_unknown_and_an_out_of_scope_bsn(
    world, victim, client, today
):
    _token, key = api_token_create(organisation=world.far_school, name="LAS", actor=SETUP)
    pupil = victim.report.pupil

    def post(bsn, surname, born, n):
        return client.post(
            "/api/v1/absence-reports/",
            {
                "bsn": bsn,
                "surname": surname,
                "date_of_birth": born,
                "kind": "unauthorised",
                "absence_started_on": (today - 10 * DAY).isoformat(),
                "parents_informed_on": (today - 2 * DAY).isoformat(),
                "parents_informed_how": "phone",
                "client_key": f"k-{n}",
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )

    before = rows()
    known = post(pupil.bsn, pupil.surname, pupil.date_of_birth.isoformat(), 1)
    unknown = post(unused_bsn(), pupil.surname, pupil.date_of_birth.isoformat(), 2)
    assert known.status_code == unknown.status_code == 400
    assert known.json() == unknown.json()
    assert rows() == before


def test_the_csv_import_answers_the_same_for_an_unknown_and_an_out_of_scope_bsn(
    world, victim, far_zc, today
):
    from cases.csv_import import COLUMN_NAMES, csv_rows

    pupil = victim.report.pupil
    lines = [";".join(COLUMN_NAMES)]
    for bsn in (pupil.bsn, unused_bsn()):
        values = dict.fromkeys(COLUMN_NAMES, "")
        values |= {
            "bsn": bsn,
            "achternaam": pupil.surname,
            "geboortedatum": pupil.date_of_birth.isoformat(),
            "soort": "unauthorised",
            "eerste_verzuimdag": (today - 10 * DAY).isoformat(),
            "ouders_geinformeerd_op": (today - 2 * DAY).isoformat(),
            "ouders_geinformeerd_via": "phone",
        }
        lines.append(";".join(values[name] for name in COLUMN_NAMES))
    known, unknown = csv_rows(user=far_zc, organisation=world.far_school, text="\n".join(lines))
    assert known.status == unknown.status == "invalid"
    assert known.reason == unknown.reason and "Geen leerling" in known.reason


def test_bsn_look_ups_answer_only_inside_the_scope(world, victim, far_zc, login):
    client = login(far_zc)
    bsn = victim.report.pupil.bsn
    search = client.post("/api/v1/pupils/search/", {"bsn": bsn}, content_type="application/json")
    assert search.status_code == 404
    found = client.post(reverse("cases:intake"), {"zoeken": "1", "q": bsn}).content.decode()
    assert not shows(found, victim.report.pupil.surname)


# --- 3. filing a report or a consent to open a file -------------------------------------------


@pytest.mark.parametrize("role", [RoleCode.SWV_CONSULTANT, RoleCode.LEERPLICHT])
def test_filing_a_report_does_not_open_the_case(world, victim, user_with_role, client, role, today):
    user = user_with_role(role)
    assert not cases_visible_to(user).filter(pk=victim.case.pk).exists()
    client.force_login(user)
    pupil = victim.report.pupil
    before = rows()
    response = client.post(
        "/api/v1/absence-reports/",
        {
            "bsn": pupil.bsn,
            "surname": pupil.surname,
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "kind": "unauthorised",
            "absence_started_on": (today - 10 * DAY).isoformat(),
            "parents_informed_on": (today - 2 * DAY).isoformat(),
            "parents_informed_how": "phone",
            "client_key": "probe-1",
            "organisation": world.home_of(role).pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert rows() == before
    assert client.get(reverse("cases:case_detail", args=[victim.case.pk])).status_code == 404
    assert client.get(f"/api/v1/cases/{victim.case.pk}/").status_code == 404


@pytest.mark.parametrize("role", [RoleCode.SWV_CONSULTANT, RoleCode.LEERPLICHT])
def test_recording_consent_does_not_open_the_reports(
    world, victim, user_with_role, client, role, today
):
    user = user_with_role(role)
    client.force_login(user)
    pupil = victim.report.pupil
    before = rows()
    statement = {
        "scope": "share_with_leerplicht" if role == RoleCode.LEERPLICHT else "share_with_swv",
        "status": "given",
        "party": "parents",
        "stated_on": today.isoformat(),
        "how": "phone",
    }
    pupil_url = reverse("registration:consent_record", args=[pupil.pk])
    assert client.post(pupil_url, statement).status_code in (403, 404)
    case_url = reverse("case:consent", args=[victim.case.pk])
    prefixed = {f"consent-{k}": v for k, v in statement.items()}
    assert client.post(case_url, prefixed).status_code == 404
    api = client.post(
        f"/api/v1/cases/{victim.case.pk}/consent/", statement, content_type="application/json"
    )
    assert api.status_code == 404
    assert rows() == before
    assert not absence_reports_visible_to(user).filter(pk=victim.report.pk).exists()


def test_the_pupil_page_offers_no_consent_form_without_standing(
    world, victim, user_with_role, login
):
    client = login(user_with_role(RoleCode.LEERPLICHT))  # sees residents, not this case
    page = client.get(reverse("registration:pupil_detail", args=[victim.report.pupil.pk]))
    assert page.status_code == 200
    assert "toestemming-vastleggen" not in page.content.decode()


# --- 4. the week-4 handover without consent -----------------------------------------------------


def test_the_week_4_lead_without_consent_works_from_the_restricted_view(
    world, victim, user_with_role, client, today
):
    leerplicht = user_with_role(RoleCode.LEERPLICHT)
    case = victim.case
    escalation_sweep(as_of=today + 40 * DAY)
    case.refresh_from_db()
    assert case.phase != "school"
    assert case.lead_organisation_id in (world.bureau.pk, world.swv.pk)
    lead = (
        leerplicht
        if case.lead_organisation_id == world.bureau.pk
        else user_with_role(RoleCode.CASUSREGISSEUR, organisation=world.swv)
    )
    assert not cases_visible_to(lead).filter(pk=case.pk).exists()
    assert cases_in_restricted_view(lead).filter(pk=case.pk).exists()
    client.force_login(lead)
    page = client.get(reverse("cases:case_detail", args=[case.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="restricted-view"' in text
    assert shows(text, case.pupil.full_name) and "Geheime ziekte" not in text
    assert "vraag toestemming" in text.lower()
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(reverse("cases:journal", args=[case.pk])).status_code == 404
    work = client.get(reverse("caselists:my_work")).content.decode()
    assert 'data-testid="awaiting-consent"' in work and shows(work, case.pupil.full_name)
    assert client.post(
        reverse("case:journal_add", args=[case.pk]), {"journal-text": "x"}
    ).status_code in (403, 404)

    # The lead asks and records consent: the case opens.
    scope = (
        "share_with_leerplicht"
        if case.lead_organisation_id == world.bureau.pk
        else "share_with_swv"
    )
    response = client.post(
        reverse("case:consent", args=[case.pk]),
        {
            "consent-scope": scope,
            "consent-status": "given",
            "consent-party": "parents",
            "consent-stated_on": today.isoformat(),
            "consent-how": "phone",
        },
    )
    assert response.status_code == 302
    assert cases_visible_to(lead).filter(pk=case.pk).exists()


# --- 5. dates nobody can have ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "message"),
    [
        (lambda today: datetime.date(1, 1, 1), "vóór de 4e verjaardag"),
        (lambda today: today - datetime.timedelta(days=800), "meer dan 24 maanden terug"),
    ],
    ids=["year_1", "800_days_back"],
)
def test_absence_dates_nobody_can_have_are_refused(world, user_with_role, started, message, today):
    from django.core.exceptions import ValidationError

    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    pupil = enrolled_pupil(world.school, date_of_birth=years_ago(12))
    with pytest.raises(ValidationError) as exc:
        absence_report_submit(
            actor=zc,
            reporting_organisation=world.school,
            data=report_input(pupil, absence_started_on=started(today)),
            channel="api",
        )
    assert message in " ".join(exc.value.message_dict["absence_started_on"])
    assert not AbsenceReport.objects.exists()


def test_the_limit_is_a_regional_setting(world, user_with_role, today):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    pupil = PupilFactory(date_of_birth=years_ago(12), municipality=world.m1, bsn=unused_bsn())
    EnrolmentFactory(pupil=pupil, school=world.school, start=years_ago(3))
    EarlyWarningSettings.objects.create(region=world.region, absence_max_months_back=36)
    started = today - datetime.timedelta(days=760)  # past 24 months, within 36
    result = absence_report_submit(
        actor=zc,
        reporting_organisation=world.school,
        data=report_input(pupil, absence_started_on=started),
        channel="api",
    )
    assert result.case.clock_start == started


def test_an_earlier_report_cannot_rewind_the_clock_past_the_limit(world, victim, user_with_role):
    from django.core.exceptions import ValidationError

    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    clock = victim.case.clock_start
    with pytest.raises(ValidationError):
        absence_report_submit(
            actor=zc,
            reporting_organisation=world.school,
            data=report_input(victim.report.pupil, absence_started_on=datetime.date(1, 1, 1)),
            channel="api",
        )
    victim.case.refresh_from_db()
    assert victim.case.clock_start == clock


def test_parents_informed_before_the_absence_began_is_refused(world, user_with_role, today):
    from django.core.exceptions import ValidationError

    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    pupil = enrolled_pupil(world.school)
    with pytest.raises(ValidationError) as exc:
        absence_report_submit(
            actor=zc,
            reporting_organisation=world.school,
            data=report_input(pupil, parents_informed_on=today - 30 * DAY),
            channel="api",
        )
    assert "parents_informed_on" in exc.value.message_dict
