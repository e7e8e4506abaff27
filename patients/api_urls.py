from django.urls import path

from patients import api

# API routes for patients, cases, care teams, timeline and messages (mounted under /api/).
urlpatterns = [
    path("cases/", api.CaseListApi.as_view(), name="api-case-list"),
    path("cases/<uuid:case_id>/", api.CaseDetailApi.as_view(), name="api-case-detail"),
    path("cases/<uuid:case_id>/care-team/", api.CareTeamApi.as_view(), name="api-case-care-team"),
    path(
        "cases/<uuid:case_id>/care-team/<int:member_id>/",
        api.CareTeamMemberApi.as_view(),
        name="api-case-care-team-member",
    ),
    path("cases/<uuid:case_id>/timeline/", api.TimelineApi.as_view(), name="api-case-timeline"),
    path("cases/<uuid:case_id>/messages/", api.CaseMessagesApi.as_view(), name="api-case-messages"),
]
