from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from thuiszitters.models import ApiToken
from thuiszitters.models.users import hash_token
from thuiszitters.twofactor import second_factor_passed

# Only write last_used_at once a minute per token, not on every request.
_LAST_USED_RESOLUTION_SECONDS = 60


class OrganisationTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>``: a key bound to one organisation (see ``ApiToken``)."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header.") from exc
        token = (
            ApiToken.objects.select_related("user", "organisation")
            .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active or not token.organisation.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS
        ):
            # Bookkeeping, not an audited change.
            token.last_used_at = now
            token.save(update_fields=["last_used_at"])
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class OrganisationTokenScheme(OpenApiAuthenticationExtension):
    target_class = OrganisationTokenAuthentication
    name = "organisationToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Organisation API key, sent as `Token <key>`.",
        }


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, but only once it passed the second factor (django-otp).

    A session that gave its password but no code is anonymous to the API, as it is to pages.
    """

    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        if user is None or not second_factor_passed(user):
            return None
        return super().authenticate(request)


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = VerifiedSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
