"""The insight page at an alliance's year: 100,000 patients and 1,600,000 tracked items.

Seeded in SQL (INSERT ... SELECT over generate_series, PostgreSQL only): 20 teams, 8 tumour
sites, 200 GP practices, 20 providers; for every patient a case diagnosed in the last year,
referral and diagnosis events (pathway clocks), an assessment offer; for 70% an assessment
with three concerns (30% assessed again), high-distress flags; for 60% an agreed plan of three
actions (signposting to 30 services, feedback answers); 16 tracked items a case, one in ten
chased with a chase record, and a chase nudge for half of those.

The default page (every team, all time) is timed as a service manager against the floor
(`bench.floor`), and its queries counted; the page with every filter set is timed and counted
too, for the record. Ends `insight p95_ratio=R queries=N` (the default page). Sizes:
BENCH_INSIGHT_PATIENTS (100,000), BENCH_INSIGHT_ITEMS_PER_CASE (16), BENCH_INSIGHT_REQUESTS
(timed requests of the page, 20: each reads the whole year).
"""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from appointments.models import ChaseRecord, TrackedItem
from bench.floor import measure_floor
from bench.harness import progress
from bench.measure import count_queries, signed_in_client, time_view
from bench.pages import _insert_select
from bench.worklist import nhs_numbers
from careplans.models import (
    Answer,
    Assessment,
    AssessmentOffer,
    CarePlan,
    CaseFlag,
    Concern,
    DirectoryOrganization,
    DirectoryService,
    PlanItem,
    Questionnaire,
    Signpost,
)
from insight import snapshots
from navigator.accounts.models import Role, User
from navigator.env import envint
from navigator.messaging.models import OutboundMessage
from navigator.organisations.models import Organisation, Team
from patients.models import Case, Patient, TimelineEvent

NAME = "insight"
TEAMS = 20
PRACTICES = 200
PROVIDERS = 20
SERVICES = 30
SITES = ["Lung", "Breast", "Colorectal", "Prostate", "Skin", "Head and neck", "Upper GI", "Blood"]
STEM = 999_600_000


def run(*, requests: int) -> dict[str, object]:
    if connection.vendor != "postgresql":
        raise SystemExit("insight: the seed is SQL for PostgreSQL; set DATABASE_URL")
    patients = envint("BENCH_INSIGHT_PATIENTS", 100_000)
    per_case = envint("BENCH_INSIGHT_ITEMS_PER_CASE", 16)
    page_requests = min(requests, envint("BENCH_INSIGHT_REQUESTS", 20))
    progress(NAME, f"seeding {patients:,} patients, {patients * per_case:,} tracked items")
    started = timezone.now()
    seed(patients=patients, per_case=per_case)
    progress(NAME, f"seeded in {(timezone.now() - started).total_seconds():.0f} s: {_sizes()}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    floor, _ = measure_floor(requests=requests)
    # What beat does every 15 minutes: the default view's figures counted ahead of time.
    snapshot = snapshots.refresh()
    progress(NAME, f"default view's figures brought up to date in {snapshot.seconds:.1f} s")

    client = signed_in_client(_service_manager())
    url = reverse("insight:page")
    queries = count_queries(lambda: client.get(url))
    timing = time_view(client, url, requests=page_requests, warmup=1)
    ratio = timing.p95_us / floor.p95_us
    progress(
        NAME,
        f"default page: p50 {timing.p50_us} us, p95 {timing.p95_us} us, {ratio:.2f}x the floor, "
        f"{queries} queries",
    )
    team = Team.objects.order_by("name").first()
    practice = Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE).first()
    assert team is not None and practice is not None  # noqa: S101 - seeded above
    quarter = timezone.localdate().replace(day=1)
    quarter = quarter.replace(month=3 * ((quarter.month - 1) // 3) + 1)
    filtered = (
        f"{url}?team={team.pk}&tumour_site=Lung&area={practice.pk}&period={quarter.isoformat()}"
    )
    filtered_queries = count_queries(lambda: client.get(filtered))
    filtered_timing = time_view(client, filtered, requests=max(page_requests // 2, 2), warmup=1)
    progress(
        NAME,
        f"every filter set: p50 {filtered_timing.p50_us} us, p95 {filtered_timing.p95_us} us, "
        f"{filtered_timing.p95_us / floor.p95_us:.2f}x the floor, {filtered_queries} queries",
    )
    return {"p95_ratio": ratio, "queries": queries}


def _service_manager() -> User:
    email = "bench.manager@bench.test"
    user = User.objects.create_user(email, None, role=Role.SERVICE_MANAGER, full_name="Sam Bench")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def _sizes() -> str:
    counts = {
        "cases": Case.objects.count(),
        "tracked items": TrackedItem.objects.count(),
        "assessments": Assessment.objects.count(),
        "answers": Answer.objects.count(),
        "plan items": PlanItem.objects.count(),
        "chase records": ChaseRecord.objects.count(),
        "messages": OutboundMessage.objects.count(),
    }
    return ", ".join(f"{n:,} {name}" for name, n in counts.items())


@transaction.atomic
def seed(*, patients: int, per_case: int) -> None:
    today = timezone.localdate()
    trust = Organisation.objects.create(ods_code="RBENCH", name="Bench Hospitals", kind="trust")
    teams = [
        str(t.pk)
        for t in Team.objects.bulk_create(
            Team(name=f"Insight team {n:02d}", organisation=trust) for n in range(TEAMS)
        )
    ]
    practices = [
        str(o.pk)
        for o in Organisation.objects.bulk_create(
            Organisation(ods_code=f"G{n:05d}", name=f"Practice {n:03d}", kind="gp_practice")
            for n in range(PRACTICES)
        )
    ]
    providers = [
        str(o.pk)
        for o in Organisation.objects.bulk_create(
            Organisation(ods_code=f"P{n:05d}", name=f"Provider {n:02d}", kind="trust")
            for n in range(PROVIDERS)
        )
    ]
    navigator = User.objects.create(
        email="bench.insight.nav@bench.test", role=Role.NAVIGATOR, password=make_password(None)
    )
    directory = DirectoryOrganization.objects.create(name="Bench support")
    services = [
        str(s.pk)
        for s in DirectoryService.objects.bulk_create(
            DirectoryService(organization=directory, name=f"Support service {n:02d}")
            for n in range(SERVICES)
        )
    ]
    questionnaire = Questionnaire.objects.get(code="hna", is_active=True)
    concerns = [
        pk
        for pk in Concern.objects.filter(domain__questionnaire=questionnaire).values_list(
            "pk", flat=True
        )
    ]
    numbers = nhs_numbers(STEM)
    params: dict[str, Any] = {
        "today": today,
        "teams": teams,
        "practices": practices,
        "providers": providers,
        "services": services,
        "concerns": concerns,
        "sites": SITES,
        "navigator": str(navigator.pk),
        "questionnaire": str(questionnaire.pk),
        "first": f"{STEM}0",
    }
    _insert_select(
        Patient,
        "unnest(%(numbers)s::text[]) WITH ORDINALITY AS n(nhs, i)",
        {
            "nhs_number": "n.nhs",
            "given_name": "'Bench'",
            "family_name": "'Person' || n.i",
            "date_of_birth": "DATE '1940-01-01' + (n.i %% 18000)::int",
            "gp_practice_id": f"(%(practices)s::uuid[])[1 + n.i %% {PRACTICES}]",
            "nation": "CASE WHEN n.i %% 10 = 0 THEN 'wales' ELSE 'england' END",
        },
        {**params, "numbers": [next(numbers) for _ in range(patients)]},
    )
    _insert_select(
        Case,
        f"""(SELECT p.id, row_number() OVER (ORDER BY p.nhs_number) AS i
             FROM {Patient._meta.db_table} p WHERE p.nhs_number >= %(first)s) AS n""",
        {
            "patient_id": "n.id",
            "team_id": f"(%(teams)s::uuid[])[1 + n.i %% {TEAMS}]",
            "navigator_id": "%(navigator)s::uuid",
            "tumour_site": f"(%(sites)s::text[])[1 + n.i %% {len(SITES)}]",
            "diagnosis_date": "%(today)s::date - (n.i %% 365)::int",
            "opened_at": "now() - make_interval(days => (n.i %% 365)::int)",
        },
        params,
    )
    cases = f"""(SELECT c.id, c.diagnosis_date AS d, row_number() OVER (ORDER BY c.id) AS i
        FROM {Case._meta.db_table} c) AS n"""
    for kind, offset in (("urgent_referral", -20), ("diagnosis", 0), ("first_treatment", 40)):
        _insert_select(
            TimelineEvent,
            cases,
            {
                "case_id": "n.id",
                "kind": f"'{kind}'",
                "occurred_at": f"n.d + {offset} + (n.i %% 7) * interval '1 day'",
                "summary": f"'{kind}'",
            },
            params,
        )
    _insert_select(
        AssessmentOffer,
        cases,
        {
            "case_id": "n.id",
            "reason": "'diagnosis'",
            "pathway_point": "(ARRAY['diagnosis','during_treatment','end_of_treatment',"
            "'recurrence'])[1 + n.i %% 4]",
            "status": "CASE WHEN n.i %% 10 < 7 THEN 'accepted' WHEN n.i %% 10 = 7 THEN "
            "'declined' ELSE 'unable' END",
            "offered_at": "n.d + interval '3 days'",
            "take_by": "n.d + 17",
        },
        params,
    )
    # Assessments for 70% of cases, a second one for 30%; the offer points at the first.
    for second in (False, True):
        _insert_select(
            Assessment,
            f"{cases} WHERE n.i %% 10 < {3 if second else 7}",
            {
                "case_id": "n.id",
                "questionnaire_id": "%(questionnaire)s::uuid",
                "offer_status": "'accepted'",
                "pathway_point": "'end_of_treatment'" if second else "'diagnosis'",
                "completed_by": "'patient'",
                "started_at": f"n.d + {90 if second else 5} + (n.i %% 40) * interval '1 day'",
                "submitted_at": f"n.d + {90 if second else 5} + (n.i %% 40) * interval '1 day'",
                "distress_score": f"(n.i + {3 if second else 0}) %% 11",
            },
            params,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {AssessmentOffer._meta.db_table} o SET assessment_id = a.id
                FROM {Assessment._meta.db_table} a
                WHERE a.case_id = o.case_id AND a.pathway_point = 'diagnosis'"""
        )
    assessments = f"""(SELECT a.id, a.case_id, a.submitted_at AS s, a.distress_score AS ds,
        row_number() OVER (ORDER BY a.id) AS i FROM {Assessment._meta.db_table} a) AS n"""
    _insert_select(
        Answer,
        f"{assessments} CROSS JOIN generate_series(0, 2) AS k(j)",
        {
            "assessment_id": "n.id",
            "concern_id": "(%(concerns)s::bigint[])"
            "[1 + (n.i * 7 + k.j * 13) %% array_length(%(concerns)s::bigint[], 1)]",
            "selected": "true",
            "rating": "(n.i + k.j) %% 11",
            "is_priority": "k.j = 0",
        },
        params,
    )
    _insert_select(
        CaseFlag,
        f"{assessments} WHERE n.ds >= 7",
        {
            "case_id": "n.case_id",
            "kind": "'urgent_distress'",
            "reason": "'High distress'",
            "assessment_id": "n.id",
            "raised_at": "n.s",
            "escalate_after": "n.s + interval '8 hours'",
            "acknowledged_at": "n.s + (n.i %% 96) * interval '1 hour'",
        },
        params,
    )
    _insert_select(
        CarePlan,
        f"""(SELECT a.id, a.case_id, a.submitted_at AS s, row_number() OVER (ORDER BY a.id) AS i
             FROM {Assessment._meta.db_table} a WHERE a.pathway_point = 'diagnosis') AS n
             WHERE n.i %% 7 < 6""",
        {
            "case_id": "n.case_id",
            "assessment_id": "n.id",
            "version": "1",
            "status": "'agreed'",
            "created_at": "n.s",
            "updated_at": "n.s",
            "agreed_at": "n.s + (n.i %% 20) * interval '1 day'",
            "agreed_how": "'by_phone'",
            "review_date": "(n.s + interval '90 days')::date",
        },
        params,
    )
    _insert_select(
        PlanItem,
        f"""(SELECT p.id, p.agreed_at AS a, row_number() OVER (ORDER BY p.id) AS i
             FROM {CarePlan._meta.db_table} p) AS n CROSS JOIN generate_series(0, 2) AS k(j)""",
        {
            "plan_id": "n.id",
            "concern_text": "'A concern'",
            "goal": "'A goal'",
            "order": "k.j",
            "owner_kind": "(ARRAY['patient','navigator','gp','service'])[1 + (n.i + k.j) %% 4]",
            "completed_at": "CASE WHEN (n.i + k.j) %% 2 = 0 THEN n.a + interval '10 days' END",
            "signposted_at": "CASE WHEN k.j = 0 THEN n.a END",
            "feedback_answer": "CASE WHEN k.j = 0 THEN (ARRAY['yes','partly','no',''])"
            "[1 + n.i %% 4] ELSE '' END",
        },
        params,
    )
    _insert_select(
        Signpost,
        f"""(SELECT t.id, row_number() OVER (ORDER BY t.id) AS i
             FROM {PlanItem._meta.db_table} t WHERE t.signposted_at IS NOT NULL) AS n""",
        {
            "item_id": "n.id",
            "service_id": f"(%(services)s::uuid[])[1 + n.i %% {SERVICES}]",
            "reasons": "'[]'::jsonb",
        },
        params,
    )
    _insert_select(
        TrackedItem,
        f"{cases} CROSS JOIN generate_series(1, {per_case}) AS k(j)",
        {
            "case_id": "n.id",
            "kind": "(ARRAY['appointment','result','referral','treatment_summary'])"
            "[1 + (n.i + k.j) %% 4]",
            "state": "'attended'",
            "title": "'Item'",
            "expected_by": "n.d + 7 * k.j",
            "responsible_provider_id": f"(%(providers)s::uuid[])[1 + (n.i + k.j) %% {PROVIDERS}]",
            "chase_count": "CASE WHEN (n.i + k.j) %% 10 = 0 THEN 1 + n.i %% 3 ELSE 0 END",
            "closed_at": "CASE WHEN n.d + 7 * k.j < %(today)s::date "
            "THEN n.d + 7 * k.j + (n.i %% 20) * interval '1 day' END",
        },
        params,
    )
    chased = f"""(SELECT t.id, t.expected_by AS e, c.patient_id,
        row_number() OVER (ORDER BY t.id) AS i
        FROM {TrackedItem._meta.db_table} t JOIN {Case._meta.db_table} c ON c.id = t.case_id
        WHERE t.chase_count > 0) AS n"""
    _insert_select(
        ChaseRecord,
        chased,
        {
            "item_id": "n.id",
            "chased_at": "n.e + (1 + n.i %% 9) * interval '1 day'",
            "outcome": "'Phoned'",
            "messages_sent": "1",
        },
        params,
    )
    _insert_select(
        OutboundMessage,
        f"{chased} WHERE n.i %% 2 = 0",
        {
            "idempotency_key": "'bench-insight-' || n.i",
            "channel": "'sms'",
            "to_address": "'+447700900123'",
            "kind": "(ARRAY['chase_patient','chase_provider','chase_escalated'])[1 + n.i %% 3]",
            "body": "'We are chasing'",
            "subject_id": "n.patient_id",
            "status": "CASE WHEN n.i %% 50 = 0 THEN 'failed' ELSE 'delivered' END",
            "not_before": "n.e + interval '1 day'",
            "created_at": "n.e + interval '1 day'",
        },
        params,
    )
