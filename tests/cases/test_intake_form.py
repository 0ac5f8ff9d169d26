"""The intake form: find or add the pupil, report, record consent, see the case and deadline."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from registration.models import AbsenceReport, Consent, Enrolment, Guardian, Pupil
from tests.page_text import shows
from thuiszitters.models import AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.registration import EnrolmentFactory, PupilFactory, years_ago
from ..factories.registration import enrolled_pupil as _enrolled_pupil

pytestmark = pytest.mark.usefixtures("frozen_clock")


def enrolled_pupil(school, **kwargs):
    """A pupil without BSN unless given: the factory's BSN sequence can repeat a number."""
    kwargs.setdefault("bsn", None)
    return _enrolled_pupil(school, **kwargs)


def _iso(days_ago: int) -> str:
    today = timezone.localdate()
    return (today - datetime.timedelta(days=days_ago)).isoformat()


def form_data(organisation, pupil=None, **overrides):
    today = timezone.localdate()
    data = {
        "reporting_organisation": organisation.pk,
        "pupil": pupil.pk if pupil else "",
        "kind": "unauthorised",
        "reported_on": today.isoformat(),
        "absence_started_on": _iso(10),
        "hours_missed_last_4_weeks": "12",
        "reason": "Komt al twee weken niet op school",
        "parents_informed_on": _iso(2),
        "parents_informed_how": "phone",
        "consent_party": "parents",
        "consent_how": "conversation",
        "consent_stated_on": today.isoformat(),
        "guardian_relation": "parent",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def zc(world, user_with_role):
    return user_with_role(RoleCode.ZORGCOORDINATOR)


@pytest.fixture
def zc_client(zc, login):
    return login(zc)


def test_step_one_finds_the_pupil_by_bsn_and_by_name_and_date_of_birth(world, zc_client):
    pupil = enrolled_pupil(world.school, given_names="Sanne", surname="de Boer", bsn="111222333")
    other = enrolled_pupil(world.school2, given_names="Sanne", surname="Elders")
    url = reverse("cases:intake")
    by_bsn = zc_client.post(url, {"zoeken": "1", "q": pupil.bsn})  # no BSN in a URL
    assert shows(by_bsn.content.decode(), pupil.full_name)
    by_name = zc_client.get(url, {"q": "Sanne", "date_of_birth": pupil.date_of_birth.isoformat()})
    body = by_name.content.decode()
    assert shows(body, pupil.full_name) and not shows(body, other.full_name)
    assert f"?leerling={pupil.pk}" in body


@pytest.mark.parametrize("leerling", ["abc", "²", "9" * 30])
def test_a_chosen_pupil_that_is_no_id_is_404_and_a_denied_read(zc_client, leerling):
    before = AuditLogEntry.objects.count()
    response = zc_client.get(reverse("cases:intake"), {"leerling": leerling})
    assert response.status_code == 404
    assert list(AuditLogEntry.objects.order_by("id")[before:].values_list("action", flat=True)) == [
        "read_denied"
    ]


def test_happy_path_opens_a_case_in_phase_school_and_shows_the_next_deadline(
    world, zc_client, today
):
    pupil = enrolled_pupil(world.school)
    page = zc_client.get(reverse("cases:intake"), {"leerling": pupil.pk})
    assert page.status_code == 200 and shows(page.content.decode(), pupil.full_name)
    assert "consent_override_reason" not in page.content.decode()

    response = zc_client.post(reverse("cases:intake"), form_data(world.school, pupil))
    case = Case.objects.get(pupil=pupil)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert (case.phase, case.clock_start) == ("school", today - datetime.timedelta(days=10))
    report = AbsenceReport.objects.get(pupil=pupil)
    assert report.channel == "form" and report.hours_missed_last_4_weeks == 12

    detail = zc_client.get(response["Location"])
    body = detail.content.decode()
    assert "School" in body and shows(body, pupil.full_name)
    assert reverse("escalation:case_deadline", args=[case.pk]) in body
    assert AuditLogEntry.objects.filter(
        action="read", object_type="cases.case", object_id=str(case.pk)
    ).exists()

    deadline = zc_client.get(
        reverse("escalation:case_deadline", args=[case.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    due = case.clock_start + datetime.timedelta(weeks=4)
    assert "Volgende stap" in deadline and due.strftime("%d-%m-%Y") in deadline
    assert "nog 18 dagen" in deadline


def test_field_errors_keep_everything_typed_and_save_nothing(world, zc_client):
    pupil = enrolled_pupil(world.school)
    data = form_data(
        world.school,
        pupil,
        parents_informed_on=_iso(-1),  # after the report: refused by the service
        consent_share_with_swv="on",
    )
    response = zc_client.post(reverse("cases:intake"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "De ouders worden geïnformeerd vóór de melding" in body or "toekomst" in body
    assert "Komt al twee weken niet op school" in body
    assert f'value="{_iso(10)}"' in body
    assert not AbsenceReport.objects.exists()
    assert not Consent.objects.exists()  # the consent is rolled back with the report


def test_form_level_error_is_shown_on_the_field(world, zc_client):
    pupil = enrolled_pupil(world.school)
    response = zc_client.post(
        reverse("cases:intake"), form_data(world.school, pupil, absence_started_on="")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_absence_started_on_error"' in body
    assert "Komt al twee weken niet op school" in body


def test_every_error_comes_in_one_round_field_errors_and_date_rules_together(world, zc_client):
    """A missing field and broken date rules are reported together: the user does not fix
    the first error only to meet the next."""
    pupil = enrolled_pupil(world.school)
    data = form_data(
        world.school,
        pupil,
        parents_informed_how="",  # a field error
        reason="",
        absence_started_on=_iso(1),
        parents_informed_on=_iso(3),  # before the first day of absence: a date rule
        absence_ended_on=_iso(5),  # before the first day: a date rule
    )
    body = zc_client.post(reverse("cases:intake"), data).content.decode()
    assert 'id="id_parents_informed_how_error"' in body
    assert "niet vóór de eerste verzuimdag" in body
    assert "De laatste verzuimdag ligt voor de eerste." in body
    # The summary at the top links to every field with an error, and takes the focus.
    assert "data-error-summary" in body
    for field in ("parents_informed_how", "parents_informed_on", "absence_ended_on"):
        assert f'href="#id_{field}"' in body
    assert not AbsenceReport.objects.exists()


def test_a_pupil_no_longer_enrolled_is_refused_with_a_clear_message(world, zc_client):
    pupil = PupilFactory(municipality=world.m1, bsn=None)
    EnrolmentFactory(pupil=pupil, school=world.school, start=years_ago(2), end=years_ago(1))
    response = zc_client.post(reverse("cases:intake"), form_data(world.school, pupil))
    assert response.status_code == 200
    assert "niet ingeschreven op uw school" in response.content.decode()
    assert not Case.objects.exists()


def test_a_pupil_of_another_school_cannot_be_chosen(world, zc_client):
    pupil = enrolled_pupil(world.school2)
    assert zc_client.get(reverse("cases:intake"), {"leerling": pupil.pk}).status_code == 404
    response = zc_client.post(reverse("cases:intake"), form_data(world.school, pupil))
    assert response.status_code == 200
    assert not AbsenceReport.objects.exists()


def test_consent_given_now_is_recorded_and_the_sickness_report_is_shared(
    world, zc_client, user_with_role, login
):
    pupil = enrolled_pupil(world.school)  # 10 years old: the parents consent
    data = form_data(
        world.school,
        pupil,
        kind="sickness",
        consent_share_with_leerplicht="on",
        consent_share_with_swv="on",
    )
    response = zc_client.post(reverse("cases:intake"), data)
    assert response.status_code == 302
    assert set(Consent.objects.values_list("scope", "party", "status")) == {
        ("share_with_leerplicht", "parents", "given"),
        ("share_with_swv", "parents", "given"),
    }
    report = AbsenceReport.objects.get()
    assert report.shared_with_leerplicht and report.shared_with_swv
    case = Case.objects.get()
    leerplicht = login(user_with_role(RoleCode.LEERPLICHT))
    assert leerplicht.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200


def test_without_consent_a_sickness_report_stays_at_school(world, zc_client, user_with_role):
    pupil = enrolled_pupil(world.school)
    zc_client.post(reverse("cases:intake"), form_data(world.school, pupil, kind="sickness"))
    report = AbsenceReport.objects.get()
    assert not report.shared_with_leerplicht and not report.shared_with_swv


def test_a_new_pupil_is_added_enrolled_and_reported(world, zc_client):
    page = zc_client.get(reverse("cases:intake"), {"nieuw": "1"})
    assert 'name="given_names"' in page.content.decode()
    data = form_data(
        world.school,
        new_pupil="True",
        given_names="Noor",
        surname="Visser",
        date_of_birth=years_ago(9).isoformat(),
        municipality=world.m1.pk,
        enrolled_from=years_ago(1).isoformat(),
        guardian_name="Els Visser",
        guardian_relation="mother",
        guardian_phone="0612345678",
    )
    response = zc_client.post(reverse("cases:intake"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pupil = Pupil.objects.get(surname="Visser")
    assert Enrolment.objects.filter(pupil=pupil, school=world.school).exists()
    assert Guardian.objects.get(pupil=pupil).name == "Els Visser"
    assert Case.objects.get(pupil=pupil).phase == "school"


def test_a_new_pupil_with_errors_is_not_saved_and_keeps_the_input(world, zc_client):
    data = form_data(
        world.school,
        new_pupil="True",
        given_names="Noor",
        surname="Visser",
        date_of_birth=years_ago(9).isoformat(),
        municipality=world.m1.pk,
        enrolled_from=years_ago(1).isoformat(),
        guardian_name="Els Visser",
        bsn="123456789",  # fails the elfproef
    )
    response = zc_client.post(reverse("cases:intake"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_bsn_error"' in body and 'value="Noor"' in body
    assert not Pupil.objects.exists()


def test_htmx_validation_checks_without_saving(world, zc_client):
    pupil = enrolled_pupil(world.school)
    url = reverse("cases:intake_validate")
    partial = zc_client.post(
        url, {"reporting_organisation": world.school.pk, "pupil": pupil.pk, "kind": "sickness"}
    )
    body = partial.content.decode()
    assert partial.status_code == 200 and body.lstrip().startswith("<form")
    assert "id_absence_started_on_error" not in body  # not filled in yet: no error
    bad = zc_client.post(url, form_data(world.school, pupil, absence_started_on=_iso(-3)))
    assert "id_absence_started_on_error" in bad.content.decode()
    good = zc_client.post(url, form_data(world.school, pupil, consent_share_with_swv="on"))
    assert "gecontroleerd" in good.content.decode()
    assert not AbsenceReport.objects.exists() and not Consent.objects.exists()
    assert not Case.objects.exists()


def test_override_reason_only_for_roles_that_may_override(world, user_with_role, login):
    leerplicht = login(user_with_role(RoleCode.LEERPLICHT))
    pupil = PupilFactory(municipality=world.m1, bsn=None)
    page = leerplicht.get(reverse("cases:intake"), {"leerling": pupil.pk})
    assert "consent_override_reason" in page.content.decode()


def test_another_schools_coordinator_cannot_open_the_case(world, zc_client, user_with_role, login):
    pupil = enrolled_pupil(world.school)
    zc_client.post(reverse("cases:intake"), form_data(world.school, pupil))
    case = Case.objects.get()
    other = login(user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.school2))
    assert other.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert other.get(reverse("escalation:case_deadline", args=[case.pk])).status_code == 404
    assert other.get(reverse("cases:pupil_case_partial", args=[pupil.pk])).status_code == 404


def test_pupil_case_partial_shows_the_open_case_or_none(world, zc_client):
    pupil = enrolled_pupil(world.school)
    url = reverse("cases:pupil_case_partial", args=[pupil.pk])
    assert "Geen open casus" in zc_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    zc_client.post(reverse("cases:intake"), form_data(world.school, pupil))
    case = Case.objects.get()
    body = zc_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) in body and "School" in body
    assert "<html" not in body
    assert "<html" in zc_client.get(url).content.decode()


def test_roles_that_cannot_report_do_not_get_the_form(world, user_with_role, login):
    client = login(user_with_role(RoleCode.CASUSREGISSEUR))
    assert client.get(reverse("cases:intake")).status_code == 404
    assert client.post(reverse("cases:intake_validate"), {}).status_code == 404
