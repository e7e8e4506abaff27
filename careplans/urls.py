from django.urls import path

from careplans.views import (
    actions,
    assessments,
    offers,
    paper,
    plans,
    progress,
    sharing,
    surveys,
)
from careplans.views import pdf as plan_pdf

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
    path("assessments/paper/", paper.paper_questionnaire, name="paper_questionnaire"),
    path("assessments/paper/key-in/", paper.paper_key_in, name="paper_key_in"),
    path(
        "assessments/<uuid:assessment_id>/language/",
        assessments.assessment_language,
        name="assessment_language",
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
    path("plans/<uuid:plan_id>/review-date/", plans.plan_review_date, name="plan_review_date"),
    path("plans/<uuid:plan_id>/compare/", plans.plan_compare, name="plan_compare"),
    path(
        "plans/<uuid:plan_id>/items/<uuid:item_id>/refer/",
        actions.plan_item_refer,
        name="plan_item_refer",
    ),
    path(
        "plans/<uuid:plan_id>/items/<uuid:item_id>/signpost/",
        actions.plan_item_signpost,
        name="plan_item_signpost",
    ),
    path(
        "plans/<uuid:plan_id>/items/<uuid:item_id>/complete/",
        actions.plan_item_complete,
        name="plan_item_complete",
    ),
    path(
        "plans/<uuid:plan_id>/items/<uuid:item_id>/feedback/",
        actions.plan_item_feedback,
        name="plan_item_feedback",
    ),
    path("offers/new/", offers.offer_new, name="offer_new"),
    path("offers/<uuid:offer_id>/record/", offers.offer_record, name="offer_record"),
    path("progress/", progress.progress, name="progress"),
    path("plans/<uuid:plan_id>/pdf/", plan_pdf.plan_pdf, name="plan_pdf"),
    path("feedback/<uuid:invitation_id>/", surveys.survey_answer, name="survey_answer"),
    path(
        "feedback/replies/<uuid:response_id>/done/",
        surveys.survey_reply_done,
        name="survey_reply_done",
    ),
    path("sharing/", sharing.share_manage, name="share_manage"),
    path("sharing/new/", sharing.share_create, name="share_create"),
    path("sharing/consent/", sharing.share_consent, name="share_consent"),
    path("sharing/<uuid:link_id>/revoke/", sharing.share_revoke, name="share_revoke"),
]
