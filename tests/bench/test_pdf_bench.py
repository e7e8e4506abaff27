"""`python -m bench pdf` runs end to end and ends with its summary line (not a timed test)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench  # `make test-bench`; `make test` leaves them out

ROOT = Path(__file__).resolve().parents[2]


def test_the_pdf_benchmark_ends_with_pages_and_the_ratio_per_page():
    result = subprocess.run(
        [sys.executable, "-m", "bench", "pdf"],
        cwd=ROOT,
        env={**os.environ, "BENCH_REQUESTS": "20"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    match = re.fullmatch(r"pdf pages=(\d+) per_page_ratio=(\d+\.\d\d)", lines[-1])
    assert match, lines[-1]
    assert int(match.group(1)) == 4  # the typical plan is a four-page plan
    assert float(match.group(2)) > 0
    assert any(line.startswith("pdf: forked with the time cap") for line in lines)
