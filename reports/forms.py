"""Forms of the thuiszitterslijst pages: the date of the list, freezing it, and the upload
of another organisation's list for the reconciliation."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from registration.forms import DATE_INPUT

from .reconciliation import MAX_BYTES, MAX_ROWS, list_decode


def _not_in_future(day):
    if day and day > timezone.localdate():
        raise ValidationError(_("Kies vandaag of een datum in het verleden."))
    return day


class _ScopeForm(forms.Form):
    """A choice of the user's scopes (the view has already checked the chosen one)."""

    scope = forms.ChoiceField(label=_("Lijst van"), required=False)

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(s.key, f"{s.name} ({s.kind_label})") for s in scopes]


class ListForm(_ScopeForm):
    on = forms.DateField(label=_("Peildatum"), required=False, widget=DATE_INPUT)

    def clean_on(self):
        return _not_in_future(self.cleaned_data["on"])


class FreezeForm(_ScopeForm):
    on = forms.DateField(
        label=_("Peildatum"),
        widget=DATE_INPUT,
        help_text=_("De lijst wordt vastgelegd zoals die op deze datum was."),
    )
    note = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bijvoorbeeld: voor het overleg van de Taskforce."),
    )

    def __init__(self, *args, **kwargs):
        # Shown on the list page next to the date filter: ids of its own.
        kwargs.setdefault("auto_id", "freeze_%s")
        super().__init__(*args, **kwargs)

    def clean_on(self):
        return _not_in_future(self.cleaned_data["on"])


class ReconcileForm(_ScopeForm):
    on = forms.DateField(
        label=_("Vergelijken met onze lijst op"),
        widget=DATE_INPUT,
        help_text=_("Meestal de datum van hun lijst."),
    )
    source = forms.CharField(
        label=_("Lijst van"),
        required=False,
        max_length=100,
        help_text=_("De organisatie van wie de lijst komt, bijvoorbeeld Leerplicht."),
    )
    file = forms.FileField(
        label=_("CSV-bestand"),
        help_text=format_lazy(
            _("Maximaal 2 MB en {rows} regels; gescheiden door ; of ,."), rows=MAX_ROWS
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].label = _("Onze lijst")
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_on(self):
        return _not_in_future(self.cleaned_data["on"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Het bestand is groter dan 2 MB; splits het in delen."))
        # Read into memory and never saved: the comparison is shown, not stored.
        return list_decode(upload.read())
