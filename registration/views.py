"""Pages of registration: the pupil list, the pupil page with consent, the report history.

Every read goes through the scoping selectors; the pupil page is audited on every view. The
pupil's case is shown by an htmx partial of ``cases`` (registration never imports cases).
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thuiszitters.access import get_visible_or_404, has_capability, memberships_of, scope_key
from thuiszitters.audit import audit_list, audit_read
from thuiszitters.filters import filtered, list_key
from thuiszitters.forms import errors_onto_form
from thuiszitters.pagination import BoundedPaginator
from thuiszitters.precompiled import precompiled
from thuiszitters.roles import Capability

from .filters import AbsenceReportListFilter, PupilFilter
from .forms import ConsentForm, PupilCorrectionForm
from .models import ConsentParty, ConsentScope, ConsentStatus, Enrolment, Pupil
from .rules import age_on, compulsory_education_on
from .search import bsn_in_url_refused, looks_like_bsn, posted_search
from .selectors import (
    absence_reports_visible_to,
    pupil_detail_queryset,
    pupil_seen_whole_by,
    pupils_visible_to,
    signals_for_pupils,
    thresholds_for,
)
from .services import consent_record, consent_standing, pupil_consent_state
from .services.corrections import pupil_correctable_by

PAGE_SIZE = 25


def _require_personal_data(user) -> None:
    """Roles without sight of personal data do not learn that these pages exist."""
    if not has_capability(user, Capability.VIEW_PERSONAL_DATA):
        raise Http404


def _region_of(user) -> int | None:
    regions = {m.region_id for m in memberships_of(user) if m.region_id}
    return min(regions) if regions else None


PUPIL_LIST_COLUMNS = ("given_names", "surname_prefix", "surname", "date_of_birth")


@precompiled
def _pupil_rows(today: datetime.date, *ids: int):
    """A page's pupils by their ids, with only what a row shows (_pupil_rows.jinja) and their
    current school, compiled once per day and number of rows (ADR 0028). The whole pupil and
    school, with the municipality the rows do not show, took about twice as long to read."""
    current = Prefetch(
        "enrolments",
        queryset=Enrolment.objects.current(on=today)
        .select_related("school")
        .only("pupil_id", "school__name"),
        to_attr="current_enrolments",
    )
    return Pupil.objects.filter(pk__in=ids).only(*PUPIL_LIST_COLUMNS).prefetch_related(current)


def pupil_list(request):
    """The search form posts (a BSN must not travel in a URL): a BSN is answered in the
    response itself; a name or date goes back to the bookmarkable GET."""
    _require_personal_data(request.user)
    list_url = reverse("registration:pupil_list")
    data = request.GET
    if request.method == "POST":
        text = request.POST.get("q", "")
        if not looks_like_bsn(text):
            return redirect(f"{list_url}?{urlencode({'q': text})}" if text.strip() else list_url)
        data = posted_search(request.POST)
    elif looks_like_bsn(request.GET.get("q")):
        return bsn_in_url_refused(request, back_url=list_url)
    today = timezone.localdate()
    filters = PupilFilter(
        data or None,
        queryset=pupils_visible_to(request.user).select_related("municipality"),
        request=request,
        only=["q"],
    )
    query = ""
    if request.method == "GET" and filters.is_valid() and filters.form.cleaned_data["q"]:
        query = request.GET.copy()
        query.pop("page", None)
        query = query.urlencode()
    number = data.get("page")
    page = BoundedPaginator(
        filtered(filters),
        PAGE_SIZE,
        number=number,
        # The search text is never part of a key: a search compiles as before.
        key=list_key(filters, (), "pupil_list", scope_key(request.user)),
        rows=lambda ids: _pupil_rows(today, *ids),
    ).get_page(number)
    rows = list(page.object_list)
    audit_list(actor=request.user, object_type="registration.pupil", ids=[p.pk for p in rows])
    signals = (
        signals_for_pupils(rows, request.user, today, thresholds_for(_region_of(request.user)))
        if rows
        else {}
    )
    for pupil in rows:
        pupil.age = age_on(pupil.date_of_birth, today)
        pupil.signals = signals.get(pupil.pk, [])
    return render(
        request,
        "registration/pupil_list.html",
        {
            "page": page,
            "rows": rows,
            "form": filters.form,
            "query": query,
            "searched": bool(filters.is_valid() and filters.form.cleaned_data["q"]),
        },
    )


def _consent_rows(pupil, today: datetime.date) -> list[dict]:
    state = pupil_consent_state(pupil, today)
    rows = []
    for scope in ConsentScope:
        consent = state[scope]
        rows.append(
            {
                "scope": scope.label,
                "effective": consent.effective,
                "required": [ConsentParty(p).label for p in sorted(consent.required)],
                "missing": [ConsentParty(p).label for p in consent.missing],
                "latest": [
                    (ConsentParty(p).label, ConsentStatus(s).label)
                    for p, s in sorted(consent.latest.items())
                ],
            }
        )
    return rows


def _detail_context(request, pupil, consent_form=None, correction_form=None) -> dict:
    today = timezone.localdate()
    user = request.user
    status = compulsory_education_on(pupil.date_of_birth, today, pupil.startkwalificatie_on)
    region_id = pupil.municipality.region_id
    signals = signals_for_pupils([pupil], user, today, thresholds_for(region_id))[pupil.pk]
    reports = (
        absence_reports_visible_to(user)
        .filter(pupil=pupil)
        .select_related("reporting_organisation", "school")
        .order_by("-reported_on", "-id")
    )
    whole = pupil_seen_whole_by(user, pupil)
    guardians = list(pupil.guardians.all())
    enrolments = list(pupil.enrolments.all())
    exemptions = list(pupil.exemptions.all())
    if not whole:
        own = {m.organisation_id for m in memberships_of(user)}
        guardians = [g for g in guardians if g.recorded_by_organisation_id in own]
        enrolments = [e for e in enrolments if e.school_id in own]
        exemptions = []
    for enrolment in enrolments:
        enrolment.is_current = enrolment.start <= today and (
            enrolment.end is None or enrolment.end >= today
        )
    return {
        "pupil": pupil,
        "age": age_on(pupil.date_of_birth, today),
        "compulsory_education": status.label,
        "seen_whole": whole,
        "guardians": guardians,
        "enrolments": enrolments,
        "exemptions": exemptions,
        "consents": _consent_rows(pupil, today),
        "signals": signals,
        "reports": reports,
        "consent_form": (consent_form or ConsentForm(pupil=pupil))
        if consent_standing(user, pupil)
        else None,
        "correction_form": (correction_form or PupilCorrectionForm.for_pupil(pupil))
        if pupil_correctable_by(user, pupil)
        else None,
    }


def pupil_detail(request, pk: int):
    pupil = get_visible_or_404(pupil_detail_queryset(request.user), pk=pk, reader=request.user)
    audit_read(actor=request.user, obj=pupil)
    return render(request, "registration/pupil_detail.html", _detail_context(request, pupil))


@require_POST
def consent_record_view(request, pk: int):
    """Record what the parents or the pupil stated; errors re-render the pupil page."""
    _require_personal_data(request.user)
    pupil = get_visible_or_404(pupil_detail_queryset(request.user), pk=pk, reader=request.user)
    if consent_standing(request.user, pupil) is None:
        # Seeing a pupil in the register is no standing to speak for the parents.
        raise PermissionDenied
    form = ConsentForm(request.POST, pupil=pupil)
    if form.is_valid():
        data = form.cleaned_data
        try:
            consent_record(
                actor=request.user,
                pupil=pupil,
                scope=data["scope"],
                status=data["status"],
                party=data["party"],
                stated_on=data["stated_on"],
                how=data["how"],
                guardian=data.get("guardian"),
                note=data["note"],
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("De verklaring is vastgelegd: %(scope)s, %(status)s.")
                % {
                    "scope": ConsentScope(data["scope"]).label,
                    "status": ConsentStatus(data["status"]).label,
                },
            )
            return redirect("registration:pupil_detail", pk=pupil.pk)
    audit_read(actor=request.user, obj=pupil)
    return render(
        request, "registration/pupil_detail.html", _detail_context(request, pupil, form), status=200
    )


@require_POST
def pupil_correct_view(request, pk: int):
    """Correct the pupil's identifying data with a reason; errors re-render the pupil page."""
    _require_personal_data(request.user)
    pupil = get_visible_or_404(pupil_detail_queryset(request.user), pk=pk, reader=request.user)
    if not pupil_correctable_by(request.user, pupil):
        raise PermissionDenied
    form = PupilCorrectionForm.for_pupil(pupil, request.POST)
    if form.submit(pupil, request.user):
        messages.success(request, _("De correctie is vastgelegd."))
        return redirect("registration:pupil_detail", pk=pupil.pk)
    pupil.refresh_from_db()
    audit_read(actor=request.user, obj=pupil)
    return render(
        request,
        "registration/pupil_detail.html",
        _detail_context(request, pupil, correction_form=form),
    )


def report_list(request):
    _require_personal_data(request.user)
    filters = AbsenceReportListFilter(
        request.GET or None,
        queryset=absence_reports_visible_to(request.user)
        .select_related("pupil", "reporting_organisation", "school")
        .order_by("-reported_on", "-id"),
        request=request,
        only=["kind", "since", "until"],
    )
    page = Paginator(filtered(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    audit_list(
        actor=request.user,
        object_type="registration.absencereport",
        ids=[r.pk for r in page.object_list],
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registration/report_list.html",
        {"page": page, "form": filters.form, "query": query.urlencode()},
    )
