"""Settings for every environment, read from environment variables (see .env.example).

With DEBUG off (the default) secrets must come from the environment; `make run` turns DEBUG on
and uses embedded defaults: SQLite and a filesystem Celery broker, so nothing else must be running.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from navigator.crypto import dev_key, keys_check
from navigator.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)
DEV_SECRET_KEY = "dev-only-insecure-key-never-used-with-debug-off"  # noqa: S105
SECRET_KEY = envstr("SECRET_KEY", DEV_SECRET_KEY if DEBUG else None, required=not DEBUG)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of 50 or more characters.")
# Fernet keys sealing TOTP secrets and the links and codes waiting in the outbox (navigator.crypto):
# comma-separated, the newest first (README, "Rotating the data key"). With DEBUG on and none set,
# one is derived from SECRET_KEY; production refuses to start without it.
DATA_ENCRYPTION_KEYS = envlist("DATA_ENCRYPTION_KEYS") or ([dev_key(SECRET_KEY)] if DEBUG else [])
keys_check(DATA_ENCRYPTION_KEYS)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set the environment variable ALLOWED_HOSTS (see .env.example).")
# The public https origin, used in links we send and to check Twilio signatures behind a proxy.
SITE_URL = envstr("SITE_URL", "http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "navigator.admin_app.NavigatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "navigator.accounts",
    "navigator.organisations",
    "navigator.audit",
    "navigator.messaging",
    "navigator",
    "patients",
    "appointments",
    "careplans",
    "caseload",
    "insight",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A memo for answers a page asks for more than once (navigator/memo.py).
    "navigator.memo.RequestMemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "navigator.middleware.PreferredLanguageMiddleware",
    "navigator.middleware.StaffMfaRequiredMiddleware",
    "navigator.middleware.SecurityHeadersMiddleware",
    # A 404 that explains itself to the one person it is for (navigator.http.ExplainedNotFound).
    "navigator.middleware.ExplainedNotFoundMiddleware",
]

ROOT_URLCONF = "navigator.urls"
WSGI_APPLICATION = "navigator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "navigator.context_processors.service",
            ],
        },
    },
]

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'navigator.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # An unreachable database answers 503 in seconds rather than holding every worker.
    _options.setdefault("connect_timeout", envint("DATABASE_CONNECT_TIMEOUT", 5))
    # PostgreSQL's JIT compiles a query once its estimated cost passes a threshold: the
    # worklist's at a large caseload spent 1.8 s of 2.1 s compiling. Our queries are short and
    # indexed, so the app's connections turn it off. random_page_cost 1.1 (the default, 4, is
    # for spinning disks) lets the planner read a caseload by index rather than every case
    # (README: "PostgreSQL").
    _options["options"] = (
        f"{_options.get('options', '')} -c jit=off -c random_page_cost=1.1".strip()
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envstr("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis answers 503 in seconds (navigator.outage), not a hung page.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache"}
    )
}
if not DEBUG and not REDIS_URL:
    # TOTP replay protection and login throttling need a cache every process shares.
    raise ImproperlyConfigured("Set the environment variable REDIS_URL (see .env.example).")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The email address is the username but may be blank (people who sign in by text message), so
# it is unique only when given (User's constraint); Django warns that the field is not unique.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email is the username; patients and carers may sign in by an emailed code.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_ADAPTER = "navigator.accounts.adapters.AccountAdapter"
# Staff accounts are made by invitation, never by open sign-up.
ACCOUNT_SIGNUP_OPEN = envbool("ACCOUNT_SIGNUP_OPEN", False)
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "5/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "10/m/ip,3/5m/key",
}
ACCOUNT_FORMS = {
    "login": "navigator.accounts.forms.LoginForm",
    "request_login_code": "navigator.accounts.forms.RequestLoginCodeForm",
    "confirm_login_code": "navigator.accounts.forms.ConfirmLoginCodeForm",
    "reset_password": "navigator.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "navigator.accounts.forms.ResetPasswordKeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Cancer navigator"
MFA_ADAPTER = "navigator.accounts.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "navigator.accounts.forms.AuthenticateForm",
    "activate_totp": "navigator.accounts.forms.ActivateTOTPForm",
}

# English and Welsh (Cymraeg): patients' and carers' pages, messages and printed plans are
# translated through Django's gettext; the catalogue is locale/cy/LC_MESSAGES/django.po
# (compiled by `make install` and the Dockerfile). Staff pages stay English.
# Records store "en" or "cy"; "en" means British English ("en-gb": its dates and numbers),
# found by navigator.language.locale_for.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # css/nhsuk-frontend.min.css: NHS.UK frontend's stylesheet without its font URLs.
    "navigator.staticfiles.NhsukStylesheetFinder",
]
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Letters, photos and recordings added to cases (patients.documents). Never served from a URL of
# the storage's own: every download goes through the case's rules and the audit trail. On local
# disk under VAR_DIR by default; DOCUMENTS_STORAGE=s3 keeps them in any S3-compatible bucket
# through django-storages (private objects, no public URL; README "Letters and documents").
DOCUMENTS_STORAGE = envstr("DOCUMENTS_STORAGE", "local")
if DOCUMENTS_STORAGE == "local":
    STORAGES["documents"] = {
        "BACKEND": "patients.documents.PrivateFileSystemStorage",
        "OPTIONS": {
            "location": str(Path(envstr("DOCUMENTS_DIR", str(VAR_DIR / "documents")))),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
elif DOCUMENTS_STORAGE == "s3":
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": envstr("DOCUMENTS_S3_BUCKET", required=True),
            "endpoint_url": envstr("DOCUMENTS_S3_ENDPOINT_URL", "") or None,
            "region_name": envstr("DOCUMENTS_S3_REGION", "") or None,
            "access_key": envstr("DOCUMENTS_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": envstr("DOCUMENTS_S3_SECRET_ACCESS_KEY", "") or None,
            "location": envstr("DOCUMENTS_S3_PREFIX", "documents"),
            # No ACL of our own: the bucket's (which must block public access). Never overwritten;
            # no public or signed URL is ever handed out.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256"}
            if envbool("DOCUMENTS_S3_ENCRYPT", True)
            else {},
        },
    }
else:
    raise ImproperlyConfigured(f"DOCUMENTS_STORAGE must be local or s3, not {DOCUMENTS_STORAGE!r}.")
# The largest file one may add, in megabytes (a half-hour recording is about 15).
DOCUMENT_MAX_MB = envint("DOCUMENT_MAX_MB", 30)
if DOCUMENT_MAX_MB < 1:
    raise ImproperlyConfigured("DOCUMENT_MAX_MB must be 1 or more.")
# How many days the link to a copy of a person's record works (caseload.models.RecordCopy);
# the file is then deleted by the purge job (navigator/celery.py).
RECORD_COPY_DAYS = envint("RECORD_COPY_DAYS", 7)
if not 1 <= RECORD_COPY_DAYS <= 90:
    raise ImproperlyConfigured("RECORD_COPY_DAYS must be from 1 to 90.")

# Security: HTTPS everywhere outside development.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"

# Email: SMTP when a host is set, otherwise printed to the console.
EMAIL_HOST = envstr("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", bool(EMAIL_HOST_USER))
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Cancer support team <no-reply@localhost>")

# SMS: Twilio when credentials are set, otherwise written to the outbox only.
TWILIO_ACCOUNT_SID = envstr("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = envstr("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = envstr("TWILIO_FROM_NUMBER", "")
# Only for tests and local fakes: where the Twilio client sends its requests.
TWILIO_API_BASE = envstr("TWILIO_API_BASE", "")
# Seconds to wait for Twilio; with no answer a message is checked with Twilio, never resent blindly.
TWILIO_TIMEOUT = envint("TWILIO_TIMEOUT", 10)
SMS_BACKEND = (
    "navigator.messaging.transports.TwilioSms"
    if TWILIO_ACCOUNT_SID
    else "navigator.messaging.transports.ConsoleSms"
)
# No non-urgent SMS or email between these local hours; messages wait until the morning.
QUIET_HOURS_START = envint("QUIET_HOURS_START", 21)
QUIET_HOURS_END = envint("QUIET_HOURS_END", 8)
MESSAGE_MAX_ATTEMPTS = envint("MESSAGE_MAX_ATTEMPTS", 5)
# Seconds between outbox sweeps (navigator/celery.py): a message whose task the broker lost (a
# Redis restart) is sent within two sweeps of the broker's return.
OUTBOX_SWEEP_SECONDS = envint("OUTBOX_SWEEP_SECONDS", 30)
# Minutes a message may stay "sending" while its provider cannot be asked whether it went,
# before it "needs attention" on the case's messages page (it is never resent blindly).
MESSAGE_ATTENTION_AFTER_MINUTES = envint("MESSAGE_ATTENTION_AFTER_MINUTES", 30)
# Seconds before the second try of a failed send; each later wait doubles (with jitter).
MESSAGE_RETRY_BACKOFF = envint("MESSAGE_RETRY_BACKOFF", 30)
# The service directory's Open Referral UK feed (`GET /services`), imported nightly; blank: off.
DIRECTORY_FEED_URL = envstr("DIRECTORY_FEED_URL", "")
DIRECTORY_FEED_TIMEOUT_SECONDS = envint("DIRECTORY_FEED_TIMEOUT_SECONDS", 30)
DIRECTORY_FEED_MAX_BYTES = envint("DIRECTORY_FEED_MAX_BYTES", 20_000_000)
# The public https origin Twilio posts its webhooks to (and signs): SITE_URL unless they differ.
TWILIO_WEBHOOK_BASE_URL = envstr("TWILIO_WEBHOOK_BASE_URL", SITE_URL).rstrip("/")
# Ask Twilio to report each SMS's delivery to /webhooks/twilio/status/: on by default, since
# an undeliverable number must reach the case. Turn off only when the Messaging Service has
# that callback URL set in Twilio's console.
TWILIO_STATUS_CALLBACK = envbool("TWILIO_STATUS_CALLBACK", True)
# Days before a booked appointment that the patient is reminded, comma-separated ("7,2").
try:
    APPOINTMENT_REMINDER_DAYS = [int(day) for day in envlist("APPOINTMENT_REMINDER_DAYS", "2")]
except ValueError:
    raise ImproperlyConfigured(
        "APPOINTMENT_REMINDER_DAYS must be whole numbers of days, comma-separated, like 7,2."
    ) from None
if not APPOINTMENT_REMINDER_DAYS or min(APPOINTMENT_REMINDER_DAYS) < 1:
    raise ImproperlyConfigured("APPOINTMENT_REMINDER_DAYS must list days of 1 or more, like 7,2.")

# Years the audit trail is kept: a month's entries may be dropped (whole, by partition) only
# once they are this old. 30 years by default, as for cancer records in the NHS Records
# Management Code of Practice; set your organisation's policy.
AUDIT_RETENTION_YEARS = envint("AUDIT_RETENTION_YEARS", 30)
if AUDIT_RETENTION_YEARS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_YEARS must be 1 or more.")

# Retention (patients.retention): years after a case closes that each kind of record is kept,
# then listed daily for a team lead to confirm its removal. 30 years by default, as the NHS
# Records Management Code of Practice sets for cancer (oncology) records: README "Retention".
RETENTION_YEARS = {
    # Letters, photos and recordings added to the case.
    "documents": envint("RETENTION_DOCUMENT_YEARS", 30),
    # The whole case: timeline, messages, questions, care team, tracked items, assessments and
    # care plans, documents, and the patient's details once no case of theirs is left.
    "case": envint("RETENTION_CASE_YEARS", 30),
}
if min(RETENTION_YEARS.values()) < 1:
    raise ImproperlyConfigured(
        "RETENTION_DOCUMENT_YEARS and RETENTION_CASE_YEARS must be 1 or more."
    )

# Celery: Redis in production; a filesystem broker in development so nothing must be running.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    for folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = envstr("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Task modules beyond each app's tasks.py (which Celery finds by itself).
CELERY_IMPORTS = ["appointments.reminders"]

# The API: JSON in and out; sessions (CSRF-checked) or tokens, never Basic auth. Token first,
# so an anonymous request gets a 401 with `WWW-Authenticate: Token`. The Swagger UI at
# /api/docs/ replaces the browsable API, whose inline script our CSP would refuse.
API_TOKEN_LIFETIME_DAYS = envint("API_TOKEN_LIFETIME_DAYS", 30)
API_TOKEN_FAILURES_PER_MINUTE = envint("API_TOKEN_FAILURES_PER_MINUTE", 20)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "navigator.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["navigator.api.permissions.RulesPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "navigator.api.throttles.AnonRateThrottle",
        "navigator.api.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "30/minute", "user": "600/minute"},
    "DEFAULT_PAGINATION_CLASS": "navigator.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "navigator.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cancer navigator API",
    "DESCRIPTION": "Cases, care teams, care plans and tracked items, under the same permission "
    "rules as the web pages. The same records, read only, as HL7 FHIR R4: see /fhir/metadata.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "patients.models.Case.Status",
        "RoleEnum": "navigator.accounts.models.Role",
        "ItemKindEnum": "appointments.models.ItemKind",
        "ItemStateEnum": "appointments.models.ItemState",
        "ImportKindEnum": "appointments.serializers.IMPORT_KIND_CHOICES",
        "ChaseTaskStatusEnum": "appointments.models.ChaseTask.Status",
        "TimelineEventKindEnum": "patients.models.TimelineEvent.Kind",
        "CarePlanStatusEnum": "careplans.models.CarePlan.Status",
    },
    # No online validator: it would send our schema's address to a third party.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

# The service's contact lines, shown on every patient page.
URGENT_HELP_LINE = envstr("URGENT_HELP_LINE", "0800 000 0000")
SERVICE_NAME = envstr("SERVICE_NAME", "Cancer navigator")

# GP care plan links and printed plans (careplans.services.sharing, careplans.services.printing).
SHARE_LINK_DAYS = envint("SHARE_LINK_DAYS", 90)
GP_LINK_REQUESTS_PER_MINUTE = envint("GP_LINK_REQUESTS_PER_MINUTE", 30)
PDF_RENDER_TIMEOUT = envint("PDF_RENDER_TIMEOUT", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # Third-party clients at WARNING: Twilio's logs every request and its headers at INFO (eleven
    # lines a text), WeasyPrint every rendering step; their failures stay visible as warnings.
    "loggers": {
        name: {"level": "WARNING"}
        for name in ("twilio", "urllib3", "weasyprint.progress", "fontTools")
    },
}
