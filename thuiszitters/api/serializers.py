from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

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
