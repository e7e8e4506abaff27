"""The navigator's worklist: who sees which cases, what each row says, filters, order, counts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.clocks import case_clocks
from appointments.models import ChaseTask, PathwayStandard, TrackedItem
from careplans.models import Assessment, CaseFlag, Questionnaire
from navigator.audit.models import AuditEvent
from patients.models import Case, CaseMessage
from patients.services import timeline_event_add
from tests import factories as f

pytestmark = pytest.mark.django_db

WORKLIST = reverse("caseload:worklist")
COUNTS = reverse("caseload:worklist_counts")
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def record(case, by, kind: str, day: dt.date) -> None:
    timeline_event_add(case=case, by=by, kind=kind, occurred_at=day, summary=kind)


def names(response) -> list[str]:
    return [row.patient.full_name for row in response.context["rows"]]


def open_case_for(cast, given: str, family: str, **patient_fields) -> Case:
    patient = f.make_patient(given=given, family=family, **patient_fields)
    return f.make_case(patient=patient, team=cast.team, navigator=cast.nadia)


def distress(case, score: int, *, days_ago: int = 1) -> Assessment:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        code="worklist-test", version=1, defaults={"title": "Test checklist"}
    )
    at = timezone.now() - dt.timedelta(days=days_ago)
    return Assessment.objects.create(
        case=case,
        questionnaire=questionnaire,
        completed_by=Assessment.CompletedBy.PATIENT,
        started_at=at,
        submitted_at=at,
        distress_score=score,
    )


def urgent_flag(case) -> CaseFlag:
    now = timezone.now()
    return CaseFlag.objects.create(
        case=case,
        kind=CaseFlag.Kind.URGENT_DISTRESS,
        reason="Distress 9",
        raised_at=now,
        escalate_after=now + dt.timedelta(hours=4),
    )


def overdue_item(case, *, days: int = 3) -> TrackedItem:
    return TrackedItem.objects.create(
        case=case, kind="result", state="requested", title="Scan result", expected_by=ago(days)
    )


# Who may see it ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(WORKLIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["paul", "carol", "olive"])
def test_patients_and_carers_are_refused(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(WORKLIST).status_code == 403
    assert client.get(COUNTS).status_code == 403
    assert not AuditEvent.objects.filter(summary__startswith="Viewed the worklist").exists()


def test_staff_without_mfa_are_sent_to_enrol_first(client, cast):
    newcomer = f.make_user("nina@nav.test", role="navigator", name="Nina New")
    f.join(cast.team, newcomer)
    client.force_login(newcomer)
    response = client.get(WORKLIST)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_navigator_sees_her_own_cases(client, cast):
    client.force_login(cast.nadia)
    assert names(client.get(WORKLIST)) == ["Paul Jones"]


def test_it_hides_other_teams_cases(client, cast):
    client.force_login(cast.oscar)
    assert names(client.get(WORKLIST)) == ["Olive Smith"]
    client.force_login(cast.nadia)
    assert "Olive Smith" not in names(client.get(WORKLIST, {"q": "Olive"}))
    assert names(client.get(WORKLIST, {"q": cast.olive_patient.nhs_number})) == []


def test_a_navigator_cannot_widen_her_list_to_the_team(client, cast):
    colleague_case = open_case_for(cast, "Rita", "Owen")
    colleague_case.navigator = cast.lena
    colleague_case.save()
    client.force_login(cast.nadia)
    response = client.get(WORKLIST, {"scope": "team"})
    assert names(response) == ["Paul Jones"]
    assert response.context["leads"] is False
    assert "My team's cases" not in response.content.decode()


def test_a_team_lead_sees_the_teams_caseload_and_her_own(client, cast):
    own = open_case_for(cast, "Rita", "Owen")
    own.navigator = cast.lena
    own.save()
    client.force_login(cast.lena)
    assert names(client.get(WORKLIST)) == ["Rita Owen"]
    team = client.get(WORKLIST, {"scope": "team"})
    assert sorted(names(team)) == ["Paul Jones", "Rita Owen"]
    assert "Olive Smith" not in names(team)
    html = team.content.decode()
    assert "Team worklist" in html
    assert "Navigator: Nadia Khan" in html


def test_a_clinician_sees_the_cases_whose_care_team_she_is_on(client, cast):
    client.force_login(cast.colin)
    assert names(client.get(WORKLIST)) == ["Paul Jones"]


def test_closed_cases_leave_the_worklist(client, cast):
    cast.paul_case.status = Case.Status.CLOSED
    cast.paul_case.save()
    client.force_login(cast.nadia)
    response = client.get(WORKLIST)
    assert names(response) == []
    assert "You have no open cases" in response.content.decode()


def test_a_listing_writes_one_audit_entry_not_one_per_row(client, cast):
    for n in range(3):
        open_case_for(cast, "Extra", f"Person{n}")
    client.force_login(cast.nadia)
    client.get(WORKLIST, {"q": "999 0"})
    entries = AuditEvent.objects.filter(actor=cast.nadia, path=WORKLIST)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.action == AuditEvent.Action.VIEW
    assert "Viewed the worklist" in entry.summary
    assert "searched for “999 0”" in entry.summary


def test_staff_have_a_worklist_link_in_the_header_and_patients_do_not(client, cast):
    client.force_login(cast.nadia)
    assert f'href="{WORKLIST}">Worklist</a>' in client.get(WORKLIST).content.decode()
    client.force_login(cast.paul)
    assert f'href="{WORKLIST}"' not in client.get(reverse("home")).content.decode()


def test_the_counts_are_not_audited_they_name_no_one(client, cast):
    client.force_login(cast.nadia)
    assert client.get(COUNTS).status_code == 200
    assert not AuditEvent.objects.filter(path=COUNTS).exists()


# What a row shows -------------------------------------------------------------------------


def test_a_row_shows_every_column(client, cast):
    case = cast.paul_case
    record(case, cast.nadia, "urgent_referral", ago(25))
    record(case, cast.nadia, "diagnosis", ago(10))
    distress(case, 8)
    urgent_flag(case)
    item = overdue_item(case)
    ChaseTask.objects.create(item=item, assigned_to=cast.nadia)
    TrackedItem.objects.create(
        case=case,
        kind="appointment",
        state="booked",
        title="Clinic",
        expected_by=TODAY + dt.timedelta(days=3),
        starts_at=NOW + dt.timedelta(days=3, hours=1),
    )
    cast.paul_patient.needs_interpreter = True
    cast.paul_patient.save()

    client.force_login(cast.nadia)
    response = client.get(WORKLIST)
    [row] = response.context["rows"]
    assert row.stage_label == "Diagnosed"
    assert [(c.code, c.days_elapsed, c.length_days) for c in row.clocks] == [("URG62", 25, 62)]
    assert row.distress == 8
    # Recording the diagnosis made follow-up items too (appointments' rules): count them all.
    still_open = TrackedItem.objects.filter(case=case, closed_at__isnull=True)
    assert row.open_items == still_open.count() >= 2
    assert row.overdue == still_open.filter(expected_by__lt=TODAY).count() >= 1
    assert row.open_tasks == 1
    assert timezone.localtime(row.next_appointment) == NOW + dt.timedelta(days=3, hours=1)
    assert row.flags == ["urgent", "overdue", "interpreter"]
    html = response.content.decode()
    number = cast.paul_patient.nhs_number
    assert f"{number[:3]} {number[3:6]} {number[6:]}</span>" in html
    assert "62 days from referral to treatment: day 25 of 62" in html
    assert "8 out of 10" in html
    assert "Fri 27 Nov 2026, 10:00" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Urgent distress</strong>' in html


def test_the_latest_submitted_assessment_gives_the_distress_score(client, cast):
    distress(cast.paul_case, 9, days_ago=20)
    distress(cast.paul_case, 3, days_ago=2)
    client.force_login(cast.nadia)
    [row] = client.get(WORKLIST).context["rows"]
    assert row.distress == 3


def test_an_acknowledged_flag_no_longer_counts_as_urgent(client, cast):
    flag = urgent_flag(cast.paul_case)
    flag.acknowledged_at = timezone.now()
    flag.save()
    client.force_login(cast.nadia)
    [row] = client.get(WORKLIST).context["rows"]
    assert "urgent" not in row.flags


@pytest.mark.parametrize("nation", ["england", "wales", "scotland", "northern_ireland"])
def test_the_clocks_agree_with_the_patients_own_page(client, cast, nation):
    """The SQL clocks here and appointments.clocks (the patient's page) use the same rule."""
    cast.paul_patient.nation = nation
    cast.paul_patient.save()
    case = cast.paul_case
    record(case, cast.nadia, "referral", ago(55))
    record(case, cast.nadia, "urgent_referral", ago(50))
    record(case, cast.nadia, "diagnosis", ago(40))
    record(case, cast.nadia, "decision_to_treat", ago(26))
    client.force_login(cast.nadia)
    [row] = client.get(WORKLIST).context["rows"]
    expected = [
        (c.standard.code, c.days_elapsed, c.status in ("nearing", "missed"))
        for c in case_clocks(case)
        if c.is_running
    ]
    assert expected  # every nation has a running clock in this story
    assert [(c.code, c.days_elapsed, c.near_limit) for c in row.clocks] == expected
    assert ("clock" in row.flags) == any(near for _, _, near in expected)


def test_a_clock_stopped_on_its_start_day_is_not_running(client, cast):
    record(cast.paul_case, cast.nadia, "decision_to_treat", ago(30))
    timeline_event_add(
        case=cast.paul_case,
        by=cast.nadia,
        kind="first_treatment",
        occurred_at=timezone.make_aware(dt.datetime.combine(ago(30), dt.time(8, 0))),
        summary="Treatment",
    )
    client.force_login(cast.nadia)
    [row] = client.get(WORKLIST).context["rows"]
    assert row.clocks == []
    assert "clock" not in row.flags


def test_no_contact_counts_messages_as_contact(client, cast):
    cast.paul_case.opened_at = NOW - dt.timedelta(days=40)
    cast.paul_case.save()
    Case.objects.filter(pk=cast.paul_case.pk).update(opened_at=NOW - dt.timedelta(days=40))
    record(cast.paul_case, cast.nadia, "note", ago(30))
    client.force_login(cast.nadia)
    [row] = client.get(WORKLIST).context["rows"]
    assert "no_contact" in row.flags
    assert row.days_since_contact == 30

    CaseMessage.objects.create(
        case=cast.paul_case, author_kind="patient", body="Hello", created_at=NOW
    )
    [row] = client.get(WORKLIST).context["rows"]
    assert "no_contact" not in row.flags
    assert "Today" in client.get(WORKLIST).content.decode()


# Order, filters, search, counts -----------------------------------------------------------


@pytest.fixture
def caseload(cast):
    """Five people who each need a different thing, in Nadia's caseload (with Paul)."""
    old = NOW - dt.timedelta(days=60)
    people = {
        "urgent": open_case_for(cast, "Una", "Urgent"),
        "overdue": open_case_for(cast, "Owen", "Overdue"),
        "clock": open_case_for(cast, "Clara", "Clock"),
        "quiet": open_case_for(cast, "Quentin", "Quiet"),
        "interpreter": open_case_for(
            cast, "Ines", "Interpreter", needs_interpreter=True, interpreter_language="Polish"
        ),
    }
    Case.objects.filter(pk__in=[c.pk for c in people.values()]).update(opened_at=old)
    Case.objects.filter(pk=cast.paul_case.pk).update(opened_at=old)
    for case in people.values():
        record(case, cast.nadia, "note", ago(5))
    record(cast.paul_case, cast.nadia, "note", ago(3))
    urgent_flag(people["urgent"])
    overdue_item(people["overdue"])
    record(people["clock"], cast.nadia, "urgent_referral", ago(24))  # 28-day clock, warns at 21
    # The referral was booked in time: close the item appointments' rules opened for it.
    TrackedItem.objects.filter(case=people["clock"]).update(closed_at=NOW, state="booked")
    Case.objects.filter(pk=people["quiet"].pk).update(opened_at=NOW - dt.timedelta(days=90))
    people["quiet"].timeline.all().delete()
    return people


def test_the_most_in_need_come_first(client, cast, caseload):
    client.force_login(cast.nadia)
    assert names(client.get(WORKLIST)) == [
        "Una Urgent",  # urgent distress
        "Owen Overdue",  # an overdue item
        "Clara Clock",  # a clock near its limit
        "Quentin Quiet",  # 90 days without contact
        "Ines Interpreter",  # contact 5 days ago
        "Paul Jones",  # contact 3 days ago
    ]


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("urgent", ["Una Urgent"]),
        ("overdue", ["Owen Overdue"]),
        ("clock", ["Clara Clock"]),
        ("interpreter", ["Ines Interpreter"]),
        ("no_contact", ["Quentin Quiet"]),
    ],
)
def test_filter_by_flag(client, cast, caseload, flag, expected):
    client.force_login(cast.nadia)
    assert names(client.get(WORKLIST, {"flag": flag})) == expected


def test_with_no_waiting_time_standards_the_page_and_counts_still_answer(client, cast):
    """A service with no standards loaded (or a database flushed between browser tests) has no
    clocks: the clock filter matches no one, and PostgreSQL is not handed an empty condition."""
    PathwayStandard.objects.all().delete()
    client.force_login(cast.nadia)
    assert client.get(WORKLIST).status_code == 200
    assert names(client.get(WORKLIST, {"flag": "clock"})) == []
    assert client.get(COUNTS).status_code == 200


def test_filter_by_stage(client, cast, caseload):
    record(cast.paul_case, cast.nadia, "diagnosis", ago(2))
    client.force_login(cast.nadia)
    assert names(client.get(WORKLIST, {"stage": "diagnosed"})) == ["Paul Jones"]
    assert names(client.get(WORKLIST, {"stage": "referred"})) == ["Clara Clock"]
    assert "Paul Jones" not in names(client.get(WORKLIST, {"stage": "none"}))


def test_an_unknown_filter_value_is_ignored(client, cast, caseload):
    client.force_login(cast.nadia)
    response = client.get(WORKLIST, {"flag": "nonsense", "sort": "drop table", "page": "x"})
    assert response.status_code == 200
    assert len(names(response)) == 6


@pytest.mark.parametrize("typed", ["spaced", "plain", "padded"])
def test_search_by_nhs_number_with_or_without_spaces(client, cast, caseload, typed):
    patient = caseload["quiet"].patient
    query = {
        "spaced": patient.nhs_number_display,  # 999 000 0123, as on a letter
        "plain": patient.nhs_number,
        "padded": f"  {patient.nhs_number[:5]} {patient.nhs_number[5:]} ",
    }[typed]
    client.force_login(cast.nadia)
    assert names(client.get(WORKLIST, {"q": query})) == ["Quentin Quiet"]


def test_part_of_an_nhs_number_finds_everyone_it_matches(client, cast, caseload):
    client.force_login(cast.nadia)
    prefix = caseload["quiet"].patient.nhs_number_display[:7]
    assert "Quentin Quiet" in names(client.get(WORKLIST, {"q": prefix}))


def test_search_by_name_matches_every_word(client, cast, caseload):
    client.force_login(cast.nadia)
    assert names(client.get(WORKLIST, {"q": "clara"})) == ["Clara Clock"]
    assert names(client.get(WORKLIST, {"q": "ines interp"})) == ["Ines Interpreter"]
    response = client.get(WORKLIST, {"q": "nobody here"})
    assert names(response) == []
    assert "No one matches" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("name", "Clara Clock"),
        ("clock", "Clara Clock"),
        ("overdue", "Owen Overdue"),
        ("contact", "Quentin Quiet"),
    ],
)
def test_sort_by_column(client, cast, caseload, sort, first):
    client.force_login(cast.nadia)
    response = client.get(WORKLIST, {"sort": sort})
    assert names(response)[0] == first
    assert 'aria-sort="' in response.content.decode()


def test_sort_by_distress_puts_the_highest_first_and_the_unassessed_last(client, cast, caseload):
    distress(caseload["quiet"], 9)
    distress(cast.paul_case, 2)
    client.force_login(cast.nadia)
    found = names(client.get(WORKLIST, {"sort": "distress"}))
    assert found[:2] == ["Quentin Quiet", "Paul Jones"]


def test_live_counts_cover_the_whole_caseload_whatever_the_filter(client, cast, caseload):
    client.force_login(cast.nadia)
    counts = client.get(WORKLIST, {"flag": "urgent"}).context["counts"]
    assert counts.total == 6
    assert counts.matching == 1
    assert counts.by_flag == {
        "urgent": 1,
        "overdue": 1,
        "clock": 1,
        "interpreter": 1,
        "no_contact": 1,
    }
    html = client.get(COUNTS).content.decode()
    assert 'hx-trigger="every 60s"' in html
    assert '<strong class="app-worklist-counts__number">1</strong> with urgent distress' in html


def test_a_filter_change_from_htmx_gets_the_results_and_fresh_counts(client, cast, caseload):
    client.force_login(cast.nadia)
    response = client.get(
        WORKLIST,
        {"flag": "clock"},
        headers={"HX-Request": "true", "HX-Target": "worklist-results"},
    )
    html = response.content.decode()
    assert "<h1>" not in html
    assert 'id="worklist-results"' in html
    assert 'hx-swap-oob="true"' in html
    assert names(response) == ["Clara Clock"]


def test_pages_of_25_with_numbered_pagination(client, cast):
    for n in range(30):
        open_case_for(cast, "Person", f"Number{n:02d}")
    client.force_login(cast.nadia)
    first = client.get(WORKLIST, {"sort": "name"})
    assert len(first.context["rows"]) == 25
    html = first.content.decode()
    assert "nhsuk-pagination--numbered" in html
    assert 'aria-current="page">1</a>' in html
    assert "?sort=name&amp;page=2" in html
    second = client.get(WORKLIST, {"sort": "name", "page": 2})
    assert len(second.context["rows"]) == 6
    assert "26 to 31" in second.content.decode()
