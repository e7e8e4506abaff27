"""The security log: attempts at patients' records that were refused, for team leads and admins."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from navigator.accounts.models import Role
from navigator.audit.models import AuditEvent
from navigator.http import AuthenticatedHttpRequest
from patients.selectors import security_log_visible

SECURITY_LOG_PAGE_SIZE = 50


@dataclass(frozen=True)
class RefusalRow:
    who: str
    role: str
    asked_for: str
    answer: str
    ip_address: str
    at: datetime


@login_required
@require_GET
def security_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Refused attempts, newest first: who, what they asked for, the answer, from where, when.
    Never whose record it was: the reader need not be on that person's care team."""
    if not request.user.has_perm("patients.view_security_log"):
        raise Http404("No such page")
    page = Paginator(security_log_visible(user=request.user), SECURITY_LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "patients/security_log.html",
        {"page": page, "rows": [_row(event) for event in page]},
    )


def _row(event: AuditEvent) -> RefusalRow:
    method, _, answer = event.summary.removeprefix("Refused ").partition(" (answered ")
    return RefusalRow(
        who=event.actor_label,
        role=str(Role(event.actor_role).label) if event.actor_role in Role.values else "",
        asked_for=f"{method} {event.path}".strip(),
        answer=answer.rstrip(")"),
        ip_address=event.ip_address or "",
        at=event.at,
    )
