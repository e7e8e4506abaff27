"""`python -m bench pages` at a tiny size, as a developer runs it: it seeds, times the five
pages and the worklist, and ends with its summary line, with every page's queries the same at
10 and 1,000 items."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench  # `make test-bench`; `make test` leaves them out

ROOT = Path(__file__).resolve().parents[2]


def test_pages_bench_ends_with_its_summary_line():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "pages"],
        cwd=ROOT,
        env={**os.environ, "BENCH_REQUESTS": "5", "BENCH_PAGES_PATIENTS": "1500"},
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    ratio = r"\d+\.\d\d"
    assert re.fullmatch(
        rf"pages home_ratio={ratio} case_ratio={ratio} chase_queue_ratio={ratio}"
        rf" gp_ratio={ratio} plans_due_ratio={ratio} worklist_1000_ratio={ratio}"
        r" queries_constant=yes",
        summary,
    ), summary
    assert "seeding 1,500 patients" in result.stdout
