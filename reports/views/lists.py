"""Pages of the thuiszitterslijst (``/rapportages/lijsten/``): the current list, freezing
it, frozen lists, exports, and the reconciliation with another organisation's list.

Only users who may see personal data in the list's organisation get here (404 for others,
as for a list that does not exist). The rules live in ``reports.services.lists``.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thuiszitters.forms import errors_onto_form
from thuiszitters.selectors import reporting_organisations

from ..exports import FORMATS, export_response
from ..forms import FreezeForm, ListForm, ReconcileForm
from ..reconciliation import MAX_ROWS
from ..services.lists import (
    LIST_OBJECT_TYPE,
    RECONCILIATION_OBJECT_TYPE,
    counts,
    current_list,
    frozen_list,
    last_snapshot,
    list_read_record,
    list_table,
    next_list_on,
    personal_scope_or_404,
    personal_scopes,
    result_cells,
    result_load,
    result_sign,
    result_table,
    scope_organisation,
    snapshot_or_404,
    snapshot_read_record,
    snapshots_of,
    thuiszitterslijst_freeze,
    thuiszitterslijst_reconcile,
)

SNAPSHOTS_PER_PAGE = 50


def _on(form: ListForm) -> datetime.date:
    if form.is_bound and form.is_valid() and form.cleaned_data["on"]:
        return form.cleaned_data["on"]
    return timezone.localdate()


def _list_page(request, scopes, scope, form, on, freeze_form=None, status=200):
    user = request.user
    rows = current_list(user=user, scope=scope, on=on)
    list_read_record(
        actor=user, scope=scope, on=on, rows=len(rows), organisation=scope_organisation(scope)
    )
    last = last_snapshot(scope)
    today = timezone.localdate()
    context = {
        "scope": scope,
        "on": on,
        "form": form,
        "rows": rows,
        "counts": counts(rows),
        "last": last,
        "next_on": next_list_on(last),
        "today": today,
        "freeze_form": freeze_form
        or FreezeForm(scopes=scopes, initial={"scope": scope.key, "on": on}),
    }
    return render(request, "reports/lists/thuiszitterslijst.html", context, status=status)


@require_GET
def thuiszitterslijst(request):
    """The current list of one scope on a date (default today), longest at home first."""
    scopes = personal_scopes(request.user)
    scope = personal_scope_or_404(request.user, request.GET.get("scope"), scopes)
    data = request.GET.copy()
    data.setdefault("scope", scope.key)
    data.setdefault("on", timezone.localdate().isoformat())
    form = ListForm(data, scopes=scopes)
    return _list_page(request, scopes, scope, form, _on(form))


@require_POST
def freeze(request):
    """Fix the list as it stands for the chosen date; then show the frozen list."""
    user = request.user
    scopes = personal_scopes(user)
    scope = personal_scope_or_404(user, request.POST.get("scope"), scopes)
    form = FreezeForm(request.POST, scopes=scopes)
    if form.is_valid():
        try:
            snapshot = thuiszitterslijst_freeze(
                actor=user, scope=scope, on=form.cleaned_data["on"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request,
                _("De thuiszitterslijst van %(date)s is vastgesteld (%(n)s leerlingen).")
                % {"date": snapshot.on.strftime("%d-%m-%Y"), "n": snapshot.broad_count},
            )
            return redirect("reportlists:snapshot", pk=snapshot.pk)
    on = form.cleaned_data.get("on") or timezone.localdate()
    list_form = ListForm(initial={"scope": scope.key, "on": on}, scopes=scopes)
    return _list_page(request, scopes, scope, list_form, on, freeze_form=form, status=400)


@require_GET
def export(request):
    """The current list as CSV or XLSX (personal data: audited)."""
    scope = personal_scope_or_404(request.user, request.GET.get("scope"))
    fmt = request.GET.get("fmt") or "csv"
    if fmt not in FORMATS:
        raise Http404
    data = request.GET.copy()
    data["scope"] = scope.key
    on = _on(ListForm(data, scopes=[scope]))
    rows = current_list(user=request.user, scope=scope, on=on)
    title = _("Thuiszitterslijst %(name)s %(date)s") % {
        "name": scope.name,
        "date": on.strftime("%d-%m-%Y"),
    }
    return export_response(
        request,
        list_table(title, rows),
        fmt,
        filename=f"thuiszitterslijst-{scope.name}-{on.isoformat()}",
        personal_data=True,
        organisation=scope_organisation(scope),
        object_type=LIST_OBJECT_TYPE,
    )


@require_GET
def snapshots(request):
    """The frozen lists of a scope, newest first, with the suggested date of the next."""
    scopes = personal_scopes(request.user)
    scope = personal_scope_or_404(request.user, request.GET.get("scope"), scopes)
    page = Paginator(snapshots_of(scope), SNAPSHOTS_PER_PAGE).get_page(request.GET.get("page"))
    last = last_snapshot(scope)
    return render(
        request,
        "reports/lists/snapshots.html",
        {
            "scope": scope,
            "scopes": scopes,
            "page": page,
            "rows": list(page.object_list),
            "last": last,
            "next_on": next_list_on(last),
            "today": timezone.localdate(),
            "query": f"scope={scope.key}",
        },
    )


@require_GET
def snapshot(request, pk: int):
    """A frozen list exactly as it was fixed."""
    frozen = frozen_list(user=request.user, snapshot=snapshot_or_404(request.user, pk))
    snapshot_read_record(actor=request.user, frozen=frozen)
    return render(
        request,
        "reports/lists/snapshot.html",
        {"frozen": frozen, "snapshot": frozen.snapshot, "rows": frozen.rows},
    )


@require_GET
def snapshot_export(request, pk: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    frozen = frozen_list(user=request.user, snapshot=snapshot_or_404(request.user, pk))
    snap = frozen.snapshot
    title = _("Vastgestelde thuiszitterslijst %(name)s %(date)s") % {
        "name": snap.organisation.name,
        "date": snap.on.strftime("%d-%m-%Y"),
    }
    return export_response(
        request,
        list_table(title, frozen.rows),
        fmt,
        filename=f"thuiszitterslijst-{snap.organisation.name}-{snap.on.isoformat()}-vastgesteld",
        personal_data=True,
        organisation=snap.organisation,
        object_type=LIST_OBJECT_TYPE,
    )


@require_http_methods(["GET", "POST"])
def reconcile(request):
    """Upload another organisation's list; show who is on both, only on ours, only on theirs."""
    user = request.user
    scopes = personal_scopes(user)
    key = request.POST.get("scope") if request.method == "POST" else request.GET.get("scope")
    scope = personal_scope_or_404(user, key, scopes)
    form = ReconcileForm(
        request.POST or None,
        request.FILES or None,
        scopes=scopes,
        initial={"scope": scope.key, "on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["on"]
        try:
            result = thuiszitterslijst_reconcile(
                actor=user, scope=scope, on=on, text=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            errors_onto_form(form, exc, default="file")
        else:
            return render(
                request,
                "reports/lists/reconcile_result.html",
                {
                    "result": result,
                    "scope": scope,
                    "on": on,
                    "source": form.cleaned_data["source"] or _("de andere organisatie"),
                    "filename": request.FILES["file"].name,
                    "reporter": reporting_organisations(user).exists(),
                    "payload": result_sign(
                        user=user, scope=scope, on=on, cells=result_cells(result)
                    ),
                },
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reports/lists/reconcile.html",
        {"form": form, "scope": scope, "max_rows": MAX_ROWS},
        status=status,
    )


@require_POST
def reconcile_export(request):
    """The comparison as CSV or XLSX, from the signed result (personal data: audited)."""
    user = request.user
    scopes = personal_scopes(user)
    personal_scope_or_404(user, None, scopes)  # no lists at all: the page does not exist
    fmt = request.POST.get("fmt", "csv")
    if fmt not in FORMATS:
        raise Http404
    try:
        key, on, cells = result_load(user=user, token=request.POST.get("payload", ""))
    except ValidationError as exc:
        return render(request, "reports/lists/refused.html", {"errors": exc.messages}, status=400)
    scope = personal_scope_or_404(user, key, scopes)  # the rights may have changed since
    title = _("Vergelijking thuiszitterslijst %(name)s %(date)s") % {
        "name": scope.name,
        "date": on.strftime("%d-%m-%Y"),
    }
    return export_response(
        request,
        result_table(title, cells),
        fmt,
        filename=f"vergelijking-thuiszitterslijst-{scope.name}-{on.isoformat()}",
        personal_data=True,
        organisation=scope_organisation(scope),
        object_type=RECONCILIATION_OBJECT_TYPE,
    )
