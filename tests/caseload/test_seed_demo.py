"""`manage.py seed_demo`: the demo `make run` opens on, each patient where their story says."""

import datetime as dt
import importlib
import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from appointments.models import ChaseTask, ItemKind, PathwayStandard, TrackedItem
from careplans.models import (
    Assessment,
    AssessmentOffer,
    CarePlan,
    CaseFlag,
    DirectoryService,
    PlanItem,
    ShareLink,
    Signpost,
)
from careplans.models.sharing import token_hash
from careplans.selectors import directory_match
from caseload.demo.setting import DEMO_PASSWORD
from caseload.demo.stories import CARER_EMAIL, STORIES
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.messaging.models import OutboundMessage
from navigator.organisations.models import Organisation
from patients.models import CarerAccess, Case, Patient, TimelineEvent
from patients.validators import nhs_number_is_valid
from tests.careplans.conftest import complete, reference_data_restore

pytestmark = pytest.mark.django_db

# A Tuesday morning in London, outside quiet hours.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
STORY = {story.letter: story for story in STORIES}


@pytest.fixture(autouse=True)
def reference_data(db: None) -> None:
    """Put back what the migrations load (checklist, waiting-time standards, follow-up rules,
    bank holidays) if a browser test's flush took it away: the demo is made on top of it."""
    reference_data_restore()
    if not PathwayStandard.objects.exists():
        importlib.import_module("appointments.migrations.0002_pathway_standards").load(apps, None)
    importlib.import_module("appointments.migrations.0004_follow_up_rules").load(apps, None)


@pytest.fixture
def seeded(time_machine) -> str:
    """The demo, made on an empty database at NOW; returns what it printed."""
    time_machine.move_to(NOW)
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def case_of(letter: str) -> Case:
    return Case.objects.get(patient__nhs_number=STORY[letter].person.nhs_number)


def counts() -> dict[str, int]:
    models = [
        User, EmailAddress, Organisation, Patient, Case, TimelineEvent, TrackedItem, ChaseTask,
        AssessmentOffer, Assessment, CaseFlag, CarePlan, PlanItem, Signpost, ShareLink,
        CarerAccess, DirectoryService, OutboundMessage, AuditEvent,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_it_seeds_an_empty_database_and_says_who_is_who(seeded):
    assert Case.objects.count() == len(STORIES) + 3
    for story in STORIES:
        assert f"({story.letter}) {story.person.full_name}" in seeded
        assert f"Sign in as {story.sign_in} to see" in seeded
    assert "print in this console" in seeded
    for email in ("nadia@example.test", "lena@example.test", "colin@example.test"):
        assert email in seeded
    # The GP's link, shown once, opens Harold's plan.
    (token,) = re.findall(r"http://\S+/gp/([\w-]+)/", seeded)
    assert ShareLink.objects.get(token_hash=token_hash(token)).case == case_of("d")


def test_running_it_twice_changes_nothing(seeded, time_machine):
    before = counts()
    time_machine.move_to(NOW + dt.timedelta(minutes=5))
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    assert "/gp/" not in out.getvalue()
    assert "share it again from his case" in out.getvalue()


def test_a_newly_diagnosed_patient_is_offered_a_needs_assessment_she_has_not_started(seeded):
    case = case_of("a")
    assert case.patient.user.email == STORY["a"].sign_in
    assert AssessmentOffer.objects.get(case=case).status == AssessmentOffer.Status.OFFERED
    assert not Assessment.objects.filter(case=case).exists()


def test_the_overdue_scan_result_is_being_chased(seeded):
    case = case_of("b")
    (item,) = TrackedItem.objects.overdue(today=timezone.localdate()).filter(case=case)
    assert item.kind == ItemKind.RESULT
    assert item.responsible_provider.email.endswith("example.test")
    assert ChaseTask.objects.open().get(item=item).assigned_to == case.navigator
    sent_to = set(OutboundMessage.objects.filter(kind__startswith="chase").values_list("kind"))
    assert {("chase_patient",), ("chase_provider",)} <= sent_to


def test_distress_8_flags_the_case_urgent_and_leaves_a_draft_plan(seeded):
    case = case_of("c")
    assert Assessment.objects.get(case=case).distress_score == 8
    assert CaseFlag.objects.open_urgent().filter(case=case).exists()
    assert CarePlan.objects.get(case=case).status == CarePlan.Status.DRAFT


def test_the_agreed_plan_is_shared_with_the_gp(seeded):
    case = case_of("d")
    plan = CarePlan.objects.get(case=case)
    assert plan.status == CarePlan.Status.AGREED
    link = ShareLink.objects.get(case=case)
    assert (link.plan, link.practice) == (plan, case.patient.gp_practice)
    assert link.revoked_at is None
    assert not CaseFlag.objects.open_urgent().filter(case=case).exists()


def test_discharge_scheduled_the_follow_ups(seeded):
    case = case_of("e")
    discharge = case.timeline.get(kind=TimelineEvent.Kind.DISCHARGE)
    follow_ups = TrackedItem.objects.open().filter(case=case, source_event=discharge)
    assert {ItemKind.CHECK_IN, ItemKind.FOLLOW_UP, ItemKind.TREATMENT_SUMMARY} <= set(
        follow_ups.values_list("kind", flat=True)
    )
    offer = AssessmentOffer.objects.get(case=case, status=AssessmentOffer.Status.OFFERED)
    assert offer.reason == AssessmentOffer.Reason.DISCHARGE


def test_the_carer_has_access_to_act_for_the_patient(seeded):
    case = case_of("f")
    grant = CarerAccess.objects.get(patient=case.patient, revoked_at__isnull=True)
    assert grant.carer.email == CARER_EMAIL == STORY["f"].sign_in
    assert grant.level == CarerAccess.Level.ACT


def test_a_fresh_plan_for_a_demo_patient_signposts_local_services(seeded):
    case = case_of("a")
    result = complete(
        case, case.patient.user, ratings={"money": 6, "tiredness": 5, "worry": 4}, distress=3
    )
    signposts = Signpost.objects.filter(item__plan=result.plan)
    assert signposts.exists()
    assert any("your area" in signpost.reasons for signpost in signposts)


def test_every_story_patient_lives_where_the_directory_has_local_services(seeded):
    for story in STORIES:
        person = story.person
        matches = directory_match(
            concern_codes=["money", "worry"],
            tumour_site=person.tumour_site,
            postcode=person.postcode,
            language="en",
        )
        assert any(match.is_local for match in matches), person.full_name


def test_demo_data_uses_only_demo_identifiers(seeded):
    for patient in Patient.objects.all():
        assert nhs_number_is_valid(patient.nhs_number), patient
        assert patient.nhs_number.startswith("999"), patient
        assert re.fullmatch(r"\+447700900\d{3}", patient.phone), patient
        assert patient.email == "" or patient.email.endswith("@example.test"), patient
    assert all(u.email.endswith("@example.test") for u in User.objects.all())
    assert all(o.email.endswith(".example.test") or o.email.endswith("@example.test")
               for o in Organisation.objects.all())  # fmt: skip


def test_staff_sign_in_with_the_demo_password_and_then_set_up_an_authenticator(seeded, client):
    response = client.post(
        reverse("account_login"), {"login": "nadia@example.test", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("caseload:worklist")).url == reverse("mfa_activate_totp")
