"""The case page's POST views (the page itself is ``cases:case_detail``); each answers htmx
with its section re-rendered and a plain POST with a redirect back to the page."""

from django.urls import path

from ..views import case_page as v

app_name = "case"

urlpatterns = [
    path("<int:pk>/fase/", v.transition, name="transition"),
    path("<int:pk>/sluiten/", v.close, name="close"),
    path("<int:pk>/heropenen/", v.reopen, name="reopen"),
    path("<int:pk>/journaal/", v.journal_add, name="journal_add"),
    path("<int:pk>/wensen/", v.wishes, name="wishes"),
    path("<int:pk>/doelen/", v.goal_add, name="goal_add"),
    path("<int:pk>/acties/", v.action_add, name="action_add"),
    path("<int:pk>/acties/<int:action_pk>/status/", v.action_status, name="action_status"),
    path("<int:pk>/overleggen/", v.meeting_add, name="meeting_add"),
    path("<int:pk>/arrangementen/", v.arrangement_add, name="arrangement_add"),
    path("<int:pk>/betrokkenen/", v.participant_add, name="participant_add"),
    path(
        "<int:pk>/betrokkenen/<int:participant_pk>/verwijderen/",
        v.participant_remove,
        name="participant_remove",
    ),
    path("<int:pk>/zorgpartners/", v.care_partner_invite, name="care_partner_invite"),
    path("<int:pk>/gegevens/", v.details, name="details"),
    path("<int:pk>/toestemming/", v.consent, name="consent"),
    path("<int:pk>/casusregie/", v.lead_change, name="lead_change"),
]
