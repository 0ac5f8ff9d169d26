"""The technical administration audits what it changes, inline rows included."""

import datetime

from django.urls import reverse

from registration.models import Guardian
from thuiszitters.audit import audit_hash
from thuiszitters.models import AuditLogEntry

from ..factories.registration import PupilFactory


def test_admin_change_with_an_inline_row_is_audited(admin_client, world):
    """...and leaves the dates that cases copy (ADR 0024) to the correction page."""
    pupil = PupilFactory(municipality=world.m1, surname="Oud")
    born = pupil.date_of_birth
    url = reverse("admin:registration_pupil_change", args=[pupil.pk])
    data = {
        "given_names": pupil.given_names,
        "surname_prefix": "",
        "surname": "Nieuw",
        "date_of_birth": (born - datetime.timedelta(days=1)).isoformat(),
        "municipality": world.m1.pk,
        "bsn": pupil.bsn,
        "startkwalificatie_on": "2026-06-30",
        "guardians-TOTAL_FORMS": "1",
        "guardians-INITIAL_FORMS": "0",
        "guardians-0-name": "Ouder Een",
        "guardians-0-relation": "mother",
        "guardians-0-has_parental_authority": "on",
        "guardians-0-phone": "",
        "guardians-0-email": "",
        "enrolments-TOTAL_FORMS": "0",
        "enrolments-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    guardian = Guardian.objects.get(pupil=pupil)
    pupil.refresh_from_db()
    assert (pupil.surname, pupil.date_of_birth, pupil.startkwalificatie_on) == ("Nieuw", born, None)
    pupil_entry = AuditLogEntry.objects.get(object_type="registration.pupil", action="update")
    assert pupil_entry.changes == {
        "fields": ["surname"],
        "hashes": {"surname": audit_hash("Nieuw")},
    }
    assert AuditLogEntry.objects.filter(
        object_type="registration.guardian", object_id=str(guardian.pk), action="create"
    ).exists()


def test_admin_reads_of_personal_data_are_audited(admin_client, world):
    pupils = [PupilFactory(municipality=world.m1) for _ in range(3)]
    before = AuditLogEntry.objects.count()
    assert admin_client.get(reverse("admin:registration_pupil_changelist")).status_code == 200
    listed = AuditLogEntry.objects.order_by("id")[before:]
    assert [(e.action, e.object_type) for e in listed] == [("read", "registration.pupil")]
    assert sorted(listed[0].changes["ids"]) == sorted(str(p.pk) for p in pupils)
    assert pupils[0].surname not in str(listed[0].changes)

    before = AuditLogEntry.objects.count()
    url = reverse("admin:registration_pupil_change", args=[pupils[0].pk])
    assert admin_client.get(url).status_code == 200
    shown = AuditLogEntry.objects.order_by("id")[before:]
    assert [(e.action, e.object_id) for e in shown] == [("read", str(pupils[0].pk))]

    before = AuditLogEntry.objects.count()
    admin_client.get(reverse("admin:registration_pupil_change", args=[999999]))
    refused = AuditLogEntry.objects.order_by("id")[before:]
    assert [(e.action, e.outcome) for e in refused] == [("read_denied", "denied")]
