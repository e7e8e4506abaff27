"""The app's database connection settings, as PostgreSQL sees them."""

import pytest
from django.db import connection

from tests.workerproc import require_services

pytestmark = pytest.mark.django_db


def test_postgresql_jit_is_off_for_the_apps_connections():
    """JIT compiling cost the worklist 1.8 s of 2.1 s at scale; our queries never repay it."""
    require_services(postgres=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_the_planner_prices_index_reads_for_ssd():
    """With the default 4 the planner read every case to find a caseload of 1,000."""
    require_services(postgres=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)
