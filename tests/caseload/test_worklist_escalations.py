"""The team lead's landing: what was escalated in the teams they lead comes first on the worklist,
marked escalated, with who was meant to act and since when."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from appointments.models import ChaseTask, ItemKind, ItemState, TrackedItem
from careplans.models import CaseFlag
from caseload.worklist import escalations_for_lead
from tests import factories as f

pytestmark = pytest.mark.django_db

WORKLIST = reverse("caseload:worklist")
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def flag(case, *, escalated: bool, acknowledged: bool = False) -> CaseFlag:
    return CaseFlag.objects.create(
        case=case,
        kind=CaseFlag.Kind.URGENT_DISTRESS,
        reason="Distress score 8 out of 10",
        raised_at=NOW - dt.timedelta(hours=6),
        escalate_after=NOW - dt.timedelta(hours=2),
        escalated_at=NOW - dt.timedelta(hours=1) if escalated else None,
        acknowledged_at=NOW if acknowledged else None,
    )


def escalated_chase(case, assigned_to, lead) -> ChaseTask:
    item = TrackedItem.objects.create(
        case=case,
        kind=ItemKind.RESULT,
        state=ItemState.DONE,
        title="Your scan result",
        expected_by=NOW.date() - dt.timedelta(days=10),
        escalated_at=NOW,
    )
    return ChaseTask.objects.create(
        item=item, assigned_to=assigned_to, escalated_to=lead, escalated_at=NOW
    )


def test_the_lead_sees_escalations_first_with_who_was_meant_to_act(client, cast):
    flag(cast.paul_case, escalated=True)
    task = escalated_chase(cast.paul_case, cast.nadia, cast.lena)
    client.force_login(cast.lena)

    response = client.get(WORKLIST, {"scope": "team"})

    html = response.content.decode()
    assert [e.flag or e.task for e in response.context["escalations"]][1] == task
    section = html[html.index('id="escalated"') : html.index('id="worklist-counts"')]
    assert "Escalated: 2 waiting for you" in section
    assert section.count(">Escalated</strong>") == 2
    assert "High distress or a severe concern" in section and "Overdue: Your scan result" in section
    assert section.count("Nadia Khan") == 2
    assert "Raised 24 November 2026, 09:00" in section
    assert "Due 14 November 2026" in section
    assert reverse("careplans:assessment_list", args=[cast.paul_case.id]) in section
    assert reverse("appointments:chase_record", args=[task.id]) in section
    # Before the counts and the table: the first thing on the page after the heading.
    assert html.index('id="escalated"') < html.index('id="worklist-results"')


def test_only_escalated_open_flags_count(client, cast):
    flag(cast.paul_case, escalated=False)
    other = f.make_case(patient=f.make_patient(), team=cast.team, navigator=cast.nadia)
    flag(other, escalated=True, acknowledged=True)
    assert escalations_for_lead(user=cast.lena) == []
    client.force_login(cast.lena)
    assert "Nothing is escalated in the teams you lead" in client.get(WORKLIST).content.decode()


def test_a_navigator_who_leads_no_team_gets_no_escalations_section(client, cast):
    flag(cast.paul_case, escalated=True)
    client.force_login(cast.nadia)
    html = client.get(WORKLIST).content.decode()
    assert 'id="escalated"' not in html


def test_a_lead_sees_no_other_teams_escalations(cast):
    flag(cast.olive_case, escalated=True)
    escalated_chase(cast.olive_case, cast.oscar, None)
    assert escalations_for_lead(user=cast.lena) == []


def test_the_escalated_case_is_marked_escalated_in_the_team_list_too(client, cast):
    flag(cast.paul_case, escalated=True)
    quiet = f.make_case(patient=f.make_patient(given="Ben"), team=cast.team, navigator=cast.nadia)
    client.force_login(cast.lena)

    response = client.get(WORKLIST, {"scope": "team"})

    escalated = {row.case.pk: row.escalated for row in response.context["rows"]}
    assert escalated == {cast.paul_case.pk: True, quiet.pk: False}
    table = response.content.decode().split('id="worklist-results"')[1]
    assert table.count('<strong class="nhsuk-tag nhsuk-tag--red">Escalated</strong>') == 1
