"""The language an assessment's questions are shown in, English or Welsh (Cymraeg)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from careplans.models import Assessment
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from patients.models import LANGUAGE_NAMES_IN_ENGLISH, Language
from patients.services import CommunicationNeeds, StaleRecord, patient_contact_update


@transaction.atomic
def assessment_language_set(*, assessment: Assessment, language: str, actor: User) -> Assessment:
    """Show the assessment's questions in `language` from now on, until it is sent; the
    answers are kept whatever the language (they belong to the concerns, not the wording).

    When the patient chooses for themselves it also becomes their preferred language, so their
    next assessment, and the texts and emails we send them, start in it. Someone helping them
    (staff, a carer) changes only this assessment."""
    if language not in Language.values:
        raise ValidationError({"language": _("Choose English or Cymraeg.")})
    locked = (
        Assessment.objects.select_for_update().select_related("case__patient").get(pk=assessment.pk)
    )
    if locked.is_submitted:
        raise ValidationError(_("This assessment has been sent, so it can no longer be changed."))
    if locked.language == language:
        return locked
    locked.language = language
    locked.save(update_fields=["language", "updated_at"])
    patient = locked.case.patient
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=locked,
        patient_id=patient.pk,
        summary=f"Assessment shown in {LANGUAGE_NAMES_IN_ENGLISH[language]}",
    )
    if patient.user_id is not None and patient.user_id == getattr(actor, "pk", None):
        if patient.language != language:
            try:
                patient_contact_update(
                    patient=patient,
                    by=actor,
                    expected_version=patient.version,
                    phone=patient.phone,
                    email=patient.email,
                    address=patient.address,
                    postcode=patient.postcode,
                    preferred_channel=patient.preferred_channel,
                    language=language,
                    communication_needs=CommunicationNeeds.of(patient),
                )
            except (ValidationError, StaleRecord):
                pass  # their details need a person to look at; this assessment still changes
    return locked
