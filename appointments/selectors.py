"""Reads of tracked items and the chase with real shape: the query shape lives here."""

import uuid
from collections.abc import Iterable

from django.db.models import F, Prefetch, QuerySet

from appointments.models import (
    ChaseRecord,
    ChaseTask,
    ItemKind,
    TrackedItem,
    TrackedItemTransition,
)
from navigator.accounts.models import User
from patients.models import Case, TimelineEvent
from patients.rules import visible_case_ids


def chase_queue(*, user: User, mine_only: bool = False) -> QuerySet[ChaseTask]:
    """Open chase tasks on the cases `user` works on: escalated first, then the longest
    overdue, then the oldest task. Two queries, however long the queue."""
    cases = visible_case_ids(user, change=True)
    tasks = ChaseTask.objects.open().filter(item__case__in=cases)
    if mine_only:
        tasks = tasks.filter(assigned_to=user)
    # The cases and patients come in a second query for the page's tasks only: joined here,
    # they would be joined for every open task before the sort picks the page.
    return (
        tasks.select_related(
            "item__responsible_provider", "item__responsible_person", "assigned_to", "escalated_to"
        )
        .prefetch_related(Prefetch("item__case", queryset=Case.objects.select_related("patient")))
        .order_by(F("escalated_at").asc(nulls_last=True), "item__expected_by", "opened_at")
    )


def item_by_reference(*, user: User, ref: str) -> TrackedItem | None:
    """The item on a case `user` works on whose reference (`TrackedItem.reference`, the first
    8 hex digits of its id, lower case here) is `ref`; None if none, or if two share it."""
    cases = visible_case_ids(user, change=True)
    low = uuid.UUID(ref + "0" * 24)
    high = uuid.UUID(ref + "f" * 24)
    # A range on the primary key rather than a text match: it reads the index.
    found = list(TrackedItem.objects.filter(pk__gte=low, pk__lte=high, case__in=cases)[:2])
    return found[0] if len(found) == 1 else None


def case_tracked_items(*, case: Case) -> list[TrackedItem]:
    """A case's items, open ones first by date, each with its history, chases and open task."""
    return list(
        TrackedItem.objects.filter(case=case)
        .select_related("responsible_provider", "responsible_person")
        .prefetch_related(
            Prefetch(
                "transitions",
                queryset=TrackedItemTransition.objects.select_related("by"),
            ),
            Prefetch("chase_records", queryset=ChaseRecord.objects.select_related("by")),
            Prefetch(
                "chase_tasks",
                queryset=ChaseTask.objects.open(),
                to_attr="open_tasks",
            ),
        )
        .order_by(F("closed_at").desc(nulls_first=True), "expected_by", "created_at")
    )


# What a patient (or their carer) is shown of their own tracked items, on their home page: what
# they go to or wait for. The rest (plan actions, plan reviews) is the team's own work, or shown
# by the care plan; check-ins and assessment offers are shown once due (their texts say "tell us
# how you are").
PATIENT_ITEM_KINDS = (
    ItemKind.APPOINTMENT,
    ItemKind.FOLLOW_UP,
    ItemKind.RESULT,
    ItemKind.REFERRAL,
    ItemKind.TREATMENT_SUMMARY,
    ItemKind.CANCER_CARE_REVIEW,
    ItemKind.CHECK_IN,
    ItemKind.ASSESSMENT_OFFER,
)


def tracked_items_for_patient(*, case: Case) -> list[TrackedItem]:
    """The case's open items of the kinds a patient is shown, soonest first, each with its
    responsible provider. One query, however many items."""
    return list(
        TrackedItem.objects.open()
        .filter(case=case, kind__in=PATIENT_ITEM_KINDS)
        .select_related("responsible_provider")
        .order_by(F("starts_at").asc(nulls_last=True), "expected_by", "created_at")
    )


def follow_ups_for_events(*, events: Iterable[TimelineEvent]) -> dict[uuid.UUID | None, list[str]]:
    """What the follow-up rules scheduled after each of `events`, in words for staff, by event
    id, soonest first: "Check-in ...: expected by 9 December 2026 (due)". One query."""
    lines: dict[uuid.UUID | None, list[str]] = {}
    items = TrackedItem.objects.filter(source_event__in=[e.pk for e in events]).order_by(
        "expected_by", "created_at"
    )
    for item in items:
        lines.setdefault(item.source_event_id, []).append(
            f"{item.title}: expected by {item.expected_by:%-d %B %Y} "
            f"({item.get_state_display().lower()})"
        )
    return lines
