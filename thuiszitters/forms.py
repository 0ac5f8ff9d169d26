from collections.abc import Mapping

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from .login_throttle import login_blocked
from .middleware import client_address


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
        seconds = login_blocked(email=email, address=address)
        if seconds:
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, -(-seconds // 60))},
            )
        return super().clean()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_service_account:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}
        ),
    )


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden"), max_length=200, help_text=_("Bijvoorbeeld: telefoon kwijt.")
    )


def errors_onto_form(
    form: forms.BaseForm,
    exc: ValidationError,
    *,
    rename: Mapping[str, str | None] | None = None,
    default: str | None = None,
) -> None:
    """Put a service's ``ValidationError`` on ``form``: each message on the field it names
    when the form has that field, else on ``default`` (a field; ``None``: the form's errors
    at the top). ``rename`` maps the service's names to the form's (``None``: to the top),
    after the form's own ``service_field_map``. A message already on its place is not
    repeated."""
    names = {**getattr(form, "service_field_map", {}), **(rename or {})}
    by_key = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for key, messages in by_key.items():
        name = names.get(key, key)
        target = name if name in form.fields else default
        for message in messages:
            if message not in form.errors.get(target or NON_FIELD_ERRORS, []):
                form.add_error(target, message)
