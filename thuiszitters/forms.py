from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .login_throttle import login_blocked
from .middleware import client_address
from .models import AuditAction, AuditOutcome


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mailadres"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Te veel mislukte inlogpogingen. Probeer het over %(minutes)s minuten opnieuw of "
            "vraag uw functioneel beheerder om hulp."
        ),
    }

    def clean(self):
        email = self.data.get("username", "")
        address = client_address(self.request) if self.request else None
        if login_blocked(email=email, address=address):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )
        return super().clean()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_service_account:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")


class AuditLogFilterForm(forms.Form):
    actor = forms.CharField(label=_("Gebruiker (e-mail)"), required=False, max_length=254)
    action = forms.ChoiceField(
        label=_("Actie"), required=False, choices=[("", _("Alle")), *AuditAction.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Uitkomst"), required=False, choices=[("", _("Alle")), *AuditOutcome.choices]
    )
    object_type = forms.CharField(label=_("Soort gegeven"), required=False, max_length=100)
    object_id = forms.CharField(label=_("Id van het gegeven"), required=False, max_length=64)
    since = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("De einddatum ligt voor de begindatum."))
        return data
