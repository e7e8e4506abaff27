"""Request types for views behind sign-in, for the type checker: their user is a `User`.

Annotation only (healthchecks does the same): Django still builds a plain `HttpRequest` and DRF a
`Request`. Use them only where sign-in is enforced (`login_required`, or an API view under the
default `RulesPermission`); a view an anonymous visitor may reach keeps `HttpRequest`.
"""

from django.http import HttpRequest
from rest_framework.request import Request

from navigator.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class AuthenticatedRequest(Request):
    user: User
