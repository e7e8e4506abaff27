"""The chase job: one run over the overdue items of a large table, against an UPDATE floor.

1. Warm up on a handful of items (template and code caches), then run over 10,000 items with
   1,000 overdue (the small table).
2. Seed 1,000,000 tracked items with 10,000 overdue (generate_series on PostgreSQL), print the
   plan of the job's claim query (it must use the partial index `tracked_open_chase_due`),
   time the floor (one `UPDATE ... RETURNING` over exactly the overdue rows, rolled back), then
   one chase run over the same rows, with every SQL statement timed.
3. Add 1,000 more overdue items to the large table and run again: the cost should follow the
   overdue items, not the size of the table.

Sizes (environment): BENCH_CHASE_ITEMS (1,000,000), BENCH_CHASE_OVERDUE (10,000),
BENCH_CHASE_SMALL_ITEMS (10,000), BENCH_CHASE_SMALL_OVERDUE (1,000). For a quick run:
`BENCH_CHASE_ITEMS=20000 BENCH_CHASE_OVERDUE=200 BENCH_CHASE_SMALL_ITEMS=2000
BENCH_CHASE_SMALL_OVERDUE=100 python -m bench chase`.
"""

import datetime as dt
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from appointments.models import (
    ChaseDigest,
    ChaseRecord,
    ChaseTask,
    TrackedItem,
    TrackedItemTransition,
)
from appointments.services import DEFAULT_BATCH_SIZE, chase_claimable, chase_run
from bench.harness import progress
from navigator.accounts.models import Role, User
from navigator.env import envint
from navigator.messaging.models import OutboundMessage
from navigator.organisations.models import Membership, Organisation, Team
from patients.models import Case, Patient
from patients.validators import nhs_number_is_valid

NAME = "chase"
CASES = 200
PARTIAL_INDEX = "tracked_open_chase_due"
# Timings of the floor; the median is the one divided by.
FLOORS = 5


def run(*, requests: int) -> dict[str, object]:
    items = envint("BENCH_CHASE_ITEMS", 1_000_000)
    overdue = envint("BENCH_CHASE_OVERDUE", 10_000)
    small_items = envint("BENCH_CHASE_SMALL_ITEMS", 10_000)
    small_overdue = envint("BENCH_CHASE_SMALL_OVERDUE", 1_000)
    if not (0 < overdue <= items and 0 < small_overdue <= small_items):
        raise SystemExit("chase: each overdue count must be between 1 and its table's size")
    # Quiet hours would only defer the messages, but keep the figures the same at any hour.
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    today = timezone.localdate()
    cases = _cases()

    progress(NAME, "warming up on 20 items")
    _seed(cases, total=100, overdue=20, today=today)
    chase_run(today=today)

    _reset()
    progress(NAME, f"small table: {small_items:,} items, {small_overdue:,} overdue")
    _seed(cases, total=small_items, overdue=small_overdue, today=today)
    small = _timed_run(today)
    progress(NAME, f"small: {small.wall_s:.2f} s for {small.items:,} items")

    _reset()
    progress(NAME, f"large table: seeding {items:,} items, {overdue:,} overdue")
    started = time.perf_counter()
    _seed(cases, total=items, overdue=overdue, today=today)
    progress(NAME, f"seeded in {time.perf_counter() - started:.1f} s")

    plan = _claim_plan(today)
    for line in plan.splitlines():
        progress(NAME, f"plan: {line}")
    index = "partial" if PARTIAL_INDEX in plan else "none"

    floors = _floors(today)
    floor_s = statistics.median(floors)
    progress(
        NAME,
        f"floor: UPDATE ... RETURNING over {overdue:,} rows in {floor_s * 1000:.1f} ms "
        f"(median of {', '.join(f'{s * 1000:.0f}' for s in floors)} ms)",
    )

    large = _timed_run(today)
    if large.items != overdue:
        raise SystemExit(f"chase: expected {overdue} items chased, the run chased {large.items}")
    rerun = chase_run(today=today)
    duplicates = _duplicates() + rerun.items + rerun.messages
    for label, seconds in sorted(large.db_by_table.items(), key=lambda kv: -kv[1]):
        progress(
            NAME,
            f"database time in {label}: {seconds:.2f} s ({seconds / large.items * 1e6:.0f} us/item)",
        )
    per_item_ratio = large.db_s / floor_s
    progress(
        NAME,
        f"run: {large.wall_s:.2f} s wall, {large.db_s:.2f} s in the database over "
        f"{large.statements:,} statements; {large.items / large.wall_s:,.0f} items/s; "
        f"{large.messages:,} messages enqueued; database time {per_item_ratio:.2f}x the floor "
        f"(wall {large.wall_s / floor_s:.2f}x)",
    )

    progress(NAME, f"large table again: {small_overdue:,} more overdue among {items:,}")
    _seed(cases, total=small_overdue, overdue=small_overdue, today=today)
    large_small = _timed_run(today)
    small_vs_large = large_small.wall_s / small.wall_s
    progress(
        NAME,
        f"{small_overdue:,} overdue: {small.wall_s:.2f} s among {small_items:,} items, "
        f"{large_small.wall_s:.2f} s among {items:,} (ratio {small_vs_large:.2f})",
    )
    texts_per_patient = _texts_per_patient()
    progress(NAME, f"patient texts over both large runs: {texts_per_patient:.2f} a patient")
    _reset()
    # Exactly these keys, in this order (the summary line); the rest is in progress lines.
    return {
        "overdue": large.items,
        "per_item_ratio": per_item_ratio,
        "duplicates": duplicates,
        "small_vs_large_ratio": small_vs_large,
        "index": index,
        "texts_per_patient": texts_per_patient,
    }


def _texts_per_patient() -> float:
    """Chase texts (or emails) to patients, per patient who got one: 1.00 when each patient
    gets one a day however many of their items, batches and runs there were."""
    texts = OutboundMessage.objects.filter(idempotency_key__startswith="chase:patient:")
    patients = texts.values("subject_id").distinct().count()
    return texts.count() / patients if patients else 0.0


class _Run:
    def __init__(self) -> None:
        self.items = 0
        self.messages = 0
        self.wall_s = 0.0
        self.db_s = 0.0
        self.statements = 0
        self.db_by_table: defaultdict[str, float] = defaultdict(float)


def _timed_run(today: dt.date) -> _Run:
    result = _Run()
    with _sql_timer(result):
        started = time.perf_counter()
        report = chase_run(today=today)
        result.wall_s = time.perf_counter() - started
    result.items, result.messages = report.items, report.messages
    return result


@contextmanager
def _sql_timer(result: _Run) -> Iterator[None]:
    """Time every statement the run sends, and attribute it to the table it writes or reads."""

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, *args)
        finally:
            elapsed = time.perf_counter() - started
            result.db_s += elapsed
            result.statements += 1
            result.db_by_table[_table(sql)] += elapsed

    with connection.execute_wrapper(wrapper):
        yield


def _table(sql: str) -> str:
    text = sql.lstrip().upper()
    if text.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
        return "savepoints"
    if text.startswith("WITH") and "INSERT INTO" in text:
        return "one insert: tasks, records, digests, audit"
    if "FOR UPDATE" in text and '"APPOINTMENTS_TRACKEDITEM"' in text:
        return "appointments_trackeditem (the claim)"
    if text.startswith("SELECT") and 'FROM "PATIENTS_CASE"' in text:
        return "cases (patients, teams, navigators, the day's texts)"
    for name in (
        "messaging_outboundmessage",
        "messaging_smsoptout",
        "audit_auditevent",
        "appointments_chasedigest",
        "appointments_chaserecord",
        "appointments_chasetask",
        "appointments_trackeditem",
        "organisations_membership",
    ):
        if f'"{name}"'.upper() in text or name.upper() in text:
            return f"{name} ({text.split(None, 1)[0].lower()})"
    return "other"


def _floors(today: dt.date) -> list[float]:
    """`FLOORS` timings of the floor, each on the table as the job will find it.

    A rolled-back UPDATE leaves a dead version of every row it touched, and an index entry for
    it in every index, until VACUUM: the next UPDATE over the same rows (the next floor, or the
    job) would step over them. So the table is vacuumed before each floor and before the job,
    and each starts from the same state. One timing of a statement under a second is at the
    mercy of whatever else the machine is doing at that moment, while the job's time is summed
    over many statements and seconds; so the floor is the median of several."""
    timings = []
    for _ in range(FLOORS):
        _vacuum()
        timings.append(_floor(today))
    _vacuum()
    return timings


def _vacuum() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {TrackedItem._meta.db_table}")


def _floor(today: dt.date) -> float:
    """One UPDATE ... RETURNING over exactly the overdue rows, rolled back: the least any job
    touching each row once can cost."""
    table = TrackedItem._meta.db_table
    sql = (
        f"UPDATE {table} SET next_chase_on = %s, chase_count = chase_count + 1, "  # noqa: S608
        "version = version + 1, last_chased_at = %s "
        "WHERE closed_at IS NULL AND next_chase_on <= %s RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [today + dt.timedelta(days=3), timezone.now(), today])
        cursor.fetchall()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def _claim_plan(today: dt.date) -> str:
    """The plan of the job's own claim query (`chase_claimable`), one batch's worth."""
    with transaction.atomic():
        return chase_claimable(today=today)[:DEFAULT_BATCH_SIZE].explain()


def _duplicates() -> int:
    """Items chased more than once this round, or tasks doubled: 0 unless the job is wrong."""
    twice = (
        ChaseRecord.objects.filter(by=None)
        .values("item_id", "chase_round")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    open_twice = (
        ChaseTask.objects.open().values("item_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    return twice + open_twice


def _reset() -> None:
    tables = [
        m._meta.db_table
        for m in (
            ChaseDigest,
            ChaseRecord,
            ChaseTask,
            TrackedItemTransition,
            OutboundMessage,
            TrackedItem,
        )
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def _cases() -> list[Case]:
    """CASES patients in one team, each with a case, a GP practice and a treating hospital."""
    trust = Organisation.objects.create(
        ods_code="RB1", name="Bench Hospitals", kind="trust", email="admin@bench-trust.test"
    )
    gp = Organisation.objects.create(
        ods_code="B0001", name="Bench Surgery", kind="gp_practice", email="gp@bench.test"
    )
    team = Team.objects.create(name="Bench navigation", organisation=trust)
    navigator = User.objects.create_user("nav@bench.test", None, role=Role.NAVIGATOR)
    lead = User.objects.create_user("lead@bench.test", None, role=Role.TEAM_LEAD)
    Membership.objects.create(team=team, user=navigator)
    Membership.objects.create(team=team, user=lead, is_lead=True)
    numbers = (f"999{n:06d}{d}" for n in range(1, 10**6) for d in "0123456789")
    patients = []
    for n, number in enumerate(x for x in numbers if nhs_number_is_valid(x)):
        if n == CASES:
            break
        patients.append(
            Patient(
                nhs_number=number,
                given_name="Bench",
                family_name=f"Patient {n}",
                date_of_birth=dt.date(1950, 1, 1),
                phone=f"+4477009{n:05d}",
                email=f"patient{n}@bench.test",
                gp_practice=gp,
            )
        )
    Patient.objects.bulk_create(patients)
    cases = Case.objects.bulk_create(
        Case(patient=p, team=team, navigator=navigator, tumour_site="Lung") for p in patients
    )
    for case in cases:
        case.treating_providers.add(trust)
    return cases


def _seed(cases: list[Case], *, total: int, overdue: int, today: dt.date) -> None:
    """`total` items: `overdue` due today or before; 5% open and due later; the rest closed.

    Overdue items are results awaiting report, late by 1 to 5 days (not yet escalated), in
    their first chase round: each patient is texted once for the day, by the first batch with
    one of their items, and the hospital emailed once at the end of the run, listing every
    reference.
    """
    open_later = min(total - overdue, max(total // 20, 0))
    trust_id = Organisation.objects.get(ods_code="RB1").pk
    case_ids = [str(c.pk) for c in cases]
    table = TrackedItem._meta.db_table
    if connection.vendor == "postgresql":
        # Row n: overdue for n < overdue; open, due later, for n < overdue + open_later.
        sql = f"""
            INSERT INTO {table} (
                id, case_id, kind, state, title, expected_by, responsible_provider_id,
                location, what_to_bring, external_id, source_system, next_chase_on,
                chase_count, closed_at, created_at, updated_at, version
            )
            SELECT
                gen_random_uuid(), (%(cases)s::uuid[])[1 + n %% %(ncases)s], 'result',
                CASE WHEN n < %(open)s THEN 'done' ELSE 'reported' END,
                'Your test or scan result',
                CASE WHEN n < %(overdue)s THEN %(today)s::date - (1 + n %% 5)
                     ELSE %(today)s::date + (1 + n %% 30) END,
                %(trust)s::uuid, '', '', '', '',
                CASE WHEN n < %(overdue)s THEN %(today)s::date - (n %% 5)
                     WHEN n < %(open)s THEN %(today)s::date + (1 + n %% 30) END,
                0,
                CASE WHEN n < %(open)s THEN NULL ELSE now() END,
                now(), now(), 1
            FROM generate_series(0, %(total)s - 1) AS n
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "cases": case_ids,
                    "ncases": len(case_ids),
                    "open": overdue + open_later,
                    "overdue": overdue,
                    "today": today,
                    "trust": trust_id,
                    "total": total,
                },
            )
            cursor.execute(f"ANALYZE {table}")
        return
    batch: list[TrackedItem] = []
    now = timezone.now()
    for n in range(total):
        is_overdue, is_open = n < overdue, n < overdue + open_later
        due = (
            today - dt.timedelta(days=1 + n % 5)
            if is_overdue
            else today + dt.timedelta(days=1 + n % 30)
        )
        batch.append(
            TrackedItem(
                case_id=cases[n % len(cases)].pk,
                kind="result",
                state="done" if is_open else "reported",
                title="Your test or scan result",
                expected_by=due,
                responsible_provider_id=trust_id,
                next_chase_on=(today - dt.timedelta(days=n % 5) if is_overdue else due)
                if is_open
                else None,
                closed_at=None if is_open else now,
            )
        )
        if len(batch) == 5000:
            TrackedItem.objects.bulk_create(batch)
            batch = []
    TrackedItem.objects.bulk_create(batch)
