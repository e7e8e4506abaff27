import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from careplans import services
from careplans.models import CaseFlag, TriageSettings
from careplans.selectors import flags_for_worklist
from careplans.tasks import escalate_unacknowledged_flags
from navigator.audit.models import AuditEvent
from patients.models import Case
from tests.careplans.conftest import complete

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def test_distress_at_the_threshold_flags_the_case_at_once(cast):
    with time_machine.travel(at(2025, 3, 3, 10), tick=False):
        result = complete(cast.paul_case, cast.paul, ratings={"money": 2}, distress=4)
    flag = result.flag
    assert flag is not None
    assert flag.kind == CaseFlag.Kind.URGENT_DISTRESS
    assert "Distress score 4 out of 10" in flag.reason
    assert flag.escalate_after == at(2025, 3, 3, 14)
    assert CaseFlag.objects.open_urgent().filter(case=cast.paul_case).exists()
    assert list(flags_for_worklist(Case.objects.filter(team=cast.team))) == [flag]
    assert AuditEvent.objects.filter(object_type="careplans.caseflag").count() == 1


def test_low_scores_do_not_flag(cast):
    result = complete(cast.paul_case, cast.paul, ratings={"money": 6}, distress=3)
    assert result.flag is None
    assert not CaseFlag.objects.exists()


def test_a_concern_rated_at_the_high_mark_flags_even_with_low_distress(cast):
    result = complete(cast.paul_case, cast.paul, ratings={"pain": 7}, distress=1)
    assert result.flag is not None
    assert "“Pain” rated 7 out of 10" in result.flag.reason


def test_thresholds_are_the_teams_own(cast):
    TriageSettings.objects.create(team=cast.team, distress_threshold=8, high_rating=9)
    assert complete(cast.paul_case, cast.paul, ratings={"pain": 8}, distress=7).flag is None
    assert complete(cast.paul_case, cast.paul, ratings={"pain": 9}, distress=1).flag is not None


def test_a_second_trigger_adds_to_the_open_flag(cast):
    first = complete(cast.paul_case, cast.paul, ratings={}, distress=8).flag
    second = complete(cast.paul_case, cast.paul, ratings={}, distress=9).flag
    assert first == second
    assert CaseFlag.objects.count() == 1
    assert "Distress score 9" in CaseFlag.objects.get().reason


def test_an_unacknowledged_flag_escalates_to_the_lead_after_working_hours(cast):
    with time_machine.travel(at(2025, 3, 7, 16), tick=False):  # Friday 4pm
        flag = complete(cast.paul_case, cast.paul, ratings={}, distress=8).flag
    assert flag.escalate_after == at(2025, 3, 10, 12)  # 1 hour Friday, 3 hours Monday

    with time_machine.travel(at(2025, 3, 10, 11, 59), tick=False):
        assert escalate_unacknowledged_flags() == 0
    with time_machine.travel(at(2025, 3, 10, 12, 0), tick=False):
        assert escalate_unacknowledged_flags() == 1
        assert escalate_unacknowledged_flags() == 0  # once only
    flag.refresh_from_db()
    assert flag.escalated_to == cast.lena
    assert flag.escalated_at == at(2025, 3, 10, 12)
    assert AuditEvent.objects.filter(summary__contains="escalated to Lena Ward").exists()


def test_an_acknowledged_flag_does_not_escalate(cast):
    with time_machine.travel(at(2025, 3, 3, 9), tick=False):
        flag = complete(cast.paul_case, cast.paul, ratings={}, distress=8).flag
        services.case_flag_acknowledge(flag=flag, actor=cast.nadia)
    with time_machine.travel(at(2025, 3, 5, 9), tick=False):
        assert escalate_unacknowledged_flags() == 0
    flag.refresh_from_db()
    assert flag.acknowledged_by == cast.nadia
    assert flag.escalated_at is None
    assert not CaseFlag.objects.open_urgent().filter(case=cast.paul_case).exists()


def test_escalation_notifies_the_lead_once_with_no_clinical_detail(cast):
    from navigator.messaging.models import OutboundMessage

    # Thursday 16:00 before Easter 2025: 1 hour Thursday, then Good Friday and Easter Monday
    # are not working days, so 3 more hours on Tuesday.
    with time_machine.travel(at(2025, 4, 17, 16), tick=False):
        flag = complete(
            cast.paul_case, cast.paul, ratings={"money": 9}, distress=9, priorities=("money",)
        ).flag
    assert flag.escalate_after == at(2025, 4, 22, 12)
    with time_machine.travel(at(2025, 4, 21, 16), tick=False):  # Easter Monday
        assert escalate_unacknowledged_flags() == 0
    assert not OutboundMessage.objects.filter(kind="flag_escalated").exists()
    with time_machine.travel(at(2025, 4, 22, 12), tick=False):
        assert escalate_unacknowledged_flags() == 1
        assert escalate_unacknowledged_flags() == 0
    message = OutboundMessage.objects.get(kind="flag_escalated")
    assert message.to_address == cast.lena.email
    assert message.idempotency_key == f"flag-escalated:{flag.pk}"
    # It lands on the lead's worklist, where escalations come first.
    assert "/cases/worklist/?scope=team#escalated" in message.body
    for clinical in (
        "Distress",
        "distress score",
        "money",
        "9 out of",
        cast.paul_patient.full_name,
    ):
        assert clinical not in message.body
        assert clinical not in message.subject


def test_a_team_with_no_lead_escalates_without_a_message(cast):
    from navigator.messaging.models import OutboundMessage
    from navigator.organisations.models import Membership

    Membership.objects.filter(user=cast.lena).update(is_lead=False)
    with time_machine.travel(at(2025, 3, 3, 9), tick=False):
        complete(cast.paul_case, cast.paul, ratings={}, distress=8)
    with time_machine.travel(at(2025, 3, 4, 9), tick=False):
        assert escalate_unacknowledged_flags() == 1
    assert not OutboundMessage.objects.filter(kind="flag_escalated").exists()
    assert AuditEvent.objects.filter(summary__contains="no team lead").exists()
