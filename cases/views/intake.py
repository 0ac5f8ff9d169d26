"""The intake pages: find or add the pupil, then the report and the consent given now.

The intake form records the consent given now and submits the report in one transaction:
a rejected report rolls back the consent and the new pupil, and the bound form comes back
with every value the user typed.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registration.models import ConsentStatus, Pupil
from registration.selectors import pupil_search, pupils_visible_to
from registration.services import (
    ConsentStanding,
    GuardianInput,
    ReportInput,
    absence_report_validate,
    consent_record,
    consent_standing,
    pupil_identify,
    pupil_register_for_report,
)
from thuiszitters.access import get_visible_or_404
from thuiszitters.selectors import reporting_organisations

from ..forms.intake import IntakeForm, PupilFindForm
from ..services import absence_report_submit
from ..services.intake import IntakeResult

FOUND_PUPILS_SHOWN = 20


def _require_reporter(user) -> None:
    if not reporting_organisations(user).exists():
        raise Http404


def _pupil_new(form: IntakeForm, user, identified: Pupil | None, *, commit: bool) -> Pupil:
    """The new report's pupil: new, or the known one ``pupil_identify`` matched. The check
    as the user types leaves the BSN out, so it answers the same for any BSN."""
    data = form.cleaned_data
    organisation = data["reporting_organisation"]
    guardians = [
        GuardianInput(
            name=data["guardian_name"],
            relation=data["guardian_relation"],
            phone=data["guardian_phone"],
            email=data["guardian_email"],
        )
    ]
    return pupil_register_for_report(
        actor=user,
        organisation=organisation,
        identified=identified,
        enrolled_from=data["enrolled_from"],
        guardians=guardians,
        given_names=data["given_names"],
        surname_prefix=data["surname_prefix"],
        surname=data["surname"],
        date_of_birth=data["date_of_birth"],
        municipality=data["municipality"],
        bsn=(data["bsn"] or None) if commit else None,
    )


def _report_input(form: IntakeForm, pupil: Pupil) -> ReportInput:
    data = form.cleaned_data
    return ReportInput(
        pupil=pupil,
        kind=data["kind"],
        reported_on=data["reported_on"],
        absence_started_on=data["absence_started_on"],
        absence_ended_on=data["absence_ended_on"],
        hours_missed_last_4_weeks=data["hours_missed_last_4_weeks"],
        share_followed_percent=data["share_followed_percent"],
        striking_sickness=data["striking_sickness"],
        expects_thuiszitter_soon=data["expects_thuiszitter_soon"],
        reason=data["reason"],
        parents_informed_on=data["parents_informed_on"],
        parents_informed_how=data["parents_informed_how"],
        consent_override_reason=data.get("consent_override_reason", ""),
    )


def _intake_run(form: IntakeForm, user, *, commit: bool) -> IntakeResult | None:
    """Pupil, consent and report in one transaction; ``commit=False`` checks and rolls back."""
    data = form.cleaned_data
    organisation = data["reporting_organisation"]
    identified = None
    if data["new_pupil"] and commit:
        # Outside the transaction: a refused match is audited even though nothing is saved.
        identified = pupil_identify(
            actor=user,
            organisation=organisation,
            bsn=data["bsn"],
            surname=data["surname"],
            surname_prefix=data["surname_prefix"],
            date_of_birth=data["date_of_birth"],
        )
    with transaction.atomic():
        pupil = (
            _pupil_new(form, user, identified, commit=commit)
            if data["new_pupil"]
            else data["pupil"]
        )
        # The reporting school records consent for its new report; it reaches the pupil's
        # other reports only when the reporter has standing for the whole pupil.
        standing = consent_standing(user, pupil) or ConsentStanding.OWN_REPORTS
        for scope in form.consent_scopes():
            consent_record(
                actor=user,
                pupil=pupil,
                scope=scope,
                status=ConsentStatus.GIVEN,
                party=data["consent_party"],
                stated_on=data["consent_stated_on"],
                how=data["consent_how"],
                note=_("Vastgelegd bij de verzuimmelding."),
                standing=standing,
                organisation=organisation,
            )
        report = _report_input(form, pupil)
        if commit:
            return absence_report_submit(
                actor=user, reporting_organisation=organisation, data=report, channel="form"
            )
        absence_report_validate(data=report, reporting_organisation=organisation, actor=user)
        transaction.set_rollback(True)
    return None


def _service_errors(form: IntakeForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        form.add_service_errors(exc.message_dict)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _selected_pupil(form: IntakeForm, user) -> Pupil | None:
    value = str(form["pupil"].value() or "")
    if not value.isdigit():
        return None
    return pupils_visible_to(user).select_related("municipality").filter(pk=value).first()


def _form_context(request, form: IntakeForm, **extra) -> dict:
    return {
        "form": form,
        "selected_pupil": _selected_pupil(form, request.user),
        "selected_organisation": form.selected_organisation(),
        **extra,
    }


def intake(request):
    """Step 1: find or add the pupil; step 2: the report and the consent given now."""
    user = request.user
    _require_reporter(user)
    if request.method == "POST":
        form = IntakeForm(request.POST, user=user)
        if form.is_valid():
            try:
                result = _intake_run(form, user, commit=True)
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                if result.case_created:
                    message = _("De melding is opgeslagen en er is een casus geopend.")
                else:
                    message = _("De melding is opgeslagen en toegevoegd aan de open casus.")
                messages.success(request, message)
                return redirect("cases:case_detail", pk=result.case.pk)
        return render(request, "cases/intake.html", _form_context(request, form))

    pupil_pk = request.GET.get("leerling")
    if pupil_pk:
        pupil = get_visible_or_404(pupils_visible_to(user), pk=pupil_pk)
        form = IntakeForm(initial={"pupil": pupil.pk}, user=user)
        return render(request, "cases/intake.html", _form_context(request, form))
    if request.GET.get("nieuw"):
        form = IntakeForm(initial={"new_pupil": True}, user=user)
        return render(request, "cases/intake.html", _form_context(request, form))

    find = PupilFindForm(request.GET or None)
    found = None
    if find.is_valid() and (find.cleaned_data["q"] or find.cleaned_data["date_of_birth"]):
        pupils = pupil_search(pupils_visible_to(user), find.cleaned_data["q"] or "")
        if find.cleaned_data["date_of_birth"]:
            pupils = pupils.filter(date_of_birth=find.cleaned_data["date_of_birth"])
        found = list(pupils.select_related("municipality")[:FOUND_PUPILS_SHOWN])
    return render(
        request,
        "cases/intake_find.html",
        {"find": find, "found": found, "shown": FOUND_PUPILS_SHOWN},
    )


@require_POST
def intake_validate(request):
    """htmx: check the form as the user types, without saving; returns the form partial."""
    user = request.user
    _require_reporter(user)
    form = IntakeForm(request.POST, user=user)
    checked = False
    if form.is_valid():
        try:
            _intake_run(form, user, commit=False)
            checked = True
        except ValidationError as exc:
            _service_errors(form, exc)
    else:
        # Fields not filled in yet are not errors while the user is still typing.
        for name in list(form.errors):
            if name in form.fields and not form.data.get(form.add_prefix(name)):
                del form.errors[name]
    return render(request, "cases/_intake_form.html", _form_context(request, form, checked=checked))
