"""The one helper that writes the audit log.

Services call ``audit_change`` inside the transaction of the change; detail views and API
retrieve actions call ``audit_read`` for every read of personal data, lists ``audit_list``,
and refusals ``audit_read_denied``. Request id and client address come from the request
context set by ``RequestContextMiddleware``.

No row holds personal data in clear (ADR 0017): a change stores the names of the fields that
changed, the values only of the fields in ``AUDIT_CLEAR_FIELDS`` (codes, ids, dates of the
process), and for every other field a keyed hash (``audit_hash``) that proves a value to
whoever holds it and the key, and reveals nothing to whoever reads the log.
"""

import datetime
import decimal
import functools
import hashlib
import hmac
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, connections, models, router
from django.db.models.sql import InsertQuery
from django.utils import timezone

from .models import AuditAction, AuditLogEntry, AuditOutcome, Organisation
from .request_context import current_request_context
from .system import Actor, SystemActor, acting_user, is_system

# Never copied into the audit log, not even hashed.
SECRET_FIELDS = frozenset({"password", "key_hash"})
CHANGE_ACTIONS = frozenset({AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE})
ALL_FIELDS = "*"

# The one allow-list: per model (``label_lower``) the fields whose values the log may show in
# clear because they are no personal data and the history is unreadable without them (phases,
# status codes, ids of organisations, dates of the process). ``ALL_FIELDS`` for models that
# hold no personal data of pupils or parents. Any other model or field: name and hash only.
AUDIT_CLEAR_FIELDS: dict[str, frozenset[str] | str] = {
    "core.organisation": ALL_FIELDS,
    "core.membership": ALL_FIELDS,
    "core.apitoken": frozenset(
        {"organisation", "user", "prefix", "created_by", "created_at", "revoked_at"}
    ),
    "core.user": frozenset({"is_active", "is_staff", "is_service_account", "date_joined"}),
    "registration.pupil": frozenset(
        {"municipality", "shared_with_care_partners", "binding_arbitration_agreed"}
    ),
    "registration.guardian": frozenset(
        {"pupil", "relation", "has_parental_authority", "recorded_by_organisation"}
    ),
    "registration.enrolment": frozenset({"pupil", "school", "matched_existing", "alert_pending"}),
    "registration.exemption": frozenset({"pupil", "kind"}),
    "registration.absencereport": frozenset(
        {
            "pupil",
            "kind",
            "reporting_organisation",
            "reported_by",
            "reported_on",
            "school",
            "swv",
            "municipality",
            "shared_with_leerplicht",
            "shared_with_swv",
            "channel",
        }
    ),
    "registration.consent": frozenset(
        {
            "pupil",
            "scope",
            "status",
            "party",
            "guardian",
            "how",
            "recorded_by",
            "limited_to_organisation",
        }
    ),
    "cases.case": frozenset(
        {
            "pupil",
            "phase",
            "clock_start",
            "opened_at",
            "closed_at",
            "swv",
            "school",
            "municipality",
            "lead_organisation",
            "lead_user",
            "lead_mode",
            "closed_reason",
            "retention_until",
            "route_round",
            "first_offer_started_on",
        }
    ),
    "cases.casereport": ALL_FIELDS,
    "cases.leadassignment": frozenset({"case", "organisation", "user", "started_at", "ended_at"}),
    "cases.participant": frozenset(
        {"case", "user", "organisation", "role", "added_at", "removed_at"}
    ),
    "cases.caseevent": frozenset({"case", "at", "actor", "kind"}),
    "cases.goal": frozenset({"case", "target_date", "achieved_on"}),
    "cases.meeting": frozenset({"case", "kind", "held_on", "created_by"}),
    "cases.decision": frozenset({"meeting"}),
    "cases.action": frozenset(
        {
            "case",
            "goal",
            "decision",
            "owner_user",
            "owner_organisation",
            "due_on",
            "status",
            "completed_at",
        }
    ),
    "cases.arrangement": frozenset({"case", "kind", "start_on", "is_suitable_offer", "created_by"}),
    "cases.aftercarecheckin": frozenset(
        {"case", "due_on", "done_on", "outcome", "done_by", "cancelled"}
    ),
    "escalation.policyversion": ALL_FIELDS,
    "escalation.schoolholiday": ALL_FIELDS,
    "escalation.escalation": frozenset(
        {
            "case",
            "route_round",
            "step",
            "due_on",
            "happened_at",
            "trigger",
            "actor",
            "policy_version",
        }
    ),
    "escalation.doorbraakassessment": frozenset(
        {
            "case",
            "route_round",
            "offer_within_four_weeks",
            "expected_start_on",
            "answered_at",
            "answered_by",
        }
    ),
    "escalation.arbitrationpanel": frozenset(
        {
            "case",
            "route_round",
            "chair",
            "own_member",
            "neighbour_swv",
            "neighbour_member",
            "started_at",
            "status",
            "decided_on",
            "ended_at",
        }
    ),
    "escalation.omreferral": frozenset(
        {"case", "route_round", "route", "referred_on", "arbitration", "created_by"}
    ),
    "reports.thuiszitterslijstsnapshot": frozenset(
        {
            "scope_kind",
            "organisation",
            "scope",
            "on",
            "created_by",
            "rows",
            "narrow_count",
            "broad_count",
        }
    ),
    "reports.quarterlyreport": frozenset(
        {"scope_kind", "organisation", "year", "quarter", "status", "requested_by"}
    ),
}
# A list's audit row names at most this many ids (a response of a longer list is rare: pages
# hold 25 to 100 rows; the count is always stored).
LIST_IDS_CAP = 200
HASH_PREFIX = "hmac:"


def audit_hash_key() -> bytes:
    """``AUDIT_HASH_KEY``; in development, when empty, a key derived from SECRET_KEY."""
    key = getattr(settings, "AUDIT_HASH_KEY", "")
    if key:
        return str(key).encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"thuiszitters.audit", hashlib.sha256).digest()


def _canonical(value: Any) -> bytes:
    value = _jsonable(value)
    return b"\x00" if value is None else str(value).strip().encode()


def audit_hash(value: Any, *, key: bytes | None = None) -> str:
    """The keyed hash (HMAC-SHA256) of ``value``: equal values give equal hashes, and only
    whoever holds the key can test a value against it."""
    digest = hmac.new(key or audit_hash_key(), _canonical(value), hashlib.sha256).hexdigest()
    return HASH_PREFIX + digest


def audit_hash_matches(value: Any, hashed: str, *, key: bytes | None = None) -> bool:
    """Whether ``hashed`` (from an audit row) is the hash of ``value``."""
    return hmac.compare_digest(audit_hash(value, key=key), hashed)


def _clear_fields(object_type: str) -> frozenset[str] | str:
    return AUDIT_CLEAR_FIELDS.get(object_type, frozenset())


def minimise_changes(object_type: str, changes: dict[str, Any]) -> dict[str, Any]:
    """``{"before": {...}, "after": {...}}`` as the log keeps it: the changed field names,
    the values of allowed fields, and a keyed hash of every other value. Any other shape
    (counts, codes of a list or export) is kept as it is."""
    if not ({"before", "after"} & set(changes)):
        return changes
    before: dict[str, Any] = changes.get("before") or {}
    after: dict[str, Any] = changes.get("after") or {}
    clear = _clear_fields(object_type)
    names = sorted((set(before) | set(after)) - SECRET_FIELDS)
    out: dict[str, Any] = {"fields": names}
    shown = [n for n in names if clear == ALL_FIELDS or n in clear]
    if shown:
        out["before"] = {n: before[n] for n in shown if n in before}
        out["after"] = {n: after[n] for n in shown if n in after}
    hashes = {
        n: audit_hash(after[n] if n in after else before.get(n)) for n in names if n not in shown
    }
    if hashes:
        out["hashes"] = hashes
    return out


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
    return _insert(
        AuditLogEntry(
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
            changes=minimise_changes(otype, changes or {}),
            reason=reason,
        )
    )


# The columns of an entry as Model.save() writes them: all but the id, which comes back.
_INSERTED = [f for f in AuditLogEntry._meta.concrete_fields if not f.primary_key]


@functools.cache
def _insert_statement(alias: str) -> tuple[str, bool]:
    """The INSERT of one entry as Django writes it, compiled once per database: every page
    writes an entry, and Django compiled the same statement at each (0.3 ms of 0.8)."""
    query = InsertQuery(AuditLogEntry)
    query.insert_values(_INSERTED, [AuditLogEntry()])
    compiler = query.get_compiler(alias)
    returning = connections[alias].features.can_return_columns_from_insert
    if returning:
        compiler.returning_fields = [AuditLogEntry._meta.pk]
    [(sql, _params)] = compiler.as_sql()
    return sql, returning


def _insert(entry: AuditLogEntry) -> AuditLogEntry:
    """``entry.save()`` of a new entry, by the kept statement (the model has no signals)."""
    alias = router.db_for_write(AuditLogEntry)
    db = connections[alias]
    sql, returning = _insert_statement(alias)
    params = [f.get_db_prep_save(f.pre_save(entry, True), connection=db) for f in _INSERTED]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        entry.pk = (
            cursor.fetchone()[0]
            if returning
            else db.ops.last_insert_id(cursor, AuditLogEntry._meta.db_table, "id")
        )
    entry._state.adding, entry._state.db = False, alias
    return entry


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
        changes=minimise_changes(object_type, changes),
        reason=reason,
    )


class AuditBatch:
    """The audit rows of many changes of one kind by one actor, for a batch service (the
    sweep) and ``AuditedQuerySet.update_audited``: what ``audit_entry`` would write for each
    change, without a model instance per row. Equal changes are minimised once."""

    def __init__(self, *, action: str, object_type: str, reason: str, actor: Actor) -> None:
        ctx = current_request_context()
        user = acting_user(actor)
        self.object_type = object_type
        self.common: dict[str, Any] = {
            "timestamp": timezone.now(),
            "actor_id": user.pk if user is not None else None,
            "actor_email": user.email if user is not None else "",
            "system_actor": actor.name if isinstance(actor, SystemActor) else "",
            "action": action,
            "object_type": object_type,
            "client_address": ctx.client_address,
            "request_id": ctx.request_id,
            "outcome": AuditOutcome.SUCCESS,
            "reason": reason,
        }
        self.object_ids: list[str] = []
        self.region_ids: list[int | None] = []
        self.changes: list[dict[str, Any]] = []
        self._minimised: dict[str, dict[str, Any]] = {}

    def add(self, *, object_id: Any, region_id: int | None, changes: dict[str, Any]) -> None:
        key = repr(changes)
        minimised = self._minimised.get(key)
        if minimised is None:
            minimised = self._minimised[key] = minimise_changes(self.object_type, changes)
        self.object_ids.append(str(object_id))
        self.region_ids.append(region_id)
        self.changes.append(minimised)

    def __len__(self) -> int:
        return len(self.object_ids)

    def write(self) -> int:
        from .bulk import insert_columns

        return insert_columns(
            AuditLogEntry,
            {
                **self.common,
                "object_id": self.object_ids,
                "region_id": self.region_ids,
                "changes": self.changes,
            },
            len(self),
        )


def audit_read(
    *, actor, obj: models.Model, organisation: Organisation | None = None
) -> AuditLogEntry:
    """A read of ``obj``. A pupil, report or case belongs to the region of the pupil's
    municipality too: when that is another region than the reader's, a second row there lets
    its administrators see who read their pupil (as ``_audit_in_both_regions`` does for
    changes)."""
    home = _home_municipality(obj)
    if home is not None and organisation is None:
        reader = actor if getattr(actor, "is_authenticated", False) else None
        if _region_id_for(reader, None, "") is None:
            organisation = home  # a reader of no one region: the pupil's region sees it
    entry = audit_record(actor=actor, action=AuditAction.READ, obj=obj, organisation=organisation)
    if home is not None and home.region_id != entry.region_id:
        audit_record(actor=actor, action=AuditAction.READ, obj=obj, organisation=home)
    return entry


def _home_municipality(obj: models.Model) -> Organisation | None:
    """The municipality a personal-data object belongs to (its pupil's), if it has one."""
    if getattr(obj, "municipality_id", None) is None:
        return None
    municipality = getattr(obj, "municipality", None)
    return municipality if isinstance(municipality, Organisation) else None


def audit_read_denied(
    *,
    actor,
    object_type: str,
    object_id: Any,
    organisation: Organisation | None = None,
) -> AuditLogEntry:
    """A refused read of a personal-data object (the 404 of the scoping layer): who tried
    which id. Written outside any transaction the refusal rolls back."""
    return audit_record(
        actor=actor,
        action=AuditAction.READ_DENIED,
        object_type=object_type,
        object_id=object_id,
        organisation=organisation,
        outcome=AuditOutcome.DENIED,
    )


def audit_list(
    *,
    actor,
    object_type: str,
    ids: Sequence[Any],
    organisation: Organisation | None = None,
    total: int | None = None,
) -> AuditLogEntry | None:
    """One entry for a response that shows a list or search result of personal data: the
    ids shown (capped at ``LIST_IDS_CAP``) and how many. An empty list showed nothing: no
    entry."""
    unique = list(dict.fromkeys(str(i) for i in ids))
    if not unique:
        return None
    changes: dict[str, Any] = {"ids": unique[:LIST_IDS_CAP], "count": len(unique)}
    if total is not None:
        changes["total"] = total
    return audit_record(
        actor=actor,
        action=AuditAction.READ,
        object_type=object_type,
        organisation=organisation,
        changes=changes,
    )


def audited_update(obj: models.Model, *, actor, reason: str = "", **values: Any) -> dict[str, Any]:
    """Set these fields, save just them and audit the change; nothing when nothing changes.
    Returns the audited values from before."""
    fields = list(values)
    before = snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    after = snapshot(obj, fields)
    if after != before:
        obj.save(update_fields=fields)
        audit_change(actor=actor, obj=obj, before=before, after=after, reason=reason)
    return before


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
        values = after if after is not None else snapshot(obj)
        # A new row: the fields that were filled in, not the empty ones.
        changes = {
            "before": {},
            "after": {k: v for k, v in values.items() if v not in (None, "", [])},
        }
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
