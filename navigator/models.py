"""Platform data every app may read: the calendar's days off."""

from django.db import models


class BankHoliday(models.Model):
    """A day that is not a working day, for one part of the UK. Loaded as data (from
    `navigator.bank_holidays`), editable in the admin as governments add days.

    Moved here from careplans so every app can count working days; it keeps its table.
    """

    class Division(models.TextChoices):
        ENGLAND_AND_WALES = "england-and-wales", "England and Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"

    division = models.CharField(max_length=20, choices=Division.choices)
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        db_table = "careplans_bankholiday"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["division", "date"], name="one_bank_holiday_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%-d %B %Y})"
