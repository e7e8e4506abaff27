from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a staff member may use before enrolling MFA: signing in and out, enrolment itself.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/")

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

    The API is exempt here because `navigator.api.permissions.RulesPermission` refuses it with a 403 body.
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
