"""Working time and the calendar (navigator.time, navigator.models.BankHoliday)."""

import datetime as dt

import pytest

from navigator.models import BankHoliday
from navigator.time import LONDON, add_working_hours, local_midnight
from patients.selectors import bank_holidays_for
from tests.careplans.conftest import reference_data_restore


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def migrated_bank_holidays(db: None) -> None:
    """The rows migrations load, put back if a transactional test elsewhere flushed them."""
    reference_data_restore()


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2025, 3, 3, 10), 4, at(2025, 3, 3, 14)),  # Monday morning, same day
        (at(2025, 3, 3, 15), 4, at(2025, 3, 4, 11)),  # runs over into Tuesday
        (at(2025, 3, 7, 16), 4, at(2025, 3, 10, 12)),  # Friday afternoon into Monday
        (at(2025, 3, 8, 11), 4, at(2025, 3, 10, 13)),  # raised on Saturday
        (at(2025, 3, 3, 6), 2, at(2025, 3, 3, 11)),  # before the day starts
        (at(2025, 3, 28, 16), 2, at(2025, 3, 31, 10)),  # across the clocks going forward
    ],
)
def test_working_hours_skip_nights_and_weekends(start, hours, due):
    assert add_working_hours(start, hours) == due


def test_local_midnight_is_the_start_of_the_day_in_london_summer_or_winter():
    assert local_midnight(dt.date(2025, 7, 1)) == dt.datetime(2025, 6, 30, 23, tzinfo=dt.UTC)
    assert local_midnight(dt.date(2025, 12, 1)) == dt.datetime(2025, 12, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(2025, 4, 17, 15), 4, at(2025, 4, 22, 11)),  # Thursday before Good Friday and Easter
        (at(2025, 12, 24, 16), 2, at(2025, 12, 29, 10)),  # Christmas Eve into the next week
        (at(2026, 12, 24, 16), 2, at(2026, 12, 29, 10)),  # Boxing Day's substitute Monday
        (at(2027, 5, 28, 16), 2, at(2027, 6, 1, 10)),  # Spring bank holiday Monday
    ],
)
@pytest.mark.usefixtures("migrated_bank_holidays")
def test_working_hours_skip_bank_holidays(start, hours, due):
    holidays = bank_holidays_for("england")
    assert add_working_hours(start, hours, holidays=holidays) == due


@pytest.mark.usefixtures("migrated_bank_holidays")
def test_the_bank_holidays_for_england_and_wales_cover_2025_to_2027():
    days = BankHoliday.objects.filter(division="england-and-wales")
    assert {d.year for d in days.values_list("date", flat=True)} == {2025, 2026, 2027}
    assert days.filter(date__year=2026).count() == 8
    assert days.filter(date=dt.date(2027, 3, 26), name="Good Friday").exists()
