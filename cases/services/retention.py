"""Retention: remove closed cases past ``retention_until`` with everything of them.

A case closes with ``retention_until`` = closing day + the region's
``case_retention_months`` (``case_close``). From the day after, ``retention_purge`` deletes
the case with its reports, journal, plan, meetings, arrangements, care-partner grants and
whatever the higher apps hang off it (deadlines, escalations, notifications, arbitration,
OM referrals, lines of frozen lists: all ``on_delete=CASCADE``, so no import upward is
needed). The pupil goes too, with guardians, enrolments, exemptions and consents, when
nothing else holds them: no other case (open, or closed and still kept) and no report outside
the purged cases. Frozen figures and the counts of frozen lists keep no link to a case and
stay. The audit log gets one entry per run with counts, never names; its own earlier
entries about the purged rows stay.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from registration.models import AbsenceReport, Pupil
from thuiszitters.audit import audit_record
from thuiszitters.changes import everything_changed
from thuiszitters.models import AuditAction
from thuiszitters.system import COMMAND, RETENTION, Actor, is_system

from ..models import Case, CaseReport

# The system actors that may purge: the daily beat task and a command run by staff.
PURGE_ACTORS = (RETENTION, COMMAND)
BATCH = 500


@dataclass
class PurgeResult:
    as_of: datetime.date
    dry_run: bool
    cases: int = 0
    reports: int = 0
    pupils: int = 0
    # Every row removed, by model label (cascades included), e.g. "cases.CaseEvent": 12.
    deleted: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        return (
            f"Retention as of {self.as_of.isoformat()}: {verb} {self.cases} case(s), "
            f"{self.reports} report(s), {self.pupils} pupil(s)."
        )


@transaction.atomic
def retention_purge(*, as_of: datetime.date, actor: Actor, dry_run: bool) -> PurgeResult:
    """Delete every closed case whose ``retention_until`` lies before ``as_of``.

    A dry run does the same work in a savepoint it rolls back, so its counts are exact and
    it keeps nothing. A second run finds nothing left and writes nothing.
    """
    if not is_system(actor) or actor not in PURGE_ACTORS:
        raise PermissionDenied("Only the retention job or a management command purges.")
    result = PurgeResult(as_of=as_of, dry_run=dry_run)
    with transaction.atomic():
        _purge(result)
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run and result.cases:
        everything_changed()
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            object_type="cases.retention",
            object_id=as_of.isoformat(),
            changes={
                "counts": {
                    "cases": result.cases,
                    "reports": result.reports,
                    "pupils": result.pupils,
                },
                "deleted": result.deleted,
            },
            reason="retention",
        )
    return result


def _purge(result: PurgeResult) -> None:
    # The managers of these models refuse bulk deletes (they bypass the audit log). Retention
    # deletes deliberately in bulk and audits the run as counts, so it uses the base
    # managers, which Django's delete collector uses for the cascades as well.
    expired = Case._base_manager.filter(closed_at__isnull=False, retention_until__lt=result.as_of)
    every_pupil = sorted(set(expired.values_list("pupil_id", flat=True)))
    deleted: Counter[str] = Counter()
    # In batches of pupils, so that no IN list outgrows what the database takes.
    for start in range(0, len(every_pupil), BATCH):
        deleted.update(_purge_pupils(expired, every_pupil[start : start + BATCH]))
    result.cases = deleted.get(Case._meta.label, 0)
    result.reports = deleted.get(AbsenceReport._meta.label, 0)
    result.pupils = deleted.get(Pupil._meta.label, 0)
    result.deleted = {label: n for label, n in sorted(deleted.items()) if n}


def _purge_pupils(expired: QuerySet[Case], pupil_ids: list[int]) -> Counter[str]:
    # The intake locks the pupil before it opens or joins a case; so does this, and then it
    # locks the cases, so a case reopened or a report filed meanwhile is seen below.
    list(Pupil._base_manager.select_for_update().filter(pk__in=pupil_ids).values_list("pk"))
    case_ids = list(
        expired.select_for_update().filter(pupil_id__in=pupil_ids).values_list("pk", flat=True)
    )
    report_ids = list(
        CaseReport._base_manager.filter(case_id__in=case_ids).values_list("report_id", flat=True)
    )
    deleted: Counter[str] = Counter()
    deleted.update(_delete(Case._base_manager.filter(pk__in=case_ids)))
    deleted.update(_delete(AbsenceReport._base_manager.filter(pk__in=report_ids)))
    held = set(
        Case._base_manager.filter(pupil_id__in=pupil_ids).values_list("pupil_id", flat=True)
    ) | set(
        AbsenceReport._base_manager.filter(pupil_id__in=pupil_ids).values_list(
            "pupil_id", flat=True
        )
    )
    free = [pk for pk in pupil_ids if pk not in held]
    deleted.update(_delete(Pupil._base_manager.filter(pk__in=free)))
    return deleted


def _delete(queryset: QuerySet[Any]) -> dict[str, int]:
    _total, per_model = queryset.delete()
    return dict(per_model)
