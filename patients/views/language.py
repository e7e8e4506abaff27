"""The English / Cymraeg switch in every page's header (as NHS Wales services show it).

A form that posts, not a plain link: for a signed-in patient it changes their record's
preferred language (their texts, emails and printed plan follow), which a link another site
could make their browser open must not do. Anyone not signed in gets a cookie.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from navigator.accounts.models import Role
from navigator.accounts.services import user_language_set
from navigator.language import CHOICES, locale_for
from patients.models import Patient
from patients.services import patient_language_set


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in CHOICES:
        return HttpResponseBadRequest(b"Choose English (en) or Cymraeg (cy).")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("home")
    user = request.user
    if user.is_authenticated and not user.is_staff_role:
        patient = Patient.objects.filter(user=user).first() if user.role == Role.PATIENT else None
        if patient is not None:
            patient_language_set(patient=patient, language=language, by=user)
        else:
            user_language_set(user=user, language=language)
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        locale_for(language),
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
