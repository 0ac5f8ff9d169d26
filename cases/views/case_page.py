"""The case page: one screen with the journal, plan, meetings, arrangements, participants,
ladder and details, consent and lead history, editable in place.

Each section is a ``_``-prefixed Jinja2 partial under ``templates/cases/page/`` (ADR 0020,
whose amendment says why). A POST view fetches the case through the scoping selector first
(foreign cases are 404 before anything else), calls one service and answers an htmx request
with its section re-rendered (plus the journal and header out of band); a plain POST
redirects back to the page. Service ``ValidationError`` becomes field errors on the bound form
(htmx: 200, plain: the page with 422); a service's ``PermissionDenied`` becomes 403.

The pupil page shows the pupil's open case through ``pupil_case_partial``, served from here.
"""

import datetime
from collections.abc import Callable
from functools import cached_property
from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from registration.models import AbsenceReport, ConsentScope
from registration.selectors import absence_reports_visible_to, pupils_visible_to
from registration.services import pupil_consent_state
from thuiszitters.access import (
    as_id,
    get_visible_or_404,
    has_capability,
    memberships_of,
    precompiled_per_memberships,
)
from thuiszitters.audit import audit_read, audit_read_denied
from thuiszitters.forms import errors_onto_form
from thuiszitters.jinja2env import render_jinja, template_module, url
from thuiszitters.models import User, choice_label
from thuiszitters.precompiled import precompiled, precompiled_rows
from thuiszitters.roles import Capability

from .. import services
from ..forms import case_page as f
from ..models import (
    Action,
    AftercareCheckIn,
    Arrangement,
    Case,
    Cause,
    Goal,
    LeadAssignment,
    Meeting,
    Participant,
    action_is_overdue,
)
from ..selectors import (
    JournalPage,
    case_is_led_by,
    case_view_of,
    cases_known_to,
    cases_visible_to,
    journal_page,
    meetings_in_full,
    ordering_within_case,
    own_fields,
    participant_candidates,
)

SECTION_TEMPLATES = {
    name: f"cases/page/_{name}.jinja"
    for name in (
        "header",
        "actions",
        "journal",
        "plan",
        "meetings",
        "arrangements",
        "participants",
        "details",
        "consent",
        "lead",
    )
}

FORM_TEMPLATE = "cases/page/_form.jinja"

# The forms the page keeps closed (in <details>): fetched by htmx when opened
# (``case_form``), so a view renders none of their widgets. name -> (POST url, submit).
LAZY_FORMS = {
    "transition": ("case:transition", gettext_lazy("Fase wijzigen")),
    "close": ("case:close", gettext_lazy("Casus sluiten")),
    "reopen": ("case:reopen", gettext_lazy("Heropenen")),
    "wishes": ("case:wishes", gettext_lazy("Wensen opslaan")),
    "goal": ("case:goal_add", gettext_lazy("Doel toevoegen")),
    "action": ("case:action_add", gettext_lazy("Actie toevoegen")),
    "meeting": ("case:meeting_add", gettext_lazy("Overleg vastleggen")),
    "arrangement": ("case:arrangement_add", gettext_lazy("Arrangement vastleggen")),
    "participant": ("case:participant_add", gettext_lazy("Betrokkene toevoegen")),
    "care": ("case:care_partner_invite", gettext_lazy("Uitnodigen")),
    "details": ("case:details", gettext_lazy("Opslaan")),
    "consent": ("case:consent", gettext_lazy("Toestemming vastleggen")),
    "lead": ("case:lead_change", gettext_lazy("Overdragen")),
}


class LazyForm:
    """Stands in for a closed form: no errors, and ``_form.html`` renders a placeholder that
    loads the real form from ``lazy_url`` when its <details> opens."""

    is_lazy = True
    errors: dict = {}

    def __init__(self, case: Case, name: str):
        self.lazy_url = url("cases:case_form", case.pk, name)


def _case_or_404(request, pk: int) -> Case:
    return get_visible_or_404(
        cases_visible_to(request.user).select_related(
            "pupil", "lead_organisation", "lead_user", "school", "municipality"
        ),
        pk=pk,
        reader=request.user,
    )


# The sections' queries, compiled once per process (ADR 0028): the case's id is all that
# changes between two pages.
# Of the people and organisations a row links to, only the names the page shows: whole users
# (password hash, flags, dates) cost up to 0.2 ms a section.
@precompiled
def _participants(case_id: int):
    return (
        Participant.objects.filter(case_id=case_id, removed_at__isnull=True)
        .select_related("user", "organisation")
        .only(*own_fields(Participant), "user__full_name", "user__email", "organisation__name")
        .order_by(*ordering_within_case(Participant))
    )


class ParticipantRow(NamedTuple):
    """A participant as the participants section shows it (``precompiled_rows``: three
    model instances a row cost 15-20 microseconds); the forms take ``_participants``."""

    id: int
    role: str
    shown_name: str  # ``Participant.display_name``
    organisation_name: str | None

    @property
    def role_label(self) -> str:
        return str(choice_label(_PARTICIPANT_ROLE, self.role))


_PARTICIPANT_ROLE = Participant._meta.get_field("role")


@precompiled_rows(ParticipantRow)
def _participant_rows(case_id: int):
    return (
        Participant.objects.filter(case_id=case_id, removed_at__isnull=True)
        .annotate(
            shown_name=User.name_at("user", otherwise="name"),
            organisation_name=F("organisation__name"),
        )
        .values_list(*ParticipantRow._fields)
        .order_by(*ordering_within_case(Participant))
    )


@precompiled
def _goals(case_id: int):
    return Goal.objects.filter(case_id=case_id).order_by(*ordering_within_case(Goal))


class ActionRow(NamedTuple):
    """An action as the plan shows it (``precompiled_rows``)."""

    id: int
    description: str
    status: str
    due_on: datetime.date
    decision_text: str | None
    owner_user_name: str | None
    owner_organisation_name: str | None

    @property
    def is_overdue(self) -> bool:
        return action_is_overdue(self.status, self.due_on)

    @property
    def status_label(self) -> str:
        return str(choice_label(_ACTION_STATUS, self.status))


_ACTION_STATUS = Action._meta.get_field("status")


@precompiled_rows(ActionRow)
def _actions(case_id: int):
    return (
        Action.objects.filter(case_id=case_id)
        .annotate(
            decision_text=F("decision__text"),
            owner_user_name=User.name_at("owner_user"),
            owner_organisation_name=F("owner_organisation__name"),
        )
        .values_list(*ActionRow._fields)
        .order_by("due_on", "id")
    )


@precompiled
def _meetings(case_id: int):
    return Meeting.objects.filter(case_id=case_id).order_by("-held_on", "-id")


@precompiled
def _arrangements(case_id: int):
    return Arrangement.objects.filter(case_id=case_id).order_by("-start_on", "-id")


class LeadRow(NamedTuple):
    """A period of the lead as the lead section shows it (``precompiled_rows``)."""

    organisation_name: str
    user_name: str | None
    started_at: datetime.datetime
    ended_at: datetime.datetime | None
    reason: str


@precompiled_rows(LeadRow)
def _lead_history(case_id: int):
    return (
        LeadAssignment.objects.filter(case_id=case_id)
        .annotate(organisation_name=F("organisation__name"), user_name=User.name_at("user"))
        .values_list(*LeadRow._fields)
        .order_by("-started_at", "-id")
    )


@precompiled
def _check_ins(case_id: int):
    return AftercareCheckIn.objects.filter(case_id=case_id).order_by(
        *ordering_within_case(AftercareCheckIn)
    )


@precompiled_per_memberships
def _reports(user, case_id: int):
    return (
        absence_reports_visible_to(user)
        .filter(case_link__case_id=case_id)
        .select_related("reporting_organisation")  # the compact table shows no school
        .only(*own_fields(AbsenceReport), "reporting_organisation__name")
        .order_by("-reported_on", "-id")
    )


class PageData:
    """What the page shows, each read once and only when a template asks for it."""

    def __init__(self, request, case: Case, bound: dict | None = None, eager: bool = False):
        self.request, self.user, self.case = request, request.user, case
        self.bound = bound or {}
        self.eager = eager  # render closed forms too (the form view, a plain POST's errors)
        self._forms: dict = {}

    @cached_property
    def can_edit(self) -> bool:
        return self.case.is_open and has_capability(self.user, Capability.WORK_CASES)

    @cached_property
    def can_reopen(self) -> bool:
        return not self.case.is_open and has_capability(
            self.user, Capability.LEAD_AS_CASUSREGISSEUR
        )

    @cached_property
    def weeks(self) -> int:
        return max((timezone.localdate() - self.case.clock_start).days // 7, 0)

    @cached_property
    def weeks_ago(self) -> str:
        return ngettext("%(weeks)s week geleden", "%(weeks)s weken geleden", self.weeks) % {
            "weeks": self.weeks
        }

    @cached_property
    def participants(self) -> list[Participant]:
        """For the forms (owners, people at a meeting)."""
        return list(_participants(self.case.pk))

    @cached_property
    def participant_rows(self) -> list[ParticipantRow]:
        """For the participants section."""
        return _participant_rows(self.case.pk)

    @cached_property
    def goals(self):
        return list(_goals(self.case.pk))

    @cached_property
    def actions(self) -> list[ActionRow]:
        return _actions(self.case.pk)

    @cached_property
    def meetings(self):
        return meetings_in_full(list(_meetings(self.case.pk)))

    @cached_property
    def arrangements(self):
        return list(_arrangements(self.case.pk))

    @cached_property
    def lead_history(self) -> list[LeadRow]:
        return _lead_history(self.case.pk)

    @cached_property
    def journal(self) -> JournalPage:
        return journal_page(self.case.pk)

    @cached_property
    def reports(self):
        return list(_reports(self.user, self.case.pk))

    @cached_property
    def check_ins(self):
        return list(_check_ins(self.case.pk))

    @cached_property
    def consent_state(self):
        return pupil_consent_state(self.case.pupil)

    @cached_property
    def consent(self):
        state = self.consent_state
        return [(ConsentScope(scope).label, state[scope]) for scope in ConsentScope.values]

    @cached_property
    def care_consent(self) -> bool:
        return self.consent_state[ConsentScope.SHARE_WITH_CARE_PARTNERS].effective

    @cached_property
    def colleagues(self):
        return f.colleagues_of(self.user)

    @cached_property
    def can_move_back(self) -> bool:
        return bool(f.moves_back(self.case))

    @cached_property
    def cause_labels(self) -> list[str]:
        return [str(Cause(c).label) for c in self.case.causes if c in Cause.values]

    @cached_property
    def owners(self):
        return f.owner_choices(self.case, self.participants, self.colleagues, self.user)

    def make_form(self, name: str, data=None):
        case = self.case
        builders: dict[str, Callable[..., forms.Form]] = {
            "transition": lambda **kw: f.TransitionForm(case=case, **kw),
            "close": f.CloseForm,
            "reopen": f.ReopenForm,
            "journal": f.JournalForm,
            "wishes": lambda **kw: f.WishesForm(
                initial={"parents_wishes": case.parents_wishes, "pupil_wishes": case.pupil_wishes},
                **kw,
            ),
            "goal": f.GoalForm,
            "action": lambda **kw: f.ActionForm(owners=self.owners, goals=self.goals, **kw),
            "meeting": lambda **kw: f.MeetingForm(
                participants=self.participants, owners=self.owners, **kw
            ),
            "arrangement": f.ArrangementForm,
            "participant": lambda **kw: f.ParticipantForm(
                candidates=participant_candidates(self.user, case), **kw
            ),
            "care": lambda **kw: f.CarePartnerForm(case=case, **kw),
            "details": lambda **kw: f.DetailsForm(
                initial={
                    name: getattr(case, name)
                    for name in (
                        "situation_level",
                        "lead_mode",
                        "daytime_activity",
                        "causes",
                        "waiting_list_for",
                        "waiting_since",
                    )
                },
                **kw,
            ),
            "consent": f.ConsentForm,
            "lead": lambda **kw: f.LeadForm(user=self.user, **kw),
        }
        return builders[name](data=data, prefix=name)

    @cached_property
    def forms(self) -> "_Forms":
        return _Forms(self)

    @cached_property
    def case_form(self):
        """The sections' form macro (``cases/page/_form.jinja``) with this request's CSRF
        field, made once per render: imported with context in each of nine sections, the
        module ran again for each (about 30 microseconds)."""
        return template_module(FORM_TEMPLATE, self.request).case_form


class _Forms:
    """``forms.<name>`` in templates: the bound form of a failed POST, else a fresh one;
    ``None`` on a read-only page."""

    def __init__(self, data: PageData):
        self.data = data
        self.cache: dict = {}

    def __getitem__(self, name: str):
        if name in self.data.bound:
            return self._with_action(name, self.data.bound[name])
        if name not in ("reopen",) and not self.data.can_edit:
            return None
        if name in LAZY_FORMS and not self.data.eager:
            return LazyForm(self.data.case, name)
        if name not in self.cache:
            self.cache[name] = self._with_action(name, self.data.make_form(name))
        return self.cache[name]

    def _with_action(self, name: str, form):
        if name in LAZY_FORMS:
            url_name, submit = LAZY_FORMS[name]
            form.action_url = url(url_name, self.data.case.pk)
            form.submit_label = submit
        return form


def _context(data: PageData, **extra) -> dict:
    return {
        "case": data.case,
        "d": data,
        "forms": data.forms,
        "case_form": data.case_form,
        "oob": False,  # a section sent out of band, beside the one swapped in place
        "action_error": None,  # (action id, message) of a refused status change
        **extra,
    }


def _section(request, data: PageData, name: str, **extra) -> HttpResponse:
    return HttpResponse(render_jinja(SECTION_TEMPLATES[name], _context(data, **extra), request))


def case_detail(request, pk: int):
    """The whole case on one screen (``cases:case_detail``), or the restricted view for a
    lead without consent and a school whose report joined the case."""
    case, whole = case_view_of(request.user, pk)
    if case is None:
        audit_read_denied(actor=request.user, object_type="cases.case", object_id=pk)
        raise Http404
    audit_read(actor=request.user, obj=case)
    if not whole:
        return _restricted_page(request, case)
    return render(request, "cases/page/case_page.html", _context(PageData(request, case)))


def case_form(request, pk: int, name: str):
    """One closed form of the case page, when its <details> opens (htmx), or as a page of its
    own without JavaScript."""
    if name not in LAZY_FORMS:
        raise Http404
    case = _case_or_404(request, pk)
    data = PageData(request, case, eager=True)
    form = data.forms[name]
    if form is None:
        raise PermissionDenied
    if (name == "reopen" and case.is_open) or (name == "transition" and not data.can_move_back):
        raise Http404
    audit_read(actor=request.user, obj=case)  # the form shows the case's people
    context = {"case": case, "form": form}
    if request.htmx:
        return render(request, "cases/page/_form.html", context)
    return render(request, "cases/page/form_page.html", context)


@require_GET
def journal(request, pk: int):
    """The case's journal a page at a time (``cases:journal``): the newest entries, or with
    ``?voor=<id>`` those older than that entry. htmx appends a page below the entries the
    case page shows; without JavaScript it is a page of its own."""
    case = _case_or_404(request, pk)
    before = request.GET.get("voor")
    older_than = None if before is None else as_id(before)
    if before is not None and older_than is None:
        raise Http404
    page = journal_page(case.pk, older_than)
    audit_read(actor=request.user, obj=case)
    if request.htmx:
        context = {"case": case, "page": page, "appended": True}
        return HttpResponse(render_jinja("cases/page/_journal_entries.jinja", context, request))
    context = {"case": case, "page": page, "older_than": older_than}
    return render(request, "cases/page/journal_page.html", context)


def _restricted_page(request, case: Case, consent_form=None, status: int = 200) -> HttpResponse:
    """Pupil name, phase, deadlines, the user's own reports and tasks; for the lead also
    the school and the task of asking consent (ADR 0014). Nothing of the reports' content
    of others, the journal, the plan or the meetings."""
    user = request.user
    context = restricted_view(user, case)
    can_ask = context["leads"] and has_capability(user, Capability.WORK_CASES)
    context["consent_form"] = (consent_form or f.ConsentForm(prefix="consent")) if can_ask else None
    return render(request, "cases/page/restricted.html", context, status=status)


def restricted_view(user, case: Case) -> dict:
    """What the restricted view shows beyond the case's own fields: whether the user's
    organisation leads, its own reports and its own tasks (the page and the case file PDF)."""
    own = {m.organisation_id for m in memberships_of(user)}
    return {
        "case": case,
        "leads": case_is_led_by(user, case),
        "reports": absence_reports_visible_to(user)
        .filter(case_link__case=case, reporting_organisation_id__in=own)
        .select_related("reporting_organisation", "school")
        .order_by("-reported_on", "-id"),
        "actions": case.actions.filter(
            Q(owner_user_id=user.pk) | Q(owner_user__isnull=True, owner_organisation_id__in=own)
        ).order_by("due_on", "id"),
    }


def pupil_case_partial(request, pupil_pk: int):
    """The pupil's open case (link and phase) for the pupil page, if the user may see it,
    whole or in the restricted view."""
    pupil = get_visible_or_404(pupils_visible_to(request.user), pk=pupil_pk, reader=request.user)
    user = request.user
    case = cases_known_to(user).open().filter(pupil=pupil).first()
    audit_read(actor=user, obj=pupil)
    template = "cases/_pupil_case.html" if request.htmx else "cases/pupil_case.html"
    return render(request, template, {"pupil": pupil, "case": case})


# --- POST views -----------------------------------------------------------------------


def _sections_response(request, case: Case, names: list[str]) -> HttpResponse:
    """The first section in place, the others out of band."""
    data = PageData(request, case)
    parts = [
        render_jinja(SECTION_TEMPLATES[name], _context(data, oob=i > 0), request)
        for i, name in enumerate(names)
    ]
    return HttpResponse("".join(parts))


def _page_url(case: Case, section: str = "") -> str:
    page = url("cases:case_detail", case.pk)
    return f"{page}#section-{section}" if section else page


def _still_visible(request, pk: int) -> Case | None:
    return (
        cases_visible_to(request.user)
        .select_related("pupil", "lead_organisation", "lead_user", "school", "municipality")
        .filter(pk=pk)
        .first()
    )


def _go(request, to: str) -> HttpResponse:
    """A redirect; for htmx a full navigation (the page changes as a whole)."""
    if request.htmx:
        # Without the fragment: a change of fragment alone would not load the page again.
        return HttpResponse(headers={"HX-Redirect": to.split("#")[0]})
    return redirect(to)


def _handle(request, pk, *, form_name, section, run, message, also=(), reload=False, perm=True):
    """Scope first, then the capability, then the form, then the service."""
    case = _case_or_404(request, pk)
    if perm and not has_capability(request.user, Capability.WORK_CASES):
        raise PermissionDenied
    data = PageData(request, case)
    form = data.make_form(form_name, request.POST)
    if form.is_valid():
        try:
            run(case, form, request.user)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            case = _still_visible(request, pk)
            if case is None:  # e.g. the consent that let this user see the case was withdrawn
                messages.success(request, message)
                return _go(request, reverse("home"))
            if request.htmx and not reload:
                return _sections_response(request, case, [section, *also, "journal", "header"])
            messages.success(request, message)
            return _go(request, _page_url(case, section))
    data = PageData(request, case, bound={form_name: form})
    if request.htmx:
        return _section(request, data, section)
    return render(request, "cases/page/case_page.html", _context(data), status=422)


@require_POST
def transition(request, pk: int):
    def run(case, form, user):
        services.case_move(
            case=case,
            to_phase=form.cleaned_data["to_phase"],
            actor=user,
            reason=form.cleaned_data["reason"],
        )

    return _handle(
        request,
        pk,
        form_name="transition",
        section="actions",
        run=run,
        reload=True,
        message=_("De casus is naar de volgende fase gezet."),
    )


@require_POST
def close(request, pk: int):
    def run(case, form, user):
        d = form.cleaned_data
        services.case_close(
            case=case,
            reason=d["reason"],
            actor=user,
            note=d["note"],
            offer_started_on=d["offer_started_on"],
        )

    return _handle(
        request,
        pk,
        form_name="close",
        section="actions",
        run=run,
        reload=True,
        message=_("De casus is gesloten."),
    )


@require_POST
def reopen(request, pk: int):
    def run(case, form, user):
        services.case_reopen(case=case, actor=user, reason=form.cleaned_data["reason"])

    return _handle(
        request,
        pk,
        form_name="reopen",
        section="actions",
        run=run,
        reload=True,
        perm=False,
        message=_("De casus is heropend."),
    )


@require_POST
def journal_add(request, pk: int):
    def run(case, form, user):
        services.case_journal_add(
            case=case, actor=user, text=form.cleaned_data["text"], kind=form.cleaned_data["kind"]
        )

    return _handle(
        request,
        pk,
        form_name="journal",
        section="journal",
        run=run,
        message=_("Het journaal is bijgewerkt."),
    )


@require_POST
def wishes(request, pk: int):
    def run(case, form, user):
        services.case_details_update(case=case, actor=user, **form.cleaned_data)

    return _handle(
        request,
        pk,
        form_name="wishes",
        section="plan",
        run=run,
        message=_("De wensen zijn opgeslagen."),
    )


@require_POST
def goal_add(request, pk: int):
    def run(case, form, user):
        services.goal_add(case=case, actor=user, **form.cleaned_data)

    return _handle(
        request,
        pk,
        form_name="goal",
        section="plan",
        run=run,
        message=_("Het doel is toegevoegd."),
    )


@require_POST
def action_add(request, pk: int):
    def run(case, form, user):
        services.action_add(case=case, actor=user, **form.service_kwargs())

    return _handle(
        request,
        pk,
        form_name="action",
        section="plan",
        run=run,
        message=_("De actie is toegevoegd."),
    )


@require_POST
def action_status(request, pk: int, action_pk: int):
    """Done, cancelled or open again; the owner of the action may do this too."""
    case = _case_or_404(request, pk)
    action = get_object_or_404(case.actions.all(), pk=action_pk)
    status = request.POST.get("status", "")
    try:
        services.action_status_set(action=action, status=status, actor=request.user)
    except ValidationError as exc:
        if request.htmx:
            return _section(
                request,
                PageData(request, case),
                "plan",
                action_error=(action.pk, " ".join(exc.messages)),
            )
        messages.error(request, " ".join(exc.messages))
        return redirect(_page_url(case, "plan"))
    if request.htmx:
        return _sections_response(request, case, ["plan", "journal"])
    messages.success(request, _("De status van de actie is bijgewerkt."))
    return redirect(_page_url(case, "plan"))


@require_POST
def meeting_add(request, pk: int):
    def run(case, form, user):
        services.meeting_record(case=case, actor=user, **form.service_kwargs())

    return _handle(
        request,
        pk,
        form_name="meeting",
        section="meetings",
        run=run,
        also=("plan",),
        message=_("Het overleg is vastgelegd."),
    )


@require_POST
def arrangement_add(request, pk: int):
    def run(case, form, user):
        services.arrangement_record(case=case, actor=user, **form.cleaned_data)

    return _handle(
        request,
        pk,
        form_name="arrangement",
        section="arrangements",
        run=run,
        message=_("Het arrangement is vastgelegd."),
    )


@require_POST
def participant_add(request, pk: int):
    def run(case, form, user):
        services.participant_add(case=case, actor=user, **form.service_kwargs())

    return _handle(
        request,
        pk,
        form_name="participant",
        section="participants",
        run=run,
        message=_("De betrokkene is toegevoegd."),
    )


@require_POST
def participant_remove(request, pk: int, participant_pk: int):
    case = _case_or_404(request, pk)
    participant = get_object_or_404(
        case.participants.filter(removed_at__isnull=True), pk=participant_pk
    )
    try:
        services.participant_remove(participant=participant, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _go(request, _page_url(case, "participants"))
    if request.htmx:
        return _sections_response(request, case, ["participants", "journal"])
    messages.success(request, _("De betrokkene is verwijderd."))
    return redirect(_page_url(case, "participants"))


@require_POST
def care_partner_invite(request, pk: int):
    def run(case, form, user):
        services.care_partner_invite(
            case=case, user=form.cleaned_data["user"], actor=user, role=form.cleaned_data["role"]
        )

    return _handle(
        request,
        pk,
        form_name="care",
        section="participants",
        run=run,
        message=_("De zorgpartner is uitgenodigd."),
    )


@require_POST
def details(request, pk: int):
    def run(case, form, user):
        services.case_details_update(case=case, actor=user, **form.cleaned_data)

    return _handle(
        request,
        pk,
        form_name="details",
        section="details",
        run=run,
        message=_("De gegevens zijn opgeslagen."),
    )


@require_POST
def consent(request, pk: int):
    case, whole = case_view_of(request.user, pk)
    if case is None:
        raise Http404
    if not whole:
        return _consent_restricted(request, case)

    def run(case, form, user):
        services.case_consent_record(case=case, actor=user, **form.cleaned_data)

    response = _handle(
        request,
        pk,
        form_name="consent",
        section="consent",
        run=run,
        also=("participants",),
        message=_("De toestemming is vastgelegd."),
    )
    return response


def _consent_restricted(request, case: Case) -> HttpResponse:
    """The lead records consent from the restricted view; once it holds, the page opens."""
    form = f.ConsentForm(request.POST, prefix="consent")
    if form.is_valid():
        try:
            services.case_consent_record(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("De toestemming is vastgelegd."))
            return _go(request, _page_url(case))
    return _restricted_page(request, case, consent_form=form, status=422)


@require_POST
def lead_change(request, pk: int):
    def run(case, form, user):
        d = form.cleaned_data
        services.case_lead_change(
            case=case,
            organisation=d["organisation"],
            actor=user,
            user=d["user"],
            reason=d["reason"],
        )

    return _handle(
        request,
        pk,
        form_name="lead",
        section="lead",
        run=run,
        message=_("De casusregie is overgedragen."),
    )
