"""Appointments, tracked items and the chase; and the pathway standards the clocks use.

A **tracked item** (`TrackedItem`) is something a patient is waiting for, expected by a date:
an appointment, a test or scan result, a referral, a treatment summary reaching the GP, a
follow-up after discharge, a GP Cancer Care Review, an assessment offer, a care plan review, a
check-in, a plan item. Its kinds, states and allowed transitions are data, in `WORKFLOWS` below:

    appointment, follow_up   to_be_booked -> booked -> attended | did_not_attend | cancelled
                             (did_not_attend and cancelled may go back to to_be_booked)
    result                   requested -> done -> reported        (done: the report is awaited)
    referral                 sent -> accepted -> booked           (or declined)
    treatment_summary        due -> sent_to_gp -> acknowledged
    cancer_care_review       due -> offered -> completed          (or declined)
    assessment_offer         due -> offered -> completed          (or declined)
    care_plan_review, check_in, plan_item
                             due -> completed
    every kind               any open state -> cancelled

An item is *open* until it reaches one of its kind's closed states (`closed_at` is then set).
Entering some states restarts the wait (`Workflow.windows`: a result marked done expects its
report within 7 days; a booked appointment is expected on its day, `starts_at`, if known).

**Follow-up rules** (`FollowUpRule`, rows loaded by migration and tunable in the admin) create
items when a timeline event is recorded: a discharge schedules a check-in a few days later (3 by
default; a team may set its own, `TeamFollowUpOffset`) and more after weeks, a follow-up to book,
the treatment summary to the GP and the end-of-treatment needs assessment (offered by careplans
through `appointments.hooks.follow_up_created`); a diagnosis schedules the GP Cancer Care
Review; and so on.

**The chase**: an open item whose `next_chase_on` has come is overdue. The chase job claims it,
opens a `ChaseTask` on its navigator's worklist, sends the nudges its rule names (patient:
at most one text a day; provider and GP practice: one email a run listing their references,
through `ChaseDigest`; an organisation with no email address is put on the task to contact
another way), escalates to the team lead after `escalate_after_days`, and moves
`next_chase_on` on. The navigator records what they did with a `ChaseRecord`.

Services (appointments.services), keyword-only:
    tracked_item_create(*, case, kind, title, expected_by, actor, state=None, ...)
    tracked_item_transition(*, item, to_state, actor, note="")   # ValidationError if not allowed
    follow_ups_from_event(*, event)           # for each timeline event (patients.hooks, apps.py)
    chase_record(*, task, actor, outcome, next_chase_on)          # "chased, who, outcome, next"
    chase_run(*, batch_size=..., today=None)                      # the job (task and `manage.py chase`)
Reads: appointments.selectors (chase_queue, case_tracked_items); the rules that pick items
(open, overdue, due a chase, booked appointments) are `TrackedItem.objects` methods.
"""

import datetime as dt
import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_noop

from navigator.language import reading_welsh
from navigator.messaging.models import OutboundMessage
from navigator.organisations.models import Organisation, Team
from patients.models import Case, CaseDocument, Nation, TimelineEvent

# Chasing defaults for items no rule made (rules carry their own).
CHASE_EVERY_DAYS = 3
ESCALATE_AFTER_DAYS = 7


class PathwayStandard(models.Model):
    """A waiting-time standard for one nation: how long from one kind of event to another.

    The rules differ by nation and change with policy, so they are rows, not code (loaded by
    migration 0002 and editable in the admin). A clock starts at the earliest timeline event of a
    start kind and stops at the first event of an end kind on or after that day.

    Rules:
    - `warn_at_days` is the day from which a running clock shows as nearing the limit;
    - the description is read by patients: plain English, no abbreviations, with its Welsh in
      `name_cy` and `description_cy` (data, like the questionnaire's wording).
    """

    nation = models.CharField(max_length=20, choices=Nation.choices)
    code = models.CharField(max_length=20, help_text="Short name, such as FDS28.")
    name = models.CharField(max_length=100)
    name_cy = models.CharField("name (Welsh)", max_length=100, blank=True)
    description = models.TextField(help_text="What it means, for patients (reading age about 9).")
    description_cy = models.TextField("description (Welsh)", blank=True)
    start_kinds = models.JSONField(help_text="Timeline event kinds that start the clock.")
    end_kinds = models.JSONField(help_text="Timeline event kinds that stop the clock.")
    length_days = models.PositiveSmallIntegerField()
    warn_at_days = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["nation", "order", "length_days"]
        constraints = [
            models.UniqueConstraint(fields=["nation", "code"], name="one_standard_per_code")
        ]

    def __str__(self) -> str:
        return f"{self.get_nation_display()}: {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the page's language: the Welsh where there is one, else the English."""
        return self.name_cy if self.name_cy and reading_welsh() else self.name

    @property
    def local_description(self) -> str:
        """The description in the page's language, as `local_name`."""
        return self.description_cy if self.description_cy and reading_welsh() else self.description

    @property
    def clock_kinds(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(start kinds, end kinds), sorted: standards with the same pair run the same clock."""
        return tuple(sorted(self.start_kinds)), tuple(sorted(self.end_kinds))

    def running_start_events(self) -> QuerySet[TimelineEvent]:
        """This standard's clock rule (`appointments.clocks.clock_for`) in SQL, for a list of
        cases: correlated on the outer `Case` queryset's pk, the clock's start event while that
        clock still runs (none once it has stopped or before it starts). Use inside Exists or
        Subquery on cases, so a whole caseload is read in one query."""
        return _running_starts(*self.clock_kinds)

    def clean(self) -> None:
        kinds = set(TimelineEvent.Kind.values)
        for field_name in ("start_kinds", "end_kinds"):
            value = getattr(self, field_name)
            if not isinstance(value, list) or not value or not set(value) <= kinds:
                raise ValidationError(
                    {field_name: f"A list of timeline kinds from: {sorted(kinds)}."}
                )
        if self.warn_at_days > self.length_days:
            raise ValidationError({"warn_at_days": "Warn on or before the last day."})


@functools.cache
def _running_starts(
    start_kinds: tuple[str, ...], end_kinds: tuple[str, ...]
) -> QuerySet[TimelineEvent]:
    """The earliest event of a start kind, with no event of an end kind on or after its day.

    Self-contained (it refers to the outer case only), so using it never repeats another
    column's SQL inside its own. Cached: it is only ever used inside Exists and Subquery, which
    copy it, so the one built here is never evaluated or changed.
    """
    # Both inner lookups name the outer case directly (not just "this event's case"), so
    # PostgreSQL reads only that case's events by index instead of hashing the whole table.
    this_case = OuterRef(OuterRef("pk"))
    earlier_start = TimelineEvent.objects.filter(
        case=this_case, kind__in=start_kinds, occurred_at__lt=OuterRef("occurred_at")
    )
    stopped = TimelineEvent.objects.filter(
        case=this_case,
        kind__in=end_kinds,
        occurred_at__date__gte=TruncDate(
            ExpressionWrapper(OuterRef("occurred_at"), output_field=DateTimeField())
        ),
    )
    return (
        TimelineEvent.objects.filter(case=OuterRef("pk"), kind__in=start_kinds)
        .exclude(Exists(earlier_start))
        .exclude(Exists(stopped))
    )


class ItemKind(models.TextChoices):
    APPOINTMENT = "appointment", "Appointment"
    RESULT = "result", "Test or scan result"
    REFERRAL = "referral", "Referral to another provider"
    TREATMENT_SUMMARY = "treatment_summary", "Treatment summary to the GP"
    FOLLOW_UP = "follow_up", "Follow-up after discharge"
    CANCER_CARE_REVIEW = "cancer_care_review", "GP Cancer Care Review"
    ASSESSMENT_OFFER = "assessment_offer", "Needs assessment offer"
    CARE_PLAN_REVIEW = "care_plan_review", "Care plan review"
    CHECK_IN = "check_in", "Check-in"
    PLAN_ITEM = "plan_item", "Care plan action"


# The kinds that are appointments the person goes to (a start time, a place, reminders).
APPOINTMENT_KINDS = (ItemKind.APPOINTMENT, ItemKind.FOLLOW_UP)


class ItemState(models.TextChoices):
    TO_BE_BOOKED = "to_be_booked", "To be booked"
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    REQUESTED = "requested", "Requested"
    DONE = "done", "Done, report awaited"
    REPORTED = "reported", "Reported"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    DUE = "due", "Due"
    SENT_TO_GP = "sent_to_gp", "Sent to GP"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by GP"
    OFFERED = "offered", "Offered"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


S = ItemState


@dataclass(frozen=True)
class Workflow:
    """One kind's states: where it starts, where each state may go, which states close it.

    `windows`: entering the state restarts the wait, expecting the next step within N days.
    `first_chase_after_days`: days after `expected_by` before the item counts as overdue
    (0 for check-ins, which are due on the day).
    `patient_phrase`: how a nudge names the item to the patient, with no clinical detail (in
    English, marked for the catalogue: the message's template translates it).
    """

    initial: str
    transitions: Mapping[str, tuple[str, ...]]
    closed: frozenset[str]
    patient_phrase: str
    windows: dict[str, int] = field(default_factory=dict)
    first_chase_after_days: int = 1

    @property
    def states(self) -> list[str]:
        seen = dict.fromkeys([self.initial, *self.transitions])
        for targets in self.transitions.values():
            seen.update(dict.fromkeys(targets))
        return list(seen)

    def allowed_from(self, state: str) -> tuple[str, ...]:
        return self.transitions.get(state, ())

    def path(self, from_state: str, to_state: str) -> list[str] | None:
        """The fewest allowed moves from one state to another (the states entered, in order):
        [] when already there, None when the workflow allows no way."""
        paths: dict[str, list[str]] = {from_state: []}
        frontier = [from_state]
        while frontier:
            state = frontier.pop(0)
            if state == to_state:
                return paths[state]
            for target in self.allowed_from(state):
                if target not in paths:
                    paths[target] = [*paths[state], target]
                    frontier.append(target)
        return None


_Transitions = dict[str, tuple[str, ...]]

_BOOKING: _Transitions = {
    S.TO_BE_BOOKED: (S.BOOKED, S.CANCELLED),
    S.BOOKED: (S.ATTENDED, S.DID_NOT_ATTEND, S.CANCELLED, S.BOOKED),
    S.DID_NOT_ATTEND: (S.TO_BE_BOOKED,),
    S.CANCELLED: (S.TO_BE_BOOKED,),
}
_OFFER: _Transitions = {
    S.DUE: (S.OFFERED, S.COMPLETED, S.DECLINED, S.CANCELLED),
    S.OFFERED: (S.COMPLETED, S.DECLINED, S.CANCELLED),
}
_SIMPLE: _Transitions = {S.DUE: (S.COMPLETED, S.CANCELLED)}

WORKFLOWS: dict[str, Workflow] = {
    # Once booked, the wait is for the appointment itself: its day when known, else 4 weeks.
    ItemKind.APPOINTMENT: Workflow(
        S.TO_BE_BOOKED,
        _BOOKING,
        frozenset({S.ATTENDED, S.DID_NOT_ATTEND, S.CANCELLED}),
        gettext_noop("an appointment for you"),
        windows={S.BOOKED: 28},
    ),
    ItemKind.FOLLOW_UP: Workflow(
        S.TO_BE_BOOKED,
        _BOOKING,
        frozenset({S.ATTENDED, S.DID_NOT_ATTEND, S.CANCELLED}),
        gettext_noop("your follow-up appointment"),
        windows={S.BOOKED: 28},
    ),
    ItemKind.RESULT: Workflow(
        S.REQUESTED,
        {S.REQUESTED: (S.DONE, S.CANCELLED), S.DONE: (S.REPORTED, S.CANCELLED)},
        frozenset({S.REPORTED, S.CANCELLED}),
        gettext_noop("your test or scan result"),
        windows={S.DONE: 7},
    ),
    ItemKind.REFERRAL: Workflow(
        S.SENT,
        {
            S.SENT: (S.ACCEPTED, S.BOOKED, S.DECLINED, S.CANCELLED),
            S.ACCEPTED: (S.BOOKED, S.CANCELLED),
        },
        frozenset({S.BOOKED, S.DECLINED, S.CANCELLED}),
        gettext_noop("an appointment with another hospital"),
        windows={S.ACCEPTED: 7},
    ),
    ItemKind.TREATMENT_SUMMARY: Workflow(
        S.DUE,
        {S.DUE: (S.SENT_TO_GP, S.CANCELLED), S.SENT_TO_GP: (S.ACKNOWLEDGED, S.CANCELLED)},
        frozenset({S.ACKNOWLEDGED, S.CANCELLED}),
        gettext_noop("your treatment summary"),
        windows={S.SENT_TO_GP: 14},
    ),
    ItemKind.CANCER_CARE_REVIEW: Workflow(
        S.DUE,
        _OFFER,
        frozenset({S.COMPLETED, S.DECLINED, S.CANCELLED}),
        gettext_noop("a review with your GP"),
        windows={S.OFFERED: 60},
    ),
    ItemKind.ASSESSMENT_OFFER: Workflow(
        S.DUE,
        _OFFER,
        frozenset({S.COMPLETED, S.DECLINED, S.CANCELLED}),
        gettext_noop("a chat about your needs"),
        windows={S.OFFERED: 14},
    ),
    ItemKind.CARE_PLAN_REVIEW: Workflow(
        S.DUE,
        _SIMPLE,
        frozenset({S.COMPLETED, S.CANCELLED}),
        gettext_noop("a review of your care plan"),
    ),
    ItemKind.CHECK_IN: Workflow(
        S.DUE,
        _SIMPLE,
        frozenset({S.COMPLETED, S.CANCELLED}),
        gettext_noop("a check-in with you"),
        first_chase_after_days=0,
    ),
    ItemKind.PLAN_ITEM: Workflow(
        S.DUE,
        _SIMPLE,
        frozenset({S.COMPLETED, S.CANCELLED}),
        gettext_noop("something in your care plan"),
    ),
}


class Nudge(models.TextChoices):
    """Whom a chase nudges."""

    PATIENT = "patient", "The patient"
    PROVIDER = "provider", "The responsible provider"
    GP_PRACTICE = "gp_practice", "The patient's GP practice"


class Responsible(models.TextChoices):
    """Who a rule makes responsible for the items it creates."""

    TREATING_PROVIDER = "treating_provider", "The case's treating provider"
    GP_PRACTICE = "gp_practice", "The patient's GP practice"
    NAVIGATOR = "navigator", "The case's navigator"


class FollowUpRule(models.Model):
    """When a timeline event of `trigger` is recorded, expect `item_kind` within `offset_days`.

    Rows, not code (loaded by migration 0004, tunable in the admin). Rules:
    - the item's expected-by date is the event's day plus `offset_days`;
    - `nudges` lists whom the chase nudges (`Nudge` values) once the item is overdue;
    - `patient_message` and `professional_message` are message kinds, whose text lives in
      templates/sms/<kind>.txt and templates/emails/<kind>-*.txt|html (no clinical detail);
    - an inactive rule creates nothing; one event creates at most one item per rule.
    """

    code = models.SlugField(max_length=60, unique=True)
    trigger = models.CharField(max_length=20, choices=TimelineEvent.Kind.choices)
    item_kind = models.CharField(max_length=30, choices=ItemKind.choices)
    item_state = models.CharField(
        max_length=20, blank=True, help_text="The state the item starts in; blank for the usual."
    )
    title = models.CharField(
        max_length=200, help_text="What the patient sees: plain words, no clinical detail."
    )
    offset_days = models.PositiveSmallIntegerField()
    responsible = models.CharField(
        max_length=20, choices=Responsible.choices, default=Responsible.TREATING_PROVIDER
    )
    nudges = models.JSONField(default=list, blank=True, help_text="Whom to nudge: Nudge values.")
    patient_message = models.CharField(max_length=60, default="chase_patient", blank=True)
    professional_message = models.CharField(max_length=60, default="chase_provider", blank=True)
    chase_every_days = models.PositiveSmallIntegerField(default=CHASE_EVERY_DAYS)
    escalate_after_days = models.PositiveSmallIntegerField(default=ESCALATE_AFTER_DAYS)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["trigger", "offset_days", "code"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} → {self.title} within {self.offset_days} days"

    def clean(self) -> None:
        if not isinstance(self.nudges, list) or not set(self.nudges) <= set(Nudge.values):
            raise ValidationError({"nudges": f"A list from: {Nudge.values}."})
        workflow = WORKFLOWS.get(self.item_kind)
        if workflow and self.item_state and self.item_state not in workflow.states:
            raise ValidationError({"item_state": f"One of: {workflow.states}."})


class TeamFollowUpOffset(models.Model):
    """One team's own offset for a follow-up rule (e.g. its check-in after discharge comes 5
    days later rather than the rule's 3): a team setting, edited in the admin beside the rule.
    """

    rule = models.ForeignKey(FollowUpRule, on_delete=models.CASCADE, related_name="team_offsets")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="follow_up_offsets")
    offset_days = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "team"], name="one_offset_per_rule_and_team")
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.rule.code} within {self.offset_days} days"


class TrackedItemQuerySet(models.QuerySet["TrackedItem"]):
    """The rules that pick tracked items, each spelled once: pages and jobs call these."""

    def open(self) -> "TrackedItemQuerySet":
        """Not yet in one of its kind's closed states (`TrackedItem.is_open`)."""
        return self.filter(closed_at__isnull=True)

    def overdue(self, *, today: dt.date) -> "TrackedItemQuerySet":
        """Open and past its expected-by date (`TrackedItem.days_overdue` above 0): the chase
        is, or soon will be, on it."""
        return self.open().filter(expected_by__lt=today)

    def chase_due(self, *, today: dt.date) -> "TrackedItemQuerySet":
        """Open with its chase date come: what the chase job works on. The condition of the
        partial index `tracked_open_chase_due`, so the scan reads only those items."""
        return self.open().filter(next_chase_on__lte=today)

    def booked_appointments(self) -> "TrackedItemQuerySet":
        """Appointments (`APPOINTMENT_KINDS`) in the booked state, still open: the ones the
        person is expected at, reminded of, and may confirm or ask to change."""
        return self.open().filter(kind__in=APPOINTMENT_KINDS, state=ItemState.BOOKED)


class TrackedItem(models.Model):
    """Something the patient is waiting for, expected by a date, chased when it is late.

    Rules:
    - `state` moves only along its kind's workflow (`WORKFLOWS`), through
      `tracked_item_transition`, which records each move as a `TrackedItemTransition`;
    - `closed_at` is set on reaching a closed state; a closed item is never chased;
    - `next_chase_on` is when the chase job next looks at it (an open item is overdue once
      that day comes); the job moves it on in the same transaction as the messages it sends;
    - `title` is shown to the patient: plain words, no clinical detail;
    - (`source_system`, `external_id`) identifies an item imported from a hospital system;
    - `version` goes up with every change, so a stale form cannot overwrite a newer state.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tracked_items")
    kind = models.CharField(max_length=30, choices=ItemKind.choices)
    state = models.CharField(max_length=20, choices=ItemState.choices)
    title = models.CharField(max_length=200)
    expected_by = models.DateField()
    responsible_provider = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Appointments only.
    starts_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    what_to_bring = models.CharField(max_length=300, blank=True)
    # Imported items: the hospital system's identifier.
    external_id = models.CharField(max_length=100, blank=True)
    source_system = models.CharField(max_length=60, blank=True)
    # Items made by a rule: which, from which event (one item per rule per event).
    rule = models.ForeignKey(
        FollowUpRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_chase_on = models.DateField(null=True, blank=True)
    chase_count = models.PositiveIntegerField(default=0)
    last_chased_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = TrackedItemQuerySet.as_manager()

    class Meta:
        ordering = ["expected_by", "created_at"]
        indexes = [
            models.Index(fields=["case", "expected_by"], name="tracked_case_expected"),
            # The chase job's scan: only open items with a chase date, so it stays as small as
            # the overdue work however many closed items pile up.
            models.Index(
                fields=["next_chase_on"],
                condition=Q(closed_at__isnull=True, next_chase_on__isnull=False),
                name="tracked_open_chase_due",
            ),
            # A case's open items by date (overdue, waiting, open counts): pages read a case's
            # few open items without its closed history, which grows with every year of care.
            models.Index(
                fields=["case", "expected_by"],
                condition=Q(closed_at__isnull=True),
                name="tracked_open_case_expected",
            ),
            # A case's next booked appointment (the worklist's column, the patient's "coming up").
            models.Index(
                fields=["case", "starts_at"],
                condition=Q(state="booked", closed_at__isnull=True),
                name="tracked_booked_case_starts",
            ),
            # The reminders job's scan: booked, open appointments by start time.
            models.Index(
                fields=["starts_at"],
                condition=Q(state="booked", closed_at__isnull=True, starts_at__isnull=False),
                name="tracked_booked_starts",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_id"],
                condition=~Q(external_id=""),
                name="one_item_per_external_id",
            ),
            models.UniqueConstraint(
                fields=["rule", "source_event"],
                condition=Q(rule__isnull=False, source_event__isnull=False),
                name="one_item_per_rule_and_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"

    @property
    def reference(self) -> str:
        """How chase emails name the item to a provider (no patient details), and how the
        navigator finds it when the provider quotes it back: the first part of its id."""
        return str(self.id).split("-")[0].upper()

    @property
    def workflow(self) -> Workflow:
        return WORKFLOWS[self.kind]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def allowed_states(self) -> tuple[str, ...]:
        return self.workflow.allowed_from(self.state)

    def days_overdue(self, today: dt.date | None = None) -> int:
        """Whole days past `expected_by` (0 when not yet due or closed)."""
        if not self.is_open:
            return 0
        return max(((today or timezone.localdate()) - self.expected_by).days, 0)


class TrackedItemTransition(models.Model):
    """One move of a tracked item from one state to another: who, when, and why."""

    item = models.ForeignKey(TrackedItem, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} → {self.to_state}"

    @property
    def from_label(self) -> str:
        return ItemState(self.from_state).label if self.from_state else "New"

    @property
    def to_label(self) -> str:
        return ItemState(self.to_state).label


class ChaseTaskQuerySet(models.QuerySet["ChaseTask"]):
    def open(self) -> "ChaseTaskQuerySet":
        """Still on the navigator's worklist: nobody has recorded the chase yet."""
        return self.filter(status=ChaseTask.Status.OPEN)

    def escalated(self) -> "ChaseTaskQuerySet":
        """Open tasks whose item is so late the chase passed it to the team lead
        (`escalated_to`), and nobody has recorded a chase since."""
        return self.open().filter(escalated_at__isnull=False)


class ChaseTask(models.Model):
    """The navigator's worklist entry for one overdue item: open until someone records a chase.

    Rules:
    - at most one open task per item; the chase job reopens work by creating a new task when
      the item is still open at its next chase date;
    - `escalated_to` is the team lead, set when the item is `escalate_after_days` late;
    - closing the item closes its open task.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(TrackedItem, on_delete=models.CASCADE, related_name="chase_tasks")
    # No index of their own on the two user columns: the queue's "only mine" reads the partial
    # index chasetask_open_assigned, nothing else filters on them, and users are never deleted.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    chase_round = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField(default=timezone.now)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set by the chase when it could not reach someone it should have (no email address):
    # the task is then to contact them another way, and the queue says so.
    contact_problem = models.CharField(max_length=300, blank=True)

    objects = ChaseTaskQuerySet.as_manager()

    class Meta:
        ordering = ["opened_at"]
        indexes = [
            models.Index(
                fields=["assigned_to", "opened_at"],
                condition=Q(status="open"),
                name="chasetask_open_assigned",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="open"), name="one_open_task_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"Chase {self.item} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ChaseDigest(models.Model):
    """One chase batch's nudges to one organisation, waiting for the run's one email to it.

    Rules:
    - written in the batch's transaction, with the items' new chase dates, so a run that dies
      after a batch loses none of it: the next run sends what is left;
    - at the end of a run every unsent digest to the same organisation (and message kind and
      team phone) goes as one email listing all the references (`message` is then set);
    - `items` holds each nudge's `what`, `reference` and `expected_by` (ISO date); `context`
      what the nudges share; `subject_ids` the patients they are about, at most two (two
      already mean the email is about no one patient).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    context = models.JSONField(default=dict)
    items = models.JSONField(default=list)
    subject_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="chasedigest_unsent"
            )
        ]

    def __str__(self) -> str:
        return f"{len(self.items)} references for {self.organisation}"


class ChaseRecord(models.Model):
    """One chase of an item: by the job (`by` empty) or a person, with the outcome and next date."""

    item = models.ForeignKey(TrackedItem, on_delete=models.CASCADE, related_name="chase_records")
    task = models.ForeignKey(
        ChaseTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    chase_round = models.PositiveIntegerField(default=0)
    chased_at = models.DateTimeField(default=timezone.now)
    # Not indexed: nothing filters on who chased (the job's records are found through the
    # partial unique index below), and users are never deleted.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    outcome = models.CharField(max_length=500)
    next_chase_on = models.DateField(null=True, blank=True)
    messages_sent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["chased_at", "id"]
        constraints = [
            # The job's record of a round is written once, however often the job runs.
            models.UniqueConstraint(
                fields=["item", "chase_round"],
                condition=Q(by__isnull=True),
                name="one_automatic_chase_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.chased_at:%d %b %Y}: {self.outcome}"


class ReceivedResource(models.Model):
    """One FHIR resource a provider's system sent us (`POST /fhir/`), by the sender's identifier.

    Rules:
    - a sender's identifier (system and value) is scoped to the sending organisation and the
      resource type: another organisation's same identifier is another resource;
    - it names what it became for good: the tracked item it created or updates, the document
      it kept, and the case;
    - `content_hash` is the SHA-256 of the resource as last applied: the same resource sent
      again changes nothing (`appointments.fhir_inbound`).
    """

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    resource_type = models.CharField(max_length=40)
    system = models.CharField(max_length=255)
    value = models.CharField(max_length=255)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(
        TrackedItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The file a DocumentReference sent, kept with the case.
    document = models.ForeignKey(
        CaseDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_hash = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "resource_type", "system", "value"],
                name="one_received_resource_per_identifier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.system}|{self.value} from {self.organisation_id}"
