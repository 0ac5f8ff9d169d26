"""The sweep: every due escalation applied once, in batches (DESIGN.md 4.2).

Called by the Celery beat task ``escalation.sweep`` and by ``manage.py escalation_sweep``.
Idempotent and safe under concurrency: each batch locks its cases (skipping the ones another
sweep or a person holds), re-checks their phase under the lock, and the escalation rows are
unique per (case, round, step). A sweep killed halfway has committed whole batches only;
the next one carries on from the stored deadlines. Passes repeat until nothing is due, so a
case that missed several deadlines (the broker was down) takes each step in order, each
with its own due date.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from cases.services import TimerStep, cases_transition_by_timer
from cases.texts import as_messages
from cases.workflow import Phase
from thuiszitters.batch import batch_statements
from thuiszitters.bulk import insert_columns
from thuiszitters.queue import enqueue, enqueue_on_commit
from thuiszitters.system import SWEEP

from ..models import (
    CaseDeadline,
    Escalation,
    Notification,
    NotificationKind,
    Step,
    Trigger,
)
from ..route import TIMED_STEPS
from ..texts import DEADLINE_PASSED, OM_DEADLINE_PASSED
from .appointment import appoint
from .birthdays import close_turned_18, consent_ages_follow
from .deadlines import (
    BATCH_SIZE,
    DeadlineRow,
    RouteFacts,
    deadlines_after_steps,
    deadlines_compute,
    stale_case_ids,
)
from .monitoring import monitoring_reminders
from .notify import (
    Event,
    appointed_casusregisseurs,
    enrolment_alerts_deliver,
    leerplicht_officers,
    notify,
    recipients,
)
from .steps import arbitration_end_by_timer

MAX_LINES = 200


class _DryRun(Exception):
    pass


@dataclass
class SweepResult:
    as_of: datetime.date
    dry_run: bool = False
    refreshed: int = 0
    escalated: Counter[str] = field(default_factory=Counter)
    warned: int = 0
    closed_at_18: int = 0  # open cases closed because the pupil turned 18
    consent_ages: int = 0  # open cases whose pupil's age changed whose consent counts
    monitoring: int = 0  # cases whose lead got this week's monitoring reminder
    lines: list[str] = field(default_factory=list)

    def log(self, line: str) -> None:
        if len(self.lines) < MAX_LINES:
            self.lines.append(line)

    @property
    def total(self) -> int:
        return sum(self.escalated.values())

    def summary(self) -> str:
        steps = ", ".join(f"{Step(s).label}: {n}" for s, n in sorted(self.escalated.items()))
        return (
            f"{self.as_of}: {self.total} escalations ({steps or '-'}), {self.warned} warnings, "
            f"{self.refreshed} deadlines recomputed, {self.monitoring} monitoring reminders, "
            f"{self.closed_at_18} closed at 18, {self.consent_ages} consent by age"
            + (" (dry run, nothing kept)" if self.dry_run else "")
        )


@batch_statements()
def escalation_sweep(
    *,
    as_of: datetime.date | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    fan_out: int = 0,
) -> SweepResult:
    """Apply every escalation due on ``as_of`` (default today) and send the warnings.

    ``dry_run`` does all of it inside one transaction that is rolled back, so it reports
    exactly what a real sweep would do and keeps nothing (no e-mail leaves either).

    ``fan_out`` (beat's sweep, ``ESCALATION_SWEEP_FAN_OUT``): when more than that many cases
    are due, the route of each SWV with due cases is left to a task of its own
    (``escalation.sweep_swv``, which also sends that SWV's monitoring reminders), so the
    workers of several machines share a big day. The birthdays and stale deadlines stay
    here.
    """
    today = as_of or timezone.localdate()
    result = SweepResult(as_of=today, dry_run=dry_run)
    if not dry_run:
        _sweep(today, result, batch_size, as_of is not None, fan_out)
        return result
    try:
        with transaction.atomic():
            _sweep(today, result, batch_size, as_of is not None, 0)
            raise _DryRun
    except _DryRun:
        pass
    return result


@batch_statements()
def escalation_sweep_swv(
    *, swv_id: int, as_of: datetime.date | None = None, batch_size: int = BATCH_SIZE
) -> SweepResult:
    """The route part of the sweep for the cases of one SWV (the fanned-out task): its due
    escalations, in passes, and its warnings. Safe beside any other sweep (ADR 0012)."""
    today = as_of or timezone.localdate()
    result = SweepResult(as_of=today)
    _route(today, result, batch_size, _happened_at(today, as_of is not None), swv_id)
    # After the route, as in one sweep: a case that just left phase school is not reminded.
    result.monitoring = monitoring_reminders(today=today, batch_size=batch_size, swv_id=swv_id)
    _mail_stragglers()
    return result


def _happened_at(today: datetime.date, travelled: bool) -> datetime.datetime:
    now = timezone.now()
    if not travelled:
        return now
    return timezone.make_aware(datetime.datetime.combine(today, timezone.localtime(now).time()))


def _due(today: datetime.date, swv_id: int | None = None) -> QuerySet[CaseDeadline]:
    due = CaseDeadline.objects.filter(due_on__lte=today).exclude(step="")
    return due if swv_id is None else due.filter(case__swv_id=swv_id)


def _sweep(
    today: datetime.date, result: SweepResult, batch_size: int, travelled: bool, fan_out: int
) -> None:
    # Birthdays first: a pupil who turns 18 today leaves the route instead of escalating.
    result.closed_at_18 = close_turned_18(today, result)
    result.consent_ages = consent_ages_follow(today, result)
    stale = stale_case_ids()
    if stale:
        result.refreshed = deadlines_compute(stale)
    if fan_out and _due(today).count() > fan_out:
        from ..tasks import sweep_swv

        swvs = sorted(set(_due(today).values_list("case__swv_id", flat=True).distinct()) - {None})
        for swv_id in swvs:
            enqueue(sweep_swv, swv_id=swv_id, as_of=today.isoformat() if travelled else None)
        result.log(f"{len(swvs)} SWVs swept by their own tasks")
        # Cases without an SWV (none in practice) are swept here.
        _route(today, result, batch_size, _happened_at(today, travelled), None, no_swv=True)
        result.monitoring = monitoring_reminders(today=today, batch_size=batch_size, no_swv=True)
    else:
        _route(today, result, batch_size, _happened_at(today, travelled), None)
        result.monitoring = monitoring_reminders(today=today, batch_size=batch_size)
    enrolment_alerts_deliver()  # any that the task after the enrolment's commit did not
    _mail_stragglers()


def _route(
    today: datetime.date,
    result: SweepResult,
    batch_size: int,
    happened_at: datetime.datetime,
    swv_id: int | None,
    *,
    no_swv: bool = False,
) -> None:
    due = _due(today, swv_id)
    if no_swv:
        due = due.filter(case__swv_id__isnull=True)
    for _pass in range(len(TIMED_STEPS) + 1):
        moved = 0
        last = 0
        while True:
            batch = list(
                due.filter(case_id__gt=last)
                .order_by("case_id")
                .values_list("case_id", flat=True)[:batch_size]
            )
            if not batch:
                break
            last = batch[-1]
            moved += _escalate_batch(batch, today, happened_at, result)
        if not moved:
            break
    _warn(today, result, batch_size, swv_id, no_swv=no_swv)


def _mail_stragglers() -> None:
    if Notification.objects.filter(email_wanted=True, emailed_at__isnull=True).exists():
        from ..tasks import send_notification_emails

        enqueue_on_commit(send_notification_emails)


@transaction.atomic
def _escalate_batch(
    case_ids: list[int], today: datetime.date, happened_at: datetime.datetime, result: SweepResult
) -> int:
    facts = RouteFacts(case_ids)
    deadlines = {
        d.case_id: d for d in DeadlineRow.read(CaseDeadline.objects.filter(case_id__in=case_ids))
    }
    due: list[tuple[int, DeadlineRow, datetime.date]] = []
    for pk in case_ids:
        deadline = deadlines.get(pk)
        if deadline is None or not deadline.step or deadline.due_on is None:
            continue
        if deadline.due_on > today:
            continue
        if not facts.is_current(deadline):
            continue  # closed or moved since it was computed; the next sweep recomputes it
        due.append((pk, deadline, deadline.due_on))
    appointed = appointed_casusregisseurs({v.pk for v in facts.versions.values()})
    leads = appoint(facts, [pk for pk, d, _due in due if d.step == Step.CASUSREGISSEUR], appointed)
    steps = []
    # Codes with parameters: translated once per batch when written (cases.texts.as_messages).
    for pk, deadline, due_on in due:
        if deadline.step == Step.OM_REFERRAL:
            message = OM_DEADLINE_PASSED(months=facts.policy(pk).om_referral_months, due=due_on)
        else:
            message = DEADLINE_PASSED(step=deadline.step, due=due_on)
        org, user = leads.get(pk, (None, None))
        steps.append(
            TimerStep(
                case_id=pk,
                from_phase=facts.cases[pk]["phase"],
                to_phase=deadline.step,
                message=message,
                lead_organisation_id=org,
                lead_user_id=user,
            )
        )
    applied = cases_transition_by_timer(steps, actor=SWEEP)
    if not applied:
        return 0
    insert_columns(
        Escalation,
        {
            "case_id": [s.case_id for s in applied],
            "route_round": [facts.cases[s.case_id]["route_round"] for s in applied],
            "step": [s.to_phase for s in applied],
            "due_on": [deadlines[s.case_id].due_on for s in applied],
            "happened_at": happened_at,
            "trigger": Trigger.TIMER,
            "reason": as_messages([s.message for s in applied]),
            "policy_version_id": [deadlines[s.case_id].policy_version_id for s in applied],
        },
        len(applied),
        ignore_conflicts=True,
    )
    deadlines_after_steps(facts, {s.case_id: s.to_phase for s in applied}, happened_at)
    arbitration_end_by_timer(
        [s.case_id for s in applied if s.from_phase == Phase.ARBITRATION],
        {pk: row["route_round"] for pk, row in facts.cases.items()},
    )
    events = []
    officers = _om_officers(facts, [(s.case_id, s.to_phase) for s in applied])
    for s in applied:
        row = facts.cases[s.case_id]
        version = facts.version(s.case_id)
        events.append(
            Event(
                kind=NotificationKind.DEADLINE_PASSED,
                case_id=s.case_id,
                route_round=row["route_round"],
                step=s.to_phase,
                due_on=deadlines[s.case_id].due_on,
                users=recipients(
                    lead_users=[row["lead_user_id"], s.lead_user_id],
                    version=version,
                    appointed=appointed.get(version.pk, set()) if version else set(),
                    phase=s.from_phase,
                )
                | officers.get(s.case_id, set()),
            )
        )
        result.escalated[s.to_phase] += 1
        if len(result.lines) < MAX_LINES:  # the labels translate when formatted: not 150,000x
            result.log(
                f"case {s.case_id}: {Phase(s.from_phase).label} -> {Phase(s.to_phase).label} "
                f"(due {deadlines[s.case_id].due_on})"
            )
    notify(events)
    return len(applied)


def _om_officers(facts: RouteFacts, steps: list[tuple[int, str]]) -> dict[int, set[int]]:
    """Per case whose step is the OM: the leerplicht officers of its municipality."""
    om_cases = [pk for pk, step in steps if step == Step.OM_REFERRAL and pk in facts.cases]
    if not om_cases:
        return {}
    by_municipality = leerplicht_officers({facts.cases[pk]["municipality_id"] for pk in om_cases})
    return {pk: by_municipality.get(facts.cases[pk]["municipality_id"], set()) for pk in om_cases}


def _warn(
    today: datetime.date,
    result: SweepResult,
    batch_size: int,
    swv_id: int | None = None,
    *,
    no_swv: bool = False,
) -> None:
    """Warn before deadlines (the convenant's lead time), once per due date."""
    pending = CaseDeadline.objects.filter(
        warn_on__lte=today, due_on__gt=today, case__closed_at__isnull=True
    ).filter(Q(warned_for__isnull=True) | ~Q(warned_for=F("due_on")))
    if swv_id is not None:
        pending = pending.filter(case__swv_id=swv_id)
    elif no_swv:
        pending = pending.filter(case__swv_id__isnull=True)
    while True:
        batch = DeadlineRow.read(pending.order_by("case_id")[:batch_size])
        if not batch:
            return
        with transaction.atomic():
            facts = RouteFacts([d.case_id for d in batch])
            appointed = appointed_casusregisseurs({v.pk for v in facts.versions.values()})
            officers = _om_officers(facts, [(d.case_id, d.step) for d in batch])
            events = []
            for d in batch:
                row = facts.cases.get(d.case_id)
                if row is None:
                    continue
                version = facts.version(d.case_id)
                events.append(
                    Event(
                        kind=NotificationKind.DEADLINE_WARNING,
                        case_id=d.case_id,
                        route_round=row["route_round"],
                        step=d.step,
                        due_on=d.due_on,
                        users=recipients(
                            lead_users=[row["lead_user_id"]],
                            version=version,
                            appointed=appointed.get(version.pk, set()) if version else set(),
                            phase=row["phase"],
                        )
                        | officers.get(d.case_id, set()),
                    )
                )
            notify(events)
            CaseDeadline.objects.filter(case_id__in=[d.case_id for d in batch]).update(
                warned_for=F("due_on")
            )
            result.warned += len(events)
