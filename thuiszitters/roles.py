"""The roles of DESIGN.md section 2.

Roles are data: each role is an ``auth.Group`` whose permissions are the capabilities below,
created by a data migration. Code checks capabilities (permission codenames), never role
names; the role codes here exist to create the groups and to validate memberships.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    ZORGCOORDINATOR = "zorgcoordinator", _("Zorgcoördinator")
    LEERPLICHT = "leerplicht", _("Leerplichtambtenaar")
    CASUSREGISSEUR = "casusregisseur", _("Casusregisseur")
    SWV_CONSULTANT = "swv_consultant", _("Consulent samenwerkingsverband")
    SWV_DIRECTOR = "swv_director", _("Directeur samenwerkingsverband")
    DOORBRAAKTEAM = "doorbraakteam", _("Lid doorbraakteam")
    CARE_PARTNER = "care_partner", _("Zorgpartner")
    POLICY = "policy", _("Beleidsmedewerker gemeente")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functioneel beheerder")
    PRIVACY_OFFICER = "privacy_officer", _("Privacyfunctionaris")
    SCHOOL_SYSTEM = "school_system", _("Koppeling schooladministratie")


class Capability(models.TextChoices):
    """Permission codenames of the core app (``core.<codename>``) that roles grant."""

    VIEW_PERSONAL_DATA = "view_personal_data", _("Persoonsgegevens van leerlingen inzien")
    SUBMIT_ABSENCE_REPORT = "submit_absence_report", _("Verzuimmeldingen indienen")
    WORK_CASES = "work_cases", _("Casussen behandelen")
    LEAD_AS_CASUSREGISSEUR = "lead_as_casusregisseur", _("Casusregie voeren")
    SIT_ON_DOORBRAAKTEAM = "sit_on_doorbraakteam", _("Zitting nemen in het doorbraakteam")
    OVERRIDE_CONSENT = "override_consent", _("Ontbrekende toestemming overrulen (Meldcode)")
    VIEW_AGGREGATES = "view_aggregates", _("Geaggregeerde cijfers inzien")
    VIEW_COLLEAGUES = "view_colleagues", _("Collega's in de eigen organisatie zien")
    MANAGE_REGION = "manage_region", _("Organisaties, gebruikers en convenant beheren")
    VIEW_AUDIT_LOG = "view_audit_log", _("Auditlog inzien")
    MANAGE_API_TOKENS = "manage_api_tokens", _("API-sleutels beheren")
    ANSWER_SUBJECT_ACCESS = (
        "answer_subject_access",
        _("Inzageverzoeken beantwoorden en persoonsgegevens corrigeren"),
    )


C = Capability
ROLE_CAPABILITIES: dict[str, list[str]] = {
    RoleCode.ZORGCOORDINATOR: [
        C.VIEW_PERSONAL_DATA,
        C.SUBMIT_ABSENCE_REPORT,
        C.WORK_CASES,
        C.VIEW_COLLEAGUES,
    ],
    RoleCode.LEERPLICHT: [
        C.VIEW_PERSONAL_DATA,
        C.SUBMIT_ABSENCE_REPORT,
        C.WORK_CASES,
        C.LEAD_AS_CASUSREGISSEUR,
        C.OVERRIDE_CONSENT,
        C.VIEW_AGGREGATES,
        C.VIEW_COLLEAGUES,
    ],
    RoleCode.CASUSREGISSEUR: [
        C.VIEW_PERSONAL_DATA,
        C.WORK_CASES,
        C.LEAD_AS_CASUSREGISSEUR,
        C.OVERRIDE_CONSENT,
        C.VIEW_COLLEAGUES,
    ],
    RoleCode.SWV_CONSULTANT: [
        C.VIEW_PERSONAL_DATA,
        C.SUBMIT_ABSENCE_REPORT,
        C.WORK_CASES,
        C.VIEW_AGGREGATES,
        C.VIEW_COLLEAGUES,
    ],
    RoleCode.SWV_DIRECTOR: [C.VIEW_AGGREGATES, C.VIEW_COLLEAGUES],
    RoleCode.DOORBRAAKTEAM: [C.VIEW_PERSONAL_DATA, C.SIT_ON_DOORBRAAKTEAM, C.VIEW_COLLEAGUES],
    RoleCode.CARE_PARTNER: [C.VIEW_PERSONAL_DATA, C.VIEW_COLLEAGUES],
    RoleCode.POLICY: [C.VIEW_AGGREGATES, C.VIEW_COLLEAGUES],
    RoleCode.FUNCTIONAL_ADMIN: [
        C.MANAGE_REGION,
        C.VIEW_AUDIT_LOG,
        C.MANAGE_API_TOKENS,
        C.VIEW_AGGREGATES,
        C.VIEW_COLLEAGUES,
    ],
    # Sees no pupil in normal work; exports or corrects one pupil's data on request, audited.
    RoleCode.PRIVACY_OFFICER: [C.ANSWER_SUBJECT_ACCESS, C.VIEW_COLLEAGUES],
    RoleCode.SCHOOL_SYSTEM: [C.SUBMIT_ABSENCE_REPORT],
}

# Which kinds of organisation a role can be held in (see DESIGN.md section 2).
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    RoleCode.ZORGCOORDINATOR: {"school"},
    RoleCode.LEERPLICHT: {"leerplicht_bureau", "municipality"},
    RoleCode.CASUSREGISSEUR: {"swv", "municipality", "leerplicht_bureau", "care_organisation"},
    RoleCode.SWV_CONSULTANT: {"swv"},
    RoleCode.SWV_DIRECTOR: {"swv"},
    RoleCode.DOORBRAAKTEAM: {
        "swv",
        "municipality",
        "leerplicht_bureau",
        "care_organisation",
        "school",
    },
    RoleCode.CARE_PARTNER: {"care_organisation"},
    RoleCode.POLICY: {"municipality"},
    RoleCode.FUNCTIONAL_ADMIN: {"region"},
    RoleCode.PRIVACY_OFFICER: {"region"},
    RoleCode.SCHOOL_SYSTEM: {"school", "swv", "leerplicht_bureau"},
}
