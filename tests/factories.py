"""Builders for test data, so each test states only what matters to it."""

import datetime as dt
import itertools
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from navigator.accounts.models import Role, User
from navigator.organisations.models import Membership, Organisation, Team
from patients.models import Case, Patient
from patients.validators import nhs_number_is_valid

_ods = itertools.count(100)
_nhs_prefix = itertools.count(1)


def next_nhs_number() -> str:
    """The next valid number in the 999 range that demo and test data use."""
    while True:
        stem = f"999{next(_nhs_prefix):06d}"
        for digit in "0123456789":
            if nhs_number_is_valid(stem + digit):
                return stem + digit


def make_user(
    email: str,
    *,
    role: str = Role.PATIENT,
    name: str = "",
    mfa: bool = False,
    password: str = "correct horse battery staple",
) -> User:
    user = User.objects.create_user(email, password, role=role, full_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if mfa:
        enrol_totp(user)
    return user


def enrol_totp(user: User) -> str:
    """Activate TOTP for `user`; returns the secret so a test can compute codes."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def make_organisation(
    name: str = "Test Trust", kind: str = Organisation.Kind.TRUST, **extra: Any
) -> Organisation:
    return Organisation.objects.create(ods_code=f"T{next(_ods)}", name=name, kind=kind, **extra)


def make_team(name: str = "Lung navigation", organisation: Organisation | None = None) -> Team:
    return Team.objects.create(name=name, organisation=organisation or make_organisation())


def join(team: Team, user: User, *, lead: bool = False) -> Membership:
    return Membership.objects.create(team=team, user=user, is_lead=lead)


def make_patient(
    *, user: User | None = None, given: str = "Paul", family: str = "Jones", **extra: Any
) -> Patient:
    extra.setdefault("date_of_birth", dt.date(1950, 3, 14))
    extra.setdefault("phone", "+447700900123")
    return Patient.objects.create(
        user=user, nhs_number=next_nhs_number(), given_name=given, family_name=family, **extra
    )


def make_case(*, patient: Patient, team: Team, navigator: User, **extra: Any) -> Case:
    extra.setdefault("tumour_site", "Lung")
    return Case.objects.create(patient=patient, team=team, navigator=navigator, **extra)
