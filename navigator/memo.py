"""Answers worked out once per request: a memo that lives while one request is handled.

A page asks the same question several times (may this user see this case? change it? act for
the patient?): the door asks, then the presenter asks what to offer. `RequestMemoMiddleware`
opens a fresh memo for each request and drops it at the end, so nothing outlives the request
that worked it out. Outside a request (jobs, the shell, tests calling a rule directly) there is
no memo and every question is asked afresh.
"""

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, object] | None] = ContextVar("request_memo", default=None)


def memoised(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave earlier in this request for the same `key`."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[return-value]


def remember(key: Hashable, value: object) -> None:
    """Record an answer found another way (a list that already proved it), for this request."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


class RequestMemoMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
