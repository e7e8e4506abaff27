from django.urls import path

from careplans import api

# API routes for questionnaires, assessments, offers, care plans and the directory (under /api/).
urlpatterns = [
    path("questionnaires/", api.QuestionnaireListApi.as_view(), name="api-questionnaires"),
    path("services/", api.ServiceListApi.as_view(), name="api-services"),
    path(
        "cases/<uuid:case_id>/assessments/",
        api.AssessmentListApi.as_view(),
        name="api-case-assessments",
    ),
    path(
        "cases/<uuid:case_id>/assessments/<uuid:assessment_id>/",
        api.AssessmentDetailApi.as_view(),
        name="api-case-assessment",
    ),
    path(
        "cases/<uuid:case_id>/assessment-offers/",
        api.OfferListApi.as_view(),
        name="api-case-assessment-offers",
    ),
    path("cases/<uuid:case_id>/care-plans/", api.CarePlanListApi.as_view(), name="api-care-plans"),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/",
        api.CarePlanDetailApi.as_view(),
        name="api-care-plan",
    ),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/items/<uuid:plan_item_id>/complete/",
        api.PlanItemCompleteApi.as_view(),
        name="api-care-plan-item-complete",
    ),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/items/<uuid:plan_item_id>/feedback/",
        api.PlanItemFeedbackApi.as_view(),
        name="api-care-plan-item-feedback",
    ),
]
