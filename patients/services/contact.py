"""A patient's contact details and communication needs, and how messages reach them."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.services import Recipient
from patients.models import LANGUAGE_NAMES_IN_ENGLISH, Channel, Language, Patient
from patients.services.common import EMAIL_MESSAGE, _Errors
from patients.validators import normalise_postcode, phone_to_e164


@dataclass(frozen=True)
class CommunicationNeeds:
    """What anyone contacting the person must arrange. Stored on `Patient` as separate fields."""

    large_print: bool = False
    interpreter: bool = False
    interpreter_language: str = ""
    hearing_support: bool = False
    other: str = ""

    @classmethod
    def of(cls, patient: Patient) -> "CommunicationNeeds":
        return cls(
            large_print=patient.needs_large_print,
            interpreter=patient.needs_interpreter,
            interpreter_language=patient.interpreter_language,
            hearing_support=patient.needs_hearing_support,
            other=patient.other_needs,
        )


class StaleRecord(Exception):
    """Someone else saved the record after the form was opened; `current` is what it says now."""

    def __init__(self, current: Patient) -> None:
        super().__init__("The record changed since the form was opened.")
        self.current = current


def contact_details_clean(
    *,
    phone: str,
    email: str,
    address: str,
    postcode: str,
    preferred_channel: str,
    language: str,
    communication_needs: CommunicationNeeds,
) -> dict[str, Any]:
    """The Patient fields for these contact details, normalised, or a ValidationError by field.

    Forms call this too, so a page shows these problems alongside its own in one go.
    """
    errors = _Errors()
    fields = _clean_contact(
        errors,
        phone=phone,
        email=email,
        address=address,
        postcode=postcode,
        preferred_channel=preferred_channel,
        language=language,
        communication_needs=communication_needs,
    )
    errors.raise_any()
    return fields


def _clean_contact(
    errors: _Errors,
    *,
    phone: str,
    email: str,
    address: str,
    postcode: str,
    preferred_channel: str,
    language: str,
    communication_needs: CommunicationNeeds,
) -> dict[str, Any]:
    """Patient fields for contact details and preferences, normalised; problems go to `errors`."""
    phone, email, address, postcode = (v.strip() for v in (phone, email, address, postcode))
    if preferred_channel not in Channel.values:
        errors.add("preferred_channel", _("Choose how we should send messages."))
    if language not in Language.values:
        errors.add("language", _("Choose a language we write in."))
    if phone:
        phone = (
            errors.check("phone", phone_to_e164, phone, mobile=preferred_channel == Channel.SMS)
            or phone
        )
    elif preferred_channel == Channel.SMS:
        errors.add("phone", _("Enter a mobile number for text messages, or choose email instead."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", EMAIL_MESSAGE)
    elif preferred_channel == Channel.EMAIL:
        errors.add(
            "email", _("Enter an email address for emails, or choose text messages instead.")
        )
    if postcode:
        postcode = errors.check("postcode", normalise_postcode, postcode) or postcode
    needs = communication_needs
    language_needed = needs.interpreter_language.strip()
    if needs.interpreter and not language_needed:
        errors.add("interpreter_language", _("Enter the language the interpreter should speak."))
    if len(needs.other) > 300:
        errors.add("other_needs", _("Other needs must be 300 characters or fewer."))
    return {
        "phone": phone,
        "email": email.lower(),
        "address": address,
        "postcode": postcode,
        "preferred_channel": preferred_channel,
        "language": language,
        "needs_large_print": needs.large_print,
        "needs_interpreter": needs.interpreter,
        "interpreter_language": language_needed if needs.interpreter else "",
        "needs_hearing_support": needs.hearing_support,
        "other_needs": needs.other.strip(),
    }


def patient_contact_update(
    *,
    patient: Patient,
    by: User,
    expected_version: int,
    phone: str,
    email: str,
    address: str,
    postcode: str,
    preferred_channel: str,
    language: str,
    communication_needs: CommunicationNeeds,
) -> Patient:
    """Change contact details and preferences, unless someone changed them since `expected_version`.

    A stale write raises `StaleRecord` carrying the record as it is now, so the form can show
    both and let the user decide; nothing is overwritten silently.
    """
    fields = contact_details_clean(
        phone=phone,
        email=email,
        address=address,
        postcode=postcode,
        preferred_channel=preferred_channel,
        language=language,
        communication_needs=communication_needs,
    )
    with transaction.atomic():
        changed = Patient.objects.filter(pk=patient.pk, version=expected_version).update(
            **fields, version=F("version") + 1, updated_at=timezone.now()
        )
        if not changed:
            raise StaleRecord(Patient.objects.get(pk=patient.pk))
        _account_language_follow(patient=patient, language=fields["language"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=patient,
            patient_id=patient.pk,
            summary="Changed contact details and preferences",
        )
    patient.refresh_from_db()
    return patient


def patient_language_set(*, patient: Patient, language: str, by: User) -> Patient:
    """Make `language` ("en" or "cy") the patient's preferred language: their pages, messages and
    printed plan. Used by the English / Cymraeg switch; the contact page changes it with the
    rest of their details (`patient_contact_update`)."""
    if language not in Language.values:
        raise ValidationError({"language": _("Choose English or Cymraeg.")})
    with transaction.atomic():
        changed = (
            Patient.objects.filter(pk=patient.pk)
            .exclude(language=language)
            .update(language=language, version=F("version") + 1, updated_at=timezone.now())
        )
        _account_language_follow(patient=patient, language=language)
        if changed:
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=patient,
                patient_id=patient.pk,
                summary=f"Changed the preferred language to {LANGUAGE_NAMES_IN_ENGLISH[language]}",
            )
    patient.refresh_from_db()
    return patient


def _account_language_follow(*, patient: Patient, language: str) -> None:
    """The patient's account shows pages in their record's language (User.language)."""
    if patient.user_id is not None:
        User.objects.filter(pk=patient.user_id).exclude(language=language).update(language=language)


def patient_recipient(*, patient: Patient, email: str | None = None) -> Recipient:
    """How every message to a patient reaches them: their phone, email (or `email` when they
    gave none but their account has one), channel and language."""
    return Recipient(
        name=patient.full_name,
        phone=patient.phone,
        email=patient.email if email is None else email,
        preferred_channel=patient.preferred_channel,
        language=patient.language,
    )
