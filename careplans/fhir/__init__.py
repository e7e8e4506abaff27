"""Assessments, care plans, GP sharing and printed documents as FHIR R4 (UK Core) resources,
registered with the FHIR API (`navigator.fhir`) by `CareplansConfig.ready()`; the /api/
assessment endpoints use the same builders.

- `Questionnaire` (id: the version's id; its canonical `url`, `<base>/Questionnaire/<code>`,
  reads the active version) and `QuestionnaireResponse`. Shape: each domain is a `group`; each
  concern a `group` of `<code>.rating` (integer 0-10) and `<code>.priority` (boolean, "matters
  most"); then `distress` (integer 0-10, past week) and `anything-else` (text). Domains and
  concerns carry their codes from the question set (a CodeSystem per version,
  `hna-concerns-<id>`). Welsh wording rides on FHIR's standard translation extension. The
  national cancer dataset codes for the offer, the point of pathway and who completed it are
  extensions on the response, each coding with its CodeSystem.
- `CarePlan` for each plan version, with a `Goal` for each of its items: status, intent,
  period, author (the named navigator), activities with their owners and due dates, and the
  agreement (when, how, recorded by whom) as extensions and a note.
- `Consent` for sharing the plan with the GP practice (id `gp-sharing-<patient id>`), where the
  patient has made a choice (no choice recorded means sharing is allowed).
- `DocumentReference` for each plan version's PDF (`care-plan-<plan id>`) and the treatment
  summary (`treatment-summary-<id>`), their bytes a `Binary` of the same id: read only by those
  who may read the plan or the summary, like the PDF page.

Who sees which rows is `patients.rules`: records of the cases the user may see.
"""

from careplans.fhir.assessments import (
    bundle,
    questionnaire_resource,
    questionnaire_response_resource,
    questionnaire_url,
)
from careplans.fhir.registration import register

__all__ = [
    "bundle",
    "questionnaire_resource",
    "questionnaire_response_resource",
    "questionnaire_url",
    "register",
]
