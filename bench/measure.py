"""Measuring helpers every benchmark shares: a signed-in client, view timing, query counts."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from navigator.accounts.models import User

# allauth's backend is the one a real sign-in goes through.
LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


class BenchError(Exception):
    """The benchmark measured something other than what it meant to (a redirect, an error)."""


@dataclass(frozen=True)
class Timing:
    requests: int
    p50_us: int
    p95_us: int


def signed_in_client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def time_view(
    client: Client, url: str, *, requests: int, warmup: int | None = None, status: int = 200
) -> Timing:
    """GET `url` `warmup` times untimed, then `requests` times timed; every answer must be `status`.

    The warm-up (a tenth of `requests` unless given) fills caches and opens the connection, so
    the figures are of steady state.
    """
    for _ in range(requests // 10 if warmup is None else warmup):
        _expect(client.get(url), url, status)
    samples = []
    for _ in range(requests):
        start = time.perf_counter_ns()
        response = client.get(url)
        samples.append(time.perf_counter_ns() - start)
        _expect(response, url, status)
    return Timing(
        requests=requests,
        p50_us=round(percentile(samples, 50) / 1000),
        p95_us=round(percentile(samples, 95) / 1000),
    )


def count_queries(action: Callable[[], Any]) -> int:
    """How many SQL statements `action()` runs on the default database."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def percentile(samples: list[int], percent: float) -> int:
    """Nearest-rank percentile: the smallest sample with `percent`% of samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(percent / 100 * len(ordered)) - 1, 0)]


def _expect(response: Any, url: str, status: int) -> None:
    if response.status_code != status:
        raise BenchError(f"GET {url} answered {response.status_code}, expected {status}")
