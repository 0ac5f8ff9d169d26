from django import template

from thuiszitters.roles import RoleCode

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    """The readable, translated name of a role code (``swv_director`` -> "Directeur ...")."""
    try:
        return str(RoleCode(code).label)
    except ValueError:
        return code
