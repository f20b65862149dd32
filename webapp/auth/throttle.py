"""Sign-in throttling: attempts counted per client address and per account, in the database.

Counting in the database (``services.ratelimit``) makes the limit hold across worker processes.
Accounts are counted by a digest of the email address (or user id), whether or not the account
exists, so the answer never tells which addresses have one. Every attempt is counted before it is
checked; a sign-in or a two-factor code that succeeds gives its count back (:func:`succeeded`), so
only failures use up the limit.
"""

from __future__ import annotations

import hashlib
import math

from flask import current_app, g, request
from flask_babel import lazy_ngettext

from webapp.errors import TooManyRequests
from webapp.models.base import utcnow
from webapp.services import ratelimit


def _digest(subject: str) -> str:
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


def _buckets(action: str, subjects: tuple[str, ...]) -> list[str]:
    buckets = [f"{action}:ip:{request.remote_addr or '-'}"]
    return buckets + [f"{action}:{_digest(subject)}" for subject in subjects if subject]


def check(action: str, *subjects: str) -> None:
    """Count one attempt at ``action`` from this address and for each subject; TooManyRequests past the limit.

    Sets ``g.retry_after`` for the ``Retry-After`` header. Attempts are counted in a transaction of
    their own, so a failed attempt (answered 401, rolled back) still counts; call this first.
    """
    limit = ratelimit.Limit.parse(current_app.config["LOGIN_RATE_LIMIT"])
    # the window it was counted in: the same one gets the hit back if the attempt succeeds
    g.throttle_moment = moment = utcnow()
    verdicts = [ratelimit.hit_separately(bucket, limit, now=moment) for bucket in _buckets(action, subjects)]
    waits = [verdict.retry_after for verdict in verdicts if not verdict.allowed]
    if waits:
        g.retry_after = max(waits)
        minutes = math.ceil(g.retry_after / 60)
        raise TooManyRequests(
            lazy_ngettext(
                "Trop de tentatives. Réessayez dans %(num)s minute.",
                "Trop de tentatives. Réessayez dans %(num)s minutes.",
                minutes,
            ),
            details={"retry_after": g.retry_after},
        )


def succeeded(action: str, *subjects: str) -> None:
    """The attempt :func:`check` counted succeeded: give its hit back, so that only failures limit.

    A team signing in one after the other from one address (a community centre's wifi at a debrief,
    an office behind one router) is never held back by its own successful sign-ins; wrong passwords
    and codes still count, and parallel attempts were already counted before any of them was checked.
    """
    limit = ratelimit.Limit.parse(current_app.config["LOGIN_RATE_LIMIT"])
    moment = g.get("throttle_moment") or utcnow()
    for bucket in _buckets(action, subjects):
        ratelimit.give_back(bucket, limit, now=moment)
