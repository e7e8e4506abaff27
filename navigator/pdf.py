"""HTML made into a tagged PDF by WeasyPrint: the door every printed document goes through.

Safety. WeasyPrint's default fetcher opens any URL a document names (http, file, data) and can
embed local files as attachments. Ours (`StaticOnlyFetcher`) serves only our own static files,
found through Django's staticfiles finders by a normalised relative path; every other URL is
refused, so nothing is fetched over the network and no file outside the static folders is read.
Callers put all text from people through Django's autoescaping, so a typed `<img src=...>` is
printed as text and never becomes markup the renderer would act on.

Time cap. Rendering runs in a forked child process that is killed after
settings.PDF_RENDER_TIMEOUT seconds (`PdfRenderError`), so a pathological document cannot hold
a web worker or a Celery worker for ever. The child only lays out the HTML it is given: it
touches no database or cache, and leaves by os._exit so it cannot close the parent's
connections.

Fonts are loaded once per process into one `FontConfiguration` (`font_config`), warmed before
the first fork so every forked render inherits the loaded fonts; loading them afresh was a
tenth or more of a plan's render and half of a one-line page's. The forked child does without
Python's cycle collector. Fonts are subset by HarfBuzz (Debian's libharfbuzz-subset0;
WeasyPrint falls back to the much slower fontTools without it).

This module imports no models: what a document says is its caller's business.
"""

import gc
import os
import posixpath
import select
import signal
import threading
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

# The made-up origin documents are rendered against: "/static/x.css" becomes
# https://pdf.invalid/static/x.css, the only kind of URL the fetcher serves.
BASE_URL = "https://pdf.invalid/"
STATIC_PREFIX = BASE_URL + "static/"


class PdfRenderError(Exception):
    """The PDF could not be made (too slow, or the renderer failed); nothing was cached."""


class StaticOnlyFetcher(URLFetcher):
    """Serves our own static files and refuses every other URL (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=["https"], allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = static_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"Only our own static files may be used in a PDF, not {url[:80]!r}")
        found = finders.find(path)
        if not found or isinstance(found, list):
            self.refused.append(url)
            raise ValueError(f"No static file {path!r}")
        with open(found, "rb") as handle:
            body = handle.read()
        content_type = "text/css" if path.endswith(".css") else ""
        return URLFetcherResponse(url, body, {"Content-Type": content_type} if content_type else {})


def static_path(url: str) -> str | None:
    """The static file a URL names, as a clean relative path; None if it is not one."""
    if not url.startswith(STATIC_PREFIX):
        return None
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        return None
    relative = unquote(parts.path[len("/static/") :])
    if not relative or "\\" in relative or "\x00" in relative or relative.startswith("/"):
        return None
    normal = posixpath.normpath(relative)
    if normal != relative or normal.startswith("..") or "/../" in f"/{normal}/":
        return None
    return normal


_fonts_lock = threading.Lock()
_fonts: FontConfiguration | None = None
# What the warm-up lays out: the weights the plan prints, so their faces are loaded once.
_WARM_UP = (
    '<html lang="en"><body style="font-family: \'Liberation Sans\', sans-serif">'
    "<p>Warm up</p><p><strong>Warm up</strong></p></body></html>"
)


def font_config() -> FontConfiguration:
    """This process's fonts, loaded on first use and kept (Pango caches the faces in it).

    Rendering with one configuration from several threads at once is not safe, so in a web or
    worker process only the warm-ups lay out with it, under the lock; renders for requests and
    tasks happen in forked children (`render_pdf`), each with its own copy of the warm fonts.
    `render_pdf_in_process` (the benchmark, tests) is for single-threaded callers."""
    global _fonts
    with _fonts_lock:
        if _fonts is None:
            fonts = FontConfiguration()
            HTML(string=_WARM_UP).write_pdf(font_config=fonts)
            _fonts = fonts
        return _fonts


def stylesheet_load(css: str, *, warm_up: str) -> CSS:
    """`css` parsed once for reuse across renders (its URLs go through the static-only fetcher),
    after laying `warm_up` out with it, under the lock, so the fonts and sizes it uses are loaded
    in this process before the first fork (see `font_config`)."""
    fonts = font_config()
    stylesheet = CSS(string=css, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    with _fonts_lock:
        HTML(string=warm_up).write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return stylesheet


def render_pdf_in_process(
    html: str, *, stylesheets: Sequence[CSS] = (), fonts: FontConfiguration | None = None
) -> bytes:
    """Lay out `html` and return the PDF (tagged, PDF/UA-1), in this process, no time cap."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(
        pdf_variant="pdf/ua-1",
        attachments=None,
        stylesheets=list(stylesheets),
        font_config=fonts or font_config(),
    )


def render_pdf(
    html: str, *, stylesheets: Sequence[CSS] = (), timeout: float | None = None
) -> bytes:
    """`render_pdf_in_process` in a forked child, killed after `timeout` seconds
    (PDF_RENDER_TIMEOUT): what requests and tasks call."""
    limit = settings.PDF_RENDER_TIMEOUT if timeout is None else timeout
    # Taken before the fork and handed over, so the child never touches the lock. Forking
    # under the lock means no other thread of this process is laying out a warm-up at that
    # moment, so the child cannot inherit Pango or fontconfig half-way through a call.
    fonts = font_config()
    read_end, write_end = os.pipe()
    with _fonts_lock:
        pid = os.fork()
    if pid == 0:  # the child: render, write the answer, leave without any cleanup
        os.close(read_end)
        # The child leaves by os._exit straight after one render, so Python's cycle collector
        # would only be tidying memory about to be dropped (about a tenth of a plan's render).
        gc.disable()
        status = 1
        try:
            try:
                payload = b"\x00" + render_pdf_in_process(
                    html, stylesheets=stylesheets, fonts=fonts
                )
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = b"\x01" + f"{type(exc).__name__}: {exc}".encode()[:2000]
            view = memoryview(payload)
            while view:
                written = os.write(write_end, view)
                view = view[written:]
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + limit
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                raise PdfRenderError(f"The PDF took longer than {limit:g} seconds to make.")
            ready, _, _ = select.select([read_end], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    data = b"".join(chunks)
    if not data or data[:1] != b"\x00":
        reason = data[1:].decode(errors="replace") if data else "the renderer stopped"
        raise PdfRenderError(f"The PDF could not be made: {reason}")
    return data[1:]


def css_string(text: str) -> str:
    """`text` as a quoted CSS string: quotes, backslashes and line breaks escaped."""
    escaped = "".join(
        f"\\{ord(ch):x} " if ch in '"\\\n\r\f<>' or ord(ch) < 32 else ch for ch in text
    )
    return f'"{escaped}"'
