"""The journal's system texts of the route (cases/texts.py has the registry and why).
Imported from ``EscalationConfig.ready()``; cases never imports this app."""

from django.utils.translation import gettext_lazy as _

from cases.texts import Choice, Date, Plain, YesNo, register

from .models import OmRoute, Step

# The sweep: a timed step whose deadline passed.
DEADLINE_PASSED = register(
    "escalation.deadline_passed",
    _("Termijn verstreken: %(step)s, uiterlijk %(due)s."),
    step=Choice(Step),
    due=Date(),
)
OM_DEADLINE_PASSED = register(
    "escalation.om_deadline_passed",
    _(
        "Termijn verstreken: %(months)s maanden na de start van het doorbraakteam "
        "zonder passend aanbod, uiterlijk %(due)s. De casusregisseur beoordeelt met "
        "leerplicht de doorverwijzing naar het Openbaar Ministerie."
    ),
    months=Plain(),
    due=Date(),
)
# The casusregisseur's answer; ``text`` is the explanation they typed.
ASSESSMENT_ANSWERED = register(
    "escalation.assessment_answered",
    _("Doorbraaktoets: passend aanbod binnen 4 weken? %(answer)s. %(text)s"),
    answer=YesNo(),
    text=Plain(),
)
ASSESSMENT_NO_OFFER = register(
    "escalation.assessment_no_offer", _("Doorbraaktoets: geen passend aanbod binnen 4 weken.")
)
# The chair's name as it was then.
ARBITRATION_STARTED = register(
    "escalation.arbitration_started",
    _("Arbitragecommissie ingesteld. Voorzitter: %(chair)s."),
    chair=Plain(),
)
# ``reason``: what the casusregisseur typed.
OM_REFERRED = register(
    "escalation.om_referred",
    _("Doorverwezen naar het OM (%(route)s) op %(day)s. %(reason)s"),
    route=Choice(OmRoute),
    day=Date(),
    reason=Plain(),
)
