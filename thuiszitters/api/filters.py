"""The API's filter backend: django-filter's, keeping the view's FilterSet."""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` that leaves the FilterSet it filtered with on the view as
    ``filterset``: a list's ``list_key`` reads what it filtered on from it."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        view.filterset = filterset
        return filterset
