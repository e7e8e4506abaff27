"""People with a year's worth of records for the insight figures, written straight to the
database (the services that write them for real are tested in their own apps)."""

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import timezone

from appointments.models import ChaseRecord, TrackedItem
from careplans.models import (
    Answer,
    Assessment,
    AssessmentOffer,
    CarePlan,
    CaseFlag,
    Concern,
    DirectoryOrganization,
    DirectoryService,
    PlanItem,
    Signpost,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from navigator.accounts.models import Role
from navigator.messaging.models import OutboundMessage
from navigator.organisations.models import Organisation, Team
from patients.models import Case, TimelineEvent
from tests import factories as f
from tests.careplans.conftest import reference_data_restore

_people = itertools.count()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def person(
    *,
    team: Team,
    tumour_site: str = "Lung",
    practice: Organisation | None = None,
    diagnosed: dt.date,
    navigator: Any = None,
    hna_after_days: int | None = 10,
    declined: bool = False,
    distress: int = 5,
    concern_codes: tuple[str, ...] = ("money",),
    reassessed_codes: tuple[str, ...] | None = None,
    plan_after_days: int | None = 20,
    owners: tuple[str, ...] = ("patient", "navigator"),
    service: DirectoryService | None = None,
    feedback: str = "yes",
    chased_days_overdue: int | None = 3,
    provider: Organisation | None = None,
    nudge_status: str = OutboundMessage.Status.SENT,
    flag_contact_hours: int | None = 2,
    survey_answer: str | None = "good",
    survey_comment: str = "",
) -> Case:
    """One person with a case and every kind of record the insight page counts."""
    reference_data_restore()
    n = next(_people)
    navigator = navigator or f.make_user(f"insight.nav{n}@nav.test", role=Role.NAVIGATOR)
    patient = f.make_patient(given="Insight", family=f"Person{n}", gp_practice=practice)
    case = f.make_case(
        patient=patient,
        team=team,
        navigator=navigator,
        tumour_site=tumour_site,
        diagnosis_date=diagnosed,
    )
    TimelineEvent.objects.create(
        case=case,
        kind="urgent_referral",
        occurred_at=at(diagnosed - dt.timedelta(days=20)),
        summary="Referral",
    )
    TimelineEvent.objects.create(
        case=case, kind="diagnosis", occurred_at=at(diagnosed), summary="Diagnosis"
    )
    questionnaire = Assessment._meta.get_field("questionnaire").related_model.objects.get(
        code="hna", is_active=True
    )
    offer = AssessmentOffer.objects.create(
        case=case,
        reason="diagnosis",
        pathway_point="diagnosis",
        status="declined" if declined else "offered",
        offered_at=at(diagnosed),
        take_by=diagnosed + dt.timedelta(days=14),
    )
    if survey_answer is not None:
        survey = Survey.objects.get(code="feedback-diagnosis", is_active=True)
        sent = at(diagnosed + dt.timedelta(days=14))
        invitation = SurveyInvitation.objects.create(
            case=case,
            moment=SurveyInvitation.Moment.DIAGNOSIS,
            survey=survey,
            created_at=at(diagnosed),
            opens_at=sent,
            closes_at=sent + dt.timedelta(days=28),
        )
        response = SurveyResponse.objects.create(
            invitation=invitation, submitted_at=sent, via="web", comment=survey_comment
        )
        SurveyAnswer.objects.create(
            response=response, question=survey.questions.get(code="overall"), choice=survey_answer
        )
    if declined or hna_after_days is None:
        return case
    submitted = at(diagnosed + dt.timedelta(days=hna_after_days))
    assessment = Assessment.objects.create(
        case=case,
        questionnaire=questionnaire,
        offer_status="accepted",
        pathway_point="diagnosis",
        completed_by="patient",
        started_at=submitted,
        submitted_at=submitted,
        distress_score=distress,
    )
    offer.assessment = assessment
    offer.status = "accepted"
    offer.save()
    for code in concern_codes:
        Answer.objects.create(
            assessment=assessment,
            concern=Concern.objects.get(domain__questionnaire=questionnaire, code=code),
            selected=True,
            rating=6,
        )
    if reassessed_codes is not None:
        later = submitted + dt.timedelta(days=60)
        again = Assessment.objects.create(
            case=case,
            questionnaire=questionnaire,
            offer_status="accepted",
            pathway_point="end_of_treatment",
            completed_by="patient",
            started_at=later,
            submitted_at=later,
            distress_score=max(distress - 2, 0),
        )
        for code in reassessed_codes:
            Answer.objects.create(
                assessment=again,
                concern=Concern.objects.get(domain__questionnaire=questionnaire, code=code),
                selected=True,
                rating=3,
            )
    if flag_contact_hours is not None or distress >= 7:
        raised = submitted
        CaseFlag.objects.create(
            case=case,
            kind=CaseFlag.Kind.URGENT_DISTRESS,
            reason="High distress",
            assessment=assessment,
            raised_at=raised,
            escalate_after=raised + dt.timedelta(hours=8),
            acknowledged_at=None
            if flag_contact_hours is None
            else raised + dt.timedelta(hours=flag_contact_hours),
        )
    if plan_after_days is not None:
        agreed = at(diagnosed + dt.timedelta(days=plan_after_days))
        plan = CarePlan.objects.create(
            case=case,
            assessment=assessment,
            version=1,
            status=CarePlan.Status.AGREED,
            created_at=agreed,
            updated_at=agreed,
            agreed_at=agreed,
            agreed_how="by_phone",
        )
        for index, owner in enumerate(owners):
            item = PlanItem.objects.create(
                plan=plan,
                concern_text="Money worries",
                goal="Claim the benefits",
                owner_kind=owner,
                order=index,
                completed_at=agreed if index == 0 else None,
                signposted_at=agreed if service is not None and index == 0 else None,
                feedback_answer=feedback if service is not None and index == 0 else "",
            )
            if service is not None and index == 0:
                Signpost.objects.create(item=item, service=service)
    if chased_days_overdue is not None:
        expected = diagnosed + dt.timedelta(days=5)
        item = TrackedItem.objects.create(
            case=case,
            kind="result",
            state="reported",
            title="Scan result",
            expected_by=expected,
            responsible_provider=provider,
            chase_count=2,
            closed_at=at(expected + dt.timedelta(days=chased_days_overdue + 4)),
        )
        ChaseRecord.objects.create(
            item=item,
            chased_at=at(expected + dt.timedelta(days=chased_days_overdue)),
            outcome="Phoned",
            messages_sent=1,
        )
        OutboundMessage.objects.create(
            idempotency_key=f"insight-{n}",
            channel="sms",
            to_address="+447700900123",
            kind="chase_patient",
            body="We are chasing",
            subject_id=patient.pk,
            status=nudge_status,
            not_before=at(expected),
        )
    return case


@pytest.fixture
def service(db: None) -> DirectoryService:
    org = DirectoryOrganization.objects.create(name="Citizens Advice Northshire")
    return DirectoryService.objects.create(
        organization=org, name="Benefits advice", how_to_refer="Call us", phone="029 2000 0000"
    )
