"""The case overview: the navigator's hub for one case, and the door in front of it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from navigator.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["nadia", "lena", "colin"])
def test_case_team_sees_the_overview_and_each_look_is_audited(client, cast, who):
    client.force_login(getattr(cast, who))
    before = AuditEvent.objects.filter(patient_id=cast.paul_patient.id).count()

    response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Named navigator" in html and "Nadia Khan" in html
    assert "Colin Shaw" in html and "Clinical nurse specialist" in html
    assert "Carol Jones" in html and "See my record" in html
    assert AuditEvent.objects.filter(patient_id=cast.paul_patient.id).count() == before + 1


@pytest.mark.parametrize("who", ["oscar", "olive", "adam"])
def test_overview_is_404_to_anyone_outside_the_case(client, cast, who):
    client.force_login(getattr(cast, who))
    if who == "olive":
        # Patients are sent to their own page, where the same door refuses them.
        response = client.get(
            reverse("caseload:case_detail", args=[cast.paul_case.id]), follow=True
        )
    else:
        response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert response.status_code == 404
    # Nothing in Paul's "who has looked"; the attempt is in the security log.
    assert not AuditEvent.objects.about_patient(cast.paul_patient.id).exists()
    assert AuditEvent.objects.refusals().get().actor == getattr(cast, who)


def test_patient_opening_their_case_url_gets_their_own_page(client, cast):
    client.force_login(cast.paul)
    response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]), follow=True)
    assert response.status_code == 200
    assert "What happens next" in response.content.decode()
    assert "Care team" not in response.content.decode()


# The hub: a summary at the top and a way into every part of the record ------------------------


def hub_links(case, plan=None):
    """Every page a navigator reaches from the case page, by URL."""
    links = {
        "timeline": reverse("patients:timeline", args=[case.id]),
        "timeline_add": reverse("patients:timeline_add", args=[case.id]),
        "messages": reverse("patients:messages", args=[case.id]),
        "questions": reverse("patients:questions", args=[case.id]),
        "contact_edit": reverse("patients:contact_edit", args=[case.id]),
        "care_team_add": reverse("patients:care_team_add", args=[case.id]),
        "handover": reverse("patients:case_handover", args=[case.id]),
        "record_access": reverse("patients:case_record_access", args=[case.id]),
        "outbox": reverse("patients:case_outbox", args=[case.id]),
        "treatment_summary": reverse("patients:treatment_summary_edit", args=[case.id]),
        "tracked_items": reverse("appointments:case_items", args=[case.id]),
        "item_add": reverse("appointments:item_add", args=[case.id]),
        "assessments": reverse("careplans:assessment_list", args=[case.id]),
        "assessment_start": reverse("careplans:assessment_start", args=[case.id]),
        "offer_new": reverse("careplans:offer_new", args=[case.id]),
        "paper": reverse("careplans:paper_questionnaire", args=[case.id]),
        "paper_key_in": reverse("careplans:paper_key_in", args=[case.id]),
        "share": reverse("careplans:share_manage", args=[case.id]),
    }
    if plan is not None:
        links["plan"] = reverse("careplans:plan_detail", args=[case.id, plan.pk])
        links["plan_pdf"] = reverse("careplans:plan_pdf", args=[case.id, plan.pk])
    return links


def make_plan(case, version, status):
    from careplans.models import CarePlan

    now = timezone.now()
    return CarePlan.objects.create(
        case=case,
        version=version,
        status=status,
        created_at=now,
        updated_at=now,
        agreed_at=now if status != CarePlan.Status.DRAFT else None,
    )


def test_the_navigator_reaches_every_part_of_the_record_from_the_case_page(client, cast):
    from careplans.models import CarePlan

    agreed = make_plan(cast.paul_case, 1, CarePlan.Status.AGREED)
    draft = make_plan(cast.paul_case, 2, CarePlan.Status.DRAFT)
    client.force_login(cast.nadia)

    html = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id])).content.decode()

    for name, url in hub_links(cast.paul_case, agreed).items():
        assert f'"{url}' in html, name
    assert reverse("careplans:plan_detail", args=[cast.paul_case.id, draft.pk]) in html
    compare = reverse("careplans:plan_compare", args=[cast.paul_case.id, draft.pk])
    assert f"{compare}?with={agreed.pk}" in html
    assert "Version 2 is waiting to be agreed" in html
    for section in ("contact-details", "care-team", "carers", "care-plans", "tracked-items"):
        assert f'id="{section}"' in html
    assert "INVITE" not in html  # the marked place for the invitation link is a comment


@pytest.mark.parametrize("who", ["lena", "colin"])
def test_the_team_lead_and_the_care_team_reach_the_record_from_the_case_page(client, cast, who):
    client.force_login(getattr(cast, who))

    html = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id])).content.decode()

    links = hub_links(cast.paul_case)
    for name in ("timeline", "messages", "questions", "assessments", "record_access", "share"):
        assert f'"{links[name]}' in html, name


def test_a_navigator_from_another_team_gets_404_and_no_links(client, cast):
    client.force_login(cast.oscar)
    response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]))
    assert response.status_code == 404
    assert reverse("careplans:assessment_list", args=[cast.paul_case.id]) not in (
        response.content.decode()
    )


def test_the_summary_shows_flags_escalation_overdue_items_and_chase_tasks(client, cast):
    from appointments.models import ChaseTask, ItemKind, ItemState, TrackedItem
    from careplans.models import CaseFlag

    now = timezone.now()
    CaseFlag.objects.create(
        case=cast.paul_case,
        kind=CaseFlag.Kind.URGENT_DISTRESS,
        reason="Distress score 8 out of 10",
        raised_at=now - dt.timedelta(hours=6),
        escalate_after=now - dt.timedelta(hours=2),
        escalated_at=now - dt.timedelta(hours=1),
        escalated_to=cast.lena,
    )
    item = TrackedItem.objects.create(
        case=cast.paul_case,
        kind=ItemKind.RESULT,
        state=ItemState.DONE,
        title="Your scan result",
        expected_by=timezone.localdate() - dt.timedelta(days=3),
    )
    task = ChaseTask.objects.create(item=item, assigned_to=cast.nadia)
    client.force_login(cast.nadia)

    html = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id])).content.decode()

    assert "Urgent distress" in html and "Escalated" in html
    assert "Escalated to Lena Ward" in html and "as Nadia Khan had not acted" in html
    assert "Your scan result: expected by" in html
    assert reverse("appointments:chase_record", args=[task.id]) in html


# Session, user, MFA (asked once), the case with its patient and GP practice, the user's teams
# (a member of the case's team is told so by the case's own row), the access audit row; then the
# page's parts, one query each, the counts and the single-row lookups together (treatment
# summary, SMS opt-out, open offer, unsent and last assessment, last GP view, and whether there
# are carers, treating hospitals or feedback asking for a reply), then the treatment summary,
# opt-out and GP view that exist read by their key (the assessments' dates and distress score
# come with the counts), the carers, hospitals and feedback (two: with its answers) that exist.
# 31 before they were cut, 24 before the single rows joined the counts, 21 before the team was
# read off the case (6 December 2026).
CASE_PAGE_QUERIES = 20
# A new case: no carers, hospitals or feedback asking for a reply, and no GP has viewed its
# plan: five fewer.
CASE_PAGE_QUERIES_EMPTY_PANELS = CASE_PAGE_QUERIES - 5


def overview_queries(client, user, case):
    client.force_login(user)
    url = reverse("caseload:case_detail", args=[case.id])
    client.get(url)  # the first request fills per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def fill(case, cast, n):
    """n of everything the case page lists: events, tracked items (overdue, each with an open,
    escalated chase task), plan versions, care team members, carers, treating hospitals,
    questions, GP views, feedback asking for a reply."""
    from appointments.models import ChaseTask, ItemKind, ItemState, TrackedItem
    from careplans.models import CarePlan, ShareLink, ShareLinkAccess
    from patients.models import AppointmentQuestion, CareTeamMember, TimelineEvent

    now = timezone.now()
    for i in range(n):
        TimelineEvent.objects.create(
            case=case, kind="note", occurred_at=now - dt.timedelta(hours=i), summary=f"Note {i}"
        )
        item = TrackedItem.objects.create(
            case=case,
            kind=ItemKind.RESULT,
            state=ItemState.DONE,
            title=f"Result {i}",
            expected_by=timezone.localdate() - dt.timedelta(days=i + 1),
            responsible_provider=cast.paul_patient.gp_practice,
        )
        ChaseTask.objects.create(
            item=item, assigned_to=cast.nadia, escalated_to=cast.lena, escalated_at=now
        )
        CareTeamMember.objects.create(
            case=case, name=f"Dr Number {i}", role=CareTeamMember.Role.CNS
        )
        AppointmentQuestion.objects.create(case=case, text=f"Question {i}", created_by=cast.paul)
    from patients.models import CarerAccess

    for i in range(n):
        carer = f.make_user(f"carer{i}.{case.pk.hex[:8]}@example.test", name=f"Carer {i}")
        CarerAccess.objects.create(patient=case.patient, carer=carer)
        case.treating_providers.add(f.make_organisation(f"Hospital {i}"))
    for version in range(1, n + 1):
        status = CarePlan.Status.AGREED if version == n else CarePlan.Status.SUPERSEDED
        plan = make_plan(case, version, status)
    link = ShareLink.objects.create(
        case=case,
        plan=plan,
        token_hash=f"{case.pk.hex}{n}".ljust(64, "0")[:64],
        practice=cast.paul_patient.gp_practice,
        sent_to="gp@example.test",
        created_by=cast.nadia,
        created_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    for _ in range(n):
        ShareLinkAccess.objects.create(link=link, at=now, kind=ShareLinkAccess.Kind.VIEWED)
    # Feedback asking for a reply, with its answers (one invitation per moment: up to three).
    from careplans.models import Survey, SurveyAnswer, SurveyInvitation, SurveyResponse

    for moment, code in list(
        zip(
            SurveyInvitation.Moment.values,
            ("feedback-diagnosis", "feedback-plan", "feedback-discharge"),
            strict=True,
        )
    )[:n]:
        survey = Survey.objects.get(code=code, is_active=True)
        invitation = SurveyInvitation.objects.create(
            case=case, moment=moment, survey=survey, created_at=now, opens_at=now, closes_at=now
        )
        response = SurveyResponse.objects.create(
            invitation=invitation, submitted_at=now, via="web", wants_reply=True
        )
        for question in survey.questions.all():
            SurveyAnswer.objects.create(
                response=response, question=question, choice=question.choice_codes[0]
            )


def test_the_case_page_costs_the_same_queries_with_1_or_10_of_everything(client, cast):
    other = f.make_case(
        patient=f.make_patient(gp_practice=cast.paul_patient.gp_practice),
        team=cast.team,
        navigator=cast.nadia,
    )
    fill(cast.paul_case, cast, 1)
    fill(other, cast, 10)

    one = overview_queries(client, cast.nadia, cast.paul_case)
    ten = overview_queries(client, cast.nadia, other)

    assert one == ten
    assert one <= CASE_PAGE_QUERIES


def test_the_case_page_reads_no_empty_panel(client, cast):
    """Carers, treating hospitals and feedback asking for a reply are usually empty: a query
    of their own only when there is something to list."""
    bare = f.make_case(
        patient=f.make_patient(gp_practice=cast.paul_patient.gp_practice),
        team=cast.team,
        navigator=cast.nadia,
    )
    full = f.make_case(
        patient=f.make_patient(gp_practice=cast.paul_patient.gp_practice),
        team=cast.team,
        navigator=cast.nadia,
    )
    fill(full, cast, 1)
    client.force_login(cast.nadia)

    html = client.get(reverse("caseload:case_detail", args=[bare.id])).content.decode()

    assert "has not given anyone access to their record" in html
    assert overview_queries(client, cast.nadia, bare) <= CASE_PAGE_QUERIES_EMPTY_PANELS
    full_html = client.get(reverse("caseload:case_detail", args=[full.id])).content.decode()
    assert "Carer 0" in full_html and "Hospital 0" in full_html


@pytest.mark.parametrize("who", ["paul", "carol"])
def test_the_patient_and_their_carer_never_get_the_staff_hub(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id]), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "At a glance" not in html and "In this record" not in html
    assert reverse("patients:case_outbox", args=[cast.paul_case.id]) not in html
    assert reverse("careplans:offer_new", args=[cast.paul_case.id]) not in html


def test_the_assessment_line_is_read_with_the_counts(client, cast):
    """The last assessment sent, an open offer and one started and not sent are read in the
    page's one query of counts (when, and the distress score), not each by its key after."""
    from careplans.models import Assessment, AssessmentOffer, Questionnaire

    client.force_login(cast.nadia)
    url = reverse("caseload:case_detail", args=[cast.paul_case.id])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    questionnaire, _ = Questionnaire.objects.get_or_create(
        code="overview-test", version=1, defaults={"title": "Test checklist"}
    )
    sent_at = timezone.now() - dt.timedelta(days=3)
    Assessment.objects.create(
        case=cast.paul_case,
        questionnaire=questionnaire,
        completed_by=Assessment.CompletedBy.PATIENT,
        started_at=sent_at,
        submitted_at=sent_at,
        distress_score=7,
    )

    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()

    assert f"Last sent {timezone.localtime(sent_at):%-d %B %Y}, distress 7 out of 10." in html
    assert len(after.captured_queries) == len(before.captured_queries)

    started = Assessment.objects.create(
        case=cast.paul_case,
        questionnaire=questionnaire,
        completed_by=Assessment.CompletedBy.PATIENT,
        started_at=timezone.now() - dt.timedelta(days=1),
    )
    html = client.get(url).content.decode()
    assert f"Started {timezone.localtime(started.started_at):%-d %B %Y}, not sent yet." in html

    started.delete()
    offered_at = timezone.now() - dt.timedelta(days=2)
    AssessmentOffer.objects.create(
        case=cast.paul_case,
        offered_at=offered_at,
        offered_by=cast.nadia,
        take_by=timezone.localdate() + dt.timedelta(days=14),
    )
    html = client.get(url).content.decode()
    assert f"Offered {timezone.localtime(offered_at):%-d %B %Y}, not started." in html
