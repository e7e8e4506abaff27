"""A loopback HTTP server speaking the part of Twilio's Messages API we use.

The real `twilio` client is pointed at it through settings.TWILIO_API_BASE, so a test runs our
code, the client library and HTTP; only Twilio itself is replaced. A test plans what the next
create requests meet: success (the default), an HTTP error with a Twilio error code, or a hang
past the client's timeout, with or without Twilio having taken the message.
"""

import base64
import datetime as dt
import json
import secrets
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API = "/2010-04-01"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
FROM_NUMBER = "+447700900001"
ERROR_MESSAGES = {
    21610: "Attempt to send to unsubscribed recipient",
    21211: "Invalid 'To' Phone Number",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
}


@dataclass
class Plan:
    """What one create request meets."""

    status: int = 201
    code: int | None = None
    hang: bool = False
    record: bool = True  # for a hang: did Twilio take the message before going quiet?


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    authorised: bool


@dataclass
class FakeTwilio:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    from_number: str = FROM_NUMBER
    hang_seconds: float = 30.0
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _plans: deque[Plan] = field(default_factory=deque)
    # While set, every look-up (GET) gets this HTTP status with Twilio's JSON error body.
    lookup_failure: int | None = None
    _sids: deque[str] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    # --- planning, from tests ---

    def fail_next(self, status: int = 500, *, code: int | None = None, times: int = 1) -> None:
        """The next `times` creates get this HTTP status with Twilio's JSON error body."""
        for _ in range(times):
            self._plans.append(Plan(status=status, code=code or (20500 if status >= 500 else None)))

    def hang_next(self, *, record: bool, times: int = 1) -> None:
        """The next `times` creates never answer; `record` says whether Twilio kept the message."""
        for _ in range(times):
            self._plans.append(Plan(hang=True, record=record))

    def fail_lookups(self, status: int | None = 500) -> None:
        """Every look-up from now on gets this HTTP status (None: answer them again)."""
        self.lookup_failure = status

    def sid_next(self, sid: str) -> None:
        """The next message created gets this SID (so a test can report on it beforehand)."""
        self._sids.append(sid)

    # --- what happened ---

    @property
    def creates(self) -> list[dict[str, str]]:
        """The form of every create request received, whatever it was answered."""
        return [r.form for r in self.requests if r.method == "POST"]

    @property
    def lookups(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "GET"]

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings_env(self) -> dict[str, str]:
        """Environment variables that point a process's Twilio transport here."""
        return {
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_FROM_NUMBER": self.from_number,
            "TWILIO_API_BASE": self.base_url,
        }

    # --- running ---

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._release.set()  # wake hanging requests so their threads end
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # --- the API ---

    def _create(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            plan = self._plans.popleft() if self._plans else Plan()
        if plan.status >= 400:
            return plan.status, _error(plan.status, plan.code)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with self._lock:
            sid = self._sids.popleft() if self._sids else "SM" + secrets.token_hex(16)
        queued = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": format_datetime(now),
            "date_sent": None,
            "date_updated": format_datetime(now),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From") or self.from_number,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "GBP",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {
                "media": f"{API}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": form.get("To", ""),
            "uri": f"{API}/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        if plan.record:
            # Twilio sends it straight away: later reads see it sent, with its date.
            with self._lock:
                self.messages[sid] = {**queued, "status": "sent", "date_sent": format_datetime(now)}
        if plan.hang:
            self._release.wait(self.hang_seconds)
            return 504, _error(504, 20500)  # too late: the client has given up
        return 201, queued

    def _fetch(self, sid: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            message = self.messages.get(sid)
        if message is None:
            return 404, _error(404, 20404)
        return 200, message

    def _list(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        def sent_on(message: dict[str, Any]) -> str:
            sent = message["date_sent"]
            return parsedate_to_datetime(sent).date().isoformat() if sent else ""

        with self._lock:
            found = list(reversed(self.messages.values()))  # newest first, as Twilio lists
        if "To" in query:
            found = [m for m in found if m["to"] == query["To"]]
        if "DateSent" in query:
            found = [m for m in found if sent_on(m) == query["DateSent"][:10]]
        if "DateSent>" in query:
            found = [m for m in found if sent_on(m) and sent_on(m) >= query["DateSent>"][:10]]
        if "DateSent<" in query:
            found = [m for m in found if sent_on(m) and sent_on(m) <= query["DateSent<"][:10]]
        page_size = int(query.get("PageSize", "50"))
        uri = f"{API}/Accounts/{self.account_sid}/Messages.json?PageSize={page_size}&Page=0"
        return 200, {
            "end": max(len(found[:page_size]) - 1, 0),
            "first_page_uri": uri,
            "messages": found[:page_size],
            "next_page_uri": None,
            "page": 0,
            "page_size": page_size,
            "previous_page_uri": None,
            "start": 0,
            "uri": uri,
        }


def _error(status: int, code: int | None) -> dict[str, Any]:
    code = code or status
    return {
        "code": code,
        "message": ERROR_MESSAGES.get(code, "The requested resource was not found"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # keep test output quiet

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self._handle("POST")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle("GET")

    def _handle(self, method: str) -> None:
        fake: FakeTwilio = self.server.fake
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
        authorised = self.headers.get("Authorization") == f"Basic {expected}"
        with fake._lock:
            fake.requests.append(RecordedRequest(method, parts.path, query, form, authorised))

        messages = f"{API}/Accounts/{fake.account_sid}/Messages"
        if not authorised:
            status, body = 401, {**_error(401, 20003), "message": "Authenticate"}
        elif method == "GET" and fake.lookup_failure is not None:
            status, body = fake.lookup_failure, _error(fake.lookup_failure, 20500)
        elif method == "POST" and parts.path == f"{messages}.json":
            status, body = fake._create(form)
        elif method == "GET" and parts.path == f"{messages}.json":
            status, body = fake._list(query)
        elif method == "GET" and parts.path.startswith(f"{messages}/"):
            status, body = fake._fetch(
                parts.path.removeprefix(f"{messages}/").removesuffix(".json")
            )
        else:
            status, body = 404, _error(404, 20404)
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting (a planned hang)


@contextmanager
def fake_twilio(settings: Any | None = None) -> Iterator[FakeTwilio]:
    """Run a fake Twilio; with pytest-django's `settings`, point this process's transport at it."""
    fake = FakeTwilio()
    fake.start()
    try:
        if settings is not None:
            settings.TWILIO_ACCOUNT_SID = fake.account_sid
            settings.TWILIO_AUTH_TOKEN = fake.auth_token
            settings.TWILIO_FROM_NUMBER = fake.from_number
            settings.TWILIO_API_BASE = fake.base_url
            settings.SMS_BACKEND = "navigator.messaging.transports.TwilioSms"
        yield fake
    finally:
        fake.stop()
