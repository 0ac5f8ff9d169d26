"""The inbox: a user's own notifications, the unread badge of the main menu, marking as read
and the e-mail preferences.

Every read goes through ``selectors.inbox`` scoped to ``request.user``; another user's
notification id is a 404 like a missing one. Marking works with htmx (the row or the list is
swapped, and ``HX-Trigger: inbox-changed`` makes the menu's badge fetch its count again) and
as a plain POST that redirects back.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thuiszitters.access import get_visible_or_404

from ..forms.route import RadioSelect
from ..models import EmailMode, NotificationKind
from ..selectors.inbox import email_mode_of, notifications_of, preferences_of, unread_count
from ..services.inbox import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
)

PAGE_SIZE = 25
CHANGED_EVENT = "inbox-changed"


def _back(request, default: str) -> str:
    """The page to return to after a plain POST: ``next`` when it is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _list_context(request, page_number) -> dict:
    user = request.user
    page = Paginator(notifications_of(user), PAGE_SIZE).get_page(page_number)
    back = reverse("inbox:inbox")
    if page.number > 1:
        back = f"{back}?page={page.number}"
    return {"page": page, "unread": unread_count(user), "back": back}


@require_GET
def inbox(request):
    """The user's notifications, unread first, 25 a page."""
    context = _list_context(request, request.GET.get("page"))
    # A history restore (the back button) wants the whole page, not the list.
    if request.htmx and not (request.htmx.boosted or request.htmx.history_restore_request):
        return render(request, "escalation/inbox/_notifications.html", context)
    return render(request, "escalation/inbox/inbox.html", context)


@require_GET
@never_cache
def unread_badge(request):
    """The menu's badge: the number of unread notifications (an empty badge for none)."""
    return render(
        request, "escalation/inbox/_unread_badge.html", {"count": unread_count(request.user)}
    )


@require_POST
def mark_read(request, pk: int):
    notification = get_visible_or_404(notifications_of(request.user), pk=pk)
    notification_mark_read(notification=notification, user=request.user)
    if request.htmx:
        # The annotation of notifications_of, for the row rendered again (unknown to the stubs).
        notification.is_unread = False  # type: ignore[attr-defined]
        response = render(
            request, "escalation/inbox/_notification.html", {"notification": notification}
        )
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    return redirect(_back(request, reverse("inbox:inbox")))


@require_POST
def mark_all_read(request):
    count = notifications_mark_all_read(user=request.user)
    if request.htmx:
        response = render(
            request,
            "escalation/inbox/_notifications.html",
            _list_context(request, request.POST.get("page")),
        )
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    messages.success(
        request,
        ngettext(
            "%(count)s bericht is als gelezen gemarkeerd.",
            "%(count)s berichten zijn als gelezen gemarkeerd.",
            count,
        )
        % {"count": count},
    )
    return redirect(_back(request, reverse("inbox:inbox")))


class PreferencesForm(forms.Form):
    """How e-mail arrives (a daily digest or each message), and one checkbox per kind of
    notification: also by e-mail?"""

    email_mode = forms.ChoiceField(
        label=gettext_lazy("Hoe wilt u e-mail ontvangen?"),
        choices=EmailMode.choices,
        widget=RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[self.field_name(kind)] = forms.BooleanField(
                label=gettext_lazy("Ook per e-mail"), required=False
            )

    @staticmethod
    def field_name(kind: str) -> str:
        return f"email_{kind}"

    def rows(self):
        """(kind label, bound field) per kind, for the template."""
        return [(kind.label, self[self.field_name(kind)]) for kind in NotificationKind]

    def email_by_kind(self) -> dict[str, bool]:
        return {kind.value: self.cleaned_data[self.field_name(kind)] for kind in NotificationKind}


@require_http_methods(["GET", "POST"])
def preferences(request):
    """How notification e-mail arrives, and per kind whether it also comes by e-mail."""
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notification_preferences_set(
                user=request.user,
                email_by_kind=form.email_by_kind(),
                email_mode=form.cleaned_data["email_mode"],
            )
            messages.success(request, _("Uw voorkeuren zijn opgeslagen."))
            return redirect("inbox:preferences")
    else:
        current = preferences_of(request.user)
        form = PreferencesForm(
            initial={
                "email_mode": email_mode_of(request.user),
                **{PreferencesForm.field_name(k): v for k, v in current.items()},
            }
        )
    return render(
        request,
        "escalation/inbox/preferences.html",
        {"form": form, "digest_hour": settings.NOTIFICATION_DIGEST_HOUR},
    )
