from django.core.exceptions import ValidationError
from django.db import models

from patients.models import Nation, TimelineEvent


class PathwayStandard(models.Model):
    """A waiting-time standard for one nation: how long from one kind of event to another.

    The rules differ by nation and change with policy, so they are rows, not code (loaded by
    migration 0002 and editable in the admin). A clock starts at the earliest timeline event of a
    start kind and stops at the first event of an end kind on or after that day.

    Rules:
    - `warn_at_days` is the day from which a running clock shows as nearing the limit;
    - the description is read by patients: plain English, no abbreviations.
    """

    nation = models.CharField(max_length=20, choices=Nation.choices)
    code = models.CharField(max_length=20, help_text="Short name, such as FDS28.")
    name = models.CharField(max_length=100)
    description = models.TextField(help_text="What it means, for patients (reading age about 9).")
    start_kinds = models.JSONField(help_text="Timeline event kinds that start the clock.")
    end_kinds = models.JSONField(help_text="Timeline event kinds that stop the clock.")
    length_days = models.PositiveSmallIntegerField()
    warn_at_days = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["nation", "order", "length_days"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "code"], name="one_standard_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.get_nation_display()}: {self.name}"

    def clean(self) -> None:
        kinds = set(TimelineEvent.Kind.values)
        for field in ("start_kinds", "end_kinds"):
            value = getattr(self, field)
            if not isinstance(value, list) or not value or not set(value) <= kinds:
                raise ValidationError({field: f"A list of timeline kinds from: {sorted(kinds)}."})
        if self.warn_at_days > self.length_days:
            raise ValidationError({"warn_at_days": "Warn on or before the last day."})
