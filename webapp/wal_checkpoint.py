"""SQLite: a large write's pages copied back into the database after its commit, not inside it.

In WAL mode a commit appends the changed pages to the ``-wal`` file; a *checkpoint* later copies them
into the database file. By default SQLite runs that checkpoint in whichever connection commits once
the WAL holds more than 1,000 pages — so the commit of a write that changed most of the observations
table (a perimeter import re-assigning every observation: 250 MB of pages at 1,000,000) also copied
all of it back before returning (0.9 s of a 5 s re-assignment; bench/README.md, twenty-first pass).

PostgreSQL never makes a commit wait for that: its checkpointer writes the pages later, in the
background. :func:`defer` does the same for one SQLite transaction: its commit only appends to the
WAL; when the connection goes back to the pool, its automatic checkpoint is put back as it was and a
thread of this process runs one ``PASSIVE`` checkpoint, which never blocks readers or writers (a
writer that commits meanwhile finds the checkpoint under way and skips its own). Nothing changes for
durability: with ``synchronous=NORMAL`` a commit was already only in the WAL until a checkpoint, and a
checkpoint interrupted by a crash is finished by the next one. A process that exits first waits for
its checkpoints (:func:`wait`, at exit).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

#: Where a pooled connection keeps, while its transaction defers the checkpoint, the automatic
#: checkpoint's setting to put back (its record's ``info``, which outlives the checkout).
_DEFERRED = "arpenteur.checkpoint_deferred"

_lock = threading.Lock()
_running: list[threading.Thread] = []
#: How long each finished background checkpoint took, in seconds (benchmarks and tests read it).
durations: list[float] = []


def install(engine: Engine) -> None:
    """Have the engine's connections that deferred their checkpoint run it in the background once they
    go back to the pool (a file database in WAL mode: the app's SQLite engine)."""

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, record: Any) -> None:
        info = getattr(record, "info", None)
        if info is None or _DEFERRED not in info:
            return
        previous = int(info.pop(_DEFERRED))
        if dbapi_conn is not None:
            try:
                dbapi_conn.execute(f"PRAGMA wal_autocheckpoint={previous}")
            except Exception:  # noqa: BLE001 (a connection that cannot take a pragma is discarded anyway)
                logging.getLogger(__name__).warning("automatic checkpoint not put back", exc_info=True)
        _start(engine)

    engine.arpenteur_checkpoints = True  # type: ignore[attr-defined]


def defer(connection: Connection) -> bool:
    """Let this connection's current transaction commit without copying the WAL back; the copy runs in
    the background once the connection is checked in (after the commit or the rollback). Returns
    whether it was deferred: only SQLite files with :func:`install` are; PostgreSQL needs nothing."""
    if not getattr(connection.engine, "arpenteur_checkpoints", False):
        return False
    info = connection.connection.info
    if _DEFERRED in info:
        return True
    raw = connection.connection.dbapi_connection
    assert raw is not None
    info[_DEFERRED] = raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    raw.execute("PRAGMA wal_autocheckpoint=0")
    return True


def _checkpoint(engine: Engine) -> None:
    start = time.perf_counter()
    try:
        raw = engine.raw_connection()
        try:
            # outside any transaction: the driver's own connection, not a session's
            raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # type: ignore[union-attr]
        finally:
            raw.close()
    except Exception:  # noqa: BLE001 (the next commit's automatic checkpoint does it instead)
        logging.getLogger(__name__).warning("background WAL checkpoint failed", exc_info=True)
    finally:
        with _lock:
            durations.append(time.perf_counter() - start)
            if threading.current_thread() in _running:
                _running.remove(threading.current_thread())


def _start(engine: Engine) -> None:
    thread = threading.Thread(
        target=_checkpoint, args=(engine,), name="arpenteur-wal-checkpoint", daemon=True
    )
    with _lock:
        _running.append(thread)
    thread.start()


def wait(timeout_s: float = 60.0) -> None:
    """Wait for the background checkpoints started so far (benchmarks, tests, and a process about to exit)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with _lock:
            pending = list(_running)
        if not pending:
            return
        for thread in pending:
            thread.join(max(0.0, deadline - time.monotonic()))
        if time.monotonic() >= deadline:
            return


atexit.register(wait)
