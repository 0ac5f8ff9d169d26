"""What every case service shares: the lock, the read-only rule, the journal, the check."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from thuiszitters.access import has_capability
from thuiszitters.roles import Capability

from ..models import Case, CaseEvent


def case_locked(case: Case, *, allow_closed: bool = False) -> Case:
    """The case, re-read under a row lock; a closed case is read-only."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.closed_at is not None and not allow_closed:
        raise ValidationError(_("Deze casus is gesloten en kan niet meer worden gewijzigd."))
    return locked


def require_case_work(actor, case: Case, capability: str = Capability.WORK_CASES) -> None:
    """The actor may work on this case: the capability, and the case in their scope."""
    from ..selectors import cases_visible_to

    if actor is None:  # the system (timers, demo data)
        return
    if (
        not has_capability(actor, capability)
        or not cases_visible_to(actor).filter(pk=case.pk).exists()
    ):
        raise PermissionDenied(_("U mag deze casus niet wijzigen."))


def journal(case: Case, actor, kind: str, message: str = "", **data) -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, kind=kind, message=message, data=data)
