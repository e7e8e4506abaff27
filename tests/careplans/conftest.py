"""Builders for assessments and a small directory of our own, so tests state what they match."""

import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps

from careplans import services
from careplans.models import (
    Assessment,
    DirectoryOrganization,
    DirectoryService,
    InformationResource,
    PostcodeDistrict,
    Questionnaire,
    ServiceArea,
    ServiceLanguage,
    Survey,
    TaxonomyTerm,
)
from careplans.services import AnswerInput
from navigator.bank_holidays import ENGLAND_AND_WALES
from navigator.models import BankHoliday


def reference_data_restore() -> None:
    """Put back the checklist, bank holidays and information prescriptions that migrations load,
    if a transactional test (browser tests flush the database) took them away."""
    if not Questionnaire.objects.filter(code="hna").exists():
        migration = importlib.import_module("careplans.migrations.0002_concerns_checklist")
        migration.load(apps, None)
    if not Survey.objects.exists():
        importlib.import_module("careplans.migrations.0011_feedback_surveys_v1").load(apps, None)
    if not BankHoliday.objects.exists():
        for day, name in ENGLAND_AND_WALES:
            BankHoliday.objects.create(division="england-and-wales", date=day, name=name)
    if not InformationResource.objects.exists():
        migration = importlib.import_module(
            "careplans.migrations.0003_offers_feedback_information_bank_holidays"
        )
        migration.load_information(apps, None)
        importlib.import_module("careplans.migrations.0008_information_in_welsh").load_welsh(
            apps, None
        )


@pytest.fixture(autouse=True)
def checklist(request: pytest.FixtureRequest) -> None:
    """Put the migrated reference data back if a transactional test elsewhere flushed it."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        if not request.node.get_closest_marker("django_db"):
            return
    request.getfixturevalue("db")
    reference_data_restore()


def hna() -> Questionnaire:
    return Questionnaire.objects.get(code="hna", is_active=True)


def answer(
    assessment: Assessment,
    ratings: dict[str, int],
    priorities: tuple[str, ...] = (),
    actor: Any = None,
) -> None:
    """Mark the concerns named by code with these ratings, saving domain by domain."""
    for domain in assessment.questionnaire.domains.prefetch_related("concerns"):
        given = {
            c.pk: AnswerInput(
                selected=True, rating=ratings[c.code], is_priority=c.code in priorities
            )
            for c in domain.concerns.all()
            if c.code in ratings
        }
        services.assessment_save_domain(
            assessment=assessment, domain=domain, answers=given, actor=actor
        )


def complete(
    case: Any,
    actor: Any,
    *,
    ratings: dict[str, int],
    distress: int,
    priorities: tuple[str, ...] = (),
) -> services.Submitted:
    assessment = services.assessment_start(
        case=case, actor=actor, completed_by=Assessment.CompletedBy.PATIENT
    )
    answer(assessment, ratings, priorities, actor)
    services.assessment_save_wellbeing(
        assessment=assessment, distress_score=distress, anything_else="", actor=actor
    )
    return services.assessment_submit(assessment=assessment, actor=actor)


@dataclass
class Directory:
    money_local: DirectoryService
    money_national: DirectoryService
    lung_group: DirectoryService
    breast_group: DirectoryService
    counselling_far: DirectoryService


def make_service(
    name: str,
    org: DirectoryOrganization,
    *,
    terms: list[str],
    areas: list[tuple[str, str]],
    languages: tuple[tuple[str, str], ...] = (("en", "English"),),
    tumour_sites: str = "",
) -> DirectoryService:
    service = DirectoryService.objects.create(
        organization=org,
        name=name,
        tumour_sites=tumour_sites,
        how_to_refer="Call the team or ask your navigator.",
        phone="029 2000 0000",
    )
    service.taxonomy_terms.set(TaxonomyTerm.objects.filter(code__in=terms))
    for kind, value in areas:
        ServiceArea.objects.create(service=service, kind=kind, value=value)
    for code, label in languages:
        ServiceLanguage.objects.create(service=service, code=code, name=label)
    return service


@pytest.fixture
def directory(db: None) -> Directory:
    PostcodeDistrict.objects.create(district="CF10", local_authority="Cardiff")
    PostcodeDistrict.objects.create(district="CF14", local_authority="Cardiff")
    PostcodeDistrict.objects.create(district="SA1", local_authority="Swansea")
    org = DirectoryOrganization.objects.create(name="Taff Valley Cancer Support")
    LA = ServiceArea.Kind.LOCAL_AUTHORITY
    return Directory(
        money_local=make_service(
            "Cardiff Money Matters",
            org,
            terms=["money"],
            areas=[(LA, "Cardiff")],
            languages=(("en", "English"), ("cy", "Welsh")),
        ),
        money_national=make_service(
            "National Cancer Money Line",
            org,
            terms=["money"],
            areas=[(ServiceArea.Kind.NATIONWIDE, "")],
        ),
        lung_group=make_service(
            "Breathe Easy Lung Group",
            org,
            terms=["peer-support", "pain-symptoms"],
            areas=[(ServiceArea.Kind.POSTCODE_DISTRICT, "CF14")],
            tumour_sites="Lung",
        ),
        breast_group=make_service(
            "Pink Ribbon Circle",
            org,
            terms=["peer-support"],
            areas=[(LA, "Cardiff")],
            tumour_sites="Breast",
        ),
        counselling_far=make_service(
            "Swansea Bay Counselling",
            org,
            terms=["emotional-support"],
            areas=[(LA, "Swansea")],
        ),
    )
