"""Explicit system actors (``thuiszitters.system``): a service called with ``actor=None``
is refused and writes nothing; the system is named in the audit log and holds no
capability, so it passes only where a service lets it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from cases.services import case_lead_change, case_reopen, case_transition, goal_add
from cases.workflow import Phase
from escalation.services.policy import policy_version_create
from registration.services import consent_record
from thuiszitters.access import has_capability
from thuiszitters.audit import audit_record
from thuiszitters.models import AuditAction, AuditLogEntry, Membership, User
from thuiszitters.roles import Capability, RoleCode
from thuiszitters.services import api_token_create, membership_create, user_create
from thuiszitters.system import COMMAND, DEMO, SWEEP

from ..factories.cases import CaseFactory
from ..factories.registration import PupilFactory
from ..factories.users import UserFactory

SERVICES = {
    "user_create": lambda w: user_create(email="x@example.test", full_name="X", actor=None),
    "membership_create": lambda w: membership_create(
        user=UserFactory(), organisation=w.swv, role=RoleCode.SWV_CONSULTANT, actor=None
    ),
    "api_token_create": lambda w: api_token_create(organisation=w.school, name="LAS", actor=None),
    "case_transition": lambda w: case_transition(
        case=CaseFactory(school=w.school), to_phase=Phase.CASUSREGISSEUR, actor=None, via="timer"
    ),
    "case_lead_change": lambda w: case_lead_change(
        case=CaseFactory(school=w.school), organisation=w.bureau, actor=None, reason="x"
    ),
    "goal_add": lambda w: goal_add(case=CaseFactory(school=w.school), actor=None, description="x"),
    "policy_version_create": lambda w: policy_version_create(swv=w.swv, actor=None),
    "consent_record": lambda w: consent_record(
        actor=None,
        pupil=PupilFactory(municipality=w.m1, bsn=None),
        scope="share_with_swv",
        status="given",
        party="parents",
        stated_on=w.today,
        how="conversation",
    ),
}


@pytest.mark.parametrize("name", SERVICES)
def test_a_service_called_with_actor_none_is_refused(world, name, today):
    world.today = today
    audit_before = AuditLogEntry.objects.count()
    users_before = User.objects.count()
    with pytest.raises((TypeError, PermissionDenied)), transaction.atomic():
        SERVICES[name](world)
    assert AuditLogEntry.objects.count() == audit_before
    assert User.objects.filter(email="x@example.test").count() == 0
    assert User.objects.count() == users_before


def test_audit_rows_name_the_system_that_acted(world):
    with transaction.atomic():
        user = user_create(email="c@example.test", full_name="C", actor=COMMAND)
        membership_create(
            user=user, organisation=world.swv, role=RoleCode.SWV_CONSULTANT, actor=DEMO
        )
    rows = AuditLogEntry.objects.filter(object_type__in=("core.user", "core.membership"))
    assert sorted(rows.values_list("object_type", "system_actor", "actor", "actor_email")) == [
        ("core.membership", "demo", None, ""),
        ("core.user", "command", None, ""),
    ]
    assert Membership.objects.filter(user=user).exists()
    with pytest.raises(TypeError), transaction.atomic():
        audit_record(actor=None, action=AuditAction.CREATE, object_type="x", object_id=1)


def test_the_system_holds_no_capability_and_passes_only_where_a_service_lets_it(world):
    assert not any(has_capability(SWEEP, c) for c in Capability.values)
    case = CaseFactory(school=world.school)
    moved = case_transition(case=case, to_phase=Phase.CASUSREGISSEUR, actor=SWEEP, via="timer")
    assert moved.phase == Phase.CASUSREGISSEUR
    assert moved.events.get(kind="phase_changed").actor is None
    closed = CaseFactory(school=world.school, phase=Phase.CLOSED)
    with pytest.raises(PermissionDenied):
        case_reopen(case=closed, actor=SWEEP, reason="Alleen een casusregisseur")
