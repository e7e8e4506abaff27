"""Django for a benchmark: the real settings, a database of its own, and the summary line.

The database is never the developer's: with DATABASE_URL set, a `bench_<name>_<pid>` database is
created beside the one it names (which is never opened) and dropped afterwards; otherwise SQLite
in a temporary folder. VAR_DIR points into that folder too, so nothing lands in `var/`.
"""

import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType


def progress(name: str, message: str) -> None:
    print(f"{name}: {message}", flush=True)


def summary_line(name: str, figures: Mapping[str, object]) -> str:
    """`NAME key=value ...`: whole numbers as they are, other numbers to two decimal places."""
    parts = [name]
    for key, value in figures.items():
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
        if not text or any(c.isspace() or c == "=" for c in key + text):
            raise ValueError(f"{key}={text!r} would break the summary line")
        parts.append(f"{key}={text}")
    return " ".join(parts)


@contextmanager
def throwaway_database(name: str) -> Iterator[str]:
    """Set Django up against a new database for benchmark `name`; drop it on the way out.

    Yields a description such as `postgresql bench_floor_1234`.
    """
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    # A SIGTERM (CI timing out, `kill`) unwinds like Ctrl-C, so the database is still dropped.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        _setup_django(folder)
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(folder / f"bench_{name}.sqlite3")
        else:
            connection.settings_dict["TEST"]["NAME"] = f"bench_{name}_{os.getpid()}"
        created = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
        try:
            yield f"{connection.vendor} {connection.settings_dict['NAME']}"
        finally:
            teardown_databases(created, verbosity=0)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(folder, ignore_errors=True)


def _setup_django(folder: Path) -> None:
    # Always the real settings (a parent pytest exports tests.settings), in development mode
    # unless the environment says otherwise.
    os.environ["DJANGO_SETTINGS_MODULE"] = "navigator.settings"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ["VAR_DIR"] = str(folder)

    import django
    from django.conf import settings

    django.setup()
    # As Django's test runner does: requests are timed without the debug cursor's bookkeeping.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The app's URLs plus the bare views benchmarks compare against.
    settings.ROOT_URLCONF = "bench.urls"


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    sys.exit(128 + signum)
