"""The doors to SMS and email providers: one class per channel, plain values in, a provider id out.

These import no models: `navigator.messaging.services` decides what to send and records what
happened; a transport only talks to its provider and says how it went. Every failure is a
`TransportError` that says whether trying again could help (healthchecks' transports do the same),
or an `OutcomeUnknown` when the request may have arrived but no answer came back, so the caller
must check with the provider rather than resend.
"""

import datetime as dt
import logging
import smtplib
import uuid
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

logger = logging.getLogger(__name__)

# Provider statuses in our words (sent, delivered, failed); None means "still on its way".
# Twilio's message statuses: https://www.twilio.com/docs/messaging/api/message-resource
PROVIDER_STATUSES: dict[str, str | None] = {
    "accepted": None,
    "scheduled": None,
    "queued": None,
    "sending": None,
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}

# Twilio's clock and ours differ a little, and its timestamps are whole seconds.
CLOCK_SKEW = dt.timedelta(seconds=60)


class TransportError(Exception):
    """The provider did not take the message. `permanent` means trying again cannot help."""

    def __init__(self, message: str, permanent: bool = False, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code


class OutcomeUnknown(TransportError):
    """The request may have reached the provider, but no answer came: do not resend blindly."""


@dataclass(frozen=True)
class ProviderRecord:
    """What the provider knows of a message we may have sent."""

    provider_id: str
    status: str | None  # sent, delivered, failed, or None while the provider still has it
    error: str = ""


class Transport:
    """One channel's provider. `find` answers "did you get this message?" where it can."""

    can_look_up = False

    def send(self, *, to: str, subject: str, body: str, body_html: str) -> str:
        """Hand the message to the provider; return the provider's id for it."""
        raise NotImplementedError

    def find(
        self, *, provider_id: str, to: str, body: str, since: dt.datetime
    ) -> ProviderRecord | None:
        """The provider's record of a message, or None if it definitely has none."""
        raise NotImplementedError


class ConsoleSms(Transport):
    """Development and tests: the SMS goes to the log and stays in the outbox, nowhere else."""

    def send(self, *, to: str, subject: str, body: str, body_html: str) -> str:
        logger.info("SMS to %s: %s", to, body)
        return f"console-{uuid.uuid4().hex}"


class _RebasedHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client, sending to another origin when one is set (a local fake)."""

    def __init__(self, *, base: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base = urlsplit(base) if base else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        if self.base and parts.hostname and parts.hostname.endswith("twilio.com"):
            url = urlunsplit(
                (self.base.scheme, self.base.netloc, self.base.path.rstrip("/") + parts.path)
                + parts[3:]
            )
        return super().request(method, url, *args, **kwargs)


class TwilioSms(Transport):
    can_look_up = True

    def __init__(self) -> None:
        if not (
            settings.TWILIO_ACCOUNT_SID
            and settings.TWILIO_AUTH_TOKEN
            and settings.TWILIO_FROM_NUMBER
        ):
            raise ImproperlyConfigured(
                "Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER to send SMS."
            )
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=_RebasedHttpClient(
                base=settings.TWILIO_API_BASE, timeout=settings.TWILIO_TIMEOUT
            ),
        )

    def send(self, *, to: str, subject: str, body: str, body_html: str) -> str:
        sender = settings.TWILIO_FROM_NUMBER
        # A messaging service (MG...) picks the sending number itself.
        options = (
            {"messaging_service_sid": sender} if sender.startswith("MG") else {"from_": sender}
        )
        if settings.TWILIO_STATUS_CALLBACK:
            path = reverse("messaging:twilio_status")
            options["status_callback"] = f"{settings.TWILIO_WEBHOOK_BASE_URL}{path}"
        try:
            message = self.client.messages.create(to=to, body=body, **options)
        except TwilioException as exc:
            raise _twilio_error(exc) from exc
        except requests.RequestException as exc:
            raise _network_error(exc) from exc
        return str(message.sid)

    def find(
        self, *, provider_id: str, to: str, body: str, since: dt.datetime
    ) -> ProviderRecord | None:
        try:
            if provider_id:
                return self._fetch(provider_id)
            return self._search(to=to, body=body, since=since)
        except TwilioException as exc:
            raise _twilio_error(exc) from exc
        except requests.RequestException as exc:
            raise TransportError(f"Could not reach Twilio to check a message: {exc}") from exc

    def _fetch(self, provider_id: str) -> ProviderRecord | None:
        try:
            message = self.client.messages(provider_id).fetch()
        except TwilioException as exc:
            if getattr(exc, "status", None) == 404:
                return None
            raise
        return _record(message)

    def _search(self, *, to: str, body: str, since: dt.datetime) -> ProviderRecord | None:
        # Twilio filters by the GMT date a message was sent, so ask for each day since we tried.
        day = (since - CLOCK_SKEW).astimezone(dt.UTC).date()
        today = timezone.now().astimezone(dt.UTC).date()
        while day <= today:
            for message in self.client.messages.list(to=to, date_sent=day.isoformat(), limit=200):
                created = message.date_created
                if message.body == body and (created is None or created >= since - CLOCK_SKEW):
                    return _record(message)
            day += dt.timedelta(days=1)
        return None


def _record(message: Any) -> ProviderRecord:
    error = ""
    if message.error_code:
        error = f"Twilio {message.error_code}: {message.error_message or message.status}"
    return ProviderRecord(
        provider_id=str(message.sid), status=PROVIDER_STATUSES.get(message.status), error=error
    )


def _twilio_error(exc: TwilioException) -> TransportError:
    status = int(getattr(exc, "status", 0) or 0)
    code = getattr(exc, "code", None)
    text = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", "")
    # A 4xx is about this request (unsubscribed, not a mobile, bad number, bad credentials), so
    # the same request will fail again; 5xx, throttling and timeouts may pass on a later try.
    permanent = 400 <= status < 500 and status not in (408, 409, 429)
    return TransportError(
        f"Twilio refused it (HTTP {status}, error {code}): {text}",
        permanent=permanent,
        code=str(code or ""),
    )


def _network_error(exc: requests.RequestException) -> TransportError:
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.ConnectTimeout) or isinstance(reason, NewConnectionError):
        return TransportError(f"Could not connect to Twilio: {exc}")
    # Connected, then no answer: Twilio may have taken the message.
    return OutcomeUnknown(f"No answer from Twilio: {exc}")


class Email(Transport):
    """Email through Django's mail (settings.EMAIL_BACKEND: SMTP in production)."""

    def send(self, *, to: str, subject: str, body: str, body_html: str) -> str:
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].partition("@")[2] or "localhost"
        message_id = make_msgid(domain=domain)
        email = EmailMultiAlternatives(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"Message-ID": message_id},
        )
        if body_html:
            email.attach_alternative(body_html, "text/html")
        connection = get_connection(settings.EMAIL_BACKEND, fail_silently=False)
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as exc:
            # Nothing was handed over yet, so trying again later is safe.
            raise TransportError(f"Could not connect to the mail server: {exc}") from exc
        try:
            connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise TransportError(
                f"The mail server refused the address: {exc.recipients}",
                permanent=all(code >= 500 for code in codes),
                code=str(codes[0]) if codes else "",
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise TransportError(
                f"The mail server refused it ({exc.smtp_code}): {exc.smtp_error!r}",
                permanent=exc.smtp_code >= 500,
                code=str(exc.smtp_code),
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise OutcomeUnknown(f"No answer from the mail server: {exc!r}") from exc
        finally:
            try:
                connection.close()
            except (OSError, smtplib.SMTPException):
                logger.warning("Could not close the mail server connection", exc_info=True)
        return message_id


def transport_for(channel: str) -> Transport:
    """The configured transport for "sms" or "email"."""
    if channel == "sms":
        transport: Transport = import_string(settings.SMS_BACKEND)()
        return transport
    if channel == "email":
        return Email()
    raise ValueError(f"No transport for channel {channel!r}")
