"""Escalation pages, mounted at ``/escalatie/``: the case page's route partials and forms,
and the doorbraakteam's agenda."""

from django.urls import path

from ..views import route as views

app_name = "escalation"

urlpatterns = [
    path("casus/<int:pk>/termijn/", views.case_deadline, name="case_deadline"),
    path("casus/<int:pk>/route/", views.case_route, name="case_route"),
    path("casus/<int:pk>/route/opschalen/", views.escalate, name="escalate"),
    path("casus/<int:pk>/route/doorbraaktoets/", views.assessment, name="assessment"),
    path("casus/<int:pk>/route/arbitrage/", views.arbitration, name="arbitration_start"),
    path(
        "casus/<int:pk>/route/arbitrage/afronden/",
        views.arbitration_end,
        name="arbitration_conclude",
    ),
    path("casus/<int:pk>/route/om/", views.om_referral, name="om_referral"),
    path("casus/<int:pk>/route/doorbraakteam/", views.team_meeting, name="team_meeting"),
    path("doorbraakteam/", views.agenda, name="agenda"),
]
