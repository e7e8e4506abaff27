"""Seal every secret at rest again under the first key in DATA_ENCRYPTION_KEYS.

Key rotation (README, "Rotating the data key"): put the new key first in DATA_ENCRYPTION_KEYS,
keeping the old one after it, restart, run this, then remove the old key and restart again.
"""

from typing import Any

from django.core.management.base import BaseCommand

from navigator.accounts.services import mfa_secrets_reseal
from navigator.messaging.services import outbox_secrets_reseal


class Command(BaseCommand):
    help = "Seal TOTP secrets, recovery codes and waiting links and codes under the newest key."

    def handle(self, *args: Any, **options: Any) -> None:
        authenticators = mfa_secrets_reseal()
        messages = outbox_secrets_reseal()
        self.stdout.write(
            f"Sealed again under the first key: {authenticators} authenticators, "
            f"{messages} waiting messages."
        )
