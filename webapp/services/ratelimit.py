"""Rate limits counted in the database, so they hold however many server processes run.

Each hit is one ``INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits`` on the row of
(bucket, fixed window): atomic on PostgreSQL and on SQLite (one writer at a time), with no
read-then-write race between workers. An in-memory counter would count per process (four gunicorn
workers would let four times the limit through).

Attempts that must count even when the request fails and is rolled back (sign-in attempts, wrong
join codes, two-factor codes used) go through :func:`hit_separately`: their own short transaction,
on their own connection, committed at once, so they also count at once for every worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp import transaction
from webapp.extensions import db
from webapp.models import RateCounter
from webapp.models.base import utcnow

#: Windows older than this are deleted when a new window starts.
KEEP_WINDOWS = timedelta(hours=1)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``seconds``."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """``"30/60"``: 30 hits per 60 seconds."""
        count, _, seconds = str(text).partition("/")
        return cls(int(count), int(seconds or 60))


@dataclass(frozen=True)
class Verdict:
    """The outcome of one hit."""

    allowed: bool
    hits: int
    #: Seconds until the window ends (for ``Retry-After``).
    retry_after: int


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def peek(bucket: str, limit: Limit, *, now: datetime | None = None) -> Verdict:
    """How many hits ``bucket`` has in the current window, without counting one more."""
    now = now or utcnow()
    start = _window_start(now, limit.seconds)
    hits = db.session.scalar(
        select(RateCounter.hits).where(RateCounter.bucket == bucket[:120], RateCounter.window_start == start)
    )
    retry_after = max(1, int((start + timedelta(seconds=limit.seconds) - now).total_seconds()))
    return Verdict(allowed=(hits or 0) < limit.count, hits=hits or 0, retry_after=retry_after)


def _count(session: Session, bucket: str, limit: Limit, now: datetime) -> Verdict:
    start = _window_start(now, limit.seconds)
    table = RateCounter.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(bucket=bucket[:120], window_start=start, hits=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.bucket, table.c.window_start], set_={"hits": table.c.hits + 1}
    ).returning(table.c.hits)
    hits = int(session.execute(stmt).scalar_one())
    if hits == 1:
        # First hit of a window: a good moment to forget old ones (cheap, indexed).
        session.execute(delete(RateCounter).where(RateCounter.window_start < now - KEEP_WINDOWS))
    retry_after = max(1, int((start + timedelta(seconds=limit.seconds) - now).total_seconds()))
    return Verdict(allowed=hits <= limit.count, hits=hits, retry_after=retry_after)


def hit(bucket: str, limit: Limit, *, now: datetime | None = None) -> Verdict:
    """Count one hit on ``bucket`` and say whether it is within ``limit``; saved with the request's work.

    For hits that only count when the request succeeds (a participant created): a refused request
    is rolled back with its hit, which leaves the count where the limit already stopped it.
    """
    return _count(db.session, bucket, limit, now or utcnow())


def give_back(bucket: str, limit: Limit, *, now: datetime | None = None) -> None:
    """Take one hit off ``bucket``'s current window (never below zero), with the request's work.

    For attempts counted first, so that parallel ones cannot slip past the limit, but that only
    limit when they fail: a sign-in that succeeds gives its hit back (the request commits it).
    """
    now = now or utcnow()
    table = RateCounter.__table__
    db.session.execute(
        update(table)
        .where(
            table.c.bucket == bucket[:120],
            table.c.window_start == _window_start(now, limit.seconds),
            table.c.hits > 0,
        )
        .values(hits=table.c.hits - 1)
    )


def hit_separately(bucket: str, limit: Limit, *, now: datetime | None = None) -> Verdict:
    """Count one hit on ``bucket`` in a transaction of its own (``transaction.separately``), committed
    at once: it stays counted when the request fails (a wrong password, a wrong join code).

    Call it before the request writes anything (SQLite has one writer at a time).
    """
    moment = now or utcnow()
    return transaction.separately(lambda session: _count(session, bucket, limit, moment))
