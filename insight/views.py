"""The insight page and its CSV exports: for team leads and service managers, 404 to anyone
else (`insight.view_insight` in patients/rules.py, the one rule set)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from insight.filters import InsightFilterForm
from insight.presenters import InsightPage, build_table, table_csv
from insight.sections import figure_for
from insight.snapshots import current
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.http import AuthenticatedHttpRequest


def _insight_or_404(request: AuthenticatedHttpRequest) -> None:
    if not request.user.has_perm("insight.view_insight"):
        raise Http404("No such page")


@login_required
@require_GET
def insight_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _insight_or_404(request)
    form = InsightFilterForm(request.GET or None)
    filters = form.filters()
    page = InsightPage(filters=filters)
    return render(request, "insight/page.html", {"form": form, "page": page})


@login_required
@require_GET
def insight_csv(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    _insight_or_404(request)
    figure = figure_for(slug)
    if figure is None:
        raise Http404("No such table")
    form = InsightFilterForm(request.GET or None)
    filters = form.filters()
    table = build_table(figure, filters, snapshot=current(filters))
    described = [
        (str(form.fields[name].label), dict(form.fields[name].choices).get(value, value))  # type: ignore[attr-defined]
        for name, value in filters.query().items()
    ] or [("Filters", "none (everyone, all time)")]
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="insight table",
        object_id=slug,
        summary=f"Downloaded insight figures: {table.title}"[:200],
        request=request,
    )
    response = HttpResponse(table_csv(table, filters_described=described), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="insight-{slug}.csv"'
    return response
