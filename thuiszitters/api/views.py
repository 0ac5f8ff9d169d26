from typing import NoReturn

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from thuiszitters.access import get_visible_or_404
from thuiszitters.audit import audit_list, audit_read, audit_read_denied
from thuiszitters.filters import AuditLogFilter, OrganisationFilter
from thuiszitters.roles import Capability
from thuiszitters.selectors import (
    audit_entries_visible_to,
    memberships_visible_to,
    organisations_visible_to,
    schools_visible_to,
    users_visible_to,
)

from .permissions import AUTHENTICATED
from .serializers import (
    AuditLogEntrySerializer,
    MembershipSerializer,
    MeSerializer,
    OrganisationSerializer,
    SchoolSerializer,
    UserSerializer,
)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only viewset whose objects come from a scoping selector; 404 for the rest.

    A viewset of personal data names its ``audit_object_type``: every list response then
    writes one audit row naming the ids shown, and every refused object a ``read_denied``
    row (detail reads are audited by the viewset's ``retrieve``)."""

    audit_object_type = ""

    def visible_or_404(self, queryset, pk):
        """``get_visible_or_404``, auditing the refusal of a personal-data object."""
        try:
            return get_visible_or_404(queryset, pk=pk)
        except Http404:
            self.refuse(pk)

    def refuse(self, pk) -> NoReturn:
        """404 for an object the caller may not read, or that does not exist (the same to
        them); audited as a ``read_denied`` of a personal-data object."""
        if self.audit_object_type:
            audit_read_denied(
                actor=self.request.user,
                object_type=self.audit_object_type,
                object_id=str(pk)[:64],
            )
        raise Http404

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        obj = self.visible_or_404(queryset, self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        self.check_object_permissions(self.request, obj)
        return obj

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        if self.audit_object_type:
            audit_list(
                actor=request.user,
                object_type=self.audit_object_type,
                ids=[row.pk for row in rows],
                total=getattr(self.paginator, "count", None) if page is not None else None,
            )
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """Organisations the user may see (their own and those their work touches)."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    required_capabilities = {"list": AUTHENTICATED, "retrieve": AUTHENTICATED}

    def get_queryset(self):
        return organisations_visible_to(self.request.user).order_by("name", "id")


class SchoolViewSet(ScopedReadOnlyViewSet):
    serializer_class = SchoolSerializer
    filterset_fields = ["swv", "municipality", "sector", "brin"]
    required_capabilities = {"list": AUTHENTICATED, "retrieve": AUTHENTICATED}

    def get_queryset(self):
        return (
            schools_visible_to(self.request.user)
            .select_related("swv", "municipality")
            .order_by("name", "id")
        )


class UserViewSet(ScopedReadOnlyViewSet):
    """Colleagues in the user's organisations; every detail read is audited."""

    serializer_class = UserSerializer
    required_capabilities = {
        "list": Capability.VIEW_COLLEAGUES,
        "retrieve": Capability.VIEW_COLLEAGUES,
        "me": AUTHENTICATED,
    }

    def get_queryset(self):
        return users_visible_to(self.request.user).order_by("full_name", "id")

    def retrieve(self, request, *args, **kwargs):
        user = self.get_object()
        audit_read(actor=request.user, obj=user)
        return Response(self.get_serializer(user).data)

    @extend_schema(responses=MeSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        """The authenticated user (or token's service account) with memberships and capabilities."""
        return Response(MeSerializer(request.user).data)


class MembershipViewSet(ScopedReadOnlyViewSet):
    serializer_class = MembershipSerializer
    filterset_fields = ["organisation", "user"]
    required_capabilities = {
        "list": Capability.VIEW_COLLEAGUES,
        "retrieve": Capability.VIEW_COLLEAGUES,
    }

    def get_queryset(self):
        return (
            memberships_visible_to(self.request.user)
            .select_related("user", "organisation", "role")
            .order_by("organisation__name", "user__full_name", "id")
        )


class AuditLogViewSet(ScopedReadOnlyViewSet):
    """The audit log of the regions the user administers."""

    serializer_class = AuditLogEntrySerializer
    filterset_class = AuditLogFilter
    required_capabilities = {
        "list": Capability.VIEW_AUDIT_LOG,
        "retrieve": Capability.VIEW_AUDIT_LOG,
    }

    def get_queryset(self):
        return audit_entries_visible_to(self.request.user)
