from django.urls import path

from ..views import inbox as v

app_name = "inbox"

urlpatterns = [
    path("", v.inbox, name="inbox"),
    path("ongelezen/", v.unread_badge, name="unread_count"),
    path("<int:pk>/gelezen/", v.mark_read, name="mark_read"),
    path("alles-gelezen/", v.mark_all_read, name="mark_all_read"),
    path("casus/<int:case_pk>/gelezen/", v.mark_case_read, name="mark_case_read"),
    path("voorkeuren/", v.preferences, name="preferences"),
]
