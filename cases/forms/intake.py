"""The intake form: which pupil (found or new), the report, and the consent given now.

The form parses input and knows which fields belong together; every rule of a report lives
in ``registration.services`` and the intake service, whose field errors the view maps back
onto these fields (``SERVICE_FIELD_MAP``).
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.bsn import validate_bsn
from registration.forms import DATE_INPUT
from registration.models import (
    AbsenceKind,
    ConsentHow,
    ConsentParty,
    ConsentScope,
    GuardianRelation,
    ParentsInformedHow,
    Pupil,
)
from registration.selectors import pupils_visible_to
from registration.services import REPORT_FIELDS, absence_report_date_errors
from thuiszitters.access import has_capability, memberships_of
from thuiszitters.models import Municipality, Organisation, OrganisationKind
from thuiszitters.roles import Capability
from thuiszitters.selectors import organisations_visible_to, reporting_organisations

NEW_PUPIL_FIELDS = (
    "given_names",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "bsn",
    "municipality",
    "enrolled_from",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "guardian_email",
)
DATE_RULE_FIELDS = ("reported_on", "absence_started_on", "absence_ended_on", "parents_informed_on")
NEW_PUPIL_REQUIRED = ("given_names", "surname", "date_of_birth", "municipality", "guardian_name")
CONSENT_SCOPES = {
    "consent_share_with_leerplicht": ConsentScope.SHARE_WITH_LEERPLICHT,
    "consent_share_with_swv": ConsentScope.SHARE_WITH_SWV,
}
# Error keys of the services (ReportInput, Pupil, Guardian, Consent) -> form fields.
SERVICE_FIELD_MAP = {
    "name": "guardian_name",
    "relation": "guardian_relation",
    "phone": "guardian_phone",
    "email": "guardian_email",
    "start": "enrolled_from",
    "stated_on": "consent_stated_on",
    "party": "consent_party",
    "how": "consent_how",
}


def municipality_choices(user):
    """Where a new pupil may live: the municipalities the user sees and those of the region."""
    visible = organisations_visible_to(user).filter(kind=OrganisationKind.MUNICIPALITY)
    regions = {m.region_id for m in memberships_of(user) if m.region_id}
    return Municipality.objects.filter(
        Q(pk__in=visible.values("pk")) | Q(region_id__in=regions), is_active=True
    ).order_by("name")


class PupilFindForm(forms.Form):
    q = forms.CharField(
        label=_("BSN of naam"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(label=_("Geboortedatum"), required=False, widget=DATE_INPUT)


class IntakeForm(forms.Form):
    reporting_organisation = forms.ModelChoiceField(
        label=_("Melding namens"), queryset=Organisation.objects.none(), empty_label=None
    )
    pupil: "forms.ModelChoiceField[Pupil]" = forms.ModelChoiceField(
        queryset=None, required=False, widget=forms.HiddenInput, label=_("Leerling")
    )
    new_pupil = forms.BooleanField(required=False, widget=forms.HiddenInput)

    # A new pupil.
    given_names = forms.CharField(label=_("Voornamen"), required=False, max_length=200)
    surname_prefix = forms.CharField(label=_("Tussenvoegsel"), required=False, max_length=20)
    surname = forms.CharField(label=_("Achternaam"), required=False, max_length=200)
    date_of_birth = forms.DateField(label=_("Geboortedatum"), required=False, widget=DATE_INPUT)
    bsn = forms.CharField(
        label=_("BSN"),
        required=False,
        max_length=9,
        help_text=_(
            "Optioneel; wordt gecontroleerd met de elfproef. Is de leerling al bekend, dan "
            "moeten ook achternaam en geboortedatum kloppen."
        ),
        validators=[validate_bsn],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    municipality = forms.ModelChoiceField(
        label=_("Woongemeente"), queryset=Municipality.objects.none(), required=False
    )
    enrolled_from = forms.DateField(
        label=_("Ingeschreven op uw school vanaf"), required=False, widget=DATE_INPUT
    )
    guardian_name = forms.CharField(
        label=_("Naam ouder of verzorger"), required=False, max_length=200
    )
    guardian_relation = forms.ChoiceField(
        label=_("Relatie tot de leerling"),
        choices=GuardianRelation.choices,
        initial=GuardianRelation.PARENT,
        required=False,
    )
    guardian_phone = forms.CharField(label=_("Telefoonnummer"), required=False, max_length=32)
    guardian_email = forms.EmailField(label=_("E-mailadres"), required=False)

    # The report.
    kind = forms.ChoiceField(
        label=_("Soort verzuim"), choices=[("", _("Kies een soort")), *AbsenceKind.choices]
    )
    reported_on = forms.DateField(
        label=_("Meldingsdatum"), widget=DATE_INPUT, initial=timezone.localdate
    )
    absence_started_on = forms.DateField(
        label=_("Eerste dag van het aaneengesloten verzuim"),
        help_text=_("Hier begint de klok van de casus."),
        widget=DATE_INPUT,
    )
    absence_ended_on = forms.DateField(
        label=_("Laatste verzuimdag"),
        required=False,
        help_text=_("Leeg zolang het verzuim voortduurt."),
        widget=DATE_INPUT,
    )
    hours_missed_last_4_weeks = forms.DecimalField(
        label=_("Gemiste uren in de laatste 4 weken"),
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=160,
    )
    share_followed_percent = forms.IntegerField(
        label=_("Gevolgde onderwijstijd (%)"), required=False, min_value=0, max_value=100
    )
    striking_sickness = forms.BooleanField(
        label=_("Opvallend ziekteverzuim"),
        required=False,
        help_text=_("Bijvoorbeeld regelmatig ziek naar huis."),
    )
    expects_thuiszitter_soon = forms.BooleanField(
        label=_("De school verwacht dat de leerling binnen 4 weken thuiszitter wordt"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    parents_informed_on = forms.DateField(
        label=_("Ouders geïnformeerd op"),
        help_text=_("De school informeert de ouders vóór de melding."),
        widget=DATE_INPUT,
    )
    parents_informed_how = forms.ChoiceField(
        label=_("Ouders geïnformeerd via"),
        choices=[("", _("Kies hoe")), *ParentsInformedHow.choices],
    )

    # Consent given now.
    consent_share_with_leerplicht = forms.BooleanField(
        label=_("Toestemming om te delen met leerplicht"), required=False
    )
    consent_share_with_swv = forms.BooleanField(
        label=_("Toestemming om te delen met het samenwerkingsverband"), required=False
    )
    consent_party = forms.ChoiceField(
        label=_("Toestemming gegeven door"),
        choices=ConsentParty.choices,
        initial=ConsentParty.PARENTS,
        required=False,
    )
    consent_how = forms.ChoiceField(
        label=_("Toestemming gegeven via"),
        choices=ConsentHow.choices,
        initial=ConsentHow.CONVERSATION,
        required=False,
    )
    consent_stated_on = forms.DateField(
        label=_("Datum van de toestemming"),
        required=False,
        widget=DATE_INPUT,
        initial=timezone.localdate,
    )

    consent_override_reason = forms.CharField(
        label=_("Reden om zonder toestemming te delen"),
        required=False,
        help_text=_("Alleen bij gevaar voor het kind (Meldcode); wordt gelogd."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        organisations = reporting_organisations(user)
        self.fields["reporting_organisation"].queryset = organisations
        self.organisations = list(organisations)
        if len(self.organisations) == 1:
            self.fields["reporting_organisation"].initial = self.organisations[0].pk
            self.fields["reporting_organisation"].widget = forms.HiddenInput()
        self.fields["pupil"].queryset = pupils_visible_to(user)
        self.fields["municipality"].queryset = municipality_choices(user)
        if not any(
            has_capability(user, Capability.OVERRIDE_CONSENT, organisation_id=o.pk)
            for o in self.organisations
        ):
            del self.fields["consent_override_reason"]
        for field in self.fields.values():
            # The htmx check swaps the form while the user types on: inputs keep their node
            # (and so what was typed since the check started); only the messages change.
            field.widget.attrs["hx-preserve"] = "true"

    # --- what the template needs ----------------------------------------------------------

    @property
    def is_new_pupil(self) -> bool:
        return bool(self["new_pupil"].value()) and self["new_pupil"].value() not in ("False", "0")

    def selected_organisation(self) -> Organisation | None:
        value = self["reporting_organisation"].value()
        return next((o for o in self.organisations if str(o.pk) == str(value)), None)

    def new_pupil_fields(self):
        return [self[name] for name in NEW_PUPIL_FIELDS]

    def report_fields(self):
        return [self[name] for name in REPORT_FIELDS]

    def consent_fields(self):
        return [self[name] for name in ("consent_party", "consent_how", "consent_stated_on")]

    def consent_scope_fields(self):
        return [self[name] for name in CONSENT_SCOPES]

    # --- validation -----------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        if data.get("new_pupil"):
            for name in NEW_PUPIL_REQUIRED:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
            organisation = data.get("reporting_organisation")
            if (
                organisation is not None
                and organisation.kind == OrganisationKind.SCHOOL
                and not data.get("enrolled_from")
                and "enrolled_from" not in self.errors
            ):
                self.add_error(
                    "enrolled_from",
                    _("Geef aan sinds wanneer de leerling op uw school staat ingeschreven."),
                )
            if not data.get("guardian_relation"):
                data["guardian_relation"] = GuardianRelation.PARENT
        elif not data.get("pupil") and "pupil" not in self.errors:
            self.add_error(None, _("Kies eerst een leerling of voeg een nieuwe leerling toe."))
        # The rules between the dates now, not in a second round after the other fields.
        self.add_service_errors(
            {
                field: messages
                for field, messages in absence_report_date_errors(
                    **{name: data.get(name) for name in DATE_RULE_FIELDS}
                ).items()
                if field not in self.errors
            }
        )
        if any(data.get(name) for name in CONSENT_SCOPES):
            for name in ("consent_party", "consent_how", "consent_stated_on"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(
                        name, _("Vul dit in als u vastlegt dat er toestemming is gegeven.")
                    )
        return data

    def consent_scopes(self) -> list[str]:
        return [scope for name, scope in CONSENT_SCOPES.items() if self.cleaned_data.get(name)]

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        """Put a service's field errors on the matching form fields (the rest at the top)."""
        for key, messages in message_dict.items():
            field: str | None = SERVICE_FIELD_MAP.get(key, key)
            if field == "pupil" or field not in self.fields:
                field = None
            for message in messages:
                if field is not None and field in self.errors and message in self.errors[field]:
                    continue
                self.add_error(field, message)
