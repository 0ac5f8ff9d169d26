"""The cases' copy of their reports' sharing, which the scoping reads (ADR 0019)."""

from collections.abc import Iterable

from ..models import Case


def case_sharing_refresh(
    *, case_ids: Iterable[int] | None = None, pupil_id: int | None = None
) -> int:
    """Set the sharing flags of the given cases (or of the pupil's cases) from their reports
    (``CaseQuerySet.sharing_refresh``). Every write that links a report to a case or changes
    a report's sharing does so in its own transaction; returns the number of flags changed."""
    cases = Case.objects.all()
    if case_ids is not None:
        cases = cases.filter(pk__in=list(case_ids))
    if pupil_id is not None:
        cases = cases.filter(pupil_id=pupil_id)
    return cases.sharing_refresh()
