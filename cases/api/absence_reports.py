"""``/api/v1/absence-reports/``: school administration systems report absence; history.

POST is idempotent on the client's ``client_key`` per reporting organisation: a retried
request answers 200 with ``Idempotent-Replayed: true`` and the first report, and writes
nothing; the same key with another report is a 409 (``idempotency_conflict``). The rules
live in the intake service (``cases.services.intake``); this module only translates JSON to
a ``ReportInput`` and back.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from registration.filters import AbsenceReportFilter
from registration.models import AbsenceKind, AbsenceReport, ParentsInformedHow
from registration.selectors import absence_reports_of_reporter, pupil_find
from registration.services import REPORT_FIELDS, ReportInput
from thuiszitters.api.permissions import AUTHENTICATED
from thuiszitters.api.serializers import InputSerializer
from thuiszitters.api.views import ScopedReadOnlyViewSet
from thuiszitters.audit import audit_read
from thuiszitters.models import ApiToken
from thuiszitters.roles import Capability
from thuiszitters.selectors import reporting_organisations

from ..services import IdempotencyConflict, absence_report_submit

REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"
    default_detail = _("Dit kenmerk hoort al bij een andere melding.")


class AbsenceKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=AbsenceKind.choices, **kwargs)


class AbsenceKindFieldExtension(OpenApiSerializerFieldExtension):
    """One named ``AbsenceKindEnum`` component.

    Without it drf-spectacular names every enum after its field, and ``kind`` collides with
    the organisations' kind (warning W001, which fails ``check --deploy``).
    """

    target_class = AbsenceKindField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="AbsenceKindEnum",
            type=ResolvedComponent.SCHEMA,
            object="AbsenceKindEnum",
            schema={
                "type": "string",
                "enum": AbsenceKind.values,
                "description": "\n".join(f"* `{v}` - {label}" for v, label in AbsenceKind.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class AbsenceReportSerializer(serializers.ModelSerializer):
    kind = AbsenceKindField(read_only=True)
    case = serializers.SerializerMethodField()
    case_phase = serializers.SerializerMethodField()

    class Meta:
        model = AbsenceReport
        fields = [
            "id",
            "pupil",
            "reporting_organisation",
            *REPORT_FIELDS,
            "channel",
            "client_key",
            "case",
            "case_phase",
        ]
        read_only_fields = fields

    @staticmethod
    def _case(report):
        try:
            return report.case_link.case
        except ObjectDoesNotExist:
            return None

    def get_case(self, report) -> int | None:
        case = self._case(report)
        return case.pk if case else None

    def get_case_phase(self, report) -> str | None:
        case = self._case(report)
        return case.phase if case else None


class AbsenceReportResultSerializer(AbsenceReportSerializer):
    """The report as the intake left it, and whether it opened a new case."""

    case_created = serializers.BooleanField(read_only=True)

    class Meta(AbsenceReportSerializer.Meta):
        fields = [*AbsenceReportSerializer.Meta.fields, "case_created"]
        read_only_fields = fields


class AbsenceReportCreateSerializer(InputSerializer):
    """A report from a school administration system. Name the pupil by BSN together with
    surname and date of birth (preferred), or by given names, surname and date of birth;
    anything that does not match a pupil of your organisation gets the same 400."""

    bsn = serializers.CharField(required=False, allow_blank=True, max_length=9)
    given_names = serializers.CharField(required=False, allow_blank=True, max_length=200)
    surname = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=220,
        help_text=_("Met tussenvoegsel, bijvoorbeeld 'de Vries'."),
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    kind = AbsenceKindField()
    reported_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Standaard vandaag.")
    )
    absence_started_on = serializers.DateField(
        help_text=_("De eerste dag van het aaneengesloten verzuim; hier begint de klok.")
    )
    absence_ended_on = serializers.DateField(required=False, allow_null=True)
    hours_missed_last_4_weeks = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True
    )
    share_followed_percent = serializers.IntegerField(required=False, allow_null=True)
    striking_sickness = serializers.BooleanField(required=False, default=False)
    expects_thuiszitter_soon = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    # Not required here: the intake explains that the parents are informed before reporting.
    parents_informed_on = serializers.DateField(required=False, allow_null=True)
    parents_informed_how = serializers.ChoiceField(
        choices=ParentsInformedHow.choices, required=False, allow_blank=True, default=""
    )
    client_key = serializers.CharField(
        max_length=100,
        help_text=_(
            "Uw eigen unieke kenmerk van deze melding. Een herhaald verzoek met hetzelfde "
            "kenmerk maakt geen tweede melding."
        ),
    )
    organisation = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_(
            "De meldende organisatie; alleen nodig als u voor meerdere organisaties meldt. "
            "Standaard de organisatie van de API-sleutel."
        ),
    )

    def _organisation(self, attrs):
        request = self.context["request"]
        allowed = {o.pk: o for o in reporting_organisations(request.user)}
        wanted = attrs.get("organisation")
        if wanted is None and isinstance(request.auth, ApiToken):
            wanted = request.auth.organisation_id
        if wanted is None:
            if len(allowed) == 1:
                return next(iter(allowed.values()))
            raise serializers.ValidationError(
                {"organisation": [_("Geef aan voor welke organisatie u meldt.")]}
            )
        if wanted not in allowed:
            raise serializers.ValidationError(
                {"organisation": [_("U mag voor deze organisatie geen verzuim melden.")]}
            )
        return allowed[wanted]

    def validate(self, attrs):
        organisation = self._organisation(attrs)
        try:
            pupil = pupil_find(
                user=self.context["request"].user,
                organisation=organisation,
                bsn=attrs.get("bsn", "").strip(),
                given_names=" ".join(attrs.get("given_names", "").split()),
                surname=" ".join(attrs.get("surname", "").split()),
                date_of_birth=attrs.get("date_of_birth"),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        attrs["reporting_organisation"] = organisation
        attrs["report_input"] = ReportInput(
            pupil=pupil,
            kind=attrs["kind"],
            reported_on=attrs.get("reported_on"),
            absence_started_on=attrs["absence_started_on"],
            absence_ended_on=attrs.get("absence_ended_on"),
            hours_missed_last_4_weeks=attrs.get("hours_missed_last_4_weeks"),
            share_followed_percent=attrs.get("share_followed_percent"),
            striking_sickness=attrs["striking_sickness"],
            expects_thuiszitter_soon=attrs["expects_thuiszitter_soon"],
            reason=attrs["reason"],
            parents_informed_on=attrs.get("parents_informed_on"),
            parents_informed_how=attrs["parents_informed_how"],
            client_key=attrs["client_key"],
        )
        return attrs


class ApiErrorSerializer(serializers.Serializer):
    """Every API error: a summary and the messages per field."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    # The metaclass takes declared fields off the class, so this does not hide
    # Serializer.fields at run time; the stubs see a clash.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


_REQUEST_EXAMPLE = {
    "bsn": "123456782",
    "kind": "unauthorised",
    "reported_on": "2025-02-03",
    "absence_started_on": "2025-01-13",
    "hours_missed_last_4_weeks": "18.5",
    "share_followed_percent": 40,
    "striking_sickness": False,
    "expects_thuiszitter_soon": True,
    "reason": "Komt sinds de kerstvakantie niet meer op school; gesprek met ouders gevoerd.",
    "parents_informed_on": "2025-01-30",
    "parents_informed_how": "conversation",
    "client_key": "parnassys-verzuim-88213",
}
_RESPONSE_EXAMPLE = {
    "id": 4121,
    "pupil": 873,
    "kind": "unauthorised",
    "reporting_organisation": 12,
    "reported_on": "2025-02-03",
    "absence_started_on": "2025-01-13",
    "absence_ended_on": None,
    "hours_missed_last_4_weeks": "18.5",
    "share_followed_percent": 40,
    "striking_sickness": False,
    "expects_thuiszitter_soon": True,
    "reason": "Komt sinds de kerstvakantie niet meer op school; gesprek met ouders gevoerd.",
    "parents_informed_on": "2025-01-30",
    "parents_informed_how": "conversation",
    "channel": "api",
    "client_key": "parnassys-verzuim-88213",
    "case": 355,
    "case_phase": "school",
    "case_created": True,
}
_ERROR_EXAMPLE = {
    "status": 400,
    "code": "invalid",
    "detail": "Invalid input.",
    "fields": {
        "parents_informed_on": [
            "Geef aan wanneer de ouders zijn geïnformeerd; dat moet vóór de melding."
        ],
        "hours_missed_last_4_weeks": ["Het aantal uren ligt tussen 0 en 160 (4 weken)."],
    },
}


@extend_schema_view(
    list=extend_schema(
        summary="Absence reports (history)",
        description=(
            "The reports you may see: with personal-data access those in your scope; an "
            "organisation token sees the reports its organisation made."
        ),
    ),
    retrieve=extend_schema(summary="One absence report (the read is audited)"),
)
class AbsenceReportViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Absence reports (verzuimmeldingen): submit one, or read the history."""

    serializer_class = AbsenceReportSerializer
    filterset_class = AbsenceReportFilter
    audit_object_type = "registration.absencereport"
    required_capabilities = {
        # Scoping filters the rows: a reporter sees its own reports, personal-data roles
        # their scope, everyone else nothing.
        "list": AUTHENTICATED,
        "retrieve": AUTHENTICATED,
        "create": Capability.SUBMIT_ABSENCE_REPORT,
    }

    def get_queryset(self):
        return (
            absence_reports_of_reporter(self.request.user)
            .select_related("case_link__case")
            .order_by("-reported_on", "-id")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return AbsenceReportCreateSerializer
        return AbsenceReportSerializer

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        audit_read(actor=request.user, obj=report)
        return Response(self.get_serializer(report).data)

    @extend_schema(
        summary="Submit an absence report",
        description=(
            "Reports a pupil's absence for the token's organisation. The report opens a case "
            "in phase `school` or joins the pupil's open case. Idempotent on `client_key`: "
            "a retry with a key already used by your organisation returns the first report "
            "with status 200 and the header `Idempotent-Replayed: true`, and writes nothing. "
            "A retry must repeat the first body (a left-out `reported_on` matches any date); "
            "the same key with another report (another pupil, kind, date, number or text) "
            "is refused with 409 `idempotency_conflict` and writes nothing. "
            "Fields the operation does not know are refused (400). "
            "Name the pupil by `bsn`, or by `given_names`, `surname` and `date_of_birth`; "
            "only pupils of your organisation are found (error on field `pupil` otherwise)."
        ),
        request=AbsenceReportCreateSerializer,
        responses={
            201: OpenApiResponse(AbsenceReportResultSerializer, description="Report created."),
            200: OpenApiResponse(
                AbsenceReportResultSerializer,
                description="Replay: this client_key was seen before; nothing was written.",
            ),
            400: OpenApiResponse(
                ApiErrorSerializer, description="Field-level errors, also for unknown fields."
            ),
            401: OpenApiResponse(ApiErrorSerializer, description="No or a revoked token."),
            403: OpenApiResponse(ApiErrorSerializer, description="Not allowed to report."),
            409: OpenApiResponse(
                ApiErrorSerializer,
                description="This client_key belongs to another report; nothing was written.",
            ),
            413: OpenApiResponse(
                ApiErrorSerializer, description="The body is over 2.5 MB (`payload_too_large`)."
            ),
        },
        parameters=[
            OpenApiParameter(
                REPLAYED_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                response=[200],
                description="`true` when the response replays an earlier request.",
            )
        ],
        examples=[
            OpenApiExample(
                "Unauthorised absence",
                summary="Ongeoorloofd verzuim, pupil by BSN",
                value=_REQUEST_EXAMPLE,
                request_only=True,
            ),
            OpenApiExample(
                "Created",
                summary="Report created; a new case opened",
                value=_RESPONSE_EXAMPLE,
                response_only=True,
                status_codes=["201"],
            ),
            OpenApiExample(
                "Replayed",
                summary="Same client_key again",
                value={**_RESPONSE_EXAMPLE, "case_created": False},
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "Invalid",
                summary="Field-level errors",
                value=_ERROR_EXAMPLE,
                response_only=True,
                status_codes=["400"],
            ),
            OpenApiExample(
                "Conflict",
                summary="Same client_key, another report",
                value={
                    "status": 409,
                    "code": "idempotency_conflict",
                    "detail": "Het kenmerk parnassys-verzuim-88213 hoort al bij een andere "
                    "melding van uw organisatie. Geef een nieuwe melding een nieuw kenmerk.",
                    "fields": {},
                },
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        serializer = AbsenceReportCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            result = absence_report_submit(
                actor=request.user,
                reporting_organisation=serializer.validated_data["reporting_organisation"],
                data=serializer.validated_data["report_input"],
                channel="api",
            )
        except IdempotencyConflict as exc:
            raise IdempotencyConflictError(exc.message_dict["client_key"][0]) from exc
        report = result.report
        report.case_created = result.case_created
        body = AbsenceReportResultSerializer(report).data
        if result.duplicate:
            return Response(body, status=status.HTTP_200_OK, headers={REPLAYED_HEADER: "true"})
        return Response(body, status=status.HTTP_201_CREATED)
