"""Region B as the deny matrices see it: the objects no user of region A may read or change.

Apps add to it in ``tests/<app>/deny_matrix.py`` or ``deny_matrix_<part>.py`` with
``add_foreign(world, foreign)``, which adds region-B objects and the strings that must never
leak. The read matrix (``test_deny_matrix.py``) and the write matrix
(``test_deny_matrix_writes.py``) share them through the ``foreign`` fixture (``conftest.py``).
"""

import importlib
from pathlib import Path

from django.db import transaction

from thuiszitters.audit import audit_record
from thuiszitters.models import AuditAction
from thuiszitters.roles import RoleCode

from ..factories.users import member

TESTS = Path(__file__).resolve().parents[1]
EXTENSIONS = [
    importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
    for path in sorted(TESTS.glob("*/deny_matrix*.py"))
]


def foreign_objects(world) -> dict:
    """Objects of region B that no user of region A may see."""
    user = member(world.far_swv, RoleCode.SWV_DIRECTOR)
    user.full_name = "Vreemde Gebruiker"
    user.save(update_fields=["full_name"])
    with transaction.atomic():
        audit = audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            object_type="core.user",
            object_id=user.pk,
            organisation=world.far_swv,
            reason="Vreemde auditregel",
        )
    foreign = {
        "swv": world.far_swv,
        "school": world.far_school,
        "user": user,
        "membership": user.memberships.get(),
        "audit": audit,
        "secrets": [world.far_swv.name, world.far_school.name, user.email, "Vreemde"],
    }
    for ext in EXTENSIONS:
        ext.add_foreign(world, foreign)
    return foreign
