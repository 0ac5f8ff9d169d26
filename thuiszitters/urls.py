from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import second_factor_views, views
from .twofactor import second_factor_not_required

# URLs carry no language prefix: the language comes from the session/cookie (language switch).
urlpatterns = [
    path("", views.home, name="home"),
    path("organisaties/", views.organisation_list, name="organisation_list"),
    path("organisaties/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("beheer/auditlog/", views.audit_log, name="audit_log"),
    path("leerlingen/", include("registration.urls")),
    path("casussen/import/", include("cases.urls.csv_upload")),
    path("casussen/", include("cases.urls.case")),
    path("casussen/", include("cases.urls.intake")),
    path("escalatie/", include("escalation.urls.route")),
    path("beheer/convenant/", include("escalation.urls.convenant")),
    path("berichten/", include("escalation.urls.inbox")),
    path("termijnen/", include("escalation.urls.deadlines")),
    path("werk/", include("cases.urls.lists")),
    path("zoeken/", include("cases.urls.search")),
    path("rapportages/kwartaal/", include("reports.urls.quarterly")),
    path("rapportages/lijsten/", include("reports.urls.lists")),
    path("rapportages/", include("reports.urls.dashboard")),
    path("privacy/inzage/", include("reports.urls.subject_access")),
    path(
        "login/",
        login_not_required(second_factor_not_required(views.LoginView.as_view())),
        name="login",
    ),
    path(
        "login/tweede-factor/",
        second_factor_views.second_factor_verify_page,
        name="second_factor_verify",
    ),
    path(
        "login/tweede-factor/instellen/",
        second_factor_views.second_factor_setup_page,
        name="second_factor_setup",
    ),
    path(
        "beheer/gebruikers/<int:pk>/tweede-factor/",
        second_factor_views.second_factor_reset_page,
        name="second_factor_reset",
    ),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path(
        "wachtwoord/wijzigen/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "wachtwoord/gewijzigd/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="core/auth/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "taal/",
        login_not_required(second_factor_not_required(set_language)),
        name="set_language",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v1/", include("thuiszitters.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start script as a file: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="core/api_docs.html"
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

# Under /api/ each of these answers JSON (thuiszitters.api.errors.handler_json).
handler400 = "thuiszitters.views.bad_request"
handler404 = "thuiszitters.views.page_not_found"
handler403 = "thuiszitters.views.permission_denied"
handler500 = "thuiszitters.views.server_error"

# MEDIA_ROOT is never served as such: stored reports go out through authorised, audited views.
