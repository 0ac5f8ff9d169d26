"""System texts of the journal: stored as a code with parameters, shown in the reader's
language (issue 17).

A service passes a ``SystemText`` (``CASE_OPENED(org=...)``) where it would pass a
translated string. ``journal()`` and the sweep's batch writer store it as
``CaseEvent.data["text"] = {"code": ..., "params": {...}}`` and keep ``message`` filled with
the Dutch rendering: what exports and the audit log keep, and the fallback for a code that a
later version no longer knows. ``CaseEvent.text`` renders the code in the active language.

Rows written before codes existed have a message only and keep showing it: no data
migration. Text a person typed (a reason, a note, a decision) stays stored as text; inside
a system text it is a plain parameter. Names (an organisation, a chair) are parameters
stored as they were then: the journal is history.

Cases registers its codes here; an app to the right registers its own (escalation/texts.py,
imported from its AppConfig.ready()), since cases never imports it. How to add a code:
docs/development.md, "System texts".
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Choices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ArrangementKind, MeetingKind

# A parameter as stored in the journal's JSON.
Stored = str | int | bool


class Param(Protocol):
    """How one parameter is stored and shown."""

    def store(self, value: Any) -> Stored: ...

    def render(self, stored: Any) -> str: ...


class Plain:
    """A value shown as it is: a name, a number, text a person typed."""

    def store(self, value: Any) -> Stored:
        return value if isinstance(value, int | str) else str(value)

    def render(self, stored: Any) -> str:
        return str(stored)


class Date:
    """A date, stored as ISO and shown d-m-Y (as the journal wrote dates before)."""

    def store(self, value: Any) -> Stored:
        if not isinstance(value, datetime.date):
            raise TypeError(f"A date, not {value!r}")
        return value.isoformat()

    def render(self, stored: Any) -> str:
        return datetime.date.fromisoformat(stored).strftime("%d-%m-%Y")


class Choice:
    """A choice's value, shown as its label in the reader's language."""

    def __init__(self, choices: type[Choices]):
        self.choices = choices
        self._labels: dict[Any, Any] = {}

    def store(self, value: Any) -> Stored:
        # Not checked against the choices: the model's own validation names a bad value.
        stored = value.value if isinstance(value, self.choices) else value
        if not isinstance(stored, str | int):
            raise TypeError(f"A {self.choices.__name__} value, not {value!r}")
        return stored

    def render(self, stored: Any) -> str:
        if not self._labels:
            self._labels = {member.value: member.label for member in self.choices}
        # A value a later version dropped: shown as stored rather than not at all.
        return str(self._labels.get(stored, stored))


class YesNo:
    """A yes or a no."""

    def store(self, value: Any) -> Stored:
        return bool(value)

    def render(self, stored: Any) -> str:
        return str(_("ja") if stored else _("nee"))


@dataclass(frozen=True)
class SystemText:
    """A system text as a service passes it and the journal stores it. Make one by calling
    its code: ``CASE_OPENED(org=organisation.name)``."""

    code: str
    params: Mapping[str, Stored] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    def render(self) -> str:
        """In the active language."""
        return TEXTS[self.code].render(self.params)

    def dutch(self) -> str:
        """The stored form: the journal's message, and the reason the audit log keeps."""
        return as_messages([self])[0]


@dataclass(frozen=True)
class TextCode:
    """One registered system text: its code, its gettext template and its parameters."""

    code: str
    template: Promise | str
    params: Mapping[str, Param]

    def __call__(self, **values: Any) -> SystemText:
        if set(values) != set(self.params):
            raise TypeError(f"{self.code} takes {sorted(self.params)}, not {sorted(values)}")
        return SystemText(
            self.code, {name: kind.store(values[name]) for name, kind in self.params.items()}
        )

    def render(
        self,
        stored: Mapping[str, Any],
        template: str | None = None,
        shown: dict[tuple[str, Any], str] | None = None,
    ) -> str:
        """``template``: the translated template, when the caller has it already; ``shown``:
        parameters already rendered in this language, by (name, stored value)."""
        template = str(self.template) if template is None else template
        if not self.params:
            return template
        values = {}
        for name, kind in self.params.items():
            value = stored[name]
            if shown is None:
                values[name] = kind.render(value)
                continue
            key = (name, value)
            if key not in shown:
                shown[key] = kind.render(value)
            values[name] = shown[key]
        return template % values


TEXTS: dict[str, TextCode] = {}


def register(code: str, template: Promise | str, **params: Param) -> TextCode:
    """Register a system text; a code once written to the journal is never reused for
    another text (old rows render with whatever the code means now)."""
    if code in TEXTS:
        raise ValueError(f"The system text {code!r} is registered twice")
    text = TEXTS[code] = TextCode(code, template, params)
    return text


def as_messages(texts: Sequence[str | SystemText]) -> list[str]:
    """The stored (Dutch) form of each text, a string as it is. One language switch and one
    translation per code and per parameter value for a whole batch (the sweep writes
    thousands; gettext per row was a tenth of its time)."""
    templates: dict[str, str] = {}
    shown: dict[str, dict[tuple[str, Any], str]] = {}
    out = []
    with translation.override("nl"):
        for text in texts:
            if isinstance(text, str):
                out.append(text)
                continue
            code = TEXTS[text.code]
            if text.code not in templates:
                templates[text.code] = str(code.template)
                shown[text.code] = {}
            out.append(code.render(text.params, templates[text.code], shown[text.code]))
    return out


def as_message(text: str | SystemText) -> str:
    return text if isinstance(text, str) else text.dutch()


def stored_text(data: Any, message: str) -> str:
    """A journal row's text in the active language: its code rendered, else ``message`` (an
    older row, text a person typed, or a code this version no longer knows)."""
    stored = data.get("text") if isinstance(data, dict) else None
    if not isinstance(stored, dict):
        return message
    code = TEXTS.get(str(stored.get("code")))
    params = stored.get("params")
    if code is None or not isinstance(params, dict):
        return message
    try:
        return code.render(params)
    except (KeyError, TypeError, ValueError):  # parameters that no longer fit the template
        return message


# --- the codes of cases ------------------------------------------------------------------

CASE_OPENED = register("cases.opened", _("Casus geopend na een melding van %(org)s."), org=Plain())
REPORT_JOINED = register("cases.report_joined", _("Melding van %(org)s toegevoegd."), org=Plain())
CLOCK_STARTED = register(
    "cases.clock_started", _("Verzuim gemeld: de klok loopt vanaf %(day)s."), day=Date()
)
REOPENED_BY_REPORT = register(
    "cases.reopened_by_report", _("Nieuwe melding binnen 3 maanden na het sluiten.")
)
REOPENED_AT_AFTERCARE = register(
    "cases.reopened_at_aftercare", _("Bij nazorg bleek de leerling weer thuis te zitten.")
)
REOPENED_ELSEWHERE = register(
    "cases.reopened_elsewhere",
    _("Heropend met een melding van %(org)s: de casus gaat mee naar de nieuwe plek."),
    org=Plain(),
)
REOPENED_NEW_LEAD = register(
    "cases.reopened_new_lead",
    _("Heropend met een nieuwe melding: %(org)s voert de regie."),
    org=Plain(),
)
CLOSED_AT_18 = register(
    "cases.closed_at_18",
    _(
        "De leerling is 18 geworden: de casus sluit vanzelf. Draag de leerling over "
        "aan het RMC (Regionale Meld- en Coördinatiefunctie)."
    ),
)
# By the consent band the pupil's age reached (registration's 0, 12 and 16).
CONSENT_AGE = {
    0: register(
        "cases.consent_age_0",
        _(
            "De leerling is jonger dan 12 (gecorrigeerde geboortedatum): de ouders geven "
            "toestemming."
        ),
    ),
    12: register(
        "cases.consent_age_12",
        _("De leerling is 12 geworden: voortaan geven de ouders én de leerling toestemming."),
    ),
    16: register(
        "cases.consent_age_16",
        _("De leerling is 16 geworden: voortaan geeft de leerling zelf toestemming."),
    ),
}
CARE_CONSENT_MISSING = register(
    "cases.care_consent_missing", _("Toestemming voor zorgpartners ontbreekt.")
)
CARE_CONSENT_WITHDRAWN = register(
    "cases.care_consent_withdrawn", _("Toestemming voor zorgpartners ingetrokken of ontbreekt.")
)
# The journal line of a meeting or an arrangement is its kind.
MEETING_HELD = register("cases.meeting_held", "%(kind)s", kind=Choice(MeetingKind))
MEETING_HELD_WITHOUT_CONSENT = register(
    "cases.meeting_held_without_consent",
    _("%(kind)s, vastgelegd zonder toestemming voor bespreking in een overleg"),
    kind=Choice(MeetingKind),
)
ARRANGEMENT_ADDED = register("cases.arrangement_added", "%(kind)s", kind=Choice(ArrangementKind))
