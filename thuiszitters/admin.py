"""The technical administration (/admin/), for staff of the operator.

Every change made here is audited like any other; bulk delete is switched off because it
would bypass the audit log. Functional administrators work in the application itself.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import audit_change, audit_list, audit_read, audit_read_denied, snapshot
from .models import (
    ApiToken,
    AuditAction,
    AuditLogEntry,
    LeerplichtBureau,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
    Samenwerkingsverband,
    School,
    User,
)


class AuditedReadsAdminMixin:
    """For models with personal data: every list and every object shown here is an audited
    read, as in the application (one row per list page naming the ids shown), and an id
    that does not exist a ``read_denied``."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            audit_list(
                actor=request.user,
                object_type=self.model._meta.label_lower,
                ids=[obj.pk for obj in changelist.result_list],
                total=changelist.result_count,
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is None:
                audit_read_denied(
                    actor=request.user,
                    object_type=self.model._meta.label_lower,
                    object_id=str(object_id)[:64],
                )
            else:
                audit_read(actor=request.user, obj=obj)
        return super().change_view(request, object_id, form_url, extra_context)


class AuditedAdminMixin:
    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = snapshot(obj.__class__.objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            audit_change(
                actor=request.user,
                obj=obj,
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                before=before,
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_change(actor=request.user, obj=obj, action=AuditAction.DELETE)
            super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows are audited one by one, like the parent."""
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                audit_change(actor=request.user, obj=obj, action=AuditAction.DELETE)
                obj.delete()
            for obj in instances:
                before = snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None
                obj.save()
                audit_change(
                    actor=request.user,
                    obj=obj,
                    action=AuditAction.UPDATE if before is not None else AuditAction.CREATE,
                    before=before,
                )
            formset.save_m2m()


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """All organisations; only care organisations are made here (the others have own pages)."""

    list_display = ["name", "kind", "region", "is_active"]
    list_filter = ["kind", "region", "is_active"]
    search_fields = ["name"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["choices"] = [
                (OrganisationKind.CARE_ORGANISATION.value, OrganisationKind.CARE_ORGANISATION.label)
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "holiday_region"]
    exclude = ["kind"]


@admin.register(Samenwerkingsverband)
class SamenwerkingsverbandAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "sector", "region"]
    list_filter = ["sector", "region"]
    search_fields = ["name", "code"]
    filter_horizontal = ["neighbours"]
    exclude = ["kind"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "cbs_code", "region"]
    search_fields = ["name", "cbs_code"]
    exclude = ["kind"]


@admin.register(LeerplichtBureau)
class LeerplichtBureauAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "region"]
    filter_horizontal = ["municipalities"]
    exclude = ["kind"]


@admin.register(School)
class SchoolAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "brin", "vestiging", "sector", "swv", "municipality"]
    list_filter = ["sector", "swv", "municipality"]
    search_fields = ["name", "brin"]
    list_select_related = ["swv", "municipality"]
    exclude = ["kind"]


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "valid_from", "valid_until"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation", "role"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "is_service_account"]
    list_filter = ["is_active", "is_staff", "is_service_account"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Persoon"), {"fields": ["full_name", "phone"]}),
        (
            _("Rechten"),
            {"fields": ["is_active", "is_staff", "is_superuser", "is_service_account"]},
        ),
        (_("Data"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]
    readonly_fields = ["last_login", "date_joined", "is_service_account"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]

    def has_add_permission(self, request):
        return False  # tokens are made by `manage.py create_api_token` (the key is shown once)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = [
        "timestamp",
        "actor_email",
        "system_actor",
        "action",
        "object_type",
        "object_id",
        "outcome",
    ]
    list_filter = ["action", "outcome", "object_type"]
    search_fields = ["actor_email", "object_id", "request_id"]
    date_hierarchy = "timestamp"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in AuditLogEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Second-factor devices hold secrets and are reset only through the audited service
# (twofactor.second_factor_reset), never edited or deleted here.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
