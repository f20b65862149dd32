"""SQLite's write gate (``webapp.write_gate``): threads of one process queue for the write lock.

On a real SpatiaLite file with the app's engine (its pool, pragmas and events), not the tests' shared
connection. A writer whose own busy timeout is 0 fails at once if it ever meets SQLite's lock: so
"both succeed" means the second one waited at the gate, never in SQLite's busy handler. Writers of
another process (a connection the engine does not know) still meet the lock and its busy timeout.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlean

from tests.conftest import make_app
from webapp.extensions import db
from webapp.write_gate import gate_of

INSERT = sa.text("INSERT INTO t (who) VALUES (:who)")


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(f"sqlite:///{tmp_path / 'gate.sqlite'}", tmp_path, SQLITE_EXPLICIT_TRANSACTIONS=False)
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
        yield engine
        engine.dispose()


def _rows(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return sorted(conn.exec_driver_sql("SELECT who FROM t").scalars())


def _wait_for(condition, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    """Wait until ``condition()`` (a bound against a stuck test, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def test_two_threads_writing_at_once_both_succeed_without_the_busy_handler(engine):
    gate = gate_of(engine)
    assert gate is not None
    first_wrote, errors = threading.Event(), []
    second_done = threading.Event()

    def first() -> None:
        try:
            with engine.connect() as conn:
                conn.execute(INSERT, {"who": "first"})
                first_wrote.set()
                # keep the transaction open until the second writer is queued (or has failed)
                _wait_for(lambda: gate.waiting == 1 or second_done.is_set())
                conn.commit()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    def second() -> None:
        try:
            first_wrote.wait(60)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout=0")  # meeting SQLite's lock fails at once
                try:
                    conn.execute(INSERT, {"who": "second"})
                    conn.commit()
                finally:
                    conn.exec_driver_sql("PRAGMA busy_timeout=15000")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert _rows(engine) == ["first", "second"]
    assert gate.queued == 1  # the second writer waited at the gate
    assert not gate.held  # and gave it back with its connection


def test_the_gate_is_given_back_after_a_rollback(engine):
    gate = gate_of(engine)
    with engine.connect() as conn:
        conn.execute(INSERT, {"who": "refused"})
        assert gate.held
        conn.rollback()
    assert not gate.held
    with engine.begin() as conn:
        conn.execute(INSERT, {"who": "next"})
    assert gate.queued == 0
    assert _rows(engine) == ["next"]


def test_a_writer_of_another_process_still_meets_the_busy_timeout(tmp_path: Path):
    app = make_app(
        f"sqlite:///{tmp_path / 'gate.sqlite'}",
        tmp_path,
        SQLITE_EXPLICIT_TRANSACTIONS=False,
        SQLITE_BUSY_TIMEOUT_MS=200,
    )
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
        other = sqlean.connect(str(tmp_path / "gate.sqlite"), isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            other.execute("INSERT INTO t (who) VALUES ('other')")
            with pytest.raises(sa.exc.OperationalError, match="locked"), engine.begin() as conn:
                conn.execute(INSERT, {"who": "ours"})
            assert not gate_of(engine).held  # type: ignore[union-attr]
            other.execute("COMMIT")
            with engine.begin() as conn:  # once the other writer is done, ours goes through
                conn.execute(INSERT, {"who": "ours"})
        finally:
            other.close()
        assert _rows(engine) == ["other", "ours"]
        engine.dispose()


def test_a_thread_writing_on_a_second_connection_does_not_wait_for_itself(engine):
    gate = gate_of(engine)
    with engine.connect() as first:
        first.execute(INSERT, {"who": "first"})
        with engine.connect() as second:
            second.exec_driver_sql("PRAGMA busy_timeout=0")
            # SQLite refuses it at once, as before the gate (the caller's order is wrong:
            # transaction.separately() must run before the request writes); the gate adds no wait
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                second.execute(INSERT, {"who": "second"})
            second.rollback()
            second.exec_driver_sql("PRAGMA busy_timeout=15000")
        assert gate.queued == 0
        first.commit()
    assert not gate.held
