"""``/api/v1/pupils/``: the pupils the user may see; every detail read is audited.

A search by BSN is ``POST /api/v1/pupils/search/`` with a JSON body: a GET that carries a BSN
(``?bsn=`` or a BSN in ``?q=``) is refused with 400, so no BSN lands in a URL or access log.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from thuiszitters.access import get_visible_or_404
from thuiszitters.api.serializers import InputSerializer
from thuiszitters.api.views import ScopedReadOnlyViewSet
from thuiszitters.audit import audit_read
from thuiszitters.roles import Capability

from .filters import PupilFilter
from .identity import bsn_normalise
from .models import Pupil
from .search import BSN_IN_URL_MESSAGE, looks_like_bsn
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


class PupilSearchSerializer(InputSerializer):
    bsn = serializers.CharField(
        max_length=20, help_text="The pupil's BSN (9 digits; spaces, dots and hyphens allowed)."
    )


@extend_schema_view(
    list=extend_schema(
        summary="Pupils in your scope",
        description=(
            "Search by name or date of birth with `q`. A BSN is never sent in a URL: a GET "
            "with `bsn` or with a BSN in `q` is refused (400); use `POST "
            "/api/v1/pupils/search/`."
        ),
    ),
    retrieve=extend_schema(summary="One pupil (the read is audited)"),
)
class PupilViewSet(ScopedReadOnlyViewSet):
    """Pupils in the user's scope (a school: its own pupils; leerplicht: its municipalities)."""

    serializer_class = PupilSerializer
    filterset_class = PupilFilter
    audit_object_type = "registration.pupil"
    required_capabilities = {
        "list": Capability.VIEW_PERSONAL_DATA,
        "retrieve": Capability.VIEW_PERSONAL_DATA,
        "search": Capability.VIEW_PERSONAL_DATA,
    }

    def list(self, request, *args, **kwargs):
        params = request.query_params
        refused = [name for name in ("bsn", "q") if looks_like_bsn(params.get(name))]
        if params.get("bsn"):
            refused = sorted({*refused, "bsn"})
        if refused:
            raise ValidationError({name: [BSN_IN_URL_MESSAGE] for name in refused})
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Find a pupil by BSN",
        description=(
            "The BSN goes in the body, never in the URL. Answers the pupil with that BSN "
            "(an audited read), or 404 when no pupil in your scope has it: unknown and "
            "outside your scope look the same."
        ),
        request=PupilSearchSerializer,
        responses={
            200: PupilSerializer,
            400: OpenApiResponse(description="No or an invalid `bsn`, or an unknown field."),
            404: OpenApiResponse(description="No pupil with this BSN in your scope."),
        },
    )
    @action(detail=False, methods=["post"], pagination_class=None, filterset_class=None)
    def search(self, request):
        body = PupilSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        bsn = bsn_normalise(body.validated_data["bsn"])
        if not (bsn.isdigit() and len(bsn) == 9):
            raise ValidationError({"bsn": [_("Een BSN bestaat uit 9 cijfers.")]})
        pupil = get_visible_or_404(self.get_queryset(), reader=request.user, bsn=bsn)
        audit_read(actor=request.user, obj=pupil)
        return Response(self.get_serializer(pupil).data)

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
