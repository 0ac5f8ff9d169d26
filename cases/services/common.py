"""What every case service shares: the lock, the read-only rule, the journal, the check."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from thuiszitters.access import has_capability
from thuiszitters.models import User
from thuiszitters.roles import Capability
from thuiszitters.system import Actor, acting_user, is_system

from ..models import Case, CaseEvent


def case_locked(case: Case, *, allow_closed: bool = False) -> Case:
    """The case, re-read under a row lock; a closed case is read-only."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.closed_at is not None and not allow_closed:
        raise ValidationError(_("Deze casus is gesloten en kan niet meer worden gewijzigd."))
    return locked


def require_case_work(actor: Actor, case: Case, capability: str = Capability.WORK_CASES) -> None:
    """The actor may work on this case: the capability, and the case in their scope. The
    system (the sweep, the demo data) may; ``None`` is refused (TypeError)."""
    from ..selectors import cases_visible_to

    if is_system(actor):
        return
    if (
        not isinstance(actor, User)
        or not has_capability(actor, capability)
        or not cases_visible_to(actor).filter(pk=case.pk).exists()
    ):
        raise PermissionDenied(_("U mag deze casus niet wijzigen."))


def journal(case: Case, actor: Actor, kind: str, message: str = "", **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, actor=acting_user(actor), kind=kind, message=message, data=data
    )
