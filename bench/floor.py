"""The floor: a bare view through the full middleware stack, as a signed-in navigator.

Other benchmarks call `measure_floor()` in their own run and divide by it, so their ratios do not
depend on the machine.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from bench.harness import progress
from bench.measure import Timing, count_queries, signed_in_client, time_view
from navigator.accounts.models import Role, User

EMAIL = "floor.navigator@bench.test"


def run(*, requests: int) -> dict[str, object]:
    timing, queries = measure_floor(requests=requests)
    return {
        "requests": timing.requests,
        "p50_us": timing.p50_us,
        "p95_us": timing.p95_us,
        "queries": queries,
    }


def measure_floor(*, requests: int) -> tuple[Timing, int]:
    """Time the bare view `requests` times; returns the timing and its query count."""
    client = signed_in_client(_navigator())
    url = reverse("bench-floor")
    progress("floor", f"timing {requests} requests to {url}")
    timing = time_view(client, url, requests=requests)
    # Counted after the warm-up, so one-off work on a first request is not counted.
    queries = count_queries(lambda: client.get(url))
    progress("floor", f"p50 {timing.p50_us} us, p95 {timing.p95_us} us, {queries} queries")
    return timing, queries


def _navigator() -> User:
    """A navigator with TOTP enrolled, so the MFA middleware lets her through as in real use."""
    user = User.objects.filter(email=EMAIL).first()
    if user is None:
        user = User.objects.create_user(EMAIL, None, role=Role.NAVIGATOR, full_name="Nadia Floor")
        EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
        TOTP.activate(user, generate_totp_secret())
    return user
