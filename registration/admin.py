"""Technical administration of registration data. Reports and consent are read-only here:
they are written only through the intake and consent services, which keep sharing right."""

from django.contrib import admin

from thuiszitters.admin import AuditedAdminMixin, AuditedReadsAdminMixin

from .models import AbsenceReport, Consent, EarlyWarningSettings, Enrolment, Guardian, Pupil


class ReadOnlyAdmin(AuditedReadsAdminMixin, admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["school"]


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0


@admin.register(Pupil)
class PupilAdmin(AuditedReadsAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["surname", "given_names", "date_of_birth", "municipality"]
    search_fields = ["surname", "bsn"]
    list_select_related = ["municipality"]
    inlines = [GuardianInline, EnrolmentInline]

    def get_readonly_fields(self, request, obj=None):
        # Cases keep a copy of these dates for the figures (ADR 0024): they are corrected
        # through the pupil's correction page, which keeps the copy and asks for a reason.
        if obj is not None:
            return ["date_of_birth", "startkwalificatie_on"]
        return []


@admin.register(AbsenceReport)
class AbsenceReportAdmin(ReadOnlyAdmin):
    list_display = ["reported_on", "kind", "pupil", "reporting_organisation", "channel"]
    list_filter = ["kind", "channel"]
    list_select_related = ["pupil", "reporting_organisation"]


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ["pupil", "scope", "party", "status", "stated_on"]
    list_filter = ["scope", "status"]
    list_select_related = ["pupil"]


@admin.register(EarlyWarningSettings)
class EarlyWarningSettingsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["region", "unauthorised_hours_early", "unauthorised_hours_duo"]
