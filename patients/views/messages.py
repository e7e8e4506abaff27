"""Secure messages inside a case: one conversation between the patient's side and the care team.

Everyone on the case reads it (reading marks the other side's messages read for your side);
staff on the case, the patient and carers who act for them post. With htmx a post swaps in the
conversation and a fresh form; without JavaScript it is an ordinary form post and redirect.
"""

from uuid import UUID

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.forms import NhsFormMixin, add_service_errors
from patients.models import Case
from patients.selectors import messages_for_case
from patients.services import MESSAGE_MAX_LENGTH, case_message_post, case_messages_mark_read


class MessageForm(NhsFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Enter your message"),
            "max_length": _("Your message must be %(limit_value)d characters or fewer"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_messages(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    if request.method == "POST":
        return _post(request, case_id)
    case = get_case_for_user(
        request, case_id, perm="patients.view_messages", summary="Read the messages"
    )
    return _render(request, case, MessageForm())


def _post(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    user = request.user
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.post_message",
        summary="Sent the message form",
    )
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            case_message_post(case=case, author=user, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if _is_htmx(request):
                return _render(request, case, MessageForm(), sent=True)
            flash.success(request, gettext("Message sent."))
            return redirect("patients:messages", case_id=case.id)
    return _render(request, case, form)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _render(
    request: AuthenticatedHttpRequest, case: Case, form: MessageForm, *, sent: bool = False
) -> HttpResponse:
    user = request.user
    conversation = list(messages_for_case(case=case))
    # Flags are taken before marking, so the page can say which messages are new to you.
    case_messages_mark_read(case=case, reader=user)
    staff = user.is_staff_role
    new_ids = {
        message.pk
        for message in conversation
        if (message.read_by_team_at if staff else message.read_by_patient_at) is None
    }
    context = {
        "case": case,
        "patient": case.patient,
        "conversation": conversation,
        "new_ids": new_ids,
        "form": form,
        "sent": sent,
        "is_staff": staff,
        "is_carer": not staff and case.patient.user_id != user.pk,
        "can_post": case.is_open and user.has_perm("patients.post_message", case),
        "back": reverse("caseload:case_detail", args=[case.id])
        if staff
        else f"{reverse('home')}?case={case.id}",
    }
    if _is_htmx(request):
        return render(request, "patients/partials/messages_conversation.html", context)
    return render(request, "patients/messages.html", context)
