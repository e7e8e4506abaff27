"""The case timeline: adding notes and events, filtering by kind with and without htmx."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from navigator.audit.models import AuditEvent
from patients.models import TimelineEvent
from patients.services import timeline_event_add

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 16, 0, tzinfo=LONDON), tick=False)
    return dt.date(2026, 11, 24)


def event_form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "result",
        "occurred_at-day": "20",
        "occurred_at-month": "11",
        "occurred_at-year": "2026",
        "occurred_time": "2:30pm",
        "summary": "CT scan reported",
        "detail": "Report sent to the CNS.",
    }
    data.update(overrides)
    return data


def add(case, by, kind, day, summary, **extra):
    return timeline_event_add(
        case=case, by=by, kind=kind, occurred_at=day, summary=summary, **extra
    )


def test_navigator_adds_an_event_with_a_time(client, cast, today):
    client.force_login(cast.nadia)

    response = client.post(reverse("patients:timeline_add", args=[cast.paul_case.id]), event_form())

    assert response.status_code == 302
    event = cast.paul_case.timeline.get()
    assert event.kind == TimelineEvent.Kind.RESULT and event.time_known
    assert event.occurred_at == dt.datetime(2026, 11, 20, 14, 30, tzinfo=LONDON)
    assert (event.recorded_by, event.shared_with_patient) == (cast.nadia, False)
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_type="patients.timelineevent"
    ).exists()
    html = client.get(response["Location"]).content.decode()
    assert "CT scan reported" in html and "20 November 2026 at 2:30pm" in html
    assert "Report sent to the CNS." in html


def test_a_date_alone_is_kept_as_a_date(client, cast, today):
    client.force_login(cast.nadia)
    client.post(
        reverse("patients:timeline_add", args=[cast.paul_case.id]),
        event_form(occurred_time="", kind="note", shared_with_patient="on"),
    )
    event = cast.paul_case.timeline.get()
    assert not event.time_known and event.occurred_on == dt.date(2026, 11, 20)
    assert event.shared_with_patient


def test_future_dates_bad_times_and_missing_fields_are_explained(client, cast, today):
    client.force_login(cast.nadia)
    url = reverse("patients:timeline_add", args=[cast.paul_case.id])

    html = client.post(
        url, event_form(**{"occurred_at-day": "25", "occurred_time": ""})
    ).content.decode()
    assert '<a href="#id_occurred_at-day">The date must be today or in the past.</a>' in html
    assert 'value="25"' in html and 'value="CT scan reported"' in html

    html = client.post(url, event_form(occurred_time="25:00", summary="", kind="")).content.decode()
    assert '<a href="#id_occurred_time">Enter a real time, like 14:30 or 2:30pm</a>' in html
    assert '<a href="#id_summary">Enter a summary of what happened</a>' in html
    assert '<a href="#id_kind">Choose what kind of event this is</a>' in html
    assert not cast.paul_case.timeline.exists()


def test_filtering_by_kind_without_javascript_returns_the_whole_page(client, cast, today):
    add(cast.paul_case, cast.nadia, "urgent_referral", dt.date(2026, 11, 1), "GP referral")
    add(cast.paul_case, cast.nadia, "note", dt.date(2026, 11, 2), "Rang Paul")
    client.force_login(cast.colin)
    url = reverse("patients:timeline", args=[cast.paul_case.id])

    html = client.get(url).content.decode()
    assert "GP referral" in html and "Rang Paul" in html and "2 events" in html

    html = client.get(url, {"kind": "note"}).content.decode()
    assert "<html" in html and "Rang Paul" in html and "GP referral" not in html
    assert '<option value="note" selected>' in html


def test_filtering_with_htmx_returns_only_the_list(client, cast, today):
    add(cast.paul_case, cast.nadia, "urgent_referral", dt.date(2026, 11, 1), "GP referral")
    add(cast.paul_case, cast.nadia, "note", dt.date(2026, 11, 2), "Rang Paul")
    client.force_login(cast.nadia)
    before = AuditEvent.objects.count()

    response = client.get(
        reverse("patients:timeline", args=[cast.paul_case.id]),
        {"kind": "urgent_referral"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert html.lstrip().startswith("<div") and "<html" not in html
    assert 'id="timeline-list"' in html and "GP referral" in html and "Rang Paul" not in html
    assert AuditEvent.objects.count() == before + 1


def test_overview_shows_the_latest_events(client, cast, today):
    for day in range(1, 8):
        add(cast.paul_case, cast.nadia, "note", dt.date(2026, 11, day), f"Note {day}")
    client.force_login(cast.nadia)
    html = client.get(reverse("caseload:case_detail", args=[cast.paul_case.id])).content.decode()
    assert "Note 7" in html and "Note 3" in html and "Note 2" not in html


@pytest.mark.parametrize("who", ["oscar", "adam"])
def test_timeline_pages_are_404_outside_the_case(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("patients:timeline", args=[cast.paul_case.id])).status_code == 404
    add_url = reverse("patients:timeline_add", args=[cast.paul_case.id])
    assert client.get(add_url).status_code == 404
    assert client.post(add_url, event_form()).status_code == 404
    assert not cast.paul_case.timeline.exists()


@pytest.mark.parametrize("who", ["paul", "carol"])
def test_patient_and_carer_cannot_add_events(client, cast, who, today):
    client.force_login(getattr(cast, who))
    add_url = reverse("patients:timeline_add", args=[cast.paul_case.id])
    assert client.post(add_url, event_form()).status_code == 404
    assert not cast.paul_case.timeline.exists()


def test_patient_opening_the_timeline_url_gets_their_own_page(client, cast):
    client.force_login(cast.paul)
    response = client.get(reverse("patients:timeline", args=[cast.paul_case.id]))
    assert response["Location"] == f"{reverse('home')}?case={cast.paul_case.id}"


def test_nothing_is_added_to_a_closed_case(cast, today):
    cast.paul_case.status = "closed"
    cast.paul_case.save()
    with pytest.raises(ValidationError) as error:
        add(cast.paul_case, cast.nadia, "note", today, "Late note")
    assert "closed" in str(error.value)


def test_a_first_diagnosis_gives_the_case_its_diagnosis_date(cast, today):
    assert cast.paul_case.diagnosis_date is None
    add(cast.paul_case, cast.nadia, "diagnosis", dt.date(2026, 11, 18), "Diagnosis confirmed")
    add(cast.paul_case, cast.nadia, "diagnosis", dt.date(2026, 11, 20), "Second opinion")
    cast.paul_case.refresh_from_db()
    assert cast.paul_case.diagnosis_date == dt.date(2026, 11, 18)
