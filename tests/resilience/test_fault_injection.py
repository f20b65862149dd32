"""Fifty phones send through a network that loses answers, while workers die and the database restarts.

The phones behave like ``webapp/static/js/outbox.js``: each observation gets a UUID made on the phone
and stays in the outbox until the server acknowledges it (200/201); a network error, a 429 or a 5xx
keeps it for the next try; any other answer would mark it failed (there must be none). They reach the
app through a proxy of the test's own on loopback that, for a share of requests, lets the server do
the work and then drops the answer. Mid-run every gunicorn worker is killed with SIGKILL while
requests are in flight (a slow upload holds one open), and on PostGIS the database (a throwaway
cluster this test creates, never the one other tests use) is stopped for a few seconds, then
started again.

Asserted: stored rows = distinct UUIDs = what the phones generated, with the content they sent; one
participant per phone (a join resent after a lost answer finds the same participant); no 500 ever;
503 while the database is down; back to normal by itself within a few seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import IN_CI, REPO_ROOT, make_app
from tests.webapp.support import url

PHONES = 50
OBSERVATIONS_PER_PHONE = 8
DROP_SHARE = 0.10
WORKERS = 2
#: How long the PostGIS cluster stays down.
OUTAGE_SECONDS = 4.0

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a proxy that loses answers ------------------------------------------------------------------


class _DroppingProxy(socketserver.ThreadingTCPServer):
    """Forwards one HTTP request per connection; for a share of them, drops the server's answer."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: int, share: float, seed: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = upstream
        self.share = share
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.dropped = 0

    def drop(self) -> bool:
        with self.lock:
            lost = self.random.random() < self.share
            self.dropped += lost
            return lost


class _ProxyHandler(socketserver.BaseRequestHandler):
    server: _DroppingProxy

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(60)
        request = _read_request(client)
        if not request:
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.server.upstream), timeout=60)
        except OSError:
            return  # the phone sees a network error
        with upstream:
            upstream.sendall(request)
            answer = b""
            try:
                while chunk := upstream.recv(65536):
                    answer += chunk
            except OSError:
                return
        if self.server.drop():
            return  # the server did the work; the phone never hears of it
        with contextlib.suppress(OSError):
            client.sendall(answer)


def _read_request(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    # One request per connection: the server closes after answering.
    head = b"\r\n".join(line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:"))
    return head + b"\r\nConnection: close\r\n\r\n" + body


# --- phones ------------------------------------------------------------------------------------------


@dataclass
class _Log:
    statuses: Counter[int] = field(default_factory=Counter)
    network_errors: int = 0
    #: (time, status) of every answer, to see the outage and the recovery.
    timeline: list[tuple[float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int | None) -> None:
        with self.lock:
            if status is None:
                self.network_errors += 1
            else:
                self.statuses[status] += 1
                self.timeline.append((time.monotonic(), status))


def _http(path: str, method: str, body: dict | None, token: str | None, log: _Log) -> tuple[int | None, dict]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(path)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": "application/json", "Connection": "close"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(
            method, parts.path, body=json.dumps(body) if body is not None else None, headers=headers
        )
        response = connection.getresponse()
        raw = response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        log.note(None)
        return None, {}
    finally:
        connection.close()
    log.note(status)
    try:
        return status, json.loads(raw) if raw else {}
    except ValueError:
        return status, {}


@dataclass
class _Phone:
    number: int
    code: str
    base: str
    log: _Log
    #: the API's paths (``api.join``, ``api.create_observation``), built by the app
    paths: dict[str, str]
    join_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    token: str | None = None
    outbox: dict[str, dict] = field(default_factory=dict)
    sent: dict[str, dict] = field(default_factory=dict)
    failed: list[tuple[str, int]] = field(default_factory=list)

    def join(self, deadline: float) -> None:
        while self.token is None and time.monotonic() < deadline:
            status, body = _http(
                self.base + self.paths["join"],
                "POST",
                {"code": self.code, "join_id": self.join_id},
                None,
                self.log,
            )
            if status in (200, 201):
                self.token = body["token"]
            else:
                time.sleep(0.2)

    def record(self, index: int) -> None:
        client_uuid = str(uuid.uuid4())
        self.outbox[client_uuid] = {
            "client_uuid": client_uuid,
            "form": {"key": "marche_exploratoire", "version": 2},
            "captured_at": "2026-03-12T18:30:00+00:00",
            "location": {"lon": 2.2991 + index * 1e-4, "lat": 49.9196, "accuracy_m": 8.0, "source": "gps"},
            "answers": {
                "theme": "eclairage",
                "polarity": "negative",
                "feeling": 2,
                "note": f"téléphone {self.number}, observation {index}",
            },
        }

    def flush(self) -> None:
        for client_uuid, body in list(self.outbox.items()):
            status, _ = _http(self.base + self.paths["observations"], "POST", body, self.token, self.log)
            if status in (200, 201):
                self.sent[client_uuid] = self.outbox.pop(client_uuid)
            elif status == 401:
                # The token answer was lost and replaced: join again (same join id), then retry.
                self.token = None
                self.join(time.monotonic() + 60)
            elif status is None or status == 429 or status >= 500:
                continue
            else:
                self.failed.append((client_uuid, status))
                self.outbox.pop(client_uuid)


# --- servers -----------------------------------------------------------------------------------------


def _gunicorn(path: str, port: int, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ARPENTEUR_DATABASE_URL": path,
        "ARPENTEUR_PHOTO_DIR": str(tmp_path / "photos"),
        "ARPENTEUR_SECRET_KEY": "test",
        "HOME": str(tmp_path),
    }
    return subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            str(WORKERS),
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "critical",
            "--no-control-socket",
            "webapp.wsgi:app",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _paths(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The paths the phones and the health check use, built by the app."""
    return {
        "join": url("api.join", app=app),
        "observations": url("api.create_observation", app=app),
        "healthz": url("public.healthz", app=app),
    }


def _wait_healthy(base: str, process: subprocess.Popen[bytes], healthz: str, seconds: float = 60) -> None:
    log = _Log()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn stopped")
        if _http(base + healthz, "GET", None, None, log)[0] == 200:
            return
        time.sleep(0.2)
    pytest.fail("gunicorn did not answer")


def _worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False)
    return [int(pid) for pid in out.stdout.split()]


def _hold_a_request_open(port: int) -> socket.socket:
    """An upload whose body is still arriving: a worker is busy with it when the workers are killed."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        b"POST /api/v1/observations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n{"
    )
    return sock


def _as_root(command: list[str]) -> list[str]:
    return command if os.geteuid() == 0 else ["sudo", "-n", *command]


def _as_postgres(shell: str) -> list[str]:
    if os.geteuid() == 0:
        return ["su", "postgres", "-c", shell]
    return ["sudo", "-n", "-u", "postgres", "sh", "-c", shell]


@dataclass
class _Cluster:
    """A PostgreSQL cluster of this test's own, which it may stop and start."""

    name: str
    port: int

    def url(self) -> str:
        return f"postgresql+psycopg://arpenteur:arpenteur@127.0.0.1:{self.port}/fault"

    def ctl(self, action: str) -> None:
        subprocess.run(_as_root(["pg_ctlcluster", "15", self.name, action]), check=True, capture_output=True)  # noqa: S603


@pytest.fixture
def throwaway_cluster() -> Iterator[_Cluster]:
    if shutil.which("pg_createcluster") is None:
        if IN_CI:
            pytest.fail("the fault-injection test needs pg_createcluster (postgresql-common) in CI")
        pytest.skip("pg_createcluster is needed to restart a database of the test's own")
    cluster = _Cluster(f"fault{os.getpid()}", _free_port())
    subprocess.run(  # noqa: S603
        _as_root(["pg_createcluster", "15", cluster.name, "--port", str(cluster.port)]),
        check=True,
        capture_output=True,
    )
    try:
        cluster.ctl("start")
        for sql in (
            "CREATE ROLE arpenteur LOGIN PASSWORD 'arpenteur'",
            "CREATE DATABASE fault OWNER arpenteur",
        ):
            subprocess.run(  # noqa: S603
                _as_postgres(f'psql -p {cluster.port} -qc "{sql}"'), check=True, capture_output=True
            )
        subprocess.run(  # noqa: S603
            _as_postgres(f"psql -p {cluster.port} -d fault -qc 'CREATE EXTENSION postgis'"),
            check=True,
            capture_output=True,
        )
        yield cluster
    finally:
        subprocess.run(  # noqa: S603
            _as_root(["pg_dropcluster", "15", cluster.name, "--stop"]), check=False, capture_output=True
        )


@pytest.fixture(params=["spatialite", "postgis"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, _Cluster | None]]:
    if request.param == "spatialite":
        yield f"sqlite:///{tmp_path / 'fault.sqlite'}", None
        return
    cluster = request.getfixturevalue("throwaway_cluster")
    yield cluster.url(), cluster


def test_no_observation_is_lost_duplicated_or_altered_through_faults(database, tmp_path):
    path, cluster = database
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from tests.webapp.capture_support import make_walk
    from webapp.extensions import db
    from webapp.models import Observation, Participant

    app = make_app(path, tmp_path, SQLITE_EXPLICIT_TRANSACTIONS=False, JOIN_GROUP_LIMIT="1000/60")
    with app.app_context():
        upgrade()
        walk = make_walk()
        code, walk_id = walk.join_code, walk.id
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    port = _free_port()
    server = _gunicorn(path, port, tmp_path)
    proxy = _DroppingProxy(port, DROP_SHARE, seed=2026)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{proxy.server_address[1]}"
    log = _Log()
    paths = _paths(app)
    phones = [_Phone(n, code, base, log, paths) for n in range(PHONES)]
    held: list[socket.socket] = []
    outage: tuple[float, float] | None = None
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", server, paths["healthz"])
        deadline = time.monotonic() + 240
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(lambda phone: phone.join(deadline), phones))
            assert all(phone.token for phone in phones), "every phone joins in the end"

            def walk_and_send(phone: _Phone, rounds: range) -> None:
                for index in rounds:
                    phone.record(index)
                    phone.flush()

            half = OBSERVATIONS_PER_PHONE // 2
            first = [pool.submit(walk_and_send, phone, range(half)) for phone in phones]
            # Chaos while the first half is being sent: kill every worker with requests in flight.
            time.sleep(1.0)
            held.append(_hold_a_request_open(port))
            time.sleep(0.3)
            workers = _worker_pids(server.pid)
            assert workers, "gunicorn has workers"
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
            for future in first:
                future.result()
            second = [
                pool.submit(walk_and_send, phone, range(half, OBSERVATIONS_PER_PHONE)) for phone in phones
            ]
            if cluster is not None:
                time.sleep(0.5)
                down = time.monotonic()
                cluster.ctl("stop")
                time.sleep(OUTAGE_SECONDS)
                cluster.ctl("start")
                outage = (down, time.monotonic())
            for future in second:
                future.result()
            # Whatever is left in the outboxes goes on the next flushes, as on reconnection.
            while any(phone.outbox for phone in phones) and time.monotonic() < deadline:
                list(pool.map(lambda phone: phone.flush(), phones))
                time.sleep(0.2)
    finally:
        for sock in held:
            sock.close()
        proxy.shutdown()
        proxy.server_close()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    generated = {u: body for phone in phones for u, body in {**phone.sent, **phone.outbox}.items()}
    failed = [f for phone in phones for f in phone.failed]
    with app.app_context():
        rows = db.session.execute(
            select(Observation.client_uuid, Observation.note, Observation.location_source, Observation.theme)
        ).all()
        participants = db.session.scalar(
            select(func.count(Participant.id)).where(Participant.walk_id == walk_id)
        )
        db.session.remove()
        db.engine.dispose()

    report = (
        f"{'PostGIS' if cluster else 'SpatiaLite'}: phones={PHONES} generated={len(generated)} "
        f"stored={len(rows)} distinct={len({r.client_uuid for r in rows})} participants={participants} "
        f"dropped answers={proxy.dropped} network errors={log.network_errors} statuses={dict(log.statuses)}"
    )
    print(report)
    assert not failed, failed
    assert not any(phone.outbox for phone in phones), "every outbox is empty in the end"
    assert len(generated) == PHONES * OBSERVATIONS_PER_PHONE
    assert len(rows) == len({r.client_uuid for r in rows}) == len(generated), report
    stored = {str(r.client_uuid): r.note for r in rows}
    assert stored == {u: body["answers"]["note"] for u, body in generated.items()}, "content unchanged"
    assert participants == PHONES, report
    assert log.statuses[500] == 0, report
    assert proxy.dropped > 0
    if outage is not None:
        down, up = outage
        during = [status for at, status in log.timeline if down + 0.5 < at < up]
        assert 503 in during, report
        assert 500 not in during
        recovered = [at for at, status in log.timeline if at > up and status in (200, 201)]
        assert recovered and recovered[0] - up < 10, (
            f"back to normal {recovered[0] - up if recovered else None} s"
        )
        print(f"recovered {recovered[0] - up:.1f} s after the database came back")
