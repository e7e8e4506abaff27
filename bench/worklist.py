"""The worklist at caseloads of 10, 300 and 1,000, in a database of 100,000 patients.

Every case in the three measured caseloads has every worklist column filled: running clocks, a
distress score, open and overdue tracked items with chase tasks, a booked appointment, messages,
and (some of them) an urgent flag or an interpreter. The rest of the 100,000 are other
navigators' cases in the same and other teams, so the queries run against realistic tables.

`BENCH_WORKLIST_PATIENTS` sets the database size (default 100,000; 2,000 for a quick run). The
timed requests are the worklist's first page, as each navigator, through the full middleware
stack; the floor is measured in the same run and the ratios divide by it.
"""

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from functools import partial

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from appointments.models import ChaseTask, TrackedItem
from bench.floor import measure_floor
from bench.harness import progress
from bench.measure import count_queries, signed_in_client, time_view
from careplans.models import Assessment, CaseFlag, Questionnaire
from navigator.accounts.models import Role, User
from navigator.env import envint
from navigator.organisations.models import Membership, Organisation, Team
from patients.models import CareTeamMember, Case, CaseMessage, Patient, TimelineEvent
from patients.validators import nhs_number_is_valid

NAME = "worklist"
CASELOADS = (10, 300, 1000)
DEFAULT_PATIENTS = 100_000
# Cases per team; the measured navigators share the first team with other navigators' cases.
TEAM_SIZE = 5_000
# Cases per background navigator.
BACKGROUND_CASELOAD = 300
BATCH = 5_000
# NHS numbers from 999 400 000x up: clear of the test factories' 999 000 00xx range.
FIRST_STEM = 999_400_000


def run(*, requests: int) -> dict[str, object]:
    patients = envint("BENCH_WORKLIST_PATIENTS", DEFAULT_PATIENTS)
    if patients < sum(CASELOADS):
        raise SystemExit(f"BENCH_WORKLIST_PATIENTS must be at least {sum(CASELOADS)}")
    progress(NAME, f"seeding {patients:,} patients, caseloads {', '.join(map(str, CASELOADS))}")
    started = timezone.now()
    navigators = seed(patients=patients, caseloads=CASELOADS)
    progress(NAME, f"seeded in {(timezone.now() - started).total_seconds():.0f} s")
    # Planner statistics, as a live database has them: without them PostgreSQL plans the
    # freshly filled tables as if they were nearly empty.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    floor, _ = measure_floor(requests=requests)

    url = reverse("caseload:worklist")
    figures: dict[str, object] = {}
    queries = {}
    for size in CASELOADS:
        client = signed_in_client(navigators[size])
        progress(NAME, f"timing {requests} requests to {url} at caseload {size}")
        timing = time_view(client, url, requests=requests)
        queries[size] = count_queries(partial(client.get, url))
        ratio = timing.p95_us / floor.p95_us
        progress(
            NAME,
            f"caseload {size}: p50 {timing.p50_us} us, p95 {timing.p95_us} us, "
            f"{queries[size]} queries, p95 {ratio:.2f}x the floor's {floor.p95_us} us",
        )
        figures[f"p95_ratio_{size}"] = ratio
    return {
        "queries_10": queries[10],
        "queries_300": queries[300],
        "queries_1000": queries[1000],
        "p95_ratio_300": figures["p95_ratio_300"],
        "p95_ratio_1000": figures["p95_ratio_1000"],
    }


# Seeding ----------------------------------------------------------------------------------


def nhs_numbers(first_stem: int = FIRST_STEM) -> Iterator[str]:
    """Valid NHS numbers in the 999 range, in order."""
    for stem in itertools.count(first_stem):
        for digit in "0123456789":
            number = f"{stem:09d}{digit}"
            if nhs_number_is_valid(number):
                yield number
                break


@transaction.atomic
def seed(
    *,
    patients: int,
    caseloads: Sequence[int],
    first_stem: int = FIRST_STEM,
    today: dt.date | None = None,
) -> dict[int, User]:
    """`patients` people with one open case each; a TOTP-enrolled navigator per caseload size.

    Returns the measured navigators by caseload size. Every case in their caseloads has every
    worklist column populated; the other cases have a little timeline and a tracked item each.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    trust = Organisation.objects.create(
        ods_code=f"B{first_stem % 10_000:04d}", name="Bench Trust", kind=Organisation.Kind.TRUST
    )
    teams = Team.objects.bulk_create(
        Team(name=f"Bench team {n}", organisation=trust)
        for n in range(max(1, -(-patients // TEAM_SIZE)))
    )
    measured = [_navigator(f"bench.caseload{size}.{first_stem}@bench.test") for size in caseloads]
    for navigator in measured:
        Membership.objects.create(team=teams[0], user=navigator)
    background_count = max(1, -(-(patients - sum(caseloads)) // BACKGROUND_CASELOAD))
    background = User.objects.bulk_create(
        User(
            email=f"bench.nav{n}.{first_stem}@bench.test",
            full_name=f"Background Navigator {n}",
            role=Role.NAVIGATOR,
            password=make_password(None),
        )
        for n in range(background_count)
    )

    # Who navigates case number i: the measured caseloads first, then the background navigators.
    owners: list[User] = []
    for navigator, size in zip(measured, caseloads, strict=True):
        owners.extend([navigator] * size)
    measured_cases = len(owners)
    rest = patients - measured_cases
    owners.extend(background[i // BACKGROUND_CASELOAD] for i in range(rest))

    numbers = nhs_numbers(first_stem)
    for start in range(0, patients, BATCH):
        stop = min(start + BATCH, patients)
        batch_patients = Patient.objects.bulk_create(
            Patient(
                nhs_number=next(numbers),
                given_name=_GIVEN[i % len(_GIVEN)],
                family_name=f"{_FAMILY[i % len(_FAMILY)]}{i}",
                date_of_birth=dt.date(1940 + i % 50, 1 + i % 12, 1 + i % 28),
                phone="+447700900123",
                needs_interpreter=i < measured_cases and i % 5 == 0,
                interpreter_language="Polish" if i < measured_cases and i % 5 == 0 else "",
            )
            for i in range(start, stop)
        )
        batch_cases = Case.objects.bulk_create(
            Case(
                patient=patient,
                # The measured caseloads sit in team 0 beside background cases, as in real life.
                team=teams[0] if i < measured_cases else teams[(i * len(teams)) // patients],
                navigator=owners[i],
                tumour_site="Lung",
            )
            for i, patient in zip(range(start, stop), batch_patients, strict=True)
        )
        _fill(batch_cases, first_index=start, measured=measured_cases, today=today, now=now)
    return dict(zip(caseloads, measured, strict=True))


def _fill(
    cases: list[Case], *, first_index: int, measured: int, today: dt.date, now: dt.datetime
) -> None:
    """Timeline, messages, assessments, flags, tracked items and tasks for one batch of cases."""
    questionnaire = _questionnaire()
    events: list[TimelineEvent] = []
    items: list[TrackedItem] = []
    messages: list[CaseMessage] = []
    assessments: list[Assessment] = []
    flags: list[CaseFlag] = []
    care_team: list[CareTeamMember] = []
    tasks: list[ChaseTask] = []
    for offset, case in enumerate(cases):
        i = first_index + offset
        full = i < measured
        referred = today - dt.timedelta(days=5 + i % 60)
        events.append(_event(case, TimelineEvent.Kind.URGENT_REFERRAL, referred))
        if i % 3 == 0:
            events.append(
                _event(case, TimelineEvent.Kind.DIAGNOSIS, referred + dt.timedelta(days=3))
            )
        overdue = TrackedItem(
            case=case,
            kind="result",
            state="requested",
            title="Scan result",
            expected_by=today - dt.timedelta(days=1 + i % 9),
            next_chase_on=today,
        )
        items.append(overdue)
        if not full:
            continue
        tasks.append(ChaseTask(item=overdue, assigned_to_id=case.navigator_id, opened_at=now))
        care_team.append(
            CareTeamMember(case=case, user=case.navigator, role=CareTeamMember.Role.NAVIGATOR)
        )
        events.append(_event(case, TimelineEvent.Kind.NOTE, today - dt.timedelta(days=i % 20)))
        items.append(
            TrackedItem(
                case=case,
                kind="appointment",
                state="booked",
                title="Clinic appointment",
                expected_by=today + dt.timedelta(days=7),
                starts_at=now + dt.timedelta(days=1 + i % 14, hours=2),
            )
        )
        messages.append(
            CaseMessage(
                case=case,
                author_kind=CaseMessage.AuthorKind.PATIENT,
                body="Thank you",
                created_at=now - dt.timedelta(days=i % 30),
            )
        )
        assessments.append(
            Assessment(
                case=case,
                questionnaire=questionnaire,
                completed_by=Assessment.CompletedBy.PATIENT,
                started_at=now - dt.timedelta(days=2),
                submitted_at=now - dt.timedelta(days=1),
                distress_score=i % 11,
            )
        )
        if i % 3 == 0:
            flags.append(
                CaseFlag(
                    case=case,
                    kind=CaseFlag.Kind.URGENT_DISTRESS,
                    reason="Distress 8 of 10",
                    raised_at=now - dt.timedelta(hours=3),
                    escalate_after=now + dt.timedelta(hours=1),
                )
            )
    TimelineEvent.objects.bulk_create(events, batch_size=BATCH)
    TrackedItem.objects.bulk_create(items, batch_size=BATCH)
    CaseMessage.objects.bulk_create(messages, batch_size=BATCH)
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    CaseFlag.objects.bulk_create(flags, batch_size=BATCH)
    CareTeamMember.objects.bulk_create(care_team, batch_size=BATCH)
    ChaseTask.objects.bulk_create(tasks, batch_size=BATCH)


def _event(case: Case, kind: str, day: dt.date) -> TimelineEvent:
    return TimelineEvent(
        case=case,
        kind=kind,
        occurred_at=timezone.make_aware(dt.datetime.combine(day, dt.time.min)),
        summary=str(TimelineEvent.Kind(kind).label),
    )


def _questionnaire() -> Questionnaire:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        code="bench-hna", version=1, defaults={"title": "Bench checklist"}
    )
    return questionnaire


def _navigator(email: str) -> User:
    """A navigator with TOTP enrolled, so the MFA middleware and rules let her see patients."""
    user = User.objects.create_user(email, None, role=Role.NAVIGATOR, full_name="Nadia Bench")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    TOTP.activate(user, generate_totp_secret())
    return user


_GIVEN = ("Amira", "Ben", "Chloe", "Dafydd", "Eilidh", "Farah", "George", "Hannah", "Iwan", "Jo")
_FAMILY = ("Evans", "Khan", "Morgan", "Patel", "Roberts", "Smith", "Taylor", "Walsh")
