"""Sharing the care plan with the GP practice: the care team's and patient's page, and the
practice's read-only page reached by link (no account; see careplans.services.sharing)."""

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from careplans.models import ShareLink, ShareLinkAccess
from careplans.printed_plan import plan_groups
from careplans.services import sharing
from careplans.services.sharing import SharingError
from careplans.views.pdf import pdf_response
from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user
from patients.forms import NhsDateField, NhsFormMixin
from patients.models import Case

SHARE_PERM = "patients.share_care_plan"
# How long a passed date-of-birth or NHS-number check lasts in that browser, for that link.
GP_SESSION_SECONDS = 30 * 60
GP_COOKIE = "gp_link"
GP_COOKIE_SALT = "careplans.gp-link"
# Sent with every answer on /gp/: not indexed, not cached, and no Referer (which would carry
# the token) to any other site. Not "no-referrer": with it browsers send `Origin: null` on the
# check form's POST, which CSRF protection rightly refuses; "same-origin" sends a Referer only
# back to us.
GP_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# The care team's and the patient's page -------------------------------------------------------


def _sharing_case(request: HttpRequest, case_id: UUID, *, summary: str) -> Case:
    return get_case_for_user(request, case_id, perm=SHARE_PERM, summary=summary)


def _share_page(
    request: HttpRequest,
    case: Case,
    *,
    error: str = "",
    new_link: sharing.NewLink | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "careplans/share/manage.html",
        {
            "case": case,
            "patient": case.patient,
            "plan": sharing.latest_agreed_plan(case),
            "practice": sharing.practice_for_case(case),
            "allowed": sharing.sharing_allowed(case.patient),
            "links": sharing.links_for_case(case),
            "error": error,
            "new_link": new_link,
            "new_link_url": f"{settings.SITE_URL}{new_link.path}" if new_link else "",
            "is_staff": getattr(request.user, "is_staff_role", False),
            "link_days": settings.SHARE_LINK_DAYS,
        },
        status=status,
    )


@login_required
def share_manage(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    case = _sharing_case(request, case_id, summary="Viewed GP sharing of the care plan")
    return _share_page(request, case)


@login_required
@require_POST
def share_create(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """Make a link and send it to the practice; the page shows the link this one time only."""
    case = _sharing_case(request, case_id, summary="Asked to share the care plan with the GP")
    try:
        new = sharing.share_link_create(case=case, actor=request.user)
    except SharingError as error:
        return _share_page(request, case, error=" ".join(error.messages), status=400)
    return _share_page(request, case, new_link=new)


@login_required
@require_POST
def share_revoke(request: AuthenticatedHttpRequest, case_id: UUID, link_id: UUID) -> HttpResponse:
    case = _sharing_case(request, case_id, summary="Asked to stop a GP care plan link")
    link = ShareLink.objects.filter(case=case, pk=link_id).select_related("practice").first()
    if link is None:
        raise Http404("No such link")
    sharing.share_link_revoke(link=link, actor=request.user)
    messages.success(
        request,
        gettext("The link for %(practice)s has been stopped.") % {"practice": link.practice.name},
    )
    return redirect("careplans:share_manage", case_id=case.pk)


@login_required
@require_POST
def share_consent(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    case = _sharing_case(request, case_id, summary="Asked to change GP sharing consent")
    allowed = request.POST.get("allowed") == "yes"
    revoked = sharing.sharing_set(patient=case.patient, allowed=allowed, actor=request.user)
    if allowed:
        messages.success(
            request, gettext("The care plan can be shared with the GP practice again.")
        )
    else:
        message = gettext("The care plan will not be shared with the GP practice.")
        if revoked:
            message = ngettext(
                "The care plan will not be shared with the GP practice. %(count)s link stopped.",
                "The care plan will not be shared with the GP practice. %(count)s links stopped.",
                revoked,
            ) % {"count": revoked}
        messages.success(request, message)
    return redirect("careplans:share_manage", case_id=case.pk)


# The practice's pages, by link ------------------------------------------------------------------


class GpCheckForm(NhsFormMixin, forms.Form):
    """The second check: the patient's date of birth, or their NHS number."""

    date_of_birth = NhsDateField(
        label="Patient's date of birth", required=False, help_text="For example, 15 3 1984."
    )
    nhs_number = forms.CharField(
        label="Or the patient's NHS number",
        required=False,
        max_length=20,
        help_text="10 digits, for example 485 777 3456.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("date_of_birth") and not data.get("nhs_number"):
            self.add_error("date_of_birth", "Enter the patient's date of birth or NHS number")
        return data


def _client(request: HttpRequest) -> tuple[str, str]:
    return sharing.client_summary(request.META.get("HTTP_USER_AGENT", "")[:500])


def _rate_limited(request: HttpRequest) -> bool:
    """More than GP_LINK_REQUESTS_PER_MINUTE from one address this minute (any link, known
    or not, so guessing tokens is slow too). The address is hashed before it is a cache key."""
    address = request.META.get("REMOTE_ADDR", "")
    window = int(time.time() // 60)
    key = f"gp-link-rate:{hashlib.sha256(address.encode()).hexdigest()[:32]}:{window}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 120)
        count = 1
    return count > settings.GP_LINK_REQUESTS_PER_MINUTE


def _gp_page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    response = render(request, f"careplans/share/{template}", context, status=status)
    return response


GpView = Callable[..., HttpResponse]


def gp_link_view(view: GpView) -> GpView:
    """Find the link from the token and answer for its state before `view` runs:
    rate limited 429, unknown 404, stopped or expired 410, locked 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        if _rate_limited(request):
            response = _gp_page(request, "gp_rate_limited.html", {}, status=429)
            response["Retry-After"] = "60"
        else:
            response = _dispatch(view, request, token)
        for header, value in GP_HEADERS.items():
            response[header] = value
        return response

    return wrapper


def _dispatch(view: GpView, request: HttpRequest, token: str) -> HttpResponse:
    link = sharing.share_link_find(token)
    if link is None:
        return _gp_page(request, "gp_not_found.html", {}, status=404)
    state = sharing.share_link_usable_state(link)
    contact = {"case": link.case, "team": link.case.team, "link": link}
    if state in (ShareLink.State.REVOKED, ShareLink.State.EXPIRED):
        return _gp_page(request, "gp_gone.html", {**contact, "state": state}, status=410)
    if state == ShareLink.State.LOCKED:
        return _gp_page(request, "gp_locked.html", contact, status=403)
    return view(request, link, token)


def _checked(request: HttpRequest, link: ShareLink) -> bool:
    try:
        value = request.get_signed_cookie(
            GP_COOKIE, salt=GP_COOKIE_SALT, max_age=dt.timedelta(seconds=GP_SESSION_SECONDS)
        )
    except (KeyError, signing.BadSignature):
        return False
    return value == f"{link.pk}:{link.token_hash[:16]}"


def _remember_check(response: HttpResponse, link: ShareLink) -> None:
    response.set_signed_cookie(
        GP_COOKIE,
        f"{link.pk}:{link.token_hash[:16]}",
        salt=GP_COOKIE_SALT,
        max_age=GP_SESSION_SECONDS,
        path="/gp/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


@gp_link_view
def gp_link(request: HttpRequest, link: ShareLink, token: str) -> HttpResponse:
    """The second check, then the plan. A wrong answer counts towards locking the link."""
    if request.method == "POST":
        form = GpCheckForm(request.POST)
        if form.is_valid():
            result = sharing.share_link_check(
                link=link,
                date_of_birth=form.cleaned_data["date_of_birth"],
                nhs_number=form.cleaned_data["nhs_number"] or "",
                client=_client(request),
            )
            if result.passed:
                response = redirect("gp_link", token=token)
                _remember_check(response, link)
                return response
            if result.locked:
                contact = {"case": link.case, "team": link.case.team, "link": link}
                return _gp_page(request, "gp_locked.html", contact, status=403)
            form.add_error(
                None,
                "The details you entered do not match this patient. "
                f"You have {result.tries_left} {'try' if result.tries_left == 1 else 'tries'} "
                "left before this link is locked.",
            )
        return _gp_page(request, "gp_check.html", {"form": form, "link": link}, status=400)
    if not _checked(request, link):
        return _gp_page(request, "gp_check.html", {"form": GpCheckForm(), "link": link})
    view = sharing.shared_view(link)
    sharing.share_link_record(
        link=link,
        kind=ShareLinkAccess.Kind.VIEWED,
        plan=view.plan,
        client=_client(request),
        treatment_summary=view.treatment_summary,
    )
    return _gp_page(
        request,
        "gp_plan.html",
        {
            "link": link,
            "token": token,
            "case": link.case,
            "patient": link.case.patient,
            "navigator": link.case.navigator,
            "team": link.case.team,
            "view": view,
            "plan": view.plan,
            "summary": view.treatment_summary,
            "groups": plan_groups(view.plan, "en") if view.plan else [],
            "expires_on": timezone.localdate(link.expires_at),
        },
    )


@gp_link_view
def gp_link_pdf(request: HttpRequest, link: ShareLink, token: str) -> HttpResponse:
    if not _checked(request, link):
        return redirect("gp_link", token=token)
    view = sharing.shared_view(link)
    if view.plan is None:
        return redirect("gp_link", token=token)
    sharing.share_link_record(
        link=link,
        kind=ShareLinkAccess.Kind.DOWNLOADED,
        plan=view.plan,
        client=_client(request),
        treatment_summary=view.treatment_summary,
    )
    large = request.GET.get("size") == "large"
    return pdf_response(
        request,
        view.plan,
        large=large,
        language="en",
        failed_template="careplans/share/gp_pdf_failed.html",
    )


@gp_link_view
def gp_link_acknowledge(request: HttpRequest, link: ShareLink, token: str) -> HttpResponse:
    if request.method != "POST" or not _checked(request, link):
        return redirect("gp_link", token=token)
    view = sharing.shared_view(link)
    sharing.share_link_acknowledge(link=link, plan=view.plan, client=_client(request))
    return redirect("gp_link", token=token)
