"""The national dataset's codes for our words, and the personalised care return built from them."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from careplans import cosd, services
from careplans.models import Assessment, AssessmentOffer, CarePlan
from navigator.accounts.models import STAFF_ROLES
from navigator.audit.models import AuditEvent
from tests.careplans.conftest import complete

LONDON = ZoneInfo("Europe/London")
URL = "/care-plans/personalised-care-return/"


def test_every_offer_status_has_a_dataset_code():
    for status in Assessment.OfferStatus.values:
        assert cosd.hna_offer_status_code(status) in cosd.OFFER_STATUS_LABELS


def test_every_point_of_pathway_has_its_own_dataset_code():
    codes = [cosd.point_of_pathway_code(p) for p in Assessment.PathwayPoint.values]
    assert all(code in cosd.POINT_OF_PATHWAY_LABELS and code != "97" for code in codes)
    assert len(set(codes)) == len(codes)


def test_every_staff_role_and_plan_status_has_a_dataset_code():
    for role in STAFF_ROLES:
        assert cosd.staff_role_code(role) in cosd.STAFF_ROLE_LABELS
    assert cosd.staff_role_code("navigator") == "04"  # the dataset's care navigator
    assert cosd.staff_role_code(None) == "09"
    for status in CarePlan.Status.values:
        assert cosd.pcsp_offer_status_code(status) in cosd.OFFER_STATUS_LABELS


def test_the_codes_are_the_published_ones():
    assert cosd.hna_offer_status_code("offered") == "01"
    assert cosd.hna_offer_status_code("declined") == "02"
    assert cosd.hna_offer_status_code("accepted") == "03"
    assert cosd.hna_offer_status_code("not_offered") == "04"
    assert cosd.hna_offer_status_code("unable") == "05"
    assert cosd.point_of_pathway_code("diagnosis") == "01"
    assert cosd.point_of_pathway_code("end_of_treatment") == "04"
    assert cosd.point_of_pathway_code("prehabilitation") == "07"


def _quarter_of_events(cast):
    """An offer Nadia made (accepted, completed) and the plan it drafted, agreed by phone; an
    offer in another team's case."""
    with time_machine.travel(dt.datetime(2026, 4, 2, 10, tzinfo=LONDON), tick=False):
        offer = services.assessment_offer(
            case=cast.paul_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.nadia
        )
        submitted = complete(cast.paul_case, cast.paul, ratings={"money": 7}, distress=3)
        plan = submitted.plan
        plan.refresh_from_db()
        services.care_plan_agree(
            plan=plan, lock_version=plan.lock_version, actor=cast.nadia, how="by_phone"
        )
        services.assessment_offer(
            case=cast.olive_case, reason=AssessmentOffer.Reason.DIAGNOSIS, actor=cast.oscar
        )
    return offer


@pytest.mark.django_db
def test_the_return_has_the_datasets_columns_and_one_coded_row_per_event(client, cast):
    _quarter_of_events(cast)
    client.force_login(cast.lena)
    response = client.get(URL, {"team": str(cast.team.pk), "quarter": "2026-04-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == cosd.RETURN_COLUMNS
    nhs, ods = cast.paul_patient.nhs_number, cast.team.organisation.ods_code
    assert rows[1:] == [
        [nhs, ods, "HNA", "2026-04-02", "03", "01", "04", "2026-04-02"],
        [nhs, ods, "PCSP", "2026-04-02", "03", "01", "04", "2026-04-02"],
    ]
    exported = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert [(e.patient_id, e.actor_id) for e in exported] == [(cast.paul_patient.pk, cast.lena.pk)]


@pytest.mark.django_db
def test_only_a_team_lead_reaches_the_return_and_only_for_their_teams(client, cast):
    for user in (cast.nadia, cast.colin, cast.oscar, cast.paul, cast.carol):
        client.force_login(user)
        assert client.get(URL).status_code == 404
    client.force_login(cast.lena)
    page = client.get(URL).content.decode()
    assert cast.team.name in page and cast.other_team.name not in page
    refused = client.get(URL, {"team": str(cast.other_team.pk), "quarter": "2026-04-01"})
    assert refused.status_code == 200 and "text/html" in refused["Content-Type"]
    assert "Select a valid choice" in refused.content.decode()


@pytest.mark.django_db
def test_the_team_worklist_links_to_the_return(client, cast):
    client.force_login(cast.lena)
    assert URL in client.get("/cases/worklist/").content.decode()
    client.force_login(cast.nadia)
    assert URL not in client.get("/cases/worklist/").content.decode()


@pytest.mark.django_db
def test_the_command_writes_the_return_for_a_team_and_refuses_bad_dates(cast, tmp_path):
    _quarter_of_events(cast)
    out = tmp_path / "return.csv"
    call_command(
        "personalised_care_return",
        "--from=2026-04-01",
        "--to=2026-06-30",
        f"--team={cast.other_team.pk}",
        f"--output={out}",
    )
    rows = list(csv.reader(out.open()))
    assert tuple(rows[0]) == cosd.RETURN_COLUMNS
    assert [r[0] for r in rows[1:]] == [cast.olive_patient.nhs_number]
    assert rows[1][4] == "01"  # offered, not yet taken up
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("personalised_care_return", "--from=April", "--to=2026-06-30")
    with pytest.raises(CommandError, match="on or after"):
        call_command("personalised_care_return", "--from=2026-06-30", "--to=2026-04-01")
    with pytest.raises(CommandError, match="No team"):
        call_command(
            "personalised_care_return", "--from=2026-04-01", "--to=2026-06-30", "--team=nope"
        )
