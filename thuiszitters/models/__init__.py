from .audit import AuditAction, AuditLogEntry, AuditOutcome
from .base import AuditBypassError, AuditedQuerySet, ChoiceLabels, choice_label
from .organisations import (
    HolidayRegion,
    LeerplichtBureau,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
    Samenwerkingsverband,
    School,
    SchoolSector,
    SwvSector,
)
from .system import SystemHeartbeat
from .users import ApiToken, Membership, User

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditBypassError",
    "AuditLogEntry",
    "AuditOutcome",
    "AuditedQuerySet",
    "ChoiceLabels",
    "HolidayRegion",
    "LeerplichtBureau",
    "Membership",
    "Municipality",
    "Organisation",
    "OrganisationKind",
    "Region",
    "Samenwerkingsverband",
    "School",
    "SchoolSector",
    "SwvSector",
    "SystemHeartbeat",
    "User",
    "choice_label",
]
