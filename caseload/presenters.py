"""What the pages that bring a case's whole picture together show, gathered for their templates.

A presenter reads through each app's own selectors (patients, appointments, careplans) when it is
built, so the template only lays out what it is given: no template tag runs a query. The pages'
panels are each app's own partial templates, included with the data the presenter gathered.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, IntegerField, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from appointments.clocks import PathwayClock, case_clocks
from appointments.models import ChaseTask, ItemKind, ItemState, TrackedItem
from appointments.reminders import reminder_context
from appointments.selectors import tracked_items_for_patient
from careplans.models import (
    Assessment,
    AssessmentOffer,
    CarePlan,
    CaseFlag,
    PlanItem,
    ShareLinkAccess,
    SurveyInvitation,
    SurveyResponse,
)
from careplans.selectors import (
    assessments_submitted,
    assessments_unsent,
    current_plan_among,
    flags_for_case,
    plan_items_awaiting_feedback,
    plans_for_case,
    plans_for_patient,
    share_views,
    survey_invitations_open,
    survey_replies_wanted,
)
from careplans.services.offers import open_offers
from caseload.models import RecordCopy
from navigator.accounts.models import User
from navigator.messaging.models import SmsOptOut
from navigator.messaging.selectors import outbox_needing_attention, sms_opt_outs_for
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
    documents_visible,
    questions_for_case,
    timeline_for_case,
    unread_messages,
)
from patients.services import treatment_summaries_of

# How many of the latest shared timeline events the home page lists.
HOME_TIMELINE_LENGTH = 5
# How many questions still to ask the home page lists before "and more on the list".
HOME_QUESTIONS_SHOWN = 5


# What the patient waits for, in plain words with no clinical detail: the item's kind, never its
# title (an imported title may name the test). Four forms each, so each language can place the
# words its own way: the patient's own ("your"), a carer's ("Paul's", by %(name)s), each with
# the responsible provider's name (%(provider)s) and without one. In English; translated when
# the page is drawn (locale/cy).
WAITING_WORDS: dict[str, tuple[str, str, str, str]] = {
    ItemKind.APPOINTMENT: (
        gettext_noop("the booking of your appointment with %(provider)s"),
        gettext_noop("the booking of your appointment"),
        gettext_noop("the booking of %(name)s's appointment with %(provider)s"),
        gettext_noop("the booking of %(name)s's appointment"),
    ),
    ItemKind.FOLLOW_UP: (
        gettext_noop("the booking of your follow-up appointment with %(provider)s"),
        gettext_noop("the booking of your follow-up appointment"),
        gettext_noop("the booking of %(name)s's follow-up appointment with %(provider)s"),
        gettext_noop("the booking of %(name)s's follow-up appointment"),
    ),
    ItemKind.RESULT: (
        gettext_noop("your test or scan result from %(provider)s"),
        gettext_noop("your test or scan result"),
        gettext_noop("%(name)s's test or scan result from %(provider)s"),
        gettext_noop("%(name)s's test or scan result"),
    ),
    ItemKind.REFERRAL: (
        gettext_noop("the booking of your appointment at %(provider)s"),
        gettext_noop("the booking of your appointment at another hospital"),
        gettext_noop("the booking of %(name)s's appointment at %(provider)s"),
        gettext_noop("the booking of %(name)s's appointment at another hospital"),
    ),
    ItemKind.TREATMENT_SUMMARY: (
        gettext_noop("your treatment summary from %(provider)s to your GP"),
        gettext_noop("your treatment summary to your GP"),
        gettext_noop("%(name)s's treatment summary from %(provider)s to %(name)s's GP"),
        gettext_noop("%(name)s's treatment summary to %(name)s's GP"),
    ),
    ItemKind.CANCER_CARE_REVIEW: (
        gettext_noop("a Cancer Care Review with your GP"),
        gettext_noop("a Cancer Care Review with your GP"),
        gettext_noop("a Cancer Care Review with %(name)s's GP"),
        gettext_noop("a Cancer Care Review with %(name)s's GP"),
    ),
}
# How a booked appointment is named on the home page.
APPOINTMENT_WORDS: dict[str, str] = {
    ItemKind.APPOINTMENT: gettext_noop("Appointment"),
    ItemKind.FOLLOW_UP: gettext_noop("Follow-up appointment"),
}


def _day(day: dt.date, today: dt.date) -> str:
    """ "28 November", with the year only when it is not this year, in the page's language."""
    return date_format(day, "j F" if day.year == today.year else "j F Y")


@dataclass(frozen=True)
class Waiting:
    """One thing the patient waits for, as a sentence; `chasing` once it is late."""

    text: str
    chasing: bool


@dataclass(frozen=True)
class ComingUp:
    """One booked appointment: what, when and where, as the reminder text gives them."""

    what: str
    when: str
    place: str
    bring: str


def waiting_lines(
    items: list[TrackedItem], *, name: str | None, today: dt.date
) -> tuple[list[Waiting], bool]:
    """What the team waits for or chases for the patient, each as a sentence, and whether a
    check-in is due (the team would like to hear from them). Booked appointments are left to
    "Coming up"; a Cancer Care Review only shows once it is late (until then it is the GP's to
    offer, a year ahead). `name`: the patient's first name for a carer's page, None for their
    own."""
    lines: list[Waiting] = []
    check_in_due = False
    for item in items:
        late = item.days_overdue(today) > 0
        if item.kind in (ItemKind.CHECK_IN, ItemKind.ASSESSMENT_OFFER):
            # Both texts ask them to "tell us how you are, or we will call you".
            check_in_due = check_in_due or item.expected_by <= today
            continue
        if item.kind not in WAITING_WORDS or item.state == ItemState.BOOKED:
            continue
        if item.kind == ItemKind.CANCER_CARE_REVIEW and not late:
            continue
        forms = WAITING_WORDS[item.kind]
        provider = item.responsible_provider
        phrase = forms[(0 if name is None else 2) + (0 if provider else 1)]
        words = gettext(phrase) % {"name": name, "provider": provider.name if provider else ""}
        day = _day(item.expected_by, today)
        if late:
            text = gettext("We are chasing %(words)s. It was due on %(day)s.")
        else:
            text = gettext("We are waiting for %(words)s. We expect it by %(day)s.")
        text = text % {"words": words, "day": day}
        lines.append(Waiting(text=text, chasing=late))
    return lines, check_in_due


def coming_up(items: list[TrackedItem]) -> list[ComingUp]:
    """The booked appointments, soonest first, with the time and place the reminder gives."""
    booked = []
    for item in items:
        if item.kind not in APPOINTMENT_WORDS or item.state != ItemState.BOOKED:
            continue
        when = ""
        if item.starts_at is not None:
            when = reminder_context(item)["when"]
        booked.append(
            ComingUp(
                what=gettext(APPOINTMENT_WORDS[item.kind]),
                when=when
                or gettext("On %(day)s") % {"day": _day(item.expected_by, timezone.localdate())},
                place=" ".join(item.location.split()),
                bring=" ".join(item.what_to_bring.split()),
            )
        )
    return booked


class PatientHome:
    """The patient's home page, "what happens next", for one case, seen by its patient or by a
    carer: their navigator, what the care team would like from them (an assessment, feedback on
    the help they were signposted to), their care plan, messages, the latest shared events, the
    waiting-time clocks in plain words, their questions and their contact details."""

    def __init__(self, *, case: Case, user: User, other_cases: list[Case]) -> None:
        self.case = case
        self.patient: Patient = case.patient
        self.is_carer = case.patient.user_id != user.pk
        # Greet them by name, never by email address: the patient's own name on the record, or
        # the carer's name on their account (nothing if they have not given one).
        if self.is_carer:
            self.greeting_name = user.full_name.split(" ")[0] if user.full_name else ""
        else:
            self.greeting_name = self.patient.given_name
        self.other_cases = other_cases
        self.can_change_contact = user.has_perm("patients.change_contact_details", case)
        self.can_act = user.has_perm("patients.act_for_patient", case)
        self.can_post_message = user.has_perm("patients.post_message", case)
        self.can_change_questions = user.has_perm("patients.change_questions", case)
        self.can_add_document = case.is_open and user.has_perm("patients.add_document", case)

        # One query (`counts_and_firsts`): an assessment offered or half done (careplans),
        # messages new to them and the treatment summary (patients).
        counts, first, _ = counts_and_firsts(
            case,
            counts={"unread_messages": unread_messages(case=case, user=user)},
            firsts={
                "offer": open_offers(case),
                "unsent": assessments_unsent(case=case),
                "treatment_summary": treatment_summaries_of(case),
            },
        )
        # careplans: an assessment offered or half done, feedback asked for, the plan.
        self.offer: AssessmentOffer | None = first["offer"]
        self.unsent: Assessment | None = first["unsent"]
        # The agreed plan, and a draft beside it: a new version to read and agree.
        plans = plans_for_patient(case=case)
        self.agreed_plan: CarePlan | None = plans[0]
        self.draft_plan: CarePlan | None = plans[1]
        self.feedback_wanted: list[PlanItem] = (
            list(plan_items_awaiting_feedback(case=case)) if self.agreed_plan is not None else []
        )
        # Feedback after key moments is the patient's own to give: a carer is not asked.
        self.surveys: list[SurveyInvitation] = (
            [] if self.is_carer else list(survey_invitations_open(case=case))
        )
        # patients: messages new to them, what happened so far, the treatment summary.
        self.unread_messages: int = counts["unread_messages"]
        self.events: list[TimelineEvent] = list(
            timeline_for_case(case=case, shared_only=True)[:HOME_TIMELINE_LENGTH]
        )
        self.treatment_summary: TreatmentSummary | None = first["treatment_summary"]
        # appointments: what is booked, what the team waits for or chases, the clocks.
        items = tracked_items_for_patient(case=case)
        self.coming_up: list[ComingUp] = coming_up(items)
        self.waiting, self.check_in_due = waiting_lines(
            items,
            name=self.patient.given_name if self.is_carer else None,
            today=timezone.localdate(),
        )
        self.clocks: list[PathwayClock] = case_clocks(case)
        # patients: the questions still to ask at the next appointment.
        questions = list(
            questions_for_case(case=case).filter(asked_at__isnull=True)[: HOME_QUESTIONS_SHOWN + 1]
        )
        self.questions: list[AppointmentQuestion] = questions[:HOME_QUESTIONS_SHOWN]
        self.more_questions = len(questions) > HOME_QUESTIONS_SHOWN
        # caseload: the latest copy of the record this person asked for, and how it stands.
        self.can_ask_record_copy = user.has_perm("patients.request_record_copy", case)
        self.record_copy: RecordCopy | None = (
            RecordCopy.objects.filter(
                case=case, requested_by=user, purpose=RecordCopy.Purpose.PATIENT
            )
            .order_by("-requested_at")
            .first()
            if self.can_ask_record_copy
            else None
        )
        now = timezone.now()
        self.record_copy_expired = bool(self.record_copy and self.record_copy.is_expired(now))
        self.record_copy_downloadable = bool(
            self.record_copy and self.record_copy.is_downloadable(now)
        )


class _Count(Subquery):
    """How many rows a queryset holds, as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


@dataclass(frozen=True)
class Only:
    """A first row for `counts_and_firsts` that the page needs only a few fields of (`names`):
    read in the one query itself, each field a scalar subquery beside the row's key, rather
    than by its key afterwards. The row comes as its model holding just those fields (reading
    another would ask the database for it)."""

    rows: QuerySet[Any]
    names: tuple[str, ...]


def counts_and_firsts(
    case: Case,
    *,
    counts: dict[str, QuerySet[Any]],
    firsts: dict[str, QuerySet[Any] | Only],
    lists: dict[str, QuerySet[Any]] | None = None,
) -> tuple[dict[str, int], dict[str, Any], dict[str, list[Any]]]:
    """How many of each of `counts` there are, the first row of each of `firsts`, and the rows
    of each of `lists` (each a selector's queryset; a first as `.first()` picks it), read in one
    query beside the case's key: each count a scalar subquery, each first its key (and, for an
    `Only`, its few fields), each list whether it has any row (an EXISTS). Only a first that
    exists is then read, by its key, through its own queryset (so its `select_related` holds),
    and only a list that has rows is read: a page of panels that are mostly empty costs one
    query, not one a panel."""
    lists = lists or {}
    annotations: dict[str, Any] = {
        f"count_{name}": _Count(rows.order_by().values("pk")) for name, rows in counts.items()
    }
    for name, first_of in firsts.items():
        rows = first_of.rows if isinstance(first_of, Only) else first_of
        ordered = rows if rows.ordered else rows.order_by("pk")
        annotations[f"first_{name}"] = Subquery(ordered.values("pk")[:1])
        if isinstance(first_of, Only):
            for field in first_of.names:
                annotations[f"first_{name}__{field}"] = Subquery(ordered.values(field)[:1])
    for name, rows in lists.items():
        annotations[f"any_{name}"] = Exists(rows.order_by().values("pk"))
    if not annotations:
        return {}, {}, {}
    found = dict(
        zip(
            annotations,
            Case.objects.filter(pk=case.pk).annotate(**annotations).values_list(*annotations).get(),
            strict=True,
        )
    )
    counted = {name: found[f"count_{name}"] for name in counts}
    first = {name: _first(name, first_of, found) for name, first_of in firsts.items()}
    listed = {name: list(rows) if found[f"any_{name}"] else [] for name, rows in lists.items()}
    return counted, first, listed


def _first(name: str, first_of: QuerySet[Any] | Only, found: dict[str, Any]) -> Any:
    pk = found[f"first_{name}"]
    if pk is None:
        return None
    if isinstance(first_of, Only):
        meta = first_of.rows.model._meta
        return first_of.rows.model.from_db(
            first_of.rows.db,
            [meta.pk.attname, *(meta.get_field(field).attname for field in first_of.names)],
            [pk, *(found[f"first_{name}__{field}"] for field in first_of.names)],
        )
    # Gone since (deleted in between): as if it had not been there.
    return first_of.filter(pk=pk).first()


# How many of the latest copies for subject access requests the case overview lists.
SUBJECT_ACCESS_COPIES_SHOWN = 5
# How many of the latest timeline events the case overview lists.
OVERVIEW_TIMELINE_LENGTH = 5


class CaseOverview:
    """The case overview, the navigator's hub for one case.

    At the top, what needs doing: open urgent flags (and whether they went to the team lead),
    overdue tracked items, open chase tasks, the waiting-time clocks, where the assessment and
    care plan stand. Then a way into every part of the record: contact details, care team,
    timeline, messages, questions, carers, assessments, care plans (each version, print, share
    with the GP and when the practice viewed it), tracked items and the treatment summary.

    Every part is one query however many rows it holds (`tests/caseload/test_case_overview.py`
    counts them), so the page costs the same for a new case and a long one.
    """

    def __init__(self, *, case: Case, user: User) -> None:
        self.case = case
        self.patient: Patient = case.patient
        self.can_change = user.has_perm("patients.change_case", case)
        # A lead of the case's team produces copies for subject access requests.
        self.can_produce_subject_access_copy = user.has_perm(
            "patients.produce_subject_access_copy", case
        )
        self.subject_access_copies: list[RecordCopy] = (
            list(
                RecordCopy.objects.filter(case=case, purpose=RecordCopy.Purpose.SUBJECT_ACCESS)
                .select_related("requested_by")
                .order_by("-requested_at")[:SUBJECT_ACCESS_COPIES_SHOWN]
            )
            if self.can_produce_subject_access_copy
            else []
        )
        self.can_post_message = user.has_perm("patients.post_message", case)
        self.can_share = user.has_perm("patients.share_care_plan", case)
        self.can_view_outbox = user.has_perm("patients.view_outbox", case)
        today = timezone.localdate()

        # patients: who looks after them, messages new to the team, the latest events.
        self.care_team: list[CareTeamMember] = list(care_team_for_case(case=case))
        self.events: list[TimelineEvent] = list(
            timeline_for_case(case=case)[:OVERVIEW_TIMELINE_LENGTH]
        )

        # The page's counts and single rows, one query: messages new to the team, questions
        # still to ask, open tracked items and (for those who may see the outbox) messages
        # stuck with no word whether they went (the outbox page says more); the treatment
        # summary, why no text goes to their mobile (they replied STOP, or it cannot get
        # texts), the assessment offered or under way, the last one sent, the GP's last view;
        # and whether there is anything for the panels that are usually empty (carers, the
        # treating hospitals, feedback asking for a reply), read only when there is.
        counted: dict[str, QuerySet[Any]] = {
            "unread_messages": unread_messages(case=case, user=user),
            "questions_to_ask": questions_for_case(case=case).filter(asked_at__isnull=True),
            "open_items": TrackedItem.objects.open().filter(case=case),
            "documents": documents_visible(case=case, user=user),
        }
        if self.can_view_outbox:
            counted["messages_needing_attention"] = outbox_needing_attention(
                subject_id=self.patient.id
            )
        counts, first, listed = counts_and_firsts(
            case,
            counts=counted,
            firsts={
                "treatment_summary": treatment_summaries_of(case),
                "sms_opt_out": sms_opt_outs_for(phone=self.patient.phone),
                # What the page says of them: when, and the distress score.
                "offer": Only(open_offers(case), ("offered_at",)),
                "unsent": Only(assessments_unsent(case=case), ("started_at",)),
                "last_assessment": Only(
                    assessments_submitted(case=case), ("submitted_at", "distress_score")
                ),
                "last_gp_view": share_views(case),
            },
            lists={
                "carers": carers_for_case(case=case),
                "providers": case.treating_providers.all(),
                # Feedback whose author asked for a reply: the only feedback staff see with a
                # name.
                "replies_wanted": survey_replies_wanted(case=case),
            },
        )
        self.carers: list[CarerAccess] = listed["carers"]
        self.providers: list[Organisation] = listed["providers"]
        self.replies_wanted: list[SurveyResponse] = listed["replies_wanted"]
        self.treatment_summary: TreatmentSummary | None = first["treatment_summary"]
        self.sms_opt_out: SmsOptOut | None = first["sms_opt_out"]
        self.offer: AssessmentOffer | None = first["offer"]
        self.unsent: Assessment | None = first["unsent"]
        self.last_assessment: Assessment | None = first["last_assessment"]
        self.last_gp_view: ShareLinkAccess | None = first["last_gp_view"]
        self.unread_messages: int = counts["unread_messages"]
        self.questions_to_ask: int = counts["questions_to_ask"]
        self.open_items: int = counts["open_items"]
        self.documents: int = counts["documents"]
        self.messages_needing_attention: int = counts.get("messages_needing_attention", 0)

        # appointments: the clocks, what is late, and the chases waiting for someone.
        self.clocks: list[PathwayClock] = case_clocks(case)
        self.overdue_items: list[TrackedItem] = list(
            TrackedItem.objects.overdue(today=today)
            .filter(case=case)
            .select_related("responsible_provider")
        )
        self.open_tasks: list[ChaseTask] = list(
            ChaseTask.objects.open().filter(item__case=case).select_related("item", "assigned_to")
        )

        # careplans: urgent flags, the assessment offered or under way, the plans.
        self.flags: list[CaseFlag] = list(flags_for_case(case))
        self.plans: list[CarePlan] = list(plans_for_case(case))
        self.current_plan: CarePlan | None = current_plan_among(self.plans)
        # The newest draft, when it is newer than the plan the patient reads: it needs agreeing.
        self.draft_plan: CarePlan | None = next(
            (
                plan
                for plan in self.plans
                if plan.status == CarePlan.Status.DRAFT and plan != self.current_plan
            ),
            None,
        )
        # The two newest versions, for "what changed" (the plan's page compares any two).
        self.compare: tuple[CarePlan, CarePlan] | None = (
            (self.plans[0], self.plans[1]) if len(self.plans) > 1 else None
        )
