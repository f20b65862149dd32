"""Sign-in throttling: attempts counted per client address and per account, in the database.

Counting in the database (``services.ratelimit``) makes the limit hold across worker processes.
Accounts are counted by a digest of the email address (or user id), whether or not the account
exists, so the answer never tells which addresses have one.
"""

from __future__ import annotations

import hashlib
import math

from flask import current_app, g, request
from flask_babel import lazy_ngettext

from webapp.errors import TooManyRequests
from webapp.services import ratelimit


def _digest(subject: str) -> str:
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


def check(action: str, *subjects: str) -> None:
    """Count one attempt at ``action`` from this address and for each subject; TooManyRequests past the limit.

    Sets ``g.retry_after`` for the ``Retry-After`` header. Attempts are counted in a transaction of
    their own, so a failed attempt (answered 401, rolled back) still counts; call this first.
    """
    limit = ratelimit.Limit.parse(current_app.config["LOGIN_RATE_LIMIT"])
    buckets = [f"{action}:ip:{request.remote_addr or '-'}"]
    buckets += [f"{action}:{_digest(subject)}" for subject in subjects if subject]
    verdicts = [ratelimit.hit_separately(bucket, limit) for bucket in buckets]
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
