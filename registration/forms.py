"""Forms of the registration pages: recording consent, correcting a pupil's data (the lists'
filters: ``filters``).

Forms only parse and check input; the rules live in ``services`` and ``rules``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identity import bsn_normalise
from .models import ConsentHow, ConsentParty, ConsentScope, ConsentStatus, Guardian

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsentForm(forms.Form):
    """One statement of consent, as the ``consent_record`` service takes it."""

    scope = forms.ChoiceField(label=_("Waarvoor"), choices=ConsentScope.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=ConsentStatus.choices, initial=ConsentStatus.GIVEN
    )
    party = forms.ChoiceField(label=_("Door wie"), choices=ConsentParty.choices)
    # The queryset (the pupil's guardians) is set per form in __init__.
    guardian: "forms.ModelChoiceField[Guardian]" = forms.ModelChoiceField(
        label=_("Welke ouder of verzorger"),
        queryset=None,
        required=False,
        empty_label=_("(niet vastgelegd)"),
    )
    stated_on = forms.DateField(label=_("Datum"), widget=DATE_INPUT)
    how = forms.ChoiceField(label=_("Hoe"), choices=ConsentHow.choices)
    note = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, pupil, **kwargs):
        kwargs.setdefault("prefix", "consent")
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = pupil.guardians.all()
        self.fields["stated_on"].initial = timezone.localdate
        if not pupil.guardians.all():
            del self.fields["guardian"]

    def clean(self):
        data = super().clean()
        if data.get("guardian") and data.get("party") != ConsentParty.PARENTS:
            self.add_error(
                "guardian", _("Kies alleen een ouder als de ouders de verklaring gaven.")
            )
        return data


class PupilCorrectionForm(forms.Form):
    """A correction of the pupil's identifying data, with its reason (``pupil_correct``)."""

    given_names = forms.CharField(label=_("Voornamen"), max_length=200)
    surname_prefix = forms.CharField(label=_("Tussenvoegsel"), max_length=20, required=False)
    surname = forms.CharField(label=_("Achternaam"), max_length=200)
    date_of_birth = forms.DateField(label=_("Geboortedatum"), widget=DATE_INPUT)
    bsn = forms.CharField(label=_("BSN"), max_length=11, required=False)
    reason = forms.CharField(
        label=_("Reden van de correctie"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Komt in het auditlog; noem geen namen of andere persoonsgegevens."),
    )

    FIELDS = ("given_names", "surname_prefix", "surname", "date_of_birth", "bsn")

    def clean_bsn(self) -> str:
        return bsn_normalise(self.cleaned_data["bsn"])

    @classmethod
    def for_pupil(cls, pupil, data=None) -> "PupilCorrectionForm":
        return cls(data, initial={name: getattr(pupil, name) for name in cls.FIELDS})

    def submit(self, pupil, actor) -> bool:
        """Validate and record the correction (``pupil_correct``), the service's refusals on
        the form; whether it was recorded. The pupil page and the privacy officer's page."""
        from thuiszitters.forms import errors_onto_form

        from .services.corrections import pupil_correct

        if not self.is_valid():
            return False
        data = self.cleaned_data
        try:
            pupil_correct(
                pupil=pupil,
                actor=actor,
                fields={name: data[name] for name in self.FIELDS},
                reason=data["reason"],
            )
        except ValidationError as exc:
            errors_onto_form(self, exc)
            return False
        return True
