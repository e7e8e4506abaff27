"""Navigator pages: the chase queue, and a case's tracked items with their clocks.

Every page about a case goes through `patients.access.get_case_for_user` (404 for anyone not
working on it, and the access is audited; each write is audited by its service). The queue
lists only the cases the user works on (`appointments.selectors.chase_queue`).
"""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from appointments.clocks import case_clocks
from appointments.forms import ChaseRecordForm, ReferenceForm, TrackedItemForm, TransitionForm
from appointments.models import ChaseTask, TrackedItem
from appointments.selectors import case_tracked_items, chase_queue, item_by_reference
from appointments.services import chase_record, tracked_item_create, tracked_item_transition
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.forms import add_service_errors

QUEUE_PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


@login_required
@require_GET
def chase_queue_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Overdue items across the user's caseload, escalated and longest overdue first."""
    user = request.user
    if not user.has_perm("appointments.view_chase_queue"):
        raise Http404("No such page")
    mine_only = request.GET.get("mine") == "1"
    finder = ReferenceForm(request.GET if "ref" in request.GET else None)
    if finder.is_valid():
        item = item_by_reference(user=user, ref=finder.cleaned_data["ref"])
        if item is not None:
            url = reverse("appointments:case_items", args=[item.case_id])
            return redirect(f"{url}#item-{item.pk}")
        finder.add_error(
            "ref",
            f"No item with reference {finder.cleaned_data['ref'].upper()} on the cases you work "
            "on. Check the reference with the caller",
        )
    page = Paginator(chase_queue(user=user, mine_only=mine_only), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = [(task, ChaseRecordForm.for_today(today, prefix=_prefix(task))) for task in page]
    # One entry for the list; opening or recording a task audits that case by itself.
    audit_record(
        actor=user,
        action=AuditEvent.Action.VIEW,
        object_type="appointments.chasequeue",
        summary=f"Viewed the chase queue ({page.paginator.count} open)",
        request=request,
    )
    return render(
        request,
        "appointments/chase_queue.html",
        {"page": page, "rows": rows, "mine_only": mine_only, "today": today, "finder": finder},
    )


def _prefix(task: ChaseTask) -> str:
    return f"chase-{task.pk}"


def _task_or_404(task_id: UUID) -> ChaseTask:
    task = ChaseTask.objects.select_related("item").filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task")
    return task


@login_required
@require_http_methods(["GET", "POST"])
def chase_record_page(request: AuthenticatedHttpRequest, task_id: UUID) -> HttpResponse:
    """Record a chase in one step: what happened and when to chase next. From the queue with
    htmx the card is swapped in place; without JavaScript, or with errors, this is a page."""
    task = _task_or_404(task_id)
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        task.item.case_id,
        perm="appointments.work_chase",
        summary="Sent a chase record" if writing else "Opened a chase task",
    )
    task = (
        ChaseTask.objects.select_related("item__responsible_provider", "escalated_to")
        .filter(pk=task.pk)
        .get()
    )
    today = timezone.localdate()
    form = (
        ChaseRecordForm(request.POST, prefix=_prefix(task))
        if writing
        else ChaseRecordForm.for_today(today, prefix=_prefix(task))
    )
    htmx = _is_htmx(request)
    if writing and form.is_valid():
        try:
            record = chase_record(
                task=task,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                next_chase_on=form.cleaned_data["next_chase_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if htmx:
                return render(
                    request,
                    "appointments/partials/chase_recorded.html",
                    {"task": task, "case": case, "record": record},
                )
            messages.success(
                request,
                f"Chase recorded for {case.patient.full_name}. Next chase "
                f"{record.next_chase_on:%-d %B %Y}."
                if record.next_chase_on
                else "Chase recorded.",
            )
            return redirect("appointments:chase_queue")
    context = {"task": task, "case": case, "form": form, "today": today}
    if htmx:
        return render(request, "appointments/partials/chase_card.html", context)
    return render(request, "appointments/chase_record.html", context)


@login_required
@require_GET
def case_items_page(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """A case's tracked items with their clocks, chases and history."""
    case = get_case_for_user(
        request,
        case_id,
        perm="appointments.change_tracked_items",
        summary="Viewed tracked items",
    )
    items = case_tracked_items(case=case)
    return render(
        request,
        "appointments/case_items.html",
        {
            "case": case,
            "items": [(item, TransitionForm(item=item)) for item in items],
            "today": timezone.localdate(),
            "clocks": case_clocks(case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_add_page(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="appointments.change_tracked_items",
        summary="Sent the tracked item form" if writing else "Opened the tracked item form",
    )
    form = TrackedItemForm(request.POST or None)
    if writing and form.is_valid():
        data = form.cleaned_data
        try:
            item = tracked_item_create(
                case=case,
                kind=data["kind"],
                title=data["title"],
                expected_by=data["expected_by"],
                responsible_provider=data["responsible_provider"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Now tracking: {item.title}")
            return redirect("appointments:case_items", case_id=case.id)
    return render(request, "appointments/item_add.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def item_transition_page(
    request: AuthenticatedHttpRequest, case_id: UUID, item_id: UUID
) -> HttpResponse:
    """Move an item on (booked, reported, sent to GP...). Errors come back on a page of their
    own, with what was chosen and typed kept."""
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="appointments.change_tracked_items",
        summary="Sent a tracked item change" if writing else "Opened a tracked item",
    )
    item = TrackedItem.objects.filter(pk=item_id, case=case).first()
    if item is None:
        raise Http404("No such item")
    form = TransitionForm(request.POST or None, item=item)
    if writing and form.is_valid():
        data = form.cleaned_data
        try:
            moved = tracked_item_transition(
                item=item,
                to_state=data["to_state"],
                actor=request.user,
                note=data["note"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{moved.title}: now {moved.get_state_display().lower()}")
            return redirect("appointments:case_items", case_id=case.id)
    return render(
        request, "appointments/item_transition.html", {"case": case, "item": item, "form": form}
    )
