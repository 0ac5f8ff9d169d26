"""``/api/v1/pupils/``: the pupils the user may see; every detail read is audited."""

from rest_framework import serializers
from rest_framework.response import Response

from thuiszitters.api.views import ScopedReadOnlyViewSet
from thuiszitters.audit import audit_read
from thuiszitters.roles import Capability

from .filters import PupilFilter
from .models import Pupil
from .selectors import pupils_visible_to


class PupilSerializer(serializers.ModelSerializer):
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)

    class Meta:
        model = Pupil
        fields = [
            "id",
            "bsn",
            "given_names",
            "surname_prefix",
            "surname",
            "full_name",
            "date_of_birth",
            "municipality",
            "municipality_name",
        ]
        read_only_fields = fields


class PupilViewSet(ScopedReadOnlyViewSet):
    """Pupils in the user's scope (a school: its own pupils; leerplicht: its municipalities)."""

    serializer_class = PupilSerializer
    filterset_class = PupilFilter
    required_capabilities = {
        "list": Capability.VIEW_PERSONAL_DATA,
        "retrieve": Capability.VIEW_PERSONAL_DATA,
    }

    def get_queryset(self):
        return (
            pupils_visible_to(self.request.user)
            .select_related("municipality")
            .order_by("surname", "given_names", "id")
        )

    def retrieve(self, request, *args, **kwargs):
        pupil = self.get_object()
        audit_read(actor=request.user, obj=pupil)
        return Response(self.get_serializer(pupil).data)
