"""Shared fixtures: the app on both databases, migrated once per run, one rolled-back transaction per test.

Every test that asks for ``app`` (or ``client``, ``runner``, ``db_session``) runs twice: on SQLite +
SpatiaLite (always available) and on PostgreSQL + PostGIS. The PostGIS database is a throwaway clone of
the template made by ``scripts/setup.sh --test`` (URL in ``ARPENTEUR_TEST_POSTGIS_URL``). Outside CI a
missing PostGIS skips with the reason; with ``CI=true`` it is an error.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Reference files the tests read (QPV perimeters, places, XLSForm workbooks); see its SOURCES.md.
DATA_DIR = REPO_ROOT / "tests" / "data"
POSTGIS_ADMIN_URL = os.environ.get(
    "ARPENTEUR_TEST_POSTGIS_URL", "postgresql+psycopg://arpenteur:arpenteur@127.0.0.1:5432/arpenteur"
)
POSTGIS_TEMPLATE = os.environ.get("ARPENTEUR_TEST_POSTGIS_TEMPLATE", "arpenteur_template")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BACKENDS = ["spatialite", "postgis"]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"PostGIS is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostGIS not available: {reason}")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The reference files shipped with the tests (``tests/data``, provenance in its SOURCES.md)."""
    return DATA_DIR


@pytest.fixture(scope="session")
def postgis_url() -> Iterator[str]:
    """A fresh PostGIS database for this run, cloned from the template and dropped at the end."""
    admin = sa.create_engine(POSTGIS_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"arpenteur_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{POSTGIS_TEMPLATE}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        _unavailable(str(error.orig).strip().splitlines()[0])
    except sa.exc.ProgrammingError as error:
        admin.dispose()
        _unavailable(f"cannot clone {POSTGIS_TEMPLATE}: {str(error.orig).strip().splitlines()[0]}")
    url = sa.engine.make_url(POSTGIS_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def database_url(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A URL for an empty database of that kind (not migrated)."""
    if backend == "spatialite":
        return f"sqlite:///{tmp_path_factory.mktemp('spatialite') / 'test.sqlite'}"
    return request.getfixturevalue("postgis_url")


class FreshClient(FlaskClient):
    """A test client whose every request starts as in production: with an empty ``g``, and after
    what the test did so far was committed.

    The ``app`` fixture keeps one app context for the whole test, so ``g`` (flask-login's cached
    user, Flask-WTF's token) would otherwise outlive a request and hide what the session says. The
    session is shared too: the test's own set-up (services called directly, which only flush) is
    committed first, as an earlier request would have been, so a refused request rolls back its own
    work only.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from flask import g

        from webapp import transaction

        transaction.commit()
        for key in list(g):
            g.pop(key)
        return super().open(*args, **kwargs)


class FreshCliRunner(FlaskCliRunner):
    """A command-line runner that, like :class:`FreshClient`, commits the test's set-up first: a
    command that fails or is a dry run rolls back its own work only."""

    def invoke(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from flask import has_app_context

        from webapp import transaction

        if has_app_context():  # a runner used outside any test's context has no set-up to commit
            transaction.commit()
        return super().invoke(*args, **kwargs)


def make_app(url: str, tmp_path: Path, **extra: object) -> Flask:
    """An app configured for tests against ``url``."""
    from webapp import create_app

    config = {
        "TESTING": True,
        "DATABASE_URL": url,
        "SECRET_KEY": "test",
        "PHOTO_DIR": str(tmp_path / "photos"),
        # Savepoints need explicit transactions on SQLite (see webapp.extensions).
        "SQLITE_EXPLICIT_TRANSACTIONS": True,
        # scrypt at a cost of 1,024 instead of 32,768: ~3 ms per hash instead of ~0.12 s, for the
        # thousands of accounts the tests create and sign in (accounts.PASSWORD_HASH is the real one).
        "TEST_PASSWORD_HASH": "scrypt:1024:8:1",
        **extra,
    }
    app = create_app(config)
    app.test_client_class = FreshClient
    app.test_cli_runner_class = FreshCliRunner
    return app


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database kind a test runs on."""
    return request.param


@pytest.fixture(scope="session")
def session_app(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One app per database kind, migrated to head once per run."""
    from flask_migrate import upgrade

    url = database_url(backend, request, tmp_path_factory)
    app = make_app(url, tmp_path_factory.mktemp(f"instance-{backend}"))
    with app.app_context():
        upgrade()
    yield app
    from webapp.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(session_app: Flask) -> Iterator[Flask]:
    """The app inside one transaction that is rolled back after the test."""
    from webapp.extensions import db

    with session_app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        # Sessions bind to this connection; their commits become savepoint releases.
        engines[None] = connection
        try:
            yield session_app
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def db_session(app: Flask):  # type: ignore[no-untyped-def]
    """The scoped session used by services."""
    from webapp.extensions import db

    return db.session


@pytest.fixture
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def dialect(app: Flask) -> str:
    """``sqlite`` or ``postgresql``."""
    from webapp.extensions import db

    return db.engines[None].dialect.name


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A brand-new, unmigrated database of the test's kind (for migration and multi-process tests)."""
    if backend == "spatialite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    admin = sa.create_engine(POSTGIS_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"arpenteur_empty_{os.getpid()}_{uuid.uuid4().hex[:6]}"
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


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    """Say how many database tests ran on each database, so a silently skipped PostGIS shows."""
    counts = {name: {"passed": 0, "failed": 0, "skipped": 0} for name in BACKENDS}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            for name in BACKENDS:
                if (
                    f"[{name}" in report.nodeid
                    or f"-{name}]" in report.nodeid
                    or f"-{name}-" in report.nodeid
                ):
                    counts[name]["failed" if outcome == "error" else outcome] += 1
    line = "; ".join(
        f"{name}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped"
        for name, c in counts.items()
    )
    terminalreporter.write_sep("-", f"database tests — {line}")
