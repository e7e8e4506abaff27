"""Pathway clocks: where a case stands against its nation's waiting-time standards.

A clock is computed, never stored: it follows from the case's timeline events and the
`PathwayStandard` rows for the patient's nation, so correcting an event's date corrects the clock.
Days are calendar days in Europe/London, counted from the day of the start event (day 0).
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from appointments.models import PathwayStandard
from patients.models import Case, TimelineEvent


class ClockStatus(StrEnum):
    RUNNING = "running"
    NEARING = "nearing"  # still running, past the standard's warning day
    MET = "met"  # stopped within the standard
    MISSED = "missed"  # stopped late, or still running past the standard


@dataclass(frozen=True)
class PathwayClock:
    standard: PathwayStandard
    started_on: dt.date
    stopped_on: dt.date | None
    days_elapsed: int
    status: ClockStatus

    @property
    def is_running(self) -> bool:
        return self.stopped_on is None

    @property
    def days_left(self) -> int | None:
        """Days until the standard's limit while running; 0 once past it; None when stopped."""
        if not self.is_running:
            return None
        return max(self.standard.length_days - self.days_elapsed, 0)

    @property
    def days_over(self) -> int:
        return max(self.days_elapsed - self.standard.length_days, 0)

    @property
    def target_date(self) -> dt.date:
        return self.started_on + dt.timedelta(days=self.standard.length_days)


def clock_for(
    standard: PathwayStandard, events: list[tuple[str, dt.date]], *, today: dt.date
) -> PathwayClock | None:
    """The clock for one standard, from (kind, date) pairs; None if it has not started.

    The rule is the standard's (see `PathwayStandard`); `PathwayStandard.running_start_events`
    is the same rule in SQL, for lists of cases (the worklist). Change both together.
    """
    starts = [day for kind, day in events if kind in standard.start_kinds]
    if not starts:
        return None
    started_on = min(starts)
    ends = [day for kind, day in events if kind in standard.end_kinds and day >= started_on]
    stopped_on = min(ends) if ends else None
    days = ((stopped_on or today) - started_on).days
    if days > standard.length_days:
        status = ClockStatus.MISSED
    elif stopped_on is not None:
        status = ClockStatus.MET
    elif days >= standard.warn_at_days:
        status = ClockStatus.NEARING
    else:
        status = ClockStatus.RUNNING
    return PathwayClock(standard, started_on, stopped_on, days, status)


def case_clocks(case: Case, *, today: dt.date | None = None) -> list[PathwayClock]:
    """Every started clock for `case`, in the standards' order. Two queries."""
    today = today or timezone.localdate()
    standards = list(PathwayStandard.objects.filter(nation=case.patient.nation))
    kinds = {kind for s in standards for kind in (*s.start_kinds, *s.end_kinds)}
    if not kinds:
        return []
    events = [
        (kind, timezone.localdate(at))
        for kind, at in TimelineEvent.objects.filter(case=case, kind__in=kinds).values_list(
            "kind", "occurred_at"
        )
    ]
    clocks = (clock_for(standard, events, today=today) for standard in standards)
    return [clock for clock in clocks if clock is not None]
