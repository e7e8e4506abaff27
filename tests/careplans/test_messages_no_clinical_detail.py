"""No SMS or email carries clinical detail, by construction (DOMAIN.md: "SMS and email never
carry diagnosis or clinical detail").

Paul's record is built through the services (a case, an agreed care plan from an assessment, a
booked appointment, an overdue result, a message), then every free-text field of every row in
the patients, appointments and careplans apps is overwritten with a canary naming the field
("CANARY patients.case.tumour_site"), and each message the services send about it is
produced through the real service that sends it. No canary may appear in any subject, text or
HTML body.

Every template under templates/sms/ and templates/emails/ (each language folder too) must be
rendered by some scenario below on its channel: a new template fails this test until a
scenario sends it, or it is listed in NO_SCENARIO with the reason.

(Here, among the careplans tests, for their fixtures: the assessment, the directory.)
"""

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Left
from django.test import override_settings

from appointments.inbound import sms_received
from appointments.models import ItemKind, ItemState
from appointments.reminders import appointment_reminder_send
from appointments.services import chase_run, tracked_item_create
from careplans import services as careplans_services
from careplans.models import AssessmentOffer, PlanItem, SurveyInvitation
from careplans.services import sharing
from careplans.services.actions import signpost_feedback_ask_due
from careplans.services.messages import feedback_request_send, feedback_thanks_send
from careplans.services.surveys import survey_invitations_nudge_due, survey_invite
from careplans.services.triage import flags_escalate_due
from caseload.models import RecordCopy
from caseload.services import record_copy_prepare, record_copy_request
from navigator.accounts.adapters import AccountAdapter
from navigator.accounts.models import Role, User
from navigator.accounts.services import invitation_create
from navigator.messaging.models import InboundSms, OutboundMessage
from navigator.messaging.services import Recipient, message_send
from patients.models import PATIENT_INVITATION_MAX_CHECKS, Patient, TimelineEvent
from patients.services import (
    carer_invite,
    case_message_post,
    patient_invitation_accept,
    patient_invite,
    timeline_event_add,
)
from tests import factories as f
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TEMPLATES = Path(settings.BASE_DIR) / "templates"
CANARY = "CANARY"
CLINICAL_APPS = ("patients", "appointments", "careplans")
# Free text that is not clinical and that messages need as it is: who someone is and how to
# reach them, codes the software matches on, and the directory's public contact details.
NOT_CLINICAL = {
    "given_name",
    "family_name",
    "name",
    "full_name",
    "email",
    "phone",
    "mobile",
    "nhs_number",
    "postcode",
    "language",
    "token_hash",
    "code",
    "reference",
    "message_sid",
    "idempotency_key",
    "patient_message",
    "professional_message",
    "from_number",
    "to_number",
    "lineage",
    "website",
    "ods_code",
    "how_to_refer",
}
# What staff typed before the canaries went in, in case a service kept a row from before.
TYPED_BEFORE = "Chemotherapy|drug list|CT chest"
# Reference data, not anyone's record: rules, standards, the questionnaire's structure (its
# concerns are filled: a concern named in a message would say what troubles the person) and
# the public service directory (whose names a referral to that service rightly carries).
REFERENCE_DATA = {
    "appointments.pathwaystandard",
    "appointments.followuprule",
    "appointments.teamfollowupoffset",
    "careplans.questionnaire",
    "careplans.domain",
    "careplans.directoryorganization",
    "careplans.taxonomyterm",
    "careplans.concerntopic",
    "careplans.postcodedistrict",
    "careplans.directoryservice",
    "careplans.location",
    "careplans.servicearea",
    "careplans.servicelanguage",
    "careplans.regularschedule",
    "careplans.informationresource",
    "careplans.triagesettings",
}
# Templates no service sends today, so no scenario can render them through one.
NO_SCENARIO: dict[tuple[str, str, str], str] = {}


def at(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)


def canary_fill() -> list[str]:
    """Overwrite every free-text field of every clinical row with a canary naming the field."""
    filled = []
    for config in (apps.get_app_config(label) for label in CLINICAL_APPS):
        for model in config.get_models():
            if model._meta.label_lower in REFERENCE_DATA:
                continue
            # Keys (unique together) identify a row; they are not free text.
            keys = {name for c in model._meta.constraints for name in getattr(c, "fields", ())}
            keys |= {name for names in model._meta.unique_together for name in names}
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                if field.choices or field.unique or field.primary_key or field.name in keys:
                    continue
                if field.name in NOT_CLINICAL:
                    continue
                text = f"{CANARY} {model._meta.label_lower}.{field.name}"
                value = Left(models.Value(text), field.max_length) if field.max_length else text
                if model._default_manager.update(**{field.name: value}):
                    filled.append(f"{model._meta.label_lower}.{field.name}")
    return filled


def templates() -> set[tuple[str, str, str]]:
    """(kind, channel, language) for every message template on disk."""
    found = set()
    for path in (TEMPLATES / "sms").rglob("*.txt"):
        language = path.parent.name if path.parent.name != "sms" else "en"
        found.add((path.stem, "sms", language))
    for path in (TEMPLATES / "emails").rglob("*-body.txt"):
        language = path.parent.name if path.parent.name != "emails" else "en"
        found.add((path.name.removesuffix("-body.txt"), "email", language))
    return found


class Record:
    """Paul's record, built through the services, with an agreed plan and items to act on."""

    def __init__(self, cast, directory, *, preferred: str) -> None:
        self.cast = cast
        self.preferred = preferred
        patient = cast.paul_patient
        patient.postcode = "CF14 1AA"
        patient.save()
        # Olive has her own number, so a text from Paul's is his.
        Patient.objects.filter(pk=cast.olive_patient.pk).update(phone="+447700900999")
        directory.money_local.email = "money@matters.test"
        directory.money_local.save()
        self.lena = cast.lena
        self.hospital = f.make_organisation(
            "Southshire Hospitals NHS Trust", email="admin@south.test"
        )
        cast.paul_case.treating_providers.add(self.hospital)
        with time_machine.travel(at(2025, 3, 3, 10), tick=False):
            plan = complete(
                cast.paul_case, cast.paul, ratings={"money": 6, "pain": 5}, distress=9
            ).plan
            self.plan = careplans_services.care_plan_agree(
                plan=plan, lock_version=plan.lock_version, actor=cast.paul, how="online"
            )
        self.appointment = tracked_item_create(
            case=cast.paul_case,
            kind=ItemKind.APPOINTMENT,
            state=ItemState.BOOKED,
            title="Chemotherapy cycle 2",
            expected_by=dt.date(2025, 3, 14),
            starts_at=at(2025, 3, 14, 9, 30),
            location="Chemotherapy suite",
            what_to_bring="Your drug list",
            actor=cast.nadia,
        )
        self.result = tracked_item_create(
            case=cast.paul_case,
            kind=ItemKind.RESULT,
            title="CT chest result",
            expected_by=dt.date(2025, 3, 1),
            responsible_provider=self.hospital,
            actor=cast.nadia,
        )
        self.filled = canary_fill()
        # The services are handed rows as they now are in the database.
        for row in (self.appointment, self.result, cast.paul_case, cast.paul_patient):
            row.refresh_from_db()

    def item(self, code: str) -> PlanItem:
        return PlanItem.objects.get(plan=self.plan, concern__code=code)


# Each scenario sends messages about the record through the service that sends them.
def reminder(record: Record) -> None:
    appointment_reminder_send(item=record.appointment, days_before=2)


def replies_to_a_reminder(record: Record) -> None:
    appointment_reminder_send(item=record.appointment, days_before=2)
    # Delivered (the outbox's worker would have sent it): replies are matched to sent texts.
    OutboundMessage.objects.filter(kind="appointment_reminder").update(status="sent")
    for n, body in enumerate(("CONFIRM", "CHANGE", "HELP", f"{CANARY} typed by the patient")):
        inbound = InboundSms.objects.create(
            message_sid=f"SM{n:032d}",
            from_number="+447700900123",
            to_number="+447700900000",
            body=body,
            keyword=body if body.isupper() else "",
        )
        sms_received(inbound=inbound)


def discharge(record: Record) -> None:
    """A discharge schedules a check-in (the follow-up rules), which the chase sends when it
    is due (before the result is overdue: a patient gets one chase text a day)."""
    with time_machine.travel(at(2025, 2, 20, 10), tick=False):
        timeline_event_add(
            case=record.cast.paul_case,
            by=record.cast.nadia,
            kind=TimelineEvent.Kind.DISCHARGE,
            occurred_at=dt.date(2025, 2, 20),
            summary=f"{CANARY} discharge summary",
            detail=f"{CANARY} discharge detail",
        )
    with time_machine.travel(at(2025, 2, 26, 10), tick=False):
        chase_run()


def chase(record: Record) -> None:
    with time_machine.travel(at(2025, 3, 12, 10), tick=False):
        chase_run()
    with time_machine.travel(at(2025, 3, 20, 10), tick=False):
        chase_run()


def messages(record: Record) -> None:
    case_message_post(case=record.cast.paul_case, author=record.cast.nadia, body=f"{CANARY} msg")
    case_message_post(case=record.cast.paul_case, author=record.cast.paul, body=f"{CANARY} reply")


def invitations(record: Record) -> None:
    """Paul invited to his record, by text and by email; then three wrong dates of birth lock
    the invitation, and his navigator is told."""
    cast = record.cast
    Patient.objects.filter(pk=cast.paul_patient.pk).update(user=None)
    cast.paul_patient.refresh_from_db()
    cast.paul_case.patient.refresh_from_db()
    patient_invite(case=cast.paul_case, by=cast.nadia, channel="sms")
    invitation, _ = patient_invite(case=cast.paul_case, by=cast.nadia, channel="email")
    for _ in range(PATIENT_INVITATION_MAX_CHECKS):
        patient_invitation_accept(patient_invitation=invitation, date_of_birth=dt.date(1900, 1, 1))


def carer_invitations(record: Record) -> None:
    cast = record.cast
    carer_invite(
        patient=cast.paul_patient,
        by=cast.paul,
        carer_name="Dan Jones",
        email="dan@example.test",
        phone="",
        level="read",
    )
    carer_invite(
        patient=cast.paul_patient,
        by=cast.paul,
        carer_name="Eve Jones",
        email="",
        phone="+447700900555",
        level="read",
    )


def staff_invitation(record: Record) -> None:
    invitation_create(
        invited_by=record.lena,
        email="new@nav.test",
        phone="",
        role=Role.NAVIGATOR,
        team=record.cast.team,
    )
    invitation_create(
        invited_by=record.cast.nadia, email="", phone="+447700900666", role=Role.CARER, team=None
    )


def sign_in_code(record: Record) -> None:
    AccountAdapter().send_verification_code_sms(record.cast.paul, "+447700900123", "123456")


def gp_share(record: Record) -> None:
    sharing.share_link_create(case=record.cast.paul_case, actor=record.cast.nadia)


def plan_actions(record: Record) -> None:
    money = record.item("money")
    careplans_services.plan_item_refer(item=money, actor=record.cast.nadia)
    careplans_services.plan_item_signpost(item=money, actor=record.cast.nadia)
    feedback_request_send(item=PlanItem.objects.get(pk=money.pk))
    signpost_feedback_ask_due()
    inbound = InboundSms.objects.create(
        message_sid="SM" + "f" * 32,
        from_number="+447700900123",
        to_number="+447700900000",
        body="Y",
    )
    feedback_thanks_send(item=money, inbound=inbound, helped=True)
    # And in Welsh, for a patient who reads Welsh.
    Patient.objects.filter(pk=record.cast.paul_patient.pk).update(language="cy")
    pain = record.item("pain")
    feedback_request_send(item=pain)
    inbound = InboundSms.objects.create(
        message_sid="SM" + "e" * 32,
        from_number="+447700900123",
        to_number="+447700900000",
        body="N",
    )
    feedback_thanks_send(item=pain, inbound=inbound, helped=False)
    Patient.objects.filter(pk=record.cast.paul_patient.pk).update(language="en")


def distress_escalation(record: Record) -> None:
    if record.preferred == "sms":  # a lead with no email address is texted
        User.objects.filter(pk=record.lena.pk).update(email="", phone="+447700900777")
    with time_machine.travel(dt.datetime.now(tz=LONDON) + dt.timedelta(days=3), tick=False):
        flags_escalate_due()


def offer(record: Record) -> None:
    careplans_services.assessment_offer(
        case=record.cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=record.cast.nadia
    )


def feedback_surveys(record: Record) -> None:
    """The feedback nudges: one for a survey of several questions, one (after the discharge)
    for a survey of one question that offers its answers by number."""
    case = record.cast.paul_case
    for moment in (SurveyInvitation.Moment.DIAGNOSIS, SurveyInvitation.Moment.DISCHARGE):
        survey_invite(case=case, moment=moment)
    # Open now, whenever the scenarios above made them.
    now = dt.datetime.now(tz=LONDON)
    SurveyInvitation.objects.filter(case=case).update(
        opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1), nudged_at=None
    )
    survey_invitations_nudge_due()


def no_service(record: Record) -> None:
    """Kinds whose template no service sends: rendered through the outbox with the context a
    nudge has (a link), so the template itself is checked."""
    for kind in ("new_update",):
        for channel in ("sms", "email"):
            message_send(
                recipient=Recipient(
                    name="Paul Jones", phone="+447700900123", email="paul@example.test"
                ),
                kind=kind,
                context={"link": f"/cases/{record.cast.paul_case.pk}/"},
                idempotency_key=f"{kind}:{channel}",
                channel=channel,
            )


def record_copy(record: Record) -> None:
    """Paul asks for a copy of his record; the worker makes it (summary, FHIR Bundle) and
    tells him it is ready, by his preferred way."""
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "documents": {
                    "BACKEND": "patients.documents.PrivateFileSystemStorage",
                    "OPTIONS": {"location": folder, "base_url": None},
                },
            }
        ),
    ):
        copy = record_copy_request(
            case=record.cast.paul_case,
            requested_by=record.cast.paul,
            purpose=RecordCopy.Purpose.PATIENT,
        )
        record_copy_prepare(copy_id=copy.pk)


SCENARIOS: list[Callable[[Record], None]] = [
    reminder,
    replies_to_a_reminder,
    discharge,
    chase,
    messages,
    carer_invitations,
    staff_invitation,
    sign_in_code,
    gp_share,
    plan_actions,
    distress_escalation,
    offer,
    feedback_surveys,
    no_service,
    record_copy,
    invitations,  # last: it takes Paul's account away, as for a patient not yet signed up
]


def sent_about_the_record(cast, directory, *, preferred: str) -> list[OutboundMessage]:
    """Build the record with Paul preferring `preferred`, run every scenario, and return what
    was sent; then put the database back, so the other channel starts from the same place."""
    with transaction.atomic():
        Patient.objects.filter(pk=cast.paul_patient.pk).update(preferred_channel=preferred)
        cast.paul_patient.refresh_from_db()
        record = Record(cast, directory, preferred=preferred)
        assert {
            "patients.case.tumour_site",
            "appointments.trackeditem.location",
            "appointments.trackeditem.what_to_bring",
            "appointments.trackeditem.title",
            "careplans.planitem.goal",
        } <= set(record.filled)
        with time_machine.travel(at(2025, 3, 12, 10), tick=False):
            for scenario in SCENARIOS:
                scenario(record)
        sent = list(OutboundMessage.objects.all())
        transaction.set_rollback(True)
    cast.paul_patient.refresh_from_db()
    return sent


def test_no_message_carries_the_records_free_text_and_every_template_is_rendered(
    cast, directory, settings
):
    settings.QUIET_HOURS_START, settings.QUIET_HOURS_END = 0, 0
    sent = [
        *sent_about_the_record(cast, directory, preferred="sms"),
        *sent_about_the_record(cast, directory, preferred="email"),
    ]

    leaks = [
        (m.kind, m.channel, re.findall(rf"{CANARY}[\w .]*|{TYPED_BEFORE}", text))
        for m in sent
        for text in (m.subject, m.body, m.body_html)
        if re.search(rf"{CANARY}|{TYPED_BEFORE}", text)
    ]
    assert leaks == []
    rendered = {(m.kind, m.channel, m.language) for m in sent}
    missing = sorted(templates() - rendered - set(NO_SCENARIO))
    assert not missing, f"templates no scenario renders: {missing}"
    assert set(NO_SCENARIO) & rendered == set(), "rendered now: take them out of NO_SCENARIO"
