"""Test settings: the real settings, read from the environment CI sets, with speed-ups only."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from navigator.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# First, so its `flush` (past the audit trail's TRUNCATE guard) is the one the tests reset with.
INSTALLED_APPS = ["tests", *INSTALLED_APPS]  # noqa: F405
