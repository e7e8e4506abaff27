"""Every insight table: what it counts, from which records, in plain English.

A `CountFigure` counts records by row (offers by point of pathway, items by owner ...); a
`DistributionFigure` gives the median and quartiles of a number of days, read from a histogram
(one row per number of days, counted in SQL), never from one patient's record at a time.
`build` returns the table before suppression; `insight.suppression.suppress` hides what must
not be seen, and every page, chart and CSV reads only the suppressed table.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as Cases
from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from appointments.models import ChaseRecord, ItemKind, PathwayStandard, TrackedItem
from appointments.services.chase_nudges import (
    ESCALATION_MESSAGE,
    PATIENT_MESSAGE,
    PROFESSIONAL_MESSAGE,
)
from careplans.models import (
    Answer,
    Assessment,
    AssessmentOffer,
    CarePlan,
    CaseFlag,
    FeedbackAnswer,
    OwnerKind,
    PlanItem,
    Signpost,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)
from careplans.services.surveys import SURVEY_FOR_MOMENT
from careplans.survey_data import SURVEYS
from insight.filters import Filters
from insight.queries import DaysBetween, Key, Source, grouped, quantile, siblings_from
from insight.tables import Column, Kind, Row, Table
from navigator.messaging.models import OutboundMessage
from patients.models import Case, Nation, TimelineEvent

OTHER = "other"


@dataclass(frozen=True)
class CountFigure:
    """Counts of records by row. `rows` fixes the rows and their order; without it the rows are
    the values found (a provider, a service), biggest first, at most `limit` of them."""

    slug: str
    title: str
    definition: str
    source: Source
    row: Callable[[], Any]
    columns: tuple[Column, ...]
    measures: Callable[[], dict[str, Any]]
    rows: tuple[tuple[Hashable, str], ...] = ()
    total_row: bool = False
    limit: int = 0
    # A second grouping inside each row (a number of days, an assessment's place among the
    # person's), and how to turn the counts for each of its values into the row's columns.
    split: Callable[[], Any] | None = None
    combine: Callable[[dict[Hashable, dict[str, int]]], dict[str, int]] | None = None

    def _counts(self, filters: Filters, by: str = "") -> dict[Key, dict[str, int]]:
        groups = {"_row": self.row()}
        if self.split is None or self.combine is None:
            return grouped(self.source, filters, groups=groups, measures=self.measures(), by=by)
        groups["_split"] = self.split()
        counts = grouped(self.source, filters, groups=groups, measures=self.measures(), by=by)
        parts: dict[Key, dict[Hashable, dict[str, int]]] = defaultdict(dict)
        for key, measures in counts.items():
            parts[(key[0], *key[2:])][key[1]] = measures
        return {key: self.combine(part) for key, part in parts.items()}

    def build(self, filters: Filters) -> Table:
        counts = self._counts(filters)
        cells = {key[0]: measures for key, measures in counts.items()}
        if self.rows:
            labels = dict(self.rows)
            order = [key for key, _ in self.rows]
        else:
            labels = {key: str(key) for key in cells}
            first = self.columns[0].key
            order = sorted(cells, key=lambda k: (-cells[k].get(first, 0), str(k)))
            if self.limit:
                order = order[: self.limit]
        rows = [
            Row(key, labels[key], {c.key: cells.get(key, {}).get(c.key, 0) for c in self.columns})
            for key in order
        ]
        if self.total_row:
            rows.append(
                Row(
                    "total",
                    "Total",
                    {c.key: sum(r.cells[c.key] for r in rows) for c in self.columns},
                    is_total=True,
                )
            )
        table = Table(
            self.slug,
            self.title,
            self.definition,
            list(self.columns),
            rows,
            has_total_row=self.total_row,
            chosen=filters.chosen(),
        )
        shown = set(order)
        for name in filters.chosen():
            by_value = self._counts(filters, by=name)
            siblings = siblings_from(
                by_value, row_of=lambda key: key[0] if key[0] in shown else None
            )
            if self.total_row:
                for column in self.columns:
                    total: dict[Hashable, int] = {}
                    for key in order:
                        for value, count in siblings.get((key, column.key), {}).items():
                            total[value] = total.get(value, 0) + count
                    values = {k for cell in siblings.values() for k in cell}
                    siblings[("total", column.key)] = {v: total.get(v, 0) for v in values}
            table.siblings[name] = siblings
        return table


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    source: Source
    days: Callable[[], Any]  # the number of days for one record, in SQL; NULL leaves it out


DISTRIBUTION_COLUMNS = (
    Column("people", "Number", "How many the figures in this row are about."),
    Column("median", "Median (days)", "Half took this many days or fewer.", Kind.STAT, "people"),
    Column(
        "lower",
        "Lower quartile (days)",
        "A quarter took this many days or fewer.",
        Kind.STAT,
        "people",
    ),
    Column(
        "upper",
        "Upper quartile (days)",
        "Three quarters took this many days or fewer.",
        Kind.STAT,
        "people",
    ),
)


@dataclass(frozen=True)
class DistributionFigure:
    slug: str
    title: str
    definition: str
    series: tuple[Series, ...]

    def build(self, filters: Filters) -> Table:
        rows = []
        siblings: dict[str, dict[tuple[Hashable, str], dict[Hashable, int]]] = {}
        for series in self.series:
            groups = {"_days": series.days()}
            histogram = {
                int(key[0]): m["n"]  # type: ignore[call-overload]
                for key, m in grouped(
                    series.source, filters, groups=groups, measures={"n": Count("pk")}
                ).items()
                if key[0] is not None
            }
            people = sum(histogram.values())
            rows.append(
                Row(
                    series.key,
                    series.label,
                    {
                        "people": people,
                        "median": _round(quantile(histogram, 0.5)),
                        "lower": _round(quantile(histogram, 0.25)),
                        "upper": _round(quantile(histogram, 0.75)),
                    },
                )
            )
            for name in filters.chosen():
                by_value = grouped(
                    series.source, filters, groups=groups, measures={"n": Count("pk")}, by=name
                )
                by_value = {k: {"people": m["n"]} for k, m in by_value.items() if k[0] is not None}
                cells = siblings_from(by_value, row_of=_constant_row(series.key))
                siblings.setdefault(name, {}).update(cells)
        return Table(
            self.slug,
            self.title,
            self.definition,
            list(DISTRIBUTION_COLUMNS),
            rows,
            siblings=siblings,
            chosen=filters.chosen(),
        )


def _constant_row(key: Hashable) -> Callable[[tuple[Hashable, ...]], Hashable]:
    def row_of(_: tuple[Hashable, ...]) -> Hashable:
        return key

    return row_of


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


Figure = CountFigure | DistributionFigure


# HNA reach -----------------------------------------------------------------------------------

POINTS = (
    ("diagnosis", "At diagnosis"),
    ("during_treatment", "During treatment"),
    ("end_of_treatment", "End of treatment"),
    (OTHER, "Other points (recurrence, palliative care, on request)"),
)


def _point_of_pathway() -> Any:
    point = Assessment.PathwayPoint
    return Cases(
        When(pathway_point=point.DIAGNOSIS, then=Value("diagnosis")),
        When(
            pathway_point__in=[point.START_OF_TREATMENT, point.DURING_TREATMENT],
            then=Value("during_treatment"),
        ),
        When(pathway_point=point.END_OF_TREATMENT, then=Value("end_of_treatment")),
        default=Value(OTHER),
        output_field=CharField(),
    )


HNA_REACH = CountFigure(
    slug="hna-reach",
    title="Holistic needs assessments offered, completed and declined",
    definition="Offers of a holistic needs assessment (HNA) made in the period, by the point in "
    "the person's pathway they were offered at, and what became of them.",
    source=Source(lambda: AssessmentOffer.objects.all(), case="case", when="offered_at"),
    row=_point_of_pathway,
    rows=POINTS,
    total_row=True,
    columns=(
        Column("offered", "Offered", "Offers made in the period."),
        Column(
            "completed",
            "Completed",
            "Of those offers, how many the person went on to complete and send.",
        ),
        Column("declined", "Declined", "Of those offers, how many the person said no to."),
    ),
    measures=lambda: {
        "offered": Count("pk"),
        "completed": Count("pk", filter=Q(assessment__submitted_at__isnull=False)),
        "declined": Count("pk", filter=Q(status=AssessmentOffer.Status.DECLINED)),
    },
)


def _firsts(records: QuerySet[Any], parent: str, when: str) -> QuerySet[Any]:
    """Of `records`, each `parent`'s first by `when` (the earlier pk on a tie): a NOT EXISTS in
    the WHERE, which PostgreSQL runs as one anti-join rather than a subquery per record."""
    earlier = records.filter(**{parent: OuterRef(parent)}).filter(
        Q(**{f"{when}__lt": OuterRef(when)}) | Q(**{when: OuterRef(when), "pk__lt": OuterRef("pk")})
    )
    return records.exclude(Exists(earlier))


HNA_TIMING = DistributionFigure(
    slug="hna-timing",
    title="Time from diagnosis to the first assessment and to an agreed plan",
    definition="For people diagnosed in the period: the days from the date of diagnosis to the "
    "day they sent their first holistic needs assessment, and to the day they first agreed a "
    "care plan. People who have not reached that step yet are not counted.",
    series=(
        Series(
            "first_hna",
            "Diagnosis to first assessment",
            Source(
                lambda: _firsts(
                    Assessment.objects.filter(submitted_at__isnull=False), "case", "submitted_at"
                ).filter(case__diagnosis_date__isnull=False),
                case="case",
                when="case__diagnosis_date",
                when_is_date=True,
            ),
            lambda: DaysBetween(F("case__diagnosis_date"), TruncDate("submitted_at")),
        ),
        Series(
            "agreed_plan",
            "Diagnosis to first agreed care plan",
            Source(
                lambda: _firsts(
                    CarePlan.objects.filter(agreed_at__isnull=False), "case", "agreed_at"
                ).filter(case__diagnosis_date__isnull=False),
                case="case",
                when="case__diagnosis_date",
                when_is_date=True,
            ),
            lambda: DaysBetween(F("case__diagnosis_date"), TruncDate("agreed_at")),
        ),
    ),
)


# Concerns and distress -------------------------------------------------------------------------


def _answers(*, first: bool | None = None, latest: bool | None = None) -> Callable[[], Any]:
    """Concerns marked in submitted assessments: in each person's first assessment (or not),
    their latest (or not). NOT EXISTS and EXISTS in the WHERE: PostgreSQL joins them once."""

    def records() -> QuerySet[Any]:
        submitted = Assessment.objects.filter(
            submitted_at__isnull=False, case=OuterRef("assessment__case")
        )
        earlier = Exists(submitted.filter(submitted_at__lt=OuterRef("assessment__submitted_at")))
        later = Exists(submitted.filter(submitted_at__gt=OuterRef("assessment__submitted_at")))
        answers = Answer.objects.filter(selected=True, assessment__submitted_at__isnull=False)
        if first is not None:
            answers = answers.filter(~earlier if first else earlier)
        if latest is not None:
            answers = answers.filter(~later if latest else later)
        return answers

    return records


def _concern_column(key: str, records: Callable[[], Any]) -> "CountFigure":
    return CountFigure(
        slug=f"concerns-{key}",
        title="",
        definition="",
        source=Source(records, case="assessment__case", when="assessment__submitted_at"),
        row=lambda: F("concern__domain__title"),
        columns=(Column(key, "", ""),),
        measures=lambda: {key: Count("assessment__case", distinct=True)},
    )


@dataclass(frozen=True)
class ColumnsFigure:
    """A table whose columns each come from their own query (a CountFigure of one column),
    over the same rows: the rows are those any column found."""

    slug: str
    title: str
    definition: str
    columns: tuple[Column, ...]
    parts: tuple[CountFigure, ...]

    def build(self, filters: Filters) -> Table:
        cells: dict[Hashable, dict[str, Any]] = {}
        siblings: dict[str, dict[tuple[Hashable, str], dict[Hashable, int]]] = {}
        for column, part in zip(self.columns, self.parts, strict=True):
            built = part.build(filters)
            for row in built.rows:
                cells.setdefault(row.key, {})[column.key] = row.cells[column.key]
            for name, part_siblings in built.siblings.items():
                siblings.setdefault(name, {}).update(part_siblings)
        rows = [
            Row(key, str(key), {c.key: cells[key].get(c.key, 0) for c in self.columns})
            for key in sorted(cells, key=str)
        ]
        return Table(
            self.slug,
            self.title,
            self.definition,
            list(self.columns),
            rows,
            siblings=siblings,
            chosen=filters.chosen(),
        )


CONCERN_COLUMNS = (
    Column(
        "first",
        "At their first assessment",
        "People with a concern in this domain when they first assessed their needs.",
    ),
    Column(
        "again_first",
        "Assessed again: at first",
        "Of people assessed two or more times, those with a concern in this domain at "
        "their first assessment.",
    ),
    Column(
        "again_latest",
        "Assessed again: at latest",
        "Of people assessed two or more times, those with a concern in this domain at "
        "their latest assessment.",
    ),
)

CONCERNS = ColumnsFigure(
    slug="concerns",
    title="Concerns by domain, at the first assessment and later",
    definition="People who marked at least one concern in each domain of the checklist, in "
    "assessments sent in the period. One person can have concerns in several domains, so "
    "the rows do not add up to a total. The last two columns are about people who have sent "
    "two or more assessments: how many had a concern in the domain at their first, and at "
    "their latest.",
    columns=CONCERN_COLUMNS,
    parts=(
        _concern_column("first", _answers(first=True)),
        _concern_column("again_first", _answers(first=True, latest=False)),
        _concern_column("again_latest", _answers(first=False, latest=True)),
    ),
)

DISTRESS = CountFigure(
    slug="distress",
    title="Distress scores",
    definition="Assessments sent in the period, by the person's overall distress over the past "
    "week (the distress thermometer, 0 to 10). 4 or more is the usual cut-off for distress "
    "that needs attention; 7 or more is high.",
    source=Source(
        lambda: Assessment.objects.filter(submitted_at__isnull=False),
        case="case",
        when="submitted_at",
    ),
    row=lambda: Cases(
        When(distress_score__lte=3, then=Value("0-3")),
        When(distress_score__lte=6, then=Value("4-6")),
        default=Value("7-10"),
        output_field=CharField(),
    ),
    rows=(("0-3", "0 to 3"), ("4-6", "4 to 6"), ("7-10", "7 to 10")),
    total_row=True,
    columns=(Column("assessments", "Assessments", "Assessments sent with a score in this range."),),
    measures=lambda: {"assessments": Count("pk")},
)


def _contact_band() -> Any:
    raised = F("raised_at")
    return Cases(
        When(acknowledged_at__isnull=True, then=Value("open")),
        When(acknowledged_at__lte=raised + dt.timedelta(hours=4), then=Value("4h")),
        When(acknowledged_at__lte=raised + dt.timedelta(days=1), then=Value("1d")),
        When(acknowledged_at__lte=raised + dt.timedelta(days=3), then=Value("3d")),
        default=Value("later"),
        output_field=CharField(),
    )


DISTRESS_CONTACT = CountFigure(
    slug="distress-contact",
    title="Time from a high distress score to contact",
    definition="Flags raised in the period because a person scored high distress or a severe "
    "concern, by how long it took someone on their team to act on the flag (acknowledge it "
    "after contacting them).",
    source=Source(
        lambda: CaseFlag.objects.filter(kind=CaseFlag.Kind.URGENT_DISTRESS),
        case="case",
        when="raised_at",
    ),
    row=_contact_band,
    rows=(
        ("4h", "Within 4 hours"),
        ("1d", "4 to 24 hours"),
        ("3d", "1 to 3 days"),
        ("later", "More than 3 days"),
        ("open", "Not yet acted on"),
    ),
    total_row=True,
    columns=(Column("flags", "Flags", "High-distress flags in this band."),),
    measures=lambda: {"flags": Count("pk")},
)


# Care plans --------------------------------------------------------------------------------------

_CURRENT_PLAN_ITEMS = Source(
    lambda: PlanItem.objects.filter(plan__status=CarePlan.Status.AGREED),
    case="plan__case",
    when="plan__agreed_at",
)

PLAN_ITEMS = CountFigure(
    slug="plan-items",
    title="Care plan actions by who does them",
    definition="Actions in care plans agreed in the period (each person's current plan), by "
    "who agreed to do them, and how many are done.",
    source=_CURRENT_PLAN_ITEMS,
    row=lambda: F("owner_kind"),
    rows=(
        (OwnerKind.PATIENT, "The person themselves"),
        (OwnerKind.NAVIGATOR, "Their navigator"),
        (OwnerKind.GP, "Their GP"),
        (OwnerKind.SERVICE, "A support service"),
    ),
    total_row=True,
    columns=(
        Column("items", "Actions", "Actions in agreed plans."),
        Column("completed", "Done", "Of those actions, how many are marked done."),
    ),
    measures=lambda: {
        "items": Count("pk"),
        "completed": Count("pk", filter=Q(completed_at__isnull=False)),
    },
)

SIGNPOSTING = CountFigure(
    slug="signposting",
    title="Signposting by service",
    definition="Services people were signposted to from their care plan in the period, the "
    '20 used most, and what people said when asked "did you get the help you needed?".',
    source=Source(
        lambda: Signpost.objects.filter(item__signposted_at__isnull=False),
        case="item__plan__case",
        when="item__signposted_at",
    ),
    row=lambda: F("service__name"),
    limit=20,
    columns=(
        Column("signposted", "Signposted", "Times a plan action pointed someone to this service."),
        Column("yes", "Got the help: yes", "Said yes, they got the help they needed."),
        Column("partly", "Partly", "Said they partly got the help they needed."),
        Column("no", "No", "Said no, they did not get the help they needed."),
    ),
    measures=lambda: {
        "signposted": Count("pk"),
        "yes": Count("pk", filter=Q(item__feedback_answer=FeedbackAnswer.YES)),
        "partly": Count("pk", filter=Q(item__feedback_answer=FeedbackAnswer.PARTLY)),
        "no": Count("pk", filter=Q(item__feedback_answer=FeedbackAnswer.NO)),
    },
)

HELP_NEEDED = CountFigure(
    slug="help-needed",
    title='"Did you get the help you needed?"',
    definition="Care plan actions that signposted someone to a service in the period, by "
    "their answer when we asked afterwards whether they got the help they needed.",
    source=Source(
        lambda: PlanItem.objects.filter(signposted_at__isnull=False),
        case="plan__case",
        when="signposted_at",
    ),
    row=lambda: F("feedback_answer"),
    rows=(
        (FeedbackAnswer.YES, "Yes"),
        (FeedbackAnswer.PARTLY, "Partly"),
        (FeedbackAnswer.NO, "No"),
        ("", "Not answered yet"),
    ),
    total_row=True,
    columns=(Column("items", "Actions", "Signposted actions with this answer."),),
    measures=lambda: {"items": Count("pk")},
)


# The chase -----------------------------------------------------------------------------------------

_CHASED = Source(
    lambda: TrackedItem.objects.filter(chase_count__gt=0),
    case="case",
    when="expected_by",
    when_is_date=True,
)

CHASE_BY_KIND = CountFigure(
    slug="chase-by-kind",
    title="Chased items by kind",
    definition="Tracked items expected in the period that went overdue and were chased, by "
    "kind, and how many times they were chased in all.",
    source=_CHASED,
    row=lambda: F("kind"),
    rows=tuple((kind.value, kind.label) for kind in ItemKind),
    total_row=True,
    columns=(
        Column("items", "Items chased", "Items chased at least once."),
        Column("chases", "Chases", "Times those items were chased."),
    ),
    measures=lambda: {"items": Count("pk"), "chases": Sum("chase_count")},
)

CHASE_BY_PROVIDER = CountFigure(
    slug="chase-by-provider",
    title="Providers most often needing chasing",
    definition="The 10 providers responsible for the most chased items expected in the period "
    "(items with no provider are left out).",
    source=Source(
        lambda: TrackedItem.objects.filter(chase_count__gt=0, responsible_provider__isnull=False),
        case="case",
        when="expected_by",
        when_is_date=True,
    ),
    row=lambda: F("responsible_provider__name"),
    limit=10,
    columns=(
        Column(
            "items", "Items chased", "Items this provider was responsible for that were chased."
        ),
        Column("chases", "Chases", "Times those items were chased."),
    ),
    measures=lambda: {"items": Count("pk"), "chases": Sum("chase_count")},
)


CHASE_DAYS = DistributionFigure(
    slug="chase-days",
    title="Days overdue at the first chase and at resolution",
    definition="For chased items expected in the period: how many days after the expected date "
    "the item was first chased, and, for items since closed, how many days after the expected "
    "date it was resolved.",
    series=(
        Series(
            "first_chase",
            "Days overdue at the first chase",
            Source(
                lambda: _firsts(ChaseRecord.objects.all(), "item", "chased_at").filter(
                    item__chase_count__gt=0
                ),
                case="item__case",
                when="item__expected_by",
                when_is_date=True,
            ),
            lambda: DaysBetween(F("item__expected_by"), TruncDate("chased_at")),
        ),
        Series(
            "resolved",
            "Days overdue when resolved",
            _CHASED,
            lambda: DaysBetween(F("expected_by"), TruncDate("closed_at")),
        ),
    ),
)

NUDGE_KINDS = (
    (PATIENT_MESSAGE, 'To the person: "we are chasing this for you"'),
    (PROFESSIONAL_MESSAGE, "To the provider or GP practice responsible"),
    (ESCALATION_MESSAGE, "To the team lead, when a chase is escalated"),
)


def _case_of_subject(field_name: str) -> Callable[[], Any]:
    """A message names its patient by id, not by a key: their first case's `field_name`."""

    def expression() -> Any:
        return Subquery(
            Case.objects.filter(patient_id=OuterRef("subject_id"))
            .order_by("opened_at")
            .values(field_name)[:1]
        )

    return expression


NUDGES = CountFigure(
    slug="nudges",
    title="Chase nudges sent and delivery failures",
    definition="Text messages and emails the chase sent in the period, by whom they were to, "
    "and how many could not be delivered.",
    source=Source(
        lambda: OutboundMessage.objects.filter(
            kind__in=[kind for kind, _ in NUDGE_KINDS], subject_id__isnull=False
        ),
        case="",
        when="created_at",
        dimensions={
            "team": _case_of_subject("team_id"),
            "tumour_site": _case_of_subject("tumour_site"),
            "area": _case_of_subject("patient__gp_practice_id"),
        },
    ),
    row=lambda: F("kind"),
    rows=NUDGE_KINDS,
    total_row=True,
    columns=(
        Column("sent", "Sent", "Messages handed to the text or email provider."),
        Column("failed", "Not delivered", "Messages that failed or need someone's attention."),
    ),
    measures=lambda: {
        "sent": Count(
            "pk",
            filter=Q(status__in=[OutboundMessage.Status.SENT, OutboundMessage.Status.DELIVERED]),
        ),
        "failed": Count(
            "pk",
            filter=Q(status__in=[OutboundMessage.Status.FAILED, OutboundMessage.Status.ATTENTION]),
        ),
    },
)


# Pathway clocks --------------------------------------------------------------------------------


RUNNING = 100_000  # added to a running clock's days, to tell it from a stopped one's


def _clock_source(start_kinds: list[str], nations: list[str]) -> Source:
    """The first start event of each case of these nations: one record per clock. The rule is
    `appointments.clocks.clock_for`'s (the earliest start event; the earliest end event on or
    after its day stops it)."""

    def records() -> QuerySet[Any]:
        earlier = TimelineEvent.objects.filter(
            case=OuterRef("case"),
            kind__in=start_kinds,
            occurred_at__lt=OuterRef("occurred_at"),
        )
        return TimelineEvent.objects.filter(
            kind__in=start_kinds, case__patient__nation__in=nations
        ).exclude(Exists(earlier))

    return Source(records, case="case", when="occurred_at")


def _clock_days() -> Any:
    """Days from the clock's start to its stop; for a clock still running, RUNNING plus the
    days so far. One number per clock, so the clocks are counted by it in one GROUP BY."""
    start_day = TruncDate(ExpressionWrapper(OuterRef("occurred_at"), output_field=DateTimeField()))
    stop = (
        TimelineEvent.objects.filter(case=OuterRef("case"), occurred_at__date__gte=start_day)
        .order_by("occurred_at")
        .values(days=DaysBetween(start_day, TruncDate("occurred_at")))
    )
    return stop


def _clock_split(standard: PathwayStandard) -> Callable[[], Any]:
    def days() -> Any:
        stopped = Subquery(
            _clock_days().filter(kind__in=standard.end_kinds)[:1], output_field=IntegerField()
        )
        running = Value(RUNNING) + DaysBetween(
            TruncDate("occurred_at"), Value(timezone.localdate(), output_field=DateField())
        )
        return Coalesce(stopped, running)

    return days


def _clock_columns(length: int) -> Callable[[dict[Hashable, dict[str, int]]], dict[str, int]]:
    def combine(by_days: dict[Hashable, dict[str, int]]) -> dict[str, int]:
        columns = {"met": 0, "running": 0, "missed": 0}
        for days, measures in by_days.items():
            if not isinstance(days, int):
                continue
            running = days >= RUNNING
            elapsed = days - RUNNING if running else days
            status = "missed" if elapsed > length else "running" if running else "met"
            columns[status] += measures["n"]
        return columns

    return combine


CLOCK_COLUMNS = (
    Column("met", "Within: stopped", "Clocks that stopped within the standard."),
    Column("running", "Within: still running", "Clocks still running, within the standard so far."),
    Column(
        "missed",
        "Outside the standard",
        "Clocks that stopped late, or are still running past the standard.",
    ),
)


@dataclass(frozen=True)
class ClocksFigure:
    """One row per waiting-time standard (data, by nation): one query per distinct clock
    (start, stop and length), so the number of queries follows the standards configured,
    never the number of patients."""

    slug: str = "clocks"
    title: str = "Pathway clocks by nation and standard"
    definition: str = (
        "People whose clock for a waiting-time standard started in the period, by whether it "
        "stopped (or is still running) within the standard's number of days. Each nation has "
        "its own standards: England's 28-day Faster Diagnosis Standard, 31 and 62 days; "
        "Scotland's and Northern Ireland's 31 and 62 days; Wales's 62-day Single Cancer Pathway."
    )

    def build(self, filters: Filters) -> Table:
        """Standards that run the same clock for the same number of days (England's and
        Scotland's 62 days) are counted in one query, by nation."""
        names = dict(Nation.choices)
        standards = list(PathwayStandard.objects.order_by("nation", "order", "length_days"))
        same_clock: dict[tuple[Any, ...], list[PathwayStandard]] = defaultdict(list)
        for standard in standards:
            same_clock[(*standard.clock_kinds, standard.length_days)].append(standard)
        cells: dict[str, dict[str, Any]] = {}
        siblings: dict[str, dict[tuple[Hashable, str], dict[Hashable, int]]] = {}
        for group in same_clock.values():
            first = group[0]
            by_nation = {standard.nation: standard for standard in group}
            part = CountFigure(
                slug=self.slug,
                title=self.title,
                definition=self.definition,
                source=_clock_source(list(first.start_kinds), list(by_nation)),
                row=lambda: F("case__patient__nation"),
                rows=tuple((nation, nation) for nation in by_nation),
                columns=CLOCK_COLUMNS,
                split=_clock_split(first),
                combine=_clock_columns(first.length_days),
                measures=lambda: {"n": Count("pk")},
            ).build(filters)
            for row in part.rows:
                cells[_clock_key(by_nation[str(row.key)])] = row.cells
            for name, part_siblings in part.siblings.items():
                for (nation, column), values in part_siblings.items():
                    key = _clock_key(by_nation[str(nation)])
                    siblings.setdefault(name, {})[(key, column)] = values
        rows = [
            Row(
                _clock_key(standard),
                f"{names.get(standard.nation, standard.nation)}: {standard.name}",
                cells[_clock_key(standard)],
            )
            for standard in standards
        ]
        return Table(
            self.slug,
            self.title,
            self.definition,
            list(CLOCK_COLUMNS),
            rows,
            siblings=siblings,
            chosen=filters.chosen(),
        )


def _clock_key(standard: PathwayStandard) -> str:
    return f"{standard.nation}:{standard.code}"


CLOCKS = ClocksFigure()


# Patients' feedback ------------------------------------------------------------------------------

_MOMENT_SURVEYS = {survey: moment for moment, survey in SURVEY_FOR_MOMENT.items()}
_AFTER = {
    SurveyInvitation.Moment.DIAGNOSIS: "after their diagnosis",
    SurveyInvitation.Moment.PLAN_AGREED: "after agreeing their care plan",
    SurveyInvitation.Moment.DISCHARGE: "after leaving hospital",
}


def _feedback_question(survey_code: str, question: tuple[Any, ...]) -> CountFigure:
    """One question of one survey: the answers people gave, every version of the survey
    together (by question code), and everyone who answered it in the last row."""
    code, text, _, scale = question
    after = _AFTER[_MOMENT_SURVEYS[survey_code]]
    return CountFigure(
        slug=f"{survey_code}-{code}",
        title=f"{text} ({after})",
        definition=f'What people answered when we asked "{text}" in the short survey we send '
        f"{after}, for answers sent in the period. Each person is asked once for each moment. "
        "Their comments are never shown here; the names of people who answered are never "
        "shown to anyone on this page.",
        source=Source(
            lambda: SurveyAnswer.objects.filter(
                response__invitation__survey__code=survey_code, question__code=code
            ),
            case="response__invitation__case",
            when="response__submitted_at",
        ),
        row=lambda: F("choice"),
        rows=tuple((choice, english) for choice, english, _ in scale),
        total_row=True,
        columns=(Column("answers", "People", "People who gave this answer."),),
        measures=lambda: {"answers": Count("pk")},
    )


FEEDBACK_RESPONSES = CountFigure(
    slug="feedback-responses",
    title="Feedback surveys answered, and comments left",
    definition="Feedback surveys people sent back in the period, by the moment we asked "
    "about, and how many of those had a comment written in them. Only the number of "
    "comments is shown: what people wrote is for their own team, never for this page.",
    source=Source(
        lambda: SurveyResponse.objects.all(),
        case="invitation__case",
        when="submitted_at",
    ),
    row=lambda: F("invitation__moment"),
    rows=tuple(
        (moment.value, f"{_AFTER[moment][0].upper()}{_AFTER[moment][1:]}")
        for moment in SurveyInvitation.Moment
    ),
    total_row=True,
    columns=(
        Column("responses", "Surveys answered", "Surveys sent back about this moment."),
        Column("comments", "With a comment", "Of those, how many had a comment written in."),
    ),
    measures=lambda: {
        "responses": Count("pk"),
        "comments": Count("pk", filter=~Q(comment="")),
    },
)

FEEDBACK_QUESTIONS: tuple[CountFigure, ...] = tuple(
    _feedback_question(survey_code, question)
    for survey_code, (_, _, questions) in SURVEYS.items()
    for question in questions
)
