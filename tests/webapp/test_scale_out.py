"""Two `arpenteur serve` instances, as on two hosts, share one PostGIS database and nothing else.

Each instance gets its own empty photo folder and its own home: what one stores, the other must find
in the database. A resident joins and uploads a photo through A; B serves the same bytes; the
resident's deletion through B removes it for A; a zone moved by another process is seen by A's zone
index at once; and wrong join codes are counted across both, not per instance. PostGIS only (the
embedded SQLite is one server by design); never skipped in CI. A team member signed in through one
instance works through the other, a moderation made through one changes the project page another
had kept, and wrong passwords are counted across both.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import POSTGIS_ADMIN_URL, POSTGIS_TEMPLATE, _unavailable, make_app
from tests.webapp.capture_support import ZONE_NAME, jpeg_with_gps, make_walk, payload
from tests.webapp.support import PASSWORD, csrf_from, map_rows, url

ARPENTEUR = str(Path(sys.executable).with_name("arpenteur"))
JOIN_LIMIT = 4
#: Sign-in attempts per address and per account in the test's hour (every attempt counts).
LOGIN_LIMIT = 4
STAFF_EMAIL = "anim-scale@example.org"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _call(
    method: str, address: str, *, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(address, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (loopback only)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _json(method: str, address: str, data: dict, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, _headers, body = _call(method, address, body=json.dumps(data).encode(), headers=headers)
    return status, json.loads(body) if body else {}


@pytest.fixture
def shared_postgis() -> Iterator[str]:
    """A PostGIS database cloned from the test template, for this test alone."""
    admin = sa.create_engine(POSTGIS_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"arpenteur_scale_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{POSTGIS_TEMPLATE}"')
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as error:
        admin.dispose()
        _unavailable(str(error.orig).strip().splitlines()[0])
    yield sa.engine.make_url(POSTGIS_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def two_instances(shared_postgis: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Instances A and B of `arpenteur serve` on one database; yields (app, A, B, join code, folders)."""
    from flask_migrate import upgrade

    from webapp.extensions import db

    app = make_app(shared_postgis, tmp_path / "setup", SQLITE_EXPLICIT_TRANSACTIONS=False)
    with app.app_context():
        upgrade()
        code = make_walk().join_code
        db.session.remove()
        db.engine.dispose()
    servers, bases, folders = [], [], []
    try:
        for name in ("a", "b"):
            home = tmp_path / f"host-{name}"
            folder = home / "photos"  # each "host" has its own empty folder, shared with nobody
            folder.mkdir(parents=True)
            port = _free_port()
            env = {
                **os.environ,
                "HOME": str(home),
                "ARPENTEUR_DATABASE_URL": shared_postgis,
                "ARPENTEUR_PHOTO_DIR": str(folder),
                "ARPENTEUR_SECRET_KEY": "shared-between-the-instances",
                "ARPENTEUR_JOIN_RATE_LIMIT": f"{JOIN_LIMIT}/3600",  # an hour: no window ends mid-test
                "ARPENTEUR_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT}/3600",
                "ARPENTEUR_SECURE_COOKIES": "false",  # plain HTTP on the loopback, no proxy in front
            }
            servers.append(
                subprocess.Popen(  # noqa: S603
                    [ARPENTEUR, "serve", "--port", str(port), "--workers", "1", "--threads", "4"],
                    cwd=home,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
            folders.append(folder)
        for server, base in zip(servers, bases, strict=True):
            deadline = time.monotonic() + 90  # a busy 2-core machine
            while True:
                try:
                    if _call("GET", base + url("public.healthz", app=app))[0] == 200:
                        break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"arpenteur serve did not start: {server.communicate()[1].decode()[-2000:]}")
                time.sleep(0.2)
        yield app, bases[0], bases[1], code, folders
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            assert server.stderr is not None
            server.stderr.close()


def _move_zone_away(app) -> None:  # type: ignore[no-untyped-def]
    from shapely.geometry import MultiPolygon, box

    from webapp.extensions import db
    from webapp.services import projects, zones

    with app.app_context():
        project = projects.get_project("amiens-test")
        far = MultiPolygon([box(2.250, 49.850, 2.260, 49.860)])
        zones.save_custom_zone(project, code="nord-test", name=ZONE_NAME, geometry=far)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_two_instances_share_photos_and_the_join_limit(two_instances):
    app, a, b, code, folders = two_instances

    # A resident joins and records through A, and A stores the photo.
    status, joined = _json("POST", a + url("api.join", app=app), {"code": code})
    assert status == 201, joined
    token = joined["token"]
    body = payload()
    status, first = _json("POST", a + url("api.create_observation", app=app), body, token)
    assert status == 201 and first["zone"]["name"] == ZONE_NAME  # A built its zone index
    photo_uuid = str(uuid.uuid4())
    photo_path = url("api.get_photo", app=app, client_uuid=body["client_uuid"], photo_uuid=photo_uuid)
    auth = {"Authorization": f"Bearer {token}"}
    status, _, _ = _call(
        "PUT", a + photo_path, body=jpeg_with_gps((640, 480)), headers={**auth, "Content-Type": "image/jpeg"}
    )
    assert status == 201

    # B serves the very bytes A stored, with the same headers.
    status_a, headers_a, from_a = _call("GET", a + photo_path, headers=auth)
    status_b, headers_b, from_b = _call("GET", b + photo_path, headers=auth)
    assert (status_a, status_b) == (200, 200)
    assert from_b == from_a and from_b[:2] == b"\xff\xd8"
    for headers in (headers_a, headers_b):
        assert headers["Content-Type"] == "image/jpeg" and headers["Cache-Control"] == "no-store"
    assert headers_b["ETag"] == headers_a["ETag"]
    assert not any(any(folder.iterdir()) for folder in folders), "no instance keeps photos in its own folder"

    # The resident deletes the observation through B: A no longer has the photo.
    observation = url("api.get_observation", app=app, client_uuid=body["client_uuid"])
    assert _call("DELETE", b + observation, headers=auth)[0] == 204
    assert _call("GET", a + photo_path, headers=auth)[0] == 404
    assert _call("GET", b + photo_path, headers=auth)[0] == 404

    # The zone is moved away elsewhere (here, by a third process): A's zone index sees it at once.
    _move_zone_away(app)
    for base in (a, b):
        status, later = _json("POST", base + url("api.create_observation", app=app), payload(), token)
        assert status == 201 and (later["zone"] or {}).get("name") != ZONE_NAME, later

    # Wrong codes alternate between A and B: the limit holds for the total, not per instance.
    statuses = [
        _json("POST", base + url("api.join", app=app), {"code": "ZZZZZZ"})[0]
        for _ in range(JOIN_LIMIT)
        for base in (a, b)
    ]
    assert statuses == [404] * JOIN_LIMIT + [429] * JOIN_LIMIT, statuses


class _Browser:
    """One person's cookies, sent to both instances as a load balancer in front of them would."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, address: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(address, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode()


def _shown_total(page: str) -> int:
    """The number of observations the project page's map heading says it shows."""
    found = re.search(r'<h2 id="carte">[^<]*<small>\((\d+) observations?', page)
    assert found is not None, page[:500]
    return int(found.group(1))


def test_a_team_member_works_through_both_instances_and_their_caches_follow_each_other(two_instances):
    from webapp.extensions import db
    from webapp.models import Observation
    from webapp.models.enums import Role
    from webapp.services import accounts, projects, teams

    app, a, b, code, _folders = two_instances
    with app.app_context():
        user = accounts.create_user(email=STAFF_EMAIL, password=PASSWORD)
        project = projects.get_project("amiens-test")
        teams.add_membership(user, project.id, Role.FACILITATOR)
        slug = project.slug
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    # A resident records an observation through A; it waits for moderation.
    status, joined = _json("POST", a + url("api.join", app=app), {"code": code})
    assert status == 201, joined
    status, created = _json("POST", a + url("api.create_observation", app=app), payload(), joined["token"])
    assert status == 201, created
    with app.app_context():
        observation_id = db.session.scalar(
            sa.select(Observation.id).where(Observation.client_uuid == uuid.UUID(created["client_uuid"]))
        )
        db.session.remove()
        db.engine.dispose()

    # The facilitator signs in through A, then goes on through B: one session for both.
    staff = _Browser()
    login = url("auth.login", app=app)
    status, page = staff.open(a + login)
    assert status == 200
    status, page = staff.open(
        a + login, {"email": STAFF_EMAIL, "password": PASSWORD, "csrf_token": csrf_from(page)}
    )
    assert status == 200, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[-1500:]
    project_page = url("facilitators.project_page", app=app, slug=slug)
    # A draws the project page and keeps it: no validated observation yet.
    status, page = staff.open(a + project_page)
    assert status == 200 and _shown_total(page) == 0 and map_rows(page) == []
    walk_id = created["walk_id"]
    validate = url(
        "facilitators.moderate",
        app=app,
        slug=slug,
        walk_id=walk_id,
        observation_id=observation_id,
        action="valider",
    )
    status, page = staff.open(b + url("facilitators.moderation_queue", app=app, slug=slug, walk_id=walk_id))
    assert status == 200 and validate in page, page[:500]  # B's queue, not its sign-in page
    status, page = staff.open(b + validate, {"csrf_token": csrf_from(page)})
    assert status == 200, page[:500]

    # A's kept page is not served again: A shows the observation B validated, on its map too.
    status, page = staff.open(a + project_page)
    assert status == 200 and _shown_total(page) == 1
    assert [row[4] for row in map_rows(page)] == [observation_id]

    # Wrong passwords alternate between A and B: the limit holds for the total, not per instance
    # (the facilitator's sign-in above succeeded: it gave its attempt back, and does not count).
    wrong = _Browser()
    statuses = []
    for attempt in range(2 * LOGIN_LIMIT):
        base = (a, b)[attempt % 2]
        status, page = wrong.open(base + login)
        form = {
            "email": "personne@example.org",
            "password": "not-the-password",
            "csrf_token": csrf_from(page),
        }
        statuses.append(wrong.open(base + login, form)[0])
    assert statuses == [401] * LOGIN_LIMIT + [429] * LOGIN_LIMIT, statuses
