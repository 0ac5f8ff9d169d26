"""Pages of the quarterly OOGO report: the list with the request form, the request, the
download (DESIGN.md 4.5).

Everything is scoped by ``report_scopes_for(user)``: a user sees and downloads the reports
of the SWVs, municipalities and region whose aggregates they may see, whoever requested
them; anything else is 404, like a report that does not exist. The PDF is rendered by a
Celery task, never here; the list polls (htmx, every 3 seconds) while a report is queued or
being rendered. The file is served by the download view only (audited as an export), never
through ``MEDIA_URL``.
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from thuiszitters.access import get_visible_or_404

from ..models import QuarterlyReportStatus
from ..periods import Quarter
from ..scopes import Scope, report_scopes_for
from ..selectors import quarterly_reports_visible_to
from ..services import quarterly_report_open, quarterly_report_request, quarterly_report_retry

PAGE_SIZE = 25
REQUESTABLE_QUARTERS = 8
POLL_SECONDS = 3
PENDING = (QuarterlyReportStatus.QUEUED, QuarterlyReportStatus.RENDERING)


def _scopes_or_404(user) -> list[Scope]:
    scopes = report_scopes_for(user)
    if not scopes:
        raise Http404
    return scopes


def requestable_quarters(today=None) -> list[Quarter]:
    """The last quarters that have started, newest first (the running one included)."""
    today = today or timezone.localdate()
    return Quarter.of(today).last(REQUESTABLE_QUARTERS)[::-1]


class QuarterlyRequestForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Organisatie"))
    quarter = forms.ChoiceField(label=gettext_lazy("Kwartaal"))

    def __init__(self, *args, scopes: list[Scope], quarters: list[Quarter], **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes = {s.key: s for s in scopes}
        cast(forms.ChoiceField, self.fields["scope"]).choices = [
            (s.key, f"{s.name} ({s.kind_label.lower()})") for s in scopes
        ]
        cast(forms.ChoiceField, self.fields["quarter"]).choices = [
            (str(q), q.label) for q in quarters
        ]

    def clean_scope(self) -> Scope:
        return self.scopes[self.cleaned_data["scope"]]

    def clean_quarter(self) -> Quarter:
        return Quarter.parse(self.cleaned_data["quarter"])


def _rows_context(request, scopes: list[Scope]) -> dict:
    reports = quarterly_reports_visible_to(scopes).select_related("organisation", "requested_by")
    page = Paginator(reports.order_by("-requested_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    for report in rows:
        report.quarter_label = Quarter(report.year, report.quarter).label
    keep = {k: v for k, v in request.GET.items() if k == "scope"}
    return {
        "page": page,
        "reports": rows,
        "pending": any(r.status in PENDING for r in rows),
        "poll_seconds": POLL_SECONDS,
        "show_scope": len(scopes) > 1,
        "query": urlencode(keep),
        "poll_url": request.get_full_path(),
    }


@require_GET
def quarterly_list(request):
    """The reports of the user's scopes, newest first, and the form to request one;
    for htmx only the rows (the page polls them while a report is pending)."""
    scopes = _scopes_or_404(request.user)
    key = request.GET.get("scope")
    if key and key not in {s.key for s in scopes}:
        raise Http404
    context = _rows_context(request, scopes)
    if request.htmx:
        return render(request, "reports/_quarterly_rows.html", context)
    quarters = requestable_quarters()
    form = QuarterlyRequestForm(
        scopes=scopes,
        quarters=quarters,
        initial={"scope": key or scopes[0].key, "quarter": str(quarters[0])},
    )
    return render(request, "reports/quarterly_list.html", {**context, "form": form})


@require_POST
def quarterly_request(request):
    """Queue a report; back to the list with a message. A scope the user does not have is
    404 (as on every page); a quarter outside the list gets an error message."""
    scopes = _scopes_or_404(request.user)
    key = request.POST.get("scope", "")
    if key not in {s.key for s in scopes}:
        raise Http404
    form = QuarterlyRequestForm(request.POST, scopes=scopes, quarters=requestable_quarters())
    list_url = reverse("quarterly:list") + "?" + urlencode({"scope": key})
    if not form.is_valid():
        messages.error(request, _("Kies een kwartaal uit de lijst."))
        return redirect(list_url)
    scope, quarter = form.cleaned_data["scope"], form.cleaned_data["quarter"]
    try:
        quarterly_report_request(actor=request.user, scope=scope, quarter=quarter)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(list_url)
    messages.success(
        request,
        _(
            "De kwartaalrapportage %(quarter)s van %(name)s wordt gemaakt. "
            "Zodra hij klaar is, kunt u hem hier downloaden."
        )
        % {"quarter": quarter.label, "name": scope.name},
    )
    return redirect(list_url)


@require_POST
def quarterly_retry(request, pk: int):
    """Queue a failed report of one of the user's scopes again; anything else is 404."""
    scopes = _scopes_or_404(request.user)
    report = get_visible_or_404(
        quarterly_reports_visible_to(scopes)
        .filter(status=QuarterlyReportStatus.FAILED)
        .select_related("organisation"),
        pk=pk,
    )
    quarterly_report_retry(actor=request.user, report=report)
    messages.success(
        request,
        _("De kwartaalrapportage %(quarter)s van %(name)s wordt opnieuw gemaakt.")
        % {"quarter": Quarter(report.year, report.quarter).label, "name": report.organisation.name},
    )
    return redirect(reverse("quarterly:list"))


@require_GET
def quarterly_download(request, pk: int):
    """The PDF of a finished report of one of the user's scopes, as an attachment; audited
    as an export before any byte is sent. Anything else (a missing file too) is 404."""
    scopes = _scopes_or_404(request.user)
    report = get_visible_or_404(
        quarterly_reports_visible_to(scopes)
        .filter(status=QuarterlyReportStatus.DONE)
        .exclude(pdf="")
        .select_related("organisation"),
        pk=pk,
    )
    handle = quarterly_report_open(report=report, actor=request.user, channel="page")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=report.pdf.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
