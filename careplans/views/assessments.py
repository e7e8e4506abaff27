from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from careplans import services
from careplans.models import Assessment, CaseFlag, Domain
from careplans.models.assessments import RATING_MAX, RATING_MIN
from careplans.selectors import answers_by_concern, assessment_for_case, flags_for_worklist
from careplans.services.language import assessment_language_set
from careplans.views import case_for_patient_work, is_staff
from careplans.wording import LANGUAGES, in_language, labels
from navigator.http import AuthenticatedHttpRequest
from navigator.language import in_language as language_override
from patients.access import get_case_for_user
from patients.models import Case


def _page_language(request: HttpRequest, assessment: Assessment) -> str:
    """The assessment's language; but staff reviewing a sent one read it in English."""
    if assessment.is_submitted and is_staff(request):
        return "en"
    return assessment.language


def _language_context(language: str) -> dict[str, Any]:
    """What every assessment page needs to speak the assessment's language, and offer the
    other: the words (`t`), `lang` for the content region, and the switch."""
    t = labels(language)
    return {"t": t, "language": language, "switch_to": t["switch_to"]}


def _steps(assessment: Assessment) -> list[Domain]:
    return list(assessment.questionnaire.domains.prefetch_related("concerns"))


def _step_url(case: Case, assessment: Assessment, step: int) -> str:
    return reverse(
        "careplans:assessment_step",
        kwargs={"case_id": case.pk, "assessment_id": assessment.pk, "step": step},
    )


def _check_url(case: Case, assessment: Assessment) -> str:
    return reverse(
        "careplans:assessment_check", kwargs={"case_id": case.pk, "assessment_id": assessment.pk}
    )


def _list_url(case: Case) -> str:
    return reverse("careplans:assessment_list", kwargs={"case_id": case.pk})


@login_required
def assessment_list(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    case = get_case_for_user(request, case_id, summary="Viewed assessments")
    can_start = request.user.has_perm(
        "patients.change_case" if is_staff(request) else "patients.act_for_patient", case
    )
    flags = (
        flags_for_worklist(Case.objects.filter(pk=case.pk))
        if request.user.has_perm("patients.change_case", case)
        else CaseFlag.objects.none()
    )
    return render(
        request,
        "careplans/assessment_list.html",
        {
            "case": case,
            "assessments": case.assessments.select_related("questionnaire").order_by("-started_at"),
            "plans": case.care_plans.order_by("-version"),
            "can_start": can_start,
            "flags": flags,
            "pathway_points": Assessment.PathwayPoint.choices,
            "offers": case.assessment_offers.select_related("assessment").order_by("-offered_at"),
            "can_offer": request.user.has_perm("patients.change_case", case),
        },
    )


@login_required
@require_POST
def assessment_start(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    case = case_for_patient_work(request, case_id, "Asked to start an assessment")
    user = request.user
    if is_staff(request):
        completed_by = Assessment.CompletedBy.STAFF_WITH_PATIENT
    elif case.patient.user_id == user.pk:
        completed_by = Assessment.CompletedBy.PATIENT
    else:
        completed_by = Assessment.CompletedBy.PROXY
    # None: the open offer's point of the pathway, or diagnosis when nothing was offered.
    pathway_point: str | None = request.POST.get("pathway_point") or None
    if pathway_point not in Assessment.PathwayPoint.values:
        pathway_point = None
    try:
        if is_staff(request):
            assessment = services.assessment_start(
                case=case, actor=user, completed_by=completed_by, pathway_point=pathway_point
            )
        else:
            # From their home page, offered or not: recorded as an offer they asked for.
            assessment = services.assessment_self_start(
                case=case, actor=user, completed_by=completed_by
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_list_url(case))
    return redirect(_step_url(case, assessment, 1))


def _parse_domain(
    post: Any, domain: Domain, language: str
) -> tuple[dict[int, services.AnswerInput], dict[str, str], dict[str, dict[str, Any]]]:
    """Read one screen's answers; also return them as typed, to show back on an error.

    Errors are in the page's language, so they are checked here before the service sees them."""
    t = labels(language)
    answers: dict[int, services.AnswerInput] = {}
    errors: dict[str, str] = {}
    typed: dict[str, dict[str, Any]] = {}
    for concern in domain.concerns.all():
        selected = post.get(f"c-{concern.code}") == "yes"
        raw = post.get(f"r-{concern.code}", "").strip()
        priority = post.get(f"p-{concern.code}") == "yes"
        typed[concern.code] = {"selected": selected, "rating": raw, "is_priority": priority}
        text = in_language(concern, "text", language)
        rating = None
        if selected and not raw:
            errors[concern.code] = t["rating_choose"].format(text=text)
            continue
        if selected:
            try:
                rating = int(raw)
            except ValueError:
                rating = None
            if rating is None or not RATING_MIN <= rating <= RATING_MAX:
                errors[concern.code] = t["rating_range"].format(text=text)
                continue
        answers[concern.pk] = services.AnswerInput(
            selected=selected, rating=rating, is_priority=priority
        )
    return answers, errors, typed


@login_required
def assessment_step(
    request: AuthenticatedHttpRequest, case_id: UUID, assessment_id: UUID, step: int
) -> HttpResponse:
    case = case_for_patient_work(request, case_id, "Opened an assessment to answer it")
    assessment = assessment_for_case(case, assessment_id)
    if assessment is None:
        raise Http404("No such assessment")
    if assessment.is_submitted:
        return redirect(_check_url(case, assessment))
    domains = _steps(assessment)
    total = len(domains) + 1  # the last step is the distress thermometer
    if not 1 <= step <= total:
        raise Http404("No such step")
    back_url = _step_url(case, assessment, step - 1) if step > 1 else _list_url(case)
    language = assessment.language
    context: dict[str, Any] = {
        "case": case,
        "assessment": assessment,
        "step": step,
        "total": total,
        "back_url": back_url,
        "errors": {},
        **_language_context(language),
    }
    context["step_text"] = context["t"]["step"].format(step=step, total=total)
    if step == total:
        return _wellbeing_step(request, case, assessment, context)

    domain = domains[step - 1]
    saved = answers_by_concern(assessment)
    typed = {
        c.code: {
            "selected": bool(saved.get(c.pk) and saved[c.pk].selected),
            "rating": ""
            if not saved.get(c.pk) or saved[c.pk].rating is None
            else saved[c.pk].rating,
            "is_priority": bool(saved.get(c.pk) and saved[c.pk].is_priority),
        }
        for c in domain.concerns.all()
    }
    if request.method == "POST":
        answers, errors, typed = _parse_domain(request.POST, domain, language)
        if not errors:
            try:
                services.assessment_save_domain(
                    assessment=assessment, domain=domain, answers=answers, actor=request.user
                )
            except ValidationError as error:
                errors = {code: msgs[0] for code, msgs in error.message_dict.items()}
        if not errors:
            if request.POST.get("action") == "later":
                messages.success(
                    request, gettext("Your answers are saved. You can carry on at any time.")
                )
                return redirect(_list_url(case))
            return redirect(_step_url(case, assessment, step + 1))
        context["errors"] = errors
    context["domain"] = domain
    context["domain_title"] = in_language(domain, "title", language)
    context["rows"] = [
        (c, in_language(c, "text", language), typed[c.code], context["errors"].get(c.code))
        for c in domain.concerns.all()
    ]
    status = 400 if context["errors"] else 200
    with language_override(language):
        return render(request, "careplans/assessment_domain.html", context, status=status)


def _wellbeing_step(
    request: AuthenticatedHttpRequest, case: Case, assessment: Assessment, context: dict[str, Any]
) -> HttpResponse:
    typed = {
        "distress_score": ""
        if assessment.distress_score is None
        else str(assessment.distress_score),
        "anything_else": assessment.anything_else,
    }
    if request.method == "POST":
        typed = {
            "distress_score": request.POST.get("distress_score", ""),
            "anything_else": request.POST.get("anything_else", ""),
        }
        t = context["t"]
        errors: dict[str, str] = {}
        score: int | None = None
        if typed["distress_score"]:
            try:
                score = int(typed["distress_score"])
            except ValueError:
                score = None
            if score is None or not RATING_MIN <= score <= RATING_MAX:
                errors["distress_score"] = t["distress_range"]
        if not errors:
            try:
                services.assessment_save_wellbeing(
                    assessment=assessment,
                    distress_score=score,
                    anything_else=typed["anything_else"],
                    actor=request.user,
                )
            except ValidationError as error:
                errors = {k: v[0] for k, v in error.message_dict.items()}
        if not errors and request.POST.get("action") == "later":
            messages.success(
                request, gettext("Your answers are saved. You can carry on at any time.")
            )
            return redirect(_list_url(case))
        if not errors and score is None:
            errors["distress_score"] = t["distress_choose"]
        if not errors:
            return redirect(_check_url(case, assessment))
        context["errors"] = errors
    context["typed"] = typed
    context["scale"] = [str(n) for n in range(0, 11)]
    status = 400 if context["errors"] else 200
    with language_override(context["language"]):
        return render(request, "careplans/assessment_wellbeing.html", context, status=status)


@login_required
def assessment_check(
    request: AuthenticatedHttpRequest, case_id: UUID, assessment_id: UUID
) -> HttpResponse:
    if request.method == "POST":
        case = case_for_patient_work(request, case_id, "Asked to send an assessment")
    else:
        case = get_case_for_user(request, case_id, summary="Viewed an assessment")
    assessment = assessment_for_case(case, assessment_id)
    if assessment is None:
        raise Http404("No such assessment")
    errors: dict[str, str] = {}
    if request.method == "POST" and not assessment.is_submitted:
        try:
            result = services.assessment_submit(assessment=assessment, actor=request.user)
        except ValidationError as error:
            errors = {k: v[0] for k, v in error.message_dict.items()}
        else:
            if result.flag is not None and not is_staff(request):
                messages.warning(
                    request,
                    gettext(
                        "Thank you. Your answers show things are hard for you at the moment, "
                        "so your navigator will contact you soon."
                    ),
                )
            else:
                messages.success(request, gettext("Thank you. Your answers have been sent."))
            return redirect("careplans:plan_detail", case_id=case.pk, plan_id=result.plan.pk)
    saved = answers_by_concern(assessment)
    domains = _steps(assessment)
    language = _page_language(request, assessment)
    t = labels(language)
    sections = [
        (
            index,
            in_language(domain, "title", language),
            [
                (
                    in_language(c, "text", language),
                    saved[c.pk],
                    t["out_of_10"].format(n=saved[c.pk].rating),
                )
                for c in domain.concerns.all()
                if c.pk in saved and saved[c.pk].selected
            ],
        )
        for index, domain in enumerate(domains, start=1)
    ]
    if "distress_score" in errors:
        errors["distress_score"] = t["distress_choose"]
    sent_text = ""
    if assessment.submitted_at is not None:
        with language_override(language):
            day = date_format(timezone.localtime(assessment.submitted_at), "j F Y")
        sent_text = t["sent_on"].format(date=day)
    score = assessment.distress_score
    distress_text = t["not_answered"] if score is None else t["out_of_10"].format(n=score)
    can_send = not assessment.is_submitted and request.user.has_perm(
        "patients.change_case" if is_staff(request) else "patients.act_for_patient", case
    )
    with language_override(language):
        return render(
            request,
            "careplans/assessment_check.html",
            {
                "case": case,
                "assessment": assessment,
                "sections": sections,
                "wellbeing_step": len(domains) + 1,
                "can_send": can_send,
                "errors": errors,
                "sent_text": sent_text,
                "distress_text": distress_text,
                **_language_context(language),
            },
            status=400 if errors else 200,
        )


@login_required
@require_POST
def assessment_language(
    request: AuthenticatedHttpRequest, case_id: UUID, assessment_id: UUID
) -> HttpResponse:
    """Switch the assessment between English and Cymraeg, then back to the page it was on."""
    case = case_for_patient_work(request, case_id, "Asked to change the language of an assessment")
    assessment = assessment_for_case(case, assessment_id)
    if assessment is None:
        raise Http404("No such assessment")
    language = request.POST.get("language", "")
    if language in LANGUAGES and not assessment.is_submitted:
        assessment_language_set(assessment=assessment, language=language, actor=request.user)
    step = request.POST.get("step", "")
    if step.isdigit() and 1 <= int(step) <= len(_steps(assessment)) + 1:
        return redirect(_step_url(case, assessment, int(step)))
    return redirect(_check_url(case, assessment))


@login_required
@require_POST
def flag_acknowledge(
    request: AuthenticatedHttpRequest, case_id: UUID, flag_id: UUID
) -> HttpResponse:
    case = get_case_for_user(
        request, case_id, perm="patients.change_case", summary="Asked to acknowledge an urgent flag"
    )
    flag = CaseFlag.objects.filter(case=case, pk=flag_id).first()
    if flag is None:
        raise Http404("No such flag")
    services.case_flag_acknowledge(flag=flag, actor=request.user)
    messages.success(request, gettext("Flag acknowledged. Record what you did in the case notes."))
    return redirect(_list_url(case))
