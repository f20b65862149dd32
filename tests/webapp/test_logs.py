"""Logs never contain observation text, join codes or tokens.

Three levels: the masking rules on the line formats we know (werkzeug, gunicorn, SQLAlchemy, headers);
the app driven through every path that carries a secret with every logger at DEBUG (both databases);
and real servers — werkzeug's development server in a thread and ``arpenteur serve`` (gunicorn) in a
process — whose own access and error lines are read back.
"""

from __future__ import annotations

import http.cookiejar
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.webapp.capture_support import make_walk, payload
from tests.webapp.support import csrf_from, old_url, url
from webapp import logs

CODE = "K7PM3Q"
MARKER = "NOTE-MARQUEUR-7731"
PROPOSAL_MARKER = "PROPOSITION-MARQUEUR-5520"
INVITATION = "inv" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6"
RESET = "rst" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4"


def _secrets(*extra: str) -> list[str]:
    return [CODE, MARKER, PROPOSAL_MARKER, INVITATION, RESET, *[e for e in extra if e]]


# --- the rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "hidden", "kept"),
    [
        ('127.0.0.1 - - [25/Nov/2026 10:00:00] "GET /m/K7PM3Q HTTP/1.1" 200 -', "K7PM3Q", "/m/***"),
        ('"POST /m/K7PM3Q/mes-donnees/effacer HTTP/1.1" 303', "K7PM3Q", "/mes-donnees/effacer"),
        ('"GET /rejoindre?code=K7PM3Q&lang=fr HTTP/1.1" 200', "K7PM3Q", "lang=fr"),
        ('"GET /api/v1/walk HTTP/1.1" 200 12 "https://x.org/m/K7PM3Q" "Mozilla"', "K7PM3Q", "/api/v1/walk"),
        (f'"GET /auth/invitation/{INVITATION} HTTP/1.1" 200', INVITATION, "/auth/invitation/***"),
        (f'"POST /auth/reinitialiser/{RESET} HTTP/1.1" 302', RESET, "/auth/reinitialiser/***"),
        (f'"GET /invitation/{INVITATION} HTTP/1.1" 200', INVITATION, "/invitation/***"),
        (f'"POST /mot-de-passe-oublie/{RESET} HTTP/1.1" 303', RESET, "/mot-de-passe-oublie/***"),
        ("Authorization: Bearer abcDEF123_-xyz", "abcDEF123_-xyz", "Bearer ***"),
        ("Cookie: arpenteur_participant=tok123; session=eyJabc.def", "tok123", "arpenteur_participant=***"),
        ("Cookie: arpenteur_participant=tok123; session=eyJabc.def", "eyJabc.def", "session=***"),
        ("[SQL: INSERT INTO x VALUES (?)]\n[parameters: ('" + MARKER + "',)]", MARKER, "[SQL: INSERT"),
        (f"GET /anything/{'t' * 40} 200", "t" * 40, "/anything/***"),
    ],
)
def test_masking_rules(line, hidden, kept):
    masked = logs.mask(line)
    assert hidden not in masked
    assert kept in masked


_LINES = [
    '127.0.0.1 - - [05/Dec/2026:03:40:00 +0000] "POST /api/v1/observations HTTP/1.1" 201 612 "-" "-"',
    '127.0.0.1 - - [25/Nov/2026 10:00:00] "GET /m/K7PM3Q HTTP/1.1" 200 -',
    '"GET /M/K7PM3Q HTTP/1.1" 200',
    '"GET /rejoindre?CODE=K7PM3Q HTTP/1.1" 200',
    '"GET /x;token=abc HTTP/1.1" 200',
    f'"GET /AUTH/Reset/{RESET} HTTP/1.1" 200',
    f'"GET /Invitation/{INVITATION} HTTP/1.1" 200',
    f'"GET /MOT-DE-PASSE-OUBLIE/{RESET} HTTP/1.1" 200',
    "authorization: BEARER abc",
    "Cookie: remember_token=abc",
    "x [parameters: ('a',)]",
    f"/a/{'Z' * 32}",
    f"/a/{'Z' * 31}",
    '"GET /projets/amiens/marches/3 HTTP/1.1" 200 "Mozilla/5.0 (Linux; Android 14) Chrome/131"',
]


@pytest.mark.parametrize("line", _LINES)
def test_a_line_the_quick_look_passes_over_is_one_no_rule_changes(line):
    """``mask`` runs its rules only on lines where one of them may match: it must give what running
    every rule gives, on every line (the quick look may let through more lines, never fewer)."""
    assert logs.mask(line) == logs._apply_rules(line)  # noqa: SLF001
    variants = {line, line.upper(), line.lower(), line.replace("/", "/m/"), line.replace(" ", "=")}
    for text in variants:
        assert logs.mask(text) == logs._apply_rules(text)  # noqa: SLF001


def test_ordinary_paths_and_uuids_are_left_alone():
    line = '"DELETE /api/v1/observations/0b7c5a3e-1f0a-4c9e-9d1e-2a3b4c5d6e7f HTTP/1.1" 204'
    assert logs.mask(line) == line
    assert logs.mask("/projets/amiens/marches/3/moderation") == "/projets/amiens/marches/3/moderation"
    assert logs.mask("/mot-de-passe-oublie") == "/mot-de-passe-oublie"


def test_the_filter_is_on_the_request_loggers_and_rewrites_records(app, caplog):
    for name in (
        "werkzeug",
        "gunicorn.access",
        "gunicorn.error",
        "sqlalchemy.engine.Engine",
        app.logger.name,
    ):
        assert logs.SECRET_FILTER in logging.getLogger(name).filters, name
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine.Engine")  # SQLAlchemy sets WARN itself
    logging.getLogger("werkzeug").info(
        '%s - - [x] "%s" %s %s', "127.0.0.1", f"GET /m/{CODE} HTTP/1.1", 200, "-"
    )
    logging.getLogger("gunicorn.access").info('%(r)s "%(f)s"', {"r": f"GET /m/{CODE} HTTP/1.1", "f": "-"})
    logging.getLogger("sqlalchemy.engine.Engine").info("[%s] %r", "generated in 0.1s", (CODE, MARKER))
    try:
        raise RuntimeError(f"[parameters: ('{MARKER}',)]")
    except RuntimeError:
        app.logger.exception("Exception on /m/%s [POST]", CODE)
    assert len(caplog.records) == 4
    _assert_clean(caplog)
    assert "/m/***" in caplog.text


def test_a_real_sqlalchemy_echo_hides_parameters(caplog):
    import sqlalchemy as sa

    caplog.set_level(logging.DEBUG)
    engine_logger = logging.getLogger("sqlalchemy.engine.Engine")
    handlers = list(engine_logger.handlers)
    try:
        engine = sa.create_engine("sqlite://", echo="debug")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT :note AS note"), {"note": MARKER}).scalar() == MARKER
        engine.dispose()
    finally:
        for handler in set(engine_logger.handlers) - set(handlers):  # echo adds a stdout handler
            engine_logger.removeHandler(handler)
    assert "SELECT ? AS note" in caplog.text
    _assert_clean(caplog)


def _assert_clean(caplog, *extra: str) -> None:  # type: ignore[no-untyped-def]
    text = caplog.text + "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    for secret in _secrets(*extra):
        assert secret not in text, secret


# --- the app, every logger at DEBUG --------------------------------------------------------------


@pytest.fixture
def all_loggers_debug(caplog) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Every logger that exists (and the root) at DEBUG while the test runs; caplog sees them all."""
    caplog.set_level(logging.DEBUG)
    saved = {}
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            saved[name] = logger.level
            logger.setLevel(logging.DEBUG)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
    try:
        yield
    finally:
        for name, level in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            if caplog.handler in logger.handlers:
                logger.removeHandler(caplog.handler)


def test_driving_every_secret_carrying_path_logs_no_secret(
    app, client, db_session, all_loggers_debug, caplog, monkeypatch
):
    walk = make_walk(code=CODE)
    # Join with the QR link and the form, then capture without JavaScript.
    page = client.get(url("residents.join", code=CODE)).get_data(as_text=True)
    assert (
        client.post(
            url("residents.join_post"), data={"code": CODE, "csrf_token": csrf_from(page)}
        ).status_code
        == 303
    )
    capture = client.get(url("residents.capture", code=CODE))
    assert capture.status_code == 200
    form = {
        "csrf_token": csrf_from(capture.get_data(as_text=True)),
        "client_uuid": str(uuid.uuid4()),
        "theme": "eclairage",
        "polarity": "negative",
        "note": MARKER,
        "proposal": PROPOSAL_MARKER,
        "stop": "2.2950,49.9180",
    }
    assert client.post(url("residents.capture_post", code=CODE), data=form).status_code == 303
    # The API with a token, a note, a bad submission, the personal-data routes.
    token = client.post(url("api.join"), json={"code": CODE}).json["token"]
    auth = {
        "Authorization": f"Bearer {token}",
        "Referer": "http://localhost" + url("residents.capture", code=CODE),
    }
    body = payload(answers={"note": MARKER, "proposal": PROPOSAL_MARKER})
    assert client.post(url("api.create_observation"), json=body, headers=auth).status_code == 201
    bad = payload(answers={"note": MARKER * 400})
    assert client.post(url("api.create_observation"), json=bad, headers=auth).status_code == 422
    assert client.get(url("api.export_me"), headers=auth).status_code == 200
    assert client.get(url("residents.my_data", code=CODE)).status_code == 200
    # Staff links carrying tokens (whatever they answer), and their old paths (links in old emails).
    client.get(url("auth.invitation", token=INVITATION))
    client.get(url("auth.reset_password", token=RESET))
    client.post(url("auth.reset_password", token=RESET), data={"password": "x"})
    client.get(old_url("auth.invitation", token=INVITATION))
    client.post(old_url("auth.reset_password", token=RESET), data={"password": "x"})
    # An unexpected error on the capture page: Flask logs the URL and the traceback.
    from webapp.services import observations

    def boom(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"[parameters: ('{MARKER}', '{CODE}')]")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(observations, "submit_observation", boom)
    form["client_uuid"] = str(uuid.uuid4())
    assert client.post(url("residents.capture_post", code=CODE), data=form).status_code == 500
    monkeypatch.undo()
    # Purge and erasure log what they did, in counts.
    from webapp.services import privacy

    walk.project.retention_months = 1
    db_session.commit()
    privacy.purge_expired(now=privacy.utcnow().replace(year=privacy.utcnow().year + 1))
    assert client.delete(url("api.delete_me"), headers=auth).status_code == 200

    assert any("Exception on /m/***" in r.getMessage() for r in caplog.records)
    assert any(r.name == "webapp.services.privacy" for r in caplog.records)
    _assert_clean(caplog, token)


# --- real servers ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served_db(tmp_path_factory) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """A fresh migrated SQLite database with an open walk (code CODE)."""
    from flask_migrate import upgrade

    from webapp.extensions import db

    tmp = tmp_path_factory.mktemp("logs-served")
    url = f"sqlite:///{tmp / 'served.sqlite'}"
    app = make_app(url, tmp, SQLITE_EXPLICIT_TRANSACTIONS=False)
    with app.app_context():
        upgrade()
        make_walk(code=CODE)
        db.session.remove()
        db.engine.dispose()
    yield url, tmp


class _Browser:
    """urllib with cookies, like a phone: GET pages, post forms with their CSRF token, call the API."""

    def __init__(self, base: str, referer: str) -> None:
        self.base = base
        self.referer = base + referer
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def call(
        self, method: str, path: str, *, data: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, str]:
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            error.close()
            return error.code, body

    def form(self, path: str, fields: dict[str, str], page: str) -> int:
        fields = {**fields, "csrf_token": csrf_from(page)}
        return self.call(
            "POST",
            path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": self.referer},
        )[0]

    def api(self, method: str, path: str, body: object = None, token: str = "") -> tuple[int, str]:
        headers = {"Content-Type": "application/json", "Referer": self.referer}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.call(
            method, path, data=json.dumps(body).encode() if body is not None else None, headers=headers
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _paths(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The paths :func:`_drive` requests, built by the app (old token paths too)."""
    from flask import url_for

    from webapp.legacy_urls import old_path

    with app.test_request_context():
        return {
            "qr": url_for("residents.join", code=CODE),
            "join": url_for("residents.join_post"),
            "capture": url_for("residents.capture", code=CODE),
            "my_data": url_for("residents.my_data", code=CODE),
            "api_join": url_for("api.join"),
            "observations": url_for("api.create_observation"),
            "export": url_for("api.export_me"),
            "walk": url_for("api.my_walk"),
            "healthz": url_for("public.healthz"),
            "invitation": url_for("auth.invitation", token=INVITATION),
            "reset": url_for("auth.reset_password", token=RESET),
            "old_invitation": old_path("auth.invitation", token=INVITATION),
            "old_reset": old_path("auth.reset_password", token=RESET),
        }


def _drive(base: str, paths: dict[str, str]) -> str:
    """The requests that carry secrets, against a running server; returns the participant token."""
    phone = _Browser(base, paths["capture"])
    status, page = phone.call("GET", paths["qr"])
    assert status == 200
    assert phone.form(paths["join"], {"code": CODE}, page) == 303
    status, capture = phone.call("GET", paths["capture"])
    assert status == 200, capture[:300]
    fields = {
        "client_uuid": str(uuid.uuid4()),
        "theme": "eclairage",
        "polarity": "negative",
        "note": MARKER,
        "proposal": PROPOSAL_MARKER,
        "stop": "2.2950,49.9180",
    }
    assert phone.form(paths["capture"], fields, capture) == 303
    status, body = phone.api("POST", paths["api_join"], {"code": CODE})
    assert status == 201, body
    token = json.loads(body)["token"]
    assert phone.api("POST", paths["observations"], payload(answers={"note": MARKER}), token)[0] == 201
    assert phone.api("GET", paths["export"], token=token)[0] == 200
    assert phone.api("GET", paths["walk"], token="pas-un-jeton")[0] == 401
    for name in ("invitation", "reset", "old_invitation", "old_reset"):
        phone.call("GET", paths[name])
    phone.call("GET", paths["my_data"])
    return token


def test_werkzeug_development_server_lines_are_masked(served_db, all_loggers_debug, caplog):
    from werkzeug.serving import make_server

    url, tmp = served_db
    app = make_app(url, tmp, SQLITE_EXPLICIT_TRANSACTIONS=False, SECURE_COOKIES=False, TESTING=False)
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        token = _drive(f"http://127.0.0.1:{server.server_port}", _paths(app))
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        from webapp.extensions import db

        with app.app_context():
            db.engine.dispose()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /m/*** HTTP" in line for line in lines), lines[:5]
    assert any("/auth/reinitialiser/***" in line for line in lines)
    assert any("/mot-de-passe-oublie/***" in line for line in lines)
    assert any(" /invitation/***" in line for line in lines)
    _assert_clean(caplog, token)


@pytest.mark.slow
def test_gunicorn_access_and_error_lines_are_masked(served_db, tmp_path):
    url, tmp = served_db
    port = _free_port()
    env = {
        **os.environ,
        "ARPENTEUR_DATABASE_URL": url,
        "ARPENTEUR_PHOTO_DIR": str(tmp / "photos"),
        "ARPENTEUR_SECRET_KEY": secrets.token_hex(16),
        "ARPENTEUR_SECURE_COOKIES": "false",
        "GUNICORN_CMD_ARGS": "--log-level debug",
    }
    paths = _paths(make_app(url, tmp_path / "paths"))
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    arpenteur = str(Path(sys.executable).with_name("arpenteur"))
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [arpenteur, "serve", "--port", str(port)], env=env, stdout=stdout, stderr=stderr
        )  # noqa: S603
        try:
            deadline = time.monotonic() + 30
            base = f"http://127.0.0.1:{port}"
            while True:
                try:
                    with urllib.request.urlopen(base + paths["healthz"], timeout=2):  # noqa: S310  (loopback only)
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"gunicorn did not start: {err.read_text()[-2000:]}")
                    time.sleep(0.2)
            token = _drive(base, paths)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    output = out.read_text() + err.read_text()
    assert "GET /m/*** HTTP" in output and "/auth/invitation/***" in output  # the lines are there…
    assert "GET /invitation/*** HTTP" in output and "GET /mot-de-passe-oublie/*** HTTP" in output
    for secret in _secrets(token):
        assert secret not in output, secret  # …without their secrets
