"""A fake Open Referral UK API on a loopback port: `GET /services?page=N&per_page=M` answers
pages of the services it holds, in ORUK's page shape, as a directory's API would. It can hang
(to test our timeout) and record what it was asked."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeOpenReferral:
    def __init__(self, services: list[dict[str, Any]], *, per_page: int = 10):
        self.services = services
        self.per_page = per_page
        self.hang_seconds = 0.0
        self.status = 200
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/services"

    def page(self, number: int) -> dict[str, Any]:
        total_pages = max(1, -(-len(self.services) // self.per_page))
        start = (number - 1) * self.per_page
        return {
            "totalElements": len(self.services),
            "totalPages": total_pages,
            "number": number,
            "size": self.per_page,
            "first": number == 1,
            "last": number >= total_pages,
            "content": self.services[start : start + self.per_page],
        }


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        fake: FakeOpenReferral = self.server.fake
        fake.requests.append(self.path)
        if fake.hang_seconds:
            time.sleep(fake.hang_seconds)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path != "/services":
            status, body = 404, {"detail": "Not found"}
        else:
            status, body = fake.status, fake.page(int(query.get("page", "1")))
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting


@contextmanager
def fake_open_referral(services: list[dict[str, Any]], **kwargs: Any) -> Iterator[FakeOpenReferral]:
    fake = FakeOpenReferral(services, **kwargs)
    fake._thread.start()
    try:
        yield fake
    finally:
        fake._server.shutdown()
        fake._server.server_close()
