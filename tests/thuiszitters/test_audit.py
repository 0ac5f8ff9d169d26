"""The append-only audit log: one entry per personal-data read and per change."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from thuiszitters.audit import audit_change, audit_hash, audit_record
from thuiszitters.models import (
    AuditAction,
    AuditBypassError,
    AuditLogEntry,
    Membership,
    Organisation,
    User,
)
from thuiszitters.roles import RoleCode
from thuiszitters.services import membership_create, membership_end, user_update

from ..factories.users import SETUP, UserFactory


def test_user_detail_read_writes_one_entry_with_request_context(world, user_with_role, login):
    director = user_with_role(RoleCode.SWV_DIRECTOR)
    colleague = user_with_role(RoleCode.SWV_CONSULTANT)
    client = login(director)
    before = AuditLogEntry.objects.count()
    response = client.get(
        reverse("user-detail", args=[colleague.pk]), HTTP_X_REQUEST_ID="req-12345678"
    )
    assert response.status_code == 200
    entries = AuditLogEntry.objects.all()[: AuditLogEntry.objects.count() - before]
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.actor_id, entry.action, entry.object_type, entry.object_id) == (
        director.pk,
        AuditAction.READ,
        "core.user",
        str(colleague.pk),
    )
    assert entry.request_id == "req-12345678" == response["X-Request-ID"]
    assert entry.client_address == "127.0.0.1"
    assert entry.region_id == world.region.pk


def test_denied_read_is_not_logged_as_a_read(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    stranger = user_with_role(RoleCode.SWV_DIRECTOR, organisation=world.far_swv)
    before = AuditLogEntry.objects.filter(action=AuditAction.READ).count()
    assert client.get(reverse("user-detail", args=[stranger.pk])).status_code == 404
    assert AuditLogEntry.objects.filter(action=AuditAction.READ).count() == before


def test_change_records_before_after_and_reason(world):
    actor = UserFactory()
    user = UserFactory(full_name="Oude Naam")
    user_update(user=user, actor=actor, full_name="Nieuwe Naam", reason="naamswijziging")
    entry = AuditLogEntry.objects.filter(object_type="core.user", object_id=str(user.pk)).first()
    assert entry.action == AuditAction.UPDATE
    assert entry.changes == {
        "fields": ["full_name"],
        "hashes": {"full_name": audit_hash("Nieuwe Naam")},
    }
    assert "Naam" not in str(entry.changes)
    assert entry.reason == "naamswijziging"
    assert entry.actor_id == actor.pk


def test_membership_changes_are_audited_with_organisation(world):
    user = UserFactory()
    membership = membership_create(
        user=user, organisation=world.swv, role=RoleCode.SWV_CONSULTANT, actor=SETUP
    )
    created = AuditLogEntry.objects.get(
        object_type="core.membership", object_id=str(membership.pk), action=AuditAction.CREATE
    )
    assert created.organisation_id == world.swv.pk
    assert created.changes["after"]["organisation"] == world.swv.pk
    membership_end(
        membership=membership, actor=user, on=datetime.date(2030, 1, 1), reason="vertrek"
    )
    ended = AuditLogEntry.objects.get(
        object_type="core.membership", object_id=str(membership.pk), action=AuditAction.UPDATE
    )
    assert ended.changes == {
        "fields": ["valid_until"],
        "before": {"valid_until": None},
        "after": {"valid_until": "2030-01-01"},
    }


def test_audit_entry_and_change_share_one_transaction(world):
    user = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        membership_create(
            user=user, organisation=world.swv, role=RoleCode.SWV_CONSULTANT, actor=SETUP
        )
        raise RuntimeError("the caller fails after the change")
    assert not Membership.objects.filter(user=user).exists()
    assert not AuditLogEntry.objects.filter(object_type="core.membership").exists()


def test_change_outside_a_transaction_is_refused(world):
    user = UserFactory()
    # pytest-django wraps tests in a transaction; leave it to see the guard.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("thuiszitters.audit.connection", SimpleNamespace(in_atomic_block=False))
        with pytest.raises(RuntimeError):
            audit_change(actor=SETUP, obj=user, action=AuditAction.UPDATE, before={}, after={})


def test_secrets_never_reach_the_log(world):
    user = UserFactory()
    with transaction.atomic():
        entry = audit_change(actor=SETUP, obj=user, action=AuditAction.CREATE)
    assert "password" not in entry.changes["after"]


@pytest.mark.parametrize("model", [User, Membership, Organisation, AuditLogEntry])
def test_bulk_writes_on_audited_models_are_blocked(world, model):
    with pytest.raises(AuditBypassError):
        model.objects.all().update(is_active=False)
    with pytest.raises(AuditBypassError):
        model.objects.all().delete()
    with pytest.raises(AuditBypassError):
        model.objects.bulk_update(list(model.objects.all()[:1]), ["pk"])


def test_the_one_bulk_update_takes_its_audit_entries_in_the_same_transaction(world):
    from thuiszitters.audit import audit_entry

    users = User.objects.filter(pk=UserFactory().pk)
    with pytest.raises(AuditBypassError), transaction.atomic():
        users.update_audited([], full_name="X")
    entry = audit_entry(
        action=AuditAction.UPDATE,
        object_type="core.user",
        object_id=users.get().pk,
        changes={"after": {"full_name": "X"}},
        reason="batch",
        region_id=None,
        actor=SETUP,
    )
    with transaction.atomic():
        assert users.update_audited([entry], full_name="X") == 1
    assert users.get().full_name == "X"
    assert AuditLogEntry.objects.filter(reason="batch", object_id=str(users.get().pk)).exists()


def test_audit_rows_cannot_be_changed_or_deleted_through_the_model(world):
    with transaction.atomic():
        entry = audit_record(actor=SETUP, action=AuditAction.CREATE, object_type="x", object_id=1)
    entry.reason = "tampered"
    with pytest.raises(AuditBypassError):
        entry.save()
    with pytest.raises(AuditBypassError):
        entry.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL only")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditlogentry SET reason = 'tampered'",
        "DELETE FROM core_auditlogentry",
    ],
)
def test_postgresql_refuses_update_and_delete(world, sql):
    with transaction.atomic():
        audit_record(actor=SETUP, action=AuditAction.CREATE, object_type="x", object_id=1)
    with (
        pytest.raises((DatabaseError, IntegrityError)) as excinfo,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert "append-only" in str(excinfo.value)
    assert AuditLogEntry.objects.filter(reason="tampered").count() == 0


def test_login_and_failed_login_are_logged(world, client, user_with_role, password):
    user = user_with_role(RoleCode.LEERPLICHT)
    client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    failed = AuditLogEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor_email == user.email and failed.outcome == "denied"
    response = client.post(reverse("login"), {"username": user.email.upper(), "password": password})
    assert response.status_code == 302
    assert AuditLogEntry.objects.filter(action=AuditAction.LOGIN, actor=user).count() == 1


def test_functional_admin_browses_and_filters_own_region(world, user_with_role, login):
    admin = user_with_role(RoleCode.FUNCTIONAL_ADMIN)
    user_with_role(RoleCode.SWV_DIRECTOR)  # a change in region A
    user_with_role(RoleCode.SWV_DIRECTOR, organisation=world.far_swv)  # region B
    client = login(admin)
    response = client.get(reverse("audit_log"), {"action": "create"})
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert rows and all(r.region_id == world.region.pk for r in rows)
    assert all(r.action == "create" for r in rows)
    assert str(world.far_swv.pk) not in {r.organisation_id and str(r.organisation_id) for r in rows}
    partial = client.get(reverse("audit_log"), {"action": "create"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert b"<html" not in partial.content


def test_audit_log_filter_rejects_reversed_dates(world, user_with_role, login):
    client = login(user_with_role(RoleCode.FUNCTIONAL_ADMIN))
    response = client.get(reverse("audit_log"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert response.status_code == 200
    assert "until" in response.context["form"].errors


@pytest.mark.parametrize("role", [RoleCode.SWV_DIRECTOR, RoleCode.LEERPLICHT, RoleCode.POLICY])
def test_audit_log_is_for_functional_admins_only(world, user_with_role, login, role):
    client = login(user_with_role(role))
    assert client.get(reverse("audit_log")).status_code == 404
    assert client.get(reverse("auditlogentry-list")).status_code == 403


def test_failed_login_of_a_known_account_is_visible_to_its_region(world, client, user_with_role):
    user = user_with_role(RoleCode.LEERPLICHT)
    client.post(reverse("login"), {"username": user.email, "password": "wrong"})
    entry = AuditLogEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.region_id == world.region.pk


def test_a_forwarded_address_that_is_not_an_ip_is_not_recorded(world, client, settings):
    settings.NUM_PROXIES = 1
    client.post(
        reverse("login"),
        {"username": "x@example.test", "password": "y"},
        HTTP_X_FORWARDED_FOR="203.0.113.9:5555",
    )
    assert AuditLogEntry.objects.get(action=AuditAction.LOGIN_FAILED).client_address is None
    client.post(
        reverse("login"),
        {"username": "x@example.test", "password": "y"},
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
    )
    assert AuditLogEntry.objects.filter(client_address="203.0.113.9").exists()
