"""The FHIR API on the demo data (`seed_demo`): every resource each person may see validates
against the R4 models and UK Core's requirements, and every address in it is served."""

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from appointments.models import PathwayStandard
from caseload.demo.stories import CARER_EMAIL, STORIES
from navigator.accounts.models import User
from tests.careplans.conftest import reference_data_restore
from tests.factories import enrol_totp
from tests.fhir.test_resources import check_everything_served

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def seeded(db: None, time_machine) -> None:
    reference_data_restore()
    if not PathwayStandard.objects.exists():
        importlib.import_module("appointments.migrations.0002_pathway_standards").load(apps, None)
    importlib.import_module("appointments.migrations.0004_follow_up_rules").load(apps, None)
    time_machine.move_to(NOW)
    call_command("seed_demo", stdout=io.StringIO())


def test_every_resource_on_the_demo_validates_and_resolves(client, seeded):
    navigator = check_everything_served_as(client, "nadia@example.test")
    # The navigator's caseload has every kind of record the API serves about patients.
    assert {"Patient", "CarePlan", "Goal", "QuestionnaireResponse", "Appointment", "Task",
            "ServiceRequest", "Communication", "DocumentReference", "Consent",
            "PractitionerRole"} <= set(navigator)  # fmt: skip
    patient = check_everything_served_as(client, STORIES[3].sign_in)
    assert patient["Patient"] == 1
    carer = check_everything_served_as(client, CARER_EMAIL)
    assert carer["Patient"] >= 1


def check_everything_served_as(client, email: str) -> dict[str, int]:
    user = User.objects.get(email=email)
    if user.is_staff_role and not user.has_mfa:
        enrol_totp(user)  # the demo's staff enrol on first sign-in
    client.force_login(user)
    return check_everything_served(client)
