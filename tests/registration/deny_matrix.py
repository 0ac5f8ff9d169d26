"""Deny-matrix entries of registration: pupils and reports of region B never leak."""

from thuiszitters.roles import RoleCode

from ..factories.registration import enrolled_pupil

# Roles whose capabilities include view_personal_data.
PERSONAL_DATA_ROLES = frozenset(
    {
        RoleCode.ZORGCOORDINATOR,
        RoleCode.LEERPLICHT,
        RoleCode.CASUSREGISSEUR,
        RoleCode.SWV_CONSULTANT,
        RoleCode.DOORBRAAKTEAM,
        RoleCode.CARE_PARTNER,
    }
)

ENTRIES = {
    "registration:pupil_list": (None, PERSONAL_DATA_ROLES),
    "registration:report_list": (None, PERSONAL_DATA_ROLES),
    "registration:pupil_detail": (lambda f: [f["pupil"].pk], "foreign_detail"),
    "registration:consent_record": (lambda f: [f["pupil"].pk], "post_only"),
}


def ensure_foreign_pupil(world, foreign):
    """A pupil of region B (enrolled at the far school); made once per ``foreign``."""
    if "pupil" not in foreign:
        foreign["pupil"] = enrolled_pupil(
            world.far_school,
            given_names="Vreemdeleerling",
            surname="Buitenregio",
            bsn="987654317",  # fixed: the factory's BSN sequence can repeat a number
        )
        foreign["secrets"].extend(["Vreemdeleerling", "Buitenregio", foreign["pupil"].bsn])
    return foreign["pupil"]


def add_foreign(world, foreign):
    ensure_foreign_pupil(world, foreign)
