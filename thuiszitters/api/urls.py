from rest_framework import routers

from . import views
from .permissions import AUTHENTICATED
from .routes import registered_routes


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
for prefix, viewset, basename in registered_routes():
    router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
