"""Who may see and do what with a case: the one rule set for pages, the API and templates.

Every permission about a patient's record is decided here. Objects that belong to a case (plans,
tracked items, messages) ask these rules about their case instead of defining their own. The
same conditions exist as a queryset filter (`visible_cases`) and as object predicates built on
it, so a list can never show a case that the detail page would refuse.
"""

from typing import Any

import rules
from django.db.models import Exists, OuterRef, Q, QuerySet

from navigator.accounts.models import STAFF_ROLES, Role
from navigator.organisations.models import Membership
from patients.models import CarerAccess, CareTeamMember, Case


def _staff_verified(user: Any) -> bool:
    """Staff see patient data only once they have enrolled multi-factor authentication."""
    if user.role not in STAFF_ROLES:
        return False
    if not hasattr(user, "_has_mfa_cached"):
        user._has_mfa_cached = user.has_mfa
    return bool(user._has_mfa_cached)


def case_access_q(user: Any, *, act: bool = False, change: bool = False) -> Q:
    """Cases `user` may see; `act` narrows to acting for the patient, `change` to staff work."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    live_grants = CarerAccess.objects.filter(
        patient=OuterRef("patient"), carer=user, revoked_at__isnull=True
    )
    if act:
        live_grants = live_grants.filter(level=CarerAccess.Level.ACT)
    q = Q(pk__in=[])
    if not change:
        q |= Q(patient__user=user) | Q(Exists(live_grants))
    if _staff_verified(user):
        in_team = Membership.objects.filter(team=OuterRef("team"), user=user)
        on_care_team = CareTeamMember.objects.filter(case=OuterRef("pk"), user=user)
        if user.role == Role.ADMIN:
            return q  # administrators run the service; they are not on anyone's care team
        if not act:
            q |= Q(Exists(in_team)) | Q(Exists(on_care_team))
    return q


def visible_cases(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(case_access_q(user))


def _case_check(**kwargs: bool) -> Any:
    def check(user: Any, case: Case | None) -> bool:
        if case is None:
            return False
        return Case.objects.filter(pk=case.pk).filter(case_access_q(user, **kwargs)).exists()

    return check


can_view_case = rules.predicate(_case_check(), name="can_view_case")
can_change_case = rules.predicate(_case_check(change=True), name="can_change_case")
can_act_for_patient = rules.predicate(_case_check(act=True), name="can_act_for_patient")


@rules.predicate
def is_staff_on_case(user: Any, case: Case | None) -> bool:
    return case is not None and can_change_case(user, case)


rules.add_perm("patients.view_case", can_view_case)
rules.add_perm("patients.change_case", can_change_case)
rules.add_perm("patients.act_for_patient", can_act_for_patient)
rules.add_perm("patients.view_outbox", is_staff_on_case)


@rules.predicate
def can_open_case(user: Any) -> bool:
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
