"""What the pages that bring a case's whole picture together show, gathered for their templates.

A presenter reads through each app's own selectors (patients, appointments, careplans) when it is
built, so the template only lays out what it is given: no template tag runs a query. The pages'
panels are each app's own partial templates, included with the data the presenter gathered.
"""

from appointments.clocks import PathwayClock, case_clocks
from careplans.models import Assessment, AssessmentOffer, CarePlan, PlanItem
from careplans.selectors import assessment_unsent, current_plan, plan_items_awaiting_feedback
from careplans.services.offers import open_offer
from navigator.accounts.models import User
from navigator.organisations.models import Organisation
from patients.models import (
    AppointmentQuestion,
    CarerAccess,
    CareTeamMember,
    Case,
    Patient,
    TimelineEvent,
    TreatmentSummary,
)
from patients.selectors import (
    care_team_for_case,
    carers_for_case,
    questions_for_case,
    timeline_for_case,
    unread_message_count,
)
from patients.services import treatment_summary_for_case

# How many of the latest shared timeline events the home page lists.
HOME_TIMELINE_LENGTH = 5
# How many questions still to ask the home page lists before "and more on the list".
HOME_QUESTIONS_SHOWN = 5


class PatientHome:
    """The patient's home page, "what happens next", for one case, seen by its patient or by a
    carer: their navigator, what the care team would like from them (an assessment, feedback on
    the help they were signposted to), their care plan, messages, the latest shared events, the
    waiting-time clocks in plain words, their questions and their contact details."""

    def __init__(self, *, case: Case, user: User, other_cases: list[Case]) -> None:
        self.case = case
        self.patient: Patient = case.patient
        self.is_carer = case.patient.user_id != user.pk
        self.other_cases = other_cases
        self.can_change_contact = user.has_perm("patients.change_contact_details", case)
        self.can_act = user.has_perm("patients.act_for_patient", case)
        self.can_post_message = user.has_perm("patients.post_message", case)
        self.can_change_questions = user.has_perm("patients.change_questions", case)

        # careplans: an assessment offered or half done, feedback asked for, the plan.
        self.offer: AssessmentOffer | None = open_offer(case)
        self.unsent: Assessment | None = assessment_unsent(case=case)
        self.plan: CarePlan | None = current_plan(case)
        self.waiting: list[PlanItem] = (
            list(plan_items_awaiting_feedback(case=case))
            if self.plan is not None and self.plan.status == CarePlan.Status.AGREED
            else []
        )
        # patients: messages new to them, what happened so far, the treatment summary.
        self.unread_messages = unread_message_count(case=case, user=user)
        self.events: list[TimelineEvent] = list(
            timeline_for_case(case=case, shared_only=True)[:HOME_TIMELINE_LENGTH]
        )
        self.treatment_summary: TreatmentSummary | None = treatment_summary_for_case(case)
        # appointments: the waiting-time clocks.
        self.clocks: list[PathwayClock] = case_clocks(case)
        # patients: the questions still to ask at the next appointment.
        questions = list(
            questions_for_case(case=case).filter(asked_at__isnull=True)[: HOME_QUESTIONS_SHOWN + 1]
        )
        self.questions: list[AppointmentQuestion] = questions[:HOME_QUESTIONS_SHOWN]
        self.more_questions = len(questions) > HOME_QUESTIONS_SHOWN


# How many of the latest timeline events the case overview lists.
OVERVIEW_TIMELINE_LENGTH = 5


class CaseOverview:
    """The case overview, the navigator's hub for one case: who the person is, who looks after
    them, their messages, the waiting-time clocks, what happened lately, and whether the staff
    member may change the case or share its care plan."""

    def __init__(self, *, case: Case, user: User) -> None:
        self.case = case
        self.patient: Patient = case.patient
        self.can_change = user.has_perm("patients.change_case", case)
        self.can_post_message = user.has_perm("patients.post_message", case)
        self.can_share = user.has_perm("patients.share_care_plan", case)

        # patients: who looks after them, messages new to the team, the latest events.
        self.care_team: list[CareTeamMember] = list(care_team_for_case(case=case))
        self.carers: list[CarerAccess] = list(carers_for_case(case=case))
        self.providers: list[Organisation] = list(case.treating_providers.all())
        self.unread_messages = unread_message_count(case=case, user=user)
        self.events: list[TimelineEvent] = list(
            timeline_for_case(case=case)[:OVERVIEW_TIMELINE_LENGTH]
        )
        # appointments: the waiting-time clocks.
        self.clocks: list[PathwayClock] = case_clocks(case)
