"""``case_move``: the case page's phase form and ``POST /api/v1/cases/{id}/transition/`` are
one service, so a move gives the same case, escalations, lead and journal by either
channel: forward to a timed step is an escalation by hand, back is a plain transition."""

import pytest
from django.urls import reverse

from cases.models import Case
from cases.workflow import Phase
from escalation.models import Escalation
from thuiszitters.roles import RoleCode

from ..factories.cases import CaseFactory
from ..factories.users import member

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _by_page(client, case, to_phase, reason):
    return client.post(
        reverse("case:transition", args=[case.pk]),
        {"transition-to_phase": to_phase, "transition-reason": reason},
    )


def _by_api(client, case, to_phase, reason):
    return client.post(
        f"/api/v1/cases/{case.pk}/transition/",
        {"to_phase": to_phase, "reason": reason},
        content_type="application/json",
    )


def _outcome(case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return (
        case.phase,
        case.lead_organisation_id,
        case.lead_user_id,
        list(Escalation.objects.filter(case=case).order_by("id").values_list("step", "trigger")),
        [(e.kind, e.message, e.data) for e in case.events.order_by("id")],
    )


@pytest.mark.parametrize(
    ("role", "org", "start", "to_phase"),
    [
        # A timed step: the school hands the case to the casusregisseur (an escalation).
        (RoleCode.ZORGCOORDINATOR, "school", Phase.SCHOOL, Phase.CASUSREGISSEUR),
        # Past a step: the casusregisseur to the doorbraakteam (the assessment is skipped).
        (RoleCode.CASUSREGISSEUR, "swv", Phase.CASUSREGISSEUR, Phase.DOORBRAAKTEAM),
        # Back on the route: a plain transition.
        (RoleCode.LEERPLICHT, "bureau", Phase.DOORBRAAKTEAM, Phase.CASUSREGISSEUR),
    ],
)
def test_page_and_api_move_a_case_alike(world, client, role, org, start, to_phase):
    user = member(getattr(world, org), role)
    by_page = CaseFactory(phase=start, school=world.school)
    by_api = CaseFactory(phase=start, school=world.school)
    client.force_login(user)

    assert _by_page(client, by_page, to_phase, "Geen voortgang").status_code == 302
    assert _by_api(client, by_api, to_phase, "Geen voortgang").status_code == 200

    assert _outcome(by_page) == _outcome(by_api)
    assert _outcome(by_page)[0] == to_phase
    timed = to_phase != Phase.CASUSREGISSEUR or start == Phase.SCHOOL
    assert bool(_outcome(by_page)[3]) is timed


def test_page_and_api_refuse_alike(world, client):
    """The school may not take the case past the casusregisseur: 403 by either channel; a
    move without a reason is an error on ``reason`` on both, and nothing moves."""
    client.force_login(member(world.school, RoleCode.ZORGCOORDINATOR))
    case = CaseFactory(phase=Phase.SCHOOL, school=world.school)
    assert _by_page(client, case, Phase.DOORBRAAKTEAM, "Snel").status_code == 403
    assert _by_api(client, case, Phase.DOORBRAAKTEAM, "Snel").status_code == 403

    client.force_login(member(world.bureau, RoleCode.LEERPLICHT))
    back = CaseFactory(phase=Phase.DOORBRAAKTEAM, school=world.school)
    page = _by_page(client, back, Phase.CASUSREGISSEUR, " ")
    assert page.status_code == 422 and 'id="id_transition-reason_error"' in page.content.decode()
    api = _by_api(client, back, Phase.CASUSREGISSEUR, " ")
    assert api.status_code == 400 and set(api.json()["fields"]) == {"reason"}
    assert [Case.objects.get(pk=c.pk).phase for c in (case, back)] == [
        Phase.SCHOOL,
        Phase.DOORBRAAKTEAM,
    ]
