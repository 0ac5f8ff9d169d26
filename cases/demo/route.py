"""Taking a demo case along the route, through the escalation app's services.

``cases`` never imports ``escalation`` (the one-way rule), so the escalation app registers
how each step is taken (``register_route_step`` in its ``AppConfig.ready()``): the week-4
step by hand by the reporter, the doorbraaktoets by the casusregisseur, and so on. Each
handler returns whether it could take the step. Without a registered handler the route
stops there, as it does where the rules stop it: a casusregisseur who may not read the case
(no consent shares a report with their organisation) waits in the restricted view.
"""

import datetime
from collections.abc import Callable

from ..models import Case
from ..selectors import cases_visible_to
from ..services import case_lead_change
from ..workflow import Phase
from .people import Cast
from .stories import Story
from .timetravel import happening_at

# phase -> handler(*, case, actor, when) -> bool (whether the step was taken)
ROUTE_STEPS: dict[str, Callable[..., bool]] = {}
SWV_HANDOVER = "De casusregisseur van het samenwerkingsverband neemt de casusregie over."
BUREAU_TAKEOVER = "Leerplicht neemt de casusregie over; de leerplichtambtenaar kent het gezin."


def register_route_step(phase: str, handler: Callable[..., bool]) -> None:
    ROUTE_STEPS[phase] = handler


def may_read(user, case: Case) -> bool:
    return user is not None and cases_visible_to(user).filter(pk=case.pk).exists()


def route_walk(*, case: Case, story: Story, cast: Cast, reporter) -> Story:
    """Take the story's steps in order; returns the story as it went (its steps, its lead)."""
    taken: list[tuple[str, datetime.datetime]] = []
    lead = "reporter"
    for phase, when in story.steps:
        handler = ROUTE_STEPS.get(phase)
        case.refresh_from_db()
        actor = reporter if phase == Phase.CASUSREGISSEUR else case.lead_user
        if handler is None or (phase != Phase.CASUSREGISSEUR and not may_read(actor, case)):
            break
        with happening_at(case.pupil_id, when) as moment:
            if not handler(case=case, actor=actor, when=moment):
                continue  # not on this route (no neighbouring SWV to arbitrate): the next
        taken.append((phase, when))
        if phase == Phase.CASUSREGISSEUR:
            lead = _lead_settle(case, story.lead, cast, when)
    case.refresh_from_db()
    return Story(
        phase=story.phase if story.closed_at else (taken[-1][0] if taken else Phase.SCHOOL),
        steps=taken,
        lead=lead,
        closed_at=story.closed_at,
        closed_reason=story.closed_reason,
        closed_note=story.closed_note,
        force_overdue=story.force_overdue,
    )


def _lead_settle(case: Case, wanted: str, cast: Cast, when: datetime.datetime) -> str:
    """After week 4 the convenant's casusregisseur leads: the SWV PO's own casusregisseur
    (the demo convenant appoints them), leerplicht elsewhere. The story may want the other
    one: the SWV's casusregisseur takes over from leerplicht when both may read the case;
    leerplicht takes over when it may (and also when the casusregisseur may not read it)."""
    case.refresh_from_db()
    regisseur = cast.regisseur
    if (
        wanted == "swv"
        and regisseur is not None
        and case.swv_id == regisseur.organisation.pk
        and may_read(regisseur.user, case)
    ):
        target, actor, reason = regisseur, case.lead_user, SWV_HANDOVER
    else:
        target, actor, reason = cast.leerplicht, cast.leerplicht.user, BUREAU_TAKEOVER
    if (
        case.lead_organisation_id != target.organisation.pk
        and actor is not None
        and may_read(target.user, case)
        and may_read(actor, case)
    ):
        with happening_at(case.pupil_id, when + datetime.timedelta(hours=1)):
            case_lead_change(
                case=case,
                organisation=target.organisation,
                user=target.user,
                actor=actor,
                reason=reason,
            )
        case.refresh_from_db()
    return "bureau" if case.lead_organisation_id == cast.bureau.pk else "swv"
