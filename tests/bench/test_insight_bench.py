"""`python -m bench insight` at a tiny size, as a developer runs it: it seeds, times the page
and ends with its summary line. The seed is SQL for PostgreSQL: skipped on SQLite."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench  # `make test-bench`; `make test` leaves them out

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the insight benchmark seeds with PostgreSQL's generate_series",
)
def test_insight_bench_ends_with_its_summary_line():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "insight"],
        cwd=ROOT,
        env={**os.environ, "BENCH_REQUESTS": "5", "BENCH_INSIGHT_PATIENTS": "1000"},
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"insight p95_ratio=\d+\.\d\d queries=(\d+)", summary)
    assert match, summary
    assert "seeding 1,000 patients, 16,000 tracked items" in result.stdout
    # The default page: one query per table (and per pathway standard), never per patient.
    assert int(match.group(1)) <= 40
