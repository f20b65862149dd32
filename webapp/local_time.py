"""Instants as the people using Arpenteur read them: in France's legal time (Europe/Paris).

The database keeps every instant in UTC. A page shows it in local time — the time of the walk's own
start and end, typed by the team, the time on everyone's phone — never in UTC beside them: « Clôturée
à 21:40 » for a walk that ended at 21:40 in Amiens, summer or winter. One zone for the whole app
(the sheet import, the capture page and the demo read it here too).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask

LOCAL_TZ = ZoneInfo("Europe/Paris")


def localtime(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """``value`` (an instant; a naive one is UTC, as stored) in local time, formatted; "" for None."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ).strftime(fmt)


def local_today() -> date:
    """Today's date in France: a deadline, a report's date or an overdue mark reads the calendar on the
    wall of the room, not UTC's (which is still « yesterday » until 1 or 2 a.m. in Paris)."""
    from webapp.models.base import utcnow

    return utcnow().astimezone(LOCAL_TZ).date()


def init_app(app: Flask) -> None:
    """``{{ instant|localtime }}`` and ``{{ instant|localtime('%d/%m/%Y') }}`` in templates."""
    app.jinja_env.filters["localtime"] = localtime
