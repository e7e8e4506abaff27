"""Progress over time: assessments side by side and a chart of distress and top concerns."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from careplans.charts import Series, legend_marker_svg, ratings_chart_svg
from careplans.selectors import assessment_progress
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user


@login_required
@require_GET
def progress(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    case = get_case_for_user(request, case_id, summary="Viewed assessments over time")
    found = assessment_progress(case)
    labels = [f"{a.submitted_at:%-d %b %y}" for a in found.assessments]
    series = [Series("Distress", found.distress)] + [
        Series(row.text, row.ratings) for row in found.top
    ]
    chart = None
    if found.assessments:
        first, last = found.distress[0], found.distress[-1]
        chart = ratings_chart_svg(
            labels=labels,
            series=series,
            title="Distress and top concerns, 0 to 10, in each assessment",
            description=(
                f"{len(labels)} assessment(s) from {labels[0]} to {labels[-1]}. Distress went "
                f"from {first} to {last}. The same numbers are in the table below."
            ),
        )
    return render(
        request,
        "careplans/progress.html",
        {
            "case": case,
            "progress": found,
            "labels": labels,
            "chart": chart,
            "legend": [(s.name, legend_marker_svg(i)) for i, s in enumerate(series)],
        },
    )
