"""Real outages for tests: the database pointed at a closed port, and a Redis of the test's own
that it can stop and start again (never the shared servers other tests and engineers use)."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import redis
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper


@contextmanager
def closed_port() -> Iterator[int]:
    """A local TCP port that refuses connections: bound, so nothing else can take it, but not
    listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@contextmanager
def database_unreachable() -> Iterator[None]:
    """Until the block ends, this thread's default database is a PostgreSQL server that is not
    there (a closed port), as during an outage; on SQLite runs too, so `make test` covers it."""
    original = connections["default"]
    with closed_port() as port:
        down = DatabaseWrapper(
            {
                **original.settings_dict,
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "navigator",
                "USER": "navigator",
                "PASSWORD": "",
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "OPTIONS": {"connect_timeout": 2},
                "CONN_MAX_AGE": 0,
            },
            alias="default",
        )
        connections["default"] = down
        try:
            yield
        finally:
            connections["default"] = original


@dataclass
class OwnRedis:
    """A redis-server of the test's own, on a free port, with no persistence."""

    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("CI has Redis, but redis-server is not on the PATH")
            pytest.skip("redis-server is not installed (`make test` installs it)")
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    pytest.fail(f"Our redis-server on port {self.port} did not start")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@contextmanager
def own_redis_server() -> Iterator[OwnRedis]:
    """A redis-server of our own for the block, stopped at the end whatever happened."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = OwnRedis(port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def publishing_to(broker_url: str) -> Iterator[None]:
    """Until the block ends, this process's Celery app sends its tasks (and control messages)
    to `broker_url`, as a web process configured with it would."""
    from navigator.celery import app

    def reset() -> None:
        # The app keeps a connection pool and a producer pool for the broker it first used.
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    # The write and read URLs: the plain one gives way to a CELERY_BROKER_URL variable.
    saved = app.conf.get("broker_write_url"), app.conf.get("broker_read_url")
    app.conf.broker_write_url = app.conf.broker_read_url = broker_url
    reset()
    try:
        yield
    finally:
        app.conf.broker_write_url, app.conf.broker_read_url = saved
        reset()
