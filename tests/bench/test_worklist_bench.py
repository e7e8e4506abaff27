"""`python -m bench worklist` at a tiny size, as a developer runs it: it seeds, times and ends
with its summary line, and the query counts it reports are the same at every caseload."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench  # `make test-bench`; `make test` leaves them out

ROOT = Path(__file__).resolve().parents[2]


def test_worklist_bench_ends_with_its_summary_line():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "worklist"],
        cwd=ROOT,
        env={**os.environ, "BENCH_REQUESTS": "5", "BENCH_WORKLIST_PATIENTS": "1400"},
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    match = re.fullmatch(
        r"worklist queries_10=(\d+) queries_300=(\d+) queries_1000=(\d+)"
        r" p95_ratio_300=\d+\.\d\d p95_ratio_1000=\d+\.\d\d",
        summary,
    )
    assert match, summary
    queries = {int(n) for n in match.groups()}
    assert len(queries) == 1 and queries.pop() <= 10
    assert "seeding 1,400 patients" in result.stdout
