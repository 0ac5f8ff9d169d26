import datetime
import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import Group, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import AuditedQuerySet

if TYPE_CHECKING:
    # django-stubs resolves Manager.from_queryset() but not BaseUserManager.from_queryset();
    # the checker sees a plain user manager (its querysets are AuditedQuerySets at run time).
    _UserManagerBase = BaseUserManager["User"]
else:
    _UserManagerBase = BaseUserManager.from_queryset(AuditedQuerySet)


class UserManager(_UserManagerBase):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in (by e-mail), or a service account behind an API token."""

    email = models.EmailField(_("e-mailadres"), unique=True)
    full_name = models.CharField(_("naam"), max_length=200)
    phone = models.CharField(_("telefoonnummer"), max_length=32, blank=True, default="")
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(
        _("technisch beheerder"),
        default=False,
        help_text=_("Mag inloggen op de technische beheeromgeving (/admin/)."),
    )
    is_service_account = models.BooleanField(
        _("systeemaccount"),
        default=False,
        help_text=_("Account achter een API-sleutel; kan niet met een wachtwoord inloggen."),
    )
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="core_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    @staticmethod
    def name_at(path: str, otherwise: str | None = None) -> Coalesce:
        """``str(user)`` of the user at ``path`` (``"actor"``, ``"participant__user"``) in
        SQL, for rows read without model instances; without a user ``otherwise`` (a text
        column's path), else NULL."""
        return Coalesce(
            NullIf(f"{path}__full_name", Value("")),
            f"{path}__email",
            *([otherwise] if otherwise else []),
            output_field=models.CharField(),
        )

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class MembershipQuerySet(AuditedQuerySet["Membership"]):
    def active(self, on: datetime.date | None = None) -> "MembershipQuerySet":
        day = on or timezone.localdate()
        return self.filter(
            Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            user__is_active=True,
            organisation__is_active=True,
        )


class Membership(models.Model):
    """A user holds a role in an organisation; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.ForeignKey(
        Group, verbose_name=_("rol"), on_delete=models.PROTECT, related_name="memberships"
    )
    job_title = models.CharField(
        _("functie"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("Bijvoorbeeld intern begeleider of consulent leerrecht."),
    )
    valid_from = models.DateField(_("geldig vanaf"), default=timezone.localdate)
    valid_until = models.DateField(_("geldig tot en met"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="core_membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="core_membership_period_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.role.name} @ {self.organisation}"

    def clean(self) -> None:
        super().clean()
        from thuiszitters.roles import ROLE_ORGANISATION_KINDS, RoleCode

        if not (self.role_id and self.organisation_id):
            return
        try:
            role = RoleCode(self.role.name)
        except ValueError:
            raise ValidationError({"role": _("Deze groep is geen rol.")}) from None
        if self.organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
            raise ValidationError(
                {
                    "role": _("De rol %(role)s past niet bij een organisatie van deze soort.")
                    % {"role": role.label}
                }
            )


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A secret key bound to an organisation, for school administration systems.

    Only the SHA-256 of the key is stored; the key itself is shown once when it is made.
    The token authenticates as its service account, whose membership in the organisation
    decides what it may do.
    """

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="api_tokens"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token"
    )
    name = models.CharField(_("omschrijving"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
