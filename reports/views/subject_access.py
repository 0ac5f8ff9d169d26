"""The privacy officer's access requests (``/privacy/inzage/``): find one pupil of the region,
download everything held about them as PDF or JSON, or correct their identifying data with a
reason (docs/privacy.md).

Searches and downloads are POSTs, so a BSN never lands in a URL or an access log. Everyone
without ``answer_subject_access`` gets 403; a pupil outside the officer's region is 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from registration.forms import PupilCorrectionForm
from registration.selectors import pupils_for_subject_access, pupils_in_subject_access_scope
from thuiszitters.access import get_visible_or_404, has_capability, region_ids_with
from thuiszitters.audit import audit_read, audit_record
from thuiszitters.forms import errors_onto_form
from thuiszitters.models import AuditAction, Organisation
from thuiszitters.roles import Capability

from ..services.subject_access import REASON_MAX_LENGTH, subject_access_export, subject_access_pdf

MAX_RESULTS = 10


class ReferenceField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Kenmerk van het verzoek"),
            max_length=REASON_MAX_LENGTH,
            help_text=_("Het nummer in uw register, zonder namen: het komt in het auditlog."),
            **kwargs,
        )


class SubjectAccessSearchForm(forms.Form):
    reference = ReferenceField()
    bsn = forms.CharField(label=_("BSN"), required=False, max_length=20)
    surname = forms.CharField(label=_("Achternaam"), required=False, max_length=200)
    date_of_birth = forms.DateField(
        label=_("Geboortedatum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if not data.get("bsn") and not (data.get("surname") and data.get("date_of_birth")):
            raise ValidationError(_("Zoek op BSN, of op achternaam en geboortedatum samen."))
        return data


class SubjectAccessDownloadForm(forms.Form):
    reference = ReferenceField()


def _officer_or_403(request) -> None:
    if not has_capability(request.user, Capability.ANSWER_SUBJECT_ACCESS):
        raise PermissionDenied


@never_cache
@require_http_methods(["GET", "POST"])
def subject_access_search(request) -> HttpResponse:
    _officer_or_403(request)
    form = SubjectAccessSearchForm(request.POST or None)
    pupils = None
    if request.method == "POST" and form.is_valid():
        found = pupils_for_subject_access(
            request.user,
            bsn=form.cleaned_data["bsn"],
            surname=form.cleaned_data["surname"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        ).select_related("municipality")[:MAX_RESULTS]
        pupils = list(found)
        regions = sorted(region_ids_with(request.user, Capability.ANSWER_SUBJECT_ACCESS))
        # The search is audited with the reference and the records found, not the terms.
        audit_record(
            actor=request.user,
            action=AuditAction.READ,
            object_type="registration.pupil",
            organisation=Organisation.objects.get(pk=regions[0]),
            changes={
                "search": "subject_access",
                "ids": [str(p.pk) for p in pupils],
                "count": len(pupils),
            },
            reason=form.cleaned_data["reference"],
        )
    return render(
        request,
        "reports/subject_access.html",
        {
            "form": form,
            "pupils": pupils,
            "download_form": SubjectAccessDownloadForm(
                initial={"reference": form.data.get("reference", "")}
            ),
        },
    )


@never_cache
@require_POST
def subject_access_download(request, pk: int, output: str) -> HttpResponse:
    _officer_or_403(request)
    pupil = get_visible_or_404(pupils_in_subject_access_scope(request.user), pk=pk)
    form = SubjectAccessDownloadForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                export = subject_access_export(
                    pupil=pupil,
                    actor=request.user,
                    reason=form.cleaned_data["reference"],
                    output="pdf" if output == "pdf" else "json",
                )
        except ValidationError as exc:
            errors_onto_form(form, exc, rename={"reason": "reference"})
        else:
            if output == "pdf":
                response = HttpResponse(subject_access_pdf(export), content_type="application/pdf")
                filename = f"inzage-leerling-{pupil.pk}.pdf"
            else:
                response = HttpResponse(
                    export.json_bytes(), content_type="application/json; charset=utf-8"
                )
                filename = f"inzage-leerling-{pupil.pk}.json"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    search = SubjectAccessSearchForm()
    return render(
        request,
        "reports/subject_access.html",
        {"form": search, "pupils": None, "download_form": form},
        status=400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def subject_access_correct(request, pk: int) -> HttpResponse:
    """The officer's correction of a pupil's names, date of birth or BSN (AVG art. 16)."""
    _officer_or_403(request)
    pupil = get_visible_or_404(
        pupils_in_subject_access_scope(request.user).select_related("municipality"), pk=pk
    )
    form = PupilCorrectionForm.for_pupil(pupil, request.POST or None)
    if request.method == "POST" and form.submit(pupil, request.user):
        messages.success(request, gettext("De correctie is vastgelegd."))
        return redirect("subject_access:search")
    pupil.refresh_from_db()
    audit_read(actor=request.user, obj=pupil, organisation=pupil.municipality)
    return render(request, "reports/subject_access_correct.html", {"pupil": pupil, "form": form})
