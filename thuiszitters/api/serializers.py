from collections.abc import Mapping

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import relations, serializers
from rest_framework.fields import (  # type: ignore[attr-defined] # (not in the stubs yet)
    BigIntegerField,
    is_simple_callable,
)

from thuiszitters.access import memberships_of
from thuiszitters.models import AuditLogEntry, Membership, Organisation, School, User

# Sent by Django's own forms (the browsable API), never a field of an operation.
_FORM_KEYS = frozenset({"csrfmiddlewaretoken"})


class StrictInputMixin:
    """Refuses a body with fields the serializer does not know: 400 with each one named.

    DRF drops unknown keys, so a typo (``reden`` for ``reason``) or a field from another
    version of a client would be ignored while the request looks successful. The unknown
    fields come back together with the other field errors; ``validate()`` does not run.
    """

    unknown_field_message = _("Onbekend veld.")

    def to_internal_value(self, data):
        unknown = []
        if isinstance(data, Mapping):
            writable = {field.field_name for field in self._writable_fields}
            unknown = sorted(str(key) for key in data if key not in writable | _FORM_KEYS)
        errors = {name: [self.unknown_field_message] for name in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if errors and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **errors}) from exc
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


class InputSerializer(StrictInputMixin, serializers.Serializer):
    """The base of every serializer that reads a request body."""


class StrictInputExtension(OpenApiSerializerExtension):
    """Says so in the schema: ``additionalProperties: false`` on every request body."""

    target_class = StrictInputMixin
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region"]


class SchoolSerializer(serializers.ModelSerializer):
    swv_name = serializers.CharField(source="swv.name", read_only=True)
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)

    class Meta:
        model = School
        fields = [
            "id",
            "name",
            "brin",
            "vestiging",
            "sector",
            "swv",
            "swv_name",
            "municipality",
            "municipality_name",
        ]


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name", "email", "phone"]


class MembershipSerializer(serializers.ModelSerializer):
    role = serializers.CharField(source="role.name", read_only=True)
    user_name = serializers.CharField(source="user.full_name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "user_name",
            "organisation",
            "organisation_name",
            "role",
            "job_title",
            "valid_from",
            "valid_until",
        ]


class MeMembershipSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_kind = serializers.CharField(source="kind")
    role = serializers.CharField(source="role_name")
    capabilities = serializers.SerializerMethodField()

    def get_capabilities(self, obj) -> list[str]:
        return sorted(obj.capabilities)


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_service_account", "memberships"]

    def get_memberships(self, obj) -> list[dict]:
        # many=True makes a ListSerializer, whose data is a list; the stubs type it as a dict.
        return MeMembershipSerializer(memberships_of(obj), many=True).data  # type: ignore[return-value]


class AuditLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLogEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "actor_email",
            "system_actor",
            "action",
            "object_type",
            "object_id",
            "organisation",
            "client_address",
            "request_id",
            "outcome",
            "changes",
            "reason",
        ]


# --- output planned once per class (ADR 0029) ------------------------------------------

# The fields whose ``to_representation`` reads nothing but the value (no parent, context or
# request): a field is planned when its class keeps one of these.
_PLAIN_OUTPUT = frozenset(
    klass.to_representation
    for klass in (
        BigIntegerField,
        serializers.BooleanField,
        serializers.CharField,
        serializers.ChoiceField,
        serializers.DateField,
        serializers.DateTimeField,
        serializers.DecimalField,
        serializers.FloatField,
        serializers.IntegerField,
        serializers.ReadOnlyField,
    )
)


class _Unplanned(Exception):
    """A value the plan does not read as DRF would (a missing attribute, a mapping): the
    whole object goes through DRF's own path."""


def _read(obj, names: tuple[str, ...]):
    """DRF's ``get_attribute`` for objects: a missing attribute, a mapping or a related row
    that does not exist leaves it to DRF (which then defaults, skips or says why)."""
    for name in names:
        if isinstance(obj, Mapping):
            raise _Unplanned
        try:
            obj = getattr(obj, name)
        except (AttributeError, KeyError, ObjectDoesNotExist) as exc:
            raise _Unplanned from exc
        if callable(obj) and is_simple_callable(obj):
            obj = obj()
    return obj


# A field class of its own may read or write otherwise: only DRF's own ways are planned.
_OWN_READS = (serializers.Field.get_attribute, relations.RelatedField.get_attribute)
_OWN_WRITES = (
    serializers.Serializer.to_representation,
    serializers.ListSerializer.to_representation,
)


def _drfs_own(field) -> bool:
    if isinstance(field, serializers.ListSerializer):
        return type(field).to_representation in _OWN_WRITES and _drfs_own(field.child)
    if isinstance(field, serializers.BaseSerializer):
        write: object = type(field).to_representation
        return write in _OWN_WRITES or write is PlannedOutputMixin.to_representation
    return type(field).get_attribute in _OWN_READS


def _plain(field) -> bool:
    if type(field).to_representation in _PLAIN_OUTPUT:
        return True
    return isinstance(field, serializers.ListField) and _plain(field.child)


def _step(serializer_class, field, nested: bool):
    """How one readable field is written: (key, kind, what to read, how to write it)."""
    name, attrs = field.field_name, tuple(field.source_attrs)
    if not _drfs_own(field):
        return None
    if field.source == "*":
        if isinstance(field, serializers.SerializerMethodField) and not nested:
            return (name, "method", field.method_name, None)
        return None
    if isinstance(field, serializers.ListSerializer):
        child = _plan(type(field.child), nested=True)
        return None if child is None else (name, "list", attrs, child)
    if isinstance(field, serializers.BaseSerializer):
        child = _plan(type(field), nested=True)
        return None if child is None else (name, "one", attrs, child)
    if isinstance(field, relations.PrimaryKeyRelatedField):
        # DRF reads the key column itself (``serializable_value``) and writes it as it is.
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
        if model is None or len(attrs) != 1 or field.pk_field is not None:
            return None
        if not field.use_pk_only_optimization():
            return None
        try:
            column = model._meta.get_field(attrs[0]).attname
        except FieldDoesNotExist:
            return None
        return (name, "value", (column,), None)
    if _plain(field):
        return (name, "value", attrs, field.to_representation)
    return None


_plans: dict[tuple[type, bool], tuple | None] = {}


def _plan(serializer_class, nested: bool = False) -> tuple | None:
    """The steps of a serializer's output, from an instance of the class alone: None when a
    field needs more (a request, a parent, a method of a nested serializer)."""
    key = (serializer_class, nested)
    if key not in _plans:
        try:
            template = serializer_class()
        except TypeError:  # a serializer that needs arguments of its own: DRF's path
            _plans[key] = None
        else:
            fields = template._readable_fields
            steps = [_step(serializer_class, field, nested) for field in fields]
            _plans[key] = None if None in steps else tuple(steps)
    return _plans[key]


def _write(steps: tuple, obj, serializer=None) -> dict:
    out = {}
    for name, kind, source, then in steps:
        if kind == "method":
            out[name] = getattr(serializer, source)(obj)
            continue
        value = _read(obj, source)
        if value is None:
            out[name] = None
        elif kind == "value":
            out[name] = value if then is None else then(value)
        elif kind == "list":
            rows = value.all() if isinstance(value, models.manager.BaseManager) else value
            out[name] = [_write(then, row) for row in rows]
        else:
            out[name] = _write(then, value)
    return out


class PlannedOutputMixin:
    """A read serializer that writes its output by a plan made once per class (ADR 0029).

    DRF builds and binds every field of every nested serializer at each instantiation
    (deep copies, and a ``ModelSerializer`` maps its model again), and then reads each value
    through several generic calls: a case file's output took 3 ms of a 9 ms request (issue
    14). The plan holds, per field, the attributes to read and the field's own
    ``to_representation``, and writes the same dict. Only fields that need nothing but the
    value are planned (see ``_PLAIN_OUTPUT``; key-only related fields; lists and nested
    serializers made of them; method fields of the outer serializer, called on it as DRF
    does); a serializer with any other field, and any object whose value DRF would default,
    skip or complain about, goes through DRF's own path. Its fields must not change per
    instance or request."""

    def to_representation(self, instance):
        steps = _plan(type(self))
        if steps is not None:
            try:
                return _write(steps, instance, self)
            except _Unplanned:
                pass
        return super().to_representation(instance)
