"""Real processes for the deploy tests: a scratch database of the suite's kind, the
app under gunicorn and Debian's nginx in front, each stopped by its own pid.

Nothing here touches the suite's own test database: the servers run in other
processes, so they get a database of their own, made by `manage.py migrate`.
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import IN_CI

REPO = Path(__file__).resolve().parents[2]
SECRET_KEY = "deploy-test-secret-key-not-for-production-0123456789abcdef"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def stop(process, timeout=15):
    """Stops one process we started, by its pid, and waits for it."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


def require(program):
    """The path of a program the test needs; in CI its absence fails the test."""
    found = shutil.which(program) or next(
        (
            p
            for p in (f"/usr/sbin/{program}", f"/usr/bin/{program}")
            if Path(p).exists()
        ),
        None,
    )
    if found is None:
        message = f"{program} is not installed: run scripts/ensure-test-tools.sh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


class ScratchDatabase:
    """An empty database of the suite's kind (DATABASE_URL: PostgreSQL, else SQLite).

    On PostgreSQL a database named after the suite's own plus a suffix, dropped
    afterwards; on SQLite a file in a temporary folder.
    """

    def __init__(self, suffix, folder):
        suite_url = os.environ.get("DATABASE_URL", "")
        self.is_postgres = suite_url.startswith(("postgres://", "postgresql://"))
        if self.is_postgres:
            parts = urlsplit(suite_url)
            # One a pytest-xdist worker, should two run tests of one module.
            worker = os.environ.get("PYTEST_XDIST_WORKER")
            suffix = f"{suffix}_{worker}" if worker else suffix
            self.name = f"{parts.path.lstrip('/')}_{suffix}"
            self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
            self._admin_url = urlunsplit(parts._replace(path="/postgres"))
        else:
            self.path = Path(folder) / f"{suffix}.sqlite3"
            self.url = f"sqlite:///{self.path}"

    def create(self):
        if self.is_postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self):
        if self.is_postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.path.exists():
            self.path.unlink()

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as connection:
            connection.execute(sql)

    def query(self, sql, params=()):
        if self.is_postgres:
            import psycopg

            with psycopg.connect(self.url) as connection:
                return connection.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.path) as connection:
            return connection.execute(sql, params).fetchall()

    def env(self, **extra):
        """The environment of a process that runs the app on this database."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "REDIS_URL"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="compendium.settings",
            SECRET_KEY=SECRET_KEY,
            DATABASE_URL=self.url,
        )
        env.update(extra)
        return env

    def manage(self, *args, **env):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=self.env(**env),
            capture_output=True,
            text=True,
            check=True,
        )
