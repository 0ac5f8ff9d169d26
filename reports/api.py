"""``/api/v1/reports/``: the aggregates per SWV, municipality or region (both definitions side
by side) and the quarterly OOGO PDF jobs.

Scoping is the dashboard's: ``report_scopes_for``; a scope outside the caller's reach is a
404. Figures are suppressed (counts under 5 as "<5") unless the caller may also see the
cases of the scope.
"""

from dataclasses import asdict

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api.absence_reports import ApiErrorSerializer
from thuiszitters.api.serializers import InputSerializer
from thuiszitters.roles import Capability

from .models import QuarterlyReport, QuarterlyReportStatus
from .periods import Quarter
from .scopes import report_scopes_for, scope_for
from .selectors import published_figures, quarterly_reports_visible_to


class ScopeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Pass as ``scope`` to the other report endpoints.")
    kind = serializers.CharField()
    organisation_id = serializers.IntegerField()
    name = serializers.CharField()
    personal_data = serializers.BooleanField(
        help_text="Whether exact (unsuppressed) figures are returned for this scope."
    )


class QuarterlyReportSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField()
    quarter = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = QuarterlyReport
        fields = [
            "id",
            "scope",
            "quarter",
            "status",
            "requested_at",
            "finished_at",
            "pages",
            "size_bytes",
            "from_snapshot",
            "download_url",
        ]
        read_only_fields = fields

    def get_scope(self, obj) -> str:
        return f"{obj.scope_kind}-{obj.organisation_id}"

    def get_quarter(self, obj) -> str:
        return str(Quarter(obj.year, obj.quarter))

    def get_download_url(self, obj) -> str | None:
        if obj.status != QuarterlyReportStatus.DONE:
            return None
        request = self.context.get("request")
        path = f"/api/v1/reports/quarterly/{obj.pk}/download/"
        return request.build_absolute_uri(path) if request else path


class QuarterlyRequestSerializer(InputSerializer):
    scope = serializers.CharField()
    quarter = serializers.CharField(help_text="For example ``2026-Q3``.")

    def validate_quarter(self, value):
        try:
            return Quarter.parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(_("Kies een kwartaal als 2026-Q3.")) from exc


def _quarter_param(request) -> Quarter:
    text = request.query_params.get("period")
    if not text:
        return Quarter.of(timezone.localdate())
    try:
        quarter = Quarter.parse(text)
    except ValueError as exc:
        raise serializers.ValidationError(
            {"period": [_("Kies een kwartaal als 2026-Q3.")]}
        ) from exc
    if quarter.start > timezone.localdate():
        raise serializers.ValidationError({"period": [_("Dit kwartaal is nog niet begonnen.")]})
    return quarter


SCOPE_PARAM = OpenApiParameter(
    "scope", str, description="A scope key from ``/reports/`` (default: the first one)."
)
PERIOD_PARAM = OpenApiParameter("period", str, description="A quarter, e.g. ``2026-Q3``.")


class ReportViewSet(viewsets.GenericViewSet):
    """The scopes a caller may see aggregates of, and their figures."""

    required_capabilities = {
        "list": Capability.VIEW_AGGREGATES,
        "figures": Capability.VIEW_AGGREGATES,
    }
    serializer_class = ScopeSerializer
    pagination_class = None

    def get_queryset(self):  # pragma: no cover - schema generation only
        return QuarterlyReport.objects.none()

    @extend_schema(responses=ScopeSerializer(many=True))
    def list(self, request):
        scopes = report_scopes_for(request.user)
        rows = [asdict(s) | {"key": s.key} for s in scopes]
        return Response(ScopeSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[SCOPE_PARAM, PERIOD_PARAM],
        responses={200: OpenApiTypes.OBJECT, 404: ApiErrorSerializer},
        description=(
            "Every aggregate of the period: totals, breakdowns (open, broad, narrow per "
            "row), escalations by step, the convenant's targets and the 8-quarter trend."
        ),
    )
    @action(detail=False, methods=["get"])
    def figures(self, request):
        scope = scope_for(request.user, request.query_params.get("scope"))
        return Response(published_figures(scope, _quarter_param(request)))


class QuarterlyReportViewSet(viewsets.GenericViewSet):
    """The quarterly OOGO reports: request one (rendered in the background), follow its
    status, download the PDF."""

    required_capabilities = {
        "list": Capability.VIEW_AGGREGATES,
        "retrieve": Capability.VIEW_AGGREGATES,
        "create": Capability.VIEW_AGGREGATES,
        "download": Capability.VIEW_AGGREGATES,
    }
    serializer_class = QuarterlyReportSerializer

    def get_queryset(self):
        return quarterly_reports_visible_to(report_scopes_for(self.request.user)).order_by(
            "-requested_at", "-id"
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=QuarterlyRequestSerializer,
        responses={202: QuarterlyReportSerializer, 400: ApiErrorSerializer},
    )
    def create(self, request):
        from .services import quarterly_report_request

        body = QuarterlyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scope = scope_for(request.user, body.validated_data["scope"])
        report = quarterly_report_request(
            actor=request.user, scope=scope, quarter=body.validated_data["quarter"]
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        description=(
            "The PDF of a finished report. 404 while it is not done, or when its stored file "
            "is missing; only a download that is served is written to the audit log."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            404: ApiErrorSerializer,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        from .services import quarterly_report_open

        report = self.get_object()
        handle = quarterly_report_open(report=report, actor=request.user, channel="api")
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=report.pdf.name.rsplit("/", 1)[-1],
            content_type="application/pdf",
        )
        response["Cache-Control"] = "no-store"
        return response
