"""Pages about the case record itself: who has looked at it."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from navigator.accounts.models import Role, User
from navigator.audit.models import AuditEvent
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

RECORD_ACCESS_PAGE_SIZE = 25
# What an entry without its own summary says. Summaries are kept as written, in English: the
# audit trail is a record, not a page (see navigator.language.in_english).
ACTION_WORDS: "dict[AuditEvent.Action, StrOrPromise]" = {
    AuditEvent.Action.VIEW: _("Looked at the record"),
    AuditEvent.Action.CREATE: _("Added to the record"),
    AuditEvent.Action.UPDATE: _("Changed the record"),
    AuditEvent.Action.DELETE: _("Deleted something from the record"),
    AuditEvent.Action.EXPORT: _("Printed or exported the record"),
    AuditEvent.Action.SEND: _("Sent something from the record"),
}
_VIEWED = ACTION_WORDS[AuditEvent.Action.VIEW]


@dataclass(frozen=True)
class AccessRow:
    who: str
    role: str
    what: str
    at: datetime


@login_required
@require_GET
def case_record_access(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """Every audit entry about this patient, newest first: the patient's own view of the trail
    (refused attempts are the security log's)."""
    case = get_case_for_user(request, case_id, summary="Looked at who has seen the record")
    events = AuditEvent.objects.about_patient(case.patient_id).order_by("-at", "-id")
    page = Paginator(events, RECORD_ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "patients/record_access.html",
        {
            "case": case,
            "is_own_record": case.patient.user_id == request.user.pk,
            "page": page,
            "rows": [_access_row(event, viewer=request.user) for event in page],
        },
    )


def _access_row(event: AuditEvent, *, viewer: User) -> AccessRow:
    if event.actor_id is not None and event.actor_id == viewer.pk:
        who, role = gettext("You"), ""
    else:
        who = event.actor_label
        role = str(Role(event.actor_role).label) if event.actor_role in Role.values else ""
    return AccessRow(
        who=who,
        role=role,
        what=event.summary or str(ACTION_WORDS.get(AuditEvent.Action(event.action), _VIEWED)),
        at=event.at,
    )
