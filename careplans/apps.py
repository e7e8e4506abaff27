from django.apps import AppConfig

from appointments.hooks import follow_up_created_register, reply_handler_register
from patients.hooks import case_removal_register


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = "Assessments and care plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A text answering "did you get the help you needed?" comes to us through appointments'
        # inbound SMS handler, which imports nothing of ours. Our services load models, so they
        # are imported here, once the app registry is ready.
        from careplans.fhir import register as fhir_register
        from careplans.services.actions import signpost_feedback_sms_reply
        from careplans.services.messages import FEEDBACK_REQUEST
        from careplans.services.offers import assessment_offer_from_follow_up
        from careplans.services.retention import case_plans_remove
        from careplans.services.tracking import ItemKind

        reply_handler_register(kind=FEEDBACK_REQUEST, handler=signpost_feedback_sms_reply)
        # A follow-up rule's assessment offer (discharge, end of treatment) is ours to make.
        follow_up_created_register(
            kind=ItemKind.ASSESSMENT_OFFER, handler=assessment_offer_from_follow_up
        )
        # A case removed under the retention policy: our plans and assessments protect it.
        case_removal_register(handler=case_plans_remove)
        # Questionnaire, QuestionnaireResponse, CarePlan, Goal, Consent (GP sharing),
        # DocumentReference and Binary, served by the FHIR API (navigator.fhir).
        fhir_register()
