"""Where the demo happens: two hospital trusts and a GP practice with their contact routes, the
navigation team and its staff. Each is found by its natural key (ODS code, team name, email), so
loading twice changes nothing."""

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.utils import timezone

from navigator.accounts.models import Role, User
from navigator.organisations.models import Membership, Organisation, Team

# Printed with the sign-ins; only ever a demo database's password.
DEMO_PASSWORD = "demo-password-only"  # noqa: S105

TRUST, GP_PRACTICE = Organisation.Kind.TRUST, Organisation.Kind.GP_PRACTICE

# ODS-like code, name, kind, contact email (the chase writes here), switchboard. Landlines in
# Ofcom's drama range: the directory's services use 01632 960 000 upwards, these 9xx.
ORGANISATIONS = [
    ("RX1", "Northshire Hospitals NHS Trust", TRUST,
     "cancer.office@northshire-hospitals.example.test", "01632 960 901"),
    ("RX2", "Riverton University Hospitals NHS Foundation Trust", TRUST,
     "cancer.referrals@riverton-hospitals.example.test", "01632 960 902"),
    ("Y01234", "Riverside Surgery", GP_PRACTICE,
     "riverside.surgery@example.test", "01632 960 903"),
]  # fmt: skip

TEAM_NAME = "Northshire cancer navigation"
TEAM_PHONE = "01632 960 900"

# email, name, role, leads the team
STAFF = [
    ("nadia@example.test", "Nadia Khan", Role.NAVIGATOR, False),
    ("oscar@example.test", "Oscar Reid", Role.NAVIGATOR, False),
    ("colin@example.test", "Colin Shaw", Role.CLINICIAN, False),
    ("lena@example.test", "Lena Ward", Role.TEAM_LEAD, True),
]
ADMIN = ("adam@example.test", "Adam Price")
# A service manager: the service's anonymised figures (/insight/), no team, no patient's record.
SERVICE_MANAGER = ("sam@example.test", "Sam Okafor")


@dataclass(frozen=True)
class Setting:
    """The places and people every story uses; `today` is the day the stories count back from."""

    today: dt.date
    northshire: Organisation
    riverton: Organisation
    surgery: Organisation
    team: Team
    nadia: User
    oscar: User
    colin: User
    lena: User
    adam: User
    sam: User

    def days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)


def setting_load() -> Setting:
    """The organisations, the team and its staff, made if missing.

    There are no services for these yet: organisations and staff come from the admin and
    staff invitations, which need an inviter who has set up an authenticator. Staff are left
    without one, so each is asked to set one up at their first sign-in, as real staff are.
    """
    orgs = {}
    for ods_code, name, kind, email, phone in ORGANISATIONS:
        orgs[ods_code], _ = Organisation.objects.get_or_create(
            ods_code=ods_code, defaults={"name": name, "kind": kind, "email": email, "phone": phone}
        )
    team, _ = Team.objects.get_or_create(
        name=TEAM_NAME, organisation=orgs["RX1"], defaults={"phone": TEAM_PHONE}
    )
    staff = {}
    for email, name, role, is_lead in STAFF:
        staff[email] = staff_user(email=email, full_name=name, role=role)
        Membership.objects.get_or_create(
            team=team, user=staff[email], defaults={"is_lead": is_lead}
        )
    adam = staff_user(email=ADMIN[0], full_name=ADMIN[1], role=Role.ADMIN)
    sam = staff_user(
        email=SERVICE_MANAGER[0], full_name=SERVICE_MANAGER[1], role=Role.SERVICE_MANAGER
    )
    return Setting(
        today=timezone.localdate(),
        northshire=orgs["RX1"],
        riverton=orgs["RX2"],
        surgery=orgs["Y01234"],
        team=team,
        nadia=staff["nadia@example.test"],
        oscar=staff["oscar@example.test"],
        colin=staff["colin@example.test"],
        lena=staff["lena@example.test"],
        adam=adam,
        sam=sam,
    )


def staff_user(*, email: str, full_name: str, role: str) -> User:
    """A staff account with the demo password and a verified email address; an administrator
    also reaches the Django admin."""
    user = User.objects.filter(email=email).first()
    if user is None:
        is_admin = role == Role.ADMIN
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            full_name=full_name,
            role=role,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
