"""Five pages and the worklist at alliance scale: 100,000 patients, each page's subject at 10
and at 1,000 items.

The database is the worklist benchmark's (`bench.worklist.seed`: 100,000 patients with a case
each, the worklist's caseloads of 10 and 1,000), plus an agreed care plan for every case
(their review dates spread over a year) and, for each size N in SIZES, a team of its own:

- a navigator working N cases, every one with an agreed plan due for review and an overdue
  item with an open chase task (the chase queue and the plans due for review list N each);
- the first of them, the subject case, with N tracked items (overdue and chased, booked,
  waiting, closed), N timeline events, N messages, N questions and a plan of N items, whose
  patient has an account (the home page) and whose GP practice has a link to the plan (the GP
  page).

Each page's queries are counted at both sizes; its ratio is its p95 at N = 10 (a typical
case, a typical queue) over the floor's, in the 100,000-patient database, and its time at
N = 1,000 (1,000 rows laid out) is printed beside it. The worklist is timed at caseload 1,000
and its queries counted at 10 and 1,000. Every SELECT a page sends at N = 1,000 is EXPLAINed, and a sequential
scan of a table holding more than `LARGE_TABLE_ROWS` rows is printed as `seq scan:` (PostgreSQL
only). `BENCH_PAGES_PATIENTS` sets the database size (default 100,000).
"""

import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model, UUIDField
from django.db.models.fields import AutoFieldMixin
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appointments.models import ChaseTask, ItemKind, ItemState, TrackedItem
from bench.floor import measure_floor
from bench.harness import progress
from bench.measure import count_queries, signed_in_client, time_view
from bench.worklist import BACKGROUND_CASELOAD, TEAM_SIZE, _navigator, nhs_numbers
from bench.worklist import seed as worklist_seed
from careplans.models import (
    Assessment,
    CarePlan,
    CaseFlag,
    OwnerKind,
    PlanItem,
    Questionnaire,
    ShareLink,
)
from careplans.models.sharing import token_hash
from navigator.accounts.models import Role, User
from navigator.env import envint
from navigator.organisations.models import Membership, Organisation, Team
from patients.models import (
    AppointmentQuestion,
    CareTeamMember,
    Case,
    CaseMessage,
    Patient,
    TimelineEvent,
)

NAME = "pages"
SIZES = (10, 1000)
DEFAULT_PATIENTS = 100_000
WORKLIST_CASELOADS = (10, 1000)
# A sequential scan of a table with more rows than this is reported.
LARGE_TABLE_ROWS = 10_000
# NHS numbers for the subjects' patients, clear of the worklist seed's 999 400 000x up.
SUBJECT_STEM = 999_300_000
# The rest of the 100,000, seeded in SQL: NHS numbers from 999 500 000 0 up.
BACKGROUND_STEM = 999_500_000
BACKGROUND_FIRST = f"{BACKGROUND_STEM}0"
# Closed appointments a background case has had: a year's history, so the tracked items table
# (about 1,000,000 rows) is mostly closed items, as a live one is.
HISTORY_ITEMS = 9
BATCH = 5_000
PAGES = ("home", "case", "chase_queue", "gp", "plans_due")


@dataclass
class Subject:
    """One size's team: its navigator, the subject case, its patient's account, the GP link."""

    size: int
    navigator: User
    case: Case
    patient_user: User
    gp_token: str


def run(*, requests: int) -> dict[str, object]:
    patients = envint("BENCH_PAGES_PATIENTS", DEFAULT_PATIENTS)
    if patients < sum(WORKLIST_CASELOADS):
        raise SystemExit(f"BENCH_PAGES_PATIENTS must be at least {sum(WORKLIST_CASELOADS)}")
    progress(NAME, f"seeding {patients:,} patients, subjects of {', '.join(map(str, SIZES))}")
    started = timezone.now()
    if connection.vendor == "postgresql":
        # The worklist's caseloads as its benchmark makes them, the rest in SQL: about a
        # tenth of the time.
        workers = worklist_seed(patients=sum(WORKLIST_CASELOADS), caseloads=WORKLIST_CASELOADS)
        team = Membership.objects.get(user=workers[WORKLIST_CASELOADS[0]]).team
        seed_background(patients=patients - sum(WORKLIST_CASELOADS), first_team=team)
    else:
        workers = worklist_seed(patients=patients, caseloads=WORKLIST_CASELOADS)
    subjects = {size: seed_subject(size=size) for size in SIZES}
    plans = plans_for_every_case()
    progress(NAME, f"seeded in {(timezone.now() - started).total_seconds():.0f} s ({plans} plans)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The GP page's per-address limit is there for people guessing tokens, not for this loop.
    settings.GP_LINK_REQUESTS_PER_MINUTE = 10**9
    floor, _ = measure_floor(requests=requests)

    figures: dict[str, object] = {}
    constant = True
    for page in PAGES:
        gets = {size: page_get(page, subjects[size]) for size in SIZES}
        queries = {size: count_queries(get) for size, get in gets.items()}
        same = len(set(queries.values())) == 1
        constant = constant and same
        # The ratio is for a typical subject (a case with 10 items, a queue of 10) in the large
        # database; at 1,000 items the page lays out 1,000 rows, timed too, but not the ratio.
        typical, deep = gets[SIZES[0]], gets[SIZES[-1]]
        timing = time_view(typical.client, typical.url, requests=requests)
        deep_timing = time_view(deep.client, deep.url, requests=max(requests // 20, 2))
        ratio = timing.p95_us / floor.p95_us
        progress(
            NAME,
            f"{page}: p50 {timing.p50_us} us, p95 {timing.p95_us} us, {ratio:.2f}x the floor "
            f"at {SIZES[0]} items; at {SIZES[-1]}: p95 {deep_timing.p95_us} us, "
            f"{deep_timing.p95_us / floor.p95_us:.2f}x; queries "
            f"{' and '.join(f'{q} at {s}' for s, q in queries.items())}",
        )
        report_seq_scans(page, deep)
        figures[f"{page}_ratio"] = ratio

    url = reverse("caseload:worklist")
    clients = {size: signed_in_client(workers[size]) for size in WORKLIST_CASELOADS}
    queries = {size: count_queries(partial(c.get, url)) for size, c in clients.items()}
    timing = time_view(clients[1000], url, requests=requests)
    ratio = timing.p95_us / floor.p95_us
    constant = constant and len(set(queries.values())) == 1
    progress(
        NAME,
        f"worklist at caseload 1,000: p50 {timing.p50_us} us, p95 {timing.p95_us} us, "
        f"{ratio:.2f}x the floor; queries {queries[10]} at 10 and {queries[1000]} at 1,000",
    )
    report_seq_scans("worklist", partial(clients[1000].get, url))
    figures["worklist_1000_ratio"] = ratio
    figures["queries_constant"] = "yes" if constant else "no"
    return figures


# The pages --------------------------------------------------------------------------------


class _Get:
    """A signed-in GET of one page, callable, that checks the answer is the page itself."""

    def __init__(self, client: Client, url: str) -> None:
        self.client = client
        self.url = url

    def __call__(self) -> Any:
        response = self.client.get(self.url)
        if response.status_code != 200:
            raise SystemExit(f"GET {self.url} answered {response.status_code}")
        return response


def page_get(page: str, subject: Subject) -> _Get:
    """A warmed-up GET of `page` for `subject`, as the person who opens it."""
    if page == "home":
        get = _Get(signed_in_client(subject.patient_user), reverse("home"))
    elif page == "case":
        url = reverse("caseload:case_detail", args=[subject.case.pk])
        get = _Get(signed_in_client(subject.navigator), url)
    elif page == "chase_queue":
        get = _Get(signed_in_client(subject.navigator), reverse("appointments:chase_queue"))
    elif page == "plans_due":
        get = _Get(signed_in_client(subject.navigator), reverse("careplans_printing:plans_due"))
    else:
        # The practice answers the date-of-birth check once; the cookie then opens the plan.
        client = Client()
        url = reverse("gp_link", args=[subject.gp_token])
        born = subject.case.patient.date_of_birth
        answer = client.post(
            url,
            {
                "date_of_birth-day": born.day,
                "date_of_birth-month": born.month,
                "date_of_birth-year": born.year,
            },
        )
        if answer.status_code != 302:
            raise SystemExit(f"The GP check answered {answer.status_code}")
        get = _Get(client, url)
    get()  # the first request fills per-process caches
    return get


def report_seq_scans(page: str, get: Callable[[], Any]) -> list[str]:
    """EXPLAIN every SELECT one request sends; print each sequential scan of a large table."""
    if connection.vendor != "postgresql":
        return []
    with CaptureQueriesContext(connection) as captured:
        get()
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s",
            [LARGE_TABLE_ROWS],
        )
        large = {row[0] for row in cursor.fetchall()}
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            for table in _seq_scans(plan[0]["Plan"]):
                if table in large:
                    found.append(table)
                    progress(NAME, f"seq scan: {page} reads all of {table}: {sql[:300]}")
    if not found:
        progress(NAME, f"{page}: no sequential scan of a table over {LARGE_TABLE_ROWS:,} rows")
    return found


def _seq_scans(node: dict[str, Any]) -> list[str]:
    tables = [node["Relation Name"]] if node.get("Node Type") == "Seq Scan" else []
    for child in node.get("Plans", []):
        tables += _seq_scans(child)
    return tables


# Seeding ----------------------------------------------------------------------------------


@transaction.atomic
def seed_subject(*, size: int, today: dt.date | None = None) -> Subject:
    """A team of its own with `size` cases for one navigator, the first case `size` deep."""
    today = today or timezone.localdate()
    now = timezone.now()
    trust = Organisation.objects.create(
        ods_code=f"P{size:04d}"[-5:], name=f"Pages Trust {size}", kind=Organisation.Kind.TRUST
    )
    practice = Organisation.objects.create(
        ods_code=f"G{size:05d}"[-6:],
        name=f"Pages Surgery {size}",
        kind=Organisation.Kind.GP_PRACTICE,
        email=f"surgery{size}@bench.test",
    )
    team = Team.objects.create(name=f"Pages team {size}", organisation=trust)
    navigator = _navigator(f"bench.pages{size}@bench.test")
    Membership.objects.create(team=team, user=navigator)
    patient_user = User.objects.create_user(
        f"bench.patient{size}@bench.test", None, role=Role.PATIENT, full_name="Pat Bench"
    )
    EmailAddress.objects.create(
        user=patient_user, email=patient_user.email, verified=True, primary=True
    )

    numbers = nhs_numbers(SUBJECT_STEM + size * 10)
    patients = Patient.objects.bulk_create(
        Patient(
            nhs_number=next(numbers),
            given_name="Pat",
            family_name=f"Subject{i}",
            date_of_birth=dt.date(1950 + i % 40, 1 + i % 12, 1 + i % 28),
            phone="+447700900123",
            gp_practice=practice,
            user=patient_user if i == 0 else None,
        )
        for i in range(size)
    )
    cases = Case.objects.bulk_create(
        Case(patient=p, team=team, navigator=navigator, tumour_site="Bowel") for p in patients
    )
    subject = cases[0]
    CareTeamMember.objects.bulk_create(
        [
            CareTeamMember(case=subject, user=navigator, role=CareTeamMember.Role.NAVIGATOR),
            CareTeamMember(
                case=subject, organisation=practice, role=CareTeamMember.Role.GP, name="GP"
            ),
        ]
    )
    # Every case: an overdue result with an open chase task, and an agreed plan due for review.
    overdue = TrackedItem.objects.bulk_create(
        (
            TrackedItem(
                case=case,
                kind=ItemKind.RESULT,
                state=ItemState.REQUESTED,
                title="Scan result",
                expected_by=today - dt.timedelta(days=1 + i % 20),
                next_chase_on=today + dt.timedelta(days=1),
            )
            for i, case in enumerate(cases)
        ),
        batch_size=BATCH,
    )
    ChaseTask.objects.bulk_create(
        (ChaseTask(item=item, assigned_to=navigator, opened_at=now) for item in overdue),
        batch_size=BATCH,
    )
    agreed = CarePlan.objects.bulk_create(
        (
            CarePlan(
                case=case,
                version=2,
                status=CarePlan.Status.AGREED,
                created_at=now,
                updated_at=now,
                agreed_at=now,
                agreed_how=CarePlan.AgreedHow.BY_PHONE,
                review_date=today + dt.timedelta(days=i % 14),
            )
            for i, case in enumerate(cases)
        ),
        batch_size=BATCH,
    )
    CarePlan.objects.create(
        case=subject,
        version=1,
        status=CarePlan.Status.SUPERSEDED,
        created_at=now - dt.timedelta(days=90),
        updated_at=now - dt.timedelta(days=60),
        agreed_at=now - dt.timedelta(days=60),
    )
    _fill_subject(subject, plan=agreed[0], size=size, navigator=navigator, today=today, now=now)

    token = secrets.token_urlsafe(32)
    ShareLink.objects.create(
        case=subject,
        plan=agreed[0],
        token_hash=token_hash(token),
        practice=practice,
        sent_to=practice.email,
        created_by=navigator,
        created_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    return Subject(
        size=size, navigator=navigator, case=subject, patient_user=patient_user, gp_token=token
    )


def _fill_subject(
    case: Case, *, plan: CarePlan, size: int, navigator: User, today: dt.date, now: dt.datetime
) -> None:
    """`size` of everything the case's pages list: items, events, messages, questions, plan."""
    items = []
    for i in range(size - 1):  # with the overdue result every case has: `size` items
        kind, state, closed = [
            (ItemKind.APPOINTMENT, ItemState.BOOKED, False),
            (ItemKind.REFERRAL, ItemState.SENT, False),
            (ItemKind.RESULT, ItemState.REPORTED, True),
            (ItemKind.RESULT, ItemState.REQUESTED, False),
        ][i % 4]
        items.append(
            TrackedItem(
                case=case,
                kind=kind,
                state=state,
                title=f"Item {i}",
                expected_by=today + dt.timedelta(days=(i % 60) - 20),
                starts_at=now + dt.timedelta(days=1 + i % 30)
                if state == ItemState.BOOKED
                else None,
                location="Outpatients" if state == ItemState.BOOKED else "",
                closed_at=now - dt.timedelta(days=i % 30) if closed else None,
            )
        )
    items = TrackedItem.objects.bulk_create(items, batch_size=BATCH)
    ChaseTask.objects.bulk_create(
        (
            ChaseTask(item=item, assigned_to=navigator, opened_at=now)
            for item in items
            if item.closed_at is None and item.expected_by < today and item.kind == "result"
        ),
        batch_size=BATCH,
    )
    TimelineEvent.objects.bulk_create(
        (
            TimelineEvent(
                case=case,
                kind=TimelineEvent.Kind.NOTE,
                occurred_at=now - dt.timedelta(hours=i),
                summary=f"Note {i}",
                shared_with_patient=i % 2 == 0,
            )
            for i in range(size)
        ),
        batch_size=BATCH,
    )
    CaseMessage.objects.bulk_create(
        (
            CaseMessage(
                case=case,
                author_kind=CaseMessage.AuthorKind.STAFF
                if i % 2
                else CaseMessage.AuthorKind.PATIENT,
                author=navigator if i % 2 else None,
                body=f"Message {i}",
                created_at=now - dt.timedelta(hours=i),
            )
            for i in range(size)
        ),
        batch_size=BATCH,
    )
    AppointmentQuestion.objects.bulk_create(
        (
            AppointmentQuestion(
                case=case,
                text=f"Question {i}",
                asked_at=now if i % 2 else None,
                created_at=now - dt.timedelta(minutes=i),
            )
            for i in range(size)
        ),
        batch_size=BATCH,
    )
    owners = [OwnerKind.PATIENT, OwnerKind.NAVIGATOR, OwnerKind.GP, OwnerKind.SERVICE]
    PlanItem.objects.bulk_create(
        (
            PlanItem(
                plan=plan,
                concern_text=f"Concern {i}",
                order=i,
                goal=f"Goal {i}",
                actions="Talk it through",
                owner_kind=owners[i % 4],
                due_date=today + dt.timedelta(days=i % 90),
                signposted_at=now - dt.timedelta(days=14) if i % 4 == 3 else None,
                feedback_due_on=today - dt.timedelta(days=1) if i % 4 == 3 else None,
            )
            for i in range(size)
        ),
        batch_size=BATCH,
    )
    questionnaire, _ = Questionnaire.objects.get_or_create(
        code="bench-hna", version=1, defaults={"title": "Bench checklist"}
    )
    Assessment.objects.create(
        case=case,
        questionnaire=questionnaire,
        completed_by=Assessment.CompletedBy.PATIENT,
        started_at=now - dt.timedelta(days=2),
        submitted_at=now - dt.timedelta(days=1),
        distress_score=8,
    )
    CaseFlag.objects.create(
        case=case,
        kind=CaseFlag.Kind.URGENT_DISTRESS,
        reason="Distress 8 of 10",
        raised_at=now - dt.timedelta(hours=3),
        escalate_after=now + dt.timedelta(hours=1),
    )


@transaction.atomic
def seed_background(*, patients: int, first_team: Team, today: dt.date | None = None) -> None:
    """`patients` more people, each with a case, one or two timeline events, an overdue result
    (one in ten with an open chase task) and closed appointments (with done chase tasks), in teams of `TEAM_SIZE` with
    navigators of `BACKGROUND_CASELOAD` cases; the first team tops up `first_team`. A handful
    of INSERT ... SELECT statements (PostgreSQL)."""
    today = today or timezone.localdate()
    existing = Case.objects.filter(team=first_team).count()
    extra_teams = max(0, -(-(patients + existing) // TEAM_SIZE) - 1)
    teams = [first_team.pk] + [
        t.pk
        for t in Team.objects.bulk_create(
            Team(name=f"Pages background team {n}", organisation=first_team.organisation)
            for n in range(extra_teams)
        )
    ]
    navigators = [
        u.pk
        for u in User.objects.bulk_create(
            User(
                email=f"bench.pages.nav{n}@bench.test",
                full_name=f"Background Navigator {n}",
                role=Role.NAVIGATOR,
                password=make_password(None),
            )
            for n in range(max(1, -(-patients // BACKGROUND_CASELOAD)))
        )
    ]
    numbers = nhs_numbers(BACKGROUND_STEM)
    mine = {"first": BACKGROUND_FIRST, "today": today}
    _insert_select(
        Patient,
        "unnest(%(numbers)s::text[]) WITH ORDINALITY AS n(nhs, i)",
        {
            "nhs_number": "n.nhs",
            "given_name": "'Background'",
            "family_name": "'Person' || n.i",
            "date_of_birth": "DATE '1940-01-01' + (n.i %% 18000)::int",
            "phone": "'+447700900123'",
        },
        {"numbers": [next(numbers) for _ in range(patients)]},
    )
    # Case i (from 1) is in team (existing + i - 1) / TEAM_SIZE, with navigator
    # (i - 1) / BACKGROUND_CASELOAD.
    _insert_select(
        Case,
        f"""(SELECT p.id, row_number() OVER (ORDER BY p.nhs_number) AS i
             FROM {Patient._meta.db_table} p WHERE p.nhs_number >= %(first)s) AS n""",
        {
            "patient_id": "n.id",
            "team_id": "(%(teams)s::uuid[])[1 + (%(existing)s + n.i - 1) / %(team_size)s]",
            "navigator_id": "(%(navigators)s::uuid[])[1 + (n.i - 1) / %(caseload)s]",
            "tumour_site": "'Lung'",
            "opened_at": "now() - make_interval(days => (n.i %% 400)::int)",
        },
        {
            **mine,
            "teams": teams,
            "existing": existing,
            "team_size": TEAM_SIZE,
            "navigators": navigators,
            "caseload": BACKGROUND_CASELOAD,
        },
    )
    cases = f"""(SELECT c.id, row_number() OVER (ORDER BY c.id) AS i
        FROM {Case._meta.db_table} c JOIN {Patient._meta.db_table} p ON p.id = c.patient_id
        WHERE p.nhs_number >= %(first)s) AS n"""
    for kind, days, where in (("urgent_referral", 60, ""), ("diagnosis", 30, "WHERE n.i %% 3 = 0")):
        _insert_select(
            TimelineEvent,
            f"{cases} {where}",
            {
                "case_id": "n.id",
                "kind": f"'{kind}'",
                "occurred_at": f"now() - make_interval(days => {days} + (n.i %% 30)::int)",
                "summary": f"'{kind}'",
            },
            mine,
        )
    _insert_select(
        TrackedItem,
        cases,
        {
            "case_id": "n.id",
            "kind": "'result'",
            "state": "'requested'",
            "title": "'Scan result'",
            "expected_by": "%(today)s::date - (1 + n.i %% 9)::int",
            "next_chase_on": "%(today)s::date",
        },
        mine,
    )
    # A history: HISTORY_ITEMS closed appointments a case, the first with a done chase task.
    _insert_select(
        TrackedItem,
        f"{cases} CROSS JOIN generate_series(1, {HISTORY_ITEMS}) AS h(k)",
        {
            "case_id": "n.id",
            "kind": "'appointment'",
            "state": "'attended'",
            "title": "'Clinic appointment'",
            "expected_by": "%(today)s::date - (30 * h.k + n.i %% 30)::int",
            "starts_at": "now() - make_interval(days => (30 * h.k + n.i %% 30)::int)",
            "closed_at": "now() - make_interval(days => (30 * h.k + n.i %% 30)::int)",
        },
        mine,
    )
    _insert_select(
        ChaseTask,
        f"""(SELECT t.id, c.navigator_id, t.closed_at FROM {TrackedItem._meta.db_table} t
             JOIN {Case._meta.db_table} c ON c.id = t.case_id
             JOIN {Patient._meta.db_table} p ON p.id = c.patient_id
             WHERE p.nhs_number >= %(first)s AND t.closed_at IS NOT NULL
               AND t.expected_by >= %(today)s::date - 30 - 29) AS n""",
        {
            "item_id": "n.id",
            "assigned_to_id": "n.navigator_id",
            "status": "'done'",
            "opened_at": "n.closed_at - interval '7 days'",
            "closed_at": "n.closed_at",
        },
        mine,
    )
    _insert_select(
        ChaseTask,
        f"""(SELECT t.id, c.navigator_id FROM {TrackedItem._meta.db_table} t
             JOIN {Case._meta.db_table} c ON c.id = t.case_id
             JOIN {Patient._meta.db_table} p ON p.id = c.patient_id
             WHERE p.nhs_number >= %(first)s AND t.closed_at IS NULL
               AND abs(hashtext(t.id::text)) %% 10 = 0) AS n""",
        {"item_id": "n.id", "assigned_to_id": "n.navigator_id", "opened_at": "now()"},
        mine,
    )


def _insert_select(
    model: type[Model], source: str, expressions: dict[str, str], params: dict[str, Any]
) -> None:
    """INSERT INTO `model` SELECT `expressions` FROM `source`, placeholders by name. Columns not
    named take their field's default (a new UUID for a UUID key, now() for an automatic time,
    NULL when nullable; an automatic integer key is left to the database), so a column added
    later does not break the seed."""
    columns, values, params = [], [], dict(params)
    for field in model._meta.concrete_fields:
        if isinstance(field, AutoFieldMixin):
            continue
        columns.append(connection.ops.quote_name(str(field.column)))
        if field.attname in expressions:
            values.append(expressions[field.attname])
        elif isinstance(field, UUIDField) and (field.primary_key or field.has_default()):
            values.append("gen_random_uuid()")
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        elif field.null and not field.has_default():
            values.append("NULL")
        else:
            # Its default, or "" for a text field that has none (what Django would save).
            values.append(f"%(default_{field.attname})s")
            params[f"default_{field.attname}"] = field.get_db_prep_save(
                field.get_default(), connection
            )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {source}",
            params,
        )


def plans_for_every_case() -> int:
    """An agreed plan for every case without one, reviews spread over the next year, so the
    plans table is as large as the cases table. One INSERT ... SELECT on PostgreSQL."""
    cases = Case.objects.exclude(care_plans__status=CarePlan.Status.AGREED)
    now = timezone.now()
    if connection.vendor == "postgresql":
        cases_sql, cases_params = cases.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {CarePlan._meta.db_table}
                    (id, case_id, version, status, lock_version, created_at, updated_at,
                     agreed_at, agreed_how, review_date)
                SELECT gen_random_uuid(), c.id, 1, 'agreed', 0, %s, %s, %s, 'by_phone',
                       %s::date + (abs(hashtext(c.id::text)) %% 365)
                FROM ({cases_sql}) AS c(id)
                """,
                [now, now, now, timezone.localdate(), *cases_params],
            )
            return cursor.rowcount
    plans = [
        CarePlan(
            case_id=pk,
            version=1,
            status=CarePlan.Status.AGREED,
            created_at=now,
            updated_at=now,
            agreed_at=now,
            review_date=timezone.localdate() + dt.timedelta(days=n % 365),
        )
        for n, pk in enumerate(cases.values_list("pk", flat=True))
    ]
    return len(CarePlan.objects.bulk_create(plans, batch_size=BATCH))
