"""Who holds which capability where: the memberships of a user, read once per request.

A capability is a permission codename of the core app (``thuiszitters.roles.Capability``)
granted by the role (group) of an active membership. Checks always name a capability,
never a role.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet, ObjectDoesNotExist, ValidationError
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from .models import Membership
from .precompiled import precompiled

_CACHE_ATTR = "_thuiszitters_memberships"
_M = TypeVar("_M", bound=Model)


@dataclass
class MembershipInfo:
    id: int
    organisation_id: int
    kind: str
    region_id: int | None
    role_id: int
    role_name: str
    capabilities: set[str] = field(default_factory=set)


def memberships_of(user) -> list[MembershipInfo]:
    """The user's active memberships with their capabilities, in one query, cached on the user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    sql, params, alias = _memberships_sql(user.pk, timezone.localdate())
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_id: dict[int, MembershipInfo] = {}
    for mid, org_id, kind, region_id, role_id, role_name, app_label, codename in rows:
        info = by_id.setdefault(
            mid, MembershipInfo(mid, org_id, kind, region_id, role_id, role_name)
        )
        if codename:
            info.capabilities.add(f"{app_label}.{codename}")
    result = list(by_id.values())
    setattr(user, _CACHE_ATTR, result)
    return result


@functools.lru_cache(maxsize=1024)
def _memberships_sql(user_pk: int, day: datetime.date) -> tuple[str, tuple[Any, ...], str]:
    """The SQL of a user's memberships on a day, compiled once per process: every request
    runs it, and compiling it took longer than running it (0.7 against 0.1 ms, issue 14).
    Only the text and its values are kept; the rows are read at every call."""
    queryset = (
        Membership.objects.active(day)
        .filter(user_id=user_pk)
        .values_list(
            "id",
            "organisation_id",
            "organisation__kind",
            "organisation__region_id",
            "role_id",
            "role__name",
            "role__permissions__content_type__app_label",
            "role__permissions__codename",
        )
        .order_by("id")
    )
    sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    return sql, tuple(params), queryset.db


def forget_memberships(user) -> None:
    """Drop the cached memberships after a service changed them."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


class _ScopeKey:
    """A user as a cache key: by primary key and the values of their active memberships,
    the only inputs of a scope's shape. Holds the user to build with; compares by value."""

    __slots__ = ("key", "user")

    def __init__(self, user):
        self.user = user
        self.key = (
            user.pk,
            tuple(
                (m.id, m.organisation_id, m.kind, m.region_id, m.role_id, frozenset(m.capabilities))
                for m in memberships_of(user)
            ),
        )

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ScopeKey) and self.key == other.key


_Q = TypeVar("_Q", bound=QuerySet)
# Per selector and process. A built case scope holds about 60 KiB (the five selectors about
# 130 KiB per user together): at most some 17 MB a worker, for the users active lately.
KEPT_SCOPES = 128


def kept_queryset(build: Callable[..., _Q]) -> Callable[..., _Q]:
    """A queryset built from hashable arguments (a day, a class), kept in the process: each
    call returns a fresh clone, so no caller can fill or change the kept one. ``build`` must
    depend on its arguments alone; rows are never kept, only the query's shape."""
    kept = functools.lru_cache(maxsize=KEPT_SCOPES)(build)

    @functools.wraps(build)
    def clone(*args: Any) -> _Q:
        return kept(*args).all()

    return clone


def scope_key(user) -> tuple | None:
    """What a user's kept scopes are kept by: their primary key and active memberships
    (``kept_per_memberships``); None for an anonymous user, whose scope is never kept."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _ScopeKey(user).key


def kept_per_memberships(build: Callable[..., _Q]) -> Callable[..., _Q]:
    """A scope selector whose built query is kept in the process per user and memberships
    (``kept_queryset`` with the user as ``_ScopeKey``).

    ``build(user, *args)`` must depend on nothing but the user's primary key and memberships
    and the hashable ``args`` (a day): its grants, consents and sharing flags belong in
    subqueries, which PostgreSQL reads at every run. Building a scope's subqueries took about
    a millisecond of every request (issue 14). A changed membership makes another key, so
    nothing needs forgetting."""
    return _per_memberships(kept_queryset, build)


def precompiled_per_memberships(build: Callable[..., _Q]) -> Callable[..., _Q]:
    """``precompiled`` for a query of a scope (ADR 0028): ``build(user, *args)``, whose shape
    is kept per user and memberships (``_ScopeKey``, as ``kept_per_memberships``) and
    ``args``, and whose integer ``args`` are ids put into the kept SQL."""
    return _per_memberships(precompiled, build)


def _per_memberships(keep: Callable[[Callable[..., _Q]], Callable[..., _Q]], build):
    """``keep`` (``kept_queryset``, ``precompiled``) of ``build(user, *args)`` with the user
    as its ``_ScopeKey``; an anonymous user's query is built each time (it is empty)."""
    kept = keep(lambda key, *args: build(key.user, *args))

    @functools.wraps(build)
    def scoped(user, *args: Any) -> _Q:
        if not getattr(user, "is_authenticated", False):
            return build(user, *args)
        return kept(_ScopeKey(user), *args)

    return scoped


def compiled_subquery(queryset: QuerySet) -> RawSQL | list[Any]:
    """``queryset`` as the SQL of a subquery, compiled now: for ``field__in=`` in a scope
    that ``kept_per_memberships`` keeps, so that the subquery compiles once per key instead
    of at every use of the scope (twice a list: its count and its ids). The SQL is what
    Django writes in place, but for the aliases of its tables, which shadow the outer
    query's. Its values are fixed at this moment: only for subqueries that read the rows
    that decide at run time (grants, consent, links), never for a date (ADR 0027)."""
    query = queryset.order_by().query  # (a clone) no order inside IN, as Django in place
    query.subquery = True  # as in place: a UNION's parts in parentheses
    try:
        sql, params = query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # e.g. ``__in=[]`` inside: matches nothing, as in place
        return []
    return RawSQL(sql, params)  # noqa: S611 - Django's own SQL, values as parameters


def _qualified(capability: str) -> str:
    return capability if "." in capability else f"core.{capability}"


def has_capability(
    user, capability: str, organisation_id: int | None = None, region_id: int | None = None
) -> bool:
    """Whether ``user`` holds ``capability`` (in ``organisation_id``, or in an organisation of
    ``region_id``, when given)."""
    perm = _qualified(capability)
    return any(
        perm in m.capabilities
        and (organisation_id is None or m.organisation_id == organisation_id)
        and (region_id is None or m.region_id == region_id)
        for m in memberships_of(user)
    )


def organisation_ids_with(user, capability: str) -> set[int]:
    perm = _qualified(capability)
    return {m.organisation_id for m in memberships_of(user) if perm in m.capabilities}


def region_ids_with(user, capability: str) -> set[int]:
    """Regions in which the user holds ``capability`` through a membership of the region."""
    perm = _qualified(capability)
    return {
        m.organisation_id
        for m in memberships_of(user)
        if perm in m.capabilities and m.kind == "region"
    }


#: The largest id a bigint primary key holds.
MAX_ID = 2**63 - 1


def as_id(value: object) -> int | None:
    """An object's id from a URL or a query string: an int, or ASCII digits (``isdigit``
    alone takes "²" and other scripts' digits), from 1 to a bigint's largest; else None.
    A larger number names no row, and SQLite cannot even compare it (OverflowError)."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_ID else None


def get_visible_or_404(queryset: QuerySet[_M], *, reader: Any = None, **lookup: Any) -> _M:
    """Fetch and authorise in one step: missing and forbidden look the same (404).

    With ``reader`` (the user asking) the refusal is audited as ``read_denied``: pass it
    wherever the object holds personal data."""
    try:
        return queryset.get(**lookup)
    # ObjectDoesNotExist: the base of every model's DoesNotExist.
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        if reader is not None:
            from .audit import audit_read_denied

            audit_read_denied(
                actor=reader,
                object_type=queryset.model._meta.label_lower,
                object_id=str(lookup.get("pk", ""))[:64],
            )
        raise Http404 from exc
