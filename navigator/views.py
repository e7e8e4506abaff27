from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from patients.access import get_case_for_user
from patients.selectors import cases_for_patient_home, timeline_for_case
from patients.services import treatment_summary_for_case


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the Celery broker both answer, 503 otherwise."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    status = 200 if all(checks.values()) else 503
    return JsonResponse(
        {name: "ok" if ok else "unavailable" for name, ok in checks.items()}, status=status
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    # A fresh connection each time: a pooled one can look alive after the broker has gone.
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


HOME_TIMELINE_LENGTH = 5


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Staff go to their cases; a patient or carer sees "what happens next" for one person.

    `?case=<id>` picks which person when a carer helps more than one; it goes through the same
    door as every case page, so a case they may not see is a 404.
    """
    user: Any = request.user
    if user.is_staff_role:
        return redirect("patients:case_list")
    cases = cases_for_patient_home(user=user)
    chosen = request.GET.get("case", "")
    if not chosen:
        first = cases.first()
        if first is None:
            return render(request, "navigator/home.html", {"case": None})
        chosen = str(first.pk)
    try:
        UUID(chosen)
    except ValueError:
        raise Http404("No such case") from None
    case = get_case_for_user(request, chosen, summary="Viewed what happens next")
    return render(
        request,
        "navigator/home.html",
        {
            "case": case,
            "patient": case.patient,
            "is_carer": case.patient.user_id != user.pk,
            "events": timeline_for_case(case=case, shared_only=True)[:HOME_TIMELINE_LENGTH],
            "other_cases": [c for c in cases if c.pk != case.pk],
            "can_change_contact": user.has_perm("patients.change_contact_details", case),
            "treatment_summary": treatment_summary_for_case(case),
        },
    )


# Error pages. The API speaks JSON even when no view answered (an unknown path, a malformed id).
API_PREFIX = "/api/"


def _api_error(request: HttpRequest, status: int, detail: str) -> JsonResponse | None:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": detail}, status=status)
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 400, "Bad request.") or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    denied = "You do not have permission to perform this action."
    return _api_error(request, 403, denied) or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 404, "Not found.") or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    detail = "Something went wrong on our side. Nothing was changed; try again later."
    return _api_error(request, 500, detail) or defaults.server_error(request)
