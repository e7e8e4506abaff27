"""Feedback after key moments: the patient's form (theirs alone: anyone else gets 404) and the
navigator marking that they replied to feedback that asked for a reply."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from careplans.models import SurveyInvitation, SurveyQuestion, SurveyResponse
from careplans.services.surveys import (
    COMMENT_MAX,
    survey_is_open,
    survey_reply_record,
    survey_response_submit,
)
from navigator.http import AuthenticatedHttpRequest
from navigator.language import reading_welsh
from patients.access import get_case_for_user


class SurveyForm(forms.Form):
    """One radio group a question (in the reader's language), a comment, and "I would like a
    reply" (the only way staff see who said what)."""

    comment = forms.CharField(
        label=_("Anything else you would like to tell us (optional)"),
        help_text=_("Please do not include medical questions: contact your team for those."),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    wants_reply = forms.BooleanField(
        label=_("I would like someone from my team to contact me about this"), required=False
    )

    def __init__(self, data: Any, *, questions: list[SurveyQuestion]) -> None:
        super().__init__(data)
        welsh = reading_welsh()
        self.questions = questions
        asked: dict[str, forms.Field] = {}
        for question in questions:
            asked[question.code] = forms.ChoiceField(
                label=question.text_cy if welsh else question.text,
                choices=[
                    (c["code"], c["text_cy"] if welsh else c["text"]) for c in question.choices
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer")},
            )
        # The questions first, then the comment and the reply box.
        self.fields = {**asked, **self.fields}

    @property
    def question_fields(self) -> list[forms.BoundField]:
        return [self[q.code] for q in self.questions]


def _invitation(request: AuthenticatedHttpRequest, case_id: UUID, invitation_id: UUID) -> Any:
    """The invitation, for the case's own patient only (everyone else: 404, logged)."""
    case = get_case_for_user(
        request, case_id, perm="patients.give_feedback", summary="Opened a feedback form"
    )
    invitation = (
        SurveyInvitation.objects.filter(pk=invitation_id, case=case)
        .select_related("survey", "case__patient")
        .first()
    )
    if invitation is None:
        raise Http404("No such feedback form")
    return invitation


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(
    request: AuthenticatedHttpRequest, case_id: UUID, invitation_id: UUID
) -> HttpResponse:
    invitation = _invitation(request, case_id, invitation_id)
    answered = SurveyResponse.objects.filter(invitation=invitation).exists()
    if answered or not survey_is_open(invitation):
        return render(
            request,
            "careplans/survey_closed.html",
            {"case": invitation.case, "answered": answered},
        )
    questions = list(invitation.survey.questions.order_by("order"))
    form = SurveyForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            response = survey_response_submit(
                invitation=invitation,
                answers={q.code: data[q.code] for q in questions},
                via=SurveyResponse.Via.WEB,
                actor=request.user,
                comment=data["comment"],
                wants_reply=data["wants_reply"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            if response.wants_reply:
                messages.success(
                    request, gettext("Thank you. Someone from your team will contact you.")
                )
            else:
                messages.success(request, gettext("Thank you for telling us."))
            return redirect(f"{reverse('home')}?case={invitation.case_id}")
    welsh = reading_welsh()
    return render(
        request,
        "careplans/survey_answer.html",
        {
            "case": invitation.case,
            "invitation": invitation,
            "title": invitation.survey.title_cy if welsh else invitation.survey.title,
            "form": form,
        },
    )


@login_required
@require_POST
def survey_reply_done(
    request: AuthenticatedHttpRequest, case_id: UUID, response_id: UUID
) -> HttpResponse:
    """Staff on the case record that they replied to feedback that asked for a reply."""
    case = get_case_for_user(
        request, case_id, perm="patients.change_case", summary="Recorded a reply to feedback"
    )
    response = SurveyResponse.objects.filter(
        pk=response_id, invitation__case=case, wants_reply=True
    ).first()
    if response is None:
        raise Http404("No such feedback")
    survey_reply_record(response=response, actor=request.user)
    messages.success(request, "Recorded that you replied to their feedback.")
    return redirect("caseload:case_detail", case_id=case.pk)
