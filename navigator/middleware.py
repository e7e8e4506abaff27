from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from navigator.http import ExplainedNotFound
from navigator.language import locale_for

# Paths a staff member may use before enrolling MFA: signing in and out, enrolment itself.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/", "/fhir/")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class StaffMfaRequiredMiddleware:
    """Staff must enrol TOTP before they see anything else: allauth's MFA is opt-in per user.

    The APIs (/api/, /fhir/) are exempt here because `navigator.api.permissions.RulesPermission`
    refuses them with a 403 body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The path first: reading the user reads the session, which /healthz must never need.
        if request.path.startswith(MFA_EXEMPT_PREFIXES):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and user.is_staff_role and not user.has_mfa:
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set: CSP, and no caching of HTML pages.

    Patient data must not stay in shared or back-button caches, so every HTML response is no-store.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        return response


class PreferredLanguageMiddleware:
    """Every page in the reader's language, English or Welsh (Cymraeg); in place of Django's
    LocaleMiddleware, because the person's own choice is on their record, not in the browser.

    - a signed-in patient or carer: their account's `language` (a patient's follows their
      record, changed on their contact page or by the switch in the header);
    - staff: English, whatever they chose elsewhere (staff pages are not translated; each
      patient's language is shown on their case page);
    - anyone not signed in (sign-in, invitations, error pages): the switch's cookie, then the
      browser's Accept-Language, then English.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


# Paths answered without the session: /healthz must answer while the database is down.
SESSIONLESS_PREFIXES = ("/healthz", "/static/")


def request_language(request: HttpRequest) -> str:
    """The language this request's pages are in (see PreferredLanguageMiddleware)."""
    if request.path.startswith(SESSIONLESS_PREFIXES):
        return translation.get_language_from_request(request)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if user.is_staff_role:
            return settings.LANGUAGE_CODE
        return locale_for(user.language)
    return translation.get_language_from_request(request)


class ExplainedNotFoundMiddleware:
    """Render an `ExplainedNotFound` raised by a view as its own page (status 404), so the
    person it is for reads why; every other 404 goes to the plain handler. A view middleware,
    so it also holds with DEBUG on (Django's technical 404 page would replace the handler)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ExplainedNotFound):
            return None
        return render(request, exception.template_name, exception.context, status=404)
