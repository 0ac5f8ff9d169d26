from rest_framework import serializers

from thuiszitters.access import memberships_of
from thuiszitters.models import AuditLogEntry, Membership, Organisation, School, User


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
        return MeMembershipSerializer(memberships_of(obj), many=True).data


class AuditLogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLogEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "actor_email",
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
