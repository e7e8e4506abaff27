"""Reads with real shape: directory matching, worklist flags, plans and their comparison."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from careplans import cosd
from careplans.models import (
    Answer,
    Assessment,
    AssessmentOffer,
    CarePlan,
    CaseFlag,
    ConcernTopic,
    DirectoryService,
    FeedTaxonomyTerm,
    InformationResource,
    PlanItem,
    PostcodeDistrict,
    ServiceArea,
    ShareLinkAccess,
    Signpost,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from navigator.accounts.models import User
from navigator.time import local_midnight
from patients.models import Case, Patient
from patients.rules import visible_case_ids

# Languages are matched on their ISO 639-1 code; English is everyone's default, so no reason.
DEFAULT_LANGUAGE = "en"


# Directory --------------------------------------------------------------------------------


@dataclass
class Match:
    """A service suggested for some concerns, and the plain-English reasons it was chosen."""

    service: DirectoryService
    reasons: list[str]
    is_local: bool = False
    speaks_language: bool = False
    topic_count: int = 0


def postcode_district(postcode: str) -> str:
    """The outward code of a UK postcode: "CF10 1AB" and "cf101ab" both give "CF10"."""
    compact = "".join(postcode.split()).upper()
    if not compact:
        return ""
    if " " in postcode.strip():
        return postcode.strip().split()[0].upper()
    return compact[:-3] if len(compact) > 4 else compact


def patient_postcode(patient: Patient) -> str:
    return patient.postcode or ""


def _local_authority_of(district: str) -> str | None:
    if not district:
        return None
    return (
        PostcodeDistrict.objects.filter(district=district)
        .values_list("local_authority", flat=True)
        .first()
    )


def _serves_area_q(*, district: str, local_authority: str | None) -> Q:
    """Services that serve a postcode district (or its local authority), or the whole UK."""
    area_q = Q(areas__kind=ServiceArea.Kind.NATIONWIDE)
    if district:
        area_q |= Q(areas__kind=ServiceArea.Kind.POSTCODE_DISTRICT, areas__value__iexact=district)
    if local_authority:
        area_q |= Q(
            areas__kind=ServiceArea.Kind.LOCAL_AUTHORITY, areas__value__iexact=local_authority
        )
    return area_q


def directory_match(
    *, concern_codes: list[str], tumour_site: str, postcode: str, language: str
) -> list[Match]:
    """Active services that help with any of the concerns and serve the person's area,
    best first, each with the reasons it matched ("money worries", "your area", "Welsh speaking").

    A service for named cancers only is left out for other cancers; a service outside the
    person's area is left out unless it covers the whole country.
    """
    terms_by_code = {
        link.term_id: link.term.name
        for link in ConcernTopic.objects.filter(concern_code__in=concern_codes).select_related(
            "term"
        )
    }
    if not terms_by_code:
        return []
    district = postcode_district(postcode)
    local_authority = _local_authority_of(district)
    area_q = _serves_area_q(district=district, local_authority=local_authority)
    services = (
        DirectoryService.objects.filter(
            status=DirectoryService.Status.ACTIVE, taxonomy_terms__in=list(terms_by_code)
        )
        .filter(area_q)
        .distinct()
        .select_related("organization")
        .prefetch_related("areas", "languages", "taxonomy_terms")
    )
    site = tumour_site.strip().lower()
    language = (language or DEFAULT_LANGUAGE).lower()
    matches = []
    for service in services:
        sites = service.tumour_site_list()
        if sites and site not in sites:
            continue
        topics = [t.name for t in service.taxonomy_terms.all() if t.pk in terms_by_code]
        reasons = list(dict.fromkeys(topics))
        is_local = any(
            (a.kind == ServiceArea.Kind.POSTCODE_DISTRICT and a.value.upper() == district)
            or (
                a.kind == ServiceArea.Kind.LOCAL_AUTHORITY
                and local_authority is not None
                and a.value.lower() == local_authority.lower()
            )
            for a in service.areas.all()
        )
        reasons.append("your area" if is_local else "available across the UK")
        if sites:
            reasons.append(f"for {site} cancer")
        speaks = False
        if language != DEFAULT_LANGUAGE:
            spoken = [lang for lang in service.languages.all() if lang.code.lower() == language]
            if spoken:
                speaks = True
                reasons.append(f"{spoken[0].name} speaking")
        matches.append(
            Match(
                service=service,
                reasons=reasons,
                is_local=is_local,
                speaks_language=speaks,
                topic_count=len(topics),
            )
        )
    matches.sort(
        key=lambda m: (
            not m.speaks_language,
            not m.is_local,
            -m.topic_count,
            not bool(m.service.tumour_sites),
            m.service.name,
        )
    )
    return matches


# Enough for a page of results; more are counted, not listed.
DIRECTORY_SEARCH_LIMIT = 50


def directory_search(
    *, concern_code: str = "", area: str = "", name: str = "", limit: int = DIRECTORY_SEARCH_LIMIT
) -> tuple[list[DirectoryService], int]:
    """Listed services, for staff looking by need (an assessment concern's code), area (a
    postcode, or a local authority's name) and name (of the service or its organisation), A
    to Z, at most `limit`, with how many matched in all. The same number of queries however
    many services there are."""
    services = DirectoryService.objects.filter(status=DirectoryService.Status.ACTIVE)
    if concern_code:
        services = services.filter(taxonomy_terms__concern_links__concern_code=concern_code)
    area = area.strip()
    if area:
        district = postcode_district(area) if any(c.isdigit() for c in area) else ""
        local_authority = _local_authority_of(district) if district else area
        services = services.filter(
            _serves_area_q(district=district, local_authority=local_authority)
        )
    if name.strip():
        services = services.filter(
            Q(name__icontains=name.strip()) | Q(organization__name__icontains=name.strip())
        )
    ids = services.values("pk").distinct()
    found = DirectoryService.objects.filter(pk__in=ids)
    total = found.count()
    page = list(
        found.select_related("organization")
        .prefetch_related("areas", "languages", "taxonomy_terms", "schedules", "locations")
        .order_by("name", "organization__name")[:limit]
    )
    return page, total


def feed_terms_for_mapping() -> QuerySet[FeedTaxonomyTerm]:
    """The feed's taxonomy terms with what they map to and how many services carry each."""
    return (
        FeedTaxonomyTerm.objects.prefetch_related("topics")
        .annotate(service_count=Count("services", distinct=True))
        .order_by("vocabulary", "name")
    )


# Information prescriptions ----------------------------------------------------------------------


def information_for(*, tumour_site: str, concern_codes: set[str]) -> list[InformationResource]:
    """Active information that suits this cancer and these concerns (see InformationResource)."""
    return [
        resource
        for resource in InformationResource.objects.filter(is_active=True)
        if resource.suits(tumour_site=tumour_site, concern_codes=concern_codes)
    ]


# Flags ----------------------------------------------------------------------------------------


# Open urgent flags: escalated first, then the oldest.
URGENT_FLAG_ORDER = (F("escalated_at").desc(nulls_last=True), "raised_at")


def flags_for_worklist(cases: QuerySet[Case]) -> QuerySet[CaseFlag]:
    """Open urgent flags on the given (already permitted) cases, escalated and oldest first."""
    return (
        CaseFlag.objects.open_urgent()
        .filter(case__in=cases)
        .select_related("case__patient", "case__navigator", "escalated_to")
        .order_by(*URGENT_FLAG_ORDER)
    )


def flags_for_case(case: Case) -> QuerySet[CaseFlag]:
    """`flags_for_worklist` for one (already permitted) case the page has read: its open urgent
    flags, in the same order, without reading the case again."""
    return (
        CaseFlag.objects.open_urgent()
        .filter(case=case)
        .select_related("escalated_to")
        .order_by(*URGENT_FLAG_ORDER)
    )


# Assessments ----------------------------------------------------------------------------------


def assessment_for_case(case: Case, assessment_id: Any) -> Assessment | None:
    return (
        Assessment.objects.filter(case=case, pk=assessment_id)
        .select_related("questionnaire", "case__patient")
        .first()
    )


def answers_by_concern(assessment: Assessment) -> dict[int, Answer]:
    return {a.concern_id: a for a in assessment.answers.all()}


# Plans ----------------------------------------------------------------------------------------


def plan_for_case(case: Case, plan_id: Any) -> CarePlan | None:
    items = PlanItem.objects.select_related("owner_service", "concern").prefetch_related(
        Prefetch("signposts", queryset=Signpost.objects.select_related("service__organization"))
    )
    return (
        CarePlan.objects.filter(case=case, pk=plan_id)
        .select_related("agreed_by", "case__patient")
        .prefetch_related(Prefetch("items", queryset=items), "information")
        .first()
    )


def plans_for_case(case: Case) -> QuerySet[CarePlan]:
    return CarePlan.objects.filter(case=case).select_related("agreed_by").order_by("-version")


def current_plan(case: Case) -> CarePlan | None:
    """The plan a patient or GP should read: the agreed one, else the draft. One query."""
    return current_plan_among(
        CarePlan.objects.filter(
            case=case, status__in=[CarePlan.Status.AGREED, CarePlan.Status.DRAFT]
        ).order_by("-version")
    )


def current_plan_among(plans: Iterable[CarePlan]) -> CarePlan | None:
    """`current_plan` picked from a case's plans already read (`plans_for_case`), newest
    version first: the newest agreed, else the newest draft."""
    plans = list(plans)
    for status in (CarePlan.Status.AGREED, CarePlan.Status.DRAFT):
        chosen = next((plan for plan in plans if plan.status == status), None)
        if chosen is not None:
            return chosen
    return None


def plans_for_patient(*, case: Case) -> tuple[CarePlan | None, CarePlan | None]:
    """(the agreed plan, the draft), either None: what the patient's home page links to. A draft
    beside an agreed plan is a newer version that needs the patient's agreement. One query."""
    plans = {
        plan.status: plan
        for plan in CarePlan.objects.filter(
            case=case, status__in=[CarePlan.Status.AGREED, CarePlan.Status.DRAFT]
        )
    }
    return plans.get(CarePlan.Status.AGREED), plans.get(CarePlan.Status.DRAFT)


def assessments_unsent(*, case: Case) -> QuerySet[Assessment]:
    """Assessments the patient started and has not sent yet, the latest first."""
    return Assessment.objects.filter(case=case, submitted_at__isnull=True).order_by("-started_at")


def assessment_unsent(*, case: Case) -> Assessment | None:
    """The assessment the patient started and has not sent yet, the latest if several."""
    return assessments_unsent(case=case).first()


def assessments_submitted(*, case: Case) -> QuerySet[Assessment]:
    """The case's sent assessments, the latest first."""
    return Assessment.objects.filter(case=case, submitted_at__isnull=False).order_by(
        "-submitted_at"
    )


def plan_items_awaiting_feedback(*, case: Case) -> QuerySet[PlanItem]:
    """Items of the agreed plan the patient was signposted on and has not yet said whether they
    got the help they needed (nor has the item been completed), the longest waiting first."""
    return PlanItem.objects.filter(
        plan__case=case,
        plan__status=CarePlan.Status.AGREED,
        signposted_at__isnull=False,
        feedback_answer="",
        completed_at__isnull=True,
    ).order_by("signposted_at")


DIFF_FIELDS = {
    "concern_text": "Concern",
    "goal": "Goal",
    "actions": "What will happen",
    "owner_kind": "Who",
    "owner_service": "Service",
    "due_date": "By when",
    "outcome": "Outcome",
}


@dataclass
class ItemChange:
    kind: str  # "added", "removed" or "changed"
    old: PlanItem | None
    new: PlanItem | None
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # label, before, after

    @property
    def title(self) -> str:
        item = self.new or self.old
        assert item is not None  # noqa: S101 - one side always exists
        return item.concern_text


def _display(item: PlanItem, name: str) -> str:
    if name == "owner_kind":
        return item.get_owner_kind_display()
    if name == "due_date":
        return f"{item.due_date:%-d %B %Y}" if item.due_date else ""
    value = getattr(item, name)
    return "" if value is None else str(value)


def care_plan_diff(*, old: CarePlan, new: CarePlan) -> list[ItemChange]:
    """Item-level differences between two versions of one case's plan."""
    old_items = {i.lineage: i for i in old.items.select_related("owner_service")}
    new_items = {i.lineage: i for i in new.items.select_related("owner_service")}
    changes = []
    for lineage, item in new_items.items():
        before = old_items.get(lineage)
        if before is None:
            changes.append(ItemChange("added", None, item))
            continue
        fields = [
            (label, _display(before, name), _display(item, name))
            for name, label in DIFF_FIELDS.items()
            if _display(before, name) != _display(item, name)
        ]
        old_services = {s.service_id for s in before.signposts.all()}
        new_services = {s.service_id for s in item.signposts.all()}
        if old_services != new_services:
            fields.append(("Services suggested", str(len(old_services)), str(len(new_services))))
        if fields:
            changes.append(ItemChange("changed", before, item, fields))
    changes.extend(
        ItemChange("removed", item, None)
        for lineage, item in old_items.items()
        if lineage not in new_items
    )
    return changes


# Progress over time ------------------------------------------------------------------------------

PROGRESS_COLUMNS = 6  # the latest assessments shown side by side
TOP_CONCERNS = 4  # drawn on the chart beside distress


@dataclass
class ConcernRow:
    code: str
    text: str
    ratings: list[int | None]

    @property
    def highest(self) -> int:
        return max((r for r in self.ratings if r is not None), default=-1)


@dataclass
class Progress:
    assessments: list[Assessment]
    distress: list[int | None]
    concerns: list[ConcernRow]  # every concern marked in any of them, highest rated first

    @property
    def top(self) -> list[ConcernRow]:
        return self.concerns[:TOP_CONCERNS]


def assessment_progress(case: Case, *, columns: int = PROGRESS_COLUMNS) -> Progress:
    """The case's latest sent assessments, oldest first, with each concern's rating in each.

    Concerns are matched across questionnaire versions by their stable code. Two queries
    however many assessments and answers there are."""
    latest = list(
        Assessment.objects.filter(case=case, submitted_at__isnull=False)
        .select_related("questionnaire")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(selected=True).select_related("concern"),
            )
        )
        .order_by("-submitted_at")[:columns]
    )
    latest.reverse()
    rows: dict[str, ConcernRow] = {}
    for index, assessment in enumerate(latest):
        for answer in assessment.answers.all():
            row = rows.setdefault(
                answer.concern.code,
                ConcernRow(answer.concern.code, answer.concern.text, [None] * len(latest)),
            )
            row.ratings[index] = answer.rating
    concerns = sorted(
        rows.values(),
        key=lambda r: (-r.highest, -sum(v is not None for v in r.ratings), r.text),
    )
    return Progress(
        assessments=latest, distress=[a.distress_score for a in latest], concerns=concerns
    )


# API reads ---------------------------------------------------------------------------------------


def questionnaires_for_api(*, code: str = "", every_version: bool = False) -> QuerySet[Any]:
    from careplans.models import Concern, Domain, Questionnaire

    rows = Questionnaire.objects.prefetch_related(
        Prefetch(
            "domains",
            queryset=Domain.objects.order_by("order").prefetch_related(
                Prefetch("concerns", queryset=Concern.objects.order_by("order"))
            ),
        )
    ).order_by("code", "-version")
    if code:
        rows = rows.filter(code=code)
    if not every_version:
        rows = rows.filter(is_active=True)
    return rows


def assessments_for_api(case: Case) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(case=case)
        .select_related("questionnaire", "case__patient")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("concern__domain"))
        )
        .order_by("-started_at")
    )


def services_for_api() -> QuerySet[DirectoryService]:
    return (
        DirectoryService.objects.filter(status=DirectoryService.Status.ACTIVE)
        .select_related("organization")
        .prefetch_related("taxonomy_terms", "areas", "languages")
        .order_by("name")
    )


# Printing ---------------------------------------------------------------------------------

# "Due for review" for printing: the review falls within this many days (or has passed).
REVIEW_DAYS_AHEAD = 14


def printable_plans() -> QuerySet[CarePlan]:
    """Care plans with the rows a print reads besides the plan (patient, navigator, team)."""
    return CarePlan.objects.select_related("case__patient", "case__navigator", "case__team")


def plans_due_for_review(*, days_ahead: int = REVIEW_DAYS_AHEAD) -> QuerySet[CarePlan]:
    """Agreed plans whose review falls within `days_ahead` days (or has passed), soonest first,
    with what printing them reads."""
    until = timezone.localdate() + dt.timedelta(days=days_ahead)
    return (
        printable_plans()
        .filter(status=CarePlan.Status.AGREED, review_date__lte=until)
        .order_by("review_date", "pk")
    )


def plans_due_for_user(*, user: User, limit: int) -> tuple[list[CarePlan], bool]:
    """Up to `limit` agreed plans due for review on the cases `user` works on, soonest first,
    and whether more are due."""
    cases = visible_case_ids(user, change=True)
    plans = list(plans_due_for_review().filter(case__in=cases)[: limit + 1])
    return plans[:limit], len(plans) > limit


# Sharing --------------------------------------------------------------------------------------


def share_views(case: Case) -> QuerySet[ShareLinkAccess]:
    """The GP practice's opens and downloads of the case's plan through any of its links, the
    latest first."""
    return (
        ShareLinkAccess.objects.filter(
            link__case=case,
            kind__in=[ShareLinkAccess.Kind.VIEWED, ShareLinkAccess.Kind.DOWNLOADED],
        )
        .select_related("link__practice")
        .order_by("-at")
    )


def share_last_viewed(case: Case) -> ShareLinkAccess | None:
    """When the GP practice last opened or downloaded the case's plan through any of its links
    (the case page's "who viewed"; `services.sharing.links_for_case` has every link's)."""
    return share_views(case).first()


# The personalised care return (COSD) ---------------------------------------------------------


@dataclass(frozen=True)
class ReturnRow:
    """One HNA or PCSP event of the personalised care return, in the dataset's codes
    (`careplans.cosd`), with whose record it is (for the audit trail)."""

    patient_id: Any
    values: tuple[str, ...]


def _day(moment: dt.datetime | None) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


def _staff(user: User | None, case: Case) -> str | None:
    """Who offered it, for the staff role: the staff member who did, else the case's navigator
    (the periodic job's offers, and plans the patient agreed online, are theirs)."""
    if user is not None and user.is_staff_role:
        return user.role
    return case.navigator.role


def personalised_care_return_rows(
    *, teams: Iterable[Any], start: dt.date, end: dt.date
) -> list[ReturnRow]:
    """Every HNA offer, HNA begun without an offer, and care plan offered (a draft) or agreed
    between `start` and `end` inclusive (Europe/London days) on the cases of `teams`: one row
    each, in `cosd.RETURN_COLUMNS` order, oldest first. Three queries, however many rows."""
    start_at = local_midnight(start)
    end_at = local_midnight(end + dt.timedelta(days=1))
    case_related = ("case__patient", "case__team__organisation", "case__navigator")
    team_ids = [getattr(team, "pk", team) for team in teams]
    found: list[tuple[dt.datetime, ReturnRow]] = []

    def row(case: Case, *values: str) -> ReturnRow:
        return ReturnRow(
            patient_id=case.patient_id,
            values=(case.patient.nhs_number, case.team.organisation.ods_code, *values),
        )

    offers = AssessmentOffer.objects.filter(
        case__team_id__in=team_ids, offered_at__gte=start_at, offered_at__lt=end_at
    ).select_related(*case_related, "offered_by", "assessment")
    for offer in offers:
        assessment = offer.assessment
        completed = assessment.submitted_at if assessment is not None else None
        found.append(
            (
                offer.offered_at,
                row(
                    offer.case,
                    cosd.EVENT_TYPE_HNA,
                    _day(offer.offered_at),
                    cosd.hna_offer_status_code(offer.status),
                    cosd.point_of_pathway_code(offer.pathway_point),
                    cosd.staff_role_code(_staff(offer.offered_by, offer.case)),
                    _day(completed),
                ),
            )
        )
    unoffered = Assessment.objects.filter(
        case__team_id__in=team_ids,
        started_at__gte=start_at,
        started_at__lt=end_at,
        offer__isnull=True,
    ).select_related(*case_related, "started_by")
    for assessment in unoffered:
        completed_on = assessment.completed_on.isoformat() if assessment.completed_on else ""
        found.append(
            (
                assessment.started_at,
                row(
                    assessment.case,
                    cosd.EVENT_TYPE_HNA,
                    _day(assessment.started_at),
                    cosd.hna_offer_status_code(assessment.offer_status),
                    cosd.point_of_pathway_code(assessment.pathway_point),
                    cosd.staff_role_code(_staff(assessment.started_by, assessment.case)),
                    completed_on or _day(assessment.submitted_at),
                ),
            )
        )
    plans = (
        CarePlan.objects.filter(case__team_id__in=team_ids)
        .filter(
            Q(agreed_at__gte=start_at, agreed_at__lt=end_at)
            | Q(status=CarePlan.Status.DRAFT, created_at__gte=start_at, created_at__lt=end_at)
        )
        .select_related(*case_related, "agreed_by", "assessment")
    )
    for plan in plans:
        when = plan.agreed_at or plan.created_at
        point = plan.assessment.pathway_point if plan.assessment is not None else ""
        found.append(
            (
                when,
                row(
                    plan.case,
                    cosd.EVENT_TYPE_PCSP,
                    _day(plan.created_at),
                    cosd.pcsp_offer_status_code(plan.status),
                    cosd.point_of_pathway_code(point) if point else "",
                    cosd.staff_role_code(_staff(plan.agreed_by, plan.case)),
                    _day(plan.agreed_at),
                ),
            )
        )
    found.sort(key=lambda pair: pair[0])
    return [r for _when, r in found]


# Feedback after key moments -------------------------------------------------------------------


def survey_invitations_open(*, case: Case) -> QuerySet[SurveyInvitation]:
    """The feedback invitations the person may answer now (opened, not closed, not answered),
    for their home page, oldest first."""
    now = timezone.now()
    return (
        SurveyInvitation.objects.filter(
            case=case, opens_at__lte=now, closes_at__gt=now, response__isnull=True
        )
        .select_related("survey")
        .order_by("opens_at")
    )


def survey_replies_wanted(*, case: Case) -> QuerySet[SurveyResponse]:
    """Feedback on this case whose author asked for a reply not yet given: the only responses
    staff ever see with the person's name (the case page), with their answers."""
    return (
        SurveyResponse.objects.filter(
            invitation__case=case, wants_reply=True, replied_at__isnull=True
        )
        .select_related("invitation__survey")
        .prefetch_related(
            Prefetch("answers", queryset=SurveyAnswer.objects.select_related("question"))
        )
        .order_by("submitted_at")
    )


@dataclass(frozen=True)
class FeedbackCount:
    """How many responses gave `choice` to one question of one survey (no identities)."""

    survey_code: str
    question_code: str
    choice: str
    responses: int


def feedback_answer_counts(
    *,
    teams: Iterable[Any],
    start: dt.date,
    end: dt.date,
    tumour_site: str = "",
) -> list[FeedbackCount]:
    """For the insight pages: how many responses gave each answer to each feedback question,
    from the cases of `teams` (Team objects or ids), answered between `start` and `end`
    inclusive (Europe/London days), optionally for one tumour site (case-insensitive). One
    GROUP BY query; counts only, never who. Every version of a survey counts together, by
    question code. Small numbers are for the caller to suppress."""
    team_ids = [getattr(team, "pk", team) for team in teams]
    answers = SurveyAnswer.objects.filter(
        response__invitation__case__team_id__in=team_ids,
        response__submitted_at__gte=local_midnight(start),
        response__submitted_at__lt=local_midnight(end + dt.timedelta(days=1)),
    )
    if tumour_site:
        answers = answers.filter(response__invitation__case__tumour_site__iexact=tumour_site)
    rows = (
        answers.values_list("response__invitation__survey__code", "question__code", "choice")
        .annotate(responses=Count("pk"))
        .order_by("response__invitation__survey__code", "question__code", "choice")
    )
    return [FeedbackCount(*row) for row in rows]
