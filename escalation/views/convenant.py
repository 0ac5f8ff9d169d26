"""The convenant pages of the functional administrator (``/beheer/convenant/``).

Only holders of ``manage_region`` see them, and only for their own region(s): everyone else
gets 404, as on the audit log, and an SWV, region or holiday outside the administrator's
regions is 404 too (missing and forbidden look the same). The pages read through the
scoped helpers below and change through the services of ``escalation.services.policy`` and
``escalation.services.holidays``; a failed form comes back with its field errors (422).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from thuiszitters.access import get_visible_or_404, region_ids_with
from thuiszitters.forms import errors_onto_form
from thuiszitters.models import Region, Samenwerkingsverband
from thuiszitters.roles import Capability

from ..forms.convenant import HolidayForm, HolidayImportForm, PolicyVersionForm
from ..models import HolidaySource, PolicyVersion, SchoolHoliday
from ..services.holidays import (
    CSV_COLUMNS,
    MAX_DAYS,
    holiday_create,
    holiday_delete,
    holiday_update,
    holidays_import,
)
from ..services.policy import policy_version_create, version_settings

VERSION_RELATED = (
    "policy",
    "created_by",
    "casusregisseur_organisation",
    "doorbraakteam_coordinator",
    "neighbour_swv",
)


# --- Scope ----------------------------------------------------------------------------------


def _managed_region_ids(request) -> set[int]:
    """The regions whose convenant the user manages; none: the pages do not exist (404)."""
    ids = region_ids_with(request.user, Capability.MANAGE_REGION)
    if not ids:
        raise Http404
    return ids


def _swvs(region_ids):
    return Samenwerkingsverband.objects.filter(region_id__in=region_ids, is_active=True)


def _regions(region_ids):
    return Region.objects.filter(pk__in=region_ids)


def _holidays(region_ids):
    return SchoolHoliday.objects.filter(region_id__in=region_ids)


def _current_versions(swv_ids) -> dict[int, PolicyVersion]:
    """The version in force per SWV, with what the overview shows, in one query."""
    latest = (
        PolicyVersion.objects.filter(policy_id=OuterRef("policy_id"))
        .order_by("-number")
        .values("pk")[:1]
    )
    versions = PolicyVersion.objects.filter(
        policy__swv_id__in=list(swv_ids), pk=Subquery(latest)
    ).select_related(*VERSION_RELATED)
    return {v.policy.swv_id: v for v in versions}


def _posted(request):
    """The form data of a POST (even an empty one, which must show its errors), else None."""
    return request.POST if request.method == "POST" else None


# --- Convenant ------------------------------------------------------------------------------


def overview(request):
    """The SWVs of the administrator's region(s) with the version in force, and each
    region's holiday calendar in brief."""
    region_ids = _managed_region_ids(request)
    regions = list(_regions(region_ids).order_by("name"))
    swvs = list(_swvs(region_ids).order_by("name"))
    versions = _current_versions(s.pk for s in swvs)
    today = timezone.localdate()
    stats = {
        row["region_id"]: row
        for row in _holidays(region_ids)
        .values("region_id")
        .annotate(
            total=Count("pk"),
            sample=Count("pk", filter=Q(source=HolidaySource.SAMPLE)),
            coming=Count("pk", filter=Q(ends_on__gte=today)),
        )
        .order_by()
    }
    sections = [
        {
            "region": region,
            "swvs": [(swv, versions.get(swv.pk)) for swv in swvs if swv.region_id == region.pk],
            "holidays": stats.get(region.pk, {"total": 0, "sample": 0, "coming": 0}),
        }
        for region in regions
    ]
    return render(request, "escalation/convenant/overview.html", {"sections": sections})


@require_http_methods(["GET", "POST"])
def swv_detail(request, pk: int):
    """One SWV's convenant: the settings in force, the version history and the form that
    makes a new version (started from the one in force)."""
    region_ids = _managed_region_ids(request)
    swv = get_visible_or_404(_swvs(region_ids).select_related("region"), pk=pk)
    versions = list(
        PolicyVersion.objects.filter(policy__swv=swv)
        .select_related(*VERSION_RELATED)
        .order_by("-number")
    )
    current = versions[0] if versions else None
    current_casusregisseurs = (
        list(current.casusregisseurs.order_by("full_name", "email")) if current else []
    )
    initial = {}
    if current is not None:
        initial = {
            **version_settings(current),
            "casusregisseurs": [u.pk for u in current_casusregisseurs],
        }
    form = PolicyVersionForm(_posted(request), swv=swv, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = policy_version_create(swv=swv, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("Versie %(number)s van het convenant geldt nu; de termijnen zijn bijgewerkt.")
                % {"number": version.number},
            )
            return redirect("convenant:swv", pk=swv.pk)
    context = {
        "swv": swv,
        "current": current,
        "current_casusregisseurs": current_casusregisseurs,
        "versions": versions,
        "form": form,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "escalation/convenant/swv_detail.html", context, status=status)


# --- Holiday calendar -----------------------------------------------------------------------


def holiday_list(request, pk: int):
    """The region's school holidays, sample rows marked, with links to add, import, change
    and remove."""
    region_ids = _managed_region_ids(request)
    region = get_visible_or_404(_regions(region_ids), pk=pk)
    holidays = list(_holidays([region.pk]).order_by("starts_on", "pk"))
    context = {
        "region": region,
        "holidays": holidays,
        "has_sample": any(h.is_sample for h in holidays),
        "today": timezone.localdate(),
    }
    return render(request, "escalation/convenant/holiday_list.html", context)


def _holiday_or_404(request, pk: int) -> SchoolHoliday:
    region_ids = _managed_region_ids(request)
    return get_visible_or_404(_holidays(region_ids).select_related("region"), pk=pk)


def _holidays_url(region_id: int) -> str:
    return reverse("convenant:holidays", args=[region_id])


@require_http_methods(["GET", "POST"])
def holiday_add(request, pk: int):
    region_ids = _managed_region_ids(request)
    region = get_visible_or_404(_regions(region_ids), pk=pk)
    form = HolidayForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            holiday = holiday_create(region=region, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s staat in de vakantiekalender; de termijnen zijn bijgewerkt.")
                % {"name": holiday.name},
            )
            return redirect(_holidays_url(region.pk))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "escalation/convenant/holiday_form.html",
        {"region": region, "form": form, "holiday": None, "max_days": MAX_DAYS},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def holiday_edit(request, pk: int):
    holiday = _holiday_or_404(request, pk)
    form = HolidayForm(
        _posted(request),
        initial={"name": holiday.name, "starts_on": holiday.starts_on, "ends_on": holiday.ends_on},
    )
    if request.method == "POST" and form.is_valid():
        try:
            holiday = holiday_update(holiday=holiday, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is opgeslagen; de termijnen zijn bijgewerkt.") % {"name": holiday.name},
            )
            return redirect(_holidays_url(holiday.region_id))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "escalation/convenant/holiday_form.html",
        {"region": holiday.region, "form": form, "holiday": holiday, "max_days": MAX_DAYS},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def holiday_delete_view(request, pk: int):
    """GET asks for confirmation; POST removes the holiday."""
    holiday = _holiday_or_404(request, pk)
    if request.method == "POST":
        region_id, name = holiday.region_id, holiday.name
        holiday_delete(holiday=holiday, actor=request.user)
        messages.success(
            request,
            _("%(name)s is uit de vakantiekalender verwijderd; de termijnen zijn bijgewerkt.")
            % {"name": name},
        )
        return redirect(_holidays_url(region_id))
    return render(request, "escalation/convenant/holiday_confirm_delete.html", {"holiday": holiday})


@require_http_methods(["GET", "POST"])
def holiday_import(request, pk: int):
    """Upload a CSV or iCalendar file; all or nothing, with the errors per line."""
    region_ids = _managed_region_ids(request)
    region = get_visible_or_404(_regions(region_ids), pk=pk)
    form = HolidayImportForm(_posted(request), request.FILES if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = holidays_import(
                region=region, actor=request.user, content=upload.read(), filename=upload.name
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _(
                    "%(file)s is geïmporteerd: %(created)s vakantie(s) toegevoegd, "
                    "%(skipped)s al aanwezig en overgeslagen."
                )
                % {
                    "file": result.filename,
                    "created": len(result.created),
                    "skipped": len(result.skipped),
                },
            )
            return redirect(_holidays_url(region.pk))
    status = 422 if request.method == "POST" else 200
    context = {
        "region": region,
        "form": form,
        "errors": errors,
        "csv_header": ";".join(CSV_COLUMNS),
        "max_days": MAX_DAYS,
    }
    return render(request, "escalation/convenant/holiday_import.html", context, status=status)
