"""Reads of cases with real shape: joins, ordering. Visibility always comes from `patients.rules`."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case as Conditional
from django.db.models import Exists, OuterRef, Q, QuerySet, When

from navigator.accounts.models import Role, User
from navigator.audit.models import AuditEvent
from navigator.models import BankHoliday
from navigator.organisations.models import Membership
from patients.models import (
    AppointmentQuestion,
    CarerAccess,
    CarerInvitation,
    CareTeamMember,
    Case,
    CaseDocument,
    CaseMessage,
    Nation,
    Patient,
    RetentionReview,
    TimelineEvent,
)
from patients.rules import visible_case_ids, visible_cases


def case_list_visible(*, user: User | AnonymousUser) -> QuerySet[Case]:
    """The cases `user` may see, with what a list shows of each fetched in the same query."""
    return visible_cases(user).select_related("patient", "team", "navigator")


def case_list_mine(*, user: User, query: str = "") -> QuerySet[Case]:
    """Staff "My cases": open cases I navigate or am on the care team of, and my led teams' cases.

    With a `query` it searches every case `user` may see instead (open or closed), by NHS number
    (digits, spaces ignored) or by name (every word must match the first or last name), so a
    search finds the person even when a colleague holds the case.
    """
    cases = case_list_visible(user=user)
    query = query.strip()
    if query:
        digits = "".join(query.split())
        if digits.isdigit():
            return cases.filter(patient__nhs_number__contains=digits).order_by(*_BY_NAME)
        for word in query.split():
            cases = cases.filter(
                Q(patient__given_name__icontains=word) | Q(patient__family_name__icontains=word)
            )
        return cases.order_by(*_BY_NAME)
    led_teams = Membership.objects.filter(user=user, is_lead=True).values("team")
    on_care_team = CareTeamMember.objects.filter(case=OuterRef("pk"), user=user)
    mine = Q(navigator=user) | Q(team__in=led_teams) | Q(Exists(on_care_team))
    return cases.filter(mine, status=Case.Status.OPEN).order_by(*_BY_NAME)


_BY_NAME = ("patient__family_name", "patient__given_name", "-opened_at")


def care_team_for_case(*, case: Case) -> QuerySet[CareTeamMember]:
    """The care team, navigator first, with accounts and organisations fetched in one query."""
    return (
        case.care_team.select_related("user", "organisation")
        .annotate(navigator_first=Conditional(When(user_id=case.navigator_id, then=0), default=1))
        .order_by("navigator_first", "role", "name")
    )


def carers_for_case(*, case: Case) -> QuerySet[CarerAccess]:
    """Carers with a live grant from the patient."""
    return (
        CarerAccess.objects.filter(patient_id=case.patient_id, revoked_at__isnull=True)
        .select_related("carer")
        .order_by("granted_at")
    )


def timeline_for_case(
    *, case: Case, kind: str = "", shared_only: bool = False
) -> QuerySet[TimelineEvent]:
    """The case's events, latest first; `shared_only` for what the patient and carers see.
    A document's event brings its document (to link to it) in the same query."""
    events = case.timeline.select_related("recorded_by", "document")
    if kind:
        events = events.filter(kind=kind)
    if shared_only:
        events = events.filter(shared_with_patient=True)
    return events.order_by("-occurred_at", "-recorded_at")


def cases_for_patient_home(*, user: User) -> QuerySet[Case]:
    """The cases a patient or carer may see, open ones first (not by the status's spelling,
    which would put "closed" first), then newest first."""
    open_first = Conditional(When(status=Case.Status.OPEN, then=0), default=1)
    return case_list_visible(user=user).order_by(open_first, "-opened_at")


def carer_grants_withdrawn(*, user: User, case_id: str | None = None) -> list[CarerAccess]:
    """The grants a patient took back from `user` and has not given again, the latest for each
    patient, newest first; only for `case_id`'s patient when given. What a carer who lost access
    is told: whose record, and since when."""
    live = CarerAccess.objects.filter(
        carer=user, patient=OuterRef("patient"), revoked_at__isnull=True
    )
    later = CarerAccess.objects.filter(
        carer=user, patient=OuterRef("patient"), revoked_at__gt=OuterRef("revoked_at")
    )
    grants = (
        CarerAccess.objects.filter(carer=user, revoked_at__isnull=False)
        .exclude(Exists(live))
        .exclude(Exists(later))
        .select_related("patient")
        .order_by("-revoked_at")
    )
    if case_id is not None:
        grants = grants.filter(patient__cases__pk=case_id)
    return list(grants)


def messages_for_case(*, case: Case) -> QuerySet[CaseMessage]:
    """The case's conversation, oldest first, with each author fetched in the same query."""
    return case.messages.select_related("author").order_by("created_at")


def unread_messages(*, case: Case, user: User) -> QuerySet[CaseMessage]:
    """Messages from the other side that nobody on `user`'s side has read yet."""
    messages = CaseMessage.objects.filter(case=case)
    if getattr(user, "is_staff_role", False):
        return messages.filter(
            author_kind__in=CaseMessage.PATIENT_SIDE, read_by_team_at__isnull=True
        )
    return messages.filter(
        author_kind=CaseMessage.AuthorKind.STAFF, read_by_patient_at__isnull=True
    )


def unread_message_count(*, case: Case, user: User) -> int:
    """How many `unread_messages` there are."""
    return unread_messages(case=case, user=user).count()


def questions_for_case(*, case: Case) -> QuerySet[AppointmentQuestion]:
    """Questions still to ask first, then the ones ticked off, each in the order written."""
    return case.questions.order_by(
        Conditional(When(asked_at__isnull=True, then=0), default=1), "created_at"
    )


def carer_invitations_pending(*, patient: Patient) -> list[CarerInvitation]:
    """The patient's carer invitations that can still be accepted, newest first."""
    invitations = CarerInvitation.objects.filter(
        patient=patient,
        invitation__accepted_at__isnull=True,
        invitation__revoked_at__isnull=True,
    ).select_related("invitation")
    return [i for i in invitations if i.invitation.is_usable]


# Working days ---------------------------------------------------------------------------------

DIVISION_FOR_NATION: dict[str, str] = {
    Nation.ENGLAND: BankHoliday.Division.ENGLAND_AND_WALES,
    Nation.WALES: BankHoliday.Division.ENGLAND_AND_WALES,
    Nation.SCOTLAND: BankHoliday.Division.SCOTLAND,
    Nation.NORTHERN_IRELAND: BankHoliday.Division.NORTHERN_IRELAND,
}


def bank_holidays_for(nation: str) -> frozenset[dt.date]:
    """The bank holidays where the person lives (England and Wales when unknown), for
    `navigator.time`'s working-time arithmetic."""
    division = DIVISION_FOR_NATION.get(nation, BankHoliday.Division.ENGLAND_AND_WALES)
    return frozenset(BankHoliday.objects.filter(division=division).values_list("date", flat=True))


def security_log_visible(*, user: User) -> QuerySet[AuditEvent]:
    """Refused attempts at patients' records, newest first, that `user` reviews: everything for
    an administrator; for a team lead, those made by anyone in their teams or at a case of
    their teams. (Who may open the log at all is `patients.view_security_log`.)"""
    refusals = AuditEvent.objects.refusals().order_by("-at", "-id")
    if user.role == Role.ADMIN:
        return refusals
    teams = Membership.objects.filter(user=user).values("team")
    return refusals.filter(
        Q(actor_id__in=Membership.objects.filter(team__in=teams).values("user"))
        | Q(patient_id__in=Case.objects.filter(team__in=teams).values("patient_id"))
    )


def documents_visible(*, case: Case, user: User | AnonymousUser) -> QuerySet[CaseDocument]:
    """The documents of `case` that `user` may see, newest first: every one for the staff on
    the case, the shared ones for the patient's side, none for anyone else (the rules of
    `patients.view_document`, as a queryset for lists and the FHIR DocumentReference)."""
    documents = CaseDocument.objects.filter(case=case).select_related("added_by")
    if user.has_perm("patients.change_case", case):
        return documents
    if user.has_perm("patients.view_case", case):
        return documents.shared()
    return documents.none()


def documents_visible_to(*, user: User | AnonymousUser) -> QuerySet[CaseDocument]:
    """Every document `user` may see, across cases: all of those on the cases they are staff
    on, the shared ones on the cases they see as the patient's side (the rule of
    `documents_visible`, as one filter, for the FHIR DocumentReference and Binary)."""
    return CaseDocument.objects.filter(
        Q(case_id__in=visible_case_ids(user, change=True))
        | Q(visibility=CaseDocument.Visibility.SHARED, case_id__in=visible_case_ids(user))
    )


def retention_reviews_for_lead(*, user: User) -> QuerySet[RetentionReview]:
    """What the retention job listed for the teams `user` leads, longest due first, with the
    case and patient a row names fetched in the same query."""
    led = Membership.objects.filter(user=user, is_lead=True).values("team_id")
    return (
        RetentionReview.objects.filter(case__team_id__in=led)
        .select_related("case__patient", "case__team")
        .order_by("due_since", "case_id", "record_kind")
    )
