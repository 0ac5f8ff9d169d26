"""The intake pages: find or add the pupil, then the report and the consent given now.

``intake_submit`` records the consent given now and submits the report in one transaction:
a rejected report rolls back the consent and the new pupil, and the bound form comes back
with every value the user typed. The check as the user types is ``intake_check``, which
writes nothing.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registration.models import Pupil
from registration.search import bsn_in_url_refused, looks_like_bsn, posted_search
from registration.selectors import pupil_search, pupils_visible_to
from registration.services import REPORT_FIELDS, GuardianInput
from thuiszitters.access import get_visible_or_404
from thuiszitters.audit import audit_list, audit_read
from thuiszitters.selectors import reporting_organisations

from ..forms.intake import IntakeForm, PupilFindForm
from ..services import ConsentNow, IntakeInput, NewPupil, intake_check, intake_submit

FOUND_PUPILS_SHOWN = 20
#: The field that marks a POST to the intake page as the pupil search, not the report.
FIND_MARKER = "zoeken"


def _require_reporter(user) -> None:
    if not reporting_organisations(user).exists():
        raise Http404


def _intake_input(form: IntakeForm) -> IntakeInput:
    """The form's input as the intake services take it."""
    data = form.cleaned_data
    new_pupil = None
    if data["new_pupil"]:
        guardian = GuardianInput(
            name=data["guardian_name"],
            relation=data["guardian_relation"],
            phone=data["guardian_phone"],
            email=data["guardian_email"],
        )
        new_pupil = NewPupil(
            given_names=data["given_names"],
            surname_prefix=data["surname_prefix"],
            surname=data["surname"],
            date_of_birth=data["date_of_birth"],
            municipality=data["municipality"],
            bsn=data["bsn"] or None,
            enrolled_from=data["enrolled_from"],
            guardians=(guardian,),
        )
    return IntakeInput(
        reporting_organisation=data["reporting_organisation"],
        pupil=None if new_pupil else data["pupil"],
        new_pupil=new_pupil,
        consent=ConsentNow(
            scopes=tuple(form.consent_scopes()),
            party=data["consent_party"],
            stated_on=data["consent_stated_on"],
            how=data["consent_how"],
        ),
        report={
            **{name: data[name] for name in REPORT_FIELDS},
            "consent_override_reason": data.get("consent_override_reason", ""),
        },
    )


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
    if request.method == "POST" and FIND_MARKER in request.POST:
        return _find_posted(request)
    if request.method == "POST":
        form = IntakeForm(request.POST, user=user)
        if form.is_valid():
            try:
                result = intake_submit(actor=user, data=_intake_input(form))
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
        pupil = get_visible_or_404(pupils_visible_to(user), pk=pupil_pk, reader=user)
        audit_read(actor=user, obj=pupil)
        form = IntakeForm(initial={"pupil": pupil.pk}, user=user)
        return render(request, "cases/intake.html", _form_context(request, form))
    if request.GET.get("nieuw"):
        form = IntakeForm(initial={"new_pupil": True}, user=user)
        return render(request, "cases/intake.html", _form_context(request, form))

    if looks_like_bsn(request.GET.get("q")):
        return bsn_in_url_refused(request, back_url=reverse("cases:intake"))
    return _find(request, request.GET)


def _find_posted(request):
    """The search form posts (no BSN in a URL): a BSN is answered here, a name goes back to
    the GET of the page."""
    if looks_like_bsn(request.POST.get("q")):
        return _find(request, posted_search(request.POST))
    query = {k: request.POST.get(k, "") for k in ("q", "date_of_birth") if request.POST.get(k)}
    url = reverse("cases:intake")
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def _find(request, data):
    user = request.user
    find = PupilFindForm(data or None)
    found = None
    if find.is_valid() and (find.cleaned_data["q"] or find.cleaned_data["date_of_birth"]):
        pupils = pupil_search(pupils_visible_to(user), find.cleaned_data["q"] or "")
        if find.cleaned_data["date_of_birth"]:
            pupils = pupils.filter(date_of_birth=find.cleaned_data["date_of_birth"])
        found = list(pupils.select_related("municipality")[:FOUND_PUPILS_SHOWN])
        audit_list(actor=user, object_type="registration.pupil", ids=[p.pk for p in found])
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
        errors = intake_check(actor=user, data=_intake_input(form))
        form.add_service_errors(errors)
        checked = not errors
    else:
        # Fields not filled in yet are not errors while the user is still typing.
        for name in list(form.errors):
            if name in form.fields and not form.data.get(form.add_prefix(name)):
                del form.errors[name]
    return render(request, "cases/_intake_form.html", _form_context(request, form, checked=checked))
