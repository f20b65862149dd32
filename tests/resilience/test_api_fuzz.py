"""The API fuzzed by schemathesis against its own OpenAPI document: no 5xx, no schema violation.

The document served with a participant's token describes that walk's form exactly (themes,
sub-themes, each question's type, what is required), so the fuzzer builds observations the server
stores, and follows the document's links to the operations on them. Every check is on: status codes
documented, responses conform, schema-valid requests accepted, schema-violating ones refused.
``DELETE /me`` ends the token, so it gets a run of its own with a token of its own.

With every operation selected, the stateful phase never called ``POST /observations`` (schemathesis
4.32; alone with the operations on one observation it does), so no link reached a stored row: the
whole run has no stateful phase, the links are followed in a run of their own over those four
operations, and the access log must show each of them reaching a stored observation.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, make_app

pytestmark = pytest.mark.slow

EXAMPLES = 40
#: One observation's operations, whose links the stateful phase follows from its creation.
OBSERVATION_OPERATIONS = (
    "POST /observations",
    "GET /observations/{client_uuid}",
    "PUT /observations/{client_uuid}",
    "DELETE /observations/{client_uuid}",
)
SEED = 2026


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _join(base: str, code: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/join",
        data=json.dumps({"code": code}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (loopback only)
        return json.load(response)["token"]


def _schemathesis(base: str, token: str, report: Path, *only: str) -> subprocess.CompletedProcess[str]:
    st = Path(sys.executable).with_name("st")
    selection = list(only) or ["--exclude-operation-id", "eraseMe"]
    return subprocess.run(  # noqa: S603
        [
            str(st),
            "run",
            f"{base}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
            *selection,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=report.parent,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
    )


def test_the_api_holds_to_its_own_schema_under_fuzzing(empty_database_url, tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from tests.webapp.capture_support import make_walk
    from webapp.extensions import db
    from webapp.models import Observation

    app = make_app(empty_database_url, tmp_path, SQLITE_EXPLICIT_TRANSACTIONS=False)
    with app.app_context():
        upgrade()
        code = make_walk().join_code
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    port = _free_port()
    access_log = tmp_path / "access.log"
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s",
            "--no-control-socket",
            "webapp.wsgi:app",
        ],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "ARPENTEUR_DATABASE_URL": empty_database_url,
            "ARPENTEUR_PHOTO_DIR": str(tmp_path / "photos"),
            "ARPENTEUR_SECRET_KEY": "test",
            # the fuzzer joins many times: the wrong-code limit must not turn its checks into 429s
            "ARPENTEUR_JOIN_RATE_LIMIT": "100000/60",
            "HOME": str(tmp_path),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        # its stateful phase is left to the run below: here it never created an observation
        main = _schemathesis(
            base,
            _join(base, code),
            tmp_path / "main.xml",
            "--exclude-operation-id",
            "eraseMe",
            "--phases",
            "examples,coverage,fuzzing",
        )
        links = _schemathesis(
            base,
            _join(base, code),
            tmp_path / "links.xml",
            *[argument for name in OBSERVATION_OPERATIONS for argument in ("--include-name", name)],
            "--phases",
            "stateful",
        )
        erase = _schemathesis(
            base,
            _join(base, code),
            tmp_path / "erase.xml",
            "--include-operation-id",
            "eraseMe",
            "--phases",
            "coverage,fuzzing",
        )
    finally:
        server.terminate()
        server.wait(timeout=20)

    for run in (main, links, erase):
        assert run.returncode == 0, run.stdout[-6000:]
    lines = [line.split() for line in access_log.read_text().splitlines() if len(line.split()) >= 3]
    server_errors = [" ".join(line) for line in lines if line[-1].startswith("5") and line[-1] != "503"]
    created = sum(
        1 for line in lines if (line[0], line[1], line[-1]) == ("POST", "/api/v1/observations", "201")
    )
    with app.app_context():
        left = db.session.scalar(select(func.count(Observation.id)))
        db.session.remove()
        db.engine.dispose()
    print(f"fuzz: {len(lines)} requests, {created} observations stored ({left} left), 5xx: {server_errors}")
    assert not server_errors
    # The fuzzer deletes what it stores (DELETE /observations/{id}, /me/observations): count creations.
    assert created > 0, "the fuzzer never got a valid observation stored: the schema says too little"
    # The links led to stored observations: read, replaced and deleted through the client_uuid the
    # creation answered with (a random one finds nothing: 404).
    reached = {
        (line[0], line[-1]) for line in lines if re.fullmatch(r"/api/v1/observations/[0-9a-f-]{36}", line[1])
    }
    assert {("GET", "200"), ("PUT", "200"), ("DELETE", "204")} <= reached, sorted(reached)
