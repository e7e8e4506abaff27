import datetime as dt
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from careplans import services
from careplans.forms import PlanItemForm
from careplans.models import CarePlan, FeedbackAnswer, PlanItem
from careplans.selectors import care_plan_diff, plan_for_case, plans_for_case
from careplans.services import ITEM_FIELDS, PlanChangedError
from careplans.views import case_for_patient_work, is_staff
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.models import Case


def _plan(case: Case, plan_id: UUID) -> CarePlan:
    plan = plan_for_case(case, plan_id)
    if plan is None:
        raise Http404("No such plan")
    return plan


def _staff_case(request: HttpRequest, case_id: UUID, summary: str) -> Case:
    return get_case_for_user(request, case_id, perm="patients.change_case", summary=summary)


def _to_plan(plan: CarePlan) -> HttpResponse:
    return redirect("careplans:plan_detail", case_id=plan.case_id, plan_id=plan.pk)


@login_required
def plan_detail(request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    case = get_case_for_user(request, case_id, summary="Viewed a care plan")
    plan = _plan(case, plan_id)
    user = request.user
    can_edit = user.has_perm("patients.change_case", case)
    can_agree = plan.is_draft and user.has_perm(
        "patients.change_case" if is_staff(request) else "patients.act_for_patient", case
    )
    return render(
        request,
        "careplans/plan_detail.html",
        {
            "case": case,
            "plan": plan,
            "items": plan.items.all(),
            "versions": plans_for_case(case),
            "can_edit": can_edit and plan.is_draft,
            "can_revise": can_edit and plan.status == CarePlan.Status.AGREED,
            "can_agree": can_agree,
            "can_act": can_edit and plan.status == CarePlan.Status.AGREED,
            "can_answer": plan.status == CarePlan.Status.AGREED
            and user.has_perm(
                "patients.change_case" if is_staff(request) else "patients.act_for_patient", case
            ),
            "information": plan.information.all(),
            "feedback_answers": FeedbackAnswer.choices,
        },
    )


def _item_form_page(
    request: HttpRequest, case: Case, plan: CarePlan, form: PlanItemForm, item: PlanItem | None
) -> HttpResponse:
    return render(
        request,
        "careplans/plan_item_form.html",
        {"case": case, "plan": plan, "form": form, "item": item},
        status=400 if form.errors else 200,
    )


def _save_item(
    request: AuthenticatedHttpRequest, case: Case, plan: CarePlan, item: PlanItem | None
) -> HttpResponse:
    form = PlanItemForm(request.POST, current_service=item.owner_service if item else None)
    if not form.is_valid():
        return _item_form_page(request, case, plan, form, item)
    values = {name: form.cleaned_data[name] for name in ITEM_FIELDS}
    try:
        if item is None:
            services.plan_item_add(
                plan=plan,
                lock_version=form.cleaned_data["lock_version"],
                actor=request.user,
                **values,
            )
        else:
            services.plan_item_update(
                item=item,
                lock_version=form.cleaned_data["lock_version"],
                actor=request.user,
                **values,
            )
    except PlanChangedError as error:
        plan.refresh_from_db()
        if item is not None:
            item.refresh_from_db()
        # Keep what they typed, show what changed, and let them save again knowingly.
        data = request.POST.copy()
        data["lock_version"] = str(plan.lock_version)
        form = PlanItemForm(data, current_service=item.owner_service if item else None)
        form.is_valid()
        form.add_error(None, str(error))
        return _item_form_page(request, case, plan, form, item)
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _item_form_page(request, case, plan, form, item)
    messages.success(request, gettext("Plan updated."))
    return _to_plan(plan)


@login_required
def plan_item_edit(
    request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID, item_id: UUID
) -> HttpResponse:
    case = _staff_case(request, case_id, "Opened a care plan item to change it")
    plan = _plan(case, plan_id)
    item = PlanItem.objects.filter(plan=plan, pk=item_id).select_related("owner_service").first()
    if item is None:
        raise Http404("No such item")
    if not plan.is_draft:
        return _to_plan(plan)
    if request.method == "POST":
        return _save_item(request, case, plan, item)
    initial = {name: getattr(item, name) for name in ITEM_FIELDS}
    initial["lock_version"] = plan.lock_version
    form = PlanItemForm(initial=initial, current_service=item.owner_service)
    return _item_form_page(request, case, plan, form, item)


@login_required
def plan_item_add(request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    case = _staff_case(request, case_id, "Opened the form to add a care plan item")
    plan = _plan(case, plan_id)
    if not plan.is_draft:
        return _to_plan(plan)
    if request.method == "POST":
        return _save_item(request, case, plan, None)
    form = PlanItemForm(initial={"lock_version": plan.lock_version, "owner_kind": "navigator"})
    return _item_form_page(request, case, plan, form, None)


@login_required
@require_POST
def plan_item_remove(
    request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID, item_id: UUID
) -> HttpResponse:
    case = _staff_case(request, case_id, "Asked to remove a care plan item")
    plan = _plan(case, plan_id)
    item = PlanItem.objects.filter(plan=plan, pk=item_id).first()
    if item is None:
        raise Http404("No such item")
    try:
        services.plan_item_remove(
            item=item, lock_version=int(request.POST.get("lock_version", -1)), actor=request.user
        )
    except (PlanChangedError, ValueError):
        messages.error(
            request,
            gettext("Someone else changed this plan. Nothing was removed: check it and try again."),
        )
    else:
        messages.success(request, f"Removed “{item.concern_text}”.")
    return _to_plan(plan)


@login_required
def plan_agree(request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    case = case_for_patient_work(request, case_id, "Opened a care plan to agree it")
    plan = _plan(case, plan_id)
    if not plan.is_draft:
        return _to_plan(plan)
    staff = is_staff(request)
    error = ""
    how = request.POST.get("how", "") if staff else CarePlan.AgreedHow.ONLINE
    if request.method == "POST":
        try:
            services.care_plan_agree(
                plan=plan,
                lock_version=int(request.POST.get("lock_version", -1)),
                actor=request.user,
                how=how,
            )
        except PlanChangedError:
            plan.refresh_from_db()
            error = gettext(
                "This plan was changed while you were reading it. Read it again before agreeing."
            )
        except (ValidationError, ValueError) as problem:
            error = " ".join(getattr(problem, "messages", [str(problem)]))
        else:
            messages.success(request, gettext("The plan is agreed."))
            return _to_plan(plan)
    return render(
        request,
        "careplans/plan_agree.html",
        {
            "case": case,
            "plan": plan,
            "staff": staff,
            "how": how,
            "error": error,
            "hows": [c for c in CarePlan.AgreedHow.choices if c[0] != CarePlan.AgreedHow.ONLINE],
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def plan_revise(request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    case = _staff_case(request, case_id, "Asked to start a new care plan version")
    plan = _plan(case, plan_id)
    try:
        draft = services.care_plan_revise(plan=plan, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _to_plan(plan)
    return _to_plan(draft)


@login_required
def plan_compare(request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID) -> HttpResponse:
    case = get_case_for_user(request, case_id, summary="Compared care plan versions")
    plan = _plan(case, plan_id)
    other_id = request.GET.get("with")
    versions = plans_for_case(case)
    if other_id:
        try:
            other = versions.filter(pk=UUID(other_id)).first()
        except ValueError:
            other = None
    else:
        other = versions.filter(version__lt=plan.version).first()
    if other is None:
        raise Http404("No version to compare with")
    old, new = sorted([plan, other], key=lambda p: p.version)
    return render(
        request,
        "careplans/plan_compare.html",
        {"case": case, "old": old, "new": new, "changes": care_plan_diff(old=old, new=new)},
    )


@login_required
@require_POST
def plan_review_date(
    request: AuthenticatedHttpRequest, case_id: UUID, plan_id: UUID
) -> HttpResponse:
    case = _staff_case(request, case_id, "Asked to set a care plan's review date")
    plan = _plan(case, plan_id)
    try:
        review_date = dt.date.fromisoformat(request.POST.get("review_date", ""))
        services.care_plan_set_review_date(
            plan=plan,
            lock_version=int(request.POST.get("lock_version", -1)),
            review_date=review_date,
            actor=request.user,
        )
    except PlanChangedError as error:
        messages.error(request, str(error))
    except ValueError:
        messages.error(request, gettext("Enter the review date as day, month and year"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("Review date set."))
    return _to_plan(plan)
