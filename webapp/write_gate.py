"""SQLite's write gate: the threads of one process take turns to write instead of sleeping on the lock.

SQLite lets one connection write at a time. A second writer is refused with ``SQLITE_BUSY`` and its
busy handler sleeps before trying again — 1, 2, 5, 10 … then 100 ms between tries — so under load a
request that could have written a millisecond after the previous commit sleeps tens of milliseconds
(the ingest's p99). Within one process the threads can do better: each connection about to write
first takes this process's gate (a lock per engine) and keeps it until its transaction ends and the
connection goes back to the pool; the next writer gets it at once.

Only threads of one process queue here. Other processes (a second ``arpenteur serve``, a CLI command)
are still met by SQLite's lock and its busy timeout, exactly as before. The gate never makes a
writer fail: one that waited longer than the busy timeout goes on ungated and meets SQLite's own
rules; a thread already writing on another connection (``transaction.separately``) is not made to
wait for itself. PostgreSQL has row locks and needs none of this.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

#: Statements that take SQLite's write lock (DDL too: migrations).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
#: Where a pooled connection keeps the gate it holds (its record's ``info``, which lives as long
#: as the database connection, across checkouts).
_HELD = "arpenteur.write_gate"


class WriteGate:
    """One per SQLite engine. ``queued`` counts writers that had to wait for another thread's
    transaction (tests and benchmarks read it; nothing else does)."""

    def __init__(self, timeout_s: float) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self.timeout_s = timeout_s
        self.queued = 0
        self.waiting = 0

    @property
    def held(self) -> bool:
        """Whether a connection holds the gate now."""
        return self._lock.locked()

    def enter(self, info: dict[str, Any]) -> None:
        """Take the gate for the connection whose ``info`` this is (nothing if it has it already)."""
        if _HELD in info:
            return
        me = threading.get_ident()
        if self._owner == me:
            return  # this thread writes on another connection already: it must not wait for itself
        if not self._lock.acquire(blocking=False):
            self.queued += 1
            self.waiting += 1
            try:
                if not self._lock.acquire(timeout=self.timeout_s):
                    return  # waited as long as SQLite would have: go on, the busy handler decides
            finally:
                self.waiting -= 1
        self._owner = me
        info[_HELD] = self

    def leave(self, info: dict[str, Any] | None) -> None:
        """Give the gate back if that connection holds it (its transaction ended)."""
        if info is not None and info.get(_HELD) is self:
            del info[_HELD]
            self._owner = None
            self._lock.release()


def install(engine: Engine, timeout_s: float) -> WriteGate:
    """Put a gate in front of the engine's writers; returns it (also as ``engine.arpenteur_write_gate``)."""
    gate = WriteGate(timeout_s)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            gate.enter(conn.info)

    # A transaction ends when its connection goes back to the pool (the session returns it after its
    # commit or rollback; the pool rolls back what was left open first), or when it is invalidated.
    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        gate.leave(getattr(record, "info", None))

    @event.listens_for(engine, "invalidate")
    def _invalidate(_dbapi_conn: Any, record: Any, *_args: Any) -> None:
        gate.leave(getattr(record, "info", None))

    engine.arpenteur_write_gate = gate  # type: ignore[attr-defined]
    return gate


def gate_of(engine: Engine) -> WriteGate | None:
    """The engine's gate (None on PostgreSQL or an in-memory SQLite)."""
    return getattr(engine, "arpenteur_write_gate", None)
