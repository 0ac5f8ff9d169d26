"""The admin site: one login path and a verified second factor.

``/admin/login/`` is not Django's own form: it sends the visitor to the application's login
(password, second factor, throttling and audit in one place) and back.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator

from .twofactor import second_factor_not_required, second_factor_passed


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return bool(super().has_permission(request) and second_factor_passed(request.user))

    @method_decorator(login_not_required)
    @method_decorator(second_factor_not_required)
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
