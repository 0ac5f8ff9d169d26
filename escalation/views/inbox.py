"""The inbox: a user's own notifications, grouped per case (or one by one), filterable; the
unread badge of the main menu, marking as read and the e-mail preferences.

Every read goes through ``selectors.inbox`` scoped to ``request.user``; another user's
notification id is a 404 like a missing one. A message names its case's pupil, school and
phase only while the reader may see that case (``inbox_cases``, audited as a list read);
otherwise only its number. Marking works with htmx (the row or the list is swapped, and
``HX-Trigger: inbox-changed`` makes the menu's badge fetch its count again) and as a plain
POST that redirects back.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thuiszitters.access import get_visible_or_404
from thuiszitters.audit import audit_list
from thuiszitters.filters import filtered

from ..filters import BY_CASE, GENERAL, NotificationFilter
from ..forms.route import RadioSelect
from ..models import EmailMode, Notification, NotificationKind
from ..selectors.inbox import (
    InboxCase,
    email_mode_of,
    inbox_cases,
    inbox_group_messages,
    inbox_groups,
    notifications_of,
    preferences_of,
    unread_count,
)
from ..services.inbox import (
    notification_mark_read,
    notification_preferences_set,
    notifications_mark_all_read,
    notifications_mark_case_read,
)

PAGE_SIZE = 25  # groups per page (per case), or messages (per message)
CHANGED_EVENT = "inbox-changed"


@dataclass
class Group:
    """One case's block on the page: its counts, its first messages and what the reader may
    know of the case (None: the messages without a case, "Algemeen")."""

    case_id: int | None
    total: int
    unread: int
    latest: datetime
    notifications: list[Notification] = field(default_factory=list)
    case: InboxCase | None = None
    all_url: str = ""

    @property
    def key(self) -> str:
        """The group's part of element ids."""
        return str(self.case_id) if self.case_id is not None else "algemeen"


def _back(request, default: str) -> str:
    """The page to return to after a plain POST: ``next`` when it is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _query_of(url: str) -> QueryDict:
    """The filters of the inbox page a POST came from (its ``next``)."""
    return QueryDict(urlsplit(url).query)


def _filters(request, data: QueryDict) -> NotificationFilter:
    return NotificationFilter(data, queryset=notifications_of(request.user), request=request)


def _name_cases(user, notifications: list[Notification]) -> dict[int, InboxCase]:
    """What the user may know of the cases of these messages (``inbox_case`` on each); the
    cases named with their pupil are audited as one list read."""
    cases = inbox_cases(user, [n.case_id for n in notifications])
    for n in notifications:
        # For the row's template (unknown to the stubs).
        n.inbox_case = cases.get(n.case_id) if n.case_id else None  # type: ignore[attr-defined]
    audit_list(
        actor=user, object_type="cases.case", ids=[pk for pk, c in cases.items() if c.visible]
    )
    return cases


def _list_context(request, data: QueryDict) -> dict:
    """The list of the page (groups or messages) for these filters, and its links. Names of
    pupils are shown for the cases the user sees now, and audited as one list read."""
    user = request.user
    filters = _filters(request, data)
    notifications = filtered(filters)
    layout = filters.layout()
    number = data.get("page")
    query = data.copy()
    query.pop("page", None)
    inbox = reverse("inbox:inbox")
    chosen = filters.case_filter()
    groups: list[Group] = []
    if layout == BY_CASE:
        page = Paginator(inbox_groups(notifications), PAGE_SIZE).get_page(number)
        groups = [
            Group(row["case_id"], row["total"], row["unread"], row["latest"])
            for row in page.object_list
        ]
        shown = inbox_group_messages(notifications, [g.case_id for g in groups])
        # The link "alle berichten van deze casus" keeps the other filters.
        base = query.copy()
        for key in ("case", "view"):
            base.pop(key, None)
        for group in groups:
            group.notifications = shown.get(group.case_id, [])
            one = base.copy()
            one["case"] = str(group.case_id if group.case_id is not None else GENERAL)
            group.all_url = f"{inbox}?{one.urlencode()}"
        rows = [n for g in groups for n in g.notifications]
    else:
        page = Paginator(notifications, PAGE_SIZE).get_page(number)
        rows = list(page.object_list)
    # The chosen case's heading names it too: a message of it stands in for the case.
    named = [*rows, Notification(case_id=chosen)] if chosen else rows
    cases = _name_cases(user, named)
    for group in groups:
        group.case = cases.get(group.case_id) if group.case_id is not None else None
    chosen_unread = False
    if chosen:
        chosen_unread = notifications_of(user).filter(case_id=chosen, read_at__isnull=True).exists()
    back = inbox
    if data:
        back = f"{inbox}?{data.urlencode()}"
    without_case = query.copy()
    without_case.pop("case", None)
    return {
        "form": filters.form,
        "layout": layout,
        "page": page,
        "groups": groups,
        "rows": rows if layout != BY_CASE else [],
        "chosen": chosen,
        "chosen_case": cases.get(chosen) if chosen else None,
        "chosen_unread": chosen_unread,
        "general": GENERAL,
        "all_cases_url": f"{inbox}?{without_case.urlencode()}" if without_case else inbox,
        "unread": unread_count(user),
        "query": query.urlencode(),
        "back": back,
        # (The form sends its empty fields too: only a value narrows.)
        "filtered": any(data.get(key) for key in ("kind", "status", "step", "case")),
    }


@require_GET
def inbox(request):
    """The user's notifications: per case (unread first, then newest, 25 cases a page) or per
    message, filtered on kind, read or not, step and case."""
    context = _list_context(request, request.GET)
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
    user = request.user
    notification = get_visible_or_404(notifications_of(user), pk=pk)
    notification_mark_read(notification=notification, user=user)
    if request.htmx:
        # The annotation of notifications_of, for the row rendered again (unknown to the stubs).
        notification.is_unread = False  # type: ignore[attr-defined]
        back = _back(request, reverse("inbox:inbox"))
        context: dict = {"notification": notification, "back": back, "oob": True}
        if request.POST.get("layout") == BY_CASE:
            # The group's count of unread messages, under the page's filters.
            mine = filtered(_filters(request, _query_of(back)))
            mine = (
                mine.filter(case_id=notification.case_id)
                if notification.case_id is not None
                else mine.filter(case_id__isnull=True)
            )
            context["group_key"] = notification.case_id or "algemeen"
            context["group_unread"] = mine.filter(read_at__isnull=True).count()
        else:
            context["layout"] = "message"
            _name_cases(user, [notification])
        context["unread"] = unread_count(user)
        response = render(request, "escalation/inbox/_notification.html", context)
        response["HX-Trigger"] = CHANGED_EVENT
        return response
    return redirect(_back(request, reverse("inbox:inbox")))


def _marked(request, count: int) -> None:
    messages.success(
        request,
        ngettext(
            "%(count)s bericht is als gelezen gemarkeerd.",
            "%(count)s berichten zijn als gelezen gemarkeerd.",
            count,
        )
        % {"count": count},
    )


def _list_again(request):
    """After marking with htmx: the list of the page the POST came from, its filters kept."""
    back = _back(request, reverse("inbox:inbox"))
    response = render(
        request, "escalation/inbox/_notifications.html", _list_context(request, _query_of(back))
    )
    response["HX-Trigger"] = CHANGED_EVENT
    return response


@require_POST
def mark_all_read(request):
    count = notifications_mark_all_read(user=request.user)
    if request.htmx:
        return _list_again(request)
    _marked(request, count)
    return redirect(_back(request, reverse("inbox:inbox")))


@require_POST
def mark_case_read(request, case_pk: int):
    """Mark the user's own messages of one case as read; a case the user has no message of
    is a 404 (whether it exists or not)."""
    if not notifications_of(request.user).filter(case_id=case_pk).exists():
        raise Http404
    count = notifications_mark_case_read(user=request.user, case_id=case_pk)
    if request.htmx:
        return _list_again(request)
    _marked(request, count)
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
