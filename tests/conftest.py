"""The cast every test can call on.

Nadia navigates Paul's case in the lung team; Lena leads that team; Colin is a clinician on
Paul's care team. Carol is Paul's carer. Olive is a patient in another team, navigated by
Oscar. Adam administers the service. Staff have MFA enrolled unless a test says otherwise.
"""

import os
import tempfile
from dataclasses import dataclass

import pytest

from navigator.accounts.models import Role, User
from navigator.organisations.models import Organisation, Team
from patients.models import CarerAccess, CareTeamMember, Case, Patient
from tests import factories as f

# Hypothesis (under schemathesis, tests/navigator/test_api_schemathesis.py) keeps a cache of the
# constants it finds in the code; outside the repository, not in a .hypothesis folder in it.
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "navigator-hypothesis")
)


@dataclass
class Cast:
    nadia: User
    lena: User
    colin: User
    oscar: User
    adam: User
    paul: User
    carol: User
    olive: User
    team: Team
    other_team: Team
    gp_practice: Organisation
    paul_patient: Patient
    olive_patient: Patient
    paul_case: Case
    olive_case: Case
    carol_grant: CarerAccess


@pytest.fixture
def cast(db: None) -> Cast:
    trust = f.make_organisation("Northshire Hospitals NHS Trust")
    gp = f.make_organisation(
        "Riverside Surgery", kind=Organisation.Kind.GP_PRACTICE, email="riverside.gp@nhs.test"
    )
    team = f.make_team("Lung navigation", trust)
    other_team = f.make_team("Breast navigation", trust)

    nadia = f.make_user("nadia@nav.test", role=Role.NAVIGATOR, name="Nadia Khan", mfa=True)
    lena = f.make_user("lena@nav.test", role=Role.TEAM_LEAD, name="Lena Ward", mfa=True)
    colin = f.make_user("colin@nav.test", role=Role.CLINICIAN, name="Colin Shaw", mfa=True)
    oscar = f.make_user("oscar@nav.test", role=Role.NAVIGATOR, name="Oscar Reid", mfa=True)
    adam = f.make_user("adam@nav.test", role=Role.ADMIN, name="Adam Price", mfa=True)
    f.join(team, nadia)
    f.join(team, lena, lead=True)
    f.join(other_team, oscar)

    paul = f.make_user("paul@example.test", name="Paul Jones")
    carol = f.make_user("carol@example.test", role=Role.CARER, name="Carol Jones")
    olive = f.make_user("olive@example.test", name="Olive Smith")
    paul_patient = f.make_patient(user=paul, gp_practice=gp, email=paul.email)
    olive_patient = f.make_patient(user=olive, given="Olive", family="Smith")
    paul_case = f.make_case(patient=paul_patient, team=team, navigator=nadia)
    olive_case = f.make_case(
        patient=olive_patient, team=other_team, navigator=oscar, tumour_site="Breast"
    )
    CareTeamMember.objects.create(case=paul_case, user=colin, role=CareTeamMember.Role.CNS)
    carol_grant = CarerAccess.objects.create(patient=paul_patient, carer=carol)
    return Cast(
        nadia,
        lena,
        colin,
        oscar,
        adam,
        paul,
        carol,
        olive,
        team,
        other_team,
        gp,
        paul_patient,
        olive_patient,
        paul_case,
        olive_case,
        carol_grant,
    )


@pytest.fixture
def sam(db: None) -> User:
    """Sam Okafor, a service manager: the service's anonymised figures, no patient's record."""
    return f.make_user(
        "sam.okafor@nav.test", role=Role.SERVICE_MANAGER, name="Sam Okafor", mfa=True
    )
