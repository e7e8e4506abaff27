from django.urls import path

from careplans.views import assessments, plans

app_name = "careplans"

# Mounted under cases/<uuid:case_id>/; every object is named by its UUID.
urlpatterns = [
    path("assessments/", assessments.assessment_list, name="assessment_list"),
    path("assessments/start/", assessments.assessment_start, name="assessment_start"),
    path(
        "assessments/<uuid:assessment_id>/step/<int:step>/",
        assessments.assessment_step,
        name="assessment_step",
    ),
    path(
        "assessments/<uuid:assessment_id>/check/",
        assessments.assessment_check,
        name="assessment_check",
    ),
    path(
        "flags/<uuid:flag_id>/acknowledge/",
        assessments.flag_acknowledge,
        name="flag_acknowledge",
    ),
    path("plans/<uuid:plan_id>/", plans.plan_detail, name="plan_detail"),
    path("plans/<uuid:plan_id>/items/add/", plans.plan_item_add, name="plan_item_add"),
    path(
        "plans/<uuid:plan_id>/items/<uuid:item_id>/edit/",
        plans.plan_item_edit,
        name="plan_item_edit",
    ),
    path(
        "plans/<uuid:plan_id>/items/<uuid:item_id>/remove/",
        plans.plan_item_remove,
        name="plan_item_remove",
    ),
    path("plans/<uuid:plan_id>/agree/", plans.plan_agree, name="plan_agree"),
    path("plans/<uuid:plan_id>/revise/", plans.plan_revise, name="plan_revise"),
    path("plans/<uuid:plan_id>/compare/", plans.plan_compare, name="plan_compare"),
]
