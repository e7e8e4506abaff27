"""The paper assessment: a form to print (for the patient, or staff to post), and a page for
staff to key a completed one in, against the version printed on it."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods

from careplans.forms import PaperAssessmentForm
from careplans.models import Questionnaire
from careplans.services.paper import assessment_key_in, paper_versions
from careplans.views import is_staff
from careplans.wording import LANGUAGES, in_language, labels
from navigator.audit.models import AuditEvent
from navigator.http import AuthenticatedHttpRequest
from navigator.language import in_language as language_override
from navigator.pdf import PdfRenderError, css_string, render_pdf
from patients.access import get_case_for_user
from patients.forms import add_service_errors

RATING_SCALE = list(range(0, 11))


def _version(request: HttpRequest) -> Questionnaire:
    """The version asked for (?version=N), else the one offered now; 404 for any other."""
    versions = paper_versions()
    asked = request.GET.get("version", "")
    if asked:
        found = versions.filter(version=int(asked)).first() if asked.isdigit() else None
    else:
        found = versions.filter(is_active=True).first()
    if found is None:
        raise Http404("No such version")
    return found


@login_required
@require_GET
def paper_questionnaire(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """The form to print: every domain and concern with 0-10 to circle, the distress
    thermometer, what matters most, anything else, name, NHS number and date, and the version,
    so the answers keyed in are recorded against the questions as printed."""
    as_pdf = request.GET.get("format") == "pdf"
    case = get_case_for_user(
        request,
        case_id,
        action=AuditEvent.Action.EXPORT if as_pdf else AuditEvent.Action.VIEW,
        summary="Printed the paper assessment form (PDF)"
        if as_pdf
        else "Opened the paper assessment form",
    )
    questionnaire = _version(request)
    language = request.GET.get("lang", case.patient.language)
    if language not in LANGUAGES:
        language = "en"
    domains = [
        (
            in_language(domain, "title", language),
            [in_language(c, "text", language) for c in domain.concerns.all()],
        )
        for domain in questionnaire.domains.prefetch_related("concerns")
    ]
    t = labels(language)
    team = case.team
    return_text = t["paper_return"].format(team=team.name)
    if team.phone:
        return_text += f" {t['phone']}: {team.phone}"
    context = {
        "case": case,
        "patient": case.patient,
        "questionnaire": questionnaire,
        "title": in_language(questionnaire, "title", language),
        "domains": domains,
        "scale": RATING_SCALE,
        "t": t,
        "version_text": t["version"].format(
            code=questionnaire.code.upper(), version=questionnaire.version
        ),
        "return_text": return_text,
        "language": language,
        "other_language": "cy" if language == "en" else "en",
        "can_key_in": is_staff(request) and request.user.has_perm("patients.change_case", case),
    }
    with language_override(language):
        if as_pdf:
            return _pdf(request, context)
        return render(request, "careplans/paper_questionnaire.html", context)


def _pdf(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The same form as a PDF (A4), made by navigator.pdf's renderer. Not cached: it is
    printed now and then, and carries the patient's name, which may change."""
    html = render_to_string(
        "careplans/paper_pdf.html",
        {
            **context,
            "service_name": settings.SERVICE_NAME,
            "version_css": css_string(context["version_text"]),
        },
    )
    try:
        pdf = render_pdf(html)
    except PdfRenderError:
        return render(request, "careplans/pdf/failed.html", status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    version = context["questionnaire"].version
    filename = f"needs-assessment-form-v{version}-{context['language']}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def paper_key_in(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """Staff type in a completed paper form, all on one page; a mistake (a rating of 11, "abc")
    is shown beside its box and in the summary, with everything typed kept."""
    if not is_staff(request):
        raise Http404("No such case")
    writing = request.method == "POST"
    case = get_case_for_user(
        request,
        case_id,
        perm="patients.change_case",
        summary="Sent a keyed-in paper assessment" if writing else "Opened paper assessment keying",
    )
    questionnaire = _version(request)
    form = PaperAssessmentForm(request.POST if writing else None, questionnaire=questionnaire)
    if writing and form.is_valid():
        data = form.cleaned_data
        try:
            result = assessment_key_in(
                case=case,
                questionnaire=questionnaire,
                actor=request.user,
                completed_by=data["completed_by"],
                completed_on=data["completed_on"],
                answers=form.answers(),
                distress_score=data["distress_score"],
                anything_else=data["anything_else"],
            )
        except ValidationError as error:
            codes = {c.code for c in form.concerns}
            add_service_errors(
                form,
                error,
                rename={code: f"r-{code}" for code in codes},
            )
        else:
            note = " The case is flagged as urgent." if result.flag is not None else ""
            messages.success(request, f"Paper assessment saved and a draft plan made.{note}")
            return redirect("careplans:plan_detail", case_id=case.pk, plan_id=result.plan.pk)
    sections: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            domain,
            [
                {
                    "concern": c,
                    "rating": form.typed(f"r-{c.code}"),
                    "priority": bool(form.typed(f"p-{c.code}")),
                    "error": form.errors.get(f"r-{c.code}", [None])[0],
                }
                for c in domain.concerns.all()
            ],
        )
        for domain in form.domains
    ]
    return render(
        request,
        "careplans/paper_key_in.html",
        {
            "case": case,
            "questionnaire": questionnaire,
            "versions": paper_versions(),
            "form": form,
            "sections": sections,
            "typed": {
                name: form.typed(name)
                for name in ("completed_by", "completed_on", "distress_score", "anything_else")
            },
            "completed_by_choices": form.fields["completed_by"].choices,  # type: ignore[attr-defined]
        },
        status=400 if form.errors else 200,
    )
