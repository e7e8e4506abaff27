"""Uploaded letters, photos of letters, reports and recordings (`CaseDocument`) as FHIR R4
`DocumentReference`, with the file itself a `Binary`; registered by `patients.fhir.register()`.

Who sees which is the download door's rule (`patients.view_document`): every document to the
staff on the case, the shared ones to the patient's side, none to anyone else
(`patients.selectors.documents_visible_to`). A Binary read is audited against the patient like
every read of the API; its bytes are read from storage only once the rule has found the row.
"""

import base64
from typing import Any

from django.db.models import Q, QuerySet

from navigator.accounts.models import User
from navigator.fhir.addresses import canonical, reference, resource_url, uk_core
from navigator.fhir.definitions import code_system
from navigator.fhir.registry import (
    SearchParam,
    Source,
    fhir_definition_register,
    fhir_source_register,
    token_filter,
)
from patients.documents import documents_storage
from patients.models import CaseDocument
from patients.selectors import documents_visible_to

PREFIX = "document-"
DOCUMENT_KIND = "document-kind"
SNOMED = "http://snomed.info/sct"
# The SNOMED CT record artifacts our kinds are, where one says it exactly.
SNOMED_KINDS = {
    CaseDocument.Kind.DISCHARGE_LETTER: ("373942005", "Discharge summary"),
}


def document_rows(user: User) -> QuerySet[CaseDocument]:
    return documents_visible_to(user=user).select_related("case__patient", "added_by")


def document_resource(document: CaseDocument) -> dict[str, Any]:
    patient = document.case.patient
    codings = [
        {
            "system": canonical("CodeSystem", DOCUMENT_KIND),
            "code": document.kind,
            "display": str(document.get_kind_display()),
        }
    ]
    if document.kind in SNOMED_KINDS:
        code, display = SNOMED_KINDS[CaseDocument.Kind(document.kind)]
        codings.append({"system": SNOMED, "code": code, "display": display})
    out: dict[str, Any] = {
        "status": "current",
        "type": {"coding": codings, "text": str(document.get_kind_display())},
        "subject": reference("Patient", patient.pk, patient.full_name),
        "date": document.added_at.isoformat(),
        "description": document.title,
        "content": [
            {
                "attachment": {
                    "contentType": document.content_type,
                    "url": resource_url("Binary", f"{PREFIX}{document.pk}"),
                    "size": document.size,
                    "title": document.title,
                    "creation": document.dated.isoformat(),
                }
            }
        ],
    }
    author = _author(document)
    if author:
        out["author"] = [{"display": author}]
    return out


def _author(document: CaseDocument) -> str:
    if document.added_by is None:
        return ""
    return document.added_by.get_full_name() or document.added_by.email


def document_binary(document: CaseDocument) -> dict[str, Any]:
    with documents_storage().open(document.stored_name, "rb") as stored:
        data = stored.read()
    return {
        "contentType": document.content_type,
        "securityContext": reference("DocumentReference", f"{PREFIX}{document.pk}"),
        "data": base64.b64encode(data).decode("ascii"),
    }


def register() -> None:
    fhir_source_register(
        Source(
            resource_type="DocumentReference",
            description="A letter, report, photo or recording kept with the case "
            f"(id `{PREFIX}<id>`)",
            rows=document_rows,
            build=document_resource,
            profile=uk_core("UKCore-DocumentReference"),
            prefix=PREFIX,
            patient_path="case__patient_id",
            updated_path="added_at",  # a document never changes once added
            params=[
                SearchParam(
                    "status",
                    "token",
                    "current (every kept document is).",
                    token_filter("", {"current": Q()}, "status"),
                )
            ],
            order=("-dated", "-added_at", "pk"),
        )
    )
    fhir_source_register(
        Source(
            resource_type="Binary",
            description=f"The file of a kept document (id `{PREFIX}<id>`)",
            rows=document_rows,
            build=document_binary,
            prefix=PREFIX,
            patient_path="case__patient_id",
            searchable=False,
        )
    )
    fhir_definition_register(
        code_system(DOCUMENT_KIND, "Kinds of document", CaseDocument.Kind.choices)
    )
