"""Forms of the case page. They parse input and offer choices in the user's scope; every rule
lives in ``cases.services``, whose field errors the views map back onto these fields."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.forms import DATE_INPUT
from registration.models import ConsentHow, ConsentParty, ConsentScope, ConsentStatus
from thuiszitters.models import Membership, Organisation, OrganisationKind, User
from thuiszitters.roles import Capability
from thuiszitters.selectors import organisations_visible_to, users_visible_to

from ..models import (
    ArrangementKind,
    CaseEventKind,
    Cause,
    DaytimeActivity,
    LeadMode,
    MeetingKind,
    ParticipantRole,
    SituationLevel,
    WaitingListFor,
)
from ..services import case_move_targets
from ..workflow import ClosureReason, Phase, is_escalation

TEXTAREA = forms.Textarea(attrs={"rows": 3})
JOURNAL_KINDS = [
    (k, CaseEventKind(k).label)
    for k in (CaseEventKind.NOTE, CaseEventKind.CONVERSATION, CaseEventKind.DECISION)
]
CARE_ROLES = [
    (r, ParticipantRole(r).label)
    for r in (ParticipantRole.JEUGDARTS, ParticipantRole.JEUGDHULP, ParticipantRole.GGZ)
]
LEAD_KINDS = (
    OrganisationKind.LEERPLICHT_BUREAU,
    OrganisationKind.SWV,
    OrganisationKind.MUNICIPALITY,
)


def _person(user: User) -> str:
    return user.full_name or user.email


def owner_choices(case, participants, colleagues, user) -> list:
    """People (the case's participants with an account, and colleagues) and organisations
    (those the user sees, and the organisations of the participants and the lead)."""
    people = {p.user.pk: _person(p.user) for p in participants if p.user_id}
    for colleague in colleagues:
        people.setdefault(colleague.pk, _person(colleague))
    organisations = {p.organisation.pk: p.organisation.name for p in participants if p.organisation}
    organisations.setdefault(case.lead_organisation_id, case.lead_organisation.name)
    for org in (
        organisations_visible_to(user).exclude(kind=OrganisationKind.REGION).order_by("name")
    ):
        organisations.setdefault(org.pk, org.name)
    return [
        ("", "---------"),
        (_("Persoon"), [(f"user:{pk}", name) for pk, name in people.items()]),
        (_("Organisatie"), [(f"org:{pk}", name) for pk, name in organisations.items()]),
    ]


def owner_parse(value: str) -> dict:
    """``user:<id>`` / ``org:<id>`` -> the keyword arguments of ``action_add``."""
    kind, _sep, pk = value.partition(":")
    if kind == "user":
        return {"owner_user": User.objects.get(pk=pk)}
    if kind == "org":
        return {"owner_organisation": Organisation.objects.get(pk=pk)}
    return {}


class _MoveField(forms.ChoiceField):
    """Offers the moves back on the route (forward has the route section's form) but accepts
    every move of ``case_move``, as the API does, so that the service decides."""

    accepted: list[str] = []

    def valid_value(self, value) -> bool:
        return value in self.accepted


def moves_back(case, accepted: list[str] | None = None) -> list[str]:
    """The phases the case page offers to move to: back on the route (forward is the route
    section's), of the moves ``case_move`` accepts."""
    if accepted is None:
        accepted = case_move_targets(case)
    return [p for p in accepted if not is_escalation(case.phase, p)]


class TransitionForm(forms.Form):
    service_field_map = {"phase": "to_phase"}
    to_phase = _MoveField(label=_("Naar fase"))
    reason = forms.CharField(label=_("Reden"), widget=TEXTAREA)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_phase"]
        field.accepted = case_move_targets(case)
        field.choices = [(p, Phase(p).label) for p in moves_back(case, field.accepted)]


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reden van sluiten"), choices=ClosureReason.choices)
    note = forms.CharField(label=_("Toelichting"), widget=TEXTAREA, required=False)
    offer_started_on = forms.DateField(
        label=_("Aanbod gestart op"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Alleen bij een passend aanbod; leeg is vandaag."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reden van heropenen"), widget=TEXTAREA)


class JournalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=JOURNAL_KINDS)
    text = forms.CharField(label=_("Tekst"), widget=TEXTAREA)


class WishesForm(forms.Form):
    parents_wishes = forms.CharField(
        label=_("Wensen van de ouders"), widget=TEXTAREA, required=False
    )
    pupil_wishes = forms.CharField(
        label=_("Wensen van de leerling"), widget=TEXTAREA, required=False
    )


class GoalForm(forms.Form):
    description = forms.CharField(label=_("Doel"), widget=TEXTAREA)
    measure = forms.CharField(label=_("Wanneer bereikt"), required=False)
    target_date = forms.DateField(label=_("Streefdatum"), required=False, widget=DATE_INPUT)


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Actie"), widget=TEXTAREA)
    owner = forms.ChoiceField(label=_("Wie voert de actie uit"))
    due_on = forms.DateField(label=_("Uiterlijk op"), widget=DATE_INPUT)
    goal = forms.TypedChoiceField(label=_("Hoort bij doel"), required=False, coerce=int)

    service_field_map = {"owner_user": "owner", "owner_organisation": "owner"}

    def __init__(self, *args, owners, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners
        self.fields["goal"].choices = [("", "---------")] + [(g.pk, str(g)) for g in goals]
        self.goals = {g.pk: g for g in goals}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "due_on": data["due_on"],
            "goal": self.goals.get(data["goal"]) if data["goal"] else None,
            **owner_parse(data["owner"]),
        }


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort overleg"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("Datum"), widget=DATE_INPUT, initial=timezone.localdate)
    notes = forms.CharField(label=_("Verslag"), widget=TEXTAREA, required=False)
    parents_present = forms.BooleanField(label=_("Ouders aanwezig"), required=False)
    pupil_present = forms.BooleanField(label=_("Leerling aanwezig"), required=False)
    participants = forms.TypedMultipleChoiceField(
        label=_("Aanwezige betrokkenen"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    decisions = forms.CharField(
        label=_("Besluiten"),
        widget=TEXTAREA,
        required=False,
        help_text=_("Eén besluit per regel."),
    )
    action_description = forms.CharField(
        label=_("Actie bij het eerste besluit"), widget=TEXTAREA, required=False
    )
    action_owner = forms.ChoiceField(label=_("Wie voert de actie uit"), required=False)
    action_due_on = forms.DateField(
        label=_("Actie uiterlijk op"), widget=DATE_INPUT, required=False
    )
    # Hidden (not rendered) until the service warns that the MDO consent is missing.
    confirmed_without_consent = forms.BooleanField(
        label=_("Ik leg dit MDO vast zonder toestemming voor bespreking in een overleg"),
        required=False,
        widget=forms.HiddenInput,
    )

    service_field_map = {
        "description": "action_description",
        "due_on": "action_due_on",
        "owner_user": "action_owner",
        "owner_organisation": "action_owner",
    }

    def __init__(self, *args, participants, owners, **kwargs):
        super().__init__(*args, **kwargs)
        # (Not self.participants: that name is the form field's.)
        self.participants_by_pk = {p.pk: p for p in participants}
        self.fields["participants"].choices = [
            (p.pk, f"{p.display_name} ({p.get_role_display()})") for p in participants
        ]
        self.fields["action_owner"].choices = owners
        name = "confirmed_without_consent"
        if self.fields[name].to_python(self.data.get(self.add_prefix(name))):
            self._show_confirmation()  # confirmed once: stays in sight with other errors

    def _show_confirmation(self) -> None:
        self.fields["confirmed_without_consent"].widget = forms.CheckboxInput()

    def add_error(self, field, error):
        if field == "confirmed_without_consent":
            self._show_confirmation()
        super().add_error(field, error)

    def clean(self):
        data = super().clean()
        decisions = [line.strip() for line in data.get("decisions", "").splitlines()]
        data["decision_list"] = [line for line in decisions if line]
        if data.get("action_description", "").strip():
            if not data["decision_list"]:
                self.add_error("decisions", _("Een actie hoort bij een besluit; schrijf er een."))
            if not data.get("action_owner"):
                self.add_error("action_owner", _("Kies wie de actie uitvoert."))
            if not data.get("action_due_on"):
                self.add_error("action_due_on", _("Kies wanneer de actie klaar moet zijn."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        actions = []
        if data["action_description"].strip():
            actions.append(
                {
                    "description": data["action_description"],
                    "due_on": data["action_due_on"],
                    "decision": 0,
                    **owner_parse(data["action_owner"]),
                }
            )
        return {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "notes": data["notes"],
            "parents_present": data["parents_present"],
            "pupil_present": data["pupil_present"],
            "participants": [self.participants_by_pk[pk] for pk in data["participants"]],
            "decisions": data["decision_list"],
            "actions": actions,
            "confirmed_without_consent": data["confirmed_without_consent"],
        }


class ArrangementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort arrangement"), choices=ArrangementKind.choices)
    description = forms.CharField(label=_("Omschrijving"), widget=TEXTAREA, required=False)
    start_on = forms.DateField(label=_("Start"), widget=DATE_INPUT)
    share_percent = forms.IntegerField(
        label=_("Deel van de onderwijstijd (%)"), min_value=0, max_value=100
    )
    is_suitable_offer = forms.BooleanField(label=_("Passend aanbod"), required=False, initial=True)
    cost_total = forms.DecimalField(
        label=_("Kosten (frictiebudget, €)"), min_value=0, decimal_places=2, initial=0
    )
    municipality_share_percent = forms.IntegerField(
        label=_("Aandeel gemeente (%)"),
        min_value=0,
        max_value=100,
        initial=50,
        help_text=_("Het samenwerkingsverband betaalt de rest."),
    )


class ParticipantForm(forms.Form):
    role = forms.ChoiceField(label=_("Rol in de casus"), choices=ParticipantRole.choices)
    user = forms.ModelChoiceField(
        label=_("Collega"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Uw collega's en de professionals van de school, het samenwerkingsverband, de "
            "casusregie en leerplicht van deze casus."
        ),
    )
    name = forms.CharField(
        label=_("Of een naam"),
        required=False,
        help_text=_("Voor wie geen account heeft, zoals een ouder."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        # The queryset validates the choice too (``cases.selectors.participant_candidates``).
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = _person

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"role": data["role"], "user": data["user"], "name": data["name"]}


def colleagues_of(user) -> list[User]:
    return list(users_visible_to(user).order_by("full_name", "email"))


def care_partners_of(case):
    """Users with a care partner's role (personal data in a care organisation) in the
    case's region."""
    memberships = Membership.objects.active().filter(
        organisation__kind=OrganisationKind.CARE_ORGANISATION,
        organisation__region_id=case.municipality.region_id,
        role__permissions__codename=Capability.VIEW_PERSONAL_DATA,
    )
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True).order_by(
        "full_name", "email"
    )


class CarePartnerForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Zorgpartner"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Rol in de casus"), choices=CARE_ROLES)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = care_partners_of(case)
        self.fields["user"].label_from_instance = _person


class DetailsForm(forms.Form):
    situation_level = forms.ChoiceField(
        label=_("Situatie"), choices=[("", "---------"), *SituationLevel.choices], required=False
    )
    lead_mode = forms.ChoiceField(
        label=_("Regiestijl"), choices=[("", "---------"), *LeadMode.choices], required=False
    )
    daytime_activity = forms.ChoiceField(label=_("Dagbesteding"), choices=DaytimeActivity.choices)
    causes = forms.MultipleChoiceField(
        label=_("Oorzaken"),
        choices=Cause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    waiting_list_for = forms.ChoiceField(
        label=_("Wachtlijst voor"), choices=WaitingListFor.choices, required=False
    )
    waiting_since = forms.DateField(
        label=_("Op de wachtlijst sinds"), required=False, widget=DATE_INPUT
    )


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(label=_("Waarvoor"), choices=ConsentScope.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ConsentStatus.choices)
    party = forms.ChoiceField(label=_("Door"), choices=ConsentParty.choices)
    stated_on = forms.DateField(label=_("Datum"), widget=DATE_INPUT, initial=timezone.localdate)
    how = forms.ChoiceField(label=_("Hoe"), choices=ConsentHow.choices)
    note = forms.CharField(label=_("Toelichting"), required=False)


class LeadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Casusregie naar"), queryset=Organisation.objects.none()
    )
    user = forms.ModelChoiceField(
        label=_("Casusregisseur (persoon)"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Reden"), widget=TEXTAREA)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations_visible_to(user).filter(kind__in=LEAD_KINDS).order_by("name")
        )
        # People of those organisations who may lead; the service checks the membership.
        leaders = Membership.objects.active().filter(
            organisation__in=self.fields["organisation"].queryset,
            role__permissions__codename=Capability.LEAD_AS_CASUSREGISSEUR,
        )
        self.fields["user"].queryset = User.objects.filter(
            Q(pk__in=leaders.values("user_id")), is_active=True
        ).order_by("full_name", "email")
        self.fields["user"].label_from_instance = _person
