"""The case's copies of facts kept elsewhere: its reports' sharing, which the scoping reads
(ADR 0019), its pupil's dates and its first contact, meeting and goal, which the figures read
(ADR 0024, ADR 0025)."""

from collections.abc import Iterable

from django.db import transaction

from thuiszitters.changes import everything_changed

from ..models import Case


def case_sharing_refresh(*, case_ids: Iterable[int]) -> int:
    """Set the sharing flags of the cases from their reports (``CaseQuerySet.sharing_refresh``),
    in the transaction of the write that linked a report to them; returns how many changed."""
    return Case.objects.filter(pk__in=list(case_ids)).sharing_refresh()


class _CheckOnly(Exception):
    pass


def case_copies_refresh(*, check: bool = False) -> dict[str, int]:
    """Bring every case's copies in line with their sources and return how many cases each
    copy changed: for after a change that went past the services (a database edit, a
    restore of one table). The services keep the copies themselves, so on a healthy
    database both counts are 0. ``check``: count only, and change nothing."""
    changed: dict[str, int] = {}
    try:
        with transaction.atomic():
            changed["sharing"] = Case.objects.all().sharing_refresh()
            changed["pupil_dates"] = Case.objects.all().pupil_dates_refresh()
            changed["first_dates"] = Case.objects.all().first_dates_refresh()
            if check:
                raise _CheckOnly
            if any(changed.values()):
                # What the scoping and the figures showed may change: count again.
                everything_changed()
    except _CheckOnly:
        pass
    return changed
