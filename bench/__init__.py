"""Benchmarks: `python -m bench NAME` runs one and ends with one summary line (see README.md).

A benchmark is one module in this package with a function `run(*, requests: int) -> dict`, whose
items become the summary line's `key=value` pairs; add it to BENCHMARKS below. Modules are imported
only after Django is set up against a throwaway database, so they may import models at the top.
"""

# name: (module, one line for the list `python -m bench` prints)
BENCHMARKS: dict[str, tuple[str, str]] = {
    "floor": ("bench.floor", "a trivial view through the full middleware stack: the baseline"),
    "worklist": ("bench.worklist", "the navigator's worklist at caseloads of 10, 300 and 1,000"),
    "pdf": ("bench.pdf", "a typical care plan PDF against a trivial page: the cost per page"),
    "pages": ("bench.pages", "five pages and the worklist at 100,000 patients, 10 vs 1,000 items"),
    "chase": ("bench.chase", "one chase run over 10,000 overdue of 1,000,000 items vs UPDATE"),
    "insight": (
        "bench.insight",
        "the insight page at 100,000 patients, 1,600,000 items (PostgreSQL)",
    ),
}
