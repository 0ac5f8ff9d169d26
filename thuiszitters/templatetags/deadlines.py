from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.simple_tag
def days_left(days: int) -> str:
    """The days to a deadline in words: "(nog 3 dagen)", "(vandaag)", or, marked as
    overdue, "(2 dagen over de termijn)". ``days``: negative when the deadline passed.
    Use: ``{% load deadlines %}{% days_left deadline.days_left %}``."""
    if days > 0:
        text = ngettext("nog %(counter)s dag", "nog %(counter)s dagen", days) % {"counter": days}
        return format_html("({})", text)
    if days == 0:
        return format_html("({})", gettext("vandaag"))
    over = -days
    text = ngettext(
        "%(counter)s dag over de termijn", "%(counter)s dagen over de termijn", over
    ) % {"counter": over}
    return format_html('<strong class="app-overdue">({})</strong>', text)
