"""A real Celery worker for the tests whose behaviour depends on one.

`celery_worker()` starts `celery -A navigator worker` as a subprocess against the live pytest
database (so the test needs `transactional_db`: the worker only sees committed rows) and the
Redis broker, waits until it answers a ping, and stops it afterwards.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def require_services(*, postgres: bool = False, redis: bool = False) -> None:
    """Skip when PostgreSQL or Redis is not configured; under CI (which has both) fail instead."""
    missing = []
    if postgres and connection.vendor != "postgresql":
        missing.append("PostgreSQL (set DATABASE_URL)")
    if redis and not _redis_answers():
        missing.append("Redis as the Celery broker (set REDIS_URL and CELERY_BROKER_URL)")
    if not missing:
        return
    # Named, so `pytest -ra` lists each skipped test rather than this line once for all of them.
    test = os.environ.get("PYTEST_CURRENT_TEST", "this test").rsplit(" (", 1)[0]
    reason = f"{test} needs " + " and ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(f"CI runs on PostgreSQL and Redis, but {reason}.")
    pytest.skip(reason)


def _redis_answers() -> bool:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def database_url() -> str:
    """The live test database (test_…), as a DATABASE_URL another process can use."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    name: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def celery_worker(
    *, env: dict[str, str] | None = None, ready_timeout: float = 60
) -> Iterator[WorkerProcess]:
    """Run `celery -A navigator worker --pool=solo` until the block ends."""
    from navigator.celery import app

    require_services(postgres=True, redis=True)
    name = f"pytest-{uuid.uuid4().hex[:8]}@localhost"
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "navigator.settings",
        "DEBUG": "true",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # The worker keeps the quiet hours the test set, so the hour the suite runs at cannot
        # turn a retry into a deferral (or the other way round).
        "QUIET_HOURS_START": str(settings.QUIET_HOURS_START),
        "QUIET_HOURS_END": str(settings.QUIET_HOURS_END),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "navigator",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        f"--hostname={name}",
        "--without-gossip",
        "--without-mingle",
        # Tasks left in the test broker by earlier runs name rows that no longer exist.
        "--purge",
    ]
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open for the worker's life
        prefix="celery-worker-", suffix=".log", delete=False
    )
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env=worker_env, stdout=log_file, stderr=subprocess.STDOUT
    )
    worker = WorkerProcess(process, name, Path(log_file.name))
    try:
        deadline = time.monotonic() + ready_timeout
        while not app.control.ping(destination=[name], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start:\n{worker.log()}")
        yield worker
    finally:
        process.terminate()  # warm shutdown: finish the current task, then exit
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()
        worker.log_path.unlink(missing_ok=True)


def wait_until(
    condition: Callable[[], bool], *, timeout: float = 30, explain: Callable[[], str] = str
) -> None:
    """Poll `condition` until it holds; after `timeout` seconds fail, saying `explain()`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s. {explain()}")
        time.sleep(0.2)
