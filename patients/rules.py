"""Who may see and do what with a case: the one rule set for pages, the API and templates.

Every permission about a patient's record is decided here. Objects that belong to a case (plans,
tracked items, messages) ask these rules about their case instead of defining their own. The
same paths to a case (`_access_paths`) make the list filter (`visible_case_ids`, a UNION of
indexed lookups) and the object predicates (the same lookups narrowed to one case), so a list can
never show a case that the detail page would refuse.
"""

from collections.abc import Callable, Iterable
from typing import Any

import rules
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from navigator.accounts.models import NO_PATIENT_DATA_ROLES, STAFF_ROLES, Role, User
from navigator.memo import memoised, remember
from navigator.organisations.models import Membership, Organisation, Team
from patients.models import CarerAccess, CareTeamMember, Case, CaseDocument


def _staff_verified(user: User) -> bool:
    """Staff see patient data only once they have enrolled multi-factor authentication."""
    if user.role not in STAFF_ROLES:
        return False
    # Memoised on the user object (one request's worth): a private attribute User does not declare.
    if not hasattr(user, "_has_mfa_cached"):
        user._has_mfa_cached = user.has_mfa  # type: ignore[attr-defined]
    return bool(user._has_mfa_cached)  # type: ignore[attr-defined]


def _access_paths(
    user: User | AnonymousUser, *, act: bool = False, change: bool = False
) -> list[dict[str, Any]]:
    """The ways `user` reaches a case, as lookups on `Case`; a case is theirs by any one of them.

    `act` narrows to acting for the patient (the patient, or a carer granted "act"), `change`
    to the staff on the case (a member of its team, or on its care team). Administrators run
    the service and are on no care team; service managers see the service's figures and no
    patient's record, whatever team or care team they were put in; staff see nothing until
    they enrol MFA.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.role in NO_PATIENT_DATA_ROLES:
        return []
    paths: list[dict[str, Any]] = []
    if not change:
        grant: dict[str, Any] = {
            "patient__carer_grants__carer": user,
            "patient__carer_grants__revoked_at__isnull": True,
        }
        if act:
            grant["patient__carer_grants__level"] = CarerAccess.Level.ACT
        paths += [{"patient__user": user}, grant]
    if not act and user.role != Role.ADMIN and _staff_verified(user):
        teams = _team_ids(user)
        if teams:
            paths.append({"team_id__in": teams})
        paths.append({"care_team__user": user})
    return paths


def _team_ids(user: User) -> list[Any]:
    """The teams `user` is in, once per request. Named in the query as values, not joined from
    the memberships, so PostgreSQL estimates the team's own size (a join gets the average
    team's, and a small team's chase queue was then read from every open task)."""
    return memoised(
        ("team_ids", user.pk),
        lambda: list(Membership.objects.filter(user=user).values_list("team_id", flat=True)),
    )


def _path_ids(path: dict[str, Any], **narrow: Any) -> QuerySet[Any]:
    """The ids of the cases one path reaches, read from the table the path starts at: a care
    team place names its case, so that path never touches the cases table."""
    if set(path) == {"care_team__user"}:
        places = CareTeamMember.objects.filter(user=path["care_team__user"])
        if "pk" in narrow:
            places = places.filter(case_id=narrow["pk"])
        return places.order_by().values("case_id")
    return Case.objects.filter(**narrow, **path).order_by().values("pk")


def visible_case_ids(
    user: User | AnonymousUser, *, act: bool = False, change: bool = False
) -> QuerySet[Any]:
    """The ids of the cases `user` may see (`act`, `change`: as `_access_paths`).

    A UNION of one indexed lookup per path ("I am the patient", "I am their carer", "I am in
    the case's team", "I am on its care team"), not one OR across them: an OR of paths through
    different tables cannot use any of their indexes, so PostgreSQL would read every case.
    """
    lookups = [_path_ids(path) for path in _access_paths(user, act=act, change=change)]
    if not lookups:
        return Case.objects.none().values("pk")
    return lookups[0].union(*lookups[1:]) if len(lookups) > 1 else lookups[0]


def case_access_q(user: User | AnonymousUser, *, act: bool = False, change: bool = False) -> Q:
    """Cases `user` may see, as a filter: `pk IN (visible_case_ids(...))`."""
    return Q(pk__in=visible_case_ids(user, act=act, change=change))


def organisation_case_q(organisation: Organisation) -> Q:
    """Cases a provider's own system may send events about (`POST /fhir/`), as a filter: the
    cases of its navigation teams, and those it is a treating provider on."""
    return Q(team__organisation=organisation) | Q(
        pk__in=Case.treating_providers.through.objects.filter(organisation=organisation).values(
            "case_id"
        )
    )


def case_access_test(user: User | AnonymousUser, *, act: bool = False, change: bool = False) -> Q:
    """The same paths as a test of each row: a column compared (the case's team, its patient's
    account) or an EXISTS by index (a care team place, a carer's grant).

    For a query already narrowed to a few cases by an index of its own (a navigator's caseload):
    there the OR costs a check per row it keeps, where `case_access_q` would first read every
    case of the user's teams (5,000 in a large team) to intersect with. Never the only filter
    of a query over all cases: an OR across paths reads the whole table."""
    # The columns first: a row they pass needs no EXISTS.
    columns, lookups = Q(pk__in=[]), Q(pk__in=[])
    for path in _access_paths(user, act=act, change=change):
        if set(path) == {"care_team__user"}:
            places = CareTeamMember.objects.filter(
                case=OuterRef("pk"), user=path["care_team__user"]
            )
            lookups |= Q(Exists(places))
        elif any(key.startswith(_GRANT) for key in path):
            grant = {key.removeprefix(_GRANT): value for key, value in path.items()}
            lookups |= Q(Exists(CarerAccess.objects.filter(patient=OuterRef("patient"), **grant)))
        else:
            columns |= Q(**path)
    return columns | lookups


_GRANT = "patient__carer_grants__"


def visible_cases(user: User | AnonymousUser) -> QuerySet[Case]:
    return Case.objects.filter(case_access_q(user))


def case_is_visible(
    user: User | AnonymousUser, case_id: Any, *, act: bool = False, change: bool = False
) -> bool:
    """Whether `user` may see one case: the same paths, each narrowed to that case's key.

    Asked once per request for each user, case and kind of access (`navigator.memo`): a page
    that asks the door, then what to offer, runs each question once. Seeing a case is changing
    it (the staff's paths) or the patient's side's paths, so "see" asks "change" first: for
    the staff, whose pages ask both, that is one lookup rather than two."""

    def ask() -> bool:
        paths = _access_paths(user, act=act, change=change)
        if not act and not change:
            staff = _access_paths(user, change=True)
            if staff and case_is_visible(user, case_id, change=True):
                return True
            paths = [path for path in paths if path not in staff]
        lookups = [_path_ids(path, pk=case_id) for path in paths]
        if not lookups:
            return False
        union = lookups[0].union(*lookups[1:]) if len(lookups) > 1 else lookups[0]
        return union.exists()

    return memoised(_access_key(user, case_id, act=act, change=change), ask)


def cases_seen(user: User | AnonymousUser, cases: Iterable[Case]) -> None:
    """Note for this request that `user` may see `cases` (a list read through
    `visible_case_ids`), so the door does not ask again about one of them."""
    for case in cases:
        remember(_access_key(user, case.pk, act=False, change=False), True)


def _access_key(user: User | AnonymousUser, case_id: Any, *, act: bool, change: bool) -> tuple:
    return ("case_access", user.pk, str(case_id), act, change)


def _in_case_team(user: User | AnonymousUser, case: Case) -> bool:
    """Whether the team path of `_access_paths` reaches `case`, read off the case's own row and
    the user's teams (asked once a request): no lookup of the case. Only a yes is final; a no
    leaves the other paths (the care team, the patient, a carer) to `case_is_visible`."""
    return any(
        case.team_id in path["team_id__in"]
        for path in _access_paths(user, change=True)
        if "team_id__in" in path
    )


def _case_check(**kwargs: bool) -> Callable[[User | AnonymousUser, Case | None], bool]:
    def check(user: User | AnonymousUser, case: Case | None) -> bool:
        if case is None:
            return False
        # A member of the case's team may see and change it (never "act": that is the patient's
        # side). The case is in hand, so its team answers without asking the database again.
        if not kwargs.get("act") and _in_case_team(user, case):
            for change in (False, True):
                remember(_access_key(user, case.pk, act=False, change=change), True)
            return True
        return case_is_visible(user, case.pk, **kwargs)

    return check


can_view_case = rules.predicate(_case_check(), name="can_view_case")
can_change_case = rules.predicate(_case_check(change=True), name="can_change_case")
can_act_for_patient = rules.predicate(_case_check(act=True), name="can_act_for_patient")


@rules.predicate
def is_staff_on_case(user: User | AnonymousUser, case: Case | None) -> bool:
    return case is not None and can_change_case(user, case)


rules.add_perm("patients.view_case", can_view_case)
rules.add_perm("patients.change_case", can_change_case)
rules.add_perm("patients.act_for_patient", can_act_for_patient)
rules.add_perm("patients.view_outbox", is_staff_on_case)


@rules.predicate
def can_open_case(user: User | AnonymousUser) -> bool:
    """Verified navigators and team leads open cases, for a team they are in."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role not in (Role.NAVIGATOR, Role.TEAM_LEAD) or not _staff_verified(user):
        return False
    return Membership.objects.filter(user=user).exists()


# The patient, a carer they let act for them, and the staff working on the case.
can_change_contact_details = can_change_case | can_act_for_patient

rules.add_perm("patients.open_case", can_open_case)
rules.add_perm("patients.change_contact_details", can_change_contact_details)


# Secure messages, appointment questions and carers. Everyone on the case reads the messages
# and questions; posting a message is for the staff on the case and the patient's side when it
# may act (the patient, or a carer they let act for them); the question list is the patient's
# own, kept by them or a carer acting for them; only the patient grants and revokes carers.
@rules.predicate
def is_the_patient(user: User | AnonymousUser, case: Case | None) -> bool:
    return (
        case is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and case.patient.user_id == user.pk
    )


rules.add_perm("patients.view_messages", can_view_case)
# Feedback after key moments is the patient's own voice: only they answer, and no one else
# (staff, carers) opens their form or sees what they said (careplans' feedback surveys).
rules.add_perm("patients.give_feedback", is_the_patient)
rules.add_perm("patients.post_message", can_change_case | can_act_for_patient)
rules.add_perm("patients.view_questions", can_view_case)
rules.add_perm("patients.change_questions", can_act_for_patient)
rules.add_perm("patients.manage_carers", is_the_patient)
rules.add_perm("patients.view_care_team", can_view_case)
rules.add_perm("patients.view_timeline", can_view_case)


def _case_of(obj: Any) -> Case | None:
    """The case a record belongs to (a case is its own), for rules about records inside a case."""
    return obj if isinstance(obj, Case) or obj is None else getattr(obj, "case", None)


@rules.predicate
def can_change_care_team(user: User | AnonymousUser, obj: Any) -> bool:
    return bool(can_change_case(user, _case_of(obj)))


rules.add_perm("patients.change_care_team", can_change_care_team)

# Sharing the agreed care plan with the GP practice by link, revoking links, withdrawing consent:
# the staff working on the case, the patient, or a carer the patient lets act for them.
rules.add_perm("patients.share_care_plan", can_change_case | can_act_for_patient)


# Tracked items and the chase (appointments). A tracked item, a chase task or a chase record
# asks about its case: the patient's side sees what the patient is waiting for; the staff on
# the case change items and work the chase. Importing from a hospital system is for a team's
# navigators and lead (an integration signs in as one), about that team's cases only.
def _case_of_tracked(obj: Any) -> Case | None:
    if obj is None or isinstance(obj, Case):
        return obj
    case = getattr(obj, "case", None)
    item = getattr(obj, "item", None)
    return case if case is not None else getattr(item, "case", None)


@rules.predicate
def can_view_tracked_items(user: User | AnonymousUser, obj: Any) -> bool:
    return bool(can_view_case(user, _case_of_tracked(obj)))


@rules.predicate
def can_change_tracked_items(user: User | AnonymousUser, obj: Any) -> bool:
    return bool(can_change_case(user, _case_of_tracked(obj)))


@rules.predicate
def can_import_for_team(user: User | AnonymousUser, team: Team | None) -> bool:
    if team is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role not in (Role.NAVIGATOR, Role.TEAM_LEAD) or not _staff_verified(user):
        return False
    return Membership.objects.filter(team=team, user=user).exists()


rules.add_perm("appointments.view_tracked_items", can_view_tracked_items)
rules.add_perm("appointments.change_tracked_items", can_change_tracked_items)
rules.add_perm("appointments.work_chase", can_change_tracked_items)
rules.add_perm("appointments.import_tracked_items", can_import_for_team)


# The chase queue lists overdue items across every case a navigator or team lead works on;
# the tasks in it are still filtered case by case (`case_access_q(change=True)`).
@rules.predicate
def can_work_chase_queue(user: User | AnonymousUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role not in (Role.NAVIGATOR, Role.TEAM_LEAD) or not _staff_verified(user):
        return False
    return Membership.objects.filter(user=user).exists()


rules.add_perm("appointments.view_chase_queue", can_work_chase_queue)
# The same people print the plans due for review across their caseload (each plan still
# filtered case by case).
rules.add_perm("careplans.print_plans_due", can_work_chase_queue)


# Assessments, offers, care plans and plan items (careplans) ask about their case: everyone who
# may see the case reads them; the staff on the case change them and act on the plan; the
# patient, a carer they let act for them, or the staff answer for the patient ("did you get the
# help you needed?").
def _case_of_plan_record(obj: Any) -> Case | None:
    if obj is None or isinstance(obj, Case):
        return obj
    case = getattr(obj, "case", None)
    plan = getattr(obj, "plan", None)
    return case if case is not None else getattr(plan, "case", None)


@rules.predicate
def can_view_plan_records(user: User | AnonymousUser, obj: Any) -> bool:
    return bool(can_view_case(user, _case_of_plan_record(obj)))


@rules.predicate
def can_change_plan_records(user: User | AnonymousUser, obj: Any) -> bool:
    return bool(can_change_case(user, _case_of_plan_record(obj)))


@rules.predicate
def can_answer_for_patient(user: User | AnonymousUser, obj: Any) -> bool:
    case = _case_of_plan_record(obj)
    return bool(can_change_case(user, case) or can_act_for_patient(user, case))


rules.add_perm("careplans.view_plan_records", can_view_plan_records)
rules.add_perm("careplans.change_plan_records", can_change_plan_records)
rules.add_perm("careplans.answer_for_patient", can_answer_for_patient)


# The security log (refused attempts at patients' records): team leads, for their teams' people
# and cases, and administrators, for everything (`patients.selectors.security_log_visible`).
@rules.predicate
def can_view_security_log(user: User | AnonymousUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in (Role.TEAM_LEAD, Role.ADMIN) and _staff_verified(user)


rules.add_perm("patients.view_security_log", can_view_security_log)


# The service directory is no one's record: every member of staff (with MFA) may search it;
# team leads and administrators keep the mapping of the feed's taxonomy to our topics.
@rules.predicate
def can_search_directory(user: User | AnonymousUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _staff_verified(user)


@rules.predicate
def can_map_directory_topics(user: User | AnonymousUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in (Role.TEAM_LEAD, Role.ADMIN) and _staff_verified(user)


rules.add_perm("careplans.search_directory", can_search_directory)
rules.add_perm("careplans.map_directory_topics", can_map_directory_topics)


# Letters, photos, reports and recordings (CaseDocument). Everyone on the case sees the shared
# ones; those for the care team only, the staff on the case. The patient, a carer who may act
# for them and the staff on the case add them.
@rules.predicate
def can_view_document(user: User | AnonymousUser, document: CaseDocument | None) -> bool:
    if document is None:
        return False
    if document.is_shared:
        return bool(can_view_case(user, document.case))
    return bool(can_change_case(user, document.case))


rules.add_perm("patients.view_documents", can_view_case)
rules.add_perm("patients.view_document", can_view_document)
rules.add_perm("patients.add_document", can_change_case | can_act_for_patient)


# Retention: a lead of the team holding a case confirms removing its records once the policy
# allows (patients.services.retention); the list is theirs to review.
def _leads(user: User | AnonymousUser, **team: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role != Role.TEAM_LEAD or not _staff_verified(user):
        return False
    return Membership.objects.filter(user=user, is_lead=True, **team).exists()


@rules.predicate
def can_review_retention(user: User | AnonymousUser) -> bool:
    return _leads(user)


@rules.predicate
def can_confirm_removal(user: User | AnonymousUser, case: Case | None) -> bool:
    return case is not None and _leads(user, team_id=case.team_id)


rules.add_perm("patients.review_retention", can_review_retention)
rules.add_perm("patients.confirm_removal", can_confirm_removal)


# Insight (anonymised figures for the service, `insight/`): team leads and service managers,
# once they have enrolled MFA. The figures are suppressed for small numbers, so they carry no
# patient-identifiable data; every other page about patients stays closed to a service manager
# (`_access_paths` gives them no path to any case).
@rules.predicate
def can_view_insight(user: User | AnonymousUser) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in (Role.TEAM_LEAD, Role.SERVICE_MANAGER) and _staff_verified(user)


rules.add_perm("insight.view_insight", can_view_insight)


@rules.predicate
def can_list_cases(user: User | AnonymousUser) -> bool:
    """Staff pages that list cases (the case list, the worklist, opening a case): staff who
    work with patients. A service manager is refused them with a 404, as every case page."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in STAFF_ROLES and user.role not in NO_PATIENT_DATA_ROLES


rules.add_perm("patients.list_cases", can_list_cases)


# A copy of the whole record (caseload.models.RecordCopy): the patient, or a carer who may act
# for them, asks from the home page; a lead of the case's team produces one for a subject
# access request.
@rules.predicate
def can_produce_subject_access_copy(user: User | AnonymousUser, case: Case | None) -> bool:
    return case is not None and _leads(user, team_id=case.team_id)


rules.add_perm("patients.request_record_copy", can_act_for_patient)
rules.add_perm("patients.produce_subject_access_copy", can_produce_subject_access_copy)
