"""Working-time arithmetic: the one place that knows what a working hour is."""

import datetime as dt
from collections.abc import Collection
from zoneinfo import ZoneInfo

from django.conf import settings

SATURDAY = 5  # date.weekday(): Monday is 0


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
    The caller passes the holidays (`careplans.selectors.bank_holidays`), so this stays a pure
    function.
    """
    tz = ZoneInfo(settings.TIME_ZONE)
    current = start.astimezone(tz)
    remaining = dt.timedelta(hours=hours)

    def opening(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(day_start_hour), tzinfo=tz)

    def closing(day: dt.date) -> dt.datetime:
        if day_end_hour >= 24:
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        return dt.datetime.combine(day, dt.time(day_end_hour), tzinfo=tz)

    def is_working_day(day: dt.date) -> bool:
        return day.weekday() < SATURDAY and day not in holidays

    while True:
        day = current.date()
        if not is_working_day(day) or current >= closing(day):
            day += dt.timedelta(days=1)
            while not is_working_day(day):
                day += dt.timedelta(days=1)
            current = opening(day)
            continue
        current = max(current, opening(day))
        available = closing(day) - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        current = closing(day)
