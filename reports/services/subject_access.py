"""Everything held about one pupil, for an access request (AVG article 15).

It lives in ``reports``, the top layer, because it reads every app: registration (pupil,
guardians, enrolments, exemptions, reports, consent), cases (the case file) and escalation
(deadlines, steps, arbitration, notifications), plus the audit log. One walk over the data
fills both outputs: a JSON document (``format`` ``thuiszitters.subject_access/1``, described
in docs/privacy.md) and the sections of the parents' PDF.

Only the privacy officer of the pupil's region may make it (``answer_subject_access``). The
export is itself audited (action ``export``, the request's reference as the reason); the row
names the pupil's record, not the pupil.
"""

import datetime
import decimal
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import (
    Action,
    AftercareCheckIn,
    Arrangement,
    Case,
    CaseEvent,
    CaseUserObjectPermission,
    Cause,
    Decision,
    Goal,
    LeadAssignment,
    Meeting,
    Participant,
)
from escalation.models import (
    ArbitrationPanel,
    CaseDeadline,
    DoorbraakAssessment,
    Escalation,
    Notification,
    OmReferral,
)
from registration.models import AbsenceReport, Consent, Enrolment, Exemption, Guardian, Pupil
from registration.selectors import pupils_in_subject_access_scope
from thuiszitters.access import region_ids_with
from thuiszitters.audit import audit_record
from thuiszitters.models import AuditAction, AuditLogEntry, Organisation, User
from thuiszitters.roles import Capability

FORMAT = "thuiszitters.subject_access/1"
REASON_MAX_LENGTH = 200
Output = Literal["json", "pdf"]

# Labels for fields whose model gives none (Django would show the English field name).
LABELS: dict[str, Any] = {
    "created_at": gettext_lazy("vastgelegd op"),
    "shared_with_leerplicht": gettext_lazy("gedeeld met leerplicht"),
    "shared_with_swv": gettext_lazy("gedeeld met het samenwerkingsverband"),
    "channel": gettext_lazy("ontvangen via"),
    "at": gettext_lazy("tijdstip"),
    "actor": gettext_lazy("door"),
    "kind": gettext_lazy("soort"),
    "message": gettext_lazy("tekst"),
    "added_at": gettext_lazy("toegevoegd op"),
    "removed_at": gettext_lazy("verwijderd op"),
    "user": gettext_lazy("persoon"),
    "organisation": gettext_lazy("organisatie"),
    "started_at": gettext_lazy("vanaf"),
    "ended_at": gettext_lazy("tot"),
    "reason": gettext_lazy("reden"),
    "recorded_by": gettext_lazy("vastgelegd door"),
    "recorded_by_organisation": gettext_lazy("vastgelegd door (organisatie)"),
    "limited_to_organisation": gettext_lazy("geldt alleen voor meldingen van"),
    "guardian": gettext_lazy("ouder of verzorger"),
    "completed_at": gettext_lazy("afgerond op"),
    "created_by": gettext_lazy("vastgelegd door"),
    "answered_at": gettext_lazy("beantwoord op"),
    "answered_by": gettext_lazy("beantwoord door"),
    "chair": gettext_lazy("voorzitter"),
    "own_member": gettext_lazy("lid eigen samenwerkingsverband"),
    "neighbour_swv": gettext_lazy("ander samenwerkingsverband"),
    "neighbour_member": gettext_lazy("lid ander samenwerkingsverband"),
    "route_round": gettext_lazy("ronde"),
    "read_at": gettext_lazy("gelezen op"),
    "done_by": gettext_lazy("gedaan door"),
    "cancelled": gettext_lazy("vervallen"),
    "school": gettext_lazy("school"),
    "swv": gettext_lazy("samenwerkingsverband"),
    "municipality": gettext_lazy("gemeente"),
    "expects_thuiszitter_soon": gettext_lazy("school verwacht eerder thuiszitten"),
    "step": gettext_lazy("stap"),
    "due_on": gettext_lazy("uiterlijk op"),
    "computed_at": gettext_lazy("berekend op"),
}

PUPIL_FIELDS = [
    "given_names",
    "surname_prefix",
    "surname",
    "date_of_birth",
    "bsn",
    "municipality",
    "startkwalificatie_on",
    "created_at",
]
GUARDIAN_FIELDS = [
    "name",
    "relation",
    "has_parental_authority",
    "phone",
    "email",
    "recorded_by_organisation",
]
PERIOD_FIELDS = ["start", "end"]
REPORT_FIELDS = [
    "reported_on",
    "kind",
    "reporting_organisation",
    "reported_by",
    "absence_started_on",
    "absence_ended_on",
    "hours_missed_last_4_weeks",
    "share_followed_percent",
    "striking_sickness",
    "expects_thuiszitter_soon",
    "reason",
    "parents_informed_on",
    "parents_informed_how",
    "shared_with_leerplicht",
    "shared_with_swv",
    "consent_override_reason",
    "channel",
    "created_at",
]
CONSENT_FIELDS = [
    "scope",
    "party",
    "status",
    "stated_on",
    "how",
    "guardian",
    "recorded_by",
    "limited_to_organisation",
    "note",
    "created_at",
]
CASE_FIELDS = [
    "opened_at",
    "closed_at",
    "phase",
    "clock_start",
    "school",
    "swv",
    "municipality",
    "lead_organisation",
    "lead_user",
    "expects_thuiszitter_soon",
    "situation_level",
    "lead_mode",
    "daytime_activity",
    "causes",
    "waiting_list_for",
    "waiting_since",
    "parents_wishes",
    "pupil_wishes",
    "first_offer_started_on",
    "closed_reason",
    "closed_note",
    "retention_until",
    "route_round",
]
CASE_PARTS: list[tuple[str, Any, type[models.Model], str, list[str]]] = [
    # (JSON key, PDF heading, model, reverse accessor on Case, fields)
    (
        "lead_history",
        gettext_lazy("Casusregie"),
        LeadAssignment,
        "lead_history",
        ["organisation", "user", "started_at", "ended_at", "reason"],
    ),
    (
        "participants",
        gettext_lazy("Betrokkenen"),
        Participant,
        "participants",
        ["role", "user", "organisation", "name", "added_at", "removed_at"],
    ),
    (
        "journal",
        gettext_lazy("Journaal"),
        CaseEvent,
        "events",
        ["at", "kind", "actor", "message"],
    ),
    (
        "goals",
        gettext_lazy("Doelen"),
        Goal,
        "goals",
        ["description", "measure", "target_date", "achieved_on", "created_at"],
    ),
    (
        "actions",
        gettext_lazy("Acties"),
        Action,
        "actions",
        [
            "description",
            "owner_user",
            "owner_organisation",
            "due_on",
            "status",
            "completed_at",
            "created_at",
        ],
    ),
    (
        "meetings",
        gettext_lazy("Overleggen"),
        Meeting,
        "meetings",
        ["kind", "held_on", "parents_present", "pupil_present", "notes", "created_by"],
    ),
    (
        "arrangements",
        gettext_lazy("Arrangementen"),
        Arrangement,
        "arrangements",
        [
            "kind",
            "description",
            "start_on",
            "share_percent",
            "is_suitable_offer",
            "cost_total",
            "municipality_share_percent",
            "created_by",
            "created_at",
        ],
    ),
    (
        "aftercare",
        gettext_lazy("Nazorg"),
        AftercareCheckIn,
        "check_ins",
        ["due_on", "done_on", "outcome", "note", "done_by", "cancelled"],
    ),
    (
        "escalations",
        gettext_lazy("Stappen van de route"),
        Escalation,
        "escalations",
        ["step", "route_round", "due_on", "happened_at", "trigger", "actor", "reason"],
    ),
    (
        "assessments",
        gettext_lazy("Doorbraaktoets"),
        DoorbraakAssessment,
        "assessments",
        [
            "offer_within_four_weeks",
            "expected_start_on",
            "explanation",
            "answered_at",
            "answered_by",
        ],
    ),
    (
        "arbitration",
        gettext_lazy("Arbitrage"),
        ArbitrationPanel,
        "arbitration_panels",
        [
            "chair",
            "parents_representative",
            "own_member",
            "neighbour_swv",
            "neighbour_member",
            "reason",
            "started_at",
            "status",
            "decision",
            "decided_on",
            "ended_at",
        ],
    ),
    (
        "om_referrals",
        gettext_lazy("Doorzetting naar het Openbaar Ministerie"),
        OmReferral,
        "om_referrals",
        ["route", "referred_on", "reason", "created_by", "created_at"],
    ),
]
DEADLINE_FIELDS = ["step", "due_on", "three_months_on", "computed_at"]
NOTIFICATION_FIELDS = ["kind", "user", "step", "due_on", "created_at", "read_at"]


@dataclass
class Record:
    """One item of a PDF section: a heading, label/value rows, and nested sections."""

    title: str
    rows: list[tuple[str, str]]
    sections: list["Section"] = field(default_factory=list)


@dataclass
class Section:
    key: str
    title: str
    records: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class AccessRow:
    at: str
    who: str
    organisation: str
    action: str
    record: str


@dataclass(frozen=True)
class SubjectAccessExport:
    pupil: Pupil
    region: Organisation
    generated_at: datetime.datetime
    data: dict[str, Any]
    sections: list[Section]
    access_log: list[AccessRow]

    def json_bytes(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, indent=2).encode()


# --- values ------------------------------------------------------------------------------


def _who(obj: object) -> str:
    if isinstance(obj, User):
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email
    return str(obj)


def _label(model_field: Any) -> str:
    name = model_field.name
    text = model_field.verbose_name
    if text == name.replace("_", " "):  # the model gives no label of its own
        text = LABELS.get(name, text)
    return str(text)[:1].upper() + str(text)[1:]


def _value(obj: models.Model, name: str) -> tuple[Any, str]:
    """The JSON value and the readable text of one field."""
    model_field: Any = obj._meta.get_field(name)
    raw = getattr(obj, model_field.attname)
    if isinstance(obj, CaseEvent) and name == "message":
        raw = obj.text  # a system text in the export's language (cases/texts.py)
    if raw is None or raw == "" or raw == []:
        return None, ""
    if name == "causes":
        labels = [str(Cause(c).label) if c in Cause.values else str(c) for c in raw]
        return [{"code": c, "label": label} for c, label in zip(raw, labels, strict=True)], (
            ", ".join(labels)
        )
    if model_field.choices:
        label = str(dict(model_field.flatchoices).get(raw, raw))
        return {"code": raw, "label": label}, label
    if model_field.is_relation:
        text = _who(getattr(obj, name))
        return text, text
    if isinstance(raw, bool):
        return raw, _("ja") if raw else _("nee")
    if isinstance(raw, datetime.datetime):
        local = timezone.localtime(raw)
        return local.isoformat(), formats.date_format(local, "j F Y H:i")
    if isinstance(raw, datetime.date):
        return raw.isoformat(), formats.date_format(raw, "j F Y")
    if isinstance(raw, decimal.Decimal):
        return str(raw), formats.number_format(raw)
    return raw, str(raw)


def _record(obj: models.Model, names: list[str], title: str = "") -> tuple[dict[str, Any], Record]:
    data: dict[str, Any] = {}
    rows: list[tuple[str, str]] = []
    for name in names:
        value, text = _value(obj, name)
        data[name] = value
        if text:
            rows.append((_label(obj._meta.get_field(name)), text))
    return data, Record(title=title or str(obj), rows=rows)


def _title(obj: models.Model) -> str:
    """A heading for one item of a section, in words (no ids or ISO dates)."""
    if isinstance(obj, Enrolment):
        return obj.school.name
    if isinstance(obj, Exemption):
        return str(obj.get_kind_display())
    if isinstance(obj, AbsenceReport):
        return f"{obj.get_kind_display()}, {formats.date_format(obj.reported_on, 'j F Y')}"
    return str(obj)


def _section(
    key: str, title: Any, objects: list[Any], names: list[str]
) -> tuple[list[dict[str, Any]], Section]:
    section = Section(key=key, title=str(title))
    items = []
    for obj in objects:
        data, record = _record(obj, names, title=_title(obj))
        items.append(data)
        section.records.append(record)
    return items, section


# --- gathering ---------------------------------------------------------------------------


def _case_part(case: Case, data: dict[str, Any], record: Record) -> None:
    for key, title, model, accessor, names in CASE_PARTS:
        related = [n for n in names if model._meta.get_field(n).many_to_one]
        objects = list(getattr(case, accessor).select_related(*related))
        items, section = _section(key, title, objects, names)
        if key == "meetings":
            for item, meeting, rec in zip(items, objects, section.records, strict=True):
                decisions = [d.text for d in Decision.objects.filter(meeting=meeting)]
                item["decisions"] = decisions
                rec.rows.extend((_("Besluit"), text) for text in decisions)
        data[key] = items
        if objects:
            record.sections.append(section)
    deadline = CaseDeadline.objects.filter(case=case).first()
    if deadline is not None:
        items, section = _section("deadline", _("Volgende termijn"), [deadline], DEADLINE_FIELDS)
        data["deadline"] = items[0]
        record.sections.append(section)
    else:
        data["deadline"] = None
    notifications = list(
        Notification.objects.filter(case=case).select_related("user").order_by("created_at")
    )
    data["notifications"], section = _section(
        "notifications", _("Berichten aan professionals"), notifications, NOTIFICATION_FIELDS
    )
    if notifications:
        record.sections.append(section)
    grants = list(
        CaseUserObjectPermission.objects.filter(content_object=case).select_related(
            "user", "permission"
        )
    )
    data["access_grants"] = [
        {"user": _who(g.user), "permission": str(g.permission.name)} for g in grants
    ]
    if grants:
        record.sections.append(
            Section(
                key="access_grants",
                title=_("Uitgenodigd om de casus in te zien"),
                records=[Record(title=_who(g.user), rows=[]) for g in grants],
            )
        )


def _audit_query(pupil: Pupil, cases: list[Case]) -> Q:
    refs: dict[str, list[Any]] = {
        "registration.pupil": [pupil.pk],
        "registration.guardian": list(pupil.guardians.values_list("pk", flat=True)),
        "registration.enrolment": list(pupil.enrolments.values_list("pk", flat=True)),
        "registration.exemption": list(pupil.exemptions.values_list("pk", flat=True)),
        "registration.absencereport": list(pupil.absence_reports.values_list("pk", flat=True)),
        "registration.consent": list(pupil.consents.values_list("pk", flat=True)),
        "cases.case": [c.pk for c in cases],
    }
    case_ids = [c.pk for c in cases]
    for _key, _title, model, _accessor, _names in CASE_PARTS:
        refs[model._meta.label_lower] = list(
            model._default_manager.filter(case_id__in=case_ids).values_list("pk", flat=True)
        )
    q = Q(pk__in=[])
    for object_type, ids in refs.items():
        if ids:
            q |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    return q


def _listed_in(pupil: Pupil, cases: list[Case]) -> list[AuditLogEntry]:
    """Rows of list and search responses (``audit_list``: no object id, the ids shown in
    ``changes["ids"]``) that showed the pupil, one of its reports or one of its cases. The
    text match narrows the rows portably (SQLite has no JSON containment); the ids decide."""
    wanted: dict[str, set[str]] = {
        "registration.pupil": {str(pupil.pk)},
        "registration.absencereport": {
            str(pk) for pk in pupil.absence_reports.values_list("pk", flat=True)
        },
        "cases.case": {str(c.pk) for c in cases},
    }
    q = Q(pk__in=[])
    for object_type, ids in wanted.items():
        for pk in ids:
            q |= Q(object_type=object_type, changes_text__contains=f'"{pk}"')
    rows = (
        AuditLogEntry.objects.filter(object_id="")
        .annotate(changes_text=Cast("changes", models.TextField()))
        .filter(q)
    )
    return [
        row
        for row in rows
        if isinstance(row.changes, dict)
        and wanted.get(row.object_type, set()) & {str(i) for i in row.changes.get("ids", [])}
    ]


def _access_log(pupil: Pupil, cases: list[Case]) -> tuple[list[dict[str, Any]], list[AccessRow]]:
    entries = list(AuditLogEntry.objects.filter(_audit_query(pupil, cases)))
    entries += _listed_in(pupil, cases)
    entries.sort(key=lambda e: (e.timestamp, e.pk))
    org_ids = {e.organisation_id for e in entries if e.organisation_id}
    orgs = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    kinds: dict[str, str] = {}
    for model in [Pupil, Guardian, Enrolment, Exemption, AbsenceReport, Consent, Case]:
        kinds[model._meta.label_lower] = str(model._meta.verbose_name)
    for _key, _title, model, _accessor, _names in CASE_PARTS:
        kinds[model._meta.label_lower] = str(model._meta.verbose_name)
    items: list[dict[str, Any]] = []
    rows: list[AccessRow] = []
    for e in entries:
        at = timezone.localtime(e.timestamp)
        who = e.actor_email or (_("het systeem") if e.system_actor else "")
        organisation = orgs.get(e.organisation_id, "") if e.organisation_id else ""
        action = str(e.get_action_display())
        record = kinds.get(e.object_type, e.object_type)
        items.append(
            {
                "at": at.isoformat(),
                "actor": e.actor_email,
                "system": e.system_actor,
                "organisation": organisation,
                "action": {"code": e.action, "label": action},
                "outcome": {"code": e.outcome, "label": str(e.get_outcome_display())},
                "record": {"type": e.object_type, "label": record},
            }
        )
        rows.append(
            AccessRow(
                at=formats.date_format(at, "j F Y H:i"),
                who=who,
                organisation=organisation,
                action=action,
                record=record,
            )
        )
    return items, rows


def _region_of(actor: User, pupil: Pupil) -> Organisation:
    """The actor's region the pupil belongs to (the audit row's organisation), or refused."""
    if not pupils_in_subject_access_scope(actor).filter(pk=pupil.pk).exists():
        raise PermissionDenied
    regions = region_ids_with(actor, Capability.ANSWER_SUBJECT_ACCESS)
    own = pupil.municipality.region_id
    return Organisation.objects.get(pk=own if own in regions else min(regions))


def subject_access_export(
    *, pupil: Pupil, actor: User, reason: str, output: Output = "json"
) -> SubjectAccessExport:
    """Everything held about ``pupil``; audited as an export with ``reason`` (the request's
    reference). Refused (PermissionDenied) unless the actor answers access requests in the
    pupil's region."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Geef het kenmerk van het inzageverzoek.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("Het kenmerk is te lang.")})
    region = _region_of(actor, pupil)
    pupil = Pupil.objects.select_related("municipality").get(pk=pupil.pk)
    generated_at = timezone.now()

    sections: list[Section] = []
    data: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": timezone.localtime(generated_at).isoformat(),
        "region": region.name,
    }
    data["pupil"], pupil_record = _record(pupil, PUPIL_FIELDS, title=pupil.full_name)
    sections.append(Section(key="pupil", title=_("Leerling"), records=[pupil_record]))

    guardians = list(pupil.guardians.select_related("recorded_by_organisation"))
    data["guardians"], section = _section(
        "guardians", _("Ouders en verzorgers"), guardians, GUARDIAN_FIELDS
    )
    sections.append(section)
    enrolments = list(pupil.enrolments.select_related("school"))
    data["enrolments"], section = _section(
        "enrolments", _("Inschrijvingen"), enrolments, ["school", *PERIOD_FIELDS]
    )
    sections.append(section)
    exemptions = list(pupil.exemptions.all())
    data["exemptions"], section = _section(
        "exemptions", _("Vrijstellingen"), exemptions, ["kind", *PERIOD_FIELDS]
    )
    sections.append(section)
    reports = list(
        pupil.absence_reports.select_related("reporting_organisation", "reported_by").order_by(
            "reported_on", "id"
        )
    )
    data["absence_reports"], section = _section(
        "absence_reports", _("Verzuimmeldingen"), reports, REPORT_FIELDS
    )
    sections.append(section)
    consents = list(
        pupil.consents.select_related("guardian", "recorded_by", "limited_to_organisation")
    )
    data["consents"], section = _section("consents", _("Toestemmingen"), consents, CONSENT_FIELDS)
    sections.append(section)

    cases = list(
        Case.objects.filter(pupil=pupil)
        .select_related("school", "swv", "municipality", "lead_organisation", "lead_user")
        .order_by("opened_at", "id")
    )
    case_section = Section(key="cases", title=_("Casussen"))
    data["cases"] = []
    for number, case in enumerate(cases, start=1):
        title = _("Casus %(number)s, geopend op %(date)s") % {
            "number": number,
            "date": formats.date_format(timezone.localtime(case.opened_at), "j F Y"),
        }
        case_data, record = _record(case, CASE_FIELDS, title=title)
        _case_part(case, case_data, record)
        data["cases"].append(case_data)
        case_section.records.append(record)
    sections.append(case_section)

    data["access_log"], access_rows = _access_log(pupil, cases)

    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=pupil,
        organisation=region,
        changes={"export": "subject_access", "output": output},
        reason=reason,
    )
    return SubjectAccessExport(
        pupil=pupil,
        region=region,
        generated_at=generated_at,
        data=data,
        sections=sections,
        access_log=access_rows,
    )


def subject_access_pdf(export: SubjectAccessExport) -> bytes:
    """The parents' readable PDF of ``export`` (WeasyPrint, loaded only here)."""
    from ..pdf import css_string, html_to_pdf

    html = render_to_string(
        "reports/pdf/subject_access.html",
        {
            "export": export,
            "pupil_name": export.pupil.full_name,
            "generated_at": timezone.localtime(export.generated_at),
            # css_string escapes everything but a few safe characters.
            "css": {
                "header": mark_safe(css_string(_("Inzage in persoonsgegevens"))),  # noqa: S308
                "page": mark_safe(  # noqa: S308
                    f"{css_string(_('pagina'))} counter(page) {css_string(_('van'))} counter(pages)"
                ),
            },
        },
    )
    return html_to_pdf(html).content
