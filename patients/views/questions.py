"""Questions for the next appointment: kept by the patient (or a carer acting for them), read by
everyone on the case. Suggested questions give a place to start."""

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.forms import NhsFormMixin, add_service_errors
from patients.models import AppointmentQuestion, Case
from patients.selectors import questions_for_case
from patients.services import (
    QUESTION_MAX_LENGTH,
    appointment_question_add,
    appointment_question_delete,
    appointment_question_mark,
    appointment_question_update,
    suggested_questions,
)


class QuestionForm(NhsFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter your question"),
            "max_length": _("Your question must be %(limit_value)d characters or fewer"),
        },
    )


def _changing(request: AuthenticatedHttpRequest, case_id: UUID, summary: str) -> Case:
    return get_case_for_user(request, case_id, perm="patients.change_questions", summary=summary)


def _question(case: Case, question_id: UUID) -> AppointmentQuestion:
    # Only within this case: another case's question id is a 404 like any unknown one.
    return get_object_or_404(case.questions.select_related("case"), pk=question_id)


@login_required
@require_http_methods(["GET", "POST"])
def questions(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """The list, with a form to add one and suggested questions to pick from."""
    user = request.user
    if request.method == "POST":
        case = _changing(request, case_id, "Sent a question for the next appointment")
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                appointment_question_add(case=case, by=user, text=form.cleaned_data["text"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Question added."))
                return redirect("patients:questions", case_id=case.id)
    else:
        case = get_case_for_user(
            request,
            case_id,
            perm="patients.view_questions",
            summary="Looked at the questions for the next appointment",
        )
        form = QuestionForm()
    return _render_list(request, case, form)


def _render_list(request: AuthenticatedHttpRequest, case: Case, form: QuestionForm) -> HttpResponse:
    user = request.user
    all_questions = list(questions_for_case(case=case))
    on_list = {q.text for q in all_questions}
    staff = user.is_staff_role
    return render(
        request,
        "patients/questions.html",
        {
            "case": case,
            "patient": case.patient,
            "to_ask": [q for q in all_questions if not q.is_asked],
            "asked": [q for q in all_questions if q.is_asked],
            "suggestions": [s for s in suggested_questions() if s not in on_list],
            "form": form,
            "can_change": user.has_perm("patients.change_questions", case),
            "is_staff": staff,
            "is_carer": not staff and case.patient.user_id != user.pk,
            "back": reverse("caseload:case_detail", args=[case.id])
            if staff
            else f"{reverse('home')}?case={case.id}",
        },
    )


@login_required
@require_POST
def question_suggested_add(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """Add one of the suggested questions, exactly as written in the reader's language."""
    case = _changing(request, case_id, "Chose a suggested question")
    text = request.POST.get("text", "")
    if text in suggested_questions():
        appointment_question_add(case=case, by=request.user, text=text)
        messages.success(request, gettext("Question added."))
    return redirect("patients:questions", case_id=case.id)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(
    request: AuthenticatedHttpRequest, case_id: UUID, question_id: UUID
) -> HttpResponse:
    writing = request.method == "POST"
    case = _changing(
        request, case_id, "Sent a changed question" if writing else "Opened a question to change it"
    )
    question = _question(case, question_id)
    form = QuestionForm(request.POST or None, initial={"text": question.text})
    if request.method == "POST" and form.is_valid():
        try:
            appointment_question_update(
                question=question, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("Question changed."))
            return redirect("patients:questions", case_id=case.id)
    return render(
        request,
        "patients/question_edit.html",
        {"case": case, "patient": case.patient, "question": question, "form": form},
    )


@login_required
@require_POST
def question_asked(
    request: AuthenticatedHttpRequest, case_id: UUID, question_id: UUID
) -> HttpResponse:
    case = _changing(request, case_id, "Asked to tick off a question")
    question = _question(case, question_id)
    asked = request.POST.get("asked") == "yes"
    appointment_question_mark(question=question, by=request.user, asked=asked)
    messages.success(
        request, gettext("Ticked off.") if asked else gettext("Put back on your list.")
    )
    return redirect("patients:questions", case_id=case.id)


@login_required
@require_POST
def question_delete(
    request: AuthenticatedHttpRequest, case_id: UUID, question_id: UUID
) -> HttpResponse:
    case = _changing(request, case_id, "Asked to delete a question")
    question = _question(case, question_id)
    appointment_question_delete(question=question, by=request.user)
    messages.success(request, gettext("Question deleted."))
    return redirect("patients:questions", case_id=case.id)
