"""``/api/v1/cases/``: the case list with filters, the case file, and the case's actions.

Reads come from ``cases_visible_to``; a case outside the caller's scope is a 404, on every
route. Each action translates JSON into one call of a service in ``cases.services`` and
answers with the updated case; the services hold the rules, check the capability and the
scope again, audit the change and write the journal.

The router serves the subclass ``escalation.api.EscalationCaseViewSet``, which adds the next
deadline, the escalations and the route's actions: ``escalation`` depends on ``cases``,
never the other way round.
"""

import datetime
from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from registration.models import ConsentHow, ConsentParty, ConsentScope, ConsentStatus
from thuiszitters.access import as_id, kept_per_memberships, precompiled_per_memberships, scope_key
from thuiszitters.api.serializers import InputSerializer, PlannedOutputMixin
from thuiszitters.api.views import ScopedReadOnlyViewSet
from thuiszitters.audit import audit_read
from thuiszitters.filters import list_key
from thuiszitters.models import Organisation, User
from thuiszitters.precompiled import precompiled
from thuiszitters.roles import Capability
from thuiszitters.selectors import organisations_visible_to

from ..filters import CaseFilter
from ..models import (
    Action,
    AftercareCheckIn,
    Arrangement,
    Case,
    CaseEvent,
    CaseEventKind,
    Goal,
    LeadAssignment,
    Meeting,
    Participant,
)
from ..selectors import (
    cases_annotate_for_list,
    cases_visible_to,
    meetings_in_full,
    ordering_within_case,
    own_fields,
)
from ..services import (
    action_add,
    case_close,
    case_consent_record,
    case_journal_add,
    case_lead_change,
    case_move,
    case_reopen,
)
from ..workflow import ClosureReason, Phase
from .absence_reports import ApiErrorSerializer

# --- read serializers -----------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "user", "organisation", "name", "display_name", "role", "added_at"]
        read_only_fields = fields


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    measure = serializers.CharField()
    target_date = serializers.DateField(allow_null=True)
    achieved_on = serializers.DateField(allow_null=True)


class ActionSerializer(serializers.ModelSerializer):
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "description",
            "goal",
            "decision",
            "owner_user",
            "owner_organisation",
            "due_on",
            "status",
            "is_overdue",
            "completed_at",
        ]
        read_only_fields = fields


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class MeetingSerializer(serializers.ModelSerializer):
    # Read from the lists ``meetings_in_full`` attaches.
    participants = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, source="participant_ids"
    )
    decisions = DecisionSerializer(many=True, read_only=True, source="decision_list")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "held_on",
            "participants",
            "parents_present",
            "pupil_present",
            "notes",
            "decisions",
        ]
        read_only_fields = fields


class ArrangementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    description = serializers.CharField()
    start_on = serializers.DateField()
    share_percent = serializers.IntegerField()
    is_suitable_offer = serializers.BooleanField()
    cost_total = serializers.DecimalField(max_digits=10, decimal_places=2)
    municipality_share_percent = serializers.IntegerField()
    cost_municipality = serializers.DecimalField(max_digits=10, decimal_places=2)
    cost_swv = serializers.DecimalField(max_digits=10, decimal_places=2)


class LeadAssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadAssignment
        fields = ["organisation", "user", "started_at", "ended_at", "reason"]
        read_only_fields = fields


class JournalEntrySerializer(serializers.ModelSerializer):
    # In the request's language: a system text renders from its code (cases/texts.py).
    message = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "actor", "kind", "message"]
        read_only_fields = fields


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    due_on = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    cancelled = serializers.BooleanField()


class CaseSerializer(PlannedOutputMixin, serializers.Serializer):
    """One row of the case list."""

    id = serializers.IntegerField()
    pupil = serializers.IntegerField(source="pupil_id")
    pupil_name = serializers.CharField(source="pupil.full_name")
    phase = serializers.ChoiceField(choices=Phase.choices)
    is_open = serializers.BooleanField()
    clock_start = serializers.DateField()
    weeks = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_reason = serializers.CharField()
    swv = serializers.IntegerField(source="swv_id", allow_null=True)
    school = serializers.IntegerField(source="school_id", allow_null=True)
    municipality = serializers.IntegerField(source="municipality_id")
    lead_organisation = serializers.IntegerField(source="lead_organisation_id")
    lead_organisation_name = serializers.CharField(source="lead_organisation.name")
    lead_user = serializers.IntegerField(source="lead_user_id", allow_null=True)
    overdue_actions = serializers.IntegerField()
    next_action_due = serializers.DateField(allow_null=True)

    def get_weeks(self, case) -> int:
        """Whole weeks since the clock started (the first day of the continuous absence)."""
        end = case.closed_at.date() if case.closed_at else timezone.localdate()
        return max((end - case.clock_start).days // 7, 0)


class CaseDetailSerializer(CaseSerializer):
    """The case file: the list fields plus everyone and everything in the case."""

    situation_level = serializers.CharField()
    lead_mode = serializers.CharField()
    daytime_activity = serializers.CharField()
    causes = serializers.ListField(child=serializers.CharField())
    waiting_list_for = serializers.CharField()
    waiting_since = serializers.DateField(allow_null=True)
    first_offer_started_on = serializers.DateField(allow_null=True)
    closed_note = serializers.CharField()
    participants = ParticipantSerializer(many=True, source="current_participants")
    goals = GoalSerializer(many=True, source="file_goals")
    actions = ActionSerializer(many=True, source="file_actions")
    meetings = MeetingSerializer(many=True, source="file_meetings")
    arrangements = ArrangementSerializer(many=True, source="file_arrangements")
    lead_history = LeadAssignmentSerializer(many=True, source="file_lead_history")
    journal = JournalEntrySerializer(many=True, source="file_events")
    check_ins = CheckInSerializer(many=True, source="file_check_ins")


# --- write serializers ----------------------------------------------------------------


class TransitionSerializer(InputSerializer):
    # Closing and reopening have their own actions.
    to_phase = serializers.ChoiceField(choices=[c for c in Phase.choices if c[0] != Phase.CLOSED])
    reason = serializers.CharField(allow_blank=True, default="")


class CloseSerializer(InputSerializer):
    reason = serializers.ChoiceField(choices=ClosureReason.choices)
    note = serializers.CharField(allow_blank=True, default="")
    offer_started_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReopenSerializer(InputSerializer):
    reason = serializers.CharField()


class JournalSerializer(InputSerializer):
    kind = serializers.ChoiceField(
        choices=[
            (k, label)
            for k, label in CaseEventKind.choices
            if k in (CaseEventKind.NOTE, CaseEventKind.CONVERSATION, CaseEventKind.DECISION)
        ],
        default=CaseEventKind.NOTE,
    )
    text = serializers.CharField()


@extend_schema_field(OpenApiTypes.INT)
class _CaseOrganisationField(serializers.PrimaryKeyRelatedField):
    """An active organisation of the case's region (or one the caller sees): a school hands
    the lead to the leerplicht bureau of its region, never to an organisation elsewhere.
    People are checked by the service (a membership of that organisation)."""

    def get_queryset(self):
        case = self.context["case"]
        visible = organisations_visible_to(self.context["request"].user).values("pk")
        return Organisation.objects.filter(
            Q(region_id=case.municipality.region_id) | Q(pk__in=visible), is_active=True
        )


class ActionAddSerializer(InputSerializer):
    description = serializers.CharField()
    due_on = serializers.DateField()
    owner_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    owner_organisation = _CaseOrganisationField(required=False, allow_null=True)


class LeadSerializer(InputSerializer):
    organisation = _CaseOrganisationField()
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    reason = serializers.CharField(allow_blank=True, default="")


class ConsentSerializer(InputSerializer):
    scope = serializers.ChoiceField(choices=ConsentScope.choices)
    status = serializers.ChoiceField(choices=ConsentStatus.choices)
    party = serializers.ChoiceField(choices=ConsentParty.choices)
    stated_on = serializers.DateField()
    how = serializers.ChoiceField(choices=ConsentHow.choices)
    note = serializers.CharField(allow_blank=True, default="")


# --- examples -------------------------------------------------------------------------

_CASE_EXAMPLE = {
    "id": 355,
    "pupil": 873,
    "pupil_name": "Sem de Vries",
    "phase": "casusregisseur",
    "is_open": True,
    "clock_start": "2025-01-13",
    "weeks": 5,
    "opened_at": "2025-02-03T09:12:00+01:00",
    "closed_at": None,
    "closed_reason": "",
    "swv": 3,
    "school": 12,
    "municipality": 7,
    "lead_organisation": 9,
    "lead_organisation_name": "Leerplicht Regio Utrecht",
    "lead_user": 41,
    "overdue_actions": 0,
    "next_action_due": "2025-02-21",
}
_ERROR_PHASE = {
    "status": 400,
    "code": "invalid",
    "detail": "Invalid input.",
    "fields": {"phase": ["Van School naar Doorbraakteam is geen toegestane stap."]},
}
_ERROR_NOTE = {
    "status": 400,
    "code": "invalid",
    "detail": "Invalid input.",
    "fields": {"note": ["Licht toe waarom de casus sluit."]},
}
# The error responses of every case action (the escalation app's route actions too).
CASE_ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="Field-level errors."),
    403: OpenApiResponse(ApiErrorSerializer, description="Not allowed for your role."),
    404: OpenApiResponse(ApiErrorSerializer, description="No such case in your scope."),
}


def _write_schema(summary, request, description="", examples=()):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: CaseDetailSerializer, **CASE_ERRORS},
        examples=list(examples),
    )


# The viewsets' querysets, built once a day per class (and per user and memberships for the
# scoped one, ADR 0027): building the annotations took about 0.6 ms of every request.
@kept_per_memberships
def _scoped(user, viewset: "type[CaseViewSet]", day: datetime.date):
    return viewset.shaped(cases_visible_to(user), day).order_by("clock_start", "id")


@precompiled_per_memberships
def _file_case(user, viewset: "type[CaseViewSet]", day: datetime.date, pk: int):
    return viewset.file_scope(user, day).filter(pk=pk)


def _of_case(model) -> "Callable[[int], QuerySet]":
    """A case's rows of ``model``, in the model's own ``ordering``, compiled once."""
    return precompiled(
        lambda case_id: model.objects.filter(case_id=case_id).order_by(*ordering_within_case(model))
    )


# The case file's sections (``CaseViewSet.file_sections``), in the order of the models' own
# ``ordering`` unless said.
@precompiled
def _current_participants(case_id: int):
    # Of the user only what ``display_name`` reads (the user itself is given as its id).
    return (
        Participant.objects.filter(case_id=case_id, removed_at__isnull=True)
        .select_related("user")
        .only(*own_fields(Participant), "user__full_name", "user__email")
        .order_by(*ordering_within_case(Participant))
    )


@precompiled
def _actions(case_id: int):
    return Action.objects.filter(case_id=case_id).order_by("due_on", "id")


@precompiled
def _meetings_only(case_id: int):
    return Meeting.objects.filter(case_id=case_id).order_by(*ordering_within_case(Meeting))


def _meetings(case_id: int) -> list[Meeting]:
    return meetings_in_full(list(_meetings_only(case_id)))


@precompiled
def _page_rows(viewset: "type[CaseViewSet]", day: datetime.date, *ids: int):
    """A page's rows by their ids, built and compiled once per day and number of rows
    (ADR 0028; precompiled keeps the built queryset too)."""
    return (
        viewset.shaped(Case.objects.filter(pk__in=ids), day)
        .select_related(None)
        .select_related("pupil", "lead_organisation")
        .only(*viewset.list_columns)
    )


@extend_schema_view(
    list=extend_schema(
        summary="Cases",
        description=(
            "The cases in your scope (school, SWV, leerplicht, or a care partner's invited "
            "cases while the parents' consent stands), oldest clock first."
        ),
    ),
    retrieve=extend_schema(
        summary="One case file (the read is audited)",
        description=(
            "Phase, lead, clock start and weeks, participants, goals, actions, meetings "
            "with decisions, arrangements, lead history, aftercare and the journal."
        ),
    ),
)
class CaseViewSet(ScopedReadOnlyViewSet):
    """Cases (casussen): the list, the case file and what people do to a case."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    audit_object_type = "cases.case"
    transition_input: type[InputSerializer] = TransitionSerializer
    required_capabilities = {
        "list": Capability.VIEW_PERSONAL_DATA,
        "retrieve": Capability.VIEW_PERSONAL_DATA,
        "transition": Capability.WORK_CASES,
        "close": Capability.WORK_CASES,
        "journal": Capability.WORK_CASES,
        "action_add": Capability.WORK_CASES,
        "lead": Capability.WORK_CASES,
        "consent": Capability.WORK_CASES,
        "reopen": Capability.LEAD_AS_CASUSREGISSEUR,
    }

    @classmethod
    def shaped(cls, cases, day):
        """What the list and the case file read of each case, as of ``day``."""
        return cases_annotate_for_list(cases, on=day)

    #: The filters whose SQL depends on their value alone (``list_key``); ``weeks_min`` and
    #: ``overdue`` read the date themselves.
    kept_filters = frozenset(
        {"phase", "kind", "school", "swv", "municipality", "lead_organisation", "open"}
    )

    @cached_property
    def day(self) -> datetime.date:
        """The request's day: the list's scope, its key and its rows are of the same day."""
        return timezone.localdate()

    def get_queryset(self):
        if self.action == "list":  # the scope alone: the rows are read by id, shaped (rows_of)
            return cases_visible_to(self.request.user).order_by("clock_start", "id")
        return _scoped(self.request.user, type(self), self.day)

    def list_key(self):
        """Everything the SQL of the filtered list depends on (``ApiPagination``): the scope's
        key, the class and the day (``_scoped``) and the filters; None when a filter reads
        more than its value."""
        return list_key(
            getattr(self, "filterset", None),
            self.kept_filters,
            "cases_api",
            type(self),
            scope_key(self.request.user),
            self.day,
        )

    @classmethod
    def file_scope(cls, user, day):
        """The cases whose file ``user`` may read, with what the file reads of the case."""
        # The municipality: the audit of the read files it in the pupil's region too.
        return _scoped(user, cls, day).select_related("municipality")

    #: What a row of the list reads (``CaseSerializer``). A page of 50 cases read whole, with
    #: the school and the lead user the rows do not show, took twice as long (issue 14).
    list_columns = (
        "pupil__given_names",
        "pupil__surname_prefix",
        "pupil__surname",
        "phase",
        "clock_start",
        "opened_at",
        "closed_at",
        "closed_reason",
        "swv_id",
        "school_id",
        "municipality_id",
        "lead_organisation__name",
        "lead_user_id",
    )

    def rows_of(self, ids):
        """A page's rows by the ids that its scoped list gave (``ApiPagination``), with only
        the columns and joins that a row shows."""
        return _page_rows(type(self), self.day, *ids)

    #: The case file's sections: the attribute each is read into (the detail serializer's
    #: ``source``), and the query of a case's rows, compiled once per process (ADR 0028).
    file_sections: dict[str, Callable[[int], Iterable]] = {
        "current_participants": _current_participants,
        "file_goals": _of_case(Goal),
        "file_actions": _actions,
        "file_meetings": _meetings,
        "file_arrangements": _of_case(Arrangement),
        "file_lead_history": _of_case(LeadAssignment),
        "file_events": _of_case(CaseEvent),
        "file_check_ins": _of_case(AftercareCheckIn),
    }

    def _case_file(self, pk):
        """The case with everything the detail shows, in a fixed number of queries."""
        user, today = self.request.user, self.day
        case_id = as_id(pk)
        case = next(iter(_file_case(user, type(self), today, case_id)), None) if case_id else None
        if case is None:
            self.refuse(pk)
        self.check_object_permissions(self.request, case)
        for attribute, rows in self.file_sections.items():
            setattr(case, attribute, list(rows(case.pk)))
        return case

    def _updated(self, case):
        """The case after the change; 204 when the change took it out of the caller's
        scope (the lead handed to an organisation that does not share it with them)."""
        try:
            return Response(CaseDetailSerializer(self._case_file(case.pk)).data)
        except Http404:
            return Response(status=status.HTTP_204_NO_CONTENT)

    def _input(self, serializer_class, case):
        context = {**self.get_serializer_context(), "case": case}
        serializer = serializer_class(data=self.request.data, context=context)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def retrieve(self, request, *args, **kwargs):
        case = self._case_file(kwargs[self.lookup_url_kwarg or self.lookup_field])
        audit_read(actor=request.user, obj=case)
        return Response(CaseDetailSerializer(case).data)

    @_write_schema(
        "Move the case to another phase",
        TransitionSerializer,
        "Allowed steps follow the transition table; closing and reopening have their own "
        "actions. A reason is required.",
        examples=[
            OpenApiExample(
                "To the casusregisseur",
                value={"to_phase": "casusregisseur", "reason": "Vier weken thuis; regie over."},
                request_only=True,
            ),
            OpenApiExample("Moved", value=_CASE_EXAMPLE, response_only=True, status_codes=["200"]),
            OpenApiExample(
                "Not allowed", value=_ERROR_PHASE, response_only=True, status_codes=["400"]
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        data = self._input(self.transition_input, case)
        case_move(case=case, to_phase=data["to_phase"], reason=data["reason"], actor=request.user)
        return self._updated(case)

    @_write_schema(
        "Close the case",
        CloseSerializer,
        "A closure reason is required (`other` needs a note). Closing with an offer "
        "schedules aftercare check-ins at 3, 6 and 12 months.",
        examples=[
            OpenApiExample(
                "Offer started",
                value={
                    "reason": "offer_started",
                    "note": "Start op de nieuwe school.",
                    "offer_started_on": "2025-03-03",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Closed",
                value={
                    **_CASE_EXAMPLE,
                    "phase": "closed",
                    "is_open": False,
                    "closed_at": "2025-03-03T10:00:00+01:00",
                    "closed_reason": "offer_started",
                },
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "Note missing", value=_ERROR_NOTE, response_only=True, status_codes=["400"]
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        data = self._input(CloseSerializer, case)
        case_close(case=case, actor=request.user, **data)
        return self._updated(case)

    @_write_schema(
        "Reopen a closed case",
        ReopenSerializer,
        "Only a casusregisseur may reopen; the case returns to phase `school`.",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        case = self.get_object()
        data = self._input(ReopenSerializer, case)
        case_reopen(case=case, actor=request.user, reason=data["reason"])
        return self._updated(case)

    @_write_schema("Write a note, conversation or decision in the journal", JournalSerializer)
    @action(detail=True, methods=["post"])
    def journal(self, request, pk=None):
        case = self.get_object()
        data = self._input(JournalSerializer, case)
        case_journal_add(case=case, actor=request.user, kind=data["kind"], text=data["text"])
        return self._updated(case)

    @_write_schema(
        "Add an action to the plan",
        ActionAddSerializer,
        "Who does what by when: a person (`owner_user`), an organisation, or both.",
    )
    @action(detail=True, methods=["post"], url_path="actions", url_name="actions")
    def action_add(self, request, pk=None):
        case = self.get_object()
        data = self._input(ActionAddSerializer, case)
        action_add(case=case, actor=request.user, **data)
        return self._updated(case)

    @_write_schema("Hand the lead to another organisation (and person)", LeadSerializer)
    @action(detail=True, methods=["post"])
    def lead(self, request, pk=None):
        case = self.get_object()
        data = self._input(LeadSerializer, case)
        case_lead_change(
            case=case,
            actor=request.user,
            organisation=data["organisation"],
            user=data.get("user"),
            reason=data["reason"],
        )
        return self._updated(case)

    @_write_schema(
        "Record a statement of consent for the pupil",
        ConsentSerializer,
        "Withdrawing `share_with_care_partners` removes every care partner's access at once.",
    )
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        case = self.get_object()
        data = self._input(ConsentSerializer, case)
        case_consent_record(case=case, actor=request.user, **data)
        return self._updated(case)
