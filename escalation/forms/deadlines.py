"""The filters of the "Termijnen" page (``escalation.views.deadlines``): the period, the step
and who holds the lead. The lead's options are the user's own cases and the organisations the
user sees (``organisations_visible_to``), in one query."""

import datetime
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from thuiszitters.models import User
from thuiszitters.selectors import organisations_visible_to

from ..models import Step
from ..route import TIMED_STEPS
from ..selectors.deadlines import DEFAULT_PERIOD, MINE, period_end

PERIODS = [
    ("week", _("Deze week")),
    ("two_weeks", _("Deze en volgende week")),
    ("six_weeks", _("De komende 6 weken")),
    ("all", _("Alle termijnen")),
]


class DeadlineFilterForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Periode"),
        choices=PERIODS,
        initial=DEFAULT_PERIOD,
        help_text=_("Te late stappen staan er altijd bij."),
    )
    step = forms.ChoiceField(
        label=_("Stap"),
        choices=[("", _("Alle stappen")), *((s, Step(s).label) for s in TIMED_STEPS)],
        required=False,
    )
    lead = forms.ChoiceField(label=_("Casusregie bij"), required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisations_visible_to(user).order_by("name", "id")
        cast(forms.ChoiceField, self.fields["lead"]).choices = [
            ("", _("Iedereen")),
            (MINE, _("Mijn casussen")),
            *((str(pk), name) for pk, name in organisations.values_list("pk", "name")),
        ]

    def selection(self, today: datetime.date) -> dict:
        """The arguments of ``deadlines_visible_to`` (the form is valid)."""
        data = self.cleaned_data
        return {
            "until": period_end(data["period"], today),
            "step": data["step"],
            "lead": data["lead"],
        }
