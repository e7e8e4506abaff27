"""`python -m bench chase` at a tiny size: it runs, finds the partial index and ends with its
summary line. The figures at full size are in bench/README.md."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench  # `make test-bench`; `make test` leaves them out

ROOT = Path(__file__).resolve().parents[2]
TINY = {
    "BENCH_CHASE_ITEMS": "400",
    "BENCH_CHASE_OVERDUE": "20",
    "BENCH_CHASE_SMALL_ITEMS": "100",
    "BENCH_CHASE_SMALL_OVERDUE": "10",
}
SUMMARY = re.compile(
    r"chase overdue=20 per_item_ratio=\d+\.\d\d duplicates=0 small_vs_large_ratio=\d+\.\d\d "
    r"index=partial texts_per_patient=1\.00"
)


def test_chase_bench_runs_small_and_ends_with_its_summary():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "chase"],
        cwd=ROOT,
        env={**os.environ, **TINY},
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert SUMMARY.fullmatch(lines[-1]), lines[-1]
    assert any("tracked_open_chase_due" in line for line in lines if "plan:" in line)
    assert any(line.startswith("chase: floor: UPDATE ... RETURNING over 20 rows") for line in lines)
    # The 20 overdue items are on 20 patients' cases at one hospital, in one batch: a text
    # to each patient and one email to the hospital.
    assert any("21 messages enqueued" in line for line in lines)
