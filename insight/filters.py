"""The filters a manager chooses (team, tumour site, period, area) and the form that reads them.

A period is one quarter of the year (January to March, April to June, ...), never two that
overlap, so no two periods differ by a few people's records; "All time" is no period filter.
Area is the patient's GP practice: the records hold a practice for each patient, and no local
authority (a postcode alone does not name one without a lookup table we do not hold)."""

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, fields
from typing import Any, cast

from django import forms
from django.utils import timezone

from navigator.organisations.models import Organisation, Team
from patients.models import Case

QUARTERS_OFFERED = 8
DIMENSIONS = ("team", "tumour_site", "area", "period")
DIMENSION_NAMES = {
    "team": "Team",
    "tumour_site": "Tumour site",
    "area": "Area (GP practice)",
    "period": "Period",
}


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(start: dt.date) -> dt.date:
    """The first day after the quarter starting on `start`."""
    month = start.month + 3
    return dt.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)


def quarter_label(start: dt.date) -> str:
    last = quarter_end(start) - dt.timedelta(days=1)
    return f"{start:%B} to {last:%B} {start.year}"


def recent_quarters(today: dt.date | None = None) -> list[dt.date]:
    start = quarter_start(today or timezone.localdate())
    quarters = []
    for _ in range(QUARTERS_OFFERED):
        quarters.append(start)
        start = quarter_start(start - dt.timedelta(days=1))
    return quarters


@dataclass(frozen=True)
class Filters:
    team: str = ""  # a team's id
    tumour_site: str = ""
    area: str = ""  # a GP practice's id
    period: str = ""  # the first day of a quarter, ISO

    def chosen(self) -> dict[str, Hashable]:
        """The filters that are set, as the values the figures group by."""
        values: dict[str, Hashable] = {}
        for name in DIMENSIONS:
            value = getattr(self, name)
            if value:
                values[name] = dt.date.fromisoformat(value) if name == "period" else value
        return values

    def without(self, name: str) -> "Filters":
        return Filters(
            **{f.name: ("" if f.name == name else getattr(self, f.name)) for f in fields(self)}
        )

    def query(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


class InsightFilterForm(forms.Form):
    """The filters, from the query string. An unknown value is refused with a message and the
    figures are shown for everything instead."""

    team = forms.ChoiceField(label="Team", required=False)
    tumour_site = forms.ChoiceField(label="Tumour site", required=False)
    period = forms.ChoiceField(label="Period", required=False)
    area = forms.ChoiceField(label="Area (GP practice)", required=False)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        teams = Team.objects.order_by("name").values_list("pk", "name")
        self._choices("team", "All teams", [(str(pk), name) for pk, name in teams])
        sites = Case.objects.order_by("tumour_site").values_list("tumour_site", flat=True)
        self._choices("tumour_site", "All tumour sites", [(s, s) for s in sites.distinct()])
        quarters = [(q.isoformat(), quarter_label(q)) for q in recent_quarters()]
        self._choices("period", "All time", quarters)
        practices = Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE)
        self._choices(
            "area",
            "All areas",
            [(str(pk), name) for pk, name in practices.order_by("name").values_list("pk", "name")],
        )

    def _choices(self, name: str, everything: str, choices: list[tuple[str, str]]) -> None:
        field = cast(forms.ChoiceField, self.fields[name])
        field.choices = [("", everything), *choices]

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        return Filters(**{name: self.cleaned_data.get(name) or "" for name in DIMENSIONS})
