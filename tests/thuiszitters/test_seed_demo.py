import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from thuiszitters.demo import DEMO_USERS, EMAIL_DOMAIN, demo_region_seed
from thuiszitters.models import AuditLogEntry, Membership, Organisation, School, User
from thuiszitters.roles import RoleCode

from ..factories.second_factor import log_in_fully


def _snapshot():
    return {
        "organisations": sorted(
            Organisation.objects.values_list("name", "kind", "region__name", "updated_at")
        ),
        "schools": sorted(
            School.objects.values_list(
                "brin", "vestiging", "name", "sector", "swv__code", "municipality__cbs_code"
            )
        ),
        "users": sorted(User.objects.values_list("email", "full_name", "password")),
        "memberships": sorted(
            Membership.objects.values_list(
                "user__email", "organisation__name", "role__name", "job_title"
            )
        ),
    }


def _seeded_snapshot(seed):
    with transaction.atomic():
        demo_region_seed(seed=seed, pupils=0)  # pupils: tests/cases/test_demo_pupils.py
        snap = _snapshot()
        snap.pop("users")  # password hashes are salted per run
        snap["organisations"] = [row[:3] for row in snap["organisations"]]
        transaction.set_rollback(True)
    return snap


def test_seed_is_deterministic_per_seed(db):
    assert _seeded_snapshot(7) == _seeded_snapshot(7)
    assert _seeded_snapshot(7)["schools"] != _seeded_snapshot(8)["schools"]


def test_seed_is_idempotent(db):
    first = demo_region_seed(seed=11)
    assert first.created > 0
    before, audit_rows = _snapshot(), AuditLogEntry.objects.count()
    second = demo_region_seed(seed=11)
    assert second.created == 0
    assert _snapshot() == before
    assert AuditLogEntry.objects.count() == audit_rows


def test_demo_region_has_the_promised_shape(db):
    demo_region_seed(pupils=0)  # the pupils and their cases: tests/cases/test_demo_*.py
    assert Organisation.objects.filter(kind="swv").count() == 4
    assert 4 <= Organisation.objects.filter(kind="municipality").count() <= 6
    assert 30 <= School.objects.count() <= 60
    assert Organisation.objects.filter(kind="leerplicht_bureau").count() == 1
    assert Organisation.objects.filter(kind="care_organisation").count() == 1
    roles = set(
        Membership.objects.filter(user__email__endswith=EMAIL_DOMAIN).values_list(
            "role__name", flat=True
        )
    )
    assert roles == set(RoleCode.values) - {RoleCode.SCHOOL_SYSTEM}


@pytest.mark.parametrize("local", [u[0] for u in DEMO_USERS])
def test_every_demo_login_works(client, db, settings, local):
    demo_region_seed(pupils=0)
    user = User.objects.get(email=f"{local}@{EMAIL_DOMAIN}")
    log_in_fully(client, user, settings.DEMO_PASSWORD)  # password, then the app's code
    assert client.get(reverse("home")).status_code == 200


def test_command_prints_the_logins(db, capsys):
    call_command("seed_demo", "--seed", "5")
    out = capsys.readouterr().out
    assert "directeur.po@demo.test" in out and "swv_director" in out
