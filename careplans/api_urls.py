from django.urls import path

from careplans import api

# API routes for questionnaires, assessments, offers, care plans and the directory (under /api/).
urlpatterns = [
    path("questionnaires/", api.QuestionnaireListApi.as_view(), name="api-questionnaires"),
    path("services/", api.ServiceListApi.as_view(), name="api-services"),
    path("services/matches/", api.ServiceMatchApi.as_view(), name="api-services-match"),
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
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/agree/",
        api.CarePlanAgreeApi.as_view(),
        name="api-care-plan-agree",
    ),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/revise/",
        api.CarePlanReviseApi.as_view(),
        name="api-care-plan-revise",
    ),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/compare/",
        api.CarePlanCompareApi.as_view(),
        name="api-care-plan-compare",
    ),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/review-date/",
        api.CarePlanReviewDateApi.as_view(),
        name="api-care-plan-review-date",
    ),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/items/",
        api.PlanItemListApi.as_view(),
        name="api-care-plan-items",
    ),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/items/<uuid:plan_item_id>/",
        api.PlanItemDetailApi.as_view(),
        name="api-care-plan-item",
    ),
    path(
        "cases/<uuid:case_id>/care-plans/<uuid:plan_id>/items/<uuid:plan_item_id>/remove/",
        api.PlanItemRemoveApi.as_view(),
        name="api-care-plan-item-remove",
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
