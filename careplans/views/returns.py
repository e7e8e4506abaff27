"""The personalised care return for a team lead: choose a team and a quarter, download the CSV
(`careplans.services.returns`). Reached from the team worklist."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from careplans.services.returns import personalised_care_return_csv
from navigator.http import AuthenticatedHttpRequest
from navigator.organisations.models import Team

# How many quarters back a lead may choose.
QUARTERS_SHOWN = 8


def quarters(today: dt.date, count: int = QUARTERS_SHOWN) -> list[tuple[dt.date, dt.date]]:
    """The NHS financial quarters (April to June, July to September, October to December,
    January to March), the one `today` is in first, as (first day, last day)."""
    start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    found = []
    for _ in range(count):
        following = start + dt.timedelta(days=100)
        end = dt.date(following.year, following.month, 1) - dt.timedelta(days=1)
        found.append((start, end))
        start = (start - dt.timedelta(days=1)).replace(day=1)
        start = start.replace(month=(start.month - 1) // 3 * 3 + 1)
    return found


class ReturnForm(forms.Form):
    team = forms.ChoiceField(label="Team")
    quarter = forms.ChoiceField(label="Quarter")

    def __init__(self, data: Any, *, teams: list[Team], today: dt.date) -> None:
        super().__init__(data)
        self.teams = {str(team.pk): team for team in teams}
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            (key, team.name) for key, team in self.teams.items()
        ]
        self.periods = {f"{s:%Y-%m-%d}": (s, e) for s, e in quarters(today)}
        cast(forms.ChoiceField, self.fields["quarter"]).choices = [
            (key, f"{s:%-d %B %Y} to {e:%-d %B %Y}") for key, (s, e) in self.periods.items()
        ]


@login_required
@require_GET
def personalised_care_return(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A lead of a team chooses it and a quarter; with both chosen, the CSV downloads. Anyone
    who leads no team gets a 404: the file names patients across the whole team."""
    teams = list(
        Team.objects.filter(memberships__user=request.user, memberships__is_lead=True)
        .select_related("organisation")
        .order_by("name")
    )
    if not teams or not request.user.is_staff_role:
        raise Http404("No such page")
    today = timezone.localdate()
    form = ReturnForm(request.GET or None, teams=teams, today=today)
    if form.is_bound and form.is_valid():
        team = form.teams[form.cleaned_data["team"]]
        start, end = form.periods[form.cleaned_data["quarter"]]
        try:
            body = personalised_care_return_csv(
                actor=request.user, teams=[team], start=start, end=end, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            response = HttpResponse(body, content_type="text/csv; charset=utf-8")
            name = f"personalised-care-return-{team.organisation.ods_code}-{start:%Y-%m-%d}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "careplans/personalised_care_return.html", {"form": form})
