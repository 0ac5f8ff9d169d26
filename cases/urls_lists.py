from django.urls import path

from . import views_lists

app_name = "caselists"

urlpatterns = [
    path("", views_lists.my_work, name="my_work"),
    path("casussen/", views_lists.case_list, name="case_list"),
    path("samenvatting/", views_lists.work_summary, name="work_summary"),
]
