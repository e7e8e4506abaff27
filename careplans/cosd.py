"""Our words for holistic needs assessments and care plans, as the national Cancer Outcomes and
Services Dataset (COSD) codes them: the one place the two vocabularies meet.

We store words (`Assessment.OfferStatus`, `Assessment.PathwayPoint`, `CarePlan.Status`, the staff
user's `Role`) and map them here, so an extract for the personalised care return (and anything
else that must speak the dataset's language) asks this module and nobody re-spells a code.

Sources (looked up December 2026; check them against the published COSD v10 data set
specification, NHS England National Disease Registration Service, before a live submission):
- the offer status code list used for both HNA and personalised care and support planning (PCSP):
  01 offered and undecided, 02 offered and declined, 03 offered and accepted, 04 not offered,
  05 offered but patient unable to complete; for PCSP also 06 not required (no concerns from the
  HNA). British Journal of Nursing editorial "Reporting meaningful personalised care data" (COSD
  v9 HNA/PCSP coding options); NCRAS-Macmillan "HNA_PCSP_coverage" analysis code (GitHub), which
  decodes the COSD/Rapid Cancer Registration Data HNA and PCSP event records;
- the point of pathway code list: 01 initial cancer diagnosis, 02 start of treatment, 03 during
  treatment, 04 end of treatment, 05 diagnosis of recurrence, 06 transition to palliative care,
  07 prehabilitation, 97 other (same NCRAS-Macmillan analysis code);
- the staff role code list ("staff role offering the assessment / the planning", secondary care
  only): 01 cancer nurse specialist, 02 other nurse, 03 allied health professional, 04 support
  worker / care navigator (band 3 or 4), 05 mental health care professional, 06 consultant /
  associate specialist / junior doctor, 08 other, 09 not known (COSD enumerations as published in
  the Nottingham University Hospitals "nuh-data" COSD schema, and the NCRAS-Macmillan code).
"""

from careplans.models import Assessment, CarePlan
from navigator.accounts.models import Role

OfferStatus = Assessment.OfferStatus
Point = Assessment.PathwayPoint

# The dataset's own words for each code, for the README and for tests.
OFFER_STATUS_LABELS = {
    "01": "Offered and undecided",
    "02": "Offered and declined",
    "03": "Offered and accepted",
    "04": "Not offered",
    "05": "Offered but patient unable to complete",
    "06": "Not required (no concerns from the holistic needs assessment)",
}
POINT_OF_PATHWAY_LABELS = {
    "01": "Initial cancer diagnosis",
    "02": "Start of treatment",
    "03": "During treatment",
    "04": "End of treatment",
    "05": "Diagnosis of recurrence",
    "06": "Transition to palliative care",
    "07": "Prehabilitation",
    "97": "Other",
}
STAFF_ROLE_LABELS = {
    "01": "Cancer nurse specialist",
    "02": "Other nurse",
    "03": "Allied health professional",
    "04": "Support worker / care navigator",
    "05": "Mental health care professional",
    "06": "Consultant / associate specialist / junior doctor",
    "08": "Other",
    "09": "Not known",
}

# HNA offer status: our word -> the dataset's code.
HNA_OFFER_STATUS_CODE: dict[str, str] = {
    OfferStatus.OFFERED: "01",
    OfferStatus.DECLINED: "02",
    OfferStatus.ACCEPTED: "03",
    OfferStatus.NOT_OFFERED: "04",
    OfferStatus.UNABLE: "05",
    # The HNA list has no "not required" (06 is the PCSP's "no concerns from the HNA"): an HNA
    # staff judged not required was not offered.
    OfferStatus.NOT_REQUIRED: "04",
}

POINT_OF_PATHWAY_CODE: dict[str, str] = {
    Point.DIAGNOSIS: "01",
    Point.START_OF_TREATMENT: "02",
    Point.DURING_TREATMENT: "03",
    Point.END_OF_TREATMENT: "04",
    Point.RECURRENCE: "05",
    Point.PALLIATIVE: "06",
    Point.PREHABILITATION: "07",
}

# Our roles say what someone does here, not their profession: a navigator is the dataset's
# care navigator; a clinician's profession (nurse specialist, doctor, AHP) is not recorded.
STAFF_ROLE_CODE: dict[str, str] = {
    Role.NAVIGATOR: "04",
    Role.CLINICIAN: "08",
    Role.TEAM_LEAD: "08",
    Role.ADMIN: "08",
}
STAFF_ROLE_NOT_KNOWN = "09"

# Care plan (PCSP) status: our word -> the dataset's offer status code.
PCSP_OFFER_STATUS_CODE: dict[str, str] = {
    CarePlan.Status.DRAFT: "01",  # offered, not yet agreed
    CarePlan.Status.AGREED: "03",
    CarePlan.Status.SUPERSEDED: "03",  # agreed, since replaced by a newer version
}
PCSP_NOT_REQUIRED = "06"


def hna_offer_status_code(status: str) -> str:
    return HNA_OFFER_STATUS_CODE[OfferStatus(status)]


def point_of_pathway_code(point: str) -> str:
    return POINT_OF_PATHWAY_CODE.get(point, "97")


def staff_role_code(role: str | None) -> str:
    """The staff role of whoever offered or carried it out; a patient, carer or the periodic
    job (None) is "not known"."""
    return STAFF_ROLE_CODE.get(role or "", STAFF_ROLE_NOT_KNOWN)


def pcsp_offer_status_code(status: str) -> str:
    return PCSP_OFFER_STATUS_CODE[CarePlan.Status(status)]


# The personalised care return: one row per HNA or PCSP event, in the layout of the COSD
# personalised care records as the registration extracts carry them (the NCRAS-Macmillan
# analysis reads one row per event: its type, offer code, date, point of pathway, staff role).
# The extracts number the event types (20 is an HNA); our source does not give the PCSP's
# number, so the type is written as the dataset's abbreviation, HNA or PCSP.
EVENT_TYPE_HNA = "HNA"
EVENT_TYPE_PCSP = "PCSP"
RETURN_COLUMNS = (
    "NHS NUMBER",
    "ORGANISATION IDENTIFIER (CODE OF PROVIDER)",
    "PERSONALISED CARE EVENT TYPE",
    "EVENT DATE (PERSONALISED CARE)",
    "OFFER STATUS (PERSONALISED CARE)",
    "POINT OF PATHWAY (PERSONALISED CARE)",
    "STAFF ROLE (PERSONALISED CARE)",
    "COMPLETION DATE (PERSONALISED CARE)",
)
