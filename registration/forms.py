"""Forms of the registration pages: recording consent (the lists' filters: ``filters``).

Forms only parse and check input; the rules live in ``services`` and ``rules``.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
