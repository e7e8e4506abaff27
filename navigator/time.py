"""The project's clock: the London time zone, local midnight, and working time.

The one place that knows what a day and a working hour are; every app uses these rather than
its own copy. Bank holidays are rows (`navigator.models.BankHoliday`) the caller reads and
passes in (`patients.selectors.bank_holidays_for` picks those where a patient lives), so these
stay pure functions.
"""

import datetime as dt
from collections.abc import Collection
from zoneinfo import ZoneInfo

# Every local day, time and working hour is London's (settings.TIME_ZONE).
LONDON = ZoneInfo("Europe/London")
SATURDAY = 5  # date.weekday(): Monday is 0


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in London: an event known only by its date happened at this moment."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


def is_working_day(day: dt.date, *, holidays: Collection[dt.date] = ()) -> bool:
    """Monday to Friday, and not one of `holidays`."""
    return day.weekday() < SATURDAY and day not in holidays


def add_working_hours(
    start: dt.datetime,
    hours: int,
    *,
    day_start_hour: int = 9,
    day_end_hour: int = 17,
    holidays: Collection[dt.date] = (),
) -> dt.datetime:
    """The moment `hours` working hours after `start`, counting Monday to Friday between
    `day_start_hour` and `day_end_hour` local (Europe/London) time, skipping `holidays`.

    Time outside working hours does not count: a flag raised on Friday evening with four
    hours to run falls due at 13:00 on Monday, or on Tuesday when Monday is a bank holiday.
    """
    current = start.astimezone(LONDON)
    remaining = dt.timedelta(hours=hours)

    def opening(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(day_start_hour), tzinfo=LONDON)

    def closing(day: dt.date) -> dt.datetime:
        if day_end_hour >= 24:
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
        return dt.datetime.combine(day, dt.time(day_end_hour), tzinfo=LONDON)

    while True:
        day = current.date()
        if not is_working_day(day, holidays=holidays) or current >= closing(day):
            day += dt.timedelta(days=1)
            while not is_working_day(day, holidays=holidays):
                day += dt.timedelta(days=1)
            current = opening(day)
            continue
        current = max(current, opening(day))
        available = closing(day) - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = closing(day)
