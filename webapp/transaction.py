"""One owner per transaction: the request (or the command) commits once, then runs its side effects.

Services add and flush; they never commit. A request that ends with a success or a redirect
(status below 400) commits once, after the view returned; one that fails (an error page, a domain
error, an exception) is rolled back, so a refused form or import changes nothing. A command of the
``arpenteur`` CLI does the same with :func:`unit_of_work` (``dry_run=True`` rolls back at the end).

Side effects that must not happen unless the data is saved (a mail, deleting a photo file) are
queued with :func:`after_commit` and run once the commit succeeded, in order; a rollback drops them.
What was done outside the database before the commit (a photo file written) is undone by a
callback queued with :func:`after_rollback`.
Tests drain the queue by committing (``commit()``) or look at it with :func:`pending`.

A few records must outlive a refused request: the rate-limit counters (failed sign-ins, wrong join
codes) and the two-factor codes already used. They are written by :func:`separately`, in a short
transaction of their own on another connection, committed at once; nothing else may use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask, Response, g, has_app_context
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from webapp.extensions import db

T = TypeVar("T")

_AFTER_COMMIT = "_after_commit"
_AFTER_ROLLBACK = "_after_rollback"
#: Used outside an app context (rare: a service called from a bare script).
_fallback: dict[str, list[Callable[[], Any]]] = {_AFTER_COMMIT: [], _AFTER_ROLLBACK: []}


def _queue(name: str = _AFTER_COMMIT) -> list[Callable[[], Any]]:
    if not has_app_context():
        return _fallback[name]
    if name not in g:
        setattr(g, name, [])
    queue: list[Callable[[], Any]] = getattr(g, name)
    return queue


def after_commit(callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the current transaction is committed (dropped if it is rolled back)."""
    _queue().append(callback)


def after_rollback(callback: Callable[[], Any]) -> None:
    """Run ``callback`` if the current transaction is rolled back (dropped once it is committed):
    undoes what cannot be part of it, such as a photo file written before the commit."""
    _queue(_AFTER_ROLLBACK).append(callback)


def pending() -> list[Callable[[], Any]]:
    """The side effects waiting for the next commit (for tests)."""
    return list(_queue())


def commit() -> None:
    """Commit the session, then run the queued side effects (a failed commit rolls back and raises)."""
    try:
        db.session.commit()
    except BaseException:
        rollback()
        raise
    _queue(_AFTER_ROLLBACK).clear()
    queue = _queue()
    callbacks, queue[:] = list(queue), []
    for callback in callbacks:
        callback()


def rollback() -> None:
    """Roll the session back and forget the queued side effects."""
    db.session.rollback()
    _queue().clear()
    again = _queue(_AFTER_ROLLBACK)
    callbacks, again[:] = list(again), []
    for callback in callbacks:
        callback()


@contextmanager
def unit_of_work(*, dry_run: bool = False) -> Iterator[None]:
    """Commit once when the block ends normally, roll back when it raises (commands, scripts).

    ``dry_run``: do all the work and checks, then roll back (``--dry-run`` of destructive commands).
    """
    try:
        yield
    except BaseException:
        rollback()
        raise
    if dry_run:
        rollback()
    else:
        commit()


def separately(work: Callable[[Session], T]) -> T:
    """Run ``work`` in a short transaction of its own, committed at once, whatever becomes of the current one.

    Only for records that must survive the request's rollback (counters of attempts): a failed
    sign-in answers 401 and is rolled back, but must still count. ``work`` gets its own session and
    must touch only such rows. On SQLite call it before the request writes anything: the second
    connection would wait for the write lock the request holds (every caller counts first).
    """
    bind = db.engine
    if isinstance(bind, Connection):
        # The tests bind every session to one connection, inside a transaction rolled back after the
        # test (tests/conftest.py): nothing can be committed beside the request there. The work joins
        # the current transaction and is done again, committed, if that one is rolled back; requests
        # made one after the other count the same as with a connection of its own.
        result = work(db.session)

        def again() -> None:
            work(db.session)
            db.session.commit()

        _queue(_AFTER_ROLLBACK).append(again)
        return result
    with Session(bind) as session, session.begin():
        return work(session)


def run_request(app: Flask, view: Callable[[], Any]) -> Response:
    """Run the view, then commit its work (status below 400) or roll back (an error, or an exception)."""
    try:
        rv = view()
    except BaseException:
        rollback()
        raise
    return finish_request(app, rv)


def finish_request(app: Flask, rv: Any) -> Response:
    """Commit a successful request's work (status below 400) or roll back a failed one."""
    response = app.make_response(rv)
    if response.status_code < 400:
        commit()
    else:
        rollback()
    return response
