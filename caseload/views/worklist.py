"""The navigator's worklist: the caseload, most in need of action first, with live counts.

One page and two htmx fragments of it: the results (swapped in when a filter changes) and the
counts (refreshed every minute). The query shape is `caseload.worklist`'s; this module reads the
filters, pages the rows and writes the one audit entry a listing gets.
"""

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caseload.worklist import (
    FLAG_LABELS,
    SORT_LABELS,
    STAGE_LABELS,
    Flag,
    Scope,
    Sort,
    Stage,
    Worklist,
    WorklistFilters,
    escalations_for_lead,
    user_leads_a_team,
)
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.http import AuthenticatedHttpRequest

WORKLIST_PAGE_SIZE = 25
# How often the counts above the list refresh themselves, in seconds.
COUNTS_REFRESH_SECONDS = 60


class WorklistForm(forms.Form):
    """The filters, read from the query string. A value that is not one of the choices is
    ignored rather than refused: a stale bookmark still shows the worklist."""

    q = forms.CharField(label="Search by name or NHS number", required=False, max_length=100)
    flag = forms.ChoiceField(
        label="Needs action",
        required=False,
        choices=[("", "Anyone"), *FLAG_LABELS.items()],
    )
    stage = forms.ChoiceField(
        label="Pathway stage", required=False, choices=[("", "Any stage"), *STAGE_LABELS.items()]
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SORT_LABELS.items()))
    scope = forms.ChoiceField(
        required=False, choices=[(Scope.MINE, "My cases"), (Scope.TEAM, "My team's cases")]
    )

    def __init__(self, data: Any, *, can_see_team: bool) -> None:
        super().__init__(data)
        if not can_see_team:
            del self.fields["scope"]

    def filters(self) -> WorklistFilters:
        self.is_valid()
        data = self.cleaned_data
        return WorklistFilters(
            scope=Scope(data.get("scope") or Scope.MINE),
            flag=Flag(data["flag"]) if data.get("flag") else None,
            stage=Stage(data["stage"]) if data.get("stage") else None,
            search=data.get("q", ""),
            sort=Sort(data.get("sort") or Sort.NEED),
        )


def _staff_only(request: AuthenticatedHttpRequest) -> User:
    user = request.user
    if not user.is_staff_role:
        raise PermissionDenied("The worklist is for staff.")
    if not user.has_perm("patients.list_cases"):
        raise Http404("No such page")  # a service manager: no one's record, not even a list
    return user


def _build(request: AuthenticatedHttpRequest) -> tuple[User, WorklistForm, Worklist, bool]:
    user = _staff_only(request)
    leads = user_leads_a_team(user)
    form = WorklistForm(request.GET, can_see_team=leads)
    return user, form, Worklist(user=user, filters=form.filters()), leads


@login_required
@require_GET
def worklist_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The whole page, or just the results when htmx asks for them after a filter change."""
    user, form, worklist, leads = _build(request)
    counts, page = worklist.page(request.GET.get("page"), WORKLIST_PAGE_SIZE)
    rows = worklist.rows(list(page.object_list))
    filters = worklist.filters
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type="patients.case",
        summary=_audit_summary(filters, page, len(rows)),
        request=request,
    )
    context = {
        "form": form,
        "filters": filters,
        "counts": counts,
        "page": page,
        "rows": rows,
        "leads": leads,
        "is_team": filters.scope == Scope.TEAM,
        "filtered": bool(filters.flag or filters.stage or filters.search),
        "sort_links": _sort_links(filters),
        "page_links": _page_links(filters, page),
        "counts_query": _query(filters),
        "flag_links": _flag_links(filters, counts),
        "refresh_seconds": COUNTS_REFRESH_SECONDS,
        "sort_label": SORT_LABELS[filters.sort],
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "worklist-results":
        # A filter changed: the rows, and the counts out of band (their links carry the filters).
        context["htmx"] = True
        return render(request, "caseload/partials/worklist_results.html", context)
    # A team lead lands here from an escalation email: what waits for them comes first.
    context["escalations"] = escalations_for_lead(user=user) if leads else []
    return render(request, "caseload/worklist.html", context)


@login_required
@require_GET
def worklist_counts(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The live counts alone, for htmx to refresh. Figures only, no one's details: not audited."""
    _, _, worklist, _ = _build(request)
    counts = worklist.counts()
    return render(
        request,
        "caseload/partials/worklist_counts.html",
        {
            "counts": counts,
            "flag_links": _flag_links(worklist.filters, counts),
            "is_team": worklist.filters.scope == Scope.TEAM,
            "counts_query": _query(worklist.filters),
            "refresh_seconds": COUNTS_REFRESH_SECONDS,
        },
    )


def _audit_summary(filters: WorklistFilters, page: Page, shown: int) -> str:
    whose = "team's" if filters.scope == Scope.TEAM else "my"
    parts = [f"Viewed the worklist ({whose} cases, page {page.number}, {shown} shown"]
    if filters.search:
        parts.append(f", searched for “{filters.search}”")
    return "".join(parts) + ")"


def _query(filters: WorklistFilters, **changes: Any) -> str:
    """The query string for these filters with some changed; defaults are left out."""
    values = {
        "scope": filters.scope if filters.scope != Scope.MINE else "",
        "q": filters.search,
        "flag": filters.flag or "",
        "stage": filters.stage or "",
        "sort": filters.sort if filters.sort != Sort.NEED else "",
    }
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v})


_SORTED_DESCENDING = frozenset({Sort.DISTRESS, Sort.OVERDUE})


def _sort_links(filters: WorklistFilters) -> dict[str, dict[str, Any]]:
    """For each sortable column: the link that sorts by it, and whether it is the sort now."""
    return {
        sort.value: {
            "query": _query(filters, sort=sort.value, page=""),
            "current": filters.sort == sort,
            "direction": "descending" if sort in _SORTED_DESCENDING else "ascending",
        }
        for sort in Sort
    }


def _flag_links(filters: WorklistFilters, counts: Any) -> list[dict[str, Any]]:
    return [
        {
            "flag": flag.value,
            "label": label,
            "count": count,
            "query": _query(filters, flag=flag.value, q="", stage=""),
            "current": filters.flag == flag,
        }
        for flag, label, count in counts.items()
    ]


def _page_links(filters: WorklistFilters, page: Page) -> dict[str, Any]:
    """Numbered pagination as NHS.UK shows it: first, last, and the pages either side of this."""
    paginator = page.paginator
    items: list[dict[str, Any]] = []
    if paginator.num_pages > 1:
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
            if number == paginator.ELLIPSIS:
                items.append({"ellipsis": True})
            else:
                items.append(
                    {
                        "number": number,
                        "query": _query(filters, page=number),
                        "current": number == page.number,
                    }
                )
    return {
        "items": items,
        "previous": _query(filters, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next": _query(filters, page=page.next_page_number()) if page.has_next() else "",
    }
