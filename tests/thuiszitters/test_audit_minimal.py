"""A minimal audit log (ADR 0017): no row holds personal data in clear; changed values are
named and proven by a keyed hash."""

import hashlib
import hmac
import json

from django.db import transaction
from django.test import override_settings

from cases.models import Case
from cases.services.casefile import case_details_update, case_journal_add
from registration.models import Guardian, Pupil
from registration.services.pupils import GuardianInput, guardian_add
from thuiszitters.audit import (
    AUDIT_CLEAR_FIELDS,
    audit_change,
    audit_hash,
    audit_hash_key,
    audit_hash_matches,
    minimise_changes,
)
from thuiszitters.demo import demo_region_seed
from thuiszitters.models import AuditLogEntry, User
from thuiszitters.system import DEMO

from ..factories.registration import PupilFactory

# --- the keyed hash ---------------------------------------------------------------------


def test_the_same_value_gives_the_same_hash_and_another_value_another():
    assert audit_hash("123456782") == audit_hash("123456782")
    assert audit_hash("123456782") != audit_hash("123456783")
    assert audit_hash("123456782").startswith("hmac:")


def test_the_hash_is_an_hmac_sha256_under_the_audit_key_and_verifiable_with_it():
    hashed = audit_hash("Jansen")
    expected = hmac.new(audit_hash_key(), b"Jansen", hashlib.sha256).hexdigest()
    assert hashed == f"hmac:{expected}"
    assert audit_hash_matches("Jansen", hashed)
    assert not audit_hash_matches("Janssen", hashed)


def test_the_hash_holds_no_value_and_another_key_gives_another_hash():
    hashed = audit_hash("123456782")
    assert "123456782" not in hashed
    # A plain (unkeyed) SHA-256 of a BSN can be found by trying all of them; this cannot.
    assert hashed.removeprefix("hmac:") != hashlib.sha256(b"123456782").hexdigest()
    assert audit_hash("123456782", key=b"another key") != hashed
    assert not audit_hash_matches("123456782", hashed, key=b"another key")


def test_the_key_comes_from_the_setting_else_from_the_secret_key():
    with override_settings(AUDIT_HASH_KEY="k" * 40):
        assert audit_hash_key() == b"k" * 40
        first = audit_hash("x")
    with override_settings(AUDIT_HASH_KEY=""):
        derived = audit_hash_key()
        assert derived not in (b"", b"k" * 40) and audit_hash("x") != first


# --- what a change row keeps --------------------------------------------------------------


def test_a_change_keeps_field_names_clear_codes_and_hashes_of_the_rest():
    changes = minimise_changes(
        "cases.case",
        {
            "before": {"phase": "school", "parents_wishes": ""},
            "after": {"phase": "swv", "parents_wishes": "Anna wil naar huis"},
        },
    )
    assert changes == {
        "fields": ["parents_wishes", "phase"],
        "before": {"phase": "school"},
        "after": {"phase": "swv"},
        "hashes": {"parents_wishes": audit_hash("Anna wil naar huis")},
    }


def test_an_unknown_model_shows_no_value_and_secrets_not_even_a_hash():
    assert "core.unknownmodel" not in AUDIT_CLEAR_FIELDS
    changes = minimise_changes(
        "core.unknownmodel", {"before": {}, "after": {"name": "Piet", "password": "geheim"}}
    )
    assert changes == {"fields": ["name"], "hashes": {"name": audit_hash("Piet")}}


def test_a_new_pupil_is_audited_without_its_name_bsn_or_birth_date(db):
    pupil = PupilFactory(given_names="Fleur", surname="Verborgen", bsn="123456782")
    with transaction.atomic():
        entry = audit_change(actor=DEMO, obj=pupil, action="create")
    text = json.dumps(entry.changes)
    for value in ("Fleur", "Verborgen", "123456782", pupil.date_of_birth.isoformat()):
        assert value not in text
    assert {"given_names", "surname", "bsn", "date_of_birth"} <= set(entry.changes["fields"])
    assert audit_hash_matches("123456782", entry.changes["hashes"]["bsn"])
    assert entry.changes["after"]["municipality"] == pupil.municipality_id


# --- after the demo and edits, not one name, BSN, birth date or phone number -------------


def _audit_text() -> str:
    rows = AuditLogEntry.objects.values_list(
        "actor_email",
        "system_actor",
        "action",
        "object_type",
        "object_id",
        "request_id",
        "reason",
        "changes",
    )
    return "\n".join(
        " ".join(json.dumps(v) if isinstance(v, dict | list) else str(v) for v in row)
        for row in rows
    )


def test_no_audit_row_holds_personal_data_of_the_demo_after_seeding_and_edits(db):
    demo_region_seed(pupils=60)
    user = User.objects.filter(is_active=True, is_service_account=False).order_by("id").first()
    cases = list(Case.objects.open().select_related("pupil").order_by("id")[:5])
    assert cases, "the demo has open cases"
    for case in cases:
        pupil = case.pupil
        name = f"{pupil.given_names} {pupil.surname}"
        case_details_update(
            case=case,
            actor=DEMO,
            reason=f"Gesprek met {name}",
            parents_wishes=f"Ouders van {name} willen een andere school",
            pupil_wishes=f"{pupil.given_names} wil weer naar school",
        )
        case_journal_add(case=case, actor=DEMO, text=f"Gebeld met {name}, geboren {pupil.bsn}")
        with transaction.atomic():
            guardian_add(
                actor=user,
                pupil=pupil,
                data=GuardianInput(
                    name=f"Ouder {pupil.surname}",
                    relation="father",
                    phone="0687654321",
                    email=f"ouder.{pupil.pk}@example.org",
                ),
                organisation=None,
            )
    text = _audit_text()
    assert AuditLogEntry.objects.count() > 100  # the demo writes through audited services
    pupils = list(Pupil.objects.all())
    assert len(pupils) >= 60
    for pupil in pupils:
        for value in (
            pupil.bsn,
            f"{pupil.given_names} {pupil.surname}",
            f"{pupil.given_names} {pupil.surname_prefix} {pupil.surname}".replace("  ", " "),
            pupil.date_of_birth.isoformat(),
        ):
            if value:
                assert value not in text, f"{value!r} found in the audit log"
    for guardian in Guardian.objects.all():
        for value in (guardian.phone, guardian.email, guardian.name):
            if value and len(value) > 4:
                assert value not in text, f"{value!r} found in the audit log"
