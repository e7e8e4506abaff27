"""Twilio's webhooks: texts people send to our number, and delivery reports for ours.

Anyone can post to these URLs, so nothing is read or done until the request's
X-Twilio-Signature checks out with Twilio's own RequestValidator. Twilio signs the URL it was
given, which is our public https address; behind a proxy that ends TLS, Django sees http and
an inside host name, so the URL is rebuilt from settings.TWILIO_WEBHOOK_BASE_URL (SITE_URL
unless set) and the request's path, never from the Host or X-Forwarded-* headers, which a
caller controls. A missing, wrong or uncheckable signature is a 403, never a 500.
"""

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import RequestValidator, get_signature_algorithm

from navigator.messaging.inbound import delivery_report_receive, inbound_sms_receive

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
# An empty TwiML answer: Twilio sends nothing back. Replies go through the outbox instead, so
# each is recorded, idempotent and honours opt-outs (see appointments.inbound).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def public_url(request: HttpRequest) -> str:
    """The address Twilio was given for this webhook, which is the one it signed."""
    base = settings.TWILIO_WEBHOOK_BASE_URL.rstrip("/")
    return f"{base}{request.get_full_path()}"


def signed_by_twilio(request: HttpRequest) -> bool:
    """True only if the request carries a signature Twilio made with our auth token."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not token or not signature:
        return False
    try:
        params: Any = request.POST if request.method == "POST" else {}
        algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
        return bool(
            RequestValidator(token).validate(public_url(request), params, signature, algorithm)
        )
    except Exception:
        # A body Django cannot parse, or a header the validator chokes on: not Twilio.
        logger.warning("Could not check a Twilio signature on %s", request.path, exc_info=True)
        return False


def _refused(request: HttpRequest) -> HttpResponse | None:
    """The refusal for a request not from Twilio, or not a POST; None when it may go ahead."""
    if not signed_by_twilio(request):
        logger.warning("Refused a webhook on %s: no valid Twilio signature", request.path)
        return HttpResponse(
            "Forbidden: this address only takes requests signed by Twilio.",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    if request.method != "POST":
        response = HttpResponse("Only POST.", status=405, content_type="text/plain")
        response["Allow"] = "POST"
        return response
    return None


def _bad_request(text: str) -> HttpResponse:
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


@csrf_exempt
def twilio_inbound_sms(request: HttpRequest) -> HttpResponse:
    """A text someone sent to our number. Answers empty TwiML; see inbound_sms_receive."""
    refused = _refused(request)
    if refused is not None:
        return refused
    message_sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    from_number = request.POST.get("From", "").strip()
    if not message_sid or not from_number:
        return _bad_request("MessageSid and From are required.")
    inbound_sms_receive(
        message_sid=message_sid[:64],
        from_number=from_number[:20],
        to_number=request.POST.get("To", "").strip()[:20],
        body=request.POST.get("Body", ""),
    )
    return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")


@csrf_exempt
def twilio_status_callback(request: HttpRequest) -> HttpResponse:
    """A delivery report for a message we sent: updates its outbox row (once, however often)."""
    refused = _refused(request)
    if refused is not None:
        return refused
    message_sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    status = request.POST.get("MessageStatus") or request.POST.get("SmsStatus") or ""
    if not message_sid or not status:
        return _bad_request("MessageSid and MessageStatus are required.")
    delivery_report_receive(
        message_sid=message_sid,
        status=status.lower(),
        error_code=request.POST.get("ErrorCode", "").strip(),
    )
    return HttpResponse(status=204)
