from rest_framework import routers

from cases.api.absence_reports import AbsenceReportViewSet
from escalation.api import EscalationCaseViewSet
from registration.api import PupilViewSet
from reports.api import QuarterlyReportViewSet, ReportViewSet

from . import views
from .permissions import AUTHENTICATED


class APIRootView(routers.APIRootView):
    required_capability = AUTHENTICATED


class Router(routers.DefaultRouter):
    APIRootView = APIRootView


router = Router()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("users", views.UserViewSet, basename="user")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("audit-log", views.AuditLogViewSet, basename="auditlogentry")
router.register("pupils", PupilViewSet, basename="pupil")
router.register("absence-reports", AbsenceReportViewSet, basename="absencereport")
router.register("cases", EscalationCaseViewSet, basename="case")
router.register("reports/quarterly", QuarterlyReportViewSet, basename="quarterlyreport")
router.register("reports", ReportViewSet, basename="report")

urlpatterns = router.urls
