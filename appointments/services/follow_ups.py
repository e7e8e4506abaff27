"""Follow-ups: the items the follow-up rules expect after a timeline event."""

import datetime as dt
from typing import Any

from appointments.hooks import follow_up_created
from appointments.models import (
    FollowUpRule,
    ItemKind,
    Responsible,
    TeamFollowUpOffset,
    TrackedItem,
)
from appointments.services.tracked_items import _today, tracked_item_create
from patients.models import TimelineEvent

# A check-in this late when its event is recorded is left out: it would only confuse.
CHECK_IN_LATE_LIMIT_DAYS = 7


def follow_ups_from_event(*, event: TimelineEvent) -> list[TrackedItem]:
    """Create the items the active follow-up rules expect after `event`. Safe to call twice.

    Rules:
    - each active rule whose trigger is the event's kind creates one item, expected by the
      event's day plus the rule's offset (or the case's team's own, `TeamFollowUpOffset`),
      whoever is responsible per the rule;
    - an app above may act on each item created (`appointments.hooks.follow_up_created`:
      careplans offers the assessment an `assessment_offer` item stands for);
    - a check-in more than `CHECK_IN_LATE_LIMIT_DAYS` past its day (the event was recorded
      late) is not created: sent that late, and all at once, it would only confuse;
    - a closed case gets nothing.
    """
    case = event.case
    rules = list(FollowUpRule.objects.filter(trigger=event.kind, active=True))
    if not rules or not case.is_open:
        return []
    done = set(
        TrackedItem.objects.filter(source_event=event, rule__in=rules).values_list(
            "rule_id", flat=True
        )
    )
    today = _today()
    provider = case.treating_providers.order_by("name").first()
    offsets = dict(
        TeamFollowUpOffset.objects.filter(team_id=case.team_id, rule__in=rules).values_list(
            "rule_id", "offset_days"
        )
    )
    created = []
    for rule in rules:
        offset_days = offsets.get(rule.id, rule.offset_days)
        expected_by = event.occurred_on + dt.timedelta(days=offset_days)
        too_late = (today - expected_by).days > CHECK_IN_LATE_LIMIT_DAYS
        if rule.id in done or (rule.item_kind == ItemKind.CHECK_IN and too_late):
            continue
        responsible: dict[str, Any] = {}
        if rule.responsible == Responsible.TREATING_PROVIDER:
            responsible["responsible_provider"] = provider
        elif rule.responsible == Responsible.GP_PRACTICE:
            responsible["responsible_provider"] = case.patient.gp_practice
        else:
            responsible["responsible_person"] = case.navigator
        item = tracked_item_create(
            case=case,
            kind=rule.item_kind,
            state=rule.item_state or None,
            title=rule.title,
            expected_by=expected_by,
            actor=event.recorded_by,
            rule=rule,
            source_event=event,
            note=f"Expected after: {event.get_kind_display().lower()} on "
            f"{event.occurred_on:%d %b %Y}",
            **responsible,
        )
        follow_up_created(item=item, event=event, kind=rule.item_kind)
        created.append(item)
    return created
