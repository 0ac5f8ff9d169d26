"""Forms of the route section of the case page. They parse input and offer sensible choices;
every rule lives in ``escalation.services.steps``, whose field errors the views map back onto
these fields (``service_field_map``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import MeetingKind
from registration.forms import DATE_INPUT
from thuiszitters.models import User

from ..models import ArbitrationStatus, OmRoute, Step
from ..route import WEEK_STEPS

TEXTAREA = forms.Textarea(attrs={"rows": 3})
OUTCOMES = [
    (s, ArbitrationStatus(s).label)
    for s in (ArbitrationStatus.DECIDED, ArbitrationStatus.NO_RESULT, ArbitrationStatus.REFUSED)
]


class RadioSelect(forms.RadioSelect):
    """Radios in a fieldset; the error summary's link goes to the first of them."""

    def id_for_label(self, id_, index=None):
        return forms.widgets.ChoiceWidget.id_for_label(self, id_, "0" if index is None else index)


def person(user: User) -> str:
    return user.full_name or user.email


class _StepField(forms.ChoiceField):
    """Offers the steps this user may take; accepts every week step, so that the service
    decides: a step beyond the user's right is refused (403), not a wrong choice."""

    def valid_value(self, value) -> bool:
        return value in WEEK_STEPS


class EscalateForm(forms.Form):
    service_field_map = {"phase": "step"}

    step = _StepField(label=_("Naar stap"))
    reason = forms.CharField(
        label=_("Reden om eerder op te schalen"),
        widget=TEXTAREA,
        help_text=_("Stappen die de casus overslaat, worden met deze reden vastgelegd."),
    )

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s, Step(s).label) for s in offered]


class AssessmentForm(forms.Form):
    offer_within_four_weeks = forms.TypedChoiceField(
        label=_("Start er binnen 4 weken een passend aanbod?"),
        choices=[("yes", _("Ja")), ("no", _("Nee, de casus gaat naar het doorbraakteam"))],
        coerce=lambda value: value == "yes",
        widget=RadioSelect,
    )
    expected_start_on = forms.DateField(
        label=_("Verwachte start van het aanbod"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Alleen bij ja: een datum binnen 4 weken vanaf vandaag."),
    )
    explanation = forms.CharField(label=_("Toelichting"), widget=TEXTAREA)


class ArbitrationStartForm(forms.Form):
    parents_representative = forms.CharField(
        label=_("Vertegenwoordiger van de ouders"),
        max_length=200,
        help_text=_("De vertegenwoordiger die de ouders zelf kozen."),
    )
    own_member = forms.ModelChoiceField(
        label=_("Lid doorbraakteam van het eigen samenwerkingsverband"),
        queryset=User.objects.none(),
    )
    neighbour_member = forms.ModelChoiceField(
        label=_("Lid doorbraakteam van het naburige samenwerkingsverband"),
        queryset=User.objects.none(),
    )
    # Only the case's casusregisseur chairs; empty (an older client) means that person too.
    chair = forms.ModelChoiceField(
        label=_("Voorzitter (casusregisseur van de casus)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=None,
    )
    reason = forms.CharField(label=_("Waarom arbitrage"), widget=TEXTAREA)

    def __init__(
        self, *args, own_members, neighbour_members, chair=None, neighbour_swv=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["own_member"].queryset = own_members
        self.fields["neighbour_member"].queryset = neighbour_members
        self.fields["chair"].queryset = (
            User.objects.filter(pk=chair.pk) if chair is not None else User.objects.none()
        )
        self.fields["chair"].initial = chair.pk if chair is not None else None
        for name in ("own_member", "neighbour_member", "chair"):
            self.fields[name].label_from_instance = person
        if neighbour_swv is not None:
            self.fields["neighbour_member"].help_text = _(
                "Volgens het convenant: %(swv)s. Dit lid ziet alleen deze casus, zolang de "
                "commissie zit."
            ) % {"swv": neighbour_swv.name}


class ArbitrationConcludeForm(forms.Form):
    status = forms.ChoiceField(label=_("Uitkomst"), choices=OUTCOMES, widget=RadioSelect)
    decision = forms.CharField(
        label=_("Bindend besluit"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Verplicht bij een bindend besluit."),
    )
    decided_on = forms.DateField(
        label=_("Datum van de uitkomst"), widget=DATE_INPUT, initial=timezone.localdate
    )


class OmReferralForm(forms.Form):
    route = forms.ChoiceField(label=_("Route"), choices=OmRoute.choices, widget=RadioSelect)
    referred_on = forms.DateField(
        label=_("Doorgezet op"), widget=DATE_INPUT, initial=timezone.localdate
    )
    reason = forms.CharField(label=_("Reden van de doorverwijzing"), widget=TEXTAREA)


class TeamMeetingForm(forms.Form):
    """A meeting of the doorbraakteam about this case, with its decisions."""

    held_on = forms.DateField(label=_("Datum"), widget=DATE_INPUT, initial=timezone.localdate)
    notes = forms.CharField(label=_("Verslag"), widget=TEXTAREA, required=False)
    decisions = forms.CharField(
        label=_("Besluiten"),
        widget=TEXTAREA,
        help_text=_("Eén besluit per regel."),
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        lines = [line.strip() for line in data["decisions"].splitlines()]
        return {
            "kind": MeetingKind.DOORBRAAKTEAM,
            "held_on": data["held_on"],
            "notes": data["notes"],
            "decisions": [line for line in lines if line],
        }
