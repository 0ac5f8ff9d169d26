"""Cases are read-only in the technical administration: they change only through services."""

from django.contrib import admin

from registration.admin import ReadOnlyAdmin

from .models import Case, CaseEvent


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "kind", "message", "data"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["pk", "pupil", "phase", "clock_start", "lead_organisation", "closed_at"]
    list_filter = ["phase"]
    list_select_related = ["pupil", "lead_organisation"]
    inlines = [CaseEventInline]
