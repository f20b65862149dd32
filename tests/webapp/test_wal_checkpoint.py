"""A bulk write's WAL copied into the SQLite database after its commit (``webapp.wal_checkpoint``).

On a real SpatiaLite file with the app's engine (its pool, pragmas and events). In WAL mode only a
checkpoint writes to the database file itself, so its bytes tell whether a commit copied its pages
back: a plain commit of a few megabytes does (SQLite's automatic checkpoint, past 1,000 pages); one that
deferred its checkpoint does not, and the copy made afterwards leaves the same data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlean

from tests.conftest import make_app
from webapp import wal_checkpoint
from webapp.extensions import db

ROWS = 6000  # 6,000 rows of 1 KB: about 1,500 pages, past SQLite's automatic checkpoint (1,000)
FILL = sa.text(
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows) "
    "INSERT INTO t (body) SELECT hex(randomblob(512)) FROM n"
)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[sa.Engine, Path]]:
    path = tmp_path / "wal.sqlite"
    app = make_app(f"sqlite:///{path}", tmp_path, SQLITE_EXPLICIT_TRANSACTIONS=False)
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        yield engine, path
        wal_checkpoint.wait()
        engine.dispose()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _autocheckpoint(conn: sa.Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_a_deferred_commit_leaves_the_copy_to_the_background(database, monkeypatch):
    engine, path = database
    started: list[sa.Engine] = []
    monkeypatch.setattr(wal_checkpoint, "_start", started.append)

    # a plain commit of as much copies it into the database file before it returns
    before = _digest(path)
    with engine.begin() as conn:
        conn.execute(FILL, {"rows": ROWS})
    assert _digest(path) != before
    assert started == []

    # deferred: the commit only appends to the WAL, the file is untouched until the copy runs
    before = _digest(path)
    with engine.begin() as conn:
        assert wal_checkpoint.defer(conn)
        assert _autocheckpoint(conn) == 0
        conn.execute(FILL, {"rows": ROWS})
    assert _digest(path) == before
    assert started == [engine]  # asked for once the connection went back to the pool
    with engine.connect() as conn:
        assert _autocheckpoint(conn) == 1000  # the pooled connection has SQLite's default again
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 2 * ROWS

    wal_checkpoint._checkpoint(engine)  # what the thread runs
    assert _digest(path) != before
    other = sqlean.connect(str(path), isolation_level=None)
    try:
        busy, log, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and log == copied  # every frame of the WAL is in the database
        assert other.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert other.execute("SELECT count(*) FROM t").fetchone() == (2 * ROWS,)
    finally:
        other.close()


def test_a_rolled_back_transaction_gives_its_connection_back_as_it_was(database, monkeypatch):
    engine, path = database
    started: list[sa.Engine] = []
    monkeypatch.setattr(wal_checkpoint, "_start", started.append)
    with engine.connect() as conn:
        assert wal_checkpoint.defer(conn)
        assert wal_checkpoint.defer(conn)  # twice in one transaction: once
        conn.execute(FILL, {"rows": 10})
        conn.rollback()
    assert started == [engine]
    with engine.connect() as conn:
        assert _autocheckpoint(conn) == 1000
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 0


def test_the_background_copy_runs_in_a_thread_and_can_be_waited_for(database):
    engine, path = database
    wal_checkpoint.wait()  # another test's copy, started as its connection went back, is not counted
    done = len(wal_checkpoint.durations)
    before = _digest(path)
    with engine.begin() as conn:
        wal_checkpoint.defer(conn)
        conn.execute(FILL, {"rows": ROWS})
    wal_checkpoint.wait()
    assert len(wal_checkpoint.durations) == done + 1
    assert _digest(path) != before
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == ROWS


def test_a_database_in_memory_defers_nothing(tmp_path: Path):
    app = make_app("sqlite://", tmp_path, SQLITE_EXPLICIT_TRANSACTIONS=False)
    with app.app_context(), db.engine.connect() as conn:
        assert not wal_checkpoint.defer(conn)
