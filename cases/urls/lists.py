from django.urls import path

from ..views import lists

app_name = "caselists"

urlpatterns = [
    path("", lists.my_work, name="my_work"),
    path("casussen/", lists.case_list, name="case_list"),
    path("samenvatting/", lists.work_summary, name="work_summary"),
    path("signalen/", lists.signal_list, name="signal_list"),
]
