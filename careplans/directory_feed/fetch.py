"""Fetch an Open Referral UK feed from a URL (every page of `GET /services`) or read it from a
file, within a time and size limit. Imports no models: it returns decoded JSON or raises
`FeedUnavailable` saying why."""

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

# Pages followed at most: a feed that never says "last" must not loop for ever.
MAX_PAGES = 100
PAGE_SIZE = 500


class FeedUnavailable(Exception):
    """The feed could not be read at all (network, HTTP status, size, not JSON)."""


def _read_limited(stream: Any, max_bytes: int, source: str) -> bytes:
    body = stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise FeedUnavailable(f"{source} is larger than {max_bytes} bytes")
    return bytes(body)


def _decode(body: bytes, source: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedUnavailable(f"{source} is not JSON: {error}") from error


def _page_url(url: str, page: int) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.setdefault("per_page", str(PAGE_SIZE))
    query["page"] = str(page)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _get(url: str, *, timeout: float, max_bytes: int) -> Any:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked in feed_fetch
        url, headers={"Accept": "application/json", "User-Agent": "cancer-navigator/1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return _decode(_read_limited(response, max_bytes, url), url)
    except urllib.error.HTTPError as error:
        raise FeedUnavailable(f"{url} answered {error.code} {error.reason}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FeedUnavailable(f"{url} could not be read: {reason}") from error


def feed_fetch(url: str, *, timeout: float, max_bytes: int) -> Any:
    """Every page of the feed at `url` as one ORUK page (`content` holding every service, and
    `totalElements` as the first page gave it), or one document if the URL gives a bare list.
    `max_bytes` bounds the whole feed, `timeout` each request."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FeedUnavailable(f"{url} is not an http or https address")
    first = _get(_page_url(url, 1), timeout=timeout, max_bytes=max_bytes)
    if not isinstance(first, dict) or not isinstance(first.get("content"), list):
        return first
    content = list(first["content"])
    budget = max_bytes - len(json.dumps(first))
    page = 1
    while not first.get("last", True) and page < int(first.get("totalPages") or 1):
        page += 1
        if page > MAX_PAGES:
            raise FeedUnavailable(f"{url} has more than {MAX_PAGES} pages")
        more = _get(_page_url(url, page), timeout=timeout, max_bytes=max(budget, 0))
        if not isinstance(more, dict) or not isinstance(more.get("content"), list):
            raise FeedUnavailable(f"{url} page {page} is not a page of services")
        content += more["content"]
        budget -= len(json.dumps(more))
        if more.get("last", False):
            break
    return {**first, "content": content, "number": 1, "first": True, "last": True}


def feed_read_file(path: str | Path, *, max_bytes: int) -> Any:
    path = Path(path)
    try:
        with path.open("rb") as stream:
            return _decode(_read_limited(stream, max_bytes, str(path)), str(path))
    except OSError as error:
        raise FeedUnavailable(f"{path} could not be read: {error.strerror}") from error
