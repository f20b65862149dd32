"""One owner per transaction: the request (or the command) commits once, then runs its side effects.

Services add and flush; they never commit. A request that ends with a success or a redirect
(status below 400) commits once, after the view returned; one that fails (an error page, a domain
error, an exception) is rolled back, so a refused form or import changes nothing. A command of the
``arpenteur`` CLI does the same with :func:`unit_of_work`.

Side effects that must not happen unless the data is saved (a mail, deleting a photo file) are
queued with :func:`after_commit` and run once the commit succeeded, in order; a rollback drops them.
Tests drain the queue by committing (``commit()``) or look at it with :func:`pending`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, g, has_app_context

from webapp.extensions import db

_QUEUE = "_after_commit"
#: Used outside an app context (rare: a service called from a bare script).
_fallback: list[Callable[[], Any]] = []


def _queue() -> list[Callable[[], Any]]:
    if not has_app_context():
        return _fallback
    if _QUEUE not in g:
        setattr(g, _QUEUE, [])
    return getattr(g, _QUEUE)


def after_commit(callback: Callable[[], Any]) -> None:
    """Run ``callback`` once the current transaction is committed (dropped if it is rolled back)."""
    _queue().append(callback)


def pending() -> list[Callable[[], Any]]:
    """The side effects waiting for the next commit (for tests)."""
    return list(_queue())


def commit() -> None:
    """Commit the session, then run the queued side effects."""
    db.session.commit()
    queue = _queue()
    callbacks, queue[:] = list(queue), []
    for callback in callbacks:
        callback()


def rollback() -> None:
    """Roll the session back and forget the queued side effects."""
    db.session.rollback()
    _queue().clear()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit once when the block ends normally, roll back when it raises (commands, scripts)."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


def finish_request(app: Flask, rv: Any) -> Response:
    """Commit a successful request's work (status below 400) or roll back a failed one."""
    response = app.make_response(rv)
    if response.status_code < 400:
        commit()
    else:
        rollback()
    return response
