from django.urls import path

from . import views_inbox

app_name = "inbox"

urlpatterns = [
    path("", views_inbox.inbox, name="inbox"),
    path("ongelezen/", views_inbox.unread_badge, name="unread_count"),
    path("<int:pk>/gelezen/", views_inbox.mark_read, name="mark_read"),
    path("alles-gelezen/", views_inbox.mark_all_read, name="mark_all_read"),
    path("voorkeuren/", views_inbox.preferences, name="preferences"),
]
