"""`python -m bench NAME [--requests N]`: run one benchmark against a database of its own."""

import argparse
import importlib
import sys
from collections.abc import Sequence

from bench import BENCHMARKS
from bench.harness import progress, summary_line, throwaway_database
from navigator.env import envint

DEFAULT_REQUESTS = 2000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run one benchmark; the last line printed is its summary.",
        epilog=_listing(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", nargs="?", help="the benchmark to run")
    parser.add_argument(
        "--requests",
        type=int,
        default=envint("BENCH_REQUESTS", DEFAULT_REQUESTS),
        help="timed requests per measurement (default: $BENCH_REQUESTS or %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.name not in BENCHMARKS:
        if args.name is not None:
            print(f"Unknown benchmark {args.name!r}.", file=sys.stderr)
        parser.print_usage(sys.stderr)
        print(_listing(), file=sys.stderr)
        return 2
    if args.requests < 2:
        parser.error("--requests must be 2 or more")

    module_name, _ = BENCHMARKS[args.name]
    with throwaway_database(args.name) as database:
        progress(args.name, f"database {database}")
        module = importlib.import_module(module_name)
        figures = module.run(requests=args.requests)
    print(summary_line(args.name, figures), flush=True)
    return 0


def _listing() -> str:
    width = max(len(name) for name in BENCHMARKS)
    lines = [f"  {name:<{width}}  {about}" for name, (_, about) in BENCHMARKS.items()]
    return "benchmarks:\n" + "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
