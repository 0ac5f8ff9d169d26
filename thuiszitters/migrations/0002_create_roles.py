"""Create the roles of DESIGN.md section 2 as groups with their capabilities.

The role table is frozen here: a later change to ``thuiszitters.roles`` adds a migration of
its own rather than editing this one.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "zorgcoordinator": [
        "view_personal_data",
        "submit_absence_report",
        "work_cases",
        "view_colleagues",
    ],
    "leerplicht": [
        "view_personal_data",
        "submit_absence_report",
        "work_cases",
        "lead_as_casusregisseur",
        "override_consent",
        "view_aggregates",
        "view_colleagues",
    ],
    "casusregisseur": [
        "view_personal_data",
        "work_cases",
        "lead_as_casusregisseur",
        "override_consent",
        "view_colleagues",
    ],
    "swv_consultant": [
        "view_personal_data",
        "submit_absence_report",
        "work_cases",
        "view_aggregates",
        "view_colleagues",
    ],
    "swv_director": ["view_aggregates", "view_colleagues"],
    "doorbraakteam": ["view_personal_data", "sit_on_doorbraakteam", "view_colleagues"],
    "care_partner": ["view_personal_data", "view_colleagues"],
    "policy": ["view_aggregates", "view_colleagues"],
    "functional_admin": [
        "manage_region",
        "view_audit_log",
        "manage_api_tokens",
        "view_aggregates",
        "view_colleagues",
    ],
    "school_system": ["submit_absence_report"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the roles need them now.
    core = apps.get_app_config("core")
    core.models_module = True
    create_permissions(core, verbosity=0, apps=apps, using=schema_editor.connection.alias)
    core.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = list(
            Permission.objects.filter(content_type__app_label="core", codename__in=codenames)
        )
        missing = set(codenames) - {p.codename for p in perms}
        if missing:
            raise RuntimeError(f"Missing permissions for role {role}: {sorted(missing)}")
        group.permissions.set(perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
