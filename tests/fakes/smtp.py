"""A loopback SMTP sink that records what it is sent: Django's real SMTP backend talks to it.

Enough SMTP for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). A test can make it
refuse recipients with a given code, or go quiet after the message data, as a server that took
the message but never said so.
"""

import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    message: EmailMessage


@dataclass
class SmtpSink:
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    reject_rcpt_code: int | None = None
    hang_after_data: bool = False
    hang_seconds: float = 30.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "start the sink first"
        return int(self._server.server_address[1])

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]

    def start(self) -> None:
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
        self._server.daemon_threads = True
        self._server.sink = self  # type: ignore[attr-defined]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: Any

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink
        with sink._lock:
            sink.connections += 1
        mail_from, rcpt_to = "", []
        self.reply("220 sink.test ESMTP ready")
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 sink.test")
            elif verb == "MAIL":
                mail_from, rcpt_to = _address(command), []
                self.reply("250 OK")
            elif verb == "RCPT":
                if sink.reject_rcpt_code:
                    self.reply(f"{sink.reject_rcpt_code} Mailbox unavailable")
                else:
                    rcpt_to.append(_address(command))
                    self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self._read_data()
                if sink.hang_after_data:
                    sink._release.wait(sink.hang_seconds)
                    return
                message = email.message_from_bytes(data, policy=email.policy.default)
                with sink._lock:
                    sink.received.append(Received(mail_from, rcpt_to, message))  # type: ignore[arg-type]
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) and line != b".\r\n":
            lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
        return b"".join(lines)


def _address(command: str) -> str:
    return command.partition(":")[2].strip().split(" ")[0].strip("<>")


@contextmanager
def smtp_sink(settings: Any | None = None) -> Iterator[SmtpSink]:
    """Run a sink; with pytest-django's `settings`, send this process's email to it by SMTP."""
    sink = SmtpSink()
    sink.start()
    try:
        if settings is not None:
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST = "127.0.0.1"
            settings.EMAIL_PORT = sink.port
            settings.EMAIL_HOST_USER = ""
            settings.EMAIL_HOST_PASSWORD = ""
            settings.EMAIL_USE_TLS = False
            settings.EMAIL_USE_SSL = False
        yield sink
    finally:
        sink.stop()
