"""Printing the care plans due for review, in a real browser: the list at phone width, the
button, and the page once the PDFs are ready. axe-core checks each state."""

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import CarePlan
from careplans.services.printing import plans_ready
from tests.browser.conftest import axe_check, sign_in
from tests.careplans.conftest import reference_data_restore
from tests.careplans.sharing_support import agreed_plan
from tests.conftest import Cast
from tests.workerproc import celery_worker, require_services, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nadia_has_the_worker_prepare_the_plans_due_and_sees_them_ready(
    page: Any, live_server: Any, cast: Cast
) -> None:
    require_services(postgres=True, redis=True)
    reference_data_restore()
    cache.clear()
    plan = agreed_plan(cast)
    CarePlan.objects.filter(pk=plan.pk).update(
        review_date=timezone.localdate() + dt.timedelta(days=5)
    )
    plan.refresh_from_db()
    sign_in(page, live_server, cast.nadia)
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto("/cases/")
    page.get_by_role("link", name="Care plans due for review: print them").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Care plans due for review")
    expect(page.get_by_role("table")).to_contain_text("JONES, Paul")
    expect(page.get_by_role("table")).to_contain_text("Not prepared yet")
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    with celery_worker() as worker:
        page.get_by_role("button", name="Prepare all for printing").click()
        expect(page.get_by_text("Preparing 1 care plan for printing")).to_be_visible()
        wait_until(lambda: plans_ready([plan]) == {plan.pk}, timeout=60, explain=worker.log)
    page.reload()

    expect(page.get_by_role("table")).to_contain_text("Ready")
    expect(page.get_by_text("It is ready to print.")).to_be_visible()
    axe_check(page)
    cache.clear()
