"""Request types for views behind sign-in, for the type checker: their user is a `User`.

Annotation only (healthchecks does the same): Django still builds a plain `HttpRequest` and DRF a
`Request`. Use them only where sign-in is enforced (`login_required`, or an API view under the
default `RulesPermission`); a view an anonymous visitor may reach keeps `HttpRequest`.
"""

from typing import Any

from django.http import Http404, HttpRequest
from rest_framework.request import Request

from navigator.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class AuthenticatedRequest(Request):
    user: User


class ExplainedNotFound(Http404):
    """A 404 that says why, to the one person it is for: rendered by
    `navigator.middleware.ExplainedNotFoundMiddleware` from `template_name` with `context`,
    still with status 404. Raise it only where the explanation reveals nothing the person was
    not already told (e.g. a carer whose access was withdrawn: whose, and since when)."""

    def __init__(self, message: str, *, template_name: str, context: dict[str, Any]) -> None:
        super().__init__(message)
        self.template_name = template_name
        self.context = context
