import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .access import get_visible_or_404, has_capability, memberships_of
from .audit import audit_record
from .cache import cache_ping
from .checks import database_jit
from .context_processors import home_entries
from .filters import AuditLogFilter, OrganisationFilter, filtered
from .forms import LoginForm
from .login_throttle import login_failure_record, login_failures_clear
from .middleware import client_address
from .models import (
    AuditAction,
    AuditOutcome,
    Membership,
    OrganisationKind,
    School,
    SystemHeartbeat,
)
from .roles import Capability
from .second_factor_views import with_next
from .selectors import (
    audit_entries_visible_to,
    memberships_visible_to,
    organisations_visible_to,
    schools_visible_to,
)
from .twofactor import second_factor_not_required, second_factor_passed

logger = logging.getLogger(__name__)
COLLEAGUES_ON_HOME = 20
# The audit log API's filters without the ids (``actor``, ``organisation``) meant for programs.
AUDIT_LOG_PAGE_FILTERS = [
    "actor_email",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "since",
    "until",
]


def home(request):
    """The start page: the user's organisations and roles, colleagues, and where to go."""
    user = request.user
    own = (
        Membership.objects.active()
        .filter(user=user)
        .select_related("organisation", "role")
        .order_by("organisation__name", "role__name")
    )
    own_org_ids = [m.organisation_id for m in memberships_of(user)]
    colleagues = (
        memberships_visible_to(user)
        .filter(organisation_id__in=own_org_ids, user__is_service_account=False)
        .exclude(user=user)
        .select_related("user", "organisation", "role")
        .order_by("user__full_name", "organisation__name")
    )
    colleague_page = list(colleagues[: COLLEAGUES_ON_HOME + 1])
    sections, links = home_entries(user)
    context = {
        "home_sections": sections,
        "home_links": links,
        "memberships": own,
        "colleagues": colleague_page[:COLLEAGUES_ON_HOME],
        "more_colleagues": len(colleague_page) > COLLEAGUES_ON_HOME,
        "can_view_audit_log": has_capability(user, Capability.VIEW_AUDIT_LOG),
        "can_manage_region": has_capability(user, Capability.MANAGE_REGION),
        "school_count": schools_visible_to(user).count(),
    }
    return render(request, "core/home.html", context)


def organisation_list(request):
    filters = OrganisationFilter(
        request.GET or None,
        queryset=organisations_visible_to(request.user).order_by("kind", "name"),
        request=request,
    )
    page = Paginator(filtered(filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/organisation_list.html",
        {"page": page, "form": filters.form, "query": query.urlencode()},
    )


def organisation_detail(request, pk: int):
    organisation = get_visible_or_404(organisations_visible_to(request.user), pk=pk)
    schools: QuerySet[School] | list[School] = []
    if organisation.kind in (OrganisationKind.SWV, OrganisationKind.MUNICIPALITY):
        field = "swv_id" if organisation.kind == OrganisationKind.SWV else "municipality_id"
        schools = (
            schools_visible_to(request.user)
            .filter(**{field: organisation.pk})
            .select_related("municipality", "swv")
            .order_by("name")
        )
    members = (
        memberships_visible_to(request.user)
        .filter(organisation=organisation, user__is_service_account=False)
        .select_related("user", "role")
        .order_by("user__full_name")
    )
    # The multi-table child with the kind's own fields (care organisations have none).
    detail = getattr(organisation, f"{organisation.kind}_detail", None)
    return render(
        request,
        "core/organisation_detail.html",
        {
            "organisation": organisation,
            "detail": detail,
            "schools": schools,
            "members": members,
            "can_reset_second_factor": has_capability(request.user, Capability.MANAGE_REGION),
        },
    )


def audit_log(request):
    """The functional administrator's view of the region's audit log, with filters."""
    if not has_capability(request.user, Capability.VIEW_AUDIT_LOG):
        raise Http404
    filters = AuditLogFilter(
        request.GET or None,
        queryset=audit_entries_visible_to(request.user).order_by("-timestamp", "-id"),
        request=request,
        only=AUDIT_LOG_PAGE_FILTERS,
    )
    page = Paginator(filtered(filters), 50).get_page(request.GET.get("page"))
    template = "core/_audit_rows.html" if request.htmx else "core/audit_log.html"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, template, {"page": page, "form": filters.form, "query": query.urlencode()}
    )


class LoginView(auth_views.LoginView):
    template_name = "core/auth/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        login_failures_clear(email=form.get_user().email, address=client_address(self.request))
        audit_record(actor=form.get_user(), action=AuditAction.LOGIN, reason="password")
        return response

    def get_success_url(self):
        """After the password, the second factor (set up at the first login); then ``next``."""
        url = super().get_success_url()
        if second_factor_passed(self.request.user):
            return url
        return with_next("second_factor_verify", url)

    def form_invalid(self, form):
        email = form.data.get("username", "")
        throttled = form.has_error("__all__", code="throttled")
        if not throttled:
            login_failure_record(email=email, address=client_address(self.request))
        audit_record(
            actor=AnonymousUser(),
            action=AuditAction.LOGIN_FAILED,
            outcome=AuditOutcome.DENIED,
            actor_email=email[:254],
            reason="throttled" if throttled else "",
        )
        return super().form_invalid(form)


@method_decorator(second_factor_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit_record(actor=request.user, action=AuditAction.LOGOUT)
        messages.info(request, _("U bent uitgelogd."))
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/auth/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit_record(
                actor=self.request.user,
                action=AuditAction.UPDATE,
                obj=self.request.user,
                changes={"fields": ["password"]},
                reason="password change",
            )
        return response


@login_not_required
@second_factor_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon
    that base.html links (``<link rel="icon">``) instead of a 404 on every first visit."""
    return redirect(static("img/favicon.svg"))


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """Reachability of the database, the cache and the broker, for load balancers.

    503 only when the database does not answer: without it nothing works. Without the cache
    (then served from the database, thuiszitters/cache.py) or the broker (an unsent task is
    logged and the request goes on, thuiszitters/queue.py) the app still serves: 200 with
    ``"status": "degraded"`` and the failing check ``"error"``.
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        logger.warning("healthz: database unreachable: %s", exc)
        checks["database"] = "error"
    try:
        from thuiszitters.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: broker unreachable: %s", exc)
        checks["broker"] = "error"
    try:
        cache_ping()
        checks["cache"] = "ok"
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: cache unreachable: %s", exc)
        checks["cache"] = "error"
    beat = None
    if checks["database"] == "ok":
        beat = (
            SystemHeartbeat.objects.filter(name="celery")
            .values_list("last_seen", flat=True)
            .first()
        )
    if checks["database"] != "ok":
        status = "error"
    elif all(v == "ok" for v in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    body = {
        "status": status,
        "checks": checks,
        # PostgreSQL's JIT should be off for this workload (docs/deployment.md).
        "database_jit": _jit_or_none() if checks["database"] == "ok" else None,
        "celery_heartbeat_age_seconds": (
            round((timezone.now() - beat).total_seconds()) if beat else None
        ),
    }
    return JsonResponse(body, status=503 if status == "error" else 200)


def _jit_or_none() -> str | None:
    try:
        return database_jit()
    except Exception as exc:  # noqa: BLE001 - a health probe reports, it does not fail
        logger.warning("healthz: could not read jit: %s", exc)
        return None


def _error_page(status: int, template: str):
    @login_not_required
    def view(request, exception=None):
        if request.path.startswith("/api/"):
            from .api.errors import handler_json

            return handler_json(request, status, exception)
        if status == 400:
            return defaults.bad_request(request, exception)
        if status == 500:
            # No context processors: the failure may be the database they would query.
            return HttpResponseServerError(loader.get_template(template).render())
        return render(request, template, status=status)

    return view


bad_request = _error_page(400, "400.html")
page_not_found = _error_page(404, "404.html")
permission_denied = _error_page(403, "403.html")
server_error = _error_page(500, "500.html")
