"""Staff offer an assessment and record what became of an offer (national cancer dataset codes)."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from careplans import services
from careplans.models import Assessment, AssessmentOffer
from careplans.services.offers import POINT_FOR_REASON, RECORDABLE
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.models import Case


def _staff_case(request: HttpRequest, case_id: UUID, summary: str) -> Case:
    return get_case_for_user(request, case_id, perm="patients.change_case", summary=summary)


def _errors(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {k: v[0] for k, v in error.message_dict.items()}
    return {"reason": " ".join(error.messages)}


@login_required
def offer_new(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    case = _staff_case(request, case_id, "Opened the form to offer an assessment")
    typed = {"reason": "", "pathway_point": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in typed}
        if typed["reason"] not in AssessmentOffer.Reason.values:
            errors["reason"] = "Choose why the assessment is being offered"
        if typed["pathway_point"] and typed["pathway_point"] not in Assessment.PathwayPoint.values:
            errors["pathway_point"] = "Choose the point of the pathway"
        if not errors:
            try:
                offer = services.assessment_offer(
                    case=case,
                    reason=typed["reason"],
                    pathway_point=typed["pathway_point"] or None,
                    actor=request.user,
                )
            except ValidationError as error:
                errors = _errors(error)
            else:
                if offer.not_sent_reason:
                    messages.warning(request, f"Assessment offered. {offer.not_sent_reason}")
                else:
                    messages.success(request, "Assessment offered. The patient has been told.")
                return redirect("careplans:assessment_list", case_id=case.pk)
    return render(
        request,
        "careplans/offer_new.html",
        {
            "case": case,
            "typed": typed,
            "errors": errors,
            "reasons": AssessmentOffer.Reason.choices,
            "points": Assessment.PathwayPoint.choices,
            "usual_points": {
                str(reason): Assessment.PathwayPoint(point).label
                for reason, point in POINT_FOR_REASON.items()
            },
            "open_offer": case.assessment_offers.filter(
                status=Assessment.OfferStatus.OFFERED
            ).first(),
        },
        status=400 if errors else 200,
    )


@login_required
def offer_record(request: AuthenticatedHttpRequest, case_id: UUID, offer_id: UUID) -> HttpResponse:
    case = _staff_case(request, case_id, "Opened an assessment offer to record its outcome")
    offer = (
        AssessmentOffer.objects.filter(case=case, pk=offer_id).select_related("assessment").first()
    )
    if offer is None:
        raise Http404("No such offer")
    typed: dict[str, Any] = {"status": "", "note": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        typed = {k: request.POST.get(k, "") for k in typed}
        try:
            services.assessment_offer_record(
                offer=offer, status=typed["status"], note=typed["note"], actor=request.user
            )
        except ValidationError as error:
            errors = (
                {k: v[0] for k, v in error.message_dict.items()}
                if hasattr(error, "error_dict")
                else {"status": " ".join(error.messages)}
            )
        else:
            messages.success(request, "Recorded.")
            return redirect("careplans:assessment_list", case_id=case.pk)
    return render(
        request,
        "careplans/offer_record.html",
        {
            "case": case,
            "offer": offer,
            "typed": typed,
            "errors": errors,
            "statuses": [(s.value, s.label) for s in RECORDABLE],
        },
        status=400 if errors else 200,
    )
