"""Notification e-mail in the technical administration: what is waiting, what was given up,
and the action that tries given-up e-mail again (ADR 0022). Notifications change only
through services; this admin is read-only apart from that action."""

from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registration.admin import ReadOnlyAdmin

from .models import Notification
from .services.mail import notification_email_retry


class EmailStateFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("wacht op verzending")),
            ("given_up", _("opgegeven")),
            ("sent", _("verzonden")),
        ]

    def queryset(self, request, queryset):
        unsent = queryset.filter(email_wanted=True, emailed_at__isnull=True)
        last = settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
        if self.value() == "waiting":
            return unsent.filter(email_attempts__lt=last)
        if self.value() == "given_up":
            return unsent.filter(email_attempts__gte=last)
        if self.value() == "sent":
            return queryset.filter(emailed_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "user",
        "kind",
        "case_id",
        "created_at",
        "emailed_at",
        "email_attempts",
        "email_error",
    ]
    list_filter = [EmailStateFilter, "kind"]
    list_select_related = ["user"]
    actions = ["retry_email"]

    @admin.action(description=_("E-mail opnieuw proberen"))
    def retry_email(self, request, queryset):
        count = notification_email_retry(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(n)s e-mail wordt opnieuw verzonden.",
                "%(n)s e-mails worden opnieuw verzonden.",
                count,
            )
            % {"n": count},
            messages.SUCCESS,
        )
