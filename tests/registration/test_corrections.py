"""Corrections of personal data with a reason (AVG art. 16), audited by field name only
(registration/services/corrections.py)."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from registration.services.corrections import guardian_correct, pupil_correct
from thuiszitters.models import AuditAction, AuditLogEntry
from thuiszitters.roles import RoleCode

from ..factories.registration import EnrolmentFactory, GuardianFactory, PupilFactory, enrolled_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil(world):
    return enrolled_pupil(world.school, given_names="Jan", surname="Pieterse")


def _last_correction():
    return AuditLogEntry.objects.filter(action=AuditAction.UPDATE).latest("id")


def test_the_school_corrects_with_a_reason_and_only_field_names_are_audited(
    pupil, world, user_with_role
):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    pupil_correct(
        pupil=pupil,
        actor=zc,
        fields={"surname": "Pietersen", "date_of_birth": pupil.date_of_birth},
        reason="Tikfout in de achternaam",
    )
    pupil.refresh_from_db()
    assert pupil.surname == "Pietersen"
    row = _last_correction()
    assert row.changes == {"fields": ["surname"], "correction": True}
    assert row.reason == "Tikfout in de achternaam"
    assert row.organisation_id == world.school.pk
    text = json.dumps(row.changes)
    assert "Pieterse" not in text and "Pietersen" not in text


def test_a_correction_needs_a_reason(pupil, user_with_role):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    with pytest.raises(ValidationError) as exc:
        pupil_correct(pupil=pupil, actor=zc, fields={"surname": "Anders"}, reason=" ")
    assert "reason" in exc.value.message_dict
    pupil.refresh_from_db()
    assert pupil.surname == "Pieterse"


def test_only_correctable_fields_and_a_real_change(pupil, user_with_role):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    with pytest.raises(ValidationError):
        pupil_correct(pupil=pupil, actor=zc, fields={"shared_with_care_partners": True}, reason="x")
    with pytest.raises(ValidationError):
        pupil_correct(pupil=pupil, actor=zc, fields={"surname": "Pieterse"}, reason="x")


def test_an_invalid_bsn_is_refused(pupil, user_with_role):
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    with pytest.raises(ValidationError):
        pupil_correct(pupil=pupil, actor=zc, fields={"bsn": "123456789"}, reason="x")


def test_the_privacy_officer_corrects_in_the_region(pupil, world, user_with_role):
    officer = user_with_role(RoleCode.PRIVACY_OFFICER)
    pupil_correct(
        pupil=pupil,
        actor=officer,
        fields={"date_of_birth": pupil.date_of_birth - datetime.timedelta(days=1)},
        reason="AVG-2026-003",
    )
    row = _last_correction()
    assert row.changes["fields"] == ["date_of_birth"]
    assert row.region_id == world.region.pk


@pytest.mark.parametrize(
    "role",
    [
        RoleCode.LEERPLICHT,
        RoleCode.SWV_CONSULTANT,
        RoleCode.CARE_PARTNER,
        RoleCode.FUNCTIONAL_ADMIN,
        RoleCode.POLICY,
    ],
)
def test_other_roles_may_not_correct(pupil, user_with_role, role):
    with pytest.raises(PermissionDenied):
        pupil_correct(
            pupil=pupil, actor=user_with_role(role), fields={"surname": "Anders"}, reason="x"
        )


def test_no_correction_outside_the_region_or_by_a_school_that_matched(world, user_with_role):
    officer = user_with_role(RoleCode.PRIVACY_OFFICER)
    foreign = PupilFactory(municipality=world.m_b)
    with pytest.raises(PermissionDenied):
        pupil_correct(pupil=foreign, actor=officer, fields={"surname": "Anders"}, reason="x")
    known = enrolled_pupil(world.school)
    EnrolmentFactory(pupil=known, school=world.school2, matched_existing=True)
    other_school = user_with_role(RoleCode.ZORGCOORDINATOR, organisation=world.school2)
    with pytest.raises(PermissionDenied):
        pupil_correct(pupil=known, actor=other_school, fields={"surname": "Anders"}, reason="x")


def test_guardian_correction(pupil, world, user_with_role):
    own = GuardianFactory(pupil=pupil, phone="0611111111", recorded_by_organisation=world.school)
    theirs = GuardianFactory(pupil=pupil, recorded_by_organisation=world.school2)
    zc = user_with_role(RoleCode.ZORGCOORDINATOR)
    guardian_correct(guardian=own, actor=zc, fields={"phone": "0622222222"}, reason="Nieuw nummer")
    own.refresh_from_db()
    assert own.phone == "0622222222"
    row = _last_correction()
    assert row.changes == {"fields": ["phone"], "correction": True}
    assert "06" not in json.dumps(row.changes)
    with pytest.raises(PermissionDenied):
        guardian_correct(guardian=theirs, actor=zc, fields={"phone": "0633333333"}, reason="x")
    officer = user_with_role(RoleCode.PRIVACY_OFFICER)
    guardian_correct(guardian=theirs, actor=officer, fields={"name": "Nieuwe Naam"}, reason="AVG-4")
    with pytest.raises(ValidationError):
        guardian_correct(guardian=theirs, actor=officer, fields={"phone": "x"}, reason="")


# --- the form on the pupil page ----------------------------------------------------------


def _body(pupil, **overrides):
    body = {
        "given_names": pupil.given_names,
        "surname_prefix": pupil.surname_prefix,
        "surname": pupil.surname,
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "bsn": pupil.bsn or "",
        "reason": "Tikfout in de achternaam",
    }
    body.update(overrides)
    return body


def test_the_school_sees_and_uses_the_form(pupil, user_with_role, login):
    client = login(user_with_role(RoleCode.ZORGCOORDINATOR))
    page = client.get(reverse("registration:pupil_detail", args=[pupil.pk]))
    assert b"Gegevens corrigeren" in page.content
    url = reverse("registration:pupil_correct", args=[pupil.pk])
    response = client.post(url, _body(pupil, surname="Pietersen"))
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.surname == "Pietersen"
    assert _last_correction().changes["fields"] == ["surname"]


def test_the_form_without_a_reason_changes_nothing(pupil, user_with_role, login):
    client = login(user_with_role(RoleCode.ZORGCOORDINATOR))
    url = reverse("registration:pupil_correct", args=[pupil.pk])
    response = client.post(url, _body(pupil, surname="Pietersen", reason=""))
    assert response.status_code == 200
    assert b"Gegevens corrigeren" in response.content
    pupil.refresh_from_db()
    assert pupil.surname == "Pieterse"


def test_leerplicht_sees_no_form_and_is_refused(pupil, user_with_role, login):
    client = login(user_with_role(RoleCode.LEERPLICHT))
    page = client.get(reverse("registration:pupil_detail", args=[pupil.pk]))
    assert page.status_code == 200
    assert b"Gegevens corrigeren" not in page.content
    url = reverse("registration:pupil_correct", args=[pupil.pk])
    assert client.post(url, _body(pupil, surname="X")).status_code == 403
