import logging
import re
import sys

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from navigator.crypto import KEYS_SETTING, UnsealError
from navigator.outage import RETRY_AFTER_SECONDS, outage_of

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the Celery broker both answer, 503 otherwise."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    status = 200 if all(checks.values()) else 503
    response = JsonResponse(
        {name: "ok" if ok else "unavailable" for name, ok in checks.items()}, status=status
    )
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    # A fresh connection each time: a pooled one can look alive after the broker has gone.
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


# Error pages. The API speaks JSON even when no view answered (an unknown path, a malformed id).
API_PREFIX = "/api/"


def _api_error(request: HttpRequest, status: int, detail: str) -> JsonResponse | None:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": detail}, status=status)
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 400, "Bad request.") or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    denied = "You do not have permission to perform this action."
    return _api_error(request, 403, denied) or defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, 404, "Not found.") or defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it is still at hand.
    exc = sys.exc_info()[1]
    service = outage_of(exc)
    if service is not None:
        return service_unavailable(request, service=service, exc=exc)
    if _unsealable(exc):
        return sealed_secret_unreadable(request)
    detail = "Something went wrong on our side. Nothing was changed; try again later."
    return _api_error(request, 500, detail) or defaults.server_error(request)


def _unsealable(exc: BaseException | None) -> bool:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, UnsealError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def sealed_secret_unreadable(request: HttpRequest) -> HttpResponse:
    """503 and a page saying what happened when no key in DATA_ENCRYPTION_KEYS opens a sealed
    secret (HAZ-018): the key was lost, replaced, or an old one removed before the secrets
    were resealed. At the second sign-in step that is every member of staff at once, so the
    log line is CRITICAL and says how to recover; the page tells the person it is not their
    code and whom to ask. No `Retry-After`: it does not mend itself."""
    logger.critical(
        "%s opens no key for a sealed secret (%s %s): the key that sealed it was lost, "
        "replaced, or removed before `manage.py secrets_reseal` ran. Staff cannot pass the "
        "second sign-in step. Put the key back in %s (README, 'Rotating the data key'); if it "
        "is gone for good, remove each affected authenticator in the admin so they enrol again.",
        KEYS_SETTING,
        request.method,
        request.path,
        KEYS_SETTING,
    )
    detail = (
        "A secret this request needs cannot be opened with the service's key. "
        "Tell the service administrator."
    )
    response: HttpResponse | None = _api_error(request, 503, detail)
    if response is None:
        template = loader.get_template("sealed_secret_unreadable.html")
        response = HttpResponse(template.render({}), status=503)
    # The CRITICAL line above is the record; Django's would add a traceback each request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def service_unavailable(
    request: HttpRequest, *, service: str, exc: BaseException | None
) -> HttpResponse:
    """503 with `Retry-After`: JSON for the API, NHS.UK's "service unavailable" page otherwise.

    Logs one line, not a traceback: an outage fails every request, and its cause is the other
    service's log. Touches neither the session nor the database (they may be what is down). A
    form sent with a valid CSRF token is shown back, so what the person typed is not lost:
    nothing was saved, and our pages are not kept by the browser for its back button.
    """
    logger.error(
        "Service unavailable (%s unreachable): %s %s: %s",
        service,
        request.method,
        request.path,
        " ".join(str(exc).split())[:200] or type(exc).__name__,
    )
    detail = "The service is unavailable. Nothing was saved; try again in a few minutes."
    response: HttpResponse | None = _api_error(request, 503, detail)
    if response is None:
        submitted = request.method == "POST"
        context = {"submitted": submitted, "entered": _entered(request) if submitted else []}
        template = loader.get_template("503.html")
        response = HttpResponse(template.render(context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Django's request logger would add the traceback this avoids.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


# Never shown back: secrets, one-time codes and Django's own token.
_NOT_SHOWN = re.compile(r"(^|[_-])(password\d?|token|code|otp|secret|csrfmiddlewaretoken)($|[_-])")


def _entered(request: HttpRequest) -> list[tuple[str, str]]:
    """The fields of a form the person sent from one of our pages, as (label, value)."""
    try:
        csrf = CsrfViewMiddleware(lambda r: HttpResponse())
        if "CSRF_COOKIE" not in request.META:
            csrf.process_request(request)
        if csrf.process_view(request, service_unavailable, (), {}):  # not exempt from CSRF
            return []  # not from our page: showing it back would let another site write here
        fields = [(name, values) for name, values in request.POST.lists()]
    except Exception:
        return []
    return [
        (name.replace("_", " ").replace("-", " ").capitalize(), value)
        for name, values in fields
        if not _NOT_SHOWN.search(name.lower())
        for value in values
        if value.strip()
    ]
