"""The append-only audit log.

Rows are written only by ``thuiszitters.audit``. The model refuses updates and deletes, the
queryset refuses bulk writes, and on PostgreSQL a trigger makes UPDATE and DELETE fail even
for raw SQL (migration 0003). References are plain ids without database constraints so that
removing a user or an organisation never has to touch this table.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import AuditBypassError, AuditedQuerySet


class AuditAction(models.TextChoices):
    READ = "read", _("Inzage")
    READ_DENIED = "read_denied", _("Inzage geweigerd")
    CREATE = "create", _("Aangemaakt")
    UPDATE = "update", _("Gewijzigd")
    DELETE = "delete", _("Verwijderd")
    EXPORT = "export", _("Geëxporteerd")
    LOGIN = "login", _("Ingelogd")
    LOGOUT = "logout", _("Uitgelogd")
    LOGIN_FAILED = "login_failed", _("Mislukte inlogpoging")


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("Gelukt")
    DENIED = "denied", _("Geweigerd")
    FAILED = "failed", _("Mislukt")


class AuditLogEntry(models.Model):
    timestamp = models.DateTimeField(_("tijdstip"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(_("e-mail van de gebruiker"), max_length=254, blank=True)
    # The system when it acted itself (``thuiszitters.system``: sweep, demo, command); then
    # ``actor`` is empty.
    system_actor = models.CharField(_("systeem"), max_length=32, blank=True)
    action = models.CharField(_("actie"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("soort gegeven"), max_length=100, blank=True)
    object_id = models.CharField(_("id van het gegeven"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisatie"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("regio"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    client_address = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)
    request_id = models.CharField(_("request-id"), max_length=64, blank=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=8, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    changes = models.JSONField(_("wijzigingen"), default=dict, blank=True)
    reason = models.TextField(_("reden"), blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditlogregel")
        verbose_name_plural = _("auditlog")
        ordering = ["-timestamp", "-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["region", "-timestamp"], name="core_audit_region_ts_idx"),
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["actor", "-timestamp"], name="core_audit_actor_ts_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_email} {self.action} "
            f"{self.object_type}:{self.object_id}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditBypassError("Audit log entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditBypassError("Audit log entries are append-only.")
