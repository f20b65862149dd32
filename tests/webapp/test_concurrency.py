"""Several gunicorn worker processes receive the same observations resent in parallel: one row per UUID.

Runs on SpatiaLite (WAL) and on PostGIS, on a fresh migrated database, loopback only, with a bounded
number of requests. The join rate limit is checked across the same workers.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, make_app
from tests.webapp.capture_support import make_walk, payload
from tests.webapp.support import url

WORKERS = 4
DISTINCT = 40
RESENDS = 3
JOIN_LIMIT = 5

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(path: str, body: dict | None = None, token: str | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (loopback only)
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


@pytest.fixture
def served(empty_database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """gunicorn with several workers on a fresh migrated database; yields (base URL, token, app)."""
    from flask_migrate import upgrade

    from webapp import transaction
    from webapp.extensions import db
    from webapp.services import participants

    app = make_app(empty_database_url, tmp_path, SQLITE_EXPLICIT_TRANSACTIONS=False)
    with app.app_context():
        upgrade()
        with transaction.unit_of_work():
            walk = make_walk()
            _, token = participants.add_participant(walk)
        db.session.remove()
        db.engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "ARPENTEUR_DATABASE_URL": empty_database_url,
        "ARPENTEUR_PHOTO_DIR": str(tmp_path / "photos"),
        "ARPENTEUR_JOIN_RATE_LIMIT": f"{JOIN_LIMIT}/3600",  # an hour: no window boundary mid-test
        "ARPENTEUR_SECRET_KEY": "test",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "webapp.wsgi:app",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # four workers booting on a busy 2-core machine
        while True:
            try:
                if _request(base + url("public.healthz", app=app)) == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                # stop it first: reading the pipe of a live process would wait forever
                process.kill()
                pytest.fail(f"gunicorn did not start: {process.communicate()[1].decode()[-2000:]}")
            time.sleep(0.2)
        yield base, token, app
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def test_parallel_resends_across_worker_processes_store_one_row_per_uuid_and_wrong_codes_stay_limited(
    served,
):
    base, token, app = served
    send, join = base + url("api.create_observation", app=app), base + url("api.join", app=app)
    bodies = [payload(answers={"note": f"observation {i}"}) for i in range(DISTINCT)]
    # Every submission sent RESENDS times, interleaved, from 16 client threads.
    sends = [body for _ in range(RESENDS) for body in bodies]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda body: _request(send, body, token), sends))
        joins = list(pool.map(lambda _: _request(join, {"code": "K7PM3Q"}), range(12)))
        wrong = list(pool.map(lambda _: _request(join, {"code": "ZZZZZZ"}), range(12)))
    assert set(statuses) <= {200, 201}, statuses
    assert statuses.count(201) == DISTINCT
    # A group behind one address joins with the right code; wrong codes are limited, and the
    # limit is counted in the database, so it holds whichever worker answers.
    assert joins.count(201) == 12, joins
    assert wrong.count(404) == JOIN_LIMIT, wrong
    assert wrong.count(429) == 12 - JOIN_LIMIT

    from webapp.extensions import db
    from webapp.services import observations

    with app.app_context():
        assert observations.count_observations() == DISTINCT
        db.session.remove()
        db.engine.dispose()


def _put_photo(path: str, data: bytes, token: str) -> int:
    request = urllib.request.Request(
        path,
        data=data,
        headers={"Content-Type": "image/jpeg", "Authorization": f"Bearer {token}"},
        method="PUT",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (loopback only)
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def test_concurrent_photo_uploads_never_exceed_the_limit_per_observation(served):
    import io
    import uuid

    from PIL import Image

    base, token, app = served
    body = payload(answers={"note": "photos en parallèle"})
    assert _request(base + url("api.create_observation", app=app), body, token) == 201
    out = io.BytesIO()
    Image.effect_noise((400, 300), 50).convert("RGB").save(out, "JPEG")
    photos = [
        base + url("api.put_photo", app=app, client_uuid=body["client_uuid"], photo_uuid=uuid.uuid4())
        for _ in range(12)
    ]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda photo: _put_photo(photo, out.getvalue(), token), photos))

    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Photo

    with app.app_context():
        stored = db.session.scalar(select(func.count(Photo.id)))
        db.session.remove()
        db.engine.dispose()
    assert stored == 3, statuses
    assert statuses.count(201) == 3 and statuses.count(422) == 9, statuses


def test_fifty_identical_resends_without_a_capture_time_store_one_row(served):
    import time

    base, token, app = served
    body = payload(answers={"note": "sans heure de saisie"})
    del body["captured_at"]
    send = base + url("api.create_observation", app=app)
    first = _request(send, body, token)
    time.sleep(1.1)  # later resends reach the server in another second
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: _request(send, body, token), range(49)))
    assert first == 201 and statuses == [200] * 49, statuses
