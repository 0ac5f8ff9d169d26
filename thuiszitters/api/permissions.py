from rest_framework.permissions import BasePermission

from thuiszitters.access import has_capability

# Marks an action that any authenticated user may call (scoping still filters the data).
AUTHENTICATED = "authenticated"


class HasActionPermission(BasePermission):
    """Per-action capability map on every viewset: ``required_capabilities = {"list": ...}``.

    An action missing from the map is denied, so a new action is closed until someone
    decides who may call it. Views that are not viewsets name ``required_capability``.
    """

    message = "You do not have permission to perform this action."

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        action = getattr(view, "action", None)
        if action is None and getattr(view, "action_map", None) is not None:
            # A viewset route called with a method it does not map: let DRF answer 405.
            return request.method.lower() not in view.action_map
        if action is not None:
            required = getattr(view, "required_capabilities", {}).get(action)
        else:
            required = getattr(view, "required_capability", None)
        if required is None:
            return False
        if required == AUTHENTICATED:
            return True
        return has_capability(request.user, required)
