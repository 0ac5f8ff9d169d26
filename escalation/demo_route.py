"""The route so far of the demo cases: an escalation row for each step their journal shows,
and every open case's stored deadline.

The demo cases are written in bulk by ``cases.demo`` with their phase changes in the
journal (``phase_changed`` with ``via``); this seeder turns those into ``Escalation`` rows
(due date from the SWV's convenant, happened when the journal says) and computes the
deadlines, so the demo shows a consistent route and the first sweep has nothing to catch up.
Idempotent: cases that already have escalations are left alone.
"""

from cases.models import Case, CaseEvent, CaseEventKind

from .models import Escalation, Step, Trigger
from .route import TIMED_STEPS, Policy, step_due
from .services.deadlines import deadlines_compute, holidays_by_region
from .services.policy import current_versions


def seed_demo_route(*, seed: int, pupils: int | None, result) -> None:
    done = set(Escalation.objects.values_list("case_id", flat=True).distinct())
    cases = {
        pk: (clock_start, swv_id, region_id, route_round)
        for pk, clock_start, swv_id, region_id, route_round in Case.objects.exclude(
            pk__in=done
        ).values_list("pk", "clock_start", "swv_id", "municipality__region_id", "route_round")
    }
    if not cases:
        return
    versions = current_versions({swv for _c, swv, _r, _rr in cases.values()} - {None})
    holidays = holidays_by_region({region for _c, _s, region, _rr in cases.values()} - {None})
    rows: dict[tuple[int, str], Escalation] = {}
    events = (
        CaseEvent.objects.filter(case_id__in=list(cases), kind=CaseEventKind.PHASE_CHANGED)
        .order_by("case_id", "at", "id")
        .values_list("case_id", "at", "data")
    )
    for case_id, at, data in events:
        step = data.get("to")
        if step not in Step.values or (case_id, step) in rows:
            continue
        clock_start, swv_id, region_id, route_round = cases[case_id]
        version = versions.get(swv_id)
        due_on = (
            step_due(step, clock_start, Policy.of(version), holidays.get(region_id, ()))
            if step in TIMED_STEPS
            else None
        )
        timer = data.get("via") == "timer"
        rows[(case_id, step)] = Escalation(
            case_id=case_id,
            route_round=route_round,
            step=step,
            due_on=due_on,
            happened_at=at,
            trigger=Trigger.TIMER if timer else Trigger.PERSON,
            reason="" if timer else "Demo: eerder opgeschaald.",
            policy_version=version,
        )
    Escalation.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=2000)
    still_open = set(Case.objects.open().values_list("pk", flat=True))
    open_ids = [pk for pk in cases if pk in still_open]
    deadlines_compute(sorted(open_ids))
    result.created += len(rows)
