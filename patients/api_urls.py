from django.urls import path

from patients import api

# API routes for patients, cases, care teams, timeline and messages (mounted under /api/).
urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<uuid:case_id>/", api.CaseDetailApi.as_view(), name="api-case-detail"),
]
