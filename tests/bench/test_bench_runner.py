"""`python -m bench` run as a developer runs it, so the runner cannot rot unnoticed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench  # `make test-bench`; `make test` leaves them out

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        env={**os.environ, "BENCH_REQUESTS": "20"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_floor_ends_with_one_summary_line():
    result = run_bench("floor")

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    summary = lines[-1]
    assert re.fullmatch(r"floor requests=20 p50_us=\d+ p95_us=\d+ queries=\d+", summary), summary
    assert [line for line in lines if line.startswith("floor ")] == [summary]


def test_an_unknown_name_lists_the_benchmarks():
    result = run_bench("no-such-benchmark")

    assert result.returncode == 2
    assert "floor" in result.stderr
    assert result.stdout == ""


def test_no_name_lists_the_benchmarks():
    result = run_bench()

    assert result.returncode == 2
    assert "floor" in result.stderr
