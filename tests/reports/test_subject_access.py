"""The access request (AVG art. 15): ``subject_access_export`` and the privacy officer's pages
(reports/services/subject_access.py, reports/views/subject_access.py)."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cases.models import (
    Action,
    AftercareCheckIn,
    Arrangement,
    CaseEvent,
    Decision,
    Goal,
    Meeting,
    Participant,
)
from escalation.models import CaseDeadline, DoorbraakAssessment, Escalation, OmReferral
from registration.models import Exemption
from reports.services.subject_access import subject_access_export, subject_access_pdf
from thuiszitters.audit import audit_list, audit_read
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory, consent_give
from ..factories.escalation import NotificationFactory
from ..factories.registration import GuardianFactory, PupilFactory
from ..factories.users import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world, user_with_role):
    return user_with_role(RoleCode.PRIVACY_OFFICER)


@pytest.fixture
def seeded(world, today, now, user_with_role):
    """A pupil of region A with something of every kind, and a zorgcoördinator who read it."""
    worker = user_with_role(RoleCode.CASUSREGISSEUR, full_name="Carla Casus")
    case = CaseFactory(phase="doorbraakteam", school=world.school, lead_user=worker)
    pupil = case.pupil
    pupil.given_names, pupil.surname = "Lotte", "Zonneveld"
    pupil.save(update_fields=["given_names", "surname"])
    GuardianFactory(pupil=pupil, name="Marijke Zonneveld", phone="0612345678")
    Exemption.objects.create(pupil=pupil, kind="5a", start=today - datetime.timedelta(days=400))
    consent_give(pupil, "share_with_care_partners", "parents")
    Participant.objects.create(
        case=case, user=worker, organisation=world.swv, role="casusregisseur"
    )
    goal = Goal.objects.create(case=case, description="Twee ochtenden per week naar school")
    Action.objects.create(
        case=case,
        goal=goal,
        description="Gesprek met de jeugdarts plannen",
        owner_user=worker,
        due_on=today,
    )
    meeting = Meeting.objects.create(
        case=case, kind="mdo", held_on=today, notes="Verslag van het MDO", created_by=worker
    )
    Decision.objects.create(meeting=meeting, text="Besluit: proefplaatsing")
    Arrangement.objects.create(
        case=case,
        kind="variawet",
        start_on=today,
        share_percent=40,
        cost_total=Decimal("1200.00"),
        created_by=worker,
    )
    AftercareCheckIn.objects.create(case=case, due_on=today + datetime.timedelta(days=90))
    CaseEvent.objects.create(case=case, actor=worker, kind="note", message="Aantekening XYZ")
    CaseDeadline.objects.create(
        case=case,
        phase=case.phase,
        clock_start=case.clock_start,
        step="arbitration",
        due_on=today + datetime.timedelta(days=20),
        three_months_on=case.clock_start + datetime.timedelta(days=91),
    )
    Escalation.objects.create(
        case=case, step="doorbraakteam", trigger="timer", reason="Termijn verstreken"
    )
    DoorbraakAssessment.objects.create(
        case=case,
        offer_within_four_weeks=False,
        explanation="Geen plek beschikbaar",
        answered_by=worker,
    )
    OmReferral.objects.create(
        case=case, route="civil", referred_on=today, reason="Geen medewerking", created_by=worker
    )
    NotificationFactory(user=worker, case=case)
    reader = user_with_role(RoleCode.ZORGCOORDINATOR, user=UserFactory(email="lezer@school-a.test"))
    audit_read(actor=reader, obj=pupil, organisation=world.school)
    return pupil


def test_export_holds_every_kind_of_data(seeded, officer):
    export = subject_access_export(pupil=seeded, actor=officer, reason="AVG-2026-001")
    data = json.loads(export.json_bytes())
    assert data["format"] == "thuiszitters.subject_access/1"
    assert data["pupil"]["surname"] == "Zonneveld"
    assert data["pupil"]["bsn"] == seeded.bsn
    assert data["guardians"][0]["phone"] == "0612345678"
    assert data["enrolments"][0]["school"] == "School A1"
    assert data["exemptions"][0]["kind"]["code"] == "5a"
    assert data["absence_reports"][0]["kind"]["label"] == "Ongeoorloofd (relatief) verzuim"
    assert data["consents"][0]["status"]["code"] == "given"
    (case,) = data["cases"]
    assert case["phase"]["code"] == "doorbraakteam"
    assert [e["message"] for e in case["journal"] if e["message"]] == ["Aantekening XYZ"]
    assert case["participants"][0]["user"].startswith("Carla Casus")
    assert case["goals"][0]["description"] == "Twee ochtenden per week naar school"
    assert case["actions"][0]["description"] == "Gesprek met de jeugdarts plannen"
    assert case["meetings"][0]["decisions"] == ["Besluit: proefplaatsing"]
    assert case["arrangements"][0]["cost_total"] == "1200.00"
    assert len(case["aftercare"]) == 1
    assert len(case["lead_history"]) == 2
    assert case["deadline"]["step"]["code"] == "arbitration"
    assert case["escalations"][0]["reason"] == "Termijn verstreken"
    assert case["assessments"][0]["explanation"] == "Geen plek beschikbaar"
    assert case["om_referrals"][0]["reason"] == "Geen medewerking"
    assert len(case["notifications"]) == 1
    readers = [row["actor"] for row in data["access_log"] if row["action"]["code"] == "read"]
    assert "lezer@school-a.test" in readers


def test_export_holds_no_other_pupil(seeded, officer, world):
    other = CaseFactory(school=world.school)
    other.pupil.surname = "Anderman"
    other.pupil.save(update_fields=["surname"])
    GuardianFactory(pupil=other.pupil, name="Vreemde Ouder", phone="0699999999")
    content = subject_access_export(pupil=seeded, actor=officer, reason="AVG-1").json_bytes()
    for secret in ("Anderman", "Vreemde Ouder", "0699999999", other.pupil.bsn):
        assert secret.encode() not in content


def test_export_writes_one_audit_row_without_personal_data(seeded, officer, world):
    before = AuditLogEntry.objects.filter(action=AuditAction.EXPORT).count()
    subject_access_export(pupil=seeded, actor=officer, reason="AVG-2026-002", output="pdf")
    rows = AuditLogEntry.objects.filter(action=AuditAction.EXPORT)
    assert rows.count() == before + 1
    row = rows.latest("id")
    assert (row.object_type, row.object_id) == ("registration.pupil", str(seeded.pk))
    assert row.reason == "AVG-2026-002"
    assert row.region_id == world.region.pk
    assert row.actor_id == officer.pk
    text = json.dumps(row.changes) + row.reason
    for secret in ("Lotte", "Zonneveld", seeded.bsn, "0612345678"):
        assert secret not in text


def test_export_needs_a_reference(seeded, officer):
    with pytest.raises(ValidationError):
        subject_access_export(pupil=seeded, actor=officer, reason="  ")


@pytest.mark.parametrize(
    "role", [r for r in RoleCode.values if r not in (RoleCode.PRIVACY_OFFICER,)]
)
def test_export_refused_to_other_roles(seeded, user_with_role, role):
    with pytest.raises(PermissionDenied):
        subject_access_export(pupil=seeded, actor=user_with_role(role), reason="AVG-1")


def test_export_refused_outside_the_region(world, officer):
    foreign = PupilFactory(municipality=world.m_b)
    with pytest.raises(PermissionDenied):
        subject_access_export(pupil=foreign, actor=officer, reason="AVG-1")


def test_officer_of_region_b_sees_no_pupil_of_region_a(seeded, user_with_role, world):
    officer_b = user_with_role(RoleCode.PRIVACY_OFFICER, organisation=world.region_b)
    with pytest.raises(PermissionDenied):
        subject_access_export(pupil=seeded, actor=officer_b, reason="AVG-1")


def test_the_pdf_renders_for_the_parents(seeded, officer):
    export = subject_access_export(pupil=seeded, actor=officer, reason="AVG-3", output="pdf")
    reader = PdfReader(io.BytesIO(subject_access_pdf(export)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Lotte Zonneveld" in text
    for heading in (
        "Inzage in persoonsgegevens",
        "Ouders en verzorgers",
        "Inschrijvingen",
        "Verzuimmeldingen",
        "Toestemmingen",
        "Casussen",
        "Journaal",
        "Wie heeft de gegevens ingezien of gewijzigd",
    ):
        assert heading in text, heading
    assert "lezer@school-a.test" in text


# --- pages -------------------------------------------------------------------------------


def test_search_page_refused_to_everyone_else(world, user_with_role, login):
    for role in (RoleCode.FUNCTIONAL_ADMIN, RoleCode.ZORGCOORDINATOR, RoleCode.LEERPLICHT):
        client = login(user_with_role(role))
        assert client.get(reverse("subject_access:search")).status_code == 403
        response = client.post(reverse("subject_access:search"), {"reference": "x", "bsn": "1"})
        assert response.status_code == 403


def test_search_by_bsn_is_a_post_and_audited_without_the_bsn(seeded, officer, login):
    client = login(officer)
    assert client.get(reverse("subject_access:search")).status_code == 200
    response = client.post(
        reverse("subject_access:search"), {"reference": "AVG-9", "bsn": seeded.bsn}
    )
    assert response.status_code == 200
    assert b"Lotte Zonneveld" in response.content
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    row = AuditLogEntry.objects.filter(reason="AVG-9").get()
    assert row.changes["ids"] == [str(seeded.pk)]
    assert seeded.bsn not in json.dumps(row.changes)


def test_search_by_surname_and_date_of_birth(seeded, officer, login):
    client = login(officer)
    response = client.post(
        reverse("subject_access:search"),
        {
            "reference": "AVG-10",
            "surname": "zonneveld",
            "date_of_birth": seeded.date_of_birth.isoformat(),
        },
    )
    assert b"Lotte Zonneveld" in response.content


def test_search_finds_no_pupil_of_another_region(world, officer, login):
    foreign = PupilFactory(municipality=world.m_b, surname="Buitenland")
    response = login(officer).post(
        reverse("subject_access:search"), {"reference": "AVG-11", "bsn": foreign.bsn}
    )
    assert response.status_code == 200
    assert b"Buitenland" not in response.content


def test_download_json_and_pdf(seeded, officer, login):
    client = login(officer)
    response = client.post(
        reverse("subject_access:json", args=[seeded.pk]), {"reference": "AVG-12"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["pupil"]["surname"] == "Zonneveld"
    response = client.post(reverse("subject_access:pdf", args=[seeded.pk]), {"reference": "AVG-12"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert AuditLogEntry.objects.filter(action=AuditAction.EXPORT, reason="AVG-12").count() == 2


def test_download_needs_a_reference_and_is_refused_outside(seeded, world, officer, login):
    client = login(officer)
    url = reverse("subject_access:json", args=[seeded.pk])
    assert client.post(url, {"reference": ""}).status_code == 400
    assert client.get(url).status_code == 405
    foreign = PupilFactory(municipality=world.m_b)
    url = reverse("subject_access:json", args=[foreign.pk])
    assert client.post(url, {"reference": "AVG-13"}).status_code == 404
    other = login(UserFactory())
    assert other.post(url, {"reference": "AVG-13"}).status_code == 403


def test_list_reads_that_showed_the_pupil_are_in_the_access_log(seeded, officer, world):
    lister = UserFactory(email="lijst@school-a.test")
    other = UserFactory(email="andere-lijst@school-a.test")
    audit_list(actor=lister, object_type="registration.pupil", ids=[seeded.pk, 10**6])
    audit_list(actor=other, object_type="registration.pupil", ids=[seeded.pk * 10 + 1])
    case = seeded.cases.get()
    audit_list(actor=other, object_type="cases.case", ids=[case.pk * 100 + 7])
    export = subject_access_export(pupil=seeded, actor=officer, reason="AVG-14")
    actors = {row["actor"] for row in export.data["access_log"]}
    assert "lijst@school-a.test" in actors
    assert "andere-lijst@school-a.test" not in actors


def test_a_closed_case_and_a_later_one_in_time_order(world, officer, frozen_clock):
    first = CaseFactory(phase="closed", school=world.school)
    pupil = first.pupil
    earlier = UserFactory(email="eerder@school-a.test")
    audit_read(actor=earlier, obj=pupil, organisation=world.school)
    frozen_clock.shift(datetime.timedelta(days=400))
    CaseFactory(school=world.school, pupil=pupil)
    later = UserFactory(email="later@school-a.test")
    audit_read(actor=later, obj=pupil, organisation=world.school)
    export = subject_access_export(pupil=pupil, actor=officer, reason="AVG-15")
    data = export.data
    assert data["generated_at"].startswith("2027-04-22")
    closed, open_ = data["cases"]
    assert closed["closed_at"] is not None and closed["retention_until"] is not None
    assert open_["closed_at"] is None
    assert closed["opened_at"] < open_["opened_at"]
    reads = [r["actor"] for r in data["access_log"] if r["action"]["code"] == "read"]
    assert reads == [earlier.email, later.email]


def test_the_officer_corrects_a_pupil_of_the_region(seeded, world, officer, login):
    client = login(officer)
    url = reverse("subject_access:correct", args=[seeded.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Lotte Zonneveld" in page.content
    body = {
        "given_names": "Lotte",
        "surname": "Zonneveld-Bos",
        "date_of_birth": seeded.date_of_birth.isoformat(),
        "bsn": seeded.bsn[:3] + " " + seeded.bsn[3:],
        "reason": "AVG-2026-020",
    }
    assert client.post(url, {**body, "reason": ""}).status_code == 200
    assert client.post(url, body).status_code == 302
    seeded.refresh_from_db()
    assert seeded.surname == "Zonneveld-Bos"
    row = AuditLogEntry.objects.filter(reason="AVG-2026-020").get()
    assert row.changes == {"fields": ["surname"], "correction": True}
    foreign = PupilFactory(municipality=world.m_b)
    assert client.get(reverse("subject_access:correct", args=[foreign.pk])).status_code == 404
