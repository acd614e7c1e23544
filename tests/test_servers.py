"""Real gunicorn processes over one database, as deployed without Redis.

Each server keeps its own local-memory cache. A publish or unpublish made through
one server's admin shows at once in the other's list, facet counts and ETag, because
both read the content version from the database. With the database gone, a server
answers 503 "temporarily unavailable", its exports included; a worker killed in the
middle of a request is replaced. On SQLite (a file) and on PostgreSQL (the test
database, or one that cannot be reached).
"""

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
SECTOR = "Financial sector"
TITLE = "Shared red flags for banks"
START_TIMEOUT = 30

SEED = f"""
import json
from django.contrib.auth import get_user_model
from tests.factories import PracticeFactory, build_taxonomy

taxonomy = build_taxonomy()
shared = PracticeFactory(
    published=True, title={TITLE!r}, sectors=[taxonomy["financial"]]
)
PracticeFactory(published=True, sectors=[taxonomy["financial"]])
get_user_model().objects.create_superuser("publisher", password={PASSWORD!r})
print(json.dumps({{"pk": shared.pk}}))
"""

pytestmark = pytest.mark.skipif(
    not (Path(sys.executable).parent / "gunicorn").exists(),
    reason="gunicorn is not installed in this environment",
)


def server_env(database_url):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DEBUG", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.server_settings",
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(database_url, *args, code=None):
    command = [sys.executable, "manage.py", *args]
    if code is not None:
        command = [sys.executable, "manage.py", "shell", "-c", code]
    result = subprocess.run(
        command,
        cwd=BASE_DIR,
        env=server_env(database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One gunicorn (its own pid file and control socket) on a free port."""

    def __init__(self, database_url, directory, name, workers=1):
        self.port = free_port()
        self.directory = directory
        self.pidfile = directory / f"{name}.pid"
        self.log = directory / f"{name}.log"
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(BASE_DIR / "deploy" / "gunicorn.conf.py"),
            "compendium.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--pid",
            str(self.pidfile),
            "--control-socket",
            str(directory / f"{name}.ctl"),
            "--timeout",
            "30",
            "--graceful-timeout",
            "2",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=server_env(database_url),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_until_up()

    def wait_until_up(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"gunicorn did not start:\n{self.log.read_text()}")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def workers(self):
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return {int(child) for child in children}

    def request(self, method, path, *, body=None, headers=None):
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            client.request(method, path, body=body, headers=headers or {})
            response = client.getresponse()
            return response.status, response, response.read()
        finally:
            client.close()

    def get(self, path, headers=None):
        status, response, content = self.request("GET", path, headers=headers)
        return Page(status, response, content)


class Page:
    def __init__(self, status, response, content):
        self.status = status
        self.headers = response.headers
        self.text = content.decode("utf-8", errors="replace")

    def __getitem__(self, name):
        return self.headers[name]

    def sector_count(self, name=SECTOR):
        match = re.search(
            rf'{re.escape(name)} <span class="count">\((\d+)\)</span>', self.text
        )
        return int(match.group(1)) if match else 0


class Admin:
    """A publisher signed in to one server's admin, over plain HTTP."""

    def __init__(self, server):
        self.server = server
        self.cookies = {}
        login = self.send("GET", "/admin/login/")
        self.send(
            "POST",
            "/admin/login/?next=/admin/",
            {
                "username": "publisher",
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.form_token(login),
                "next": "/admin/",
            },
            expect=302,
        )
        assert "sessionid" in self.cookies

    @staticmethod
    def form_token(page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def send(self, method, path, data=None, expect=200):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response, content = self.server.request(
            method, path, body=body, headers=headers
        )
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        assert status == expect, content.decode()[:2000]
        return content.decode()

    def act(self, action, pk):
        changelist = "/admin/practices/practice/"
        page = self.send("GET", changelist)
        self.send(
            "POST",
            changelist,
            {
                "action": action,
                "_selected_action": [pk],
                "csrfmiddlewaretoken": self.form_token(page),
            },
            expect=302,
        )


@pytest.fixture
def database_url(tmp_path):
    """A migrated database the servers share: a SQLite file, or on PostgreSQL the
    test database (its rows are committed, and flushed after the test)."""
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        user = urllib.parse.quote(settings["USER"] or "")
        password = settings["PASSWORD"]
        credentials = f"{user}:{urllib.parse.quote(password)}" if password else user
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        return f"postgres://{credentials}@{host}:{port}/{settings['NAME']}"
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    manage(url, "migrate", "--no-input", "-v", "0")
    return url


@pytest.fixture
def seeded(database_url):
    return json.loads(manage(database_url, code=SEED).strip().splitlines()[-1])


@pytest.fixture
def servers(database_url, seeded, tmp_path):
    started = []
    try:
        for name in ("a", "b"):
            started.append(Server(database_url, tmp_path, name))
        yield started
    finally:
        for server in started:
            server.stop()


# On PostgreSQL the servers share the test database: the test commits its rows.
SHARES_THE_TEST_DATABASE = pytest.mark.django_db(transaction=True)


@SHARES_THE_TEST_DATABASE
def test_a_publish_in_one_server_shows_at_once_in_the_other(servers, seeded):
    one, other = servers
    first = other.get("/practices/")
    # Counted and cached in the other server's own memory.
    again = other.get("/practices/?sort=title")
    assert (first.status, first.sector_count(), again.sector_count()) == (200, 2, 2)
    assert TITLE in first.text
    admin = Admin(one)

    admin.act("unpublish", seeded["pk"])

    after = other.get("/practices/")
    assert after.sector_count() == 1
    assert TITLE not in after.text
    assert after["ETag"] != first["ETag"]
    revalidated = other.get("/practices/", headers={"If-None-Match": first["ETag"]})
    assert revalidated.status == 200
    api = json.loads(other.get("/api/v1/practices/").text)
    assert api["count"] == 1

    admin.act("publish", seeded["pk"])

    back = other.get("/practices/")
    assert back.sector_count() == 2
    assert TITLE in back.text
    assert back["ETag"] not in {first["ETag"], after["ETag"]}


PAGES = ["/", "/practices/", "/practices/?sector=financial", "/search/?q=bank"]
EXPORTS = ["/practices/export.csv", "/practices/export.xlsx", "/api/v1/practices/"]


def assert_unavailable(server):
    for path in PAGES + EXPORTS:
        page = server.get(path)
        assert page.status == 503, path
        assert int(page["Retry-After"]) > 0
        assert "no-store" in page["Cache-Control"]
        assert "public" not in page["Cache-Control"]
        assert page["Content-Disposition"] is None
        assert "navailable" in page.text
    assert server.get("/healthz").status == 503


@pytest.mark.postgres
@pytest.mark.parametrize(
    "url",
    [
        # Nothing listens on the port (the server is down).
        "postgres://postgres@127.0.0.1:{port}/cp_caches",
        # The server answers, the database is gone (dropped).
        "postgres://postgres@127.0.0.1:5432/cp_caches_no_such_database",
    ],
)
def test_a_server_without_its_postgres_database_answers_503(tmp_path, url):
    server = Server(url.format(port=free_port()), tmp_path, "down")
    try:
        assert_unavailable(server)
    finally:
        server.stop()


@pytest.mark.sqlite
def test_a_server_whose_sqlite_file_goes_away_answers_503(tmp_path, seeded):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    server = Server(url, tmp_path, "file")
    try:
        assert server.get("/practices/").status == 200
        # Emptied under the running server, whose connection stays open.
        os.truncate(tmp_path / "db.sqlite3", 0)
        assert_unavailable(server)
    finally:
        server.stop()


@pytest.mark.sqlite
def test_a_server_whose_sqlite_file_cannot_be_opened_answers_503(tmp_path):
    server = Server(f"sqlite:///{tmp_path / 'gone' / 'db.sqlite3'}", tmp_path, "gone")
    try:
        assert_unavailable(server)
    finally:
        server.stop()


@SHARES_THE_TEST_DATABASE
def test_a_worker_killed_mid_request_is_replaced(servers):
    server = servers[0]
    (worker,) = server.workers()
    # A request the worker has begun to read: its headers are not finished.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(b"GET /practices/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.3)
        os.kill(worker, signal.SIGKILL)
        # The connection ends, closed or reset, without an answer.
        with contextlib.suppress(ConnectionResetError):
            assert client.recv(1024) == b""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        replaced = server.workers() - {worker}
        if replaced:
            break
        time.sleep(0.1)
    else:
        pytest.fail("no new worker")
    assert server.get("/practices/").status == 200
