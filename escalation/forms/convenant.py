"""Forms of the convenant pages. They parse input and offer choices within the region; the
rules live in ``escalation.services.policy`` and ``escalation.services.holidays``, whose
field errors the views map back onto these fields."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.utils.translation import gettext_lazy as _

from registration.forms import DATE_INPUT
from thuiszitters.models import Membership, Organisation, Samenwerkingsverband, User
from thuiszitters.roles import Capability

from ..models import PolicyVersion
from ..services.holidays import MAX_BYTES
from ..services.policy import LEAD_KINDS, VERSION_FIELDS

TEXTAREA = forms.Textarea(attrs={"rows": 3})

# The form's fields in the order of the page, grouped in fieldsets.
FIELDSETS = [
    (
        _("Termijnen van de route"),
        [
            "casusregisseur_weeks",
            "doorbraak_assessment_weeks",
            "doorbraakteam_weeks",
            "assessment_response_days",
            "om_referral_months",
            "warning_days",
            "count_mode",
        ],
    ),
    (
        _("Casusregie, doorbraakteam en arbitrage"),
        [
            "casusregie",
            "casusregisseur_organisation",
            "casusregisseurs",
            "doorbraakteam_coordinator",
            "neighbour_swv",
        ],
    ),
    (
        _("Streefcijfers"),
        [
            "target_first_contact_days",
            "target_first_contact_percent",
            "target_goals_days",
            "target_goals_percent",
            "target_offer_months",
            "target_offer_percent",
            "target_first_conversation_days",
            "target_first_conversation_percent",
        ],
    ),
    (_("Vaststelling"), ["reason"]),
]

LABELS = {
    "casusregisseur_weeks": _("Casusregisseur na (weken)"),
    "doorbraak_assessment_weeks": _("Doorbraaktoets na (weken)"),
    "doorbraakteam_weeks": _("Doorbraakteam uiterlijk na (weken)"),
    "assessment_response_days": _("Antwoordtermijn doorbraaktoets (dagen)"),
    "om_referral_months": _("Openbaar Ministerie uiterlijk na (maanden doorbraakteam)"),
    "warning_days": _("Waarschuwing vooraf (dagen)"),
    "count_mode": _("Telling van de weken"),
    "casusregie": _("Casusregie"),
    "casusregisseur_organisation": _("Organisatie van de aangewezen casusregisseurs"),
    "casusregisseurs": _("Aangewezen casusregisseurs"),
    "doorbraakteam_coordinator": _("Coördinator doorbraakteam"),
    "neighbour_swv": _("Naburig samenwerkingsverband voor arbitrage"),
    "target_first_contact_days": _("Eerste contact binnen (dagen)"),
    "target_first_contact_percent": _("Eerste contact: streefpercentage"),
    "target_goals_days": _("Doelen vastgesteld binnen (dagen)"),
    "target_goals_percent": _("Doelen: streefpercentage"),
    "target_offer_months": _("Passend aanbod binnen (maanden)"),
    "target_offer_percent": _("Passend aanbod: streefpercentage"),
    "target_first_conversation_days": _("Eerste gesprek binnen (dagen)"),
    "target_first_conversation_percent": _("Eerste gesprek: streefpercentage"),
    "reason": _("Reden van de wijziging"),
}

HELP_TEXTS = {
    "casusregisseur_weeks": _(
        "Na zoveel weken vanaf de eerste verzuimdag gaat de casusregie naar de casusregisseur "
        "(standaard 4)."
    ),
    "doorbraak_assessment_weeks": _(
        "Dan legt de casusregisseur vast of binnen 4 weken een passend aanbod start (standaard 8)."
    ),
    "doorbraakteam_weeks": _(
        "Uiterlijk dan staat de casus op de agenda van het doorbraakteam (standaard 12)."
    ),
    "assessment_response_days": _(
        "Zoveel dagen heeft de casusregisseur voor de doorbraaktoets; geen antwoord is 'nee'."
    ),
    "om_referral_months": _(
        "Zonder passend aanbod gaat de casus uiterlijk zoveel kalendermaanden na de start van "
        "het doorbraakteam naar de beoordeling voor het Openbaar Ministerie, ook als de "
        "arbitrage nog loopt (standaard 3). Schoolvakanties tellen mee."
    ),
    "warning_days": _("Zoveel dagen voor een termijn krijgen de betrokkenen een waarschuwing."),
    "count_mode": _(
        "Bij 'buiten de schoolvakanties' staat de klok stil tijdens de vakanties van de "
        "vakantiekalender van de regio."
    ),
    "casusregie": _(
        "Zonder afspraak wordt de leerplichtambtenaar van de woongemeente van de leerling "
        "casusregisseur."
    ),
    "casusregisseurs": _(
        "Alleen bij aangewezen casusregisseurs: mensen die casusregie voeren bij de gekozen "
        "organisatie."
    ),
    "neighbour_swv": _(
        "Levert een lid van de arbitragecommissie; dat lid ziet alleen de casus van de arbitrage."
    ),
    "target_offer_months": _("Geen kind langer dan zoveel maanden thuis zonder passend aanbod."),
    "reason": _("Verplicht; staat in de versiegeschiedenis."),
}


def _person(user: User) -> str:
    return user.full_name or user.email


class PolicyVersionForm(forms.ModelForm):
    """A new version of an SWV's convenant, started from the version in force."""

    class Meta:
        model = PolicyVersion
        fields = [*VERSION_FIELDS, "casusregisseurs", "reason"]
        labels = LABELS
        help_texts = HELP_TEXTS
        widgets = {
            "reason": TEXTAREA,
            "casusregisseurs": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, swv: Samenwerkingsverband, **kwargs):
        super().__init__(*args, **kwargs)
        self.swv = swv
        self.fields["reason"].required = True
        region_id = swv.region_id
        if region_id is None:  # the convenant pages reach an SWV through its region
            raise ValueError(f"SWV {swv.pk} belongs to no region.")
        lead_orgs = Organisation.objects.filter(
            region_id=region_id, kind__in=LEAD_KINDS, is_active=True
        ).order_by("kind", "name")
        fields = self.fields
        cast(ModelChoiceField, fields["casusregisseur_organisation"]).queryset = lead_orgs
        # People who may lead as casusregisseur in an organisation of the region that can
        # appoint them; the service checks that they work for the chosen organisation.
        lead_members = (
            Membership.objects.active()
            .filter(
                organisation__region_id=region_id,
                organisation__kind__in=LEAD_KINDS,
                role__permissions__codename=Capability.LEAD_AS_CASUSREGISSEUR,
                user__is_active=True,
                user__is_service_account=False,
            )
            .select_related("user", "organisation")
            .order_by("user__full_name", "user__email", "organisation__name")
        )
        people: dict[int, tuple[User, list[str]]] = {}
        for m in lead_members:
            people.setdefault(m.user_id, (m.user, []))[1].append(m.organisation.name)
        casusregisseurs = cast(ModelMultipleChoiceField, fields["casusregisseurs"])
        casusregisseurs.queryset = User.objects.filter(pk__in=list(people))
        casusregisseurs.choices = [
            (pk, f"{_person(user)} ({', '.join(dict.fromkeys(orgs))})")
            for pk, (user, orgs) in people.items()
        ]
        coordinators = User.objects.filter(
            pk__in=Membership.objects.active()
            .filter(
                organisation__region_id=region_id,
                role__permissions__codename=Capability.SIT_ON_DOORBRAAKTEAM,
            )
            .values("user_id"),
            is_active=True,
        ).order_by("full_name", "email")
        coordinator = cast(ModelChoiceField, fields["doorbraakteam_coordinator"])
        coordinator.queryset = coordinators
        # Set on the instance, so Django calls it with the object alone (stubs: a method).
        coordinator.label_from_instance = _person  # type: ignore[assignment]
        neighbour = cast(ModelChoiceField, fields["neighbour_swv"])
        neighbour.queryset = swv.neighbours.filter(is_active=True).order_by("name")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "casusregisseurs": list(data["casusregisseurs"]),
            **{name: data[name] for name in VERSION_FIELDS},
        }

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in FIELDSETS]


class HolidayForm(forms.Form):
    name = forms.CharField(label=_("Naam"), max_length=100)
    starts_on = forms.DateField(label=_("Eerste dag"), widget=DATE_INPUT)
    ends_on = forms.DateField(
        label=_("Laatste dag"), widget=DATE_INPUT, help_text=_("De laatste vakantiedag zelf.")
    )


class HolidayImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand (CSV of iCalendar)"),
        help_text=_("Een .csv- of .ics-bestand van hoogstens 1 MB."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.ics,text/csv,text/calendar"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Het bestand is groter dan 1 MB."))
        return upload
