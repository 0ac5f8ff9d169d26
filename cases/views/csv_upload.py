"""CSV intake pages: upload and preview, commit, the template and the rejected rows.

Only users who may submit absence reports see these pages (others get 404). The parsing and
the rules are in ``cases.csv_import``; these views only move the file between the steps.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registration.models import AbsenceKind, ParentsInformedHow
from thuiszitters.audit import audit_record
from thuiszitters.forms import errors_onto_form
from thuiszitters.models import AuditAction, Organisation
from thuiszitters.selectors import reporting_organisations

from ..csv_import import (
    MAX_BYTES,
    MAX_ROWS,
    csv_import,
    csv_rows,
    csv_template,
    file_decode,
    payload_load,
    payload_sign,
    rejected_cells,
    rejected_csv,
    rejected_load,
    rejected_sign,
)

COLUMN_HELP = [
    ("bsn", _("Burgerservicenummer (9 cijfers, elfproef). Aanbevolen."), False),
    ("voornamen", _("Voornamen; nodig zonder BSN."), False),
    (
        "achternaam",
        _("Achternaam met tussenvoegsel, bijvoorbeeld 'de Vries'; nodig zonder BSN."),
        False,
    ),
    ("geboortedatum", _("JJJJ-MM-DD of DD-MM-JJJJ; nodig zonder BSN."), False),
    ("soort", _("Soort verzuim, een van de codes hieronder."), True),
    (
        "eerste_verzuimdag",
        _("Eerste dag van het aaneengesloten verzuim (de klok start hier)."),
        True,
    ),
    ("laatste_verzuimdag", _("Laatste verzuimdag; leeg zolang het verzuim duurt."), False),
    (
        "uren_laatste_4_weken",
        _("Gemiste uren in de laatste 4 weken, 0 tot en met 160 (12,5 mag)."),
        False,
    ),
    (
        "percentage_onderwijstijd",
        _("Gevolgde onderwijstijd in procenten, 0 tot en met 100."),
        False,
    ),
    (
        "ouders_geinformeerd_op",
        _("Datum waarop de ouders zijn geïnformeerd (vóór de melding)."),
        True,
    ),
    (
        "ouders_geinformeerd_via",
        _("Hoe de ouders zijn geïnformeerd, een van de codes hieronder."),
        True,
    ),
    ("toelichting", _("Vrije toelichting."), False),
    (
        "kenmerk",
        _("Uw eigen unieke kenmerk van de melding (optioneel, maximaal 100 tekens)."),
        False,
    ),
]


class CsvUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Melden namens"), queryset=Organisation.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("CSV-bestand"),
        help_text=_("Maximaal 2 MB en %(rows)s regels; gescheiden door ; of ,.")
        % {"rows": MAX_ROWS},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.only = organisations[0] if len(organisations) == 1 else None
        if self.only is not None:
            del self.fields["organisation"]

    def clean(self):
        cleaned = super().clean()
        if self.only is not None:
            cleaned["organisation"] = self.only
        return cleaned

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Het bestand is groter dan 2 MB; splits het in delen."))
        return file_decode(upload.read())


def _organisations_or_404(user):
    organisations = reporting_organisations(user)
    if not organisations:
        raise Http404
    return organisations


def _organisation_or_404(user, pk: int) -> Organisation:
    organisation = _organisations_or_404(user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def _layout_context() -> dict:
    return {
        "columns": COLUMN_HELP,
        "kinds": AbsenceKind.choices,
        "informed_hows": ParentsInformedHow.choices,
        "max_rows": MAX_ROWS,
    }


@require_http_methods(["GET", "POST"])
def upload(request):
    """The layout, the template link and the upload form; a POST shows the preview."""
    organisations = _organisations_or_404(request.user)
    form = CsvUploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        text = form.cleaned_data["file"]
        try:
            rows = csv_rows(user=request.user, organisation=organisation, text=text)
        except ValidationError as exc:
            errors_onto_form(form, exc, default="file")
        else:
            filename = request.FILES["file"].name
            return render(
                request,
                "cases/csv_preview.html",
                {
                    "rows": rows,
                    "organisation": organisation,
                    "filename": filename,
                    "valid_count": sum(r.status == "valid" for r in rows),
                    "invalid_count": sum(r.status == "invalid" for r in rows),
                    "duplicate_count": sum(r.status == "duplicate" for r in rows),
                    "payload": payload_sign(
                        user=request.user, organisation=organisation, text=text, filename=filename
                    ),
                },
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "cases/csv_upload.html", {"form": form, **_layout_context()}, status=status
    )


@require_POST
def commit(request):
    """Import the valid rows of a previewed file; show counts and the rejected rows."""
    _organisations_or_404(request.user)
    try:
        organisation_id, text, filename = payload_load(
            user=request.user, token=request.POST.get("payload", "")
        )
    except ValidationError as exc:
        return render(request, "cases/csv_refused.html", {"errors": exc.messages}, status=400)
    organisation = _organisation_or_404(request.user, organisation_id)
    result = csv_import(user=request.user, organisation=organisation, text=text)
    cells = rejected_cells(result)
    return render(
        request,
        "cases/csv_result.html",
        {
            "result": result,
            "organisation": organisation,
            "filename": filename,
            "rejected_payload": rejected_sign(
                user=request.user, organisation=organisation, cells=cells
            )
            if cells
            else "",
        },
    )


@require_POST
def rejected(request):
    """The rejected rows as a CSV with a ``reden`` column; personal data, so audited."""
    _organisations_or_404(request.user)
    try:
        organisation_id, cells = rejected_load(
            user=request.user, token=request.POST.get("payload", "")
        )
    except ValidationError as exc:
        return render(request, "cases/csv_refused.html", {"errors": exc.messages}, status=400)
    organisation = _organisation_or_404(request.user, organisation_id)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="registration.absencereport",
        organisation=organisation,
        changes={"rejected_rows": len(cells)},
        reason="CSV import: rejected rows downloaded",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(rejected_csv(cells), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="afgewezen-meldingen-{stamp}.csv"'
    return response


@require_GET
def template(request):
    """The header and one example row, with a BOM so that Excel reads it as UTF-8."""
    _organisations_or_404(request.user)
    response = HttpResponse("\ufeff" + csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="verzuimmeldingen-sjabloon.csv"'
    return response
