"""Secrets sealed at rest: what the database holds that would let someone act as a person.

TOTP secrets and recovery-code seeds (through allauth's MFA adapter), and the links and codes
waiting in the outbox, are stored as Fernet tokens (AES-128-CBC with an HMAC-SHA256, from
`cryptography`) under the keys in settings.DATA_ENCRYPTION_KEYS. The first key seals; every key
in the list unseals, so a key can be rotated: put the new key first, run
`manage.py secrets_reseal`, then drop the old key (README, "Rotating the data key").
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEYS_SETTING = "DATA_ENCRYPTION_KEYS"


class UnsealError(Exception):
    """A value that no key in DATA_ENCRYPTION_KEYS opens: sealed under a key since removed, or
    never sealed at all."""


def dev_key(secret_key: str) -> str:
    """The key development and tests use when DATA_ENCRYPTION_KEYS is unset (DEBUG only)."""
    digest = hashlib.sha256(f"navigator-data-encryption:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def keys_check(keys: list[str]) -> None:
    """Refuse, naming the variable, a list that is empty or holds a value that is not a key."""
    if not keys:
        raise ImproperlyConfigured(
            f"Set the environment variable {KEYS_SETTING} (see .env.example): the key that "
            "seals TOTP secrets and the links and codes waiting to be sent."
        )
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"{KEYS_SETTING}: key {position} is not a Fernet key (32 bytes, url-safe "
                'base64). Make one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            ) from None


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.DATA_ENCRYPTION_KEYS))


def seal(text: str) -> str:
    """`text` sealed under the first key, as ASCII safe to store in any text column."""
    return _current().encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    """The text `seal` was given; raises UnsealError if no configured key opens `token`."""
    try:
        return _current().decrypt(token.encode()).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise UnsealError(
            f"A sealed value could not be opened with any key in {KEYS_SETTING}."
        ) from exc


def is_sealed(value: str) -> bool:
    """True when a configured key opens `value`."""
    try:
        unseal(value)
    except UnsealError:
        return False
    return True


def reseal(token: str) -> str:
    """`token` sealed again under the first key (for key rotation); same text inside."""
    try:
        return _current().rotate(token.encode()).decode("ascii")
    except InvalidToken as exc:
        raise UnsealError(
            f"A sealed value could not be opened with any key in {KEYS_SETTING}."
        ) from exc
