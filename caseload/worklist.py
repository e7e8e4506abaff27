"""The navigator's worklist: a caseload as one queryset, the people most in need of action first.

Every column is an annotation on the `Case` queryset (subqueries and EXISTS, never a query per
row), so a page costs the same number of queries whatever the caseload:

- the pathway stage: the latest pathway event on the timeline;
- the pathway clocks: for each waiting-time standard, its start while it runs, from the
  standard's own rule in SQL (`PathwayStandard.running_start_events`, the same rule as
  `appointments.clocks.clock_for`), so the whole caseload can be filtered and sorted on "a
  clock near its limit";
- the latest distress score, an open urgent flag, the last contact (timeline or message);
- tracked items: open, overdue, the next appointment; and open chase tasks.

The worklist gathers from every app below the top layer (patients' cases and timeline,
appointments' standards and tracked items, careplans' flags and assessments), so it lives in
`caseload`, which imports them all and which nothing imports. Each rule it reads from them is theirs, called as a queryset method (`TrackedItem.objects
.overdue()`, `CaseFlag.objects.open_urgent()`, ...), never spelled here.

Rows only ever come from cases `patients.rules` lets the user see (`case_access_test`): the
scope (mine, or the teams I lead) and the filters narrow that set, never widen it.
"""

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models import Case as Conditional
from django.db.models import When as ConditionalWhen
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import IsNull
from django.utils import timezone

from appointments.models import ChaseTask, PathwayStandard, TrackedItem
from careplans.models import Assessment, CaseFlag
from navigator.accounts.models import User
from navigator.organisations.models import Membership
from navigator.time import local_midnight
from patients.models import CareTeamMember, Case, CaseMessage, Patient, TimelineEvent
from patients.rules import case_access_test

# No timeline event or message for this long flags the person: nobody has been in touch.
NO_CONTACT_DAYS = 14
# Stands in for "no running clock" when sorting by the clock due soonest.
_FAR_FUTURE = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


class Scope(StrEnum):
    MINE = "mine"  # cases I navigate or am on the care team of
    TEAM = "team"  # every case of the teams I lead


class Flag(StrEnum):
    """Filters by what needs doing; their order is the order the page lists them in."""

    URGENT = "urgent"
    OVERDUE = "overdue"
    CLOCK = "clock"
    INTERPRETER = "interpreter"
    NO_CONTACT = "no_contact"


FLAG_LABELS = {
    Flag.URGENT: "Urgent distress",
    Flag.OVERDUE: "Overdue items",
    Flag.CLOCK: "Clock near its limit",
    Flag.INTERPRETER: "Needs an interpreter",
    Flag.NO_CONTACT: f"No contact for {NO_CONTACT_DAYS} days",
}


# The live counts above the list: "3 with urgent distress".
COUNT_LABELS = {
    Flag.URGENT: "with urgent distress",
    Flag.OVERDUE: "with overdue items",
    Flag.CLOCK: "with a clock near its limit",
    Flag.INTERPRETER: "needing an interpreter",
    Flag.NO_CONTACT: f"with no contact for {NO_CONTACT_DAYS} days",
}


class Stage(StrEnum):
    """Where the person is on the pathway, from the latest pathway event on their timeline."""

    NOT_RECORDED = "none"
    REFERRED = "referred"
    DIAGNOSED = "diagnosed"
    TREATMENT_PLANNED = "planned"
    IN_TREATMENT = "treatment"
    TREATMENT_ENDED = "ended"


STAGE_LABELS = {
    Stage.NOT_RECORDED: "Not recorded",
    Stage.REFERRED: "Referred",
    Stage.DIAGNOSED: "Diagnosed",
    Stage.TREATMENT_PLANNED: "Treatment planned",
    Stage.IN_TREATMENT: "In treatment",
    Stage.TREATMENT_ENDED: "Treatment ended",
}
_K = TimelineEvent.Kind
STAGE_KINDS: dict[Stage, tuple[str, ...]] = {
    Stage.REFERRED: (_K.REFERRAL, _K.URGENT_REFERRAL),
    Stage.DIAGNOSED: (_K.DIAGNOSIS,),
    Stage.TREATMENT_PLANNED: (_K.DECISION_TO_TREAT,),
    Stage.IN_TREATMENT: (_K.FIRST_TREATMENT,),
    Stage.TREATMENT_ENDED: (_K.END_OF_TREATMENT,),
}
_STAGE_OF_KIND = {kind: stage for stage, kinds in STAGE_KINDS.items() for kind in kinds}


class Sort(StrEnum):
    NEED = "need"  # the default: most in need of action first
    NAME = "name"
    CLOCK = "clock"  # the running clock due soonest first
    DISTRESS = "distress"  # highest latest distress score first
    OVERDUE = "overdue"  # most overdue items first
    APPOINTMENT = "appointment"  # next appointment soonest first
    CONTACT = "contact"  # longest without contact first


SORT_LABELS = {
    Sort.NEED: "Most in need of action",
    Sort.NAME: "Name",
    Sort.CLOCK: "Clock due soonest",
    Sort.DISTRESS: "Highest distress score",
    Sort.OVERDUE: "Most overdue items",
    Sort.APPOINTMENT: "Next appointment",
    Sort.CONTACT: "Longest without contact",
}


@dataclass(frozen=True)
class WorklistFilters:
    scope: Scope = Scope.MINE
    flag: Flag | None = None
    stage: Stage | None = None
    search: str = ""
    sort: Sort = Sort.NEED


@dataclass(frozen=True)
class RowClock:
    """One running clock on a row, as the worklist shows it."""

    code: str
    name: str
    days_elapsed: int
    length_days: int
    near_limit: bool

    @property
    def days_over(self) -> int:
        return max(self.days_elapsed - self.length_days, 0)

    @property
    def days_left(self) -> int:
        return max(self.length_days - self.days_elapsed, 0)


@dataclass(frozen=True)
class WorklistCounts:
    """Live counts across the whole scope (not just the page), and how many match the filters."""

    total: int
    matching: int
    by_flag: dict[Flag, int] = field(default_factory=dict)

    def items(self) -> list[tuple[Flag, str, int]]:
        return [(flag, COUNT_LABELS[flag], self.by_flag.get(flag, 0)) for flag in Flag]


@dataclass(frozen=True)
class _ClockPlan:
    """One standard, and the annotation holding its clock's start while that clock runs."""

    standard: PathwayStandard
    running_start: str


def _count(rows: QuerySet[Any], *, group_by: str = "case") -> Coalesce:
    """How many of `rows` (a queryset correlated on the outer case), as a scalar subquery."""
    counted = rows.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class Worklist:
    """One user's worklist under one set of filters.

    `cases` is the scope with every column annotated, filtered and ordered for the page;
    `counts()` aggregates over the scope with only the columns the counts need. No column's SQL
    refers to another column, so none is computed twice. Building it runs one query (the
    pathway standards).
    """

    def __init__(
        self, *, user: User, filters: WorklistFilters, now: dt.datetime | None = None
    ) -> None:
        self.user = user
        self.filters = filters
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        standards = list(PathwayStandard.objects.all())
        self._clocks, self._running = self._plan_clocks(standards)
        # Annotating resolves each column's SQL; the page and the counts share this one copy.
        self._needs = self._scoped(user, filters.scope).annotate(**self._need_columns())
        cases = self._needs.select_related("patient", "navigator").annotate(
            **self._display_columns()
        )
        self.cases = self._order(cases.filter(self._filter_q()))

    # Scope -------------------------------------------------------------------------------

    @staticmethod
    def _scoped(user: User, scope: Scope) -> QuerySet[Case]:
        """The scope's case ids come from indexed lookups (a UNION, not an OR), so the database
        starts from the caseload, not from every case it holds; the access rules then test
        each of those cases (`case_access_test`), rather than listing every case the user may
        see (all of their teams') to intersect with."""
        if scope == Scope.TEAM:
            led = Membership.objects.filter(user=user, is_lead=True).values("team")
            ids = Case.objects.filter(team__in=led).order_by().values("pk")
        else:
            ids = (
                Case.objects.filter(navigator=user)
                .order_by()
                .values("pk")
                .union(CareTeamMember.objects.filter(user=user).order_by().values("case_id"))
            )
        return Case.objects.filter(pk__in=ids, status=Case.Status.OPEN).filter(
            case_access_test(user)
        )

    # Columns -----------------------------------------------------------------------------

    @staticmethod
    def _plan_clocks(
        standards: list[PathwayStandard],
    ) -> tuple[list[_ClockPlan], dict[str, QuerySet]]:
        """One running-start column per distinct (start kinds, end kinds), shared by nations."""
        running: dict[str, QuerySet] = {}
        names: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
        plans = []
        for standard in standards:
            key = standard.clock_kinds
            if key not in names:
                names[key] = f"wl_clock_{len(names)}"
                running[names[key]] = standard.running_start_events()
            plans.append(_ClockPlan(standard=standard, running_start=names[key]))
        return plans, running

    def _need_columns(self) -> dict[str, Any]:
        """What the default order, the flag filters and the counts need, over the whole scope."""
        events = TimelineEvent.objects.filter(case=OuterRef("pk"))
        latest_message = CaseMessage.objects.filter(case=OuterRef("pk")).order_by("-created_at")
        flags = CaseFlag.objects.open_urgent().filter(case=OuterRef("pk"))
        overdue = TrackedItem.objects.overdue(today=self.today).filter(case=OuterRef("pk"))
        stage_kinds = [kind for kinds in STAGE_KINDS.values() for kind in kinds]
        return {
            "wl_urgent": Exists(flags),
            "wl_overdue": _count(overdue),
            "wl_clock_alert": self._clock_alert(),
            "wl_last_contact": Greatest(
                Coalesce(
                    Subquery(events.order_by("-occurred_at").values("occurred_at")[:1]),
                    F("opened_at"),
                ),
                Coalesce(Subquery(latest_message.values("created_at")[:1]), F("opened_at")),
            ),
            "wl_stage_kind": Subquery(
                events.filter(kind__in=stage_kinds)
                .order_by("-occurred_at", "-recorded_at")
                .values("kind")[:1]
            ),
        }

    def _clock_alert(self) -> ExpressionWrapper | Value:
        """A running clock that has reached its standard's warning day (or passed its limit)."""
        if not self._clocks:
            # No standards, no clocks. An empty condition would compile to an integer on
            # PostgreSQL, which a COUNT's FILTER refuses.
            return Value(False, output_field=BooleanField())
        nations_by_check: dict[tuple[str, int], list[str]] = {}
        for plan in self._clocks:
            key = (plan.running_start, plan.standard.warn_at_days)
            nations_by_check.setdefault(key, []).append(plan.standard.nation)
        near = Q(pk__in=[])
        for (name, warn_at_days), nations in nations_by_check.items():
            # Started before the day after (today - warn_at_days): the warning day has come.
            warn_from = local_midnight(self.today - dt.timedelta(days=warn_at_days - 1))
            # A scalar subquery, not EXISTS: inside an OR, PostgreSQL may turn an EXISTS into a
            # hash of every case's events; a LIMIT 1 subquery is always run per row, by index.
            started_early = self._running[name].filter(occurred_at__lt=warn_from)
            # Unordered: whether there is one, not which, so no sort a row.
            first = Subquery(started_early.order_by().values("occurred_at")[:1])
            near |= Q(patient__nation__in=nations) & Q(IsNull(first, False))
        return ExpressionWrapper(near, output_field=BooleanField())

    def _display_columns(self) -> dict[str, Any]:
        """What only the rows on the page show."""
        assessments = Assessment.objects.filter(case=OuterRef("pk"), submitted_at__isnull=False)
        open_items = TrackedItem.objects.open().filter(case=OuterRef("pk"))
        open_tasks = ChaseTask.objects.open().filter(item__case=OuterRef("pk"))
        appointments = TrackedItem.objects.booked_appointments()
        columns: dict[str, Any] = {
            name: Subquery(running.order_by("occurred_at").values("occurred_at")[:1])
            for name, running in self._running.items()
        }
        columns.update(
            wl_distress=Subquery(
                assessments.order_by("-submitted_at").values("distress_score")[:1],
                output_field=IntegerField(),
            ),
            # Handed to the team lead and still waiting: an urgent flag or a chase.
            wl_escalated=ExpressionWrapper(
                Q(Exists(CaseFlag.objects.escalated().filter(case=OuterRef("pk"))))
                | Q(Exists(ChaseTask.objects.escalated().filter(item__case=OuterRef("pk")))),
                output_field=BooleanField(),
            ),
            wl_open_items=_count(open_items),
            wl_open_tasks=_count(open_tasks, group_by="item__case"),
            wl_next_appointment=Subquery(
                appointments.filter(case=OuterRef("pk"), starts_at__gte=self.now)
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
        )
        return columns

    def _clock_due(self) -> Any:
        """When the running clock due soonest reaches its limit, for sorting by clock."""
        due = [
            Conditional(
                ConditionalWhen(
                    Q(patient__nation=plan.standard.nation)
                    & Q(**{f"{plan.running_start}__isnull": False}),
                    then=ExpressionWrapper(
                        F(plan.running_start) + Value(dt.timedelta(days=plan.standard.length_days)),
                        output_field=DateTimeField(),
                    ),
                ),
                default=Value(_FAR_FUTURE),
                output_field=DateTimeField(),
            )
            for plan in self._clocks
        ]
        if not due:
            return Value(_FAR_FUTURE)
        return Least(*due) if len(due) > 1 else due[0]

    # Filters and order -------------------------------------------------------------------

    def flag_q(self, flag: Flag) -> Q:
        if flag == Flag.URGENT:
            return Q(wl_urgent=True)
        if flag == Flag.OVERDUE:
            return Q(wl_overdue__gt=0)
        if flag == Flag.CLOCK:
            return Q(wl_clock_alert=True)
        if flag == Flag.INTERPRETER:
            return Q(patient__needs_interpreter=True)
        return Q(wl_last_contact__lt=self.now - dt.timedelta(days=NO_CONTACT_DAYS))

    def _filter_q(self) -> Q:
        q = Q()
        filters = self.filters
        if filters.flag:
            q &= self.flag_q(filters.flag)
        if filters.stage == Stage.NOT_RECORDED:
            q &= Q(wl_stage_kind__isnull=True)
        elif filters.stage:
            q &= Q(wl_stage_kind__in=STAGE_KINDS[filters.stage])
        search = filters.search.strip()
        if search:
            digits = "".join(search.split())
            if digits.isdigit():
                q &= Q(patient__nhs_number__contains=digits)
            else:
                for word in search.split():
                    q &= Q(patient__given_name__icontains=word) | Q(
                        patient__family_name__icontains=word
                    )
        return q

    def _order(self, cases: Any) -> QuerySet[Case]:
        by_name = ("patient__family_name", "patient__given_name", "pk")
        sort = self.filters.sort
        if sort == Sort.NAME:
            return cases.order_by(*by_name)
        if sort == Sort.CLOCK:
            return cases.alias(wl_clock_due=self._clock_due()).order_by("wl_clock_due", *by_name)
        if sort == Sort.DISTRESS:
            return cases.order_by(F("wl_distress").desc(nulls_last=True), *by_name)
        if sort == Sort.OVERDUE:
            return cases.order_by("-wl_overdue", *by_name)
        if sort == Sort.APPOINTMENT:
            return cases.order_by(F("wl_next_appointment").asc(nulls_last=True), *by_name)
        if sort == Sort.CONTACT:
            return cases.order_by("wl_last_contact", *by_name)
        # Urgent distress, then overdue items (most first), then a clock near its limit, then
        # the longest without contact: the order a navigator works down the list in.
        return cases.order_by(
            F("wl_urgent").desc(),
            F("wl_overdue").desc(),
            F("wl_clock_alert").desc(),
            "wl_last_contact",
            *by_name,
        )

    # Reading -----------------------------------------------------------------------------

    def page(self, number: Any, per_page: int) -> tuple[WorklistCounts, Page]:
        """The counts and one page of the cases (`Paginator.get_page`'s page for `number`).

        With no filter every case in scope is a row of the page's query until its LIMIT, so
        the counts come with the page, as window aggregates over those rows: one pass over
        the caseload instead of two. A filter narrows the rows, while the counts are over the
        whole scope: then they are their own query first, as they are for an odd page number
        (not a whole number from 1, or past the last page), which the paginator settles."""
        first = _page_number(number)
        if first is not None and not self._filter_q():
            windows = {
                "wl_n_total": Window(Count("pk")),
                **{f"wl_n_{flag}": Window(Count("pk", filter=self.flag_q(flag))) for flag in Flag},
            }
            start = (first - 1) * per_page
            cases = list(self.cases.annotate(**windows)[start : start + per_page])
            if cases or first == 1:
                top: Any = cases[0] if cases else None
                total = top.wl_n_total if top else 0
                counts = WorklistCounts(
                    total=total,
                    matching=total,
                    by_flag={flag: getattr(top, f"wl_n_{flag}") if top else 0 for flag in Flag},
                )
                page = CountedPaginator(self.cases, per_page, count=total).page(first)
                page.object_list = cases
                return counts, page
        counts = self.counts()
        paginator = CountedPaginator(self.cases, per_page, count=counts.matching)
        return counts, paginator.get_page(number)

    def counts(self) -> WorklistCounts:
        """The live counts: one aggregate query over the scope."""
        # Over selected columns, Django aggregates from a subquery and names each column once.
        totals = self._needs.aggregate(
            total=Count("pk"),
            matching=Count("pk", filter=self._filter_q()),
            **{f"flag_{flag}": Count("pk", filter=self.flag_q(flag)) for flag in Flag},
        )
        return WorklistCounts(
            total=totals["total"],
            matching=totals["matching"],
            by_flag={flag: totals[f"flag_{flag}"] for flag in Flag},
        )

    def rows(self, cases: list[Case]) -> list["WorklistRow"]:
        return [self._row(case) for case in cases]

    def _row(self, case: Any) -> "WorklistRow":
        clocks = []
        for plan in self._clocks:
            standard = plan.standard
            started = getattr(case, plan.running_start)
            if standard.nation != case.patient.nation or started is None:
                continue
            days = (self.today - timezone.localdate(started)).days
            clocks.append(
                RowClock(
                    code=standard.code,
                    name=standard.name,
                    days_elapsed=days,
                    length_days=standard.length_days,
                    near_limit=days >= standard.warn_at_days,
                )
            )
        stage = _STAGE_OF_KIND.get(case.wl_stage_kind, Stage.NOT_RECORDED)
        no_contact_for = (self.today - timezone.localdate(case.wl_last_contact)).days
        flags = []
        if case.wl_urgent:
            flags.append(Flag.URGENT)
        if case.wl_overdue:
            flags.append(Flag.OVERDUE)
        if case.wl_clock_alert:
            flags.append(Flag.CLOCK)
        if case.patient.needs_interpreter:
            flags.append(Flag.INTERPRETER)
        if case.wl_last_contact < self.now - dt.timedelta(days=NO_CONTACT_DAYS):
            flags.append(Flag.NO_CONTACT)
        return WorklistRow(
            case=case,
            patient=case.patient,
            stage=stage,
            stage_label=STAGE_LABELS[stage],
            clocks=clocks,
            distress=case.wl_distress,
            open_items=case.wl_open_items,
            overdue=case.wl_overdue,
            open_tasks=case.wl_open_tasks,
            next_appointment=case.wl_next_appointment,
            last_contact=case.wl_last_contact,
            days_since_contact=no_contact_for,
            flags=flags,
            escalated=case.wl_escalated,
        )


def _page_number(number: Any) -> int | None:
    """A page number as the paginator reads it when it is a whole number from 1 (absent is
    1); None for anything it would settle itself (text, 0 or less)."""
    if number in (None, ""):
        return 1
    try:
        value = int(number)
    except (TypeError, ValueError):
        return None
    return value if value >= 1 else None


class CountedPaginator(Paginator):
    """A paginator told its count: the counts query has already worked it out."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


@dataclass(frozen=True)
class WorklistRow:
    case: Case
    patient: Patient
    stage: Stage
    stage_label: str
    clocks: list[RowClock]
    distress: int | None
    open_items: int
    overdue: int
    open_tasks: int
    next_appointment: dt.datetime | None
    last_contact: dt.datetime
    days_since_contact: int
    flags: list[Flag]
    escalated: bool = False

    @property
    def flag_labels(self) -> list[tuple[Flag, str]]:
        return [(flag, FLAG_LABELS[flag]) for flag in self.flags]


def user_leads_a_team(user: User) -> bool:
    return Membership.objects.filter(user=user, is_lead=True).exists()


@dataclass(frozen=True)
class Escalation:
    """One thing handed to the team lead because nobody acted in time: an urgent flag nobody
    picked up, or a chase so late it was escalated. `meant_to_act` is who should have acted
    (the named navigator, or whoever the chase task was for) and `waiting_since` when it first
    needed them."""

    case: Case
    what: str
    meant_to_act: User | None
    waiting_since: dt.datetime | dt.date
    escalated_at: dt.datetime
    flag: CaseFlag | None = None
    task: ChaseTask | None = None


def escalations_for_lead(*, user: User) -> list[Escalation]:
    """What has been escalated in the teams this user leads and is still waiting for someone:
    urgent flags first, then chases, each oldest escalation first. Two queries, whatever the
    caseload; the cases are the lead's team scope (`Scope.TEAM`), so never more than they see."""
    cases = Worklist._scoped(user, Scope.TEAM)
    flags = (
        CaseFlag.objects.escalated()
        .filter(case__in=cases)
        .select_related("case__patient", "case__navigator")
        .order_by("escalated_at", "raised_at")
    )
    tasks = (
        ChaseTask.objects.escalated()
        .filter(item__case__in=cases)
        .select_related("item__case__patient", "item__case__navigator", "assigned_to")
        .order_by("escalated_at", "opened_at")
    )
    found = [
        Escalation(
            case=flag.case,
            what=flag.get_kind_display(),
            meant_to_act=flag.case.navigator,
            waiting_since=flag.raised_at,
            escalated_at=flag.escalated_at,  # type: ignore[arg-type]
            flag=flag,
        )
        for flag in flags
    ]
    found += [
        Escalation(
            case=task.item.case,
            what=f"Overdue: {task.item.title}",
            meant_to_act=task.assigned_to or task.item.case.navigator,
            waiting_since=task.item.expected_by,
            escalated_at=task.escalated_at,  # type: ignore[arg-type]
            task=task,
        )
        for task in tasks
    ]
    return found
