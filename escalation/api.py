"""``/api/v1/cases/`` with the route: the cases resource of ``cases.api.cases`` extended by
escalation (which depends on cases, never the other way round).

The list adds each case's next deadline (step and date, from the stored ``CaseDeadline``
joined in the list's one query); the case file adds the next deadline with the days left,
whether the child is past three months at home without an offer, and the escalations taken.
Forward moves go through the escalation services: ``transition`` to a timed step is an
escalation by hand, and the route's other steps have their own actions (``escalate``,
``assessment``, ``arbitration``, ``arbitration-conclude``, ``om-referral``). Each action
translates JSON into one service call and answers with the updated case file.
"""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api.cases import (
    CASE_ERRORS,
    CaseDetailSerializer,
    CaseSerializer,
    CaseViewSet,
    TransitionSerializer,
)
from thuiszitters.api.serializers import InputSerializer
from thuiszitters.audit import audit_read
from thuiszitters.models import User
from thuiszitters.precompiled import precompiled
from thuiszitters.roles import Capability

from .models import ArbitrationStatus, Escalation, OmRoute, Step
from .route import WEEK_STEPS, three_months_on
from .selectors.route import (
    arbitration_panel_of,
    is_past_three_months_without_offer,
    next_deadline_of,
)
from .services.steps import (
    arbitration_conclude,
    arbitration_start,
    assessment_record,
    escalate_by_hand,
    om_refer,
)

# --- enums with a name of their own ---------------------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose OpenAPI enum is a named component: a subset of a model's choices
    under a common field name (``step``, ``status``) would otherwise collide (W001)."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={
                "type": "string",
                "enum": list(field.choices),
                "description": "\n".join(
                    f"* `{v}` - {label}" for v, label in field.choices.items()
                ),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


TIMED_STEP_CHOICES = [(s.value, s.label) for s in WEEK_STEPS]
OUTCOME_CHOICES = [
    (s.value, s.label)
    for s in (ArbitrationStatus.DECIDED, ArbitrationStatus.NO_RESULT, ArbitrationStatus.REFUSED)
]


# --- read serializers ------------------------------------------------------------------------


def _step_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(enum_name="StepEnum", choices=Step.choices, **kwargs)


class NextDeadlineSerializer(serializers.Serializer):
    step = _step_field()
    due_on = serializers.DateField()
    days_left = serializers.IntegerField(help_text="Days until `due_on`; negative: overdue.")
    warn_on = serializers.DateField(allow_null=True)


class EscalationSerializer(serializers.ModelSerializer):
    step = _step_field()
    on_time = serializers.BooleanField(
        allow_null=True, help_text="Timed steps: whether it happened by its due date."
    )

    class Meta:
        model = Escalation
        fields = ["step", "route_round", "due_on", "happened_at", "trigger", "on_time", "reason"]
        read_only_fields = fields


class _ListDeadlineFields(serializers.Serializer):
    """The stored next deadline, annotated on the list's query (``deadline__step``)."""

    next_deadline_step = serializers.SerializerMethodField()
    next_deadline_due_on = serializers.SerializerMethodField()

    @extend_schema_field(_step_field(allow_null=True))
    def get_next_deadline_step(self, case) -> str | None:
        return (getattr(case, "next_deadline_step", None) or None) if case.is_open else None

    @extend_schema_field(OpenApiTypes.DATE)
    def get_next_deadline_due_on(self, case):
        return getattr(case, "next_deadline_due_on", None) if case.is_open else None


class RouteCaseSerializer(_ListDeadlineFields, CaseSerializer):
    """One row of the case list, with the next deadline of its route."""


class RouteCaseDetailSerializer(_ListDeadlineFields, CaseDetailSerializer):
    """The case file with its route: next deadline, the three months, the escalations."""

    next_deadline = serializers.SerializerMethodField()
    past_three_months_without_offer = serializers.SerializerMethodField()
    three_months_on = serializers.SerializerMethodField()
    escalations = EscalationSerializer(many=True, source="route_escalations")

    @extend_schema_field(NextDeadlineSerializer(allow_null=True))
    def get_next_deadline(self, case):
        deadline = next_deadline_of(case, timezone.localdate())
        if deadline is None:
            return None
        return NextDeadlineSerializer(deadline).data

    def get_past_three_months_without_offer(self, case) -> bool:
        """Open, no suitable offer started, and three months since the clock started."""
        return is_past_three_months_without_offer(case)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_three_months_on(self, case):
        return three_months_on(case.clock_start)


# --- write serializers -----------------------------------------------------------------------


class RouteTransitionSerializer(TransitionSerializer):
    reason = serializers.CharField(help_text="Why; required for every move.")


class EscalateSerializer(InputSerializer):
    step = NamedChoiceField(enum_name="TimedStepEnum", choices=TIMED_STEP_CHOICES)
    reason = serializers.CharField()


class AssessmentSerializer(InputSerializer):
    offer_within_four_weeks = serializers.BooleanField(
        help_text="Will a suitable offer start within 4 weeks? `false` puts the case on the "
        "doorbraakteam's agenda at once."
    )
    expected_start_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required with `true`."
    )
    explanation = serializers.CharField()


class ArbitrationStartSerializer(InputSerializer):
    parents_representative = serializers.CharField(max_length=200)
    own_member = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text="A member of the doorbraakteam of the case's own SWV (a doorbraakteam "
        "membership of that SWV, or the convenant's doorbraakteam coordinator).",
    )
    neighbour_member = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text="A doorbraakteam member of the neighbouring SWV named in the convenant.",
    )
    chair = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="The case's casusregisseur (its `lead_user`), who chairs the panel; "
        "empty: that person. Anyone else is refused.",
    )
    reason = serializers.CharField()


class ArbitrationConcludeSerializer(InputSerializer):
    status = NamedChoiceField(enum_name="ArbitrationOutcomeEnum", choices=OUTCOME_CHOICES)
    decision = serializers.CharField(
        allow_blank=True, default="", help_text="Required with `decided`."
    )
    decided_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Empty: today."
    )


class OmReferralSerializer(InputSerializer):
    route = serializers.ChoiceField(choices=OmRoute.choices)
    referred_on = serializers.DateField()
    reason = serializers.CharField()


# --- examples --------------------------------------------------------------------------------

_DETAIL_EXAMPLE = {
    "id": 355,
    "pupil": 873,
    "pupil_name": "Sem de Vries",
    "phase": "casusregisseur",
    "is_open": True,
    "clock_start": "2025-01-13",
    "weeks": 5,
    "lead_organisation": 9,
    "lead_user": 41,
    "next_deadline_step": "doorbraak_assessment",
    "next_deadline_due_on": "2025-03-10",
    "next_deadline": {
        "step": "doorbraak_assessment",
        "due_on": "2025-03-10",
        "days_left": 21,
        "warn_on": "2025-03-03",
    },
    "past_three_months_without_offer": False,
    "three_months_on": "2025-04-13",
    "escalations": [
        {
            "step": "casusregisseur",
            "route_round": 1,
            "due_on": "2025-02-10",
            "happened_at": "2025-02-03T10:15:00+01:00",
            "trigger": "person",
            "on_time": True,
            "reason": "Ouders onbereikbaar; regie naar leerplicht.",
        }
    ],
}


def _error(fields: dict | None = None, detail: str = "Invalid input.") -> dict:
    return {"status": 400, "code": "invalid", "detail": detail, "fields": fields or {}}


def _route_schema(summary, request, description="", examples=()):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: RouteCaseDetailSerializer, **CASE_ERRORS},
        examples=[
            *examples,
            OpenApiExample(
                "Updated case", value=_DETAIL_EXAMPLE, response_only=True, status_codes=["200"]
            ),
        ],
    )


# --- the viewset -----------------------------------------------------------------------------


# The route's escalations of the case file (``EscalationCaseViewSet.file_sections``).
@precompiled
def _route_escalations(case_id: int):
    return Escalation.objects.filter(case_id=case_id).order_by("route_round", "happened_at", "id")


@extend_schema_view(
    list=extend_schema(
        summary="Cases",
        description=(
            "The cases in your scope (school, SWV, leerplicht, a care partner's invited cases "
            "while the parents' consent stands, or the one case a neighbouring SWV's "
            "arbitrator sits on), oldest clock first, with the next deadline of each route."
        ),
    ),
    retrieve=extend_schema(
        summary="One case file with its route (the read is audited)",
        description=(
            "Phase, lead, clock start and weeks, participants, goals, actions, meetings with "
            "decisions, arrangements, lead history, aftercare and the journal; the next "
            "deadline with the days left, the three months and every escalation."
        ),
        responses={200: RouteCaseDetailSerializer},
    ),
)
class EscalationCaseViewSet(CaseViewSet):
    """Cases (casussen): the list, the case file with its route, and what people do to it."""

    serializer_class = RouteCaseSerializer
    transition_input = RouteTransitionSerializer
    file_sections = {**CaseViewSet.file_sections, "route_escalations": _route_escalations}
    required_capabilities = {
        **CaseViewSet.required_capabilities,
        # The school may hand a case to the casusregisseur; the service lets only a
        # casusregisseur go further (403).
        "escalate": Capability.WORK_CASES,
        "assessment": Capability.LEAD_AS_CASUSREGISSEUR,
        "arbitration": Capability.LEAD_AS_CASUSREGISSEUR,
        "arbitration_conclude": Capability.LEAD_AS_CASUSREGISSEUR,
        "om_referral": Capability.LEAD_AS_CASUSREGISSEUR,
    }

    @classmethod
    def shaped(cls, cases, day):
        return (
            super()
            .shaped(cases, day)
            .annotate(
                next_deadline_step=F("deadline__step"),
                next_deadline_due_on=F("deadline__due_on"),
            )
        )

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset
        return queryset.select_related("deadline")

    @classmethod
    def file_scope(cls, user, day):
        return super().file_scope(user, day).select_related("deadline")

    def _updated(self, case):
        try:
            return Response(RouteCaseDetailSerializer(self._case_file(case.pk)).data)
        except Http404:
            return Response(status=status.HTTP_204_NO_CONTENT)

    def retrieve(self, request, *args, **kwargs):
        case = self._case_file(kwargs[self.lookup_url_kwarg or self.lookup_field])
        audit_read(actor=request.user, obj=case)
        return Response(RouteCaseDetailSerializer(case).data)

    @_route_schema(
        "Move the case to another phase",
        RouteTransitionSerializer,
        "Back on the route, or forward to a timed step (`casusregisseur`, "
        "`doorbraak_assessment`, `doorbraakteam`): forward is an escalation by hand, recorded "
        "with its reason, and the steps passed over are recorded as skipped (the same as "
        "`escalate`). Arbitration and the OM have their own actions; closing and reopening "
        "too. A reason is required.",
        examples=[
            OpenApiExample(
                "To the casusregisseur",
                value={"to_phase": "casusregisseur", "reason": "Vier weken thuis; regie over."},
                request_only=True,
            ),
            OpenApiExample(
                "Not allowed",
                value=_error({"phase": ["Van School naar Arbitrage is geen toegestane stap."]}),
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        # ``case_move`` hands a timed step to the escalation (registered in apps.py).
        return super().transition(request, pk)

    @_route_schema(
        "Escalate earlier by hand",
        EscalateSerializer,
        "Take a timed step before its deadline, with a reason. A zorgcoordinator may hand a "
        "case to the casusregisseur; only a casusregisseur (or leerplicht) goes further. "
        "Steps passed over are recorded as skipped.",
        examples=[
            OpenApiExample(
                "Straight to the doorbraakteam",
                value={"step": "doorbraakteam", "reason": "Acute situatie; school weigert."},
                request_only=True,
            ),
            OpenApiExample(
                "Reason missing",
                value=_error({"reason": ["Dit veld is verplicht."]}),
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        case = self.get_object()
        data = self._input(EscalateSerializer, case)
        escalate_by_hand(case=case, step=data["step"], actor=request.user, reason=data["reason"])
        return self._updated(case)

    @_route_schema(
        "Record the doorbraak assessment",
        AssessmentSerializer,
        "In phase `doorbraak_assessment` the casusregisseur answers whether a suitable offer "
        "will start within 4 weeks. `false` brings the case to the doorbraakteam at once; "
        "`true` (with the expected start) keeps it until week 12 at the latest.",
        examples=[
            OpenApiExample(
                "Yes",
                value={
                    "offer_within_four_weeks": True,
                    "expected_start_on": "2025-03-24",
                    "explanation": "Plaats op De Brug, start 24 maart.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "No",
                value={
                    "offer_within_four_weeks": False,
                    "explanation": "Geen plek binnen 4 weken.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Start date missing",
                value=_error({"expected_start_on": ["Wanneer start het aanbod?"]}),
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def assessment(self, request, pk=None):
        case = self.get_object()
        data = self._input(AssessmentSerializer, case)
        assessment_record(case=case, actor=request.user, **data)
        return self._updated(case)

    @_route_schema(
        "Start binding arbitration",
        ArbitrationStartSerializer,
        "From the doorbraakteam, with the parents' (and from 12 the pupil's) consent to "
        "binding arbitration. The panel: the parents' representative, a member of the "
        "doorbraakteam of the case's own SWV and one of the neighbouring SWV named in the "
        "convenant, chaired by the case's casusregisseur. The neighbouring member sees this "
        "case while the panel sits. Every refusal names its field (missing consent: "
        "`parents_representative`).",
        examples=[
            OpenApiExample(
                "Panel",
                value={
                    "parents_representative": "Mr. J. de Wit",
                    "own_member": 52,
                    "neighbour_member": 87,
                    "reason": "Geen overeenstemming over de plek.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Neighbour not in the convenant's SWV",
                value=_error(
                    {"neighbour_member": ["Kies een lid van het doorbraakteam van SWV Buur."]}
                ),
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def arbitration(self, request, pk=None):
        case = self.get_object()
        data = self._input(ArbitrationStartSerializer, case)
        arbitration_start(case=case, actor=request.user, **data)
        return self._updated(case)

    @_route_schema(
        "Conclude the arbitration",
        ArbitrationConcludeSerializer,
        "The panel's outcome: a binding decision (recorded as the hearing's decision), no "
        "result, or the parents refusing it. The neighbouring member's access ends.",
        examples=[
            OpenApiExample(
                "Decided",
                value={
                    "status": "decided",
                    "decision": "Plaatsing op De Brug per 1 april.",
                    "decided_on": "2025-03-20",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Decision missing",
                value=_error({"decision": ["Leg het bindende besluit vast."]}),
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="arbitration-conclude",
        url_name="arbitration-conclude",
    )
    def arbitration_conclude(self, request, pk=None):
        case = self.get_object()
        data = self._input(ArbitrationConcludeSerializer, case)
        panel = arbitration_panel_of(case)
        if panel is None:
            raise ValidationError(_("Voor deze casus is geen arbitragecommissie ingesteld."))
        arbitration_conclude(panel=panel, actor=request.user, **data)
        return self._updated(case)

    @_route_schema(
        "Refer the case to the Openbaar Ministerie",
        OmReferralSerializer,
        "After arbitration without result (or refused by the parents), or from the "
        "doorbraakteam when the parents refuse binding arbitration (arbitration is then "
        "recorded as skipped). Civil or criminal route, with its date.",
        examples=[
            OpenApiExample(
                "Civil",
                value={
                    "route": "civil",
                    "referred_on": "2025-04-02",
                    "reason": "Arbitrage zonder resultaat.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Date in the future",
                value=_error({"referred_on": ["Die datum ligt in de toekomst."]}),
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="om-referral", url_name="om-referral")
    def om_referral(self, request, pk=None):
        case = self.get_object()
        data = self._input(OmReferralSerializer, case)
        om_refer(case=case, actor=request.user, **data)
        return self._updated(case)
