"""API serializers for tracked items, the chase and hospital imports: explicit shapes, no logic."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appointments.models import ChaseTask, ItemKind, ItemState, TrackedItem
from navigator.api import fields as strict

IMPORT_KINDS = (ItemKind.APPOINTMENT, ItemKind.FOLLOW_UP, ItemKind.RESULT)
IMPORT_KIND_CHOICES = [(kind.value, kind.label) for kind in IMPORT_KINDS]
IMPORT_MAX_ROWS = 1000


class TransitionOutput(serializers.Serializer):
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()
    by_name = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_by_name(self, transition: Any) -> str | None:
        return transition.by.get_full_name() if transition.by_id else None


class TrackedItemOutput(serializers.Serializer):
    id = serializers.UUIDField()
    case_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    state = serializers.ChoiceField(choices=ItemState.choices)
    state_label = serializers.CharField(source="get_state_display")
    allowed_states = serializers.ListField(child=serializers.CharField())
    title = serializers.CharField()
    expected_by = serializers.DateField()
    is_open = serializers.BooleanField()
    days_overdue = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField(allow_null=True)
    location = serializers.CharField()
    what_to_bring = serializers.CharField()
    responsible_provider = serializers.CharField(
        source="responsible_provider.name", default=None, allow_null=True
    )
    responsible_provider_ods = serializers.CharField(
        source="responsible_provider.ods_code", default=None, allow_null=True
    )
    source_system = serializers.CharField()
    external_id = serializers.CharField()
    next_chase_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.IntegerField())
    def get_days_overdue(self, item: TrackedItem) -> int:
        return item.days_overdue()


class TrackedItemDetailOutput(TrackedItemOutput):
    transitions = TransitionOutput(many=True, source="transitions.all")


class TrackedItemInput(serializers.Serializer):
    """A new item to track. `state` defaults to the kind's first state (an appointment: to be
    booked). The title is shown to the patient: short, plain, no clinical detail."""

    kind = strict.ChoiceField(choices=ItemKind.choices)
    title = strict.CharField(max_length=200)
    expected_by = strict.DateField()
    state = strict.CharField(required=False, allow_blank=True, max_length=20, default="")
    starts_at = strict.DateTimeField(required=False, allow_null=True, default=None)
    location = strict.CharField(required=False, allow_blank=True, max_length=200, default="")
    what_to_bring = strict.CharField(required=False, allow_blank=True, max_length=300, default="")
    responsible_provider_ods = strict.CharField(
        required=False, allow_blank=True, max_length=10, default=""
    )
    note = strict.CharField(required=False, allow_blank=True, max_length=500, default="")


class TransitionInput(serializers.Serializer):
    """Move the item to `to_state`. A move its kind does not allow is refused (400), naming the
    moves that are allowed. With `expected_version`, a move based on a stale read is refused."""

    to_state = strict.CharField(max_length=30)
    note = strict.CharField(required=False, allow_blank=True, max_length=500, default="")
    expected_version = strict.IntegerField(required=False, allow_null=True, default=None)
    expected_by = strict.DateField(required=False, allow_null=True, default=None)


class ChaseTaskOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=ChaseTask.Status.choices)
    chase_round = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    assigned_to = serializers.CharField(
        source="assigned_to.get_full_name", default=None, allow_null=True
    )
    escalated_to = serializers.CharField(
        source="escalated_to.get_full_name", default=None, allow_null=True
    )
    escalated_at = serializers.DateTimeField(allow_null=True)
    item = TrackedItemOutput()


class ChaseRecordInput(serializers.Serializer):
    """Chased, who (you), the outcome, and when to chase next (none only if the item closed)."""

    outcome = strict.CharField(max_length=500)
    next_chase_on = strict.DateField(allow_null=True)


class ChaseRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    item_id = serializers.UUIDField()
    task_id = serializers.UUIDField(allow_null=True)
    chased_at = serializers.DateTimeField()
    by_name = serializers.CharField(source="by.get_full_name", default=None, allow_null=True)
    outcome = serializers.CharField()
    next_chase_on = serializers.DateField(allow_null=True)


class ImportRowInput(serializers.Serializer):
    """One appointment or result from the hospital system, identified by its `external_id`.

    The case is `case_id`, or the one open case in the team for `nhs_number`. A row whose
    `external_id` is already tracked updates that item (its state moves only as its kind
    allows); any other row creates one. A time without a UTC offset is UK time.
    """

    external_id = strict.CharField(max_length=100)
    kind = strict.ChoiceField(choices=IMPORT_KIND_CHOICES)
    nhs_number = strict.CharField(required=False, allow_blank=True, max_length=12, default="")
    case_id = strict.UUIDField(required=False, allow_null=True, default=None)
    title = strict.CharField(max_length=200)
    state = strict.CharField(required=False, allow_blank=True, max_length=20, default="")
    expected_by = strict.DateField(required=False, allow_null=True, default=None)
    starts_at = strict.DateTimeField(required=False, allow_null=True, default=None)
    location = strict.CharField(required=False, allow_blank=True, max_length=200, default="")
    what_to_bring = strict.CharField(required=False, allow_blank=True, max_length=300, default="")
    responsible_provider_ods = strict.CharField(
        required=False, allow_blank=True, max_length=10, default=""
    )


class ImportInput(serializers.Serializer):
    """Up to 1,000 rows from one source system. All are applied, or none: one malformed row
    rejects the import, with every row's problems listed."""

    source_system = strict.CharField(max_length=60)
    rows = serializers.ListField(
        child=serializers.JSONField(), allow_empty=False, max_length=IMPORT_MAX_ROWS
    )


class ImportRowResult(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's position in `rows`, from 0.")
    external_id = serializers.CharField()
    id = serializers.UUIDField()
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class ImportOutput(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rows = ImportRowResult(many=True)


class ImportRowError(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's position in `rows`, from 0.")
    external_id = serializers.CharField(allow_null=True)
    # The payload's key is `errors`. DRF's metaclass takes declared fields off the class, so this
    # never hides `Serializer.errors` at run time; only the type checker sees the clash.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


class ImportErrorOutput(serializers.Serializer):
    """Nothing was imported. `rows` lists each row's problems; it is empty when the problem is
    not in a row (the JSON, `source_system`, or `rows` itself), which `detail` names."""

    detail = serializers.CharField()
    rows = ImportRowError(many=True)
