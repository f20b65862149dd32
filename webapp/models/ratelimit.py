"""Request counters shared by every server process (rate limits that hold across gunicorn workers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model
from webapp.models.base import UTCDateTime


class RateCounter(Model):
    """How many hits one client made on one action during one fixed time window.

    A row is created or incremented by a single ``INSERT … ON CONFLICT DO UPDATE`` statement, so
    concurrent workers never lose a hit; old windows are deleted as new ones start.
    """

    __tablename__ = "rate_counters"

    #: Action and client, e.g. ``join:203.0.113.7``.
    bucket: Mapped[str] = mapped_column(String(120), primary_key=True)
    #: Start of the window (UTC, aligned on the window length).
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, index=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
