"""The cases' copy of their reports' sharing, which the scoping reads (ADR 0019)."""

from collections.abc import Iterable

from ..models import Case


def case_sharing_refresh(*, case_ids: Iterable[int]) -> int:
    """Set the sharing flags of the cases from their reports (``CaseQuerySet.sharing_refresh``),
    in the transaction of the write that linked a report to them; returns how many changed."""
    return Case.objects.filter(pk__in=list(case_ids)).sharing_refresh()
