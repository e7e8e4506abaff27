"""The insight page and its CSV: who reaches it, what it shows, that no figure under 5 (or one
that would let a person be worked out) is ever shown, and that its queries do not grow."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from insight.figures import CLOCKS, FEEDBACK_RESPONSES
from insight.filters import Filters, quarter_start
from insight.presenters import build_table
from insight.sections import SECTIONS, figure_for
from insight.tables import SUPPRESSED, Kind
from navigator.accounts.models import Role
from navigator.organisations.models import Organisation
from tests import factories as f
from tests.insight.conftest import person

pytestmark = pytest.mark.django_db

DIAGNOSED = dt.date(2026, 7, 15)  # in July to September 2026
FIGURES = [figure for section in SECTIONS for figure in section.figures]


@pytest.fixture
def practice(db):
    return f.make_organisation("Riverside Surgery", kind=Organisation.Kind.GP_PRACTICE)


@pytest.fixture
def provider(db):
    return f.make_organisation("Northshire Imaging")


def lung_people(cast, practice, provider, service, count: int, **extra):
    return [
        person(
            team=cast.team,
            practice=practice,
            provider=provider,
            service=service,
            diagnosed=DIAGNOSED + dt.timedelta(days=i % 5),
            navigator=cast.nadia,
            distress=3 + i % 6,
            **extra,
        )
        for i in range(count)
    ]


def csv_cells(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv"
    return list(csv.reader(io.StringIO(response.content.decode())))


def csv_figures(response) -> list[list[str]]:
    """The table's lines: from its column headings to the blank line after its rows."""
    rows = csv_cells(response)
    start = next(i for i, r in enumerate(rows) if r and r[0] == "" and len(r) > 1)
    end = rows.index([], start)
    return rows[start:end]


def assert_nothing_small(table) -> None:
    for row in table.rows:
        for column in table.columns:
            value = row.cells[column.key]
            if column.kind == Kind.COUNT:
                assert value is SUPPRESSED or value >= 5, (table.slug, row.label, column.key, value)
    if table.has_total_row:
        for column in table.count_columns:
            hidden = [r for r in table.rows if r.cells[column.key] is SUPPRESSED]
            assert len(hidden) != 1, (table.slug, column.key, "one hidden cell beside a total")


def test_a_service_manager_sees_every_section_with_its_definitions(
    client, cast, sam, practice, provider, service
):
    lung_people(cast, practice, provider, service, 7)
    client.force_login(sam)

    response = client.get(reverse("insight:page"))

    assert response.status_code == 200
    page = response.content.decode()
    for section in SECTIONS:
        assert escape(section.title) in page
        for figure in section.figures:
            assert escape(figure.title) in page
            assert escape(figure.definition) in page
    assert "fewer than 5" in page
    # Nobody's name or NHS number reaches the page.
    assert cast.paul_patient.family_name not in page
    assert "Person" not in page
    assert cast.paul_patient.nhs_number not in page


def test_figures_of_5_or_more_are_shown(cast, sam, practice, provider, service):
    lung_people(cast, practice, provider, service, 7)
    reach = build_table(FIGURES[0], Filters())
    offered = {row.key: row.cells["offered"] for row in reach.rows}
    assert offered["diagnosis"] == 7
    assert reach.rows[-1].cells["offered"] == 7  # the total, the other rows hidden in twos or more
    timing = build_table(FIGURES[1], Filters())
    assert timing.rows[0].cells["people"] == 7
    assert timing.rows[0].cells["median"] == 10


def test_every_table_and_every_csv_hides_small_figures(
    client, cast, sam, practice, provider, service
):
    lung_people(cast, practice, provider, service, 6)
    person(
        team=cast.other_team,
        tumour_site="Breast",
        diagnosed=DIAGNOSED,
        navigator=cast.oscar,
        distress=9,
        service=service,
        provider=provider,
    )
    client.force_login(sam)
    for filters in (
        Filters(),
        Filters(team=str(cast.team.pk)),
        Filters(tumour_site="Lung"),
        Filters(period=quarter_start(DIAGNOSED).isoformat(), area=str(practice.pk)),
    ):
        for figure in FIGURES:
            table = build_table(figure, filters)
            assert_nothing_small(table)
            rows = csv_cells(
                client.get(reverse("insight:csv", args=[figure.slug]), filters.query())
            )
            header = next(i for i, r in enumerate(rows) if r and r[0] == "" and len(r) > 1)
            for line, row in zip(rows[header + 1 :], table.rows, strict=False):
                assert line[0] == row.label
                for text, column in zip(line[1:], table.columns, strict=True):
                    if column.kind == Kind.COUNT:
                        assert text == "fewer than 5" or int(text) >= 5, (figure.slug, line)


def test_two_filters_one_patient_apart_never_let_that_patient_be_worked_out(
    client, cast, sam, practice, provider, service
):
    """The lung team has 8 lung patients and 1 breast patient: "all tumour sites" and "lung"
    differ by that one person. Subtracting any figure shown under one filter from the same
    figure under the other would tell us about them, so no figure may be shown under both."""
    lung_people(cast, practice, provider, service, 8)
    person(
        team=cast.team,
        tumour_site="Breast",
        practice=practice,
        provider=provider,
        service=service,
        diagnosed=DIAGNOSED,
        navigator=cast.nadia,
        distress=9,
    )
    client.force_login(sam)
    everyone = Filters(team=str(cast.team.pk))
    lung = Filters(team=str(cast.team.pk), tumour_site="Lung")
    derived = []
    for figure in FIGURES:
        wide, narrow = build_table(figure, everyone), build_table(figure, lung)
        wide_csv = csv_figures(
            client.get(reverse("insight:csv", args=[figure.slug]), everyone.query())
        )
        narrow_csv = csv_figures(
            client.get(reverse("insight:csv", args=[figure.slug]), lung.query())
        )
        assert len(wide_csv) == len(wide.rows) + 1
        for wide_row, narrow_row in zip(wide.rows, narrow.rows, strict=True):
            for column in wide.count_columns:
                a, b = wide_row.cells[column.key], narrow_row.cells[column.key]
                if a is not SUPPRESSED and b is not SUPPRESSED:
                    derived.append(f"{figure.slug} {wide_row.label} {column.key}: {a} - {b}")
        for wide_line, narrow_line in zip(wide_csv, narrow_csv, strict=True):
            if wide_line[0] and wide_line[0] == narrow_line[0]:
                for a, b in zip(wide_line[1:], narrow_line[1:], strict=True):
                    if a.isdigit() and b.isdigit() and a != b:
                        derived.append(f"CSV {figure.slug} {wide_line[0]}: {a} - {b}")
    assert not derived, "The breast patient's figures can be worked out:\n" + "\n".join(derived)
    # And the figures are not all hidden: the wider view still shows its large counts.
    reach = build_table(FIGURES[0], everyone)
    assert reach.rows[0].cells["offered"] == 9


def test_the_query_count_does_not_grow_with_the_data(
    client, cast, sam, practice, provider, service
):
    client.force_login(sam)
    filtered = {
        "team": str(cast.team.pk),
        "tumour_site": "Lung",
        "area": str(practice.pk),
        "period": quarter_start(DIAGNOSED).isoformat(),
    }

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("insight:page"), params).status_code == 200
        return len(captured)

    lung_people(cast, practice, provider, service, 2)
    small = (queries({}), queries(filtered))
    lung_people(cast, practice, provider, service, 10, reassessed_codes=("money",))
    person(team=cast.other_team, tumour_site="Breast", diagnosed=DIAGNOSED, navigator=cast.oscar)
    large = (queries({}), queries(filtered))
    assert small == large


def test_a_team_lead_reaches_insight_from_the_worklist(client, cast):
    client.force_login(cast.lena)
    worklist = client.get(reverse("caseload:worklist")).content.decode()
    assert reverse("insight:page") in worklist
    assert client.get(reverse("insight:page")).status_code == 200


@pytest.mark.parametrize("who", ["nadia", "colin", "oscar", "adam", "paul", "carol"])
def test_everyone_else_gets_a_404(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("insight:page")).status_code == 404
    assert client.get(reverse("insight:csv", args=["hna-reach"])).status_code == 404


def test_a_team_lead_without_mfa_must_enrol_first(client, cast):
    lead = f.make_user("new.lead@nav.test", role=Role.TEAM_LEAD)
    f.join(cast.team, lead, lead=True)
    client.force_login(lead)
    assert client.get(reverse("insight:page"))["Location"] == reverse("mfa_activate_totp")


def test_an_unknown_filter_value_says_so_and_shows_everyone(client, sam):
    client.force_login(sam)
    response = client.get(reverse("insight:page"), {"team": "not-a-team", "period": "1999-01-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select a valid choice" in page


def test_an_unknown_table_is_a_404(client, sam):
    client.force_login(sam)
    assert client.get(reverse("insight:csv", args=["no-such-table"])).status_code == 404


def test_pathway_clocks_follow_the_clock_rule(cast, practice, provider, service):
    """Referred 20 days before diagnosis: England's 28-day clock stopped in time; the 62-day
    clock (to first treatment) is still running, and past 62 days by now."""
    lung_people(cast, practice, provider, service, 6)
    clocks = {row.key: row.cells for row in build_table(CLOCKS, Filters()).rows}
    assert clocks["england:FDS28"] == {"met": 6, "running": SUPPRESSED, "missed": SUPPRESSED}
    assert clocks["england:URG62"]["missed"] == 6
    assert clocks["wales:SCP62"] == {"met": SUPPRESSED, "running": SUPPRESSED, "missed": SUPPRESSED}


def test_concerns_count_people_at_their_first_and_latest_assessment(
    cast, practice, provider, service
):
    lung_people(
        cast,
        practice,
        provider,
        service,
        6,
        concern_codes=("money", "pain"),
        reassessed_codes=("money",),
    )
    concerns = {row.label: row.cells for row in build_table(FIGURES[2], Filters()).rows}
    practical = next(cells for label, cells in concerns.items() if cells["again_latest"] == 6)
    assert practical == {"first": 6, "again_first": 6, "again_latest": 6}
    physical = next(
        cells for label, cells in concerns.items() if cells["again_latest"] is SUPPRESSED
    )
    assert physical == {"first": 6, "again_first": 6, "again_latest": SUPPRESSED}


def test_feedback_counts_each_answer_and_only_the_number_of_comments(
    client, cast, sam, practice, provider, service
):
    lung_people(cast, practice, provider, service, 6, survey_comment="My nurse Jo was brusque")
    lung_people(cast, practice, provider, service, 5, survey_answer="very-good")
    lung_people(cast, practice, provider, service, 1, survey_answer="poor")
    overall = figure_for("feedback-diagnosis-overall")
    table = build_table(overall, Filters())
    cells = {row.key: row.cells["answers"] for row in table.rows}
    # 6 good and 5 very good are shown; the one "poor" is hidden with the noughts beside it.
    assert cells["good"] == 6
    assert cells["very-good"] == 5
    assert cells["poor"] is SUPPRESSED
    assert cells["fair"] is SUPPRESSED
    assert cells["total"] == 12
    responses = {row.key: row.cells for row in build_table(FEEDBACK_RESPONSES, Filters()).rows}
    assert responses["diagnosis"] == {"responses": 12, "comments": 6}
    client.force_login(sam)
    page = client.get(reverse("insight:page")).content.decode()
    assert "Patients&#x27; feedback" in page
    assert "Overall, how would you rate the support from your cancer support team?" in page
    csv_text = client.get(reverse("insight:csv", args=["feedback-responses"])).content.decode()
    for shown in (page, csv_text):
        assert "brusque" not in shown
        assert "Person" not in shown
