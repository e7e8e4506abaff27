"""DRF's throttles, reading their rates from settings at request time.

DRF's own classes copy `DEFAULT_THROTTLE_RATES` when they are imported, so a changed setting
(another environment's override, or a test) would silently keep the old rate.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class AnonRateThrottle(throttling.AnonRateThrottle):
    def __init__(self) -> None:
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        super().__init__()


class UserRateThrottle(throttling.UserRateThrottle):
    def __init__(self) -> None:
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        super().__init__()
