"""The platform's API endpoints: who am I, API tokens, and the schema's Swagger UI."""

from django.contrib.auth.views import redirect_to_login
from django.http.response import HttpResponseBase
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from navigator.api.schema import error_responses
from navigator.api.serializers import MeOutput, TokenInput, TokenOutput
from navigator.api.services import api_token_issue, api_token_revoke
from navigator.http import AuthenticatedRequest


class MeApi(APIView):
    holds_no_patient_data = True

    @extend_schema(
        operation_id="me_retrieve",
        summary="Who am I",
        tags=["account"],
        responses={200: MeOutput, **error_responses(401, 403)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(MeOutput(request.user).data)


class TokenApi(GenericAPIView):
    """Your API token. Sign in on the website first: tokens are issued to a signed-in session.

    Send it as `Authorization: Token <token>`. Staff need multi-factor authentication set up.
    """

    holds_no_patient_data = True

    # Never in exchange for a password: signing in on the website is where allauth applies its
    # rate limits and, for staff, the second factor, and a password endpoint would bypass both.
    # RulesPermission still refuses staff without MFA, here and whenever a token is used.
    authentication_classes = [SessionAuthentication]
    serializer_class = TokenInput  # what OPTIONS describes: the body a POST takes

    @extend_schema(
        operation_id="token_create",
        summary="Get a new API token (replacing any earlier one)",
        tags=["account"],
        request=None,
        responses={201: TokenOutput, **error_responses(400, 403, 415)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        TokenInput(data=request.data).is_valid(raise_exception=True)
        token = api_token_issue(user=request.user)
        return Response(TokenOutput(token).data, status=201)

    @extend_schema(
        operation_id="token_destroy",
        summary="Revoke your API token",
        tags=["account"],
        responses={204: OpenApiResponse(description="Revoked."), **error_responses(403)},
    )
    def delete(self, request: AuthenticatedRequest) -> Response:
        api_token_revoke(user=request.user)
        return Response(status=204)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI that runs under our Content-Security-Policy with no exemption.

    The split view serves its start-up script from this URL (`?script`) rather than inline; our
    template also drops drf-spectacular's inline `<style>`, the one thing CSP 'self' refused.
    """

    template_name = "navigator/api_docs.html"

    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        # A person opening the docs in a browser is sent to sign in, as on every other page.
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
