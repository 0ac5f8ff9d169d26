"""Which cases a user may see: on the case's indexed organisation columns, and for
leerplicht and the SWV only where a report in the case is shared with them (consent).

Holding the lead is no ground by itself (DESIGN.md 4.3, ADR 0014): a lead whose organisation
has no shared report (no consent, no legal ground) works from the restricted view of
``cases_in_restricted_view`` until consent is given."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import models
from django.db.models import (
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from registration.models import Pupil
from registration.selectors import (
    leerplicht_municipality_q,
    personal_data_orgs,
    pupil_search,
    pupils_visible_to,
)
from thuiszitters.access import (
    as_id,
    compiled_subquery,
    kept_per_memberships,
    memberships_of,
    precompiled_per_memberships,
)
from thuiszitters.models import (
    LeerplichtBureau,
    Membership,
    OrganisationKind,
    User,
    choice_label,
)
from thuiszitters.precompiled import precompiled_rows
from thuiszitters.roles import Capability

from .models import (
    Action,
    ActionStatus,
    AftercareCheckIn,
    Case,
    CaseEvent,
    CaseQuerySet,
    CaseReport,
    CaseUserObjectPermission,
    Decision,
    Meeting,
    Participant,
)
from .workflow import Phase

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from thuiszitters.system import Actor


@kept_per_memberships
def cases_visible_to(user: User) -> CaseQuerySet:
    """The cases ``user`` reads whole. Its query is kept per user and memberships
    (``kept_per_memberships``): building its subqueries cost more than running the check,
    which every case service makes."""
    ids = personal_data_orgs(user)
    if not ids:
        care = _care_partner_q(user)
        return (
            Case.objects.filter(care | _arbitrator_q(user))
            if care is not None and user.is_authenticated
            else Case.objects.none()
        )
    q = Q(pk__in=[])
    schools = ids[OrganisationKind.SCHOOL]
    if schools:
        q |= Q(school_id__in=schools) | Q(lead_organisation_id__in=schools)
    # The case's copy of its reports' sharing (case_sharing_refresh), on partial indexes.
    if ids[OrganisationKind.SWV]:
        q |= Q(swv_id__in=ids[OrganisationKind.SWV], shared_with_swv=True)
    if ids[OrganisationKind.LEERPLICHT_BUREAU] or ids[OrganisationKind.MUNICIPALITY]:
        q |= leerplicht_municipality_q(ids) & Q(shared_with_leerplicht=True)
    care = _care_partner_q(user)
    if care is not None:
        q |= care
    return Case.objects.filter(q | _arbitrator_q(user))


def _restricted_q(user: User) -> Q | None:
    """The grounds of the restricted view: the user's organisation (or the user) holds the
    lead, or, for a school, its own reports joined the case."""
    ids = personal_data_orgs(user)
    if not ids or not user.is_authenticated:
        return None
    q = Q(lead_organisation_id__in=set().union(*ids.values())) | Q(lead_user_id=user.pk)
    schools = ids[OrganisationKind.SCHOOL]
    if schools:
        reported = CaseReport.objects.filter(report__reporting_organisation_id__in=schools)
        q |= Q(pk__in=reported.values("case_id"))
    return q


def cases_in_restricted_view(user: User) -> CaseQuerySet:
    """Cases the user may know of but not read (ADR 0014): those their organisation leads
    (or they lead) without consent or a legal ground for that organisation, and for a school
    the cases that its own reports joined. The case page shows them in its restricted view
    (``cases.views.case_page``)."""
    q = _restricted_q(user)
    if q is None:
        return Case.objects.none()
    return Case.objects.filter(q).exclude(pk__in=cases_visible_to(user).values("pk"))


def cases_known_to(user: User) -> CaseQuerySet:
    """Cases the user reads whole or in the restricted view."""
    q = _restricted_q(user)
    visible = cases_visible_to(user)
    return visible if q is None else visible | Case.objects.filter(q)


def cases_awaiting_consent(user: User) -> CaseQuerySet:
    """Open cases the user (or their organisation) leads from the restricted view: their
    first task is to ask the parents' consent."""
    orgs = {m.organisation_id for m in memberships_of(user)}
    return (
        cases_in_restricted_view(user)
        .open()
        .filter(Q(lead_user_id=user.pk) | Q(lead_organisation_id__in=orgs))
        .select_related("pupil")
        .order_by("clock_start", "id")
    )


_CASE_VIEW_RELATED = ("pupil", "lead_organisation", "lead_user", "school", "municipality")


@precompiled_per_memberships
def _visible_case(user: User, pk: int) -> CaseQuerySet:
    return cases_visible_to(user).select_related(*_CASE_VIEW_RELATED).filter(pk=pk)


def case_view_of(user: User, pk: int | str) -> tuple[Case | None, bool]:
    """The case and whether the user reads it whole (True) or in the restricted view."""
    case_id = as_id(pk)
    if case_id is None:
        return None, False
    case = next(iter(_visible_case(user, case_id)), None)  # as kept: compiled once (ADR 0028)
    if case is not None:
        return case, True
    case = (
        cases_in_restricted_view(user)
        .select_related(*_CASE_VIEW_RELATED)
        .filter(pk=case_id)
        .first()
    )
    return case, False


def case_is_led_by(user: User, case: Case) -> bool:
    """Whether the user, or an organisation where they may see personal data, holds the lead."""
    if case.lead_user_id is not None and case.lead_user_id == user.pk:
        return True
    ids = personal_data_orgs(user)
    return any(case.lead_organisation_id in orgs for orgs in ids.values())


def _arbitrator_q(user: User) -> Q:
    """The one case a neighbouring SWV's arbitrator sits on: while the grant stands (the
    panel is in session), the case is open and the parents' binding-arbitration consent holds.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    granted = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="view_case_as_arbitrator"
    ).values("content_object_id")
    # The pupil's flag inside the subquery: an outer join to pupils would make PostgreSQL
    # hash every pupil of the region for every scoped list (docs/performance.md).
    sitting = Case.objects.filter(
        pk__in=granted, closed_at__isnull=True, pupil__binding_arbitration_agreed=True
    )
    return Q(pk__in=compiled_subquery(sitting.values("pk")))


def _care_partner_q(user: User) -> Q | None:
    """Cases a care partner was invited to, while the consent for care partners stands.

    The grant is a row of the direct foreign-key permission table (never guardian's generic
    tables); the consent is the pupil's indexed flag, so a withdrawal hides the case at once.
    """
    if not user.is_authenticated:
        return None
    granted = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename="view_case_as_care_partner"
    ).values("content_object_id")
    invited_under_current_consent = Participant.objects.filter(
        case_id=OuterRef("pk"),
        user_id=user.pk,
        removed_at__isnull=True,
        added_at__gte=OuterRef("pupil__care_consent_since"),
    )
    # As for arbitrators: the pupil's flag stays inside the subquery of the user's grants.
    invited = Case.objects.filter(pk__in=granted, pupil__shared_with_care_partners=True).filter(
        Exists(invited_under_current_consent)
    )
    return Q(pk__in=compiled_subquery(invited.values("pk")))


def my_cases(user: User) -> CaseQuerySet:
    """Open cases the user leads or takes part in."""
    participating = Participant.objects.filter(user_id=user.pk, removed_at__isnull=True).values(
        "case_id"
    )
    return cases_visible_to(user).open().filter(Q(lead_user_id=user.pk) | Q(pk__in=participating))


def participant_candidates(actor: "Actor", case: Case) -> QuerySet[User]:
    """Who ``actor`` may add to the case as a participant with an account: professionals
    (they may see personal data) of the actor's own organisations and of the organisations
    working on the case (its school, SWV, lead, and the pupil's municipality with the
    leerplicht bureau serving it), within the case's region. Care partners come only by
    invitation, under consent (``care_partner_invite``)."""
    region_id = case.municipality.region_id
    if region_id is None:  # None would match every organisation without a region
        return User.objects.none()
    bureaus = LeerplichtBureau.municipalities.through.objects.filter(
        municipality_id=case.municipality_id
    ).values("leerplichtbureau_id")
    orgs = {case.school_id, case.swv_id, case.lead_organisation_id, case.municipality_id}
    orgs |= {m.organisation_id for m in memberships_of(actor)} if isinstance(actor, User) else set()
    memberships = (
        Membership.objects.active()
        .filter(
            Q(organisation_id__in=orgs - {None}) | Q(organisation_id__in=bureaus),
            organisation__region_id=region_id,
            role__permissions__codename=Capability.VIEW_PERSONAL_DATA,
        )
        .exclude(
            organisation__kind__in=[OrganisationKind.CARE_ORGANISATION, OrganisationKind.REGION]
        )
    )
    return User.objects.filter(
        pk__in=memberships.values("user_id"), is_active=True, is_service_account=False
    ).order_by("full_name", "email")


def my_actions(user: User) -> QuerySet[Action]:
    """Open actions owned by the user, or by an organisation of theirs without a person, on
    cases the user may see; overdue first."""
    orgs = [m.organisation_id for m in memberships_of(user)]
    return (
        Action.objects.filter(
            Q(owner_user_id=user.pk) | Q(owner_user__isnull=True, owner_organisation_id__in=orgs),
            status=ActionStatus.OPEN,
            case__in=cases_visible_to(user),
        )
        .select_related("case__pupil", "owner_organisation", "owner_user")
        .order_by("due_on", "id")
    )


def due_check_ins(user: User, on: datetime.date | None = None) -> QuerySet[AftercareCheckIn]:
    """Aftercare check-ins that are due, on closed cases the user led or may work on; none
    of a pupil with an open case (it took over; the intake cancels them, older rows too)."""
    day = on or timezone.localdate()
    return (
        AftercareCheckIn.objects.filter(
            due_on__lte=day,
            done_on__isnull=True,
            cancelled=False,
            case__in=cases_visible_to(user),
        )
        .exclude(Exists(Case.objects.open().filter(pupil_id=OuterRef("case__pupil_id"))))
        .select_related("case__pupil")
        .order_by("due_on", "id")
    )


def _visible_case_reports(user: User) -> QuerySet[CaseReport]:
    """The case-report links whose report the user may see (consent decides, not the case)."""
    from registration.selectors import absence_reports_visible_to

    return CaseReport.objects.filter(
        case_id=OuterRef("pk"),
        report_id__in=absence_reports_visible_to(user).values("pk"),
    )


def case_has_report_kind(user: User, kind: str) -> Exists:
    """Whether the case holds a report of ``kind`` that the user may see (for filters)."""
    return Exists(_visible_case_reports(user).filter(report__kind=kind))


def case_has_overdue_action(on: datetime.date | None = None) -> Exists:
    day = on or timezone.localdate()
    return Exists(
        Action.objects.filter(case_id=OuterRef("pk"), status=ActionStatus.OPEN, due_on__lt=day)
    )


def cases_annotate_for_list(
    queryset: QuerySet[Case], on: datetime.date | None = None
) -> QuerySet[Case]:
    """What the case lists show, in the one query of the page: pupil, school and lead joined;
    the number of overdue open actions and the next due date. The kinds of report on the
    page's rows come from ``case_report_kinds`` in one more query.

    Subqueries, not prefetches, so a list costs the same number of queries for 1 or 50 rows.
    """
    from django.db.models import Count, IntegerField, Min, Subquery

    day = on or timezone.localdate()
    open_actions = Action.objects.filter(case_id=OuterRef("pk"), status=ActionStatus.OPEN)
    overdue = (
        open_actions.filter(due_on__lt=day)
        .order_by()
        .values("case_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    next_due = (
        open_actions.order_by().values("case_id").annotate(first=Min("due_on")).values("first")
    )
    return queryset.select_related("pupil", "school", "lead_organisation", "lead_user").annotate(
        overdue_actions=Coalesce(Subquery(overdue, output_field=IntegerField()), 0),
        next_action_due=Subquery(next_due),
    )


# The next route step on the case lists. It is escalation's (its stored ``CaseDeadline``),
# to the right of cases: escalation registers how to annotate it in its AppConfig.ready(),
# as it does the forward moves. Cases neither imports escalation nor names its table in a
# query path ("deadline__due_on" would pass lint-imports but still tie cases to it).
@dataclass(frozen=True)
class NextStepSource:
    annotate: Callable[[QuerySet[Case]], QuerySet[Case]]  # adds next_step, next_step_due
    label: Callable[[str], "StrOrPromise"]


NEXT_STEP_SOURCES: list[NextStepSource] = []


def register_next_step(
    annotate: Callable[[QuerySet[Case]], QuerySet[Case]], label: Callable[[str], "StrOrPromise"]
) -> None:
    """``annotate(cases)`` adds ``next_step`` (a step's value, "" when none) and
    ``next_step_due`` (its date, None when nothing timed is left); ``label(step)`` names it."""
    NEXT_STEP_SOURCES[:] = [NextStepSource(annotate, label)]


def cases_annotate_next_step(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """``next_step`` and ``next_step_due`` in the list's own query (no query per row);
    without a registered source, none (so the column and its sort still work)."""
    if not NEXT_STEP_SOURCES:
        return queryset.annotate(
            next_step=Value("", output_field=CharField()),
            next_step_due=Value(None, output_field=DateField()),
        )
    return NEXT_STEP_SOURCES[0].annotate(queryset)


def next_step_label(step: str) -> "StrOrPromise":
    return NEXT_STEP_SOURCES[0].label(step) if step and NEXT_STEP_SOURCES else ""


@precompiled_per_memberships
def _report_kinds(user: User, *case_ids: int) -> "QuerySet[CaseReport, tuple[int, str]]":
    from registration.selectors import absence_reports_visible_to

    return (
        CaseReport.objects.filter(
            case_id__in=case_ids, report_id__in=absence_reports_visible_to(user).values("pk")
        )
        .values_list("case_id", "report__kind")
        .distinct()
    )


def case_report_kinds(user: User, case_ids: list[int]) -> dict[int, list["StrOrPromise"]]:
    """Per case of a list's page, the labels of the absence kinds of the reports the user may
    see, in the kinds' order: one query for the page, where a subquery per kind per row made
    the list's one query rebuild the visible reports nine times."""
    from registration.models import AbsenceKind

    found: dict[int, set[str]] = {}
    if case_ids:
        for case_id, kind in _report_kinds(user, *case_ids):
            found.setdefault(case_id, set()).add(kind)
    choices = AbsenceKind.choices  # (built anew at every access)
    return {
        case_id: [label for value, label in choices if value in kinds]
        for case_id, kinds in found.items()
    }


def ordering_within_case(model: type[models.Model]) -> list[str]:
    """The ``Meta.ordering`` of a case's rows without its leading ``case``: the same order
    within one case, without joining the case to sort by its clock."""
    return [name for name in model._meta.ordering or () if name != "case"]


def own_fields(model: type[models.Model]) -> tuple[str, ...]:
    """All of a model's own columns, for ``only()`` beside some of a related row's."""
    return tuple(field.name for field in model._meta.concrete_fields)


class DecisionRow(NamedTuple):
    id: int
    meeting_id: int
    text: str


class PersonPresent(NamedTuple):
    meeting_id: int
    participant_id: int
    name: str  # ``Participant.display_name``


@precompiled_rows(DecisionRow)
def _decisions_of_case(case_id: int) -> QuerySet[Decision, tuple[Any, ...]]:
    return (
        Decision.objects.filter(meeting__case_id=case_id)
        .values_list(*DecisionRow._fields)
        .order_by("meeting_id", "id")
    )


@precompiled_rows(PersonPresent)
def _people_at_meetings_of_case(case_id: int) -> QuerySet[Any, tuple[Any, ...]]:
    # The participants in their own order (``Participant.Meta.ordering`` within a case).
    return (
        Meeting.participants.through.objects.filter(meeting__case_id=case_id)
        .annotate(name=User.name_at("participant__user", otherwise="participant__name"))
        .values_list(*PersonPresent._fields)
        .order_by("participant__added_at", "participant__id")
    )


def meetings_in_full(meetings: list[Meeting]) -> list[Meeting]:
    """``meetings`` (of one case) with their decisions (``decision_list``) and the
    participants present (``participant_ids``, and their names as ``present``): two
    queries for the case, compiled once, read as rows, none without meetings. Django's
    ``prefetch_related`` of the same compiled both every time and took 3 ms of each view of
    a case with meetings (issue 14)."""
    if not meetings:
        return meetings
    case_id = meetings[0].case_id
    decisions: dict[int, list[DecisionRow]] = {}
    for decision in _decisions_of_case(case_id):
        decisions.setdefault(decision.meeting_id, []).append(decision)
    people: dict[int, list[PersonPresent]] = {}
    for person in _people_at_meetings_of_case(case_id):
        people.setdefault(person.meeting_id, []).append(person)
    for meeting in meetings:
        meeting.decision_list = decisions.get(meeting.pk, [])
        present = people.get(meeting.pk, [])
        meeting.participant_ids = [person.participant_id for person in present]
        meeting.present = [person.name for person in present]
    return meetings


#: Entries of a case's journal on the case page, and per "older entries".
JOURNAL_PAGE = 20


_EVENT_KIND = CaseEvent._meta.get_field("kind")


class JournalEntry(NamedTuple):
    """An entry of a case's journal as the case page shows it: read as a row, not a model
    instance (``precompiled_rows``; two instances an entry cost 0.3 ms a page)."""

    id: int
    at: datetime.datetime
    kind: str
    message: str
    data: dict[str, Any]
    actor_name: str | None  # the author's full name, else e-mail; None: the system

    @property
    def kind_label(self) -> str:
        return str(choice_label(_EVENT_KIND, self.kind))

    @property
    def text(self) -> str:
        """The message in the reader's language (``CaseEvent.text``)."""
        from .texts import stored_text

        return stored_text(self.data, self.message)


def _journal_rows(case_id: int) -> QuerySet[CaseEvent, tuple[Any, ...]]:
    return (
        CaseEvent.objects.filter(case_id=case_id)
        .annotate(actor_name=User.name_at("actor"))
        .values_list(*JournalEntry._fields)
        .order_by("-at", "-id")
    )


@precompiled_rows(JournalEntry)
def _journal_newest(case_id: int) -> QuerySet[CaseEvent, tuple[Any, ...]]:
    return _journal_rows(case_id)[: JOURNAL_PAGE + 1]  # one more: are there older ones?


@precompiled_rows(JournalEntry)
def _journal_older(case_id: int, before: int) -> QuerySet[CaseEvent, tuple[Any, ...]]:
    at = Subquery(CaseEvent.objects.filter(case_id=case_id, pk=before).values("at"))
    older = _journal_rows(case_id).filter(Q(at__lt=at) | Q(at=at, pk__lt=before))
    return older[: JOURNAL_PAGE + 1]


@dataclass(frozen=True)
class JournalPage:
    entries: list[JournalEntry]
    older: int | None  # the last entry's id, to ask the next page with; None: no older


def journal_page(case_id: int, before: int | None = None) -> JournalPage:
    """A page of a case's journal, newest first: the newest entries, or those older than the
    case's entry ``before`` (keyset: an entry added meanwhile does not shift the pages; an
    id of another case's entry gives no entries). The caller has checked that its user reads
    the case whole."""
    rows = _journal_newest(case_id) if before is None else _journal_older(case_id, before)
    older_id = rows[JOURNAL_PAGE - 1].id if len(rows) > JOURNAL_PAGE else None
    return JournalPage(rows[:JOURNAL_PAGE], older_id)


def signals_visible_to(user: User) -> CaseQuerySet:
    """The preventive list (DESIGN.md 4.1): open cases that are only an at-risk signal, or
    in phase school with a school that expects a thuiszitter soon, within the user's scope."""
    return (
        cases_visible_to(user)
        .open()
        .filter(Q(at_risk=True) | Q(phase=Phase.SCHOOL, expects_thuiszitter_soon=True))
    )


# "69", "#69", "Casus 69", "casus69"; nine digits are a BSN, never a case number.
_CASE_NUMBER = re.compile(r"(?:casus\s*)?#?\s*(\d{1,8})", re.IGNORECASE)
SEARCH_SHOWN = 50


def case_number_in(text: str) -> int | None:
    """The case number typed in a search box, else None."""
    match = _CASE_NUMBER.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def case_search(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Narrow cases to a case number, or to the pupils that ``pupil_search`` finds by name,
    BSN or date of birth. Only narrows: the scope stays that of ``cases``."""
    text = text.strip()
    if not text:
        return cases
    number = case_number_in(text)
    if number is not None:
        return cases.filter(pk=number)
    # pupil_search over all pupils is safe inside a subquery: the outer cases are scoped.
    return cases.filter(pupil_id__in=pupil_search(Pupil.objects.all(), text).values("pk"))


def search_everything(user: User, text: str) -> tuple[list[Case], list[Pupil]]:
    """The header's search: the cases and the pupils the user may see that match ``text``
    (a case number, a name, a BSN or a date of birth), each at most ``SEARCH_SHOWN``."""
    text = text.strip()
    if not text:
        return [], []
    cases = list(
        case_search(cases_visible_to(user), text)
        .select_related("pupil")
        .order_by(
            F("closed_at").asc(nulls_first=True), "pupil__surname", "pupil__given_names", "id"
        )[:SEARCH_SHOWN]
    )
    if case_number_in(text) is not None:
        pupils: list[Pupil] = []  # a case number names no pupil
    else:
        pupils = list(
            pupil_search(pupils_visible_to(user), text)
            .select_related("municipality")
            .order_by("surname", "given_names", "id")[:SEARCH_SHOWN]
        )
    return cases, pupils
