"""The one helper that writes the audit log.

Services call ``audit_change`` inside the transaction of the change; detail views and API
retrieve actions call ``audit_read`` for every read of personal data. Request id and client
address come from the request context set by ``RequestContextMiddleware``.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from .models import AuditAction, AuditLogEntry, AuditOutcome, Organisation
from .request_context import current_request_context
from .system import Actor, SystemActor, acting_user, is_system

# Never copied into the audit log, even when a service lists them.
SECRET_FIELDS = frozenset({"password", "key_hash"})
CHANGE_ACTIONS = frozenset({AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE})


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited values of ``instance``: concrete fields (by attname) minus secrets and
    ``auto_now`` timestamps."""
    names = (
        list(fields)
        if fields is not None
        else [
            f.name
            for f in instance._meta.concrete_fields
            # Bookkeeping timestamps change on every save and say nothing of the change.
            if not f.primary_key and not getattr(f, "auto_now", False)
        ]
    )
    values = {}
    for name in names:
        if name in SECRET_FIELDS:
            continue
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _jsonable(getattr(instance, attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only the fields that changed, as ``{"before": {...}, "after": {...}}``."""
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {
        "before": {k: before.get(k) for k in changed if k in before},
        "after": {k: after.get(k) for k in changed if k in after},
    }


def _object_ref(obj: models.Model | None, object_type: str, object_id: Any) -> tuple[str, str]:
    if obj is not None:
        return obj._meta.label_lower, str(obj.pk)
    return object_type, "" if object_id is None else str(object_id)


def _region_id_for(actor, organisation: Organisation | None, actor_email: str) -> int | None:
    """The region whose administrators see the entry: the organisation's, else the actor's.

    An actor with memberships in several regions and no organisation context gets none; such
    entries are visible in the technical administration only.
    """
    if organisation is not None:
        return organisation.region_id
    from .access import memberships_of
    from .models import User

    if actor is None and actor_email:  # e.g. a failed login for a known account
        actor = User.objects.filter(email__iexact=actor_email).first()
    if actor is not None:
        regions = {m.region_id for m in memberships_of(actor) if m.region_id}
        if len(regions) == 1:
            return regions.pop()
    return None


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = None,
    organisation: Organisation | None = None,
    changes: dict | None = None,
    reason: str = "",
    outcome: str = AuditOutcome.SUCCESS,
    actor_email: str = "",
) -> AuditLogEntry:
    """One entry. ``actor`` is the user, a ``SystemActor``, or for a failed login the
    anonymous visitor (``AnonymousUser``, with the ``actor_email`` typed); None is refused."""
    if action in CHANGE_ACTIONS and not connection.in_atomic_block:
        raise RuntimeError("Changes are audited inside the transaction of the change.")
    system = actor.name if is_system(actor) else ""
    ctx = current_request_context()
    otype, oid = _object_ref(obj, object_type, object_id)
    authenticated = getattr(actor, "is_authenticated", False)
    return AuditLogEntry.objects.create(
        actor=actor if authenticated else None,
        actor_email=(actor.email if authenticated else actor_email)[:254],
        system_actor=system,
        action=action,
        object_type=otype,
        object_id=oid,
        organisation=organisation,
        region_id=_region_id_for(actor if authenticated else None, organisation, actor_email),
        client_address=ctx.client_address,
        request_id=ctx.request_id,
        outcome=outcome,
        changes=changes or {},
        reason=reason,
    )


def audit_entry(
    *,
    action: str,
    object_type: str,
    object_id: Any,
    changes: dict,
    reason: str,
    region_id: int | None,
    actor: Actor,
) -> AuditLogEntry:
    """An unsaved entry, for batch services that write many changes at once
    (``AuditedQuerySet.update_audited``), such as the sweep's (``actor=SWEEP``)."""
    ctx = current_request_context()
    user = acting_user(actor)
    return AuditLogEntry(
        actor=user,
        actor_email=user.email if user is not None else "",
        system_actor=actor.name if isinstance(actor, SystemActor) else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        region_id=region_id,
        client_address=ctx.client_address,
        request_id=ctx.request_id,
        outcome=AuditOutcome.SUCCESS,
        changes=changes,
        reason=reason,
    )


def audit_read(
    *, actor, obj: models.Model, organisation: Organisation | None = None
) -> AuditLogEntry:
    return audit_record(actor=actor, action=AuditAction.READ, obj=obj, organisation=organisation)


def audit_change(
    *,
    actor,
    obj: models.Model,
    action: str = AuditAction.UPDATE,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    organisation: Organisation | None = None,
) -> AuditLogEntry:
    if action == AuditAction.CREATE:
        changes = {"before": {}, "after": after if after is not None else snapshot(obj)}
    elif action == AuditAction.DELETE:
        changes = {"before": before if before is not None else snapshot(obj), "after": {}}
    else:
        changes = diff(before or {}, after if after is not None else snapshot(obj, before or None))
    return audit_record(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        reason=reason,
        organisation=organisation,
    )
