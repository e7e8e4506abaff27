import datetime as dt
import hashlib
import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from navigator.memo import memoised


class Language(models.TextChoices):
    """The languages our pages and messages are written in (settings.LANGUAGES)."""

    ENGLISH = "en", "English"
    WELSH = "cy", "Cymraeg"


class Role(models.TextChoices):
    PATIENT = "patient", _("Patient")
    CARER = "carer", _("Carer")
    NAVIGATOR = "navigator", "Navigator"
    CLINICIAN = "clinician", "Clinician"
    TEAM_LEAD = "team_lead", "Team lead"
    ADMIN = "admin", "Administrator"
    # Managers and commissioners: anonymised figures for the service (insight), no patient's record.
    SERVICE_MANAGER = "service_manager", "Service manager"


STAFF_ROLES = frozenset(
    {Role.NAVIGATOR, Role.CLINICIAN, Role.TEAM_LEAD, Role.ADMIN, Role.SERVICE_MANAGER}
)
# Staff who see no patient-identifiable data at all (`patients.rules`: no path to any case).
NO_PATIENT_DATA_ROLES = frozenset({Role.SERVICE_MANAGER})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        if not email and not extra.get("phone"):
            raise ValueError("A user needs an email address or a mobile phone number.")
        user = self.model(email=self.normalize_email(email or "").lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        # Many people who sign in by text have a blank email address: a blank one names no one.
        if not username:
            raise self.model.DoesNotExist("No user has a blank email address.")
        return super().get_by_natural_key(username)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the username; the role says what kind of user they are.

    Rules:
    - email is unique when given; a patient or carer with only a mobile number has none and
      signs in with a code sent by text to `phone`;
    - staff roles (navigator, clinician, team lead, admin, service manager) must enrol MFA before
      seeing patient data or the service's figures; a service manager never sees a patient's record;
    - `is_staff` (Django admin access) is only for administrators.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("email address", blank=True)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)
    phone = models.CharField("mobile phone (E.164)", max_length=20, blank=True)
    # The language of the pages they see (navigator.middleware.PreferredLanguageMiddleware).
    # A patient's follows their record's `Patient.language` (patients' contact services keep
    # the two together); a carer's is set by the English / Cymraeg switch. Staff pages are English.
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.ENGLISH)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            # Unique when given: people who sign in by text message have no email address.
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="user_email_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(email="", phone=""), name="user_has_email_or_phone"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        return self.full_name or self.email or self.phone

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.get_full_name()

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        """Permissions from our rule set are decided by the rules alone, superusers included.

        Django grants an active superuser every permission before any backend is asked, which
        would let an administrator account read any patient's record without being on the case
        or enrolling MFA. Permissions the rule set does not define (the admin's model
        permissions) keep Django's behaviour.
        """
        import rules

        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    @property
    def has_mfa(self) -> bool:
        """True when the user has an active TOTP authenticator (recovery codes alone do not count).

        Asked once per request (`navigator.memo`): the staff MFA middleware asks, then the rules."""
        from allauth.mfa.models import Authenticator

        return memoised(
            ("has_mfa", self.pk),
            lambda: Authenticator.objects.filter(user=self, type=Authenticator.Type.TOTP).exists(),
        )


INVITATION_LIFETIME = dt.timedelta(days=7)


def invitation_expiry() -> dt.datetime:
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An invitation to join, sent as a link by email or SMS. The link's token is the only key.

    Rules:
    - only the SHA-256 hash of the token is stored, so the table cannot be turned back into links;
    - it can be accepted once, before `expires_at`, unless it has been revoked;
    - staff roles are invited by team leads (into a team they lead) or administrators; a staff
      invitation has an email address, because staff sign in with email and password.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be accepted"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Withdrawn"
        EXPIRED = "expired", "Expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("email address", blank=True)
    phone = models.CharField("mobile phone (E.164)", max_length=20, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    team = models.ForeignKey(
        "organisations.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="invitations_sent"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email="", phone=""), name="invitation_has_address"
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email or self.phone} ({self.get_role_display()})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def status(self) -> "Invitation.Status":
        """Accepted or revoked wins over expired: the page then says what actually happened."""
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if timezone.now() >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES
