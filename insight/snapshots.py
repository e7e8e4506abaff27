"""The default view's figures, built ahead of time by a periodic job (`insight.tasks`).

Every figure's table is built exactly as the page would build it (`figure.build`), before
suppression, and stored; the page then suppresses a fresh copy on each request, so what a
manager sees is what a live count would show at `built_at`. Only the default view (no filter
set) is kept: it is the one page everyone opens, and the one that reads the whole year.
A snapshot older than `FRESH_FOR` is ignored (the page counts live again), so a stopped job
never leaves old figures on show.
"""

import datetime as dt
import logging
import pickle  # noqa: S403 - our own objects, written only by refresh() below
import time
from dataclasses import dataclass

from django.utils import timezone

from insight.filters import Filters
from insight.models import FiguresSnapshot
from insight.sections import SECTIONS
from insight.tables import Table

logger = logging.getLogger(__name__)

DEFAULT_VIEW = "default"
FRESH_FOR = dt.timedelta(hours=2)


@dataclass(frozen=True)
class Snapshot:
    built_at: dt.datetime
    tables: dict[str, Table]


def refresh() -> FiguresSnapshot:
    """Build the default view's tables and store them (idempotent: one row, replaced)."""
    started = time.monotonic()
    built_at = timezone.now()
    tables = {
        figure.slug: figure.build(Filters()) for section in SECTIONS for figure in section.figures
    }
    snapshot, _ = FiguresSnapshot.objects.update_or_create(
        key=DEFAULT_VIEW,
        defaults={
            "built_at": built_at,
            "seconds": time.monotonic() - started,
            "tables": pickle.dumps(tables),
        },
    )
    return snapshot


def current(filters: Filters) -> Snapshot | None:
    """The stored tables for `filters`, if they are the default view's and fresh (one query)."""
    if filters.chosen():
        return None
    row = (
        FiguresSnapshot.objects.filter(key=DEFAULT_VIEW, built_at__gte=timezone.now() - FRESH_FOR)
        .only("built_at", "tables")
        .first()
    )
    if row is None:
        return None
    try:
        tables = pickle.loads(bytes(row.tables))  # noqa: S301
    except Exception:  # stored by an older release whose tables no longer load: count live
        logger.warning("insight: stored figures unreadable; counting live", exc_info=True)
        return None
    return Snapshot(row.built_at, tables)
