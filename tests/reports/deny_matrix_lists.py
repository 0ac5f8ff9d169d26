"""Deny-matrix entries of the thuiszitterslijst pages (``reportlists``).

A list is personal data of a whole scope: it needs ``view_aggregates`` and
``view_personal_data`` in the same SWV or leerplicht organisation. In the matrix's world
only the SWV consultant (SWV PO A) and leerplicht (bureau A, serving m1) hold both; the
director, policy and the functional administrator see aggregates only, the other roles no
scope at all, so they all get 404. Freezing and downloading a comparison are POST only.
"""

from django.utils import timezone

from reports.models import ScopeKind, ThuiszitterslijstEntry, ThuiszitterslijstSnapshot
from thuiszitters.roles import RoleCode

from ..cases.deny_matrix import ensure_foreign_case
from ..factories.users import member

LIST_ROLES = frozenset({RoleCode.SWV_CONSULTANT, RoleCode.LEERPLICHT})


def _snapshot(f):
    return [f["list_snapshot"].pk]


ENTRIES = {
    "reportlists:list": (None, LIST_ROLES),
    "reportlists:export": (None, LIST_ROLES),
    "reportlists:snapshots": (None, LIST_ROLES),
    "reportlists:reconcile": (None, LIST_ROLES),
    "reportlists:freeze": (None, "post_only"),
    "reportlists:reconcile_export": (None, "post_only"),
    "reportlists:snapshot": (_snapshot, "foreign_detail"),
    "reportlists:snapshot_export": (lambda f: [*_snapshot(f), "csv"], "foreign_detail"),
}


def add_foreign(world, foreign):
    """A frozen list of the far SWV (region B) holding its pupil's line."""
    if "list_snapshot" in foreign:
        return
    case = ensure_foreign_case(world, foreign)
    author = member(world.far_swv, RoleCode.SWV_CONSULTANT)
    today = timezone.localdate()
    snapshot = ThuiszitterslijstSnapshot.objects.create(
        scope_kind=ScopeKind.SWV,
        organisation=world.far_swv,
        on=today,
        created_by=author,
        note="Vreemde lijst",
        narrow_count=1,
        broad_count=1,
    )
    ThuiszitterslijstEntry.objects.create(
        snapshot=snapshot,
        case=case,
        pupil_name=case.pupil.full_name,
        date_of_birth=case.pupil.date_of_birth,
        bsn=case.pupil.bsn or "",
        school_name=world.far_school.name,
        kind="unauthorised",
        phase=case.phase,
        clock_start=case.clock_start,
        days_at_home=(today - case.clock_start).days,
        narrow=True,
        lead_name=world.far_school.name,
    )
    foreign["list_snapshot"] = snapshot
    foreign["secrets"].append("Vreemde lijst")
