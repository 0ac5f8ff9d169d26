"""Pages of escalation: the case page's route section and deadline summary, its forms, and
the doorbraakteam's agenda.

The case page (served by ``cases``) loads two partials from here: the next deadline in its
header (``case_deadline``) and the route section (``case_route``). Each POST view fetches the
case through the scoping selector first (a foreign case is 404 before anything else), checks
the capability (403), parses its form and calls one service (the table ``ACTIONS``). On success
htmx gets ``HX-Redirect`` to the case page (the phase, journal and header changed with the
route) and a plain POST a redirect; a service ``ValidationError`` becomes field errors on the
bound form (htmx: the section again, 200; plain: the route page, 422).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case
from cases.selectors import case_view_of, cases_visible_to
from cases.services import meeting_record
from cases.workflow import Phase
from thuiszitters.access import get_visible_or_404, has_capability
from thuiszitters.audit import audit_list, audit_read, audit_read_denied
from thuiszitters.forms import errors_onto_form
from thuiszitters.roles import Capability

from ..forms import route as f
from ..models import ArbitrationStatus, Step
from ..route import ROUTE_PHASES, WEEK_STEPS
from ..selectors.route import (
    AGENDA_PHASES,
    arbitration_panel_of,
    case_casusregisseur,
    doorbraakteam_agenda,
    doorbraakteam_members,
    is_past_three_months_without_offer,
    next_deadline_of,
    own_doorbraakteam_members,
    route_of,
)
from ..services.steps import (
    arbitration_conclude,
    arbitration_start,
    assessment_record,
    binding_arbitration_refused,
    escalate_by_hand,
    om_refer,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AGENDA_PAGE_SIZE = 50
SECTION = "escalation/route/_section.html"
PAGE = "escalation/route/page.html"


def _case_or_404(request, pk: int) -> Case:
    return get_visible_or_404(
        cases_visible_to(request.user).select_related(
            "pupil", "municipality", "school", "swv", "lead_organisation", "lead_user"
        ),
        pk=pk,
        reader=request.user,
    )


# --- The header's summary --------------------------------------------------------------


@require_GET
def case_deadline(request, pk: int):
    """The next step on the route with its due date, for a case the user may see (whole,
    or in the restricted view of a lead without consent: deadlines belong to it)."""
    case, _whole = case_view_of(request.user, pk)
    if case is None:
        audit_read_denied(actor=request.user, object_type="cases.case", object_id=pk)
        raise Http404
    audit_read(actor=request.user, obj=case)
    today = timezone.localdate()
    deadline = next_deadline_of(case, today)
    context = {
        "case": case,
        "deadline": deadline,
        "days_left": deadline.days_left if deadline else None,
        "past_three_months": is_past_three_months_without_offer(case, today),
    }
    template = "escalation/_case_deadline.html" if request.htmx else "escalation/case_deadline.html"
    return render(request, template, context)


# --- The route section -------------------------------------------------------------------


class RouteData:
    """What the route section shows and which forms it offers this user, each read once."""

    FORMS = ("escalate", "assessment", "arbitration", "conclude", "om", "meeting")

    def __init__(self, request, case: Case, bound: dict | None = None):
        self.request, self.user, self.case = request, request.user, case
        self.bound = bound or {}

    @cached_property
    def route(self):
        return route_of(self.case)

    @cached_property
    def can_work(self) -> bool:
        return self.case.is_open and has_capability(self.user, Capability.WORK_CASES)

    @cached_property
    def can_lead(self) -> bool:
        return self.case.is_open and has_capability(self.user, Capability.LEAD_AS_CASUSREGISSEUR)

    @cached_property
    def sits_on_team(self) -> bool:
        return self.case.is_open and has_capability(self.user, Capability.SIT_ON_DOORBRAAKTEAM)

    @cached_property
    def escalate_steps(self) -> list[Step]:
        """The timed steps ahead that this user may take by hand: the school hands a case to
        the casusregisseur; only a casusregisseur goes further."""
        phase = self.case.phase
        if not self.can_work or phase not in ROUTE_PHASES[:3]:
            return []
        position = ROUTE_PHASES.index(phase)
        ahead = [s for s in WEEK_STEPS if ROUTE_PHASES.index(Phase(s)) > position]
        return ahead if self.can_lead else [s for s in ahead if s == Step.CASUSREGISSEUR]

    @cached_property
    def sees_agenda(self) -> bool:
        """The case is on the doorbraakteam's agenda and the user may open it."""
        return (
            self.case.is_open
            and self.case.phase in AGENDA_PHASES
            and (
                has_capability(self.user, Capability.SIT_ON_DOORBRAAKTEAM)
                or has_capability(self.user, Capability.LEAD_AS_CASUSREGISSEUR)
            )
        )

    @cached_property
    def binding_consent(self) -> bool:
        return self.case.pupil.binding_arbitration_agreed

    @cached_property
    def parents_refused(self) -> bool:
        return binding_arbitration_refused(self.case)

    @cached_property
    def neighbour_swv(self):
        return self.route.neighbour_swv

    @cached_property
    def casusregisseur(self):
        return case_casusregisseur(self.case)

    @cached_property
    def panel(self):
        return self.route.panel

    def offered(self, name: str) -> bool:
        phase, panel = self.case.phase, self.panel
        if name == "escalate":
            return bool(self.escalate_steps)
        if name == "assessment":
            return (
                self.can_lead
                and phase == Phase.DOORBRAAK_ASSESSMENT
                and self.route.assessment is None
            )
        if name == "arbitration":
            return (
                self.can_lead
                and phase == Phase.DOORBRAAKTEAM
                and self.binding_consent
                and self.neighbour_swv is not None
                and self.casusregisseur is not None
            )
        if name == "conclude":
            return (
                self.can_lead
                and phase == Phase.ARBITRATION
                and panel is not None
                and panel.status == ArbitrationStatus.IN_SESSION
            )
        if name == "om":
            if not self.can_lead:
                return False
            if phase == Phase.ARBITRATION:
                return panel is not None and panel.status in (
                    ArbitrationStatus.NO_RESULT,
                    ArbitrationStatus.REFUSED,
                )
            if phase == Phase.OM_REFERRAL:  # brought here by the timer, not yet referred
                return self.route.om_referral is None
            return phase == Phase.DOORBRAAKTEAM and self.parents_refused
        if name == "meeting":
            return self.sits_on_team and phase in AGENDA_PHASES
        raise KeyError(name)

    def make_form(self, name: str, data=None):
        case = self.case
        builders: dict[str, Callable[..., forms.Form]] = {
            "escalate": lambda **kw: f.EscalateForm(offered=self.escalate_steps, **kw),
            "assessment": f.AssessmentForm,
            "arbitration": lambda **kw: f.ArbitrationStartForm(
                own_members=own_doorbraakteam_members(case, self.route.version),
                neighbour_members=doorbraakteam_members(
                    organisation_id=self.neighbour_swv.pk if self.neighbour_swv else None
                ),
                chair=self.casusregisseur,
                neighbour_swv=self.neighbour_swv,
                **kw,
            ),
            "conclude": f.ArbitrationConcludeForm,
            "om": f.OmReferralForm,
            "meeting": f.TeamMeetingForm,
        }
        return builders[name](data=data, prefix=name)

    @cached_property
    def forms(self) -> dict:
        """``forms.<name>``: the bound form of a failed POST, a fresh one when the form is
        offered to this user in this phase, else ``None``."""
        forms = {}
        for name in self.FORMS:
            if name in self.bound:
                forms[name] = self.bound[name]
            elif self.offered(name):
                forms[name] = self.make_form(name)
            else:
                forms[name] = None
        return forms

    @cached_property
    def arbitration_blocked(self) -> str:
        """Why a casusregisseur cannot start arbitration here (shown instead of the form)."""
        if not (self.can_lead and self.case.phase == Phase.DOORBRAAKTEAM):
            return ""
        if not self.binding_consent:
            return "consent"
        if self.neighbour_swv is None:
            return "neighbour"
        if self.casusregisseur is None:
            return "chair"
        return ""


def _context(data: RouteData) -> dict:
    return {"case": data.case, "d": data, "route": data.route, "forms": data.forms}


@require_GET
def case_route(request, pk: int):
    """The route section of the case page (htmx), or the same on a page of its own."""
    case = _case_or_404(request, pk)
    audit_read(actor=request.user, obj=case)  # the partial too: every response is a read
    data = RouteData(request, case)
    if request.htmx:
        return render(request, SECTION, _context(data))
    return render(request, PAGE, _context(data))


def _case_page(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def _go(request, url: str) -> HttpResponse:
    if request.htmx:
        # Without the fragment: a change of fragment alone would not load the page again.
        return HttpResponse(headers={"HX-Redirect": url.split("#")[0]})
    return redirect(url)


def _arbitration_conclude(*, case: Case, actor, **data) -> None:
    panel = arbitration_panel_of(case)
    if panel is None:
        raise ValidationError(_("Voor deze casus is geen arbitragecommissie ingesteld."))
    arbitration_conclude(panel=panel, actor=actor, **data)


@dataclass(frozen=True)
class RouteAction:
    """One form of the route section: who may send it, the service it calls (with the case,
    the actor and the form's fields, or its ``service_kwargs()``), and the message after."""

    capability: str
    service: Callable[..., object]
    message: "StrOrPromise"  # a lazy translation, read in the request's language


# form name (``RouteData.FORMS``) -> its action
ACTIONS = {
    "escalate": RouteAction(
        Capability.WORK_CASES, escalate_by_hand, gettext_lazy("De casus is opgeschaald.")
    ),
    "assessment": RouteAction(
        Capability.LEAD_AS_CASUSREGISSEUR,
        assessment_record,
        gettext_lazy("De doorbraaktoets is vastgelegd."),
    ),
    "arbitration": RouteAction(
        Capability.LEAD_AS_CASUSREGISSEUR,
        arbitration_start,
        gettext_lazy("De arbitragecommissie is ingesteld."),
    ),
    "conclude": RouteAction(
        Capability.LEAD_AS_CASUSREGISSEUR,
        _arbitration_conclude,
        gettext_lazy("De uitkomst van de arbitrage is vastgelegd."),
    ),
    "om": RouteAction(
        Capability.LEAD_AS_CASUSREGISSEUR,
        om_refer,
        gettext_lazy("De doorverwijzing naar het OM is vastgelegd."),
    ),
    "meeting": RouteAction(
        Capability.SIT_ON_DOORBRAAKTEAM,
        meeting_record,
        gettext_lazy("Het overleg van het doorbraakteam is vastgelegd."),
    ),
}


def _handle(request, pk: int, form_name: str) -> HttpResponse:
    """Scope first, then the capability, then the form, then the service."""
    action = ACTIONS[form_name]
    case = _case_or_404(request, pk)
    if not has_capability(request.user, action.capability):
        raise PermissionDenied
    data = RouteData(request, case)
    form = data.make_form(form_name, request.POST)
    if form.is_valid():
        kwargs = form.service_kwargs() if hasattr(form, "service_kwargs") else form.cleaned_data
        try:
            action.service(case=case, actor=request.user, **kwargs)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, action.message)
            if not cases_visible_to(request.user).filter(pk=case.pk).exists():
                return _go(request, reverse("home"))
            return _go(request, _case_page(case) + "#section-route")
    data = RouteData(request, case, bound={form_name: form})
    if request.htmx:
        return render(request, SECTION, _context(data))
    return render(request, PAGE, _context(data), status=422)


def _post_view(form_name: str) -> Callable[..., HttpResponse]:
    @require_POST
    def view(request, pk: int) -> HttpResponse:
        return _handle(request, pk, form_name)

    view.__name__ = view.__qualname__ = f"route_{form_name}"
    return view


escalate = _post_view("escalate")
assessment = _post_view("assessment")
arbitration = _post_view("arbitration")
arbitration_end = _post_view("conclude")
om_referral = _post_view("om")
team_meeting = _post_view("meeting")  # a doorbraakteam member records the team's meeting


# --- The doorbraakteam's agenda ----------------------------------------------------------


@require_GET
def agenda(request):
    """The cases on the doorbraakteam's agenda (and in arbitration) that the user may see,
    for doorbraakteam members and casusregisseurs; others do not learn the page exists."""
    user = request.user
    if not (
        has_capability(user, Capability.SIT_ON_DOORBRAAKTEAM)
        or has_capability(user, Capability.LEAD_AS_CASUSREGISSEUR)
    ):
        raise Http404
    today = timezone.localdate()
    page = Paginator(doorbraakteam_agenda(user), AGENDA_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    audit_list(actor=user, object_type="cases.case", ids=[case.pk for case in rows])
    for case in rows:
        case.weeks = max((today - case.clock_start).days // 7, 0)
    return render(request, "escalation/agenda.html", {"page": page, "rows": rows, "query": ""})
