"""Every write route against every role: a user of region A who names a pupil, case, report,
organisation or scope it cannot see writes nothing, widens no one's access and learns nothing
(DESIGN.md 4.3 and 4.4: access is earned, never taken).

The read half is ``test_deny_matrix.py``; both use the ``foreign`` fixture (region B, built by
the apps' ``deny_matrix*.py``). The routes about pupils and cases are also tried on ``unseen``,
a case of region A that none of the matrix's users sees. Each URL that takes a write (its view
allows POST, PUT, PATCH or DELETE, maps them to viewset actions, or reads ``request.POST``)
needs an entry in ``WRITES`` with bodies that would write if the scope check were missing
(``test_the_bodies_write_on_own_objects`` proves it on the author's own case);
``test_every_write_route_has_an_entry`` fails on a new route. Every other URL is posted to as
well (``test_other_routes_write_nothing``).

Each attempt must get a refusal (400, 403, 404, 405, 422; for a page also 200 with the form
again, or 302 to the login) without a secret of the target that the request did not itself
carry; write or update no row of the apps' tables; and leave the target's pupil, case and
report out of reach of the actor, region A's SWV consultant, leerplicht officer, care partner
and doorbraakteam member, and anyone the body names. All roles first run together in one
rolled-back savepoint; if anything changed, each attempt runs again alone (and rolled back),
so that every finding names its route, method, variant and role.

The dates the bodies carry are read when a body is built (``_day``; ``_on`` in the entries),
never when this module is loaded, and every test runs on the test clock (``frozen_clock``,
``tests/conftest.py``): the bodies, the services that check them and the rows they would
write all see one day.
"""

import csv
import datetime
import functools
import inspect
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Exists
from django.http import HttpResponse, HttpResponseNotFound
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.http import urlencode

from cases.csv_import import COLUMN_NAMES, payload_sign, rejected_sign
from cases.models import Action, Participant
from cases.selectors import cases_in_restricted_view, cases_visible_to
from cases.services import absence_report_submit
from cases.workflow import Phase
from escalation.models import ArbitrationPanel, ArbitrationStatus, NotificationKind, PolicyVersion
from escalation.services.holidays import holiday_create
from escalation.services.policy import VERSION_FIELDS, policy_version_create
from registration.models import ConsentParty, ConsentScope, Pupil
from registration.selectors import (
    absence_reports_of_reporter,
    pupils_visible_to,
)
from reports.periods import Quarter
from reports.services.lists import ONLY_THEIRS, result_sign
from thuiszitters.access import forget_memberships
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create

from ..factories.cases import consent_give
from ..factories.organisations import CareOrganisationFactory
from ..factories.registration import enrolled_pupil, report_input, years_ago
from ..factories.users import PASSWORD, SETUP, member
from .test_deny_matrix import MATRIX, PUBLIC, ROLES

pytestmark = pytest.mark.usefixtures("frozen_clock")

WRITE_METHODS = ("post", "put", "patch", "delete")

# Tables whose rows may change on a refused write: the audit log records refusals and reads
# by design (DESIGN.md 4.4), and the heartbeat is /healthz bookkeeping. Sessions (a login per
# role) and the login throttle (the cache) are outside these apps.
COUNTED_APPS = ("core", "registration", "cases", "escalation", "reports", "auth", "guardian")
NOT_COUNTED = {"core.AuditLogEntry", "core.SystemHeartbeat"}
# Rows updated as bookkeeping on any request: an API token's last use.
ALWAYS_UPDATED = frozenset({"core.ApiToken"})

# The target's objects whose row must not change, named when they do.
FINGERPRINTED = (
    "pupil",
    "case",
    "report",
    "notification",
    "holiday",
    "list_snapshot",
    "quarterly_report",
    "api_quarterly_report",
    "user",
    "membership",
    "swv",
    "school",
    "region",
    "action",
    "participant",
    "panel",
)


# A body's key for what the user typed earlier and the request carries signed (the CSV of a
# commit): echoing it back is no leak. Not sent.
TYPED = "_typed"


def _day(days: int = 0) -> str:
    """The ISO date ``days`` from the test's day."""
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _on(days: int = 0) -> Callable[..., str]:
    """``_day(days)`` as a value of ``_one``'s bodies: read when a body is built, not when this
    module is loaded."""
    return lambda c: _day(days)


# --- what a request sends ---------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    name: str
    text: str


@dataclass
class Ctx:
    """What a body is built from: the target (``foreign``, ``unseen``, or the actor's ``own``
    in the controls), the actor and the people watched for widened access."""

    world: object
    target: dict
    actor: object
    role: str
    people: dict

    @property
    def org(self):
        return self.world.home_of(self.role)


Body = Callable[[Ctx], dict]


@dataclass(frozen=True)
class Write:
    """One write route: URL args from the target, a body per variant (each a plausible attack),
    the methods that write, the encoding, and how to put the target where the route acts."""

    bodies: dict[str, Body]
    args: Callable[[dict], list] | None = None
    methods: tuple[str, ...] = ("post",)
    fmt: str = "form"  # form, multipart (values may be Upload) or json (the API)
    prepare: Callable[[object, dict], None] | None = None  # (world, target)
    # A role of region A for which these variants, aimed at its own objects, do write: proof
    # that the body is valid apart from the scope (test_the_bodies_write_on_own_objects).
    author: str | None = None
    controls: tuple[str, ...] | None = None  # the variants of that proof (default: all)
    # Routes about the actor themselves (password, inbox): the models whose rows they may
    # change; None for routes aimed at the target.
    own: frozenset[str] | None = None


# --- preparing the target ---------------------------------------------------------------------


def _phase(target, phase):
    case = target["case"]
    case.phase = phase
    case.save(update_fields=["phase"])


def _to(phase):
    return lambda world, target: _phase(target, phase)


def _closed(world, target):
    case = target["case"]
    case.phase, case.closed_at, case.closed_reason = Phase.CLOSED, timezone.now(), "moved_away"
    case.save(update_fields=["phase", "closed_at", "closed_reason"])


def _with_action(world, target):
    case = target["case"]
    target["action"] = Action.objects.create(
        case=case,
        description="Vreemde actie",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        owner_organisation=case.lead_organisation,
    )


def _with_participant(world, target):
    target["participant"] = Participant.objects.create(
        case=target["case"], role="parent", name="Vreemde ouder"
    )


def _with_care_partner(world, target):
    """Care consent and a care partner of the case's region, whom the body invites."""
    case = target["case"]
    consent_give(case.pupil, ConsentScope.SHARE_WITH_CARE_PARTNERS, ConsentParty.PARENTS)
    region = case.municipality.region
    care = world.care if region.pk == world.region.pk else CareOrganisationFactory(region=region)
    target["invitee"] = member(care, RoleCode.CARE_PARTNER)
    target.setdefault("watchers", {})["invited care partner"] = target["invitee"]


def _with_colleague(world, target):
    """A person working at the target's SWV, whose second factor the body would reset."""
    target["colleague"] = member(target["swv"], RoleCode.SWV_CONSULTANT)


def _arbitration_ready(world, target):
    """Phase doorbraakteam, the parents' binding-arbitration consent, a neighbour in the
    convenant, and a doorbraakteam member on each side."""
    case = target["case"]
    swv = case.swv
    neighbour = world.other_swv if swv.pk != world.other_swv.pk else world.swv
    swv.neighbours.add(neighbour)
    policy_version_create(
        swv=swv, actor=SETUP, reason="Buur voor arbitrage", neighbour_swv=neighbour
    )
    consent_give(case.pupil, ConsentScope.BINDING_ARBITRATION, ConsentParty.PARENTS)
    own = member(swv, RoleCode.DOORBRAAKTEAM)
    far = member(neighbour, RoleCode.DOORBRAAKTEAM)
    target["arbitration"] = {"own": own, "neighbour": far, "neighbour_swv": neighbour}
    target.setdefault("watchers", {})["neighbour arbitrator"] = far
    _phase(target, Phase.DOORBRAAKTEAM)
    # The case's own casusregisseur chairs the panel, whoever sets it up.
    case.lead_user = member(swv, RoleCode.CASUSREGISSEUR)
    case.save(update_fields=["lead_user"])


def _panel(status):
    def prepare(world, target):
        _arbitration_ready(world, target)
        people = target["arbitration"]
        target["panel"] = ArbitrationPanel.objects.create(
            case=target["case"],
            chair=member(target["case"].swv, RoleCode.CASUSREGISSEUR),
            parents_representative="Mr. J. de Wit",
            own_member=people["own"],
            neighbour_swv=people["neighbour_swv"],
            neighbour_member=people["neighbour"],
            reason="Geen overeenstemming",
            status=status,
        )
        _phase(target, Phase.ARBITRATION)

    return prepare


# --- bodies -----------------------------------------------------------------------------------


def _scope_keys(target) -> dict[str, str]:
    pupil = target["pupil"]
    return {
        "swv": f"swv-{target['swv'].pk}",
        "municipality": f"municipality-{pupil.municipality_id}",
        "region": f"region-{target['region'].pk}",
    }


def _report_fields() -> dict:
    return {
        "kind": "unauthorised",
        "reported_on": _day(),
        "absence_started_on": _day(-14),
        "parents_informed_on": _day(-2),
        "parents_informed_how": "phone",
        "reason": "Komt niet meer naar school",
    }


def _intake_new_pupil(c: Ctx) -> dict:
    """The attack that was seen: the target pupil's BSN with an invented name and date of
    birth, enrolled at the reporter's school, with consent to share."""
    return {
        "reporting_organisation": c.org.pk,
        "new_pupil": "1",
        "given_names": "Verzonnen",
        "surname": "Andersnaam",
        "date_of_birth": years_ago(11).isoformat(),
        "bsn": c.target["pupil"].bsn,
        "municipality": c.world.m1.pk,
        "enrolled_from": _day(-400),
        "guardian_name": "Ouder Andersnaam",
        "guardian_relation": "mother",
        **_report_fields(),
        "consent_share_with_swv": "on",
        "consent_share_with_leerplicht": "on",
        "consent_party": "parents",
        "consent_how": "conversation",
        "consent_stated_on": _day(),
    }


def _intake_existing(c: Ctx) -> dict:
    return {"reporting_organisation": c.org.pk, "pupil": c.target["pupil"].pk, **_report_fields()}


SEARCH_BODIES: dict[str, Body] = {
    "their_bsn": lambda c: {"q": c.target["pupil"].bsn},
    "their_name": lambda c: {"q": c.target["pupil"].full_name},
    "their_case_number": lambda c: {"q": f"Casus {c.target['case'].pk}"},
}

INTAKE_BODIES = {"new_pupil_by_bsn": _intake_new_pupil, "existing_pupil": _intake_existing}


def _csv(target, key: str) -> str:
    pupil = target["pupil"]
    common = {
        "soort": "unauthorised",
        "eerste_verzuimdag": _day(-20),
        "ouders_geinformeerd_op": _day(-2),
        "ouders_geinformeerd_via": "telefonisch",
        "toelichting": "Komt niet meer",
    }
    rows = [
        {"bsn": pupil.bsn, "kenmerk": f"{key}-1", **common},
        {
            "bsn": pupil.bsn,
            "voornamen": pupil.given_names,
            "achternaam": pupil.surname,
            "geboortedatum": pupil.date_of_birth.isoformat(),
            "kenmerk": f"{key}-2",
            **common,
        },
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMN_NAMES, delimiter=";", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _csv_commit(org_of: Callable[[Ctx], object]) -> Body:
    def body(c: Ctx) -> dict:
        text = _csv(c.target, f"aanval-{c.role}")
        return {
            "payload": payload_sign(
                user=c.actor, organisation=org_of(c), text=text, filename="meldingen.csv"
            ),
            TYPED: text,
        }

    return body


def _csv_rejected(c: Ctx) -> dict:
    cells = [[c.target["pupil"].bsn, "unauthorised", _day(-20), "bsn: onbekend"]]
    return {
        "payload": rejected_sign(user=c.actor, organisation=c.target["school"], cells=cells),
        TYPED: str(cells),
    }


def _api_report(**names) -> Body:
    """The API's absence report naming the target's pupil; ``names`` picks the identity."""

    def body(c: Ctx) -> dict:
        pupil = c.target["pupil"]
        identity = {
            "bsn": pupil.bsn,
            "given_names": pupil.given_names,
            "surname": pupil.surname,
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "organisation": c.target["school"].pk,
        }
        data = {k: identity[k] for k, wanted in names.items() if wanted}
        return {
            **data,
            **_report_fields(),
            "client_key": f"aanval-{c.role}-{'-'.join(sorted(data))}",
        }

    return body


_IDENTITY = {"bsn": True, "given_names": True, "surname": True, "date_of_birth": True}
API_REPORT_BODIES = {
    "bsn": _api_report(bsn=True),  # a BSN alone proves nothing (DESIGN.md 4.3)
    "identity": _api_report(**_IDENTITY),
    "names": _api_report(given_names=True, surname=True, date_of_birth=True),
    "for_their_school": _api_report(**_IDENTITY, organisation=True),
}


def _consent(prefix: str, scope: str) -> Body:
    return lambda c: {
        f"{prefix}scope": scope,
        f"{prefix}status": "given",
        f"{prefix}party": "parents",
        f"{prefix}stated_on": _day(),
        f"{prefix}how": "phone",
        f"{prefix}note": "Telefonisch toegestemd",
    }


def _policy_form(c: Ctx) -> dict:
    default = PolicyVersion()
    data = {}
    for name in VERSION_FIELDS:
        value = getattr(default, PolicyVersion._meta.get_field(name).attname)
        data[name] = "" if value is None else value
    return {**data, "casusregisseurs": [], "reason": "Afspraak in het OOGO"}


def _reconcile_file(target) -> Upload:
    pupil = target["pupil"]  # no given names: they must not come back in the answer
    text = (
        f"BSN;Achternaam;Geboortedatum\n{pupil.bsn};{pupil.surname};{pupil.date_of_birth:%d-%m-%Y}"
    )
    return Upload("leerplicht.csv", text)


def _reconcile_export(c: Ctx) -> dict:
    key = _scope_keys(c.target)["swv"]
    cells = [
        [ONLY_THEIRS, "", c.target["pupil"].surname, "", c.target["pupil"].bsn, "", "2", "", ""]
    ]
    payload = result_sign(
        user=c.actor, scope=SimpleNamespace(key=key), on=timezone.localdate(), cells=cells
    )
    return {"payload": payload, "fmt": "csv", TYPED: str(cells)}


def _scoped(make: Callable[[str, Ctx], dict]) -> dict[str, Body]:
    return {
        kind: (lambda c, kind=kind: make(_scope_keys(c.target)[kind], c))
        for kind in ("swv", "municipality", "region")
    }


def _quarter(key: str, c: Ctx) -> dict:
    return {"scope": key, "quarter": str(Quarter.of(timezone.localdate()))}


# --- the entries --------------------------------------------------------------------------------


def _case(t):
    return [t["case"].pk]


def _one(**body) -> dict[str, Body]:
    return {"attack": lambda c: {k: (v(c) if callable(v) else v) for k, v in body.items()}}


ZC, LP, REGISSEUR = RoleCode.ZORGCOORDINATOR, RoleCode.LEERPLICHT, RoleCode.CASUSREGISSEUR
TEAM, ADMIN = RoleCode.DOORBRAAKTEAM, RoleCode.FUNCTIONAL_ADMIN

CORE_WRITES = {
    "logout": Write(bodies={"own": lambda c: {}}, own=frozenset()),
    "password_change": Write(
        bodies={
            "own": lambda c: {
                "old_password": PASSWORD,
                "new_password1": "Een-nieuw-wachtwoord-42",
                "new_password2": "Een-nieuw-wachtwoord-42",
            }
        },
        methods=("post", "put"),
        own=frozenset({"core.User"}),  # the actor's own password
    ),
    # A verified session is sent on: it sets up or verifies nothing more.
    "second_factor_verify": Write(bodies={"own": lambda c: {"token": "123456"}}, own=frozenset()),
    "second_factor_setup": Write(bodies={"own": lambda c: {"token": "123456"}}, own=frozenset()),
    "second_factor_reset": Write(
        args=lambda t: [t["colleague"].pk],
        bodies=_one(reason="Telefoon kwijt"),
        # Its proof on region A's own people is test_second_factor.py (the devices it
        # removes are django-otp's rows, not the apps').
        prepare=_with_colleague,
    ),
}

REGISTRATION_WRITES = {
    "registration:pupil_correct": Write(
        args=lambda t: [t["pupil"].pk],
        bodies={
            "rename": lambda c: {
                "given_names": "Gecorrigeerd",
                "surname": "Anders",
                "date_of_birth": c.target["pupil"].date_of_birth.isoformat(),
                "bsn": "",
                "reason": "Tikfout",
            }
        },
        author=ZC,
    ),
    "registration:consent_record": Write(
        args=lambda t: [t["pupil"].pk],
        bodies={
            scope: _consent("consent-", scope)
            for scope in ("share_with_leerplicht", "share_with_swv")
        },
        author=ZC,
    ),
}

CASES_WRITES = {
    "cases:intake": Write(bodies=INTAKE_BODIES, author=ZC, controls=("existing_pupil",)),
    # The live check rolls back: it must not leak, and must not write either.
    "cases:intake_validate": Write(bodies=INTAKE_BODIES),
    "cases_csv:upload": Write(
        bodies={"file": lambda c: {"file": Upload("meldingen.csv", _csv(c.target, "aanval"))}},
        fmt="multipart",
    ),
    "cases_csv:commit": Write(
        bodies={
            "own_organisation": _csv_commit(lambda c: c.org),
            "their_school": _csv_commit(lambda c: c.target["school"]),
        },
        author=ZC,
        controls=("their_school",),  # own: the target's school is the reporter's own school
    ),
    "cases_csv:rejected": Write(bodies={"their_school": _csv_rejected}),
}

CASE_PAGE_WRITES = {
    "case:transition": Write(
        args=_case,
        bodies=_one(**{"transition-to_phase": "casusregisseur", "transition-reason": "Terug"}),
        prepare=_to(Phase.DOORBRAAK_ASSESSMENT),
        author=LP,
    ),
    "case:close": Write(
        args=_case,
        bodies=_one(**{"close-reason": "moved_away", "close-note": "Verhuisd"}),
        author=ZC,
    ),
    "case:reopen": Write(
        args=_case,
        bodies=_one(**{"reopen-reason": "Weer thuis"}),
        prepare=_closed,
        author=LP,
    ),
    "case:journal_add": Write(
        args=_case,
        bodies=_one(**{"journal-kind": "note", "journal-text": "Aantekening"}),
        author=ZC,
    ),
    "case:wishes": Write(
        args=_case,
        bodies=_one(**{"wishes-parents_wishes": "Thuisonderwijs", "wishes-pupil_wishes": "Rust"}),
        author=ZC,
    ),
    "case:goal_add": Write(
        args=_case,
        bodies=_one(**{"goal-description": "Twee dagen naar school", "goal-measure": "Rooster"}),
        author=ZC,
    ),
    "case:action_add": Write(
        args=_case,
        bodies=_one(
            **{
                "action-description": "Bel de ouders",
                "action-owner": lambda c: f"user:{c.actor.pk}",
                "action-due_on": _on(7),
            }
        ),
        author=ZC,
    ),
    "case:action_status": Write(
        args=lambda t: [t["case"].pk, t["action"].pk],
        bodies=_one(status="done"),
        prepare=_with_action,
        author=ZC,
    ),
    "case:meeting_add": Write(
        args=_case,
        bodies=_one(
            **{
                "meeting-kind": "mdo",
                "meeting-held_on": _on(),
                "meeting-notes": "Goed gesprek",
                "meeting-decisions": "Start met twee ochtenden",
                "meeting-confirmed_without_consent": "on",  # no MDO consent in the matrix
            }
        ),
        author=ZC,
    ),
    "case:arrangement_add": Write(
        args=_case,
        bodies=_one(
            **{
                "arrangement-kind": "onderwijszorgarrangement",
                "arrangement-start_on": _on(),
                "arrangement-share_percent": "60",
                "arrangement-is_suitable_offer": "on",
                "arrangement-cost_total": "1000",
                "arrangement-municipality_share_percent": "50",
            }
        ),
        author=ZC,
    ),
    "case:participant_add": Write(
        args=_case,
        bodies=_one(**{"participant-role": "parent", "participant-name": "Ouder Aanvaller"}),
        author=ZC,
    ),
    "case:participant_remove": Write(
        args=lambda t: [t["case"].pk, t["participant"].pk],
        bodies=_one(),
        prepare=_with_participant,
        author=ZC,
    ),
    "case:care_partner_invite": Write(
        args=_case,
        bodies=_one(**{"care-user": lambda c: c.target["invitee"].pk, "care-role": "jeugdarts"}),
        prepare=_with_care_partner,
        author=ZC,
    ),
    "case:details": Write(
        args=_case,
        bodies=_one(
            **{
                "details-situation_level": "complex",
                "details-lead_mode": "co_creation",
                "details-daytime_activity": "at_home",
                "details-causes": ["bullying"],
                "details-waiting_list_for": "youth_care",
                "details-waiting_since": _on(-30),
            }
        ),
        author=ZC,
    ),
    "case:consent": Write(
        args=_case,
        bodies={"share_with_swv": _consent("consent-", "share_with_swv")},
        author=ZC,
    ),
    "case:lead_change": Write(
        args=_case,
        bodies=_one(
            **{
                "lead-organisation": lambda c: c.org.pk,
                "lead-user": lambda c: c.actor.pk,
                "lead-reason": "Ik neem de regie over",
            }
        ),
        author=LP,
    ),
}

ROUTE_WRITES = {
    "escalation:escalate": Write(
        args=_case,
        bodies=_one(**{"escalate-step": "casusregisseur", "escalate-reason": "Onbereikbaar"}),
        author=ZC,
    ),
    "escalation:assessment": Write(
        args=_case,
        bodies=_one(
            **{
                "assessment-offer_within_four_weeks": "no",
                "assessment-explanation": "Geen plek binnen vier weken",
            }
        ),
        prepare=_to(Phase.DOORBRAAK_ASSESSMENT),
        author=LP,
    ),
    "escalation:arbitration_start": Write(
        args=_case,
        bodies=_one(
            **{
                "arbitration-parents_representative": "Mr. J. de Wit",
                "arbitration-own_member": lambda c: c.target["arbitration"]["own"].pk,
                "arbitration-neighbour_member": lambda c: c.target["arbitration"]["neighbour"].pk,
                "arbitration-reason": "Geen overeenstemming",
            }
        ),
        prepare=_arbitration_ready,
        author=REGISSEUR,
    ),
    "escalation:arbitration_conclude": Write(
        args=_case,
        bodies=_one(**{"conclude-status": "no_result", "conclude-decided_on": _on()}),
        prepare=_panel(ArbitrationStatus.IN_SESSION),
        author=REGISSEUR,
    ),
    "escalation:om_referral": Write(
        args=_case,
        bodies=_one(
            **{"om-route": "civil", "om-referred_on": _on(), "om-reason": "Zonder uitkomst"}
        ),
        prepare=_panel(ArbitrationStatus.NO_RESULT),
        author=REGISSEUR,
    ),
    "escalation:team_meeting": Write(
        args=_case,
        bodies=_one(
            **{
                "meeting-held_on": _on(),
                "meeting-notes": "Besproken",
                "meeting-decisions": "Onderzoek door de GGZ",
            }
        ),
        prepare=_to(Phase.DOORBRAAKTEAM),
        author=TEAM,
    ),
}

CONVENANT_WRITES = {
    "convenant:swv": Write(
        args=lambda t: [t["swv"].pk], bodies={"new_version": _policy_form}, author=ADMIN
    ),
    "convenant:holiday_add": Write(
        args=lambda t: [t["region"].pk],
        bodies=_one(name="Kerstvakantie", starts_on="2025-12-20", ends_on="2026-01-04"),
        author=ADMIN,
    ),
    "convenant:holiday_import": Write(
        args=lambda t: [t["region"].pk],
        bodies={
            "csv": lambda c: {
                "file": Upload(
                    "vakanties.csv", "naam;eerste dag;laatste dag\nVoorjaar;2026-02-14;2026-02-22\n"
                )
            }
        },
        fmt="multipart",
        author=ADMIN,
    ),
    "convenant:holiday_edit": Write(
        args=lambda t: [t["holiday"].pk],
        bodies=_one(name="Herfst", starts_on="2025-10-11", ends_on="2025-10-20"),
        author=ADMIN,
    ),
    "convenant:holiday_delete": Write(
        args=lambda t: [t["holiday"].pk], bodies=_one(), author=ADMIN
    ),
}

INBOX_WRITES = {
    "inbox:mark_read": Write(args=lambda t: [t["notification"].pk], bodies=_one()),
    "inbox:mark_all_read": Write(bodies={"own": lambda c: {}}, own=frozenset()),
    # Marks only the actor's own messages of the case: none of the target's, so a 404.
    "inbox:mark_case_read": Write(args=lambda t: [t["case"].pk], bodies=_one()),
    "inbox:preferences": Write(
        bodies={
            "own": lambda c: {
                "email_mode": "each",
                **{f"email_{kind}": "on" for kind in NotificationKind.values},
            }
        },
        own=frozenset({"escalation.NotificationPreference", "escalation.NotificationEmailSetting"}),
    ),
}

REPORTS_WRITES = {
    "reportlists:freeze": Write(
        bodies=_scoped(lambda key, c: {"scope": key, "on": _day(), "note": "Vastgesteld"}),
        author=RoleCode.SWV_CONSULTANT,
        controls=("swv",),
    ),
    "reportlists:reconcile": Write(
        bodies={
            "their_scope": lambda c: {
                "scope": _scope_keys(c.target)["swv"],
                "on": _day(),
                "source": "Leerplicht",
                "file": _reconcile_file(c.target),
            },
            # Our own list against a file naming their pupil: a comparison, never their data.
            "our_scope": lambda c: {
                "scope": f"swv-{c.world.swv.pk}",
                "on": _day(),
                "source": "Leerplicht",
                "file": _reconcile_file(c.target),
            },
        },
        fmt="multipart",
    ),
    "reportlists:reconcile_export": Write(bodies={"their_scope": _reconcile_export}),
    "quarterly:request": Write(
        bodies=_scoped(_quarter), author=RoleCode.SWV_DIRECTOR, controls=("swv",)
    ),
    # Region B's failed report: not made again by region A (404, nothing queued).
    "quarterly:retry": Write(
        args=lambda t: [t["quarterly_report"].pk],
        bodies={"attack": lambda c: {}},
        prepare=lambda world, target: (
            type(target["quarterly_report"])
            .objects.filter(pk=target["quarterly_report"].pk)
            .update(status="failed")
        ),
    ),
    # Searches by POST (no BSN in a URL): region B's pupil is not found; nothing is written.
    "registration:pupil_list": Write(bodies={"their_bsn": lambda c: {"q": c.target["pupil"].bsn}}),
    # The case list answers a posted BSN in place (a name goes back to the GET: a 302); the
    # header's search answers all: neither BSN, name nor case number finds region B's case.
    "caselists:case_list": Write(bodies={"their_bsn": SEARCH_BODIES["their_bsn"]}),
    "search:search": Write(bodies=SEARCH_BODIES),
    "pupil-search": Write(
        bodies={"their_bsn": lambda c: {"bsn": c.target["pupil"].bsn}}, fmt="json"
    ),
    # Access requests write only audit rows; their pupil is 404 to region A's officer.
    "subject_access:search": Write(
        bodies={"their_bsn": lambda c: {"reference": "AVG-1", "bsn": c.target["pupil"].bsn}}
    ),
    "subject_access:pdf": Write(
        args=lambda t: [t["pupil"].pk], bodies={"attack": lambda c: {"reference": "AVG-1"}}
    ),
    "subject_access:json": Write(
        args=lambda t: [t["pupil"].pk], bodies={"attack": lambda c: {"reference": "AVG-1"}}
    ),
    "subject_access:correct": Write(
        args=lambda t: [t["pupil"].pk],
        bodies={
            "rename": lambda c: {
                "given_names": "Gecorrigeerd",
                "surname": "Anders",
                "date_of_birth": c.target["pupil"].date_of_birth.isoformat(),
                "bsn": "",
                "reason": "AVG-1",
            }
        },
        author=RoleCode.PRIVACY_OFFICER,
    ),
}


def _api(bodies, **kwargs) -> Write:
    return Write(bodies=bodies, fmt="json", **kwargs)


API_WRITES = {
    "absencereport-list": _api(
        API_REPORT_BODIES, author=ZC, controls=("identity", "names", "for_their_school")
    ),
    "case-transition": _api(
        _one(to_phase="casusregisseur", reason="Terug naar de regie"),
        args=_case,
        prepare=_to(Phase.DOORBRAAK_ASSESSMENT),
        author=LP,
    ),
    "case-close": _api(_one(reason="moved_away", note="Verhuisd"), args=_case, author=ZC),
    "case-reopen": _api(_one(reason="Weer thuis"), args=_case, prepare=_closed, author=LP),
    "case-journal": _api(_one(kind="note", text="Aantekening"), args=_case, author=ZC),
    "case-actions": _api(
        _one(
            description="Bel de ouders",
            due_on=_on(7),
            owner_organisation=lambda c: c.org.pk,
        ),
        args=_case,
        author=ZC,
    ),
    "case-lead": _api(
        _one(
            organisation=lambda c: c.org.pk,
            user=lambda c: c.actor.pk,
            reason="Ik neem de regie over",
        ),
        args=_case,
        author=LP,
    ),
    "case-consent": _api(
        {
            scope: _consent("", scope)
            for scope in ("share_with_swv", "share_with_leerplicht", "share_with_care_partners")
        },
        args=_case,
        author=ZC,
    ),
    "case-escalate": _api(
        _one(step="casusregisseur", reason="Ouders onbereikbaar"), args=_case, author=ZC
    ),
    "case-assessment": _api(
        _one(offer_within_four_weeks=False, explanation="Geen plek binnen vier weken"),
        args=_case,
        prepare=_to(Phase.DOORBRAAK_ASSESSMENT),
        author=LP,
    ),
    "case-arbitration": _api(
        _one(
            parents_representative="Mr. J. de Wit",
            own_member=lambda c: c.target["arbitration"]["own"].pk,
            neighbour_member=lambda c: c.target["arbitration"]["neighbour"].pk,
            reason="Geen overeenstemming",
        ),
        args=_case,
        prepare=_arbitration_ready,
        author=REGISSEUR,
    ),
    "case-arbitration-conclude": _api(
        _one(status="no_result", decided_on=_on()),
        args=_case,
        prepare=_panel(ArbitrationStatus.IN_SESSION),
        author=REGISSEUR,
    ),
    "case-om-referral": _api(
        _one(route="civil", referred_on=_on(), reason="Zonder uitkomst"),
        args=_case,
        prepare=_panel(ArbitrationStatus.NO_RESULT),
        author=REGISSEUR,
    ),
    "quarterlyreport-list": _api(
        _scoped(_quarter), author=RoleCode.SWV_DIRECTOR, controls=("swv",)
    ),
}

WRITES: dict[str, Write] = {
    **CORE_WRITES,
    **REGISTRATION_WRITES,
    **CASES_WRITES,
    **CASE_PAGE_WRITES,
    **ROUTE_WRITES,
    **CONVENANT_WRITES,
    **INBOX_WRITES,
    **REPORTS_WRITES,
    **API_WRITES,
}
# Routes about an organisation, a scope or a notification, not about a pupil or case: they
# are tried against region B only.
NOT_ABOUT_PUPILS = {
    *CONVENANT_WRITES,
    *REPORTS_WRITES,
    "quarterlyreport-list",
    "inbox:mark_read",
    "second_factor_reset",  # about people, not pupils: region A's admin may reset region A's
}
ABOUT_PUPILS = sorted(n for n, e in WRITES.items() if e.own is None and n not in NOT_ABOUT_PUPILS)


# --- which routes write -----------------------------------------------------------------------


def _patterns(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p.callback


# A view without a method restriction that reads the request's body or method handles writes.
_READS_POST = re.compile(r"request\.(POST|FILES|method)\b")


def _write_methods(view) -> set[str]:
    """The methods of WRITE_METHODS that a view takes, from its declaration."""
    if getattr(view, "actions", None) is not None:  # a DRF viewset route
        return set(view.actions) & set(WRITE_METHODS)
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is not None:  # a DRF APIView or a Django class-based view
        return {m for m in WRITE_METHODS if m in cls.http_method_names and hasattr(cls, m)}
    wrapper = view
    while wrapper is not None:  # require_http_methods (and its shortcuts) at any depth
        allowed = inspect.getclosurevars(wrapper).nonlocals.get("request_method_list")
        if allowed is not None:
            return {m.lower() for m in allowed} & set(WRITE_METHODS)
        wrapper = getattr(wrapper, "__wrapped__", None)
    source = inspect.getsource(inspect.unwrap(view))
    return {"post"} if _READS_POST.search(source) else set()


def _is_api(view) -> bool:
    return getattr(view, "cls", None) is not None  # DRF's as_view() sets it


def write_routes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for name, view in _patterns(get_resolver().url_patterns):
        found.setdefault(name, set()).update(_write_methods(view))
    return {name: methods for name, methods in found.items() if methods and name not in PUBLIC}


# --- observing an attempt -----------------------------------------------------------------------


@functools.cache
def _counted_models() -> tuple:
    return tuple(
        model
        for label in COUNTED_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.label not in NOT_COUNTED and model._meta.managed and not model._meta.proxy
    )


def tables() -> dict[str, tuple[int, int]]:
    """Per counted table: its number of rows and a digest of their contents."""
    quote = connection.ops.quote_name
    found = {}
    with connection.cursor() as cursor:
        for model in _counted_models():
            cursor.execute(f"SELECT * FROM {quote(model._meta.db_table)}")  # noqa: S608 - a model's
            rows = cursor.fetchall()
            found[model._meta.label] = (len(rows), hash(tuple(sorted(map(repr, rows)))))
    return found


def fingerprint(target) -> dict:
    rows = {}
    for key in FINGERPRINTED:
        obj = target.get(key)
        if obj is not None:
            rows[key] = type(obj)._base_manager.filter(pk=obj.pk).values().first()
    return rows


def reach(target, users: dict) -> set[tuple[int, str]]:
    """(user id, what) for each of ``users`` who reaches the target's pupil, case or report."""
    pupil, case, report = target["pupil"].pk, target["case"].pk, target["report"].pk
    found = set()
    for user in users.values():
        forget_memberships(user)  # cached on the object; a write may have changed them
        row = (
            Pupil._base_manager.filter(pk=pupil)
            .annotate(
                sees_the_pupil=Exists(pupils_visible_to(user).filter(pk=pupil)),
                sees_the_case=Exists(cases_visible_to(user).filter(pk=case)),
                # A reporter's own reports included, so this covers absence_reports_visible_to.
                reaches_the_report=Exists(absence_reports_of_reporter(user).filter(pk=report)),
                # The restricted view of a lead without consent shows name, phase, deadlines.
                knows_the_case=Exists(cases_in_restricted_view(user).filter(pk=case)),
            )
            .values("sees_the_pupil", "sees_the_case", "reaches_the_report", "knows_the_case")
            .get()
        )
        found |= {(user.pk, what.replace("_", " ")) for what, yes in row.items() if yes}
    return found


@dataclass
class Snapshot:
    tables: dict
    rows: dict
    reached: set | None


def snapshot(target, users: dict | None = None) -> Snapshot:
    """The tables and the target's rows; and who reaches the target, when ``users`` given."""
    reached = reach(target, users) if users is not None else None
    return Snapshot(tables(), fingerprint(target), reached)


def changes(before: Snapshot, target, users: dict, own=None, baseline=None):
    """What changed since ``before``: rows written or updated (beyond the ``own`` models), the
    target's rows updated, access that ``users`` gained (since ``before``, else since
    ``baseline``). Returns the problems and whether anything was written."""
    after = tables()
    if after == before.tables:
        return [], False  # nothing changed, so no one can see more than before
    own = own or frozenset()
    written = {
        label: (n, after[label][0])
        for label, (n, _digest) in before.tables.items()
        if after[label][0] != n and label not in own
    }
    updated = sorted(
        label
        for label, (n, digest) in before.tables.items()
        if after[label] != (n, digest) and label not in written
        if label not in own | ALWAYS_UPDATED
    )
    now = fingerprint(target)
    foreign = [key for key, row in before.rows.items() if now.get(key) != row]
    reached = before.reached if before.reached is not None else baseline or set()
    gained: dict[str, list[str]] = {}
    for pk, what in sorted(reach(target, users) - reached):
        who = next(w for w, u in users.items() if u.pk == pk)
        gained.setdefault(who, []).append(what)
    found = []
    if written:
        found.append(f"wrote {written}")
    if updated:
        found.append(f"updated rows of {updated}")
    if foreign:
        found.append(f"changed the target's {', '.join(foreign)}")
    if gained:
        found.append("widened: " + "; ".join(f"{w} {', '.join(x)}" for w, x in gained.items()))
    return found, bool(written or updated or foreign)


def watchers(ctx: Ctx) -> dict:
    return {"the actor": ctx.actor, **ctx.people, **ctx.target.get("watchers", {})}


@dataclass
class Outcome:
    where: str
    status: int
    location: str
    api: bool
    own: frozenset[str] | None
    leaked: list
    state: list = field(default_factory=list)  # writes and widened access, when observed
    wrote: bool = False

    def problems(self) -> list[str]:
        found = []
        refused = {400, 403, 404, 405} | (set() if self.api else {200, 422})
        to_login = self.status == 302 and self.location.startswith(reverse("login"))
        if self.own is not None:
            if self.status >= 500:
                found.append(f"answered {self.status}")
        elif self.status not in refused and not to_login:
            found.append(f"answered {self.status} {self.location}".rstrip())
        if self.leaked:
            found.append(f"leaked {self.leaked}")
        return [f"{self.where}: {p}" for p in found + self.state]


def observe(ctx: Ctx, where: str, send, *, sent: str, own=None, full=True, baseline=None):
    """Run ``send``; note the answer, what leaked and (``full``) what changed. Who reached the
    target before is ``baseline``, or looked up now."""
    if full:
        before = snapshot(ctx.target, watchers(ctx) if baseline is None else None)
    response = send()
    body = b"".join(response) if getattr(response, "streaming", False) else response.content
    # Not response.close(): it sends request_finished, which closes a PostgreSQL connection
    # that is inside the test's transaction.
    outcome = Outcome(
        where=where,
        status=response.status_code,
        location=response.get("Location", ""),
        api="/api/" in where,
        own=own,
        leaked=[s for s in ctx.target.get("secrets", []) if s not in sent and s.encode() in body],
    )
    if full:
        outcome.state, outcome.wrote = changes(before, ctx.target, watchers(ctx), own, baseline)
    return outcome


def _encode(body: dict, fmt: str):
    if fmt == "json":
        return json.dumps(body), "application/json"
    if fmt == "multipart":
        files = {
            k: SimpleUploadedFile(v.name, v.text.encode(), "text/csv")
            for k, v in body.items()
            if isinstance(v, Upload)
        }
        return {**body, **files}, None
    return body, None


def _sent(url: str, body: dict) -> str:
    return "\n".join([url, *(v.text if isinstance(v, Upload) else str(v) for v in body.values())])


def attempt(client, ctx: Ctx, name, entry: Write, variant, method, *, headers=None, **kwargs):
    url = reverse(name, args=entry.args(ctx.target) if entry.args else None)
    body = entry.bodies[variant](ctx)
    typed = body.pop(TYPED, "")
    data, content_type = _encode(body, entry.fmt)
    headers = headers or {}

    def send():
        call = getattr(client, method)
        if content_type:
            return call(url, data, content_type=content_type, **headers)
        if method == "post":
            return call(url, data, **headers)
        form = "application/x-www-form-urlencoded"  # what a browser would send on PUT
        return call(url, urlencode(data, doseq=True), content_type=form, **headers)

    where = f"{method.upper()} {url} ({name}, {variant}) as {ctx.role}"
    return observe(ctx, where, send, sent=_sent(url, body) + typed, own=entry.own, **kwargs)


class _Undo(Exception):
    pass


def isolated(run, where: str) -> list[str]:
    """``run`` in a savepoint that is always rolled back; an exception is a finding."""
    found: list[str] = []
    try:
        with transaction.atomic():
            found = run()
            raise _Undo
    except _Undo:
        return found
    except Exception as exc:  # noqa: BLE001 - a crash is a finding, with its route and role
        return [f"{where}: raised {exc!r}"]


@pytest.fixture
def people(world):
    """Region A's users who must never come to see the target through someone's write."""
    return {
        "an SWV consultant": member(world.swv, RoleCode.SWV_CONSULTANT),
        "a leerplicht officer": member(world.bureau, RoleCode.LEERPLICHT),
        "a care partner": member(world.care, RoleCode.CARE_PARTNER),
        "a doorbraakteam member": member(world.swv, RoleCode.DOORBRAAKTEAM),
    }


def _as(world, role):
    return member(world.home_of(role), role)


def _sessions(client, actors) -> dict:
    """A session per actor, made before any snapshot: a login updates ``last_login``."""
    keys = {}
    for role, user in actors.items():
        client.cookies.pop(settings.SESSION_COOKIE_NAME, None)  # else the login flushes it
        client.force_login(user)
        keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def run_matrix(client, world, target, people, name, entry, actors=None, headers=None):
    """Every role's attempts with every variant and method; the problems found.

    First all attempts in one rolled-back savepoint, each answer checked and the tables
    compared once at the end. Only when that finds something, each attempt again alone with
    every check, so that each finding names its route, method, variant and role.
    """
    if entry.prepare:
        entry.prepare(world, target)
    actors = actors or {role: _as(world, role) for role in ROLES}
    plan = [(r, v, m) for r in actors for v in entry.bodies for m in entry.methods]
    sessions = {} if headers else _sessions(client, actors)

    def one(role, variant, method, **kwargs):
        if not headers:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[role]
        ctx = Ctx(world, target, actors[role], role, people)
        outcome = attempt(client, ctx, name, entry, variant, method, headers=headers, **kwargs)
        return outcome.problems()

    changed = False

    def fast():
        nonlocal changed
        before = tables()
        found = [p for step in plan for p in one(*step, full=False)]
        changed = tables() != before
        return found

    if not isolated(fast, name) and not changed:
        return []
    everyone = {**people, **target.get("watchers", {}), **{str(u.pk): u for u in actors.values()}}
    baseline = reach(target, everyone)
    found = []
    for role, variant, method in plan:
        where = f"{method.upper()} {name} ({variant}) as {role}"
        found += isolated(lambda s=(role, variant, method): one(*s, baseline=baseline), where)
    return found


# --- the matrix -------------------------------------------------------------------------------


def test_every_write_route_has_an_entry():
    found = write_routes()
    assert set(found) - set(WRITES) == set(), "add the new write route to WRITES"
    assert set(WRITES) - set(found) == set(), "WRITES names a route that takes no write"
    declared = {name: set(entry.methods) for name, entry in WRITES.items()}
    assert declared == found, "each entry's methods are the route's write methods"


@pytest.mark.parametrize("name", sorted(WRITES))
def test_region_a_writes_nothing_on_region_b(world, foreign, people, client, name):
    problems = run_matrix(client, world, foreign, people, name, WRITES[name])
    assert not problems, "\n".join(problems)


@pytest.fixture
def unseen(world):
    """A case of region A that no user of the matrix sees: a pupil of School A2 living in
    Gemeente A1, reported sick by the school without consent to share. Leerplicht A sees the
    pupil (by residence), not the report or the case; the SWV sees neither."""
    pupil = enrolled_pupil(
        world.school2,
        given_names="Verborgenleerling",
        surname="Onzichtbaar",
        bsn="222333443",
        municipality=world.m1,
    )
    reporter = member(world.school2, RoleCode.ZORGCOORDINATOR)
    result = absence_report_submit(
        actor=reporter,
        reporting_organisation=world.school2,
        data=report_input(pupil, kind="sickness", reason="Verborgen toelichting"),
        channel="form",
    )
    assert not (result.report.shared_with_leerplicht or result.report.shared_with_swv)
    return {
        "pupil": pupil,
        "case": result.case,
        "report": result.report,
        "school": world.school2,
        "swv": world.swv,
        "region": world.region,
        "secrets": ["Verborgen toelichting"],
    }


@pytest.mark.parametrize("name", ABOUT_PUPILS)
def test_nothing_is_written_on_a_case_one_cannot_see(world, unseen, people, client, name):
    """In one's own region too: naming a pupil or case one does not see (or sees only in
    part) writes nothing and gains no one any sight of it (DESIGN.md 4.3)."""
    problems = run_matrix(client, world, unseen, people, name, WRITES[name])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("target", ["foreign", "unseen"])
def test_a_school_systems_token_cannot_report_what_it_cannot_see(
    world, people, client, request, target
):
    token, key = api_token_create(organisation=world.school, name="ParnasSys", actor=SETUP)
    problems = run_matrix(
        client,
        world,
        request.getfixturevalue(target),
        people,
        "absencereport-list",
        WRITES["absencereport-list"],
        actors={RoleCode.SCHOOL_SYSTEM: token.user},
        headers={"HTTP_AUTHORIZATION": f"Token {key}"},
    )
    assert not problems, "\n".join(problems)


def _generic(c: Ctx) -> dict:
    """A body naming region B's objects, for routes that take no write."""
    t = c.target
    return {
        "pupil": t["pupil"].pk,
        "case": t["case"].pk,
        "report": t["report"].pk,
        "bsn": t["pupil"].bsn,
        "organisation": t["school"].pk,
        "scope": f"swv-{t['swv'].pk}",
        "status": "done",
        "text": "Aantekening",
    }


def _untaken(name) -> tuple[str, ...]:
    """The write methods a route does not take: POST for a page, all four for the API."""
    taken = WRITES[name].methods if name in WRITES else ()
    tried = WRITE_METHODS if name in API_ROUTES else ("post",)
    return tuple(m for m in tried if m not in taken)


API_ROUTES = {name for name, view in _patterns(get_resolver().url_patterns) if _is_api(view)}


@pytest.mark.parametrize("name", sorted(n for n in MATRIX if _untaken(n)))
def test_other_routes_write_nothing(world, foreign, people, client, name):
    """A write to a route that takes none (POST; for the API also PUT, PATCH and DELETE, on
    the API's write routes too) writes, widens and leaks nothing; a page may answer 200 as
    to a GET."""
    build, _kind = MATRIX[name]
    fmt = "json" if name in API_ROUTES else "form"
    entry = Write(bodies={"generic": _generic}, args=build, methods=_untaken(name), fmt=fmt)
    problems = run_matrix(client, world, foreign, people, name, entry)
    assert not problems, "\n".join(problems)


# --- proof that the matrix can fail ---------------------------------------------------------------


@pytest.fixture
def own(world):
    """Region A's counterpart of ``foreign``: a pupil of School A1 with an open case."""
    pupil = enrolled_pupil(
        world.school, given_names="Eigenleerling", surname="Binnenregio", bsn="111222333"
    )
    reporter = member(world.school, RoleCode.ZORGCOORDINATOR)
    result = absence_report_submit(
        actor=reporter,
        reporting_organisation=world.school,
        data=report_input(pupil),
        channel="form",
    )
    holiday = holiday_create(
        region=world.region,
        actor=SETUP,
        name="Eigen vakantie",
        starts_on=datetime.date(2025, 10, 11),
        ends_on=datetime.date(2025, 10, 19),
    )
    return {
        "pupil": pupil,
        "case": result.case,
        "report": result.report,
        "swv": world.swv,
        "school": world.school,
        "region": world.region,
        "holiday": holiday,
        "secrets": [],
    }


CONTROLLED = sorted(name for name, entry in WRITES.items() if entry.author)


@pytest.mark.parametrize("name", CONTROLLED)
def test_the_bodies_write_on_own_objects(world, own, client, name):
    """The same body, aimed at the author's own pupil or case, does write: the matrix's bodies
    are refused for their scope, not for a mistake in the body."""
    entry = WRITES[name]
    if entry.prepare:
        entry.prepare(world, own)
    missed = []
    for variant in entry.controls or tuple(entry.bodies):

        def run(variant=variant):
            actor = _as(world, entry.author)
            client.force_login(actor)
            ctx = Ctx(world, own, actor, entry.author, {})
            outcome = attempt(client, ctx, name, entry, variant, entry.methods[0])
            if outcome.wrote and outcome.status < 400:
                return []
            return [f"{outcome.where}: answered {outcome.status} and wrote nothing"]

        missed += isolated(run, f"{name} ({variant}) as {entry.author}")
    assert not missed, "\n".join(missed)


def test_a_write_is_caught(world, own, people, client):
    """A valid report on one's own pupil is everything the matrix refuses: 201 and rows."""
    actor = _as(world, ZC)
    client.force_login(actor)
    ctx = Ctx(world, own, actor, ZC, people)
    entry = WRITES["absencereport-list"]
    outcome = attempt(client, ctx, "absencereport-list", entry, "identity", "post")
    problems = "\n".join(outcome.problems())
    assert "answered 201" in problems
    assert "registration.AbsenceReport" in problems and "cases.CaseReport" in problems


def test_the_fast_pass_hands_a_write_to_the_slow_one(world, own, people, client):
    """Run as a matrix, the same write is found per role, and only for roles that may."""
    entry = WRITES["absencereport-list"]
    entry = Write(bodies={"identity": entry.bodies["identity"]}, fmt="json")
    problems = run_matrix(client, world, own, people, "absencereport-list", entry)
    roles = {re.search(r" as (\w+):", p).group(1) for p in problems}
    assert ZC in roles, problems
    assert roles <= {ZC, LP, RoleCode.SWV_CONSULTANT}, problems  # those who may report at all


def test_an_update_of_a_foreign_row_is_caught(world, foreign, people):
    ctx = Ctx(world, foreign, _as(world, ZC), ZC, people)

    def send():
        notification = foreign["notification"]
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        return HttpResponseNotFound()

    problems = observe(ctx, "control", send, sent="").problems()
    assert problems == [
        "control: updated rows of ['escalation.Notification']",
        "control: changed the target's notification",
    ]


def test_widened_access_is_caught(world, foreign, people):
    """The foreign case moved to SWV A and led by it: its people now see it."""
    ctx = Ctx(world, foreign, _as(world, RoleCode.POLICY), RoleCode.POLICY, people)

    def send():
        case = foreign["case"]
        case.swv = case.lead_organisation = world.swv
        case.save(update_fields=["swv", "lead_organisation"])
        return HttpResponseNotFound()

    problems = observe(ctx, "control", send, sent="").problems()
    assert (
        "control: widened: an SWV consultant sees the case; a doorbraakteam member sees the case"
        in problems
    )
    assert "control: changed the target's case" in problems


def test_a_restricted_view_gained_is_caught(world, foreign, people):
    """The lead of the foreign case handed to Leerplicht A: no consent, but its officer now
    knows the case from the restricted view (ADR 0014)."""
    ctx = Ctx(world, foreign, _as(world, RoleCode.POLICY), RoleCode.POLICY, people)

    def send():
        case = foreign["case"]
        case.lead_organisation = world.bureau
        case.save(update_fields=["lead_organisation"])
        return HttpResponseNotFound()

    problems = observe(ctx, "control", send, sent="").problems()
    assert "control: widened: a leerplicht officer knows the case" in problems


def test_a_leak_and_a_success_are_caught(world, foreign, people):
    ctx = Ctx(world, foreign, _as(world, ZC), ZC, people)
    pupil = foreign["pupil"]
    page = f"<p>{pupil.bsn} is {pupil.given_names} {pupil.surname}</p>"

    def send():
        return HttpResponse(page, status=201)

    outcome = observe(ctx, "/api/control", send, sent=f"bsn={pupil.bsn}")
    assert outcome.problems() == [
        "/api/control: answered 201",
        "/api/control: leaked ['Vreemde', 'Vreemdeleerling', 'Buitenregio']",
    ]  # the BSN that the request itself carried is no leak


def test_write_route_detection_finds_writes_and_only_writes():
    found = write_routes()
    assert found["cases:intake"] == {"post"}  # no decorator: it reads request.method
    assert found["password_change"] == {"post", "put"}
    assert found["absencereport-list"] == {"post"}
    assert found["convenant:holiday_delete"] == {"post"}
    for reader in ("home", "cases:case_detail", "reports:dashboard", "case-detail", "pupil-list"):
        assert reader not in found
