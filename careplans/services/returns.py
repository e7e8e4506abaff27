"""The personalised care return: HNA and care plan events in the national dataset's codes and
layout (`careplans.cosd`), as CSV, for a team lead or the management command."""

import csv
import datetime as dt
import io
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from careplans import cosd
from careplans.selectors import personalised_care_return_rows
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import AuditEntry, audit_record_many
from navigator.organisations.models import Team

# A return covers a quarter or so; a longer span is a mistake, and a very large file.
MAX_DAYS = 400


def personalised_care_return_csv(
    *,
    actor: User | None,
    teams: Sequence[Team],
    start: dt.date,
    end: dt.date,
    request: HttpRequest | None = None,
) -> str:
    """The return's CSV (header row of `cosd.RETURN_COLUMNS`, then one row per event).

    It carries NHS numbers, so each patient in it gets one "exported" entry in their audit
    trail, written together. `actor` None: the management command, run by an operator."""
    if end < start:
        raise ValidationError("The end date must be on or after the start date.")
    if (end - start).days > MAX_DAYS:
        raise ValidationError(f"Choose a period of at most {MAX_DAYS} days.")
    rows = personalised_care_return_rows(teams=teams, start=start, end=end)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(cosd.RETURN_COLUMNS)
    writer.writerows(r.values for r in rows)
    summary = f"Exported in the personalised care return ({start:%d %b %Y} to {end:%d %b %Y})"
    audit_record_many(
        actor=actor,
        entries=[
            AuditEntry(
                action=AuditEvent.Action.EXPORT,
                object_type="careplans.personalised_care_return",
                patient_id=patient_id,
                summary=summary,
            )
            for patient_id in dict.fromkeys(r.patient_id for r in rows)
        ],
        request=request,
    )
    return out.getvalue()
