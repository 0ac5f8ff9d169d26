"""Computing and storing each open case's next deadline, in batches.

``deadlines_compute`` reads everything a batch of cases needs in a fixed number of queries
(cases, escalations, assessments, convenants, holidays, stored rows) and writes the rows
with one upsert. Policy and holiday changes call ``deadlines_recompute`` at once; the sweep
calls ``deadlines_refresh_stale`` for cases whose phase, clock or round changed since.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cases.models import Case
from cases.workflow import Phase
from thuiszitters.bulk import insert_columns

from ..models import (
    CaseDeadline,
    DoorbraakAssessment,
    Escalation,
    PolicyVersion,
    SchoolHoliday,
    Step,
)
from ..route import (
    Deadline,
    Holidays,
    Policy,
    RouteState,
    merge_holidays,
    next_deadline,
    om_due,
    step_due,
    three_months_on,
)
from .policy import current_versions

BATCH_SIZE = 2000
DEADLINE_COLUMNS = [
    "case_id",
    "policy_version_id",
    "phase",
    "clock_start",
    "route_round",
    "step",
    "due_on",
    "warn_on",
    "three_months_on",
]
DEADLINE_FIELDS = [
    "policy_version",
    "phase",
    "clock_start",
    "route_round",
    "step",
    "due_on",
    "warn_on",
    "three_months_on",
    "computed_at",
]


def holidays_by_region(region_ids: Iterable[int]) -> dict[int, Holidays]:
    periods: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for region_id, first, last in SchoolHoliday.objects.filter(
        region_id__in=list(region_ids)
    ).values_list("region_id", "starts_on", "ends_on"):
        periods[region_id].append((first, last))
    return {region_id: merge_holidays(p) for region_id, p in periods.items()}


def batched(ids: list[int], size: int = BATCH_SIZE) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """A stored deadline as the sweep reads it in bulk: the fields of ``CaseDeadline`` it
    uses, without a model instance per row (a fifth of a catch-up's Python time)."""

    case_id: int
    policy_version_id: int | None
    phase: str
    clock_start: datetime.date
    route_round: int
    step: str
    due_on: datetime.date | None
    warn_on: datetime.date | None
    three_months_on: datetime.date

    def is_current_for(self, phase: str, clock_start: datetime.date, route_round: int) -> bool:
        return (self.phase, self.clock_start, self.route_round) == (
            phase,
            clock_start,
            route_round,
        )

    @classmethod
    def read(cls, queryset: "QuerySet[CaseDeadline]") -> list["DeadlineRow"]:
        return [cls(*values) for values in queryset.values_list(*DEADLINE_COLUMNS)]


def signal_changed(row: "CaseDeadline | DeadlineRow", at_risk: bool, phase: str) -> bool:
    """Whether the row predates a change of the case's at-risk flag: a signal has no step,
    and a case in phase school with absence always has one. The clock start may not move
    when absence is first reported, so the stored inputs alone do not show it."""
    return bool(row.step) if at_risk else (phase == Phase.SCHOOL and not row.step)


def offer_stops_om(
    row: "CaseDeadline | DeadlineRow", first_offer_started_on: datetime.date | None
) -> bool:
    """Whether a stored OM step predates a suitable offer's start (which moves none of the
    stored inputs): a started offer stops the OM clock."""
    return row.step == Step.OM_REFERRAL and first_offer_started_on is not None


class RouteFacts:
    """What the route computation needs of a batch of cases, read in six queries."""

    def __init__(self, case_ids: list[int]):
        wanted = set(case_ids)
        # A batch of neighbouring ids (the backfill's, the sweep's keyset batches) is read as
        # an id range, an index range scan without a parameter per id; scattered ids by list.
        low, high = (min(wanted), max(wanted)) if wanted else (0, -1)
        dense = high - low < 2 * len(wanted)
        by_case = Q(case_id__gte=low, case_id__lte=high) if dense else Q(case_id__in=list(wanted))
        self.cases = {
            row["pk"]: row
            for row in Case.objects.filter(
                Q(pk__gte=low, pk__lte=high) if dense else Q(pk__in=list(wanted)),
                closed_at__isnull=True,
            ).values(
                "pk",
                "phase",
                "clock_start",
                "route_round",
                "swv_id",
                "municipality_id",
                "municipality__region_id",
                "lead_organisation_id",
                "lead_user_id",
                "at_risk",
                "first_offer_started_on",
            )
            if row["pk"] in wanted
        }
        rounds = {pk: row["route_round"] for pk, row in self.cases.items()}
        self.done: dict[int, set[str]] = defaultdict(set)
        self.assessment_since: dict[int, datetime.date] = {}
        self.doorbraakteam_since: dict[int, datetime.date] = {}
        for case_id, route_round, step, happened_at in Escalation.objects.filter(
            by_case
        ).values_list("case_id", "route_round", "step", "happened_at"):
            if rounds.get(case_id) != route_round:  # also: not a case of this batch
                continue
            self.done[case_id].add(step)
            if step == Step.DOORBRAAK_ASSESSMENT:
                self.assessment_since[case_id] = timezone.localtime(happened_at).date()
            elif step == Step.DOORBRAAKTEAM:
                self.doorbraakteam_since[case_id] = timezone.localtime(happened_at).date()
        self.assessment_yes = {
            case_id
            for case_id, route_round in DoorbraakAssessment.objects.filter(
                by_case, offer_within_four_weeks=True
            ).values_list("case_id", "route_round")
            if rounds.get(case_id) == route_round
        }
        self.versions = current_versions({r["swv_id"] for r in self.cases.values()} - {None})
        self.holidays = holidays_by_region(
            {r["municipality__region_id"] for r in self.cases.values()} - {None}
        )
        self._memo: dict[tuple[Any, ...], Deadline | None] = {}
        self._policies: dict[int | None, Policy] = {}

    def is_current(self, row: "CaseDeadline | DeadlineRow") -> bool:
        case = self.cases.get(row.case_id)
        return (
            case is not None
            and row.is_current_for(case["phase"], case["clock_start"], case["route_round"])
            and not signal_changed(row, case["at_risk"], case["phase"])
            and not offer_stops_om(row, case["first_offer_started_on"])
        )

    def version(self, case_id: int) -> PolicyVersion | None:
        return self.versions.get(self.cases[case_id]["swv_id"])

    def policy(self, case_id: int) -> Policy:
        return Policy.of(self.version(case_id))

    def holidays_of(self, case_id: int) -> Holidays:
        return self.holidays.get(self.cases[case_id]["municipality__region_id"], ())

    def planned(self, case_id: int, step: str) -> datetime.date:
        """The convenant's date for a timed step of this case."""
        if step == Step.OM_REFERRAL:
            since = self.doorbraakteam_since.get(case_id) or self.planned(
                case_id, Step.DOORBRAAKTEAM
            )
            return om_due(since, self.policy(case_id))
        return step_due(
            step,
            self.cases[case_id]["clock_start"],
            self.policy(case_id),
            self.holidays_of(case_id),
        )

    def state(self, case_id: int, taken: tuple[str, datetime.date] | None = None) -> RouteState:
        """The case's state; with ``taken`` (step, day) as it is once the sweep took that
        step on that day (what reading it again after the step would give)."""
        row = self.cases[case_id]
        phase = row["phase"]
        done = frozenset(self.done.get(case_id, ()))
        assessment_since = self.assessment_since.get(case_id)
        doorbraakteam_since = self.doorbraakteam_since.get(case_id)
        if taken is not None:
            phase, on = taken
            done = done | {phase}
            if phase == Step.DOORBRAAK_ASSESSMENT:
                assessment_since = on
            elif phase == Step.DOORBRAAKTEAM:
                doorbraakteam_since = on
        return RouteState(
            phase=phase,
            clock_start=row["clock_start"],
            done=done,
            assessment_yes=case_id in self.assessment_yes,
            assessment_since=assessment_since,
            at_risk=row["at_risk"],
            doorbraakteam_since=doorbraakteam_since,
            offer_started=row["first_offer_started_on"] is not None,
        )

    def deadline_values(
        self, case_id: int, taken: tuple[str, datetime.date] | None = None
    ) -> dict[str, Any]:
        """The stored deadline's fields (but ``computed_at``) for this case (``taken``: as in
        ``state``). Cases of one convenant and region in the same state share a deadline:
        computed once a batch."""
        row = self.cases[case_id]
        version = self.version(case_id)
        region = row["municipality__region_id"]
        state = self.state(case_id, taken)
        key = (state, version.pk if version is not None else None, region)
        deadline = self._memo.get(key, _MISSING)
        if deadline is _MISSING:
            policy = self._policies.get(key[1])
            if policy is None:
                policy = self._policies[key[1]] = Policy.of(version)
            deadline = self._memo[key] = next_deadline(state, policy, self.holidays_of(case_id))
        return {
            "case_id": case_id,
            "policy_version_id": key[1],
            "phase": state.phase,
            "clock_start": row["clock_start"],
            "route_round": row["route_round"],
            "step": deadline.step if deadline else "",
            "due_on": deadline.due_on if deadline else None,
            "warn_on": deadline.warn_on if deadline else None,
            "three_months_on": three_months_on(row["clock_start"]),
        }

    def deadline_row(self, case_id: int, now: datetime.datetime) -> CaseDeadline:
        return CaseDeadline(**self.deadline_values(case_id), computed_at=now)


_MISSING: Any = object()


def deadlines_compute(case_ids: list[int], *, keep_passed_on: datetime.date | None = None) -> int:
    """Compute and store the deadlines of these cases (closed ones lose their row).

    With ``keep_passed_on`` a stored deadline that has already passed on that day stays as it
    is, when the case is still where it was (a convenant change applies to deadlines not yet
    passed).
    """
    written = 0
    now = timezone.now()
    for ids in batched(list(case_ids)):
        facts = RouteFacts(ids)
        closed = set(ids) - set(facts.cases)
        if closed:
            CaseDeadline.objects.filter(case_id__in=closed).delete()
        keep: set[int] = set()
        if keep_passed_on is not None:
            keep = {
                row.case_id
                for row in CaseDeadline.objects.filter(
                    case_id__in=list(facts.cases), due_on__lte=keep_passed_on
                )
                if facts.is_current(row)
            }
        rows = [facts.deadline_values(pk) for pk in facts.cases if pk not in keep]
        written += _store(rows, now)
    return written


def deadlines_after_steps(
    facts: RouteFacts, taken: dict[int, str], happened_at: datetime.datetime
) -> int:
    """Store the next deadlines of the cases the sweep just moved (case id -> the step it
    took), from the facts the batch read before the step: the same rows
    ``deadlines_compute`` would write after reading the cases again."""
    on = timezone.localtime(happened_at).date()
    rows = [facts.deadline_values(pk, (step, on)) for pk, step in taken.items()]
    return _store(rows, timezone.now())


def _store(rows: list[dict[str, Any]], now: datetime.datetime) -> int:
    return insert_columns(
        CaseDeadline,
        {
            **{name: [r[name] for r in rows] for name in DEADLINE_COLUMNS},
            "computed_at": now,
            "warned_for": None,
        },
        len(rows),
        unique_fields=["case"],
        update_fields=DEADLINE_FIELDS,
    )


def deadlines_recompute(
    *,
    swv_ids: Iterable[int] = (),
    region_ids: Iterable[int] = (),
    on: datetime.date | None = None,
) -> int:
    """After a convenant or holiday change: the open cases of these SWVs or regions get new
    deadlines, except those already passed (the sweep acts on those as they were)."""
    day = on or timezone.localdate()
    q = Q(pk__in=[])
    if swv_ids:
        q |= Q(swv_id__in=list(swv_ids))
    if region_ids:
        q |= Q(municipality__region_id__in=list(region_ids))
    ids = list(Case.objects.open().filter(q).order_by("pk").values_list("pk", flat=True))
    return deadlines_compute(ids, keep_passed_on=day)


def stale_case_ids() -> list[int]:
    """Open cases without a stored deadline, or whose phase, clock start or round moved
    since it was computed (a person changed them); and closed cases that still have one."""
    open_stale = (
        Case.objects.open()
        .filter(
            Q(deadline__isnull=True)
            | ~Q(deadline__phase=F("phase"))
            | ~Q(deadline__clock_start=F("clock_start"))
            | ~Q(deadline__route_round=F("route_round"))
            | Q(at_risk=True) & ~Q(deadline__step="")
            | Q(at_risk=False, phase=Phase.SCHOOL, deadline__step="")
            | Q(deadline__step=Step.OM_REFERRAL, first_offer_started_on__isnull=False)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    closed = CaseDeadline.objects.filter(case__closed_at__isnull=False).values_list(
        "case_id", flat=True
    )
    return sorted({*open_stale, *closed})


def deadlines_refresh_stale() -> int:
    return deadlines_compute(stale_case_ids())


def deadline_of(case: Case) -> CaseDeadline | None:
    """The case's current deadline, computed now when the stored one is missing or stale."""
    if not case.is_open:
        return None
    stored = CaseDeadline.objects.filter(case=case).first()
    if (
        stored is None
        or not stored.is_current_for(case.phase, case.clock_start, case.route_round)
        or signal_changed(stored, case.at_risk, case.phase)
        or offer_stops_om(stored, case.first_offer_started_on)
    ):
        facts = RouteFacts([case.pk])
        return facts.deadline_row(case.pk, timezone.now()) if case.pk in facts.cases else None
    return stored
