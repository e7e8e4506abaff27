"""Writes for assessments, triage flags and care plans, by subject: each validates, runs in a
transaction and writes the audit entry. This package only re-exports them, so callers import from
`careplans.services`."""

from careplans.services.actions import (
    plan_item_complete,
    plan_item_refer,
    plan_item_signpost,
    plan_items_track_overdue,
    signpost_feedback_ask_due,
    signpost_feedback_record,
)
from careplans.services.assessments import (
    AnswerInput,
    Submitted,
    assessment_save_domain,
    assessment_save_wellbeing,
    assessment_self_start,
    assessment_start,
    assessment_submit,
)
from careplans.services.offers import (
    assessment_offer,
    assessment_offer_record,
    assessment_offers_make_due,
)
from careplans.services.plans import (
    ITEM_FIELDS,
    PLAN_REVIEW_AFTER_DAYS,
    SIGNPOSTS_PER_ITEM,
    PlanChangedError,
    care_plan_agree,
    care_plan_generate,
    care_plan_revise,
    care_plan_set_review_date,
    plan_item_add,
    plan_item_remove,
    plan_item_update,
)
from careplans.services.questionnaires import questionnaire_publish, questionnaire_revise
from careplans.services.triage import (
    case_flag_acknowledge,
    case_flag_raise,
    flags_escalate_due,
    triage_reasons,
)

__all__ = [
    "AnswerInput",
    "ITEM_FIELDS",
    "PLAN_REVIEW_AFTER_DAYS",
    "PlanChangedError",
    "SIGNPOSTS_PER_ITEM",
    "Submitted",
    "assessment_offer",
    "assessment_offer_record",
    "assessment_offers_make_due",
    "assessment_save_domain",
    "assessment_save_wellbeing",
    "assessment_self_start",
    "assessment_start",
    "assessment_submit",
    "care_plan_agree",
    "care_plan_generate",
    "care_plan_revise",
    "care_plan_set_review_date",
    "case_flag_acknowledge",
    "case_flag_raise",
    "flags_escalate_due",
    "plan_item_add",
    "plan_item_complete",
    "plan_item_refer",
    "plan_item_remove",
    "plan_item_signpost",
    "plan_item_update",
    "plan_items_track_overdue",
    "questionnaire_publish",
    "questionnaire_revise",
    "signpost_feedback_ask_due",
    "signpost_feedback_record",
    "triage_reasons",
]
