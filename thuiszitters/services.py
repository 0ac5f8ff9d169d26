"""Services of the core: every change to users, memberships, tokens and organisations.

Each change runs in one transaction with its audit entry (``thuiszitters.audit``).
"""

import datetime
import secrets
import socket
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .access import forget_memberships
from .audit import audit_change, snapshot
from .models import (
    ApiToken,
    AuditAction,
    Membership,
    Organisation,
    SystemHeartbeat,
    User,
)
from .models.users import hash_token
from .roles import RoleCode
from .system import Actor, acting_user

TOKEN_PREFIX = "tz_"  # noqa: S105 - a label, not a secret


def role_group(role: str) -> Group:
    """The group of a role code; roles are created by migration 0002."""
    return Group.objects.get(name=RoleCode(role).value)


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    actor: Actor,
    password: str | None = None,
    phone: str = "",
    organisation: Organisation | None = None,
) -> User:
    user = User(email=email, full_name=full_name, phone=phone)
    user.clean()
    if User.objects.filter(email__iexact=user.email).exists():
        raise ValidationError({"email": _("Er bestaat al een gebruiker met dit e-mailadres.")})
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_change(actor=actor, obj=user, action=AuditAction.CREATE, organisation=organisation)
    return user


@transaction.atomic
def user_update(*, user: User, actor: Actor, reason: str = "", **fields: Any) -> User:
    allowed = {"full_name", "phone", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Fields that cannot be changed here: {sorted(unknown)}")
    before = snapshot(user, fields)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    audit_change(actor=actor, obj=user, before=before, after=snapshot(user, fields), reason=reason)
    return user


@transaction.atomic
def membership_create(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    actor: Actor,
    job_title: str = "",
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
) -> Membership:
    membership = Membership(
        user=user,
        organisation=organisation,
        role=role_group(role),
        job_title=job_title,
        valid_from=valid_from or timezone.localdate(),
        valid_until=valid_until,
    )
    membership.full_clean()
    membership.save()
    audit_change(actor=actor, obj=membership, action=AuditAction.CREATE, organisation=organisation)
    forget_memberships(user)
    return membership


@transaction.atomic
def membership_end(
    *,
    membership: Membership,
    actor: Actor,
    on: datetime.date | None = None,
    reason: str = "",
) -> Membership:
    """End a membership (kept for history; access stops after ``on``)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    before = snapshot(membership, ["valid_until"])
    membership.valid_until = on or timezone.localdate()
    if membership.valid_until < membership.valid_from:
        raise ValidationError(
            {"valid_until": _("Een lidmaatschap kan niet eindigen voordat het begint.")}
        )
    membership.full_clean()
    membership.save(update_fields=["valid_until"])
    audit_change(
        actor=actor,
        obj=membership,
        before=before,
        after=snapshot(membership, ["valid_until"]),
        reason=reason,
        organisation=membership.organisation,
    )
    forget_memberships(membership.user)
    return membership


@transaction.atomic
def api_token_create(
    *,
    organisation: Organisation,
    name: str,
    actor: Actor,
    role: str = RoleCode.SCHOOL_SYSTEM,
) -> tuple[ApiToken, str]:
    """Make a token for a system of ``organisation``; returns the token and its key (shown once)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    service_user = user_create(
        email=f"api-{secrets.token_hex(6)}@{organisation.pk}.systeem.invalid",
        full_name=f"{name} ({organisation.name})",
        actor=actor,
        organisation=organisation,
    )
    service_user.is_service_account = True
    service_user.save(update_fields=["is_service_account"])
    membership_create(user=service_user, organisation=organisation, role=role, actor=actor)
    token = ApiToken.objects.create(
        organisation=organisation,
        user=service_user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token(raw),
        created_by=acting_user(actor),
    )
    audit_change(actor=actor, obj=token, action=AuditAction.CREATE, organisation=organisation)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor, reason: str = "") -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        before = snapshot(token, ["revoked_at"])
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        token.user.is_active = False
        token.user.save(update_fields=["is_active"])
        audit_change(
            actor=actor,
            obj=token,
            before=before,
            after=snapshot(token, ["revoked_at"]),
            reason=reason,
            organisation=token.organisation,
        )
    return token


def heartbeat_record(*, name: str = "celery") -> SystemHeartbeat:
    """Note that a background component is alive; shown by /healthz."""
    beat, _created = SystemHeartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now(), "hostname": socket.gethostname()}
    )
    return beat


@transaction.atomic
def organisation_create(*, model: type[Organisation], actor: Actor, **fields: Any) -> Organisation:
    """Create an organisation of any kind (``School``, ``Municipality``, ...); audited."""
    organisation = model(**fields)
    organisation.full_clean(exclude=["kind"])
    organisation.save()
    audit_change(
        actor=actor, obj=organisation, action=AuditAction.CREATE, organisation=organisation
    )
    return organisation
