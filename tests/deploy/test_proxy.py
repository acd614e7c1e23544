"""The app as deployed: gunicorn with deploy/gunicorn.conf.py (threaded workers)
behind Debian's nginx running deploy/nginx.conf, over TLS with a self-signed
certificate.

The admin sign-in lock-out counts the real client address, whatever a client writes
into X-Forwarded-For, and locks nobody else out; slow clients wait in nginx, not in
a worker; oversized bodies are refused unread, by nginx and by the app itself;
hashed static files are cached for a year.
"""

import contextlib
import getpass
import http.client
import json
import re
import socket
import ssl
import subprocess
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from tests.deploy.servers import (
    REPO,
    ScratchDatabase,
    free_port,
    require,
    stop,
    wait_for_port,
)

PASSWORD = "correct horse battery staple"
WORKERS = 3
THREADS = 2
# Loopback addresses of their own (Linux answers all of 127/8), so that nginx sees
# two different clients.
ATTACKER = "127.0.0.2"
COLLEAGUE = "127.0.0.3"
FAILURE_LIMIT = 5
TOO_LARGE = 20 * 1024 * 1024

# The shipped file's placeholders and what the test puts in their place.
PLACEHOLDERS = {
    "server 127.0.0.1:8000;": "server 127.0.0.1:{app_port};",
    "listen 80;": "listen 127.0.0.1:{http_port};",
    "listen 443 ssl http2;": "listen 127.0.0.1:{https_port} ssl http2;",
    "compendium.example.org": "localhost",
    "/etc/ssl/compendium/fullchain.pem": "{folder}/cert.pem",
    "/etc/ssl/compendium/privkey.pem": "{folder}/key.pem",
    "/srv/compendium/staticfiles/": "{folder}/static/",
}
MAIN_CONFIG = """\
daemon off;
user {user};
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/temp/body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;
    include {folder}/compendium.conf;
}}
"""


def site_config(**values):
    """deploy/nginx.conf with test ports and paths, every other directive as shipped."""
    text = (REPO / "deploy" / "nginx.conf").read_text()
    for placeholder, replacement in PLACEHOLDERS.items():
        assert placeholder in text, f"deploy/nginx.conf lost {placeholder!r}"
        text = text.replace(placeholder, replacement.format(**values))
    return text


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The database, gunicorn and nginx, torn down in reverse order."""
    nginx = require("nginx")
    folder = tmp_path_factory.mktemp("proxy")
    (folder / "temp").mkdir()
    ports = {
        "app_port": free_port(),
        "http_port": free_port(),
        "https_port": free_port(),
    }
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-keyout", folder / "key.pem",
            "-out", folder / "cert.pem",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    database = ScratchDatabase("proxy", folder).create()
    env = {
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"https://localhost:{ports['https_port']}",
        "TRUSTED_PROXY_COUNT": "1",
        "AXES_FAILURE_LIMIT": str(FAILURE_LIMIT),
        "STATIC_ROOT": str(folder / "static"),
    }
    processes = []
    try:
        database.manage("migrate", "--no-input", **env)
        database.manage("collectstatic", "--no-input", "-v0", **env)
        for username in ("admin", "other-admin"):
            database.manage(
                "createsuperuser",
                "--no-input",
                "--username",
                username,
                "--email",
                f"{username}@example.org",
                DJANGO_SUPERUSER_PASSWORD=PASSWORD,
                **env,
            )
        gunicorn = subprocess.Popen(
            [
                str(REPO / ".venv" / "bin" / "gunicorn")
                if (REPO / ".venv" / "bin" / "gunicorn").exists()
                else "gunicorn",
                "--config", str(REPO / "deploy" / "gunicorn.conf.py"),
                "compendium.wsgi",
                "--workers", str(WORKERS),
                "--threads", str(THREADS),
                "--bind", f"127.0.0.1:{ports['app_port']}",
                "--pid", str(folder / "gunicorn.pid"),
                "--control-socket", str(folder / "gunicorn.ctl"),
                "--timeout", "30",
            ],
            cwd=REPO,
            env=database.env(**env),
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "gunicorn.log", "w"),  # noqa: SIM115
        )  # fmt: skip
        processes.append(gunicorn)
        (folder / "compendium.conf").write_text(site_config(folder=folder, **ports))
        (folder / "nginx.conf").write_text(
            # Workers as the user running the tests, who can read the temp folders.
            MAIN_CONFIG.format(folder=folder, user=getpass.getuser())
        )
        subprocess.run(
            [nginx, "-t", "-p", folder, "-c", folder / "nginx.conf", "-e", "stderr"],
            check=True,
            capture_output=True,
        )
        proxy = subprocess.Popen(
            [nginx, "-p", folder, "-c", folder / "nginx.conf", "-e", "stderr"],
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "nginx.log", "w"),  # noqa: SIM115
        )
        processes.append(proxy)
        wait_for_port(ports["app_port"], gunicorn)
        wait_for_port(ports["https_port"], proxy)
        yield {**ports, "database": database, "folder": folder}
    finally:
        for process in reversed(processes):
            stop(process)
        database.drop()


class Client:
    """An HTTP(S) client with a source address and cookies of its own."""

    def __init__(self, port, address="127.0.0.1", tls=True):
        self.port, self.address, self.tls = port, address, tls
        self.cookies = {}

    def connection(self, timeout=10):
        if self.tls:
            return http.client.HTTPSConnection(
                "127.0.0.1",
                self.port,
                timeout=timeout,
                source_address=(self.address, 0),
                context=ssl._create_unverified_context(),
            )
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, source_address=(self.address, 0)
        )

    def request(self, method, path, fields=None, headers=None, timeout=10):
        headers = {"Host": "localhost", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://localhost:{self.port}"
        connection = self.connection(timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content

    def sign_in(self, username, password, forwarded_for=None):
        response, content = self.request("GET", "/admin/login/")
        assert response.status == 200, content[:500]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        response, content = self.request(
            "POST",
            "/admin/login/?next=/admin/",
            fields={
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
                "next": "/admin/",
            },
            headers=headers,
        )
        return response.status


def attempts(site, username):
    """axes' records for an account: (address, failures), addresses as text."""
    rows = site["database"].query(
        "SELECT ip_address, failures_since_start FROM axes_accessattempt"
        " WHERE username = ?",
        (username,),
    )
    return [(None if ip is None else str(ip), failures) for ip, failures in rows]


# The sign-in lock-out -----------------------------------------------------------


def test_lock_out_counts_the_real_client_whatever_x_forwarded_for_says(site):
    attacker = Client(site["https_port"], ATTACKER)
    # A different forged address on every try, as a bypass would rotate them;
    # some also forge a whole chain ending in an address of the site's own.
    forged = [
        "203.0.113.1",
        "203.0.113.2, 198.51.100.7",
        "203.0.113.3, 127.0.0.1",
        "not an address",
        "203.0.113.5",
    ]
    assert len(forged) == FAILURE_LIMIT
    statuses = [
        attacker.sign_in("admin", "wrong password", forwarded_for=value)
        for value in forged
    ]
    # The form again each time, until the last failure locks the account.
    assert statuses == [200] * (FAILURE_LIMIT - 1) + [429]

    locked = attacker.sign_in("admin", PASSWORD, forwarded_for="203.0.113.99")

    assert locked == 429
    # axes recorded the address nginx saw, and only that one.
    assert [address for address, _ in attempts(site, "admin")] == [ATTACKER]

    # Not locked for everybody: the same account from another address signs in.
    colleague = Client(site["https_port"], COLLEAGUE)
    assert colleague.sign_in("admin", PASSWORD) == 302
    response, _ = colleague.request("GET", "/admin/")
    assert response.status == 200


def test_a_successful_sign_in_is_recorded_under_the_client_address(site):
    client = Client(site["https_port"], COLLEAGUE)
    assert client.sign_in("other-admin", "wrong", forwarded_for="192.0.2.1") == 200

    assert attempts(site, "other-admin") == [(COLLEAGUE, 1)]
    assert client.sign_in("other-admin", PASSWORD, forwarded_for="192.0.2.2") == 302


# Slow clients -------------------------------------------------------------------


class SlowClients:
    """Sockets that send a request's header a line at a time and never finish it."""

    def __init__(self, port, count, tls, interval=0.3):
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if tls:
                sock = ssl._create_unverified_context().wrap_socket(sock)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
            self.sockets.append(sock)
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.dribble, daemon=True)

    def dribble(self):
        line = 0
        while not self.stopped.wait(self.interval):
            line += 1
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X-Slow-%d: 1\r\n" % line)

    def __enter__(self):
        self.thread.start()
        time.sleep(1)  # every socket has reached whoever reads it
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def timed_health_check(client):
    started = time.monotonic()
    try:
        response, content = client.request(
            "GET", "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=3
        )
    except TimeoutError:
        return None, time.monotonic() - started
    assert json.loads(content) == {"status": "ok", "database": "ok"}
    return response.status, time.monotonic() - started


def test_slow_clients_wait_in_nginx_and_do_not_stall_the_app(site):
    with SlowClients(site["https_port"], count=3 * WORKERS * THREADS, tls=True):
        status, seconds = timed_health_check(Client(site["https_port"]))

    assert status == 200
    assert seconds < 1.5


# Oversized bodies ---------------------------------------------------------------


def send_headers_only(port, tls, length):
    """A sign-in POST announcing a multipart body of `length` bytes, none of it sent:
    an answer within seconds means nobody waited to read the body."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if tls:
        sock = ssl._create_unverified_context().wrap_socket(sock)
    with sock:
        sock.sendall(
            b"POST /admin/login/ HTTP/1.1\r\nHost: localhost\r\n"
            b"X-Forwarded-Proto: https\r\n"
            b"Content-Type: multipart/form-data; boundary=xyz\r\n"
            b"Content-Length: %d\r\n\r\n" % length
        )
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


@pytest.mark.parametrize("through", ["nginx", "app"])
def test_an_oversized_body_is_refused_unread(site, through):
    port, tls = {
        "nginx": (site["https_port"], True),
        "app": (site["app_port"], False),
    }[through]

    status, _ = send_headers_only(port, tls, TOO_LARGE)

    assert status == 413


def test_a_body_under_the_limit_reaches_the_app(site):
    client = Client(site["https_port"])
    response, _ = client.request("GET", "/admin/login/")
    # 1 MiB of form data: no refusal, just Django's CSRF check, which reads it.
    response, _ = client.request(
        "POST", "/admin/login/", fields={"padding": "x" * (1024 * 1024)}
    )

    assert response.status == 403


# Plain HTTP ---------------------------------------------------------------------


def test_plain_http_answers_the_health_check_and_redirects_the_rest(site):
    client = Client(site["http_port"], tls=False)

    health, content = client.request("GET", "/healthz")
    page, _ = client.request("GET", "/practices/?sector=financial")

    assert health.status == 200
    assert json.loads(content) == {"status": "ok", "database": "ok"}
    assert page.status == 301
    assert page.getheader("Location") == "https://localhost/practices/?sector=financial"
    assert page.getheader("Server") == "nginx"  # no version given away


# Static files -------------------------------------------------------------------


def test_hashed_static_files_are_cached_for_a_year_and_served_compressed(site):
    manifest = json.loads((site["folder"] / "static" / "staticfiles.json").read_text())
    plain, hashed = next(
        (name, hashed)
        for name, hashed in manifest["paths"].items()
        if name.endswith(".css")
    )
    client = Client(site["https_port"])

    response, content = client.request(
        "GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"}
    )
    assert response.status == 200
    assert response.getheader("Cache-Control") == (
        "public, max-age=31536000, immutable"
    )
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Content-Type").startswith("text/css")

    response, _ = client.request("GET", f"/static/{plain}")
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=3600"
