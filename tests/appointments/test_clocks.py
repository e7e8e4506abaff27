"""Pathway clocks per nation, from timeline events, on a frozen clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from appointments.clocks import ClockStatus, case_clocks
from appointments.models import PathwayStandard
from patients.models import TimelineEvent
from patients.services import timeline_event_add

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(
        dt.datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def record(case, by, kind: str, day: dt.date) -> None:
    timeline_event_add(case=case, by=by, kind=kind, occurred_at=day, summary=kind)


def clocks_by_code(case):
    return {clock.standard.code: clock for clock in case_clocks(case)}


def in_nation(cast, nation: str):
    cast.paul_patient.nation = nation
    cast.paul_patient.save()
    return cast.paul_case


def test_each_nation_has_its_standards_as_data():
    codes = {
        nation: sorted(PathwayStandard.objects.filter(nation=nation).values_list("code", flat=True))
        for nation in ("england", "scotland", "wales", "northern_ireland")
    }
    assert codes == {
        "england": ["DTT31", "FDS28", "URG62"],
        "scotland": ["DTT31", "URG62"],
        "wales": ["SCP62"],
        "northern_ireland": ["DTT31", "URG62"],
    }
    for standard in PathwayStandard.objects.all():
        standard.clean()  # every kind named is a real timeline kind


def test_no_clock_runs_before_a_start_event(cast):
    assert case_clocks(cast.paul_case) == []
    record(cast.paul_case, cast.nadia, "note", days_ago(3))
    assert case_clocks(cast.paul_case) == []


def test_england_urgent_referral_starts_the_28_and_62_day_clocks(cast):
    record(cast.paul_case, cast.nadia, "urgent_referral", days_ago(20))

    clocks = clocks_by_code(cast.paul_case)

    assert set(clocks) == {"FDS28", "URG62"}
    fds = clocks["FDS28"]
    assert (fds.days_elapsed, fds.days_left, fds.status) == (20, 8, ClockStatus.RUNNING)
    assert fds.target_date == days_ago(20) + dt.timedelta(days=28)
    assert (clocks["URG62"].days_left, clocks["URG62"].status) == (42, ClockStatus.RUNNING)


@pytest.mark.parametrize(
    ("referred_days_ago", "status", "days_left"),
    [
        (20, ClockStatus.RUNNING, 8),
        (21, ClockStatus.NEARING, 7),
        (28, ClockStatus.NEARING, 0),
        (29, ClockStatus.MISSED, 0),
    ],
)
def test_england_28_day_clock_nears_then_passes_its_limit(
    cast, referred_days_ago, status, days_left
):
    record(cast.paul_case, cast.nadia, "urgent_referral", days_ago(referred_days_ago))
    fds = clocks_by_code(cast.paul_case)["FDS28"]
    assert (fds.status, fds.days_left, fds.is_running) == (status, days_left, True)
    assert fds.days_over == max(referred_days_ago - 28, 0)


def test_england_diagnosis_stops_the_28_day_clock_met_or_missed(cast):
    record(cast.paul_case, cast.nadia, "urgent_referral", days_ago(40))
    record(cast.paul_case, cast.nadia, "diagnosis", days_ago(15))  # day 25

    fds = clocks_by_code(cast.paul_case)["FDS28"]
    assert (fds.stopped_on, fds.days_elapsed, fds.status) == (days_ago(15), 25, ClockStatus.MET)
    assert fds.days_left is None and not fds.is_running

    # Corrected: the diagnosis was later, on day 31. The clock follows the timeline.
    TimelineEvent.objects.filter(kind="diagnosis").update(
        occurred_at=dt.datetime.combine(days_ago(9), dt.time(), ZoneInfo("Europe/London"))
    )
    fds = clocks_by_code(cast.paul_case)["FDS28"]
    assert (fds.days_elapsed, fds.days_over, fds.status) == (31, 3, ClockStatus.MISSED)


def test_england_31_day_clock_from_decision_to_first_treatment(cast):
    record(cast.paul_case, cast.nadia, "decision_to_treat", days_ago(10))
    clocks = clocks_by_code(cast.paul_case)
    assert set(clocks) == {"DTT31"}
    assert (clocks["DTT31"].days_left, clocks["DTT31"].status) == (21, ClockStatus.RUNNING)

    record(cast.paul_case, cast.nadia, "first_treatment", days_ago(1))
    dtt = clocks_by_code(cast.paul_case)["DTT31"]
    assert (dtt.days_elapsed, dtt.status) == (9, ClockStatus.MET)


def test_an_end_event_before_the_start_does_not_stop_the_clock(cast):
    record(cast.paul_case, cast.nadia, "first_treatment", days_ago(30))  # an earlier episode
    record(cast.paul_case, cast.nadia, "decision_to_treat", days_ago(5))
    dtt = clocks_by_code(cast.paul_case)["DTT31"]
    assert dtt.is_running and dtt.days_elapsed == 5


@pytest.mark.parametrize("nation", ["scotland", "northern_ireland"])
def test_scotland_and_northern_ireland_have_31_and_62_day_clocks_only(cast, nation):
    case = in_nation(cast, nation)
    record(case, cast.nadia, "urgent_referral", days_ago(50))
    record(case, cast.nadia, "diagnosis", days_ago(40))
    record(case, cast.nadia, "decision_to_treat", days_ago(26))

    clocks = clocks_by_code(case)

    assert set(clocks) == {"URG62", "DTT31"}
    assert (clocks["URG62"].days_elapsed, clocks["URG62"].status) == (50, ClockStatus.NEARING)
    assert (clocks["DTT31"].days_left, clocks["DTT31"].status) == (5, ClockStatus.NEARING)


def test_wales_single_cancer_pathway_starts_at_any_referral(cast):
    case = in_nation(cast, "wales")
    record(case, cast.nadia, "referral", days_ago(70))  # a routine referral still starts it

    clocks = clocks_by_code(case)

    assert set(clocks) == {"SCP62"}
    scp = clocks["SCP62"]
    assert (scp.days_elapsed, scp.days_over, scp.status) == (70, 8, ClockStatus.MISSED)

    record(case, cast.nadia, "first_treatment", days_ago(10))
    scp = clocks_by_code(case)["SCP62"]
    assert (scp.days_elapsed, scp.status) == (60, ClockStatus.MET)


def test_wales_takes_the_earliest_point_of_suspicion(cast):
    case = in_nation(cast, "wales")
    record(case, cast.nadia, "urgent_referral", days_ago(10))
    record(case, cast.nadia, "referral", days_ago(30))
    assert clocks_by_code(case)["SCP62"].started_on == days_ago(30)


def test_a_changed_standard_changes_the_clock(cast):
    PathwayStandard.objects.filter(nation="england", code="FDS28").update(
        length_days=21, warn_at_days=14
    )
    record(cast.paul_case, cast.nadia, "urgent_referral", days_ago(15))
    fds = clocks_by_code(cast.paul_case)["FDS28"]
    assert (fds.days_left, fds.status) == (6, ClockStatus.NEARING)


def test_clocks_take_two_queries(cast, django_assert_num_queries):
    for kind, n in (("urgent_referral", 20), ("diagnosis", 5), ("decision_to_treat", 3)):
        record(cast.paul_case, cast.nadia, kind, days_ago(n))
    case = type(cast.paul_case).objects.select_related("patient").get(pk=cast.paul_case.pk)
    with django_assert_num_queries(2):
        assert len(case_clocks(case)) == 3
